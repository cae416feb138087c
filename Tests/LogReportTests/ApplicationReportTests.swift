import Foundation
import Testing
import LogParsing
import LogAggregation
@testable import LogReport

@Suite struct ApplicationReportTests {
    static func aggregate(_ text: String, _ format: ApplicationFormat, bucket: Int64 = 60) -> ApplicationAggregate {
        let p = ApplicationProcessor(bucketSeconds: bucket, zone: .utc)
        p.begin(format: format)
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            _ = Array(line.utf8).withUnsafeBytes { p.consume($0) }
        }
        p.endInput()
        return p.aggregate
    }

    static let java = """
    2026-11-24 10:00:00 INFO starting
    2026-11-24 10:00:10 ERROR order 42 failed
    java.lang.IllegalStateException: closed
    \tat a.B.c(B.java:1)
    \tat a.B.d(B.java:2)
    \tat a.B.e(B.java:3)
    \tat a.B.f(B.java:4)
    2026-11-24 10:01:05 ERROR order 77 failed
    2026-11-24 10:01:30 WARN slow query 1200 ms
    2026-11-24 10:02:00 DEBUG tick
    """

    static let nginx = """
    2026/11/22 10:00:00 [error] 1#0: *1 connect() failed (111: Connection refused) while connecting to upstream, client: 10.0.0.1, server: a, request: "GET / HTTP/1.1", upstream: "http://10.0.0.9:8080/", host: "a"
    2026/11/22 10:00:01 [error] 1#0: *2 connect() failed (111: Connection refused) while connecting to upstream, client: 10.0.0.1, server: a, request: "GET /x HTTP/1.1", upstream: "http://10.0.0.9:8080/x", host: "a"
    2026/11/22 10:00:02 [warn] 1#0: *3 an upstream response is buffered to a temporary file, client: 10.0.0.2, server: a, request: "GET /big HTTP/1.1", upstream: "http://10.0.0.8:8080/big", host: "a"
    """

    static let compose = """
    web-1  | 2026-11-24 10:00:00 INFO up
    web-1  | 2026-11-24 10:00:01 ERROR boom 1
    db-1   | 2026-11-24 10:00:02 INFO ready
    """

    static func json(_ a: ApplicationAggregate, top: Int = 10) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(ApplicationReport.json(a, top: top).rendered().utf8)) as! [String: Any]
    }

    // MARK: - Text

    @Test func textSummaryAndBuckets() {
        let text = ApplicationReport.text(Self.aggregate(Self.java, .text), top: 10, width: 100, errorsOnly: false)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0] == "Application log events  (app-text)")
        #expect(lines[1] == "Time range  2026-11-24 10:00:00 +00:00 .. 2026-11-24 10:02:00 +00:00  (buckets of 1m)")
        // Levels most severe first, only those seen.
        #expect(lines[2] == "Events      5   error rate 40.0%   (error 2, warn 1, info 1, debug 1)")
        #expect(lines[3].trimmingCharacters(in: .whitespaces) == "5 continuation lines joined")
        #expect(text.contains("Per 1m\n"))
        #expect(lines.contains { $0.hasPrefix("  2026-11-24 10:00") && $0.hasSuffix("50.0%") })
        #expect(lines.contains { $0.hasPrefix("  2026-11-24 10:02") && $0.hasSuffix("0.0%") })
        for line in lines { #expect(line.count <= 100, "\(line)") }
        // No nginx or compose tables for a plain application log.
        #expect(!text.contains("Top clients") && !text.contains("Services"))
    }

    @Test func textErrorGroups() {
        let text = ApplicationReport.text(Self.aggregate(Self.java, .text), top: 10, width: 120, errorsOnly: false)
        #expect(text.contains("\nTop error groups (fatal, then error, then warn)\n"))
        #expect(text.contains("1. [error] 2×  2026-11-24 10:00:10 .. 2026-11-24 10:01:05  peak 1/1m at 2026-11-24 10:00 in 2 buckets\n"))
        #expect(text.contains("   order <*> failed\n   e.g. 2026-11-24 10:00:10 ERROR order 42 failed\n"))
        // Tabs of the sample shown as spaces; four sample lines, then how many more.
        #expect(text.contains("            at a.B.c(B.java:1)\n"))
        #expect(!text.contains("\t"))
        #expect(text.contains("        … 2 more lines\n"))
        #expect(text.contains("2. [warn] 1×  2026-11-24 10:01:30 .. 2026-11-24 10:01:30\n   slow query <*> ms\n"))
        // The peak is shortened, then left out, to keep the group's line within the width.
        let narrow = ApplicationReport.text(Self.aggregate(Self.java, .text), top: 10, width: 100, errorsOnly: false)
        #expect(narrow.contains("1. [error] 2×  2026-11-24 10:00:10 .. 2026-11-24 10:01:05  peak 1/1m at 2026-11-24 10:00\n"))
        let narrower = ApplicationReport.text(Self.aggregate(Self.java, .text), top: 10, width: 70, errorsOnly: false)
        #expect(narrower.contains("1. [error] 2×  2026-11-24 10:00:10 .. 2026-11-24 10:01:05\n"))
        // top limits the groups.
        let one = ApplicationReport.text(Self.aggregate(Self.java, .text), top: 1, width: 100, errorsOnly: false)
        #expect(one.contains("1. [error]") && !one.contains("2. [warn]"))
    }

    /// `--errors`: only ERROR and FATAL groups, longer samples, no summary.
    @Test func textErrorsOnly() {
        let text = ApplicationReport.text(Self.aggregate(Self.java, .text), top: 10, width: 100, errorsOnly: true)
        #expect(text.hasPrefix("Top error groups (error, fatal)\n1. [error] 2×"))
        #expect(!text.contains("[warn]") && !text.contains("Events ") && !text.contains("Per 1m"))
        #expect(text.contains("            at a.B.f(B.java:4)\n"))
        #expect(!text.contains("more lines"))
        let none = ApplicationReport.text(Self.aggregate("2026-11-24 10:00:00 INFO fine", .text), top: 10, width: 100, errorsOnly: true)
        #expect(none == "Top error groups (error, fatal)\n  (none)\n")
    }

    @Test func textNginxBreakdowns() {
        let text = ApplicationReport.text(Self.aggregate(Self.nginx, .nginxError), top: 10, width: 100, errorsOnly: false)
        #expect(text.hasPrefix("Application log events  (nginx-error)\n"))
        #expect(text.contains("Events      3   error rate 66.7%   (error 2, warn 1)\n"))
        #expect(text.contains("Top clients (nginx / Apache error log)\n"))
        #expect(text.contains("  10.0.0.1       2\n"))
        #expect(text.contains("Top upstreams (nginx error log)\n"))
        #expect(text.contains("  http://10.0.0.9:8080       2\n"))
        #expect(text.contains("   connect() failed (<*>: Connection refused) while connecting to upstream\n"))
        // A long sample line is cut to the width.
        for line in text.split(separator: "\n") { #expect(line.count <= 100, "\(line)") }
        #expect(text.contains("…"))
    }

    @Test func textServices() {
        let text = ApplicationReport.text(Self.aggregate(Self.compose, .text), top: 10, width: 100, errorsOnly: false)
        #expect(text.contains("Services\n"))
        #expect(text.contains("  web-1         2       1  50.0%\n"))
        #expect(text.contains("  db-1          1       0   0.0%\n"))
        #expect(text.contains("   e.g. web-1  | 2026-11-24 10:00:01 ERROR boom 1\n"))
    }

    /// More buckets than the table shows: the worst ones by error events, in time order.
    @Test func textWorstBuckets() {
        var log = ""
        for minute in 0..<40 {
            log += "2026-11-24 10:\(String(format: "%02d", minute)):00 INFO tick\n"
            for _ in 0..<(minute % 7) { log += "2026-11-24 10:\(String(format: "%02d", minute)):30 ERROR failed \(minute)\n" }
        }
        let text = ApplicationReport.text(Self.aggregate(log, .text), top: 3, width: 100, errorsOnly: false)
        #expect(text.contains("Worst buckets by error events (40 buckets of 1m)\n"))
        let rows = text.split(separator: "\n").filter { $0.hasPrefix("  2026-11-24 10:") }
        #expect(rows.count == 15)
        // Six-error minutes first: 06, 13, 20, 27, 34 are all in.
        for m in ["06", "13", "20", "27", "34"] { #expect(rows.contains { $0.hasPrefix("  2026-11-24 10:\(m)") }, "\(m)") }
        #expect(rows.map { String($0.prefix(20)) } == rows.map { String($0.prefix(20)) }.sorted())
    }

    /// Untimed events (no readable time): a note, no time range, no bucket table.
    @Test func textUntimed() {
        let a = Self.aggregate("panic: boom\n\ngoroutine 1 [running]:\nmain.main()\n\t/a/main.go:3 +0x1\nexit status 2", .text)
        let text = ApplicationReport.text(a, top: 10, width: 100, errorsOnly: false)
        #expect(text.contains("Events      1   error rate 100.0%   (fatal 1)\n"))
        #expect(text.contains("1 events had no readable time"))
        #expect(!text.contains("Time range") && !text.contains("Per 1m"))
        #expect(text.contains("1. [fatal] 1×\n   panic: boom\n"))
    }

    // MARK: - JSON

    @Test func jsonSummary() throws {
        let o = try Self.json(Self.aggregate(Self.java, .text))
        #expect(o["formats"] as? [String] == ["app-text"])
        #expect(o["events"] as? Int == 5)
        #expect(o["levels"] as? [String: Int] == ["trace": 0, "debug": 1, "info": 1, "notice": 0, "warn": 1, "error": 2, "fatal": 0, "unknown": 0])
        #expect(o["error_rate"] as? Double == 0.4)
        #expect(o["first_time"] as? String == "2026-11-24T10:00:00Z")
        #expect(o["last_time"] as? String == "2026-11-24T10:02:00Z")
        #expect(o["untimed_events"] as? Int == 0)
        #expect(o["continuation_lines"] as? Int == 5)
        #expect(o["truncated_events"] as? Int == 0 && o["truncated_bytes"] as? Int == 0)
        #expect(o["bucket_seconds"] as? Int == 60 && o["bucket_widenings"] as? Int == 0)
        let buckets = o["buckets"] as! [[String: Any]]
        #expect(buckets.map { $0["start"] as? String } == ["2026-11-24T10:00:00Z", "2026-11-24T10:01:00Z", "2026-11-24T10:02:00Z"])
        #expect(buckets.map { $0["events"] as? Int } == [2, 2, 1])
        #expect(buckets.map { $0["error_rate"] as? Double } == [0.5, 0.5, 0])
        #expect((buckets[1]["levels"] as? [String: Int])?["warn"] == 1)
        #expect(o["error_groups_exact"] as? Bool == true)
        #expect(o["error_groups_eviction_floor"] as? Int == 0 && o["error_groups_evicted_events"] as? Int == 0)
        #expect((o["services"] as? [Any])?.isEmpty == true)
        #expect((o["clients"] as? [Any])?.isEmpty == true && (o["upstreams"] as? [Any])?.isEmpty == true)
        // Every documented key, in the documented order.
        let keys = ["formats", "events", "levels", "error_rate", "first_time", "last_time", "untimed_events",
                    "continuation_lines", "truncated_events", "truncated_bytes", "bucket_seconds", "bucket_widenings",
                    "buckets", "error_groups", "error_groups_exact", "error_groups_eviction_floor",
                    "error_groups_evicted_events", "services", "clients", "upstreams"]
        guard case .object(let members) = ApplicationReport.json(Self.aggregate(Self.java, .text), top: 10) else {
            Issue.record("not an object"); return
        }
        #expect(members.map(\.0) == keys)
    }

    @Test func jsonErrorGroups() throws {
        let o = try Self.json(Self.aggregate(Self.java, .text))
        let groups = o["error_groups"] as! [[String: Any]]
        #expect(groups.count == 2)
        let g = groups[0]
        #expect(g["template"] as? String == "order <*> failed")
        #expect(g["level"] as? String == "error")
        #expect(g["count"] as? Int == 2)
        #expect(g["first_seen"] as? String == "2026-11-24T10:00:10Z" && g["last_seen"] as? String == "2026-11-24T10:01:05Z")
        let b = g["buckets"] as! [[String: Any]]
        #expect(b.map { $0["start"] as? String } == ["2026-11-24T10:00:00Z", "2026-11-24T10:01:00Z"])
        #expect(b.map { $0["count"] as? Int } == [1, 1])
        // The whole first event, tabs and newlines kept (JSON-escaped on the wire).
        #expect(g["sample"] as? String == "2026-11-24 10:00:10 ERROR order 42 failed\njava.lang.IllegalStateException: closed\n\tat a.B.c(B.java:1)\n\tat a.B.d(B.java:2)\n\tat a.B.e(B.java:3)\n\tat a.B.f(B.java:4)")
        #expect(g["sample_truncated"] as? Bool == false)
        #expect(groups[1]["level"] as? String == "warn")
        #expect(ApplicationReport.json(Self.aggregate(Self.java, .text), top: 10).rendered(pretty: false)
                .contains(#""sample":"2026-11-24 10:00:10 ERROR order 42 failed\njava.lang.IllegalStateException: closed\n\tat a.B.c"#))
        // top limits the groups.
        #expect((try Self.json(Self.aggregate(Self.java, .text), top: 1)["error_groups"] as? [Any])?.count == 1)
    }

    @Test func jsonBreakdowns() throws {
        let n = try Self.json(Self.aggregate(Self.nginx, .nginxError))
        #expect(n["formats"] as? [String] == ["nginx-error"])
        #expect((n["clients"] as! [[String: Any]]).map { "\($0["client"]!) \($0["events"]!)" } == ["10.0.0.1 2", "10.0.0.2 1"])
        #expect((n["upstreams"] as! [[String: Any]]).map { "\($0["upstream"]!) \($0["events"]!)" }
                == ["http://10.0.0.9:8080 2", "http://10.0.0.8:8080 1"])
        let c = try Self.json(Self.aggregate(Self.compose, .text))
        #expect((c["services"] as! [[String: Any]]).map { "\($0["service"]!) \($0["events"]!) \($0["errors"]!)" } == ["web-1 2 1", "db-1 1 0"])
    }

    @Test func jsonUntimed() throws {
        let o = try Self.json(Self.aggregate("panic: boom\ngoroutine 1 [running]:", .jsonLines))
        #expect(o["events"] as? Int == 1 && o["untimed_events"] as? Int == 1)
        #expect(o["first_time"] is NSNull && o["last_time"] is NSNull)
        #expect((o["buckets"] as? [Any])?.isEmpty == true)
        let g = (o["error_groups"] as! [[String: Any]])[0]
        #expect(g["level"] as? String == "fatal")
        #expect(g["first_seen"] is NSNull && (g["buckets"] as? [Any])?.isEmpty == true)
    }

    /// Apache httpd error log through the section: clients, levels.
    @Test func apacheSection() throws {
        let log = """
        [Wed Oct 11 14:32:52.123456 2000] [core:error] [pid 35708:tid 4328636416] [client 72.15.99.187:5123] File does not exist: /a/1.ico
        [Wed Oct 11 14:32:53 2000] [notice] caught SIGTERM, shutting down
        """
        let a = Self.aggregate(log, .apacheError)
        let text = ApplicationReport.text(a, top: 10, width: 100, errorsOnly: false)
        #expect(text.hasPrefix("Application log events  (apache-error)\n"))
        #expect(text.contains("(error 1, notice 1)"))
        #expect(text.contains("  72.15.99.187       1\n"))
        #expect(!text.contains("Top upstreams"))
        let o = try Self.json(a)
        #expect((o["clients"] as! [[String: Any]]).first?["client"] as? String == "72.15.99.187")
    }
}
