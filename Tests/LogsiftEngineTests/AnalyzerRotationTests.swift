import Foundation
import LogInput
import Testing
@testable import LogsiftEngine

/// A file renamed and replaced while logsift runs (log rotation) must be read as the file that
/// was opened: every work unit of a split file reads through the descriptor planning opened.
@Suite struct AnalyzerRotationTests {
    static func accessLines(_ count: Int, status: Int, path: String) -> String {
        (0..<count).map { i in
            "10.0.0.\(i % 250) - - [24/Nov/2026:10:\(String(format: "%02d", i % 60)):00 +0000] \"GET \(path)/\(i) HTTP/1.1\" \(status) 512 \"-\" \"curl/8\" 0.010\n"
        }.joined()
    }

    /// The original holds 1,000 lines, all status 200; its replacement 3,000 longer lines, all
    /// 503. The replacement is renamed over the original after planning cut the original into
    /// four ranges and before any range is read: the report must count the original's 1,000
    /// lines and 1,000 requests of status 200, and none of 503.
    @Test func rotation_fileReplacedBetweenPlanningAndReadingIsReadAsOpened() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("logsift-rotation-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("r.log").path
        let replacement = dir.appendingPathComponent("other.log").path
        try Self.accessLines(1000, status: 200, path: "/a").write(toFile: log, atomically: false, encoding: .utf8)
        try Self.accessLines(3000, status: 503, path: "/a-much-longer-path-than-before").write(toFile: replacement, atomically: false, encoding: .utf8)

        var configuration = AnalysisConfiguration(inputs: [InputSpec(path: log)])
        configuration.workers = 4
        configuration.splitThreshold = 1
        configuration.zone = .utc
        configuration.afterPlanning = { rename(replacement, log) }
        let analysis = Analyzer.run(configuration)

        #expect(!FileManager.default.fileExists(atPath: replacement), "the replacement was renamed over the log mid-run")
        #expect(analysis.inputs.count == 1)
        #expect(analysis.inputs[0].error == nil)
        #expect(analysis.inputs[0].lines == 1000)
        #expect(analysis.inputs[0].unmatched == 0)
        #expect(analysis.traffic.total.requests == 1000)
        #expect(analysis.traffic.statusCounts[200] == 1000)
        #expect(analysis.traffic.statusCounts[503] == 0)
    }

    /// The 1,000-line original is cut into four ranges, then truncated to nothing and given
    /// 100 lines of the replacement (`truncate -s 0 r.log; head -100 other >> r.log`) before
    /// any range is read: the parts meet the end of the file early, and the input's error says
    /// it changed during the run (the old run counted the 100 new lines as the whole file, no
    /// error).
    @Test func truncation_afterPlanningMarksTheInputChanged() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("logsift-truncation-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("r.log").path
        try Self.accessLines(1000, status: 200, path: "/a").write(toFile: log, atomically: false, encoding: .utf8)
        let hundred = Self.accessLines(100, status: 503, path: "/a-much-longer-path-than-before")

        var configuration = AnalysisConfiguration(inputs: [InputSpec(path: log)])
        configuration.workers = 4
        configuration.splitThreshold = 1
        configuration.zone = .utc
        configuration.afterPlanning = {
            _ = truncate(log, 0)
            try? hundred.write(toFile: log, atomically: false, encoding: .utf8)
        }
        let analysis = Analyzer.run(configuration)

        #expect(analysis.inputs[0].error == "\(log): changed during the run: it was truncated or rewritten; its figures are partial")
    }

    /// 500 lines appended after planning (a live log): no error, and the report counts the
    /// 1,000 lines the file had when it was planned.
    @Test func append_afterPlanningIsNotAnError() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("logsift-append-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("r.log").path
        try Self.accessLines(1000, status: 200, path: "/a").write(toFile: log, atomically: false, encoding: .utf8)
        let more = Data(Self.accessLines(500, status: 503, path: "/b").utf8)

        var configuration = AnalysisConfiguration(inputs: [InputSpec(path: log)])
        configuration.workers = 4
        configuration.splitThreshold = 1
        configuration.zone = .utc
        configuration.afterPlanning = {
            let handle = FileHandle(forWritingAtPath: log)!
            handle.seekToEndOfFile()
            handle.write(more)
            handle.closeFile()
        }
        let analysis = Analyzer.run(configuration)

        #expect(analysis.inputs[0].error == nil)
        #expect(analysis.inputs[0].lines == 1000)
        #expect(analysis.traffic.statusCounts[200] == 1000)
        #expect(analysis.traffic.statusCounts[503] == 0)
    }
}
