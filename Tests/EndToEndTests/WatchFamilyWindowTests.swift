import Foundation
import Testing

/// `watch --window 1m --output json` over PostgreSQL and application logs piped in: each
/// window line's duration percentiles, top statements and top error templates. Truth: what
/// the generators here wrote, minute by minute, counted in the test (percentiles from the
/// sorted values written, nearest rank).
@Suite struct WatchFamilyWindowTests {
    /// A deterministic generator of durations spread over five decades (0.05 ms to 5 s).
    struct Durations {
        var state: UInt64
        mutating func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let u = Double(state >> 11) / Double(1 << 53)
            // Three decimals, as PostgreSQL writes `duration: 12.345 ms`.
            return (0.05 * pow(10, 5 * u) * 1000).rounded() / 1000
        }
    }

    /// The value at nearest rank ⌈q·n⌉ of `values`, after checking that it is also the value at
    /// the rank the sketch documents (0-based ⌊q·(n−1)⌋): the generators write a multiple of
    /// 100 durations a minute, for which both ranks agree at p50, p95 and p99.
    static func percentile(_ values: [Double], _ q: Double) -> Double {
        let sorted = values.sorted()
        let nearest = Int((q * Double(sorted.count)).rounded(.up)) - 1
        let sketchRank = Int((q * Double(sorted.count - 1)).rounded(.down))
        #expect(nearest == sketchRank, "n \(sorted.count): ranks \(nearest) and \(sketchRank) differ")
        return sorted[nearest]
    }

    /// Checks `duration_ms` of a window line against the durations written in its minute.
    static func checkDurations(_ window: [String: Any], _ values: [Double], field: String,
                               sourceLocation: SourceLocation = #_sourceLocation) throws {
        let d = try #require(window["duration_ms"] as? [String: Any], sourceLocation: sourceLocation)
        #expect(d["field"] as? String == field, sourceLocation: sourceLocation)
        if values.isEmpty {
            for key in ["p50", "p95", "p99"] { #expect(d[key] is NSNull, "\(key) without durations", sourceLocation: sourceLocation) }
            return
        }
        for (key, q) in [("p50", 0.5), ("p95", 0.95), ("p99", 0.99)] {
            let truth = percentile(values, q)
            let got = try #require(d[key] as? Double, "\(key) missing", sourceLocation: sourceLocation)
            // The sketch's stated bound: within 1% of the true value.
            #expect(abs(got - truth) <= truth * 0.01, "\(key): \(got) vs \(truth)", sourceLocation: sourceLocation)
        }
    }

    static func windowLines(_ data: Data) throws -> [[String: Any]] {
        try String(decoding: data, as: UTF8.self).split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    // MARK: - PostgreSQL

    struct PostgresWritten {
        var text = ""
        /// Per minute: every duration written (statements and paired bare durations).
        var durations: [Int: [Double]] = [:]
        /// Per minute, per table (each statement shape reads its own table): calls, total ms.
        var calls: [Int: [String: Int]] = [:]
        var totals: [Int: [String: Double]] = [:]
        /// Per minute: entries, errors (ERROR and FATAL), and errors by kind.
        var events: [Int: Int] = [:]
        var errors: [Int: Int] = [:]
        var errorKinds: [Int: [String: Int]] = [:]
    }

    static let tables = ["alpha", "bravo", "charlie", "delta", "hotel"]
    /// A word of each error kind's message, and the template the report's grouping makes of it
    /// (quoted text becomes `"..."`, digit runs `<*>`).
    static let errorKinds: [(word: String, template: String)] = [
        ("duplicate", "duplicate key value violates unique constraint \"...\""),
        ("relation", "relation \"...\" does not exist"),
        ("canceling", "canceling statement due to statement timeout"),
        ("password", "password authentication failed for user \"...\""),
    ]

    /// Four minutes from 2026-11-24T10:00:00Z: minute m has 100·(m+1) durations except minute
    /// 2, which has none (its percentiles are null). Statements on tables alpha…delta are logged
    /// with their duration (`duration: … statement:`); those on hotel are logged twice by the
    /// same process, `statement:` then a bare `duration:` (one call). Errors of four kinds,
    /// with DETAIL/STATEMENT lines; WARNINGs and connection LOG lines besides.
    static func generatePostgres() -> PostgresWritten {
        var w = PostgresWritten()
        var gen = Durations(state: 42)
        func stamp(_ minute: Int, _ second: Int) -> String {
            String(format: "2026-11-24 10:%02d:%02d.000 UTC", minute, second)
        }
        for minute in 0..<4 {
            let n = minute == 2 ? 0 : 100 * (minute + 1)
            var e = 0
            for i in 0..<max(n, 60) {
                let second = i * 60 / max(n, 60)
                let s = stamp(minute, second)
                w.text += "\(s) [\(3000 + i % 7)] LOG:  connection received: host=10.0.0.\(i % 50) port=\(40000 + i)\n"
                w.events[minute, default: 0] += 1
                if i < n {
                    let ms = gen.next()
                    // Table k takes a share growing with k, so calls differ between tables.
                    let k = [0, 1, 1, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 4][(i * 7 + minute) % 15]
                    let table = tables[k]
                    if table == "hotel" {
                        let pid = 7000 + i
                        w.text += "\(s) [\(pid)] app@shop LOG:  statement: UPDATE hotel SET n = \(i) WHERE id = \(i * 3)\n"
                        w.text += "\(s) [\(pid)] app@shop LOG:  duration: \(String(format: "%.3f", ms)) ms\n"
                        w.events[minute, default: 0] += 2
                    } else {
                        w.text += "\(s) [\(5000 + i % 13)] app@shop LOG:  duration: \(String(format: "%.3f", ms)) ms  statement: SELECT a, b FROM \(table) WHERE id = \(i) AND k = 'v\(i)'\n"
                        w.events[minute, default: 0] += 1
                    }
                    w.durations[minute, default: []].append(ms)
                    w.calls[minute, default: [:]][table, default: 0] += 1
                    w.totals[minute, default: [:]][table, default: 0] += ms
                }
                if i % 5 == 3 {
                    let kind = (i / 5 + minute) % (minute == 3 ? 2 : 4)
                    let level = kind == 3 ? "FATAL" : "ERROR"
                    let message: String
                    switch kind {
                    case 0: message = "duplicate key value violates unique constraint \"orders_\(i)_pkey\""
                    case 1: message = "relation \"missing_\(i)\" does not exist"
                    case 2: message = "canceling statement due to statement timeout"
                    default: message = "password authentication failed for user \"user\(i)\""
                    }
                    w.text += "\(s) [\(6000 + i)] app@shop \(level):  \(message)\n"
                    if kind == 0 { w.text += "\(s) [\(6000 + i)] app@shop DETAIL:  Key (id)=(\(i)) already exists.\n" }
                    if kind < 3 { w.text += "\(s) [\(6000 + i)] app@shop STATEMENT:  INSERT INTO orders (id) VALUES (\(i))\n" }
                    w.events[minute, default: 0] += 1
                    w.errors[minute, default: 0] += 1
                    w.errorKinds[minute, default: [:]][errorKinds[kind].word, default: 0] += 1
                    e += 1
                }
                if i % 11 == 4 {
                    w.text += "\(s) [\(3100 + i)] app@shop WARNING:  there is no transaction in progress\n"
                    w.events[minute, default: 0] += 1
                }
            }
        }
        return w
    }

    @Test func postgresWindowsHaveDurationsStatementsAndErrors() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let written = Self.generatePostgres()
        let log = dir.appendingPathComponent("postgresql.log")
        try written.text.write(to: log, atomically: true, encoding: .utf8)
        let r = try Harness.run(["watch", "--window", "1m", "--output", "json", "--tz", "UTC"], stdinFile: log)
        #expect(r.status == 0, "\(r.stderr)")
        let windows = try Self.windowLines(r.stdout)
        #expect(windows.count == 4, "\(r.text)")
        for (minute, window) in windows.enumerated() {
            #expect(window["start"] as? String == "2026-11-24T10:0\(minute):00Z")
            #expect(window["source"] as? String == "postgres")
            #expect(window["events"] as? Int == written.events[minute], "minute \(minute)")
            #expect(window["errors"] as? Int == written.errors[minute], "minute \(minute)")
            try Self.checkDurations(window, written.durations[minute] ?? [], field: "duration_ms")

            // Statements: every shape written this minute (five at most, --top's default), by
            // calls and by total time, matched to what was written through its table's name.
            let calls = written.calls[minute] ?? [:]
            let totals = written.totals[minute] ?? [:]
            func table(_ item: [String: Any]) -> String? {
                let query = item["query"] as? String ?? ""
                // The fingerprint masks the literals written (ids, 'v…' strings).
                #expect(!query.contains("'v"), "\(query)")
                return Self.tables.first { query.lowercased().contains($0) }
            }
            for (member, measure) in [("top_queries", "calls"), ("top_queries_by_time", "total_ms")] {
                let items = try #require(window[member] as? [[String: Any]], "\(member) minute \(minute)")
                #expect(items.count == calls.count, "\(member) minute \(minute): \(items)")
                var seen = Set<String>()
                var previous = Double.infinity
                for item in items {
                    let t = try #require(table(item), "\(item)")
                    #expect(seen.insert(t).inserted, "\(t) listed twice")
                    #expect(item["calls"] as? Int == calls[t], "\(member) \(t) minute \(minute)")
                    let total = try #require(item["total_ms"] as? Double)
                    #expect(abs(total - totals[t]!) <= 1e-6 * max(1, totals[t]!), "\(t): \(total) vs \(totals[t]!)")
                    let value = measure == "calls" ? Double(calls[t]!) : totals[t]!
                    #expect(value <= previous, "\(member) out of order at \(t)")
                    previous = value
                }
            }

            // Errors: one template per kind written, counted as written.
            let kinds = written.errorKinds[minute] ?? [:]
            let errors = try #require(window["top_errors"] as? [[String: Any]])
            #expect(errors.count == kinds.count, "minute \(minute): \(errors)")
            for item in errors {
                let template = try #require(item["template"] as? String)
                let kind = try #require(Self.errorKinds.first { template.hasPrefix($0.word) }, "\(template)")
                #expect(template == kind.template)
                #expect(item["count"] as? Int == kinds[kind.word], "\(template) minute \(minute)")
            }
        }
    }

    /// `--window 2m --every 1m`: each window is the merge of two one-minute panes; its
    /// statements, errors and percentiles are those of the two minutes written.
    @Test func postgresWindowsMergeTheirPanes() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let written = Self.generatePostgres()
        let log = dir.appendingPathComponent("postgresql.log")
        try written.text.write(to: log, atomically: true, encoding: .utf8)
        let r = try Harness.run(["watch", "--window", "2m", "--every", "1m", "--output", "json", "--tz", "UTC"], stdinFile: log)
        #expect(r.status == 0, "\(r.stderr)")
        let windows = try Self.windowLines(r.stdout)
        // Windows end at 10:01 … 10:04 (the first holds minute 0 only).
        #expect(windows.count == 4, "\(r.text)")
        for (k, window) in windows.enumerated() {
            let minutes = k == 0 ? [0] : [k - 1, k]
            #expect(window["end"] as? String == "2026-11-24T10:0\(k + 1):00Z")
            #expect(window["events"] as? Int == minutes.reduce(0) { $0 + written.events[$1]! })
            #expect(window["errors"] as? Int == minutes.reduce(0) { $0 + written.errors[$1]! })
            // 100·(m+1) durations a minute (none in minute 2): sums stay multiples of 100.
            try Self.checkDurations(window, minutes.flatMap { written.durations[$0] ?? [] }, field: "duration_ms")
            var calls: [String: Int] = [:]
            for m in minutes { for (t, n) in written.calls[m] ?? [:] { calls[t, default: 0] += n } }
            let items = try #require(window["top_queries"] as? [[String: Any]])
            #expect(items.count == calls.count)
            for item in items {
                let query = (item["query"] as? String ?? "").lowercased()
                let t = try #require(Self.tables.first { query.contains($0) }, "\(query)")
                #expect(item["calls"] as? Int == calls[t], "\(t) window \(k)")
            }
            var kinds: [String: Int] = [:]
            for m in minutes { for (w, n) in written.errorKinds[m] ?? [:] { kinds[w, default: 0] += n } }
            let errors = try #require(window["top_errors"] as? [[String: Any]])
            #expect(errors.count == kinds.count)
            for item in errors {
                let template = item["template"] as? String ?? ""
                let kind = try #require(Self.errorKinds.first { template.hasPrefix($0.word) }, "\(template)")
                #expect(item["count"] as? Int == kinds[kind.word])
            }
        }
    }

    // MARK: - Application

    struct ApplicationWritten {
        var text = ""
        var durations: [Int: [Double]] = [:]
        var events: [Int: Int] = [:]
        var errors: [Int: Int] = [:]
        /// Per minute: error events (level error or fatal) by template, as written.
        var templates: [Int: [String: Int]] = [:]
    }

    /// Three minutes of JSON lines from 2026-11-24T10:00:00Z: minute m has 100·(m+1) events
    /// with `took_ms`, plus 30 without it; every 6th is an error, every 25th fatal, every 9th a
    /// warning (not an error); error messages of three templates with varying numbers.
    static func generateApplication() -> ApplicationWritten {
        var w = ApplicationWritten()
        var gen = Durations(state: 7)
        for minute in 0..<3 {
            let timed = 100 * (minute + 1)
            let n = timed + 30
            for i in 0..<n {
                let second = i * 60 / n
                let time = String(format: "2026-11-24T10:%02d:%02d.%03dZ", minute, second, i % 1000)
                var level = "info"
                if i % 9 == 4 { level = "warn" }
                if i % 6 == 1 { level = "error" }
                if i % 25 == 7 { level = "fatal" }
                var message = "request \(i) served"
                if level == "error" || level == "fatal" {
                    let (text, template): (String, String)
                    switch (i / 6 + minute) % 3 {
                    case 0: (text, template) = ("payment \(4000 + i) failed for order \(i * 7)", "payment <*> failed for order <*>")
                    case 1: (text, template) = ("connection to 10.0.\(i % 9).5:5432 refused", "connection to <*> refused")
                    default: (text, template) = ("cache miss storm: \(i) keys expired", "cache miss storm: <*> keys expired")
                    }
                    message = text
                    w.errors[minute, default: 0] += 1
                    w.templates[minute, default: [:]][template, default: 0] += 1
                }
                var fields = "\"time\": \"\(time)\", \"level\": \"\(level)\", \"msg\": \"\(message)\""
                if i < timed {
                    let ms = gen.next()
                    fields += ", \"took_ms\": \(String(format: "%.3f", ms))"
                    w.durations[minute, default: []].append(ms)
                }
                w.text += "{\(fields)}\n"
                w.events[minute, default: 0] += 1
            }
        }
        return w
    }

    @Test func applicationWindowsHaveDurationsAndErrorTemplates() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let written = Self.generateApplication()
        let log = dir.appendingPathComponent("app.jsonl")
        try written.text.write(to: log, atomically: true, encoding: .utf8)
        let r = try Harness.run(["watch", "--window", "1m", "--output", "json", "--tz", "UTC"], stdinFile: log)
        #expect(r.status == 0, "\(r.stderr)")
        let windows = try Self.windowLines(r.stdout)
        #expect(windows.count == 3, "\(r.text)")
        for (minute, window) in windows.enumerated() {
            #expect(window["start"] as? String == "2026-11-24T10:0\(minute):00Z")
            #expect(window["source"] as? String == "application")
            #expect(window["events"] as? Int == written.events[minute], "minute \(minute)")
            #expect(window["errors"] as? Int == written.errors[minute], "minute \(minute)")
            #expect(window["top_queries"] == nil)
            try Self.checkDurations(window, written.durations[minute] ?? [], field: "took_ms")
            let templates = written.templates[minute] ?? [:]
            let errors = try #require(window["top_errors"] as? [[String: Any]])
            #expect(errors.count == templates.count, "minute \(minute): \(errors)")
            var previous = Int.max
            for item in errors {
                let template = try #require(item["template"] as? String)
                let count = try #require(item["count"] as? Int)
                #expect(count == templates[template], "\(template) minute \(minute)")
                #expect(count <= previous)
                previous = count
            }
        }
    }

    /// An application log without a duration key: `duration_ms` is null, errors still listed.
    @Test func applicationWithoutDurationKeyHasNullDurations() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var text = ""
        for i in 0..<120 {
            let level = i % 4 == 0 ? "error" : "info"
            text += "{\"time\": \"2026-11-24T10:00:\(String(format: "%02d", i / 2))Z\", \"level\": \"\(level)\", \"msg\": \"job \(i) done\", \"size\": \(i)}\n"
        }
        let log = dir.appendingPathComponent("app.jsonl")
        try text.write(to: log, atomically: true, encoding: .utf8)
        let r = try Harness.run(["watch", "--window", "1m", "--output", "json", "--tz", "UTC"], stdinFile: log)
        #expect(r.status == 0, "\(r.stderr)")
        let window = try #require(try Self.windowLines(r.stdout).first)
        #expect(window["duration_ms"] is NSNull)
        #expect(window["errors"] as? Int == 30)
        let errors = try #require(window["top_errors"] as? [[String: Any]])
        #expect(errors.count == 1)
        #expect(errors.first?["template"] as? String == "job <*> done")
        #expect(errors.first?["count"] as? Int == 30)
    }

    /// The live view of a PostgreSQL input lists the window's statements and error templates,
    /// with what came from the log escaped: no escape sequence of a message or a quoted
    /// identifier reaches the terminal.
    @Test func postgresLiveViewListsStatementsAndErrorsEscaped() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = """
        2026-11-24 10:00:01.000 UTC [7001] app@shop LOG:  statement: UPDATE hotel SET n = 1 WHERE id = 3
        2026-11-24 10:00:01.000 UTC [7001] app@shop LOG:  duration: 3.500 ms
        2026-11-24 10:00:02.000 UTC [5001] app@shop LOG:  duration: 12.250 ms  statement: SELECT a FROM alpha WHERE id = 4
        2026-11-24 10:00:03.000 UTC [5002] app@shop LOG:  duration: 2.000 ms  statement: SELECT a FROM alpha WHERE id = 5
        2026-11-24 10:00:04.000 UTC [6001] app@shop ERROR:  bad \u{1b}]0;owned\u{07} thing \u{1b}[2J 42
        2026-11-24 10:00:05.000 UTC [5003] app@shop LOG:  duration: 1.000 ms  statement: SELECT * FROM "t\u{1b}]0;x\u{07}"
        2026-11-24 10:00:06.000 UTC [6002] app@shop FATAL:  password authentication failed for user "bob"

        """
        let log = dir.appendingPathComponent("postgresql.log")
        try text.write(to: log, atomically: true, encoding: .utf8)
        let r = try Harness.run(["watch", "--output", "view", "--window", "1m", "--tz", "UTC"], stdinFile: log)
        #expect(r.status == 0, "\(r.stderr)")
        let view = r.text
        // 7 entries (the bare duration is one), 2 errors (2/7 = 28.57%); alpha 2 calls 14.25 ms, hotel 1 call (statement and its bare duration) 3.5 ms.
        #expect(view.contains("events 7 (0.1/s) · errors 2 (28.57%)"), "\(view)")
        #expect(view.contains("top statements by calls:\n  2       14.25 ms    select a from alpha where id = ?\n  1       "), "\(view)")
        #expect(view.contains("3.50 ms     update hotel set n = ? where id = ?"), "\(view)")
        #expect(view.contains("top errors:"), "\(view)")
        #expect(view.contains("password authentication failed for user \"...\""), "\(view)")
        #expect(!view.contains("\u{1b}]0;"))
        #expect(!view.contains("\u{07}"))
        #expect(view.contains("\\x1b]0;"), "\(view)")
        #expect(view.components(separatedBy: "\u{1b}[2J").count == view.components(separatedBy: "\u{1b}[H").count)
    }

    /// The access window line keeps exactly its documented members (docs/watch.md).
    @Test func accessWindowLineIsUnchanged() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("access.log")
        try WatchCommandTests.generate().text.write(to: input, atomically: true, encoding: .utf8)
        let r = try Harness.run(["watch", "--window", "1m", "--output", "json", "--tz", "UTC"], stdinFile: input)
        #expect(r.status == 0, "\(r.stderr)")
        let windows = try Self.windowLines(r.stdout)
        #expect(windows.count == 10)
        for window in windows {
            #expect(Set(window.keys) == ["start", "end", "requests", "status_5xx", "share_5xx", "request_time",
                                         "top_paths", "unmatched", "late"])
        }
    }
}
