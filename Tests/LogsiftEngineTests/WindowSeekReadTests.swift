import Foundation
import LogInput
import LogParsing
import LogQuery
import Testing
@testable import LogsiftEngine

/// A 10-minute window of a day-long plain log reads a small part of the file (bytes counted by
/// the readers, not timed), and counts what the generator wrote into the window.
@Suite struct WindowSeekReadTests {
    /// 30/Nov/2026 in UTC, 4 lines a second, every second of the day: 345,600 lines (~38 MB).
    static func dayLog() -> String {
        var out = ""
        out.reserveCapacity(40_000_000)
        for second in 0..<86400 {
            let stamp = String(format: "30/Nov/2026:%02d:%02d:%02d +0000", second / 3600, second / 60 % 60, second % 60)
            for k in 0..<4 {
                out += "10.1.\(k).\(second % 250) - - [\(stamp)] \"GET /w/\(second) HTTP/1.1\" \(k == 0 ? 500 : 200) 512 \"-\" \"curl/8.5\" 0.0\(k + 1)\n"
            }
        }
        return out
    }

    @Test func tenMinuteWindowReadsLittleOfADayLog() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("logsift-seekread-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("access.log").path
        try Self.dayLog().write(toFile: log, atomically: false, encoding: .utf8)
        let size = try #require(FileSource.regularFileSize(log))

        let day: Int64 = 1_795_996_800  // 2026-11-30T00:00:00Z
        var configuration = QueryConfiguration(inputs: [InputSpec(path: log)])
        configuration.zone = .utc
        configuration.since = day + 14 * 3600
        configuration.until = day + 14 * 3600 + 600
        let query = try QueryParser.parse("count, count(status >= 500)")
        let seeked = try QueryRunner.run(query, configuration) { _, _ in true }
        // Truth from the generator: 4 lines a second for 600 seconds, one of them a 500.
        #expect(seeked.rows.first?.values == [.number(2400), .number(600)])
        let read = try #require(seeked.inputs.first?.bytesRead)
        // Two reader fills of at most 1.25 MiB (the detection lines, then the window's ~230 KB
        // and the tolerance around it) and about 30 probes of 4 KiB: under 3 MiB of ~33 MB.
        #expect(read < 3 << 20, "read \(read) of \(size) bytes")

        configuration.seek = false
        let full = try QueryRunner.run(query, configuration) { _, _ in true }
        #expect(full.rows.first?.values == [.number(2400), .number(600)])
        #expect(full.inputs.first?.bytesRead == UInt64(size))
    }
}
