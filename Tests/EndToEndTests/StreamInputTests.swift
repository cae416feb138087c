import Foundation
import Testing

/// Anything readable is read as a stream: a FIFO, a process substitution, `/dev/stdin` on a pipe.
/// Such inputs are never seeked or split, and gzip is still recognised by its magic bytes.
@Suite struct StreamInputTests {
    /// Requests in `samples/access.log`, from its generator's truth file.
    static func sampleRequests() throws -> Int {
        let data = try Data(contentsOf: Harness.packageRoot.appendingPathComponent("samples/truth/access.log.json"))
        let truth = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return try #require(truth["matched"] as? Int)
    }

    /// Runs `logsift report --format json <fifo>` while `writer` (a shell command given the
    /// FIFO's path as $1) writes into it; returns the result and the requests it counted.
    func reportThroughFIFO(writer: String, extra: [String] = []) throws -> (Harness.Result, Int?) {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fifo = dir.appendingPathComponent("pipe.log").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", writer, "sh", fifo]
        process.currentDirectoryURL = Harness.packageRoot
        try process.run()
        defer { if process.isRunning { process.terminate() }; process.waitUntilExit() }
        // More workers than inputs and a split threshold of one byte: a regular file this size
        // would be cut; a FIFO must not be.
        let result = try Harness.run(["report", "--format", "json", "--jobs", "4", "--split-bytes", "1"] + extra + [fifo])
        let total = try? result.json()["total"] as? [String: Any]
        return (result, total?["requests"] as? Int)
    }

    @Test func fifoIsReadAsAStream() throws {
        let expected = try Self.sampleRequests()
        let (result, requests) = try reportThroughFIFO(writer: #"cat samples/access.log > "$1""#)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stderr.contains("Illegal seek"))
        #expect(requests == expected)
    }

    @Test func gzipThroughAFIFOIsRecognisedByMagic() throws {
        let expected = try Self.sampleRequests()
        let (result, requests) = try reportThroughFIFO(writer: #"gzip -c samples/access.log > "$1""#)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(requests == expected)
    }

    @Test func devStdinOnAPipeAndProcessSubstitution() throws {
        let expected = try Self.sampleRequests()
        let binary = Harness.binary.path
        let piped = try Harness.shell("cd '\(Harness.packageRoot.path)' && cat samples/access.log | '\(binary)' report --format json --jobs 4 --split-bytes 1 /dev/stdin")
        let pipedTotal = try JSONSerialization.jsonObject(with: Data(piped.utf8)) as? [String: Any]
        #expect((pipedTotal?["total"] as? [String: Any])?["requests"] as? Int == expected)
        // bash's <(…) is a /dev/fd/N pipe.
        let substituted = try Harness.shell("cd '\(Harness.packageRoot.path)' && bash -c \"'\(binary)' report --format json --jobs 4 --split-bytes 1 <(gzip -c samples/access.log)\"")
        let substitutedTotal = try JSONSerialization.jsonObject(with: Data(substituted.utf8)) as? [String: Any]
        #expect((substitutedTotal?["total"] as? [String: Any])?["requests"] as? Int == expected)
    }
}
