import Foundation
import Testing

/// Which lines join the event before them in an application log: lines that look like
/// continuations do, blank lines inside a trace do, and lines of another log do not.
@Suite struct ContinuationTests {
    static let chainedTraceback = [
        "Traceback (most recent call last):",
        "  File \"/app/worker.py\", line 12, in run",
        "    step()",
        "ValueError: bad input",
        "",
        "During handling of the above exception, another exception occurred:",
        "",
        "Traceback (most recent call last):",
        "  File \"/app/worker.py\", line 14, in run",
        "KeyError: 'tenant'",
    ]

    /// 250 app-text events (every 50th with a chained traceback whose 10 lines, 2 of them
    /// blank, all continue it; a blank line follows), then lines of other logs.
    static func mixed(foreign: [String]) -> String {
        var lines: [String] = []
        for i in 0..<250 {
            lines.append("2026-11-24T10:00:\(String(format: "%02d", i % 60)).123Z ERROR job \(i) failed")
            if i % 50 == 0 { lines += chainedTraceback + [""] }
        }
        return (lines + foreign).joined(separator: "\n") + "\n"
    }

    static let foreign: [String] = (0..<300).map {
        "10.0.0.\($0 % 9) - - [24/Nov/2026:10:01:\(String(format: "%02d", $0 % 60)) +0000] \"GET /x/\($0) HTTP/1.1\" 200 512 \"-\" \"curl/8\""
    } + [
        "2001:db8::7 - - [24/Nov/2026:10:02:00 +0000] \"GET / HTTP/1.1\" 200 1 \"-\" \"-\"",
        "::1 - - [24/Nov/2026:10:02:00 +0000] \"GET / HTTP/1.1\" 200 1 \"-\" \"-\"",
        "Nov 24 10:02:01 host sshd[42]: Accepted publickey for root",
        "<13>Nov 24 10:02:02 host app: started",
        "[24/Nov/2026:10:02:03 +0000] job done",
        "[Tue Nov 24 10:02:04 2026] [error] [client 10.0.0.1] File does not exist",
        "1795510924.123 10.0.0.1 GET /",
    ]

    @Test func linesOfAnotherLogAreUnmatchedAndSampled() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("mixed.log")
        try Self.mixed(foreign: Self.foreign).write(to: file, atomically: true, encoding: .utf8)
        let result = try Harness.run(["report", "--format", "json", "--tz", "UTC", "--samples", "5", file.path])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try result.json()
        let input = try #require((json["inputs"] as? [[String: Any]])?.first)
        #expect(input["format"] as? String == "app-text")
        #expect(input["unmatched"] as? Int == Self.foreign.count)
        // The first foreign line follows 250 events and 5 tracebacks of 11 lines each.
        let samples = json["unmatched_samples"] as? [[String: Any]] ?? []
        #expect(samples.first?["line"] as? Int == 250 + 5 * 11 + 1, "\(samples.first ?? [:])")
        let app = try #require(json["application"] as? [String: Any])
        #expect(app["events"] as? Int == 250)
        #expect(app["continuation_lines"] as? Int == 5 * 10)
    }

    /// Blank lines between the parts of a chained traceback are lines of the event; the blank
    /// line after it, before the next event, is not.
    @Test func blankLinesInsideATracebackAreContinuationLines() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("trace.log")
        try Self.mixed(foreign: []).write(to: file, atomically: true, encoding: .utf8)
        let result = try Harness.run(["report", "--format", "json", "--tz", "UTC", file.path])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try result.json()
        let app = try #require(json["application"] as? [String: Any])
        // 5 tracebacks of 10 lines, 2 of them blank.
        #expect(app["continuation_lines"] as? Int == 50)
        let input = try #require((json["inputs"] as? [[String: Any]])?.first)
        #expect(input["unmatched"] as? Int == 0)
        let sample = (app["error_groups"] as? [[String: Any]])?.first?["sample"] as? String ?? ""
        #expect(sample.contains("ValueError: bad input\n\nDuring handling"), "\(sample)")
    }

    /// A JSON-lines or logfmt event inside an app-text log starts an event of its own (unmatched
    /// and sampled), while an indented JSON payload and a `Caused by:` line still continue the
    /// event before them.
    @Test func jsonAndLogfmtEventsAreNotContinuationLines() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let foreign = [
            #"{"ts":"2026-12-02T00:00:01Z","level":"error","msg":"boom"}"#,
            #"ts=2026-12-02T00:00:01Z level=error msg="boom""#,
            #"time="2026-12-02T00:00:01Z" level=error msg=boom"#,
        ]
        for (k, line) in foreign.enumerated() {
            let file = dir.appendingPathComponent("mixed\(k).log")
            let text = [
                "2026-12-02T00:00:00Z ERROR first",
                "2026-12-02T00:00:00Z ERROR second",
                "2026-12-02T00:00:00Z ERROR third",
                line,
                "2026-12-02T00:00:02Z ERROR fourth",
                #"    {"ts":"2026-12-02T00:00:01Z","level":"error","msg":"payload"}"#,
                "Caused by: java.io.IOException: level=error",
                "2026-12-02T00:00:03Z ERROR fifth",
            ].joined(separator: "\n") + "\n"
            try text.write(to: file, atomically: true, encoding: .utf8)
            let result = try Harness.run(["report", "--format", "json", "--tz", "UTC", file.path])
            #expect(result.status == 0, "\(result.stderr)")
            let json = try result.json()
            let input = try #require((json["inputs"] as? [[String: Any]])?.first)
            #expect(input["format"] as? String == "app-text")
            #expect(input["unmatched"] as? Int == 1, "\(line)")
            let samples = json["unmatched_samples"] as? [[String: Any]] ?? []
            #expect(samples.first?["line"] as? Int == 4, "\(line)")
            let app = try #require(json["application"] as? [String: Any])
            #expect(app["events"] as? Int == 5)
            #expect(app["continuation_lines"] as? Int == 2, "\(line)")
        }
    }
}
