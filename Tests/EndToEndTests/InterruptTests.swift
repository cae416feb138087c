import Foundation
import Testing

/// `tail -f f | logsift report -` with Ctrl-C: the report of what was read, exit 128 + signal.
@Suite struct InterruptTests {
    /// One combined-format line per index; every tenth is a 5xx.
    static func line(_ i: Int) -> String {
        let status = i % 10 == 0 ? 503 : 200
        let second = String(format: "%02d", i % 60)
        return "10.0.0.\(i % 250) - - [01/Dec/2026:10:\(String(format: "%02d", (i / 60) % 60)):\(second) +0000] \"GET /p\(i % 7) HTTP/1.1\" \(status) 512 \"-\" \"t\"\n"
    }

    /// Starts `report --format json -` on a pipe, writes `count` lines in two writes with a
    /// pause between (the reader is blocked on a quiet pipe when the signal comes), sends
    /// `signal`, and checks the counts against the lines written.
    func interrupt(with signal: Int32, expecting status: Int32) throws {
        let count = 1234
        let process = Process()
        process.executableURL = Harness.binary
        process.arguments = ["report", "--format", "json", "-"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var written = ""
        for i in 0..<count { written += Self.line(i) }
        let bytes = Data(written.utf8)
        let half = bytes.count / 2
        input.fileHandleForWriting.write(bytes.prefix(half))
        Thread.sleep(forTimeInterval: 0.2)
        input.fileHandleForWriting.write(bytes.dropFirst(half))
        // The pipe stays open (like `tail -f`): only the signal can end the run.
        Thread.sleep(forTimeInterval: 0.5)
        kill(process.processIdentifier, signal)
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try? input.fileHandleForWriting.close()
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == status)
        let report = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let total = try #require(report["total"] as? [String: Any])
        #expect(total["requests"] as? Int == count)
        // Truth from the generator: every tenth line (0, 10, …) is a 503.
        let errors = (0..<count).filter { $0 % 10 == 0 }.count
        let statuses = total["status"] as? [String: Any]
        #expect(statuses?["503"] as? Int == errors, "\(total)")
        #expect(statuses?["200"] as? Int == count - errors, "\(total)")
    }

    @Test func sigintPrintsTheReportOfWhatWasRead() throws {
        try interrupt(with: SIGINT, expecting: 130)
    }

    @Test func sigtermPrintsTheReportOfWhatWasRead() throws {
        try interrupt(with: SIGTERM, expecting: 143)
    }
}
