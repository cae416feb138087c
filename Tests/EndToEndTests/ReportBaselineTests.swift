import Foundation
import Testing

/// `report --baseline`: a baseline and a current set of logs built here with counts known by
/// construction, in the three families at once; every figure checked is the hand count.
///
/// Access (one minute each, so the volume floor for a path's p95 is 20):
/// - baseline: 100 requests — /slow 40 at 0.1 s, /other 60 at 0.05 s of which 2 are 500s;
/// - current: 200 requests — /slow 40 at 2.0 s, /other 160 at 0.05 s of which 20 are 500s.
/// So requests 100 → 200, 5xx 2% → 10%, /slow's p95 0.1 → 2.0 s, /other's 5xx 2/60 → 20/160.
/// Application: `db timeout` 3 → 3 (not listed), `cache miss storm` 2 → 7 (grown by 5),
/// `payment gateway refused card` 0 → 5 (new). PostgreSQL: `SELECT … FROM orders …` 5 calls
/// of 10 ms → 5 calls of 100 ms (10× slower), `UPDATE stock …` new (2 calls of 5 ms), and
/// `SELECT … FROM users …` 20 ms → 20 ms (not slower: not listed).
@Suite struct ReportBaselineTests {
    static func access(slowTime: String, other: Int, failing: Int) -> String {
        var lines: [String] = []
        var k = 0
        func stamp() -> String { let s = k % 60; k += 1; return "24/Nov/2026:10:00:\(s < 10 ? "0" : "")\(s) +0000" }
        for _ in 0..<40 { lines.append(#"10.0.0.1 - - [\#(stamp())] "GET /slow HTTP/1.1" 200 10 "-" "curl/8" \#(slowTime)"#) }
        for i in 0..<other {
            lines.append(#"10.0.0.2 - - [\#(stamp())] "GET /other HTTP/1.1" \#(i < failing ? 500 : 200) 10 "-" "curl/8" 0.050"#)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func application(_ groups: [(String, Int)]) -> String {
        var lines: [String] = []
        var s = 0
        for (message, n) in groups {
            for _ in 0..<n {
                lines.append("2026-11-24 10:00:\(s < 10 ? "0" : "")\(s).000 [main] ERROR c.e.Service - \(message)")
                lines.append("2026-11-24 10:00:\(s < 10 ? "0" : "")\(s).500 [main] INFO  c.e.Service - request served")
                s = (s + 1) % 60
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func postgres(_ statements: [(String, Double, Int)]) -> String {
        var lines: [String] = []
        var s = 0
        for (sql, ms, n) in statements {
            for _ in 0..<n {
                lines.append("2026-11-24 10:00:\(s < 10 ? "0" : "")\(s).000 UTC [2001] app@shop LOG:  duration: \(String(format: "%.3f", ms)) ms  statement: \(sql)")
                s = (s + 1) % 60
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static let orders = "SELECT * FROM orders WHERE id = 7"
    static let users = "SELECT * FROM users WHERE id = 9"
    static let stock = "UPDATE stock SET n = 2 WHERE id = 3"

    /// Writes the six logs and runs `report` on the current three with the baseline three.
    static func run(_ extra: [String], in dir: URL) throws -> Harness.Result {
        func write(_ name: String, _ text: String) throws -> String {
            let url = dir.appendingPathComponent(name)
            try text.write(to: url, atomically: true, encoding: .utf8)
            return url.path
        }
        let base = [
            try write("base-access.log", access(slowTime: "0.100", other: 60, failing: 2)),
            try write("base-app.log", application([("db timeout", 3), ("cache miss storm", 2)])),
            try write("base-pg.log", postgres([(orders, 10, 5), (users, 20, 4)])),
        ]
        let now = [
            try write("access.log", access(slowTime: "2.000", other: 160, failing: 20)),
            try write("app.log", application([("db timeout", 3), ("cache miss storm", 7), ("payment gateway refused card", 5)])),
            try write("pg.log", postgres([(orders, 100, 5), (stock, 5, 2), (users, 20, 4)])),
        ]
        var arguments = ["report", "--tz", "UTC"] + now
        for b in base { arguments += ["--baseline", b] }
        return try Harness.run(arguments + extra)
    }

    static func change(_ object: Any?) -> (value: Double?, baseline: Double?, change: Double?, relative: Double?) {
        let o = object as? [String: Any] ?? [:]
        return (o["value"] as? Double, o["baseline"] as? Double, o["change"] as? Double, o["relative"] as? Double)
    }

    @Test func jsonGivesEveryChangeFromHandCounts() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try Self.run(["--format", "json"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let json = try r.json()
        let baseline = try #require(json["baseline"] as? [String: Any])
        #expect((baseline["inputs"] as? [String])?.count == 3)
        let totals = try #require(baseline["totals"] as? [String: Any])
        let access = try #require(totals["access"] as? [String: Any])
        let requests = Self.change(access["requests"])
        #expect(requests.value == 200 && requests.baseline == 100 && requests.change == 100 && requests.relative == 1)
        let rate = Self.change(access["rate_5xx"])
        #expect(rate.value == 0.1 && rate.baseline == 0.02)
        #expect(abs((rate.change ?? 0) - 0.08) < 1e-12)
        let app = try #require(totals["application"] as? [String: Any])
        // Errors: 3 + 2 = 5 → 3 + 7 + 5 = 15.
        #expect(Self.change(app["errors"]).baseline == 5 && Self.change(app["errors"]).value == 15)
        let pg = try #require(totals["postgres"] as? [String: Any])
        #expect(Self.change(pg["queries"]).baseline == 9 && Self.change(pg["queries"]).value == 11)

        // Paths: /slow first (p95 0.1 → 2.0 s, the sketch within 1%), then /other (p95 unchanged).
        let paths = try #require(baseline["paths"] as? [[String: Any]])
        #expect(paths.map { $0["path"] as? String } == ["/slow", "/other"])
        let slow = Self.change(paths[0]["p95"])
        #expect(abs((slow.baseline ?? 0) - 0.1) <= 0.001 && abs((slow.value ?? 0) - 2.0) <= 0.02, "\(paths[0])")
        #expect(paths[0]["presence"] as? String == "both")
        let other = Self.change(paths[1]["rate_5xx"])
        // JSON writes 15 significant digits.
        #expect(abs((other.baseline ?? 0) - 2.0 / 60) < 1e-14 && other.value == 20.0 / 160)
        #expect(Self.change(paths[1]["requests"]).change == 100)

        // Error groups: the new one (0 → 5) and the grown one (2 → 7) tie on a change of 5 (then
        // by source, level, message); `db timeout` (3 → 3) is not listed. A template starts with
        // the logger name.
        let groups = try #require(baseline["error_groups"] as? [[String: Any]])
        #expect(groups.map { $0["message"] as? String } == ["c.e.Service - cache miss storm", "c.e.Service - payment gateway refused card"], "\(groups)")
        #expect(groups.map { $0["presence"] as? String } == ["both", "new"])
        #expect(groups.map { Self.change($0["count"]).baseline } == [2, 0])
        #expect(groups.map { Self.change($0["count"]).value } == [7, 5])

        // Statements: the new UPDATE first (no baseline mean), then orders 10 ms → 100 ms (exact
        // means: the sum is kept in microseconds); users (20 → 20 ms) is not listed. Fingerprints
        // are lowercased.
        let statements = try #require(baseline["statements"] as? [[String: Any]])
        #expect(statements.count == 2, "\(statements)")
        #expect((statements.first?["query"] as? String)?.hasPrefix("update stock") == true)
        #expect(statements.first?["presence"] as? String == "new")
        #expect((statements.last?["query"] as? String)?.contains("orders") == true)
        let mean = Self.change(statements.last?["mean"])
        #expect(mean.baseline == 0.01 && mean.value == 0.1)
        #expect(abs((mean.relative ?? 0) - 9) < 1e-9)
        #expect(Self.change(statements.last?["calls"]).value == 5)
    }

    @Test func textMarkdownAndHTMLShowTheChanges() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = try Self.run([], in: dir)
        #expect(text.status == 0, "\(text.stderr)")
        let summary = text.text.components(separatedBy: "\nSummary\n").last?.components(separatedBy: "\nChanges since baseline\n").first ?? ""
        #expect(summary.contains("  Biggest changes since baseline\n"), "\(summary)")
        #expect(summary.contains("    requests 100 → 200 (+100, +100%)\n"), "\(summary)")
        #expect(summary.contains("    5xx 2.0% → 10.0% (+8.0 pts)\n"), "\(summary)")
        // The error groups tie on +5; the grown one comes first by its message.
        #expect(summary.contains("    grown application error group: count 2 → 7 (+5, +250%) — c.e.Service - cache miss storm\n"), "\(summary)")
        #expect(summary.contains("    path /slow: p95 "), "\(summary)")
        #expect(text.text.contains("\nChanges since baseline\n  Baseline: 3 inputs, "))
        #expect(text.text.contains("Paths by change of p95\n"))

        let markdown = try Self.run(["--format", "markdown"], in: dir)
        #expect(markdown.status == 0)
        #expect(markdown.text.contains("\n### Biggest changes since baseline\n\n- requests 100 → 200 (+100, +100%)\n"), "\(markdown.text)")
        #expect(markdown.text.contains("\n## Changes since baseline\n"))
        #expect(markdown.text.contains("| application | error | c.e.Service - payment gateway refused card | 5 | 0 | \\+5 | \\- | new |"), "\(markdown.text)")

        let html = try Self.run(["--format", "html"], in: dir)
        #expect(html.status == 0)
        #expect(html.text.contains("<ul id=\"summary-changes\">"))
        #expect(html.text.contains("<section id=\"baseline\">"))
        // The 5xx row of the figures table carries the exact shares.
        #expect(html.text.contains("<td>5xx</td><td class=\"n\" data-value=\"0.02\">2.0%</td><td class=\"n\" data-value=\"0.1\">10.0%</td>"), "\(html.text)")
    }

    @Test func sameLogsAsBaselineChangeNothing() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("access.log")
        try Self.access(slowTime: "0.100", other: 60, failing: 2).write(to: file, atomically: true, encoding: .utf8)
        let r = try Harness.run(["report", "--format", "json", file.path, "--baseline", file.path])
        #expect(r.status == 0, "\(r.stderr)")
        let baseline = try #require(try r.json()["baseline"] as? [String: Any])
        let paths = try #require(baseline["paths"] as? [[String: Any]])
        #expect(paths.count == 2)
        for path in paths {
            for key in ["requests", "rate_5xx", "p95"] { #expect(Self.change(path[key]).change == 0, "\(path)") }
        }
        #expect((baseline["error_groups"] as? [Any])?.isEmpty ?? true)
    }

    @Test func refusedBaselines() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("access.log")
        try Self.access(slowTime: "0.100", other: 60, failing: 2).write(to: file, atomically: true, encoding: .utf8)
        for (values, says) in [(["-"], "read from files"), (["web1.lsa", "access.log.1"], "not both"), ([""], "is empty")] {
            let r = try Harness.run(["report", file.path] + values.flatMap { ["--baseline", $0] })
            #expect(r.status == 64, "\(values): \(r.stderr)")
            #expect(r.stderr.contains(says), "\(r.stderr)")
        }
        // A baseline that cannot be read: the report is still written, the exit status says it.
        let r = try Harness.run(["report", file.path, "--baseline", dir.appendingPathComponent("missing.log").path])
        #expect(r.status == 1)
        #expect(r.stderr.contains("missing.log: cannot open"))
        #expect(r.text.contains("Changes since baseline"))
    }

    /// A saved day (`report --save`) as the baseline gives what its logs give.
    @Test func savedBaselineEqualsItsLogs() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let before = dir.appendingPathComponent("before.log"), now = dir.appendingPathComponent("now.log")
        try Self.access(slowTime: "0.100", other: 60, failing: 2).write(to: before, atomically: true, encoding: .utf8)
        try Self.access(slowTime: "2.000", other: 120, failing: 20).write(to: now, atomically: true, encoding: .utf8)
        let save = dir.appendingPathComponent("before.lsa").path
        #expect(try Harness.run(["report", "--tz", "UTC", before.path, "--save", save]).status == 0)
        let fromLogs = try Harness.run(["report", "--tz", "UTC", "--format", "json", now.path, "--baseline", before.path])
        let fromSave = try Harness.run(["report", "--tz", "UTC", "--format", "json", now.path, "--baseline", save])
        #expect(fromSave.status == 0, "\(fromSave.stderr)")
        #expect(fromLogs.text.contains("\"baseline\""))
        #expect(fromSave.stdout == fromLogs.stdout)
        let missing = try Harness.run(["report", now.path, "--baseline", dir.appendingPathComponent("missing.lsa").path])
        #expect(missing.status == 1 && missing.stderr.contains("missing.lsa"), "\(missing.stderr)")
    }
}
