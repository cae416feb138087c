import Foundation
import Testing

/// PostgreSQL through syslog: a syslog stream is read program by program, so lines of other
/// programs (systemd, sshd, cron) cost no query, and the PostgreSQL options apply after the
/// syslog header.
@Suite struct SyslogStreamTests {
    static func fixture(_ corpora: URL, _ name: String) -> String {
        corpora.appendingPathComponent("pgbadger/t/fixtures/" + name).path
    }

    static func decompress(_ path: String) -> String { path.hasSuffix(".bz2") ? "bzcat" : "zcat" }

    /// What grep counts in the fixture: `duration:` headers of the server, and lines of other programs.
    static func truth(_ path: String) throws -> (queries: Int, others: Int) {
        let cat = "\(decompress(path)) '\(path)'"
        let queries = try Harness.shell("\(cat) | grep -c ' postgres\\[[0-9]*\\]: \\[[0-9]*-1\\] .* LOG:  duration: '")
        let others = try Harness.shell("\(cat) | grep -vc ' postgres\\[[0-9]*\\]: '")
        return (Int(queries.trimmingCharacters(in: .whitespacesAndNewlines))!, Int(others.trimmingCharacters(in: .whitespacesAndNewlines))!)
    }

    static func counts(_ result: Harness.Result) throws -> (queries: Int?, appEvents: Int?, unmatched: Int?) {
        let json = try result.json()
        let totals = (json["postgres"] as? [String: Any])?["totals"] as? [String: Any]
        let app = json["application"] as? [String: Any]
        let input = (json["inputs"] as? [[String: Any]])?.first
        return (totals?["queries"] as? Int, app?["events"] as? Int, input?["unmatched"] as? Int)
    }

    /// pgBadger's pg-syslog fixtures hold three systemd lines among the first 200: every query
    /// is still read (59,871 by grep), and the systemd lines are application events.
    @Test(arguments: ["pg-syslog.2.gz", "pg-syslog.1.bz2"])
    func foreignLinesCostNoQuery(_ name: String) throws {
        guard let corpora = Harness.corpora() else { return }
        let path = Self.fixture(corpora, name)
        let truth = try Self.truth(path)
        #expect(truth.queries == 59_871 && truth.others == 3)
        let out = try Harness.shell("\(Self.decompress(path)) '\(path)' | '\(Harness.binary.path)' report --format json --tz UTC -")
        let result = Harness.Result(status: 0, stdout: Data(out.utf8), stderr: "")
        let (queries, appEvents, unmatched) = try Self.counts(result)
        #expect(queries == truth.queries)
        #expect(appEvents == truth.others)
        #expect(unmatched == 0)
    }

    /// `--pg-prefix` applies after the syslog header; `--log-format postgres-syslog` (the name
    /// `detect` prints, with or without its prefix) is accepted.
    @Test func prefixAndFormatOptionsOnSyslog() throws {
        guard let corpora = Harness.corpora() else { return }
        let path = Self.fixture(corpora, "pg-syslog.2.gz")
        let truth = try Self.truth(path)
        for options in [["--pg-prefix", "db=%d,user=%u,app=%a,client=%h "],
                        ["--log-format", "postgres-syslog"],
                        ["--log-format", "postgres-syslog 'db=%d,user=%u,app=%a,client=%h '"]] {
            let result = try Harness.run(["report", "--format", "json", "--tz", "UTC"] + options + [path])
            #expect(result.status == 0, "\(options): \(result.stderr)")
            let (queries, appEvents, unmatched) = try Self.counts(result)
            #expect(queries == truth.queries, "\(options)")
            #expect(appEvents == truth.others, "\(options)")
            #expect(unmatched == 0, "\(options)")
        }
    }

    /// A system syslog whose first 250 lines are sshd and cron: detected as plain syslog, yet
    /// the server's lines further on are read as PostgreSQL, multi-part statements joined.
    @Test func serverLinesAfterTheSample() throws {
        var lines: [String] = []
        for i in 0..<250 {
            lines.append(i % 2 == 0
                ? "Nov 24 10:\(String(format: "%02d", i / 60)):\(String(format: "%02d", i % 60)) web1 sshd[\(900 + i)]: Accepted publickey for deploy from 10.0.0.\(i % 9) port 5\(i) ssh2"
                : "Nov 24 10:\(String(format: "%02d", i / 60)):\(String(format: "%02d", i % 60)) web1 CRON[\(900 + i)]: (root) CMD (run-parts /etc/cron.hourly)")
        }
        for i in 0..<20 {
            lines.append("Nov 24 11:00:\(String(format: "%02d", i)) web1 postgres[\(4000 + i)]: [\(i + 1)-1] user=app,db=shop LOG:  duration: \(i + 1).000 ms  statement: SELECT *")
            lines.append("Nov 24 11:00:\(String(format: "%02d", i)) web1 postgres[\(4000 + i)]: [\(i + 1)-2] #011FROM orders WHERE id = \(i)")
            lines.append("Nov 24 11:00:\(String(format: "%02d", i)) web1 systemd[1]: Started session \(i).")
        }
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("syslog")
        try (lines.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        let result = try Harness.run(["report", "--format", "json", "--tz", "UTC", file.path])
        #expect(result.status == 0, "\(result.stderr)")
        let (queries, appEvents, unmatched) = try Self.counts(result)
        #expect(queries == 20)
        #expect(appEvents == 250 + 20)
        #expect(unmatched == 0)
        let postgres = try #require(try result.json()["postgres"] as? [String: Any])
        let top = ((postgres["top_queries"] as? [String: Any])?["items"] as? [[String: Any]])?.first
        #expect(top?["fingerprint"] as? String == "select * from orders where id = ?")
        #expect(top?["calls"] as? Int == 20)
        // Total time 1 + 2 + … + 20 ms.
        #expect(top?["total_ms"] as? Double == 210)
    }

    /// A busy server: the first 200 lines share one second. Its time must not become literal
    /// text of the prefix, or every later line is lost.
    @Test func busySecondInTheSample() throws {
        var lines: [String] = []
        for i in 0..<300 {
            let time = i < 250 ? "Feb 11 13:15:42" : "Feb 11 13:16:\(String(format: "%02d", i - 250))"
            lines.append("\(time) db1 postgres[\(5000 + i)]: [\(i + 1)-1] user=app,db=shop LOG:  duration: 1.000 ms  statement: SELECT \(i)")
        }
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("postgresql.log")
        try (lines.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        let result = try Harness.run(["report", "--format", "json", "--tz", "UTC", file.path])
        let (queries, _, unmatched) = try Self.counts(result)
        #expect(queries == 300)
        #expect(unmatched == 0)
        let buckets = try #require((try result.json()["postgres"] as? [String: Any])?["buckets"] as? [[String: Any]])
        #expect(buckets.count == 2)
    }

    /// Every name `detect` prints, chosen or runner-up, for the samples and PostgreSQL fixtures,
    /// is accepted by `--log-format`, and the input is then read in that format.
    @Test func everyNameDetectPrintsIsAccepted() throws {
        var files = ["access.log", "access.log.2.gz", "app.log", "postgresql.log"].map {
            Harness.packageRoot.appendingPathComponent("samples/" + $0).path
        }
        if let corpora = Harness.corpora() {
            for name in ["pg-syslog.2.gz", "queryid.log.gz", "logplex.gz", "cnpg.log.gz", "cloudsql.log.gz", "pg_vacuums.json.gz",
                         "anonymize.log", "begin_end.log", "multiline_param.log", "pg_vacuums.log.gz", "tempfile_only.log.gz"] {
                files.append(Self.fixture(corpora, name))
            }
            files.append(corpora.appendingPathComponent("lnav/test/logfile_postgres.0").path)
            files.append(corpora.appendingPathComponent("lnav/test/logfile_syslog.0").path)
        }
        let detected = try Harness.run(["detect", "--format", "json"] + files)
        let items = try #require(try JSONSerialization.jsonObject(with: detected.stdout) as? [[String: Any]])
        var pairs: [(name: String, file: String)] = []
        for item in items {
            let file = item["input"] as? String ?? ""
            if let name = item["format"] as? String { pairs.append((name, file)) }
            if let name = (item["runner_up"] as? [String: Any])?["format"] as? String { pairs.append((name, file)) }
        }
        #expect(pairs.contains { $0.name.hasPrefix("postgres-syslog '") })
        #expect(pairs.contains { $0.name.hasPrefix("postgres-stderr '") })
        for (name, file) in pairs {
            let result = try Harness.run(["report", "--format", "json", "--log-format", name, file])
            #expect(result.status != 64, "\(name): \(result.stderr)")
            let input = (try? result.json()["inputs"] as? [[String: Any]])??.first
            #expect(input?["format"] as? String == name, "\(name) on \(file)")
        }
    }

    /// The error groups of one report: (template, count, statement), by template.
    static func errorGroups(_ result: Harness.Result) throws -> [String: (Int, String?)] {
        let postgres = try #require(try result.json()["postgres"] as? [String: Any])
        let templates = try #require((postgres["errors"] as? [String: Any])?["templates"] as? [[String: Any]])
        var groups: [String: (Int, String?)] = [:]
        for t in templates { groups[t["template"] as? String ?? "?"] = (t["count"] as? Int ?? -1, t["statement"] as? String) }
        return groups
    }

    /// PostgreSQL repeats the prefix on a message's DETAIL/STATEMENT lines, which syslog numbers
    /// `[N-2]`, `[N-3]` under the message's sequence number: they are its parts, as in stderr,
    /// not text glued to the message (which made one group per SQL text, statement null).
    @Test func statementPartsUnderOneSequenceNumber() throws {
        // (second, sequence number, severity, text) of each line, written both ways.
        let parts: [(Int, Int, String, String)] = [
            (45, 7, "ERROR", "relation \"x\" does not exist at character 15"), (45, 7, "STATEMENT", "select * from x"),
            (46, 8, "ERROR", "relation \"y\" does not exist at character 15"), (46, 8, "STATEMENT", "select id from y where z = 1"),
            (47, 9, "ERROR", "duplicate key value violates unique constraint \"pk\""), (47, 9, "DETAIL", "Key (id)=(1) already exists."),
            (47, 9, "STATEMENT", "insert into t values (1)"),
            (48, 10, "ERROR", "duplicate key value violates unique constraint \"pk\""), (48, 10, "DETAIL", "Key (id)=(2) already exists."),
            (48, 10, "STATEMENT", "insert into t values (2)"),
        ]
        var syslog: [String] = [], stderr: [String] = []
        var part = 0, last = 0
        for (second, n, severity, text) in parts {
            part = n == last ? part + 1 : 1
            last = n
            syslog.append("Feb 11 13:15:\(second) host postgres[102]: [\(n)-\(part)] db=app,user=u \(severity):  \(text)")
            stderr.append("2026-02-11 13:15:\(second) UTC [102] db=app,user=u \(severity):  \(text)")
        }
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var reports: [[String: (Int, String?)]] = []
        for (name, lines) in [("syslog.log", syslog), ("stderr.log", stderr)] {
            let file = dir.appendingPathComponent(name)
            try (lines.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
            let result = try Harness.run(["report", "--format", "json", "--tz", "UTC", file.path])
            #expect(result.status == 0, "\(name): \(result.stderr)")
            reports.append(try Self.errorGroups(result))
        }
        // Two templates of two errors each; the statement is the first one seen.
        let relation = "relation \"...\" does not exist at character <*>"
        let duplicate = "duplicate key value violates unique constraint \"...\""
        for (report, name) in zip(reports, ["syslog", "stderr"]) {
            #expect(report.keys.sorted() == [duplicate, relation].sorted(), "\(name): \(report.keys.sorted())")
            #expect(report[relation]?.0 == 2 && report[relation]?.1 == "select * from x", "\(name)")
            #expect(report[duplicate]?.0 == 2 && report[duplicate]?.1 == "insert into t values (1)", "\(name)")
        }
    }

    /// RFC 3164 times carry no year: a file running from 31 December to 1 January read in early
    /// December is last year's end, not this December (which is in the future). The expected
    /// years are worked out here from today's date (UTC), by the documented rule: the year that
    /// puts the time at most a day after now. (The old reader, which took the current year for
    /// every line, passes only when run on 30 or 31 December.)
    @Test func yearRollsOverBeforeNewYear() throws {
        let lines = ["Dec 31 23:59:58 host postgres[1]: [1-1] LOG:  duration: 1.000 ms  statement: select 1",
                     "Jan  1 00:00:02 host postgres[1]: [2-1] LOG:  duration: 1.000 ms  statement: select 1"]
        let now = Date()
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let year = calendar.component(.year, from: now)
        let lastSecond = try #require(calendar.date(from: DateComponents(year: year, month: 12, day: 31, hour: 23, minute: 59, second: 58)))
        let decemberYear = lastSecond <= now.addingTimeInterval(86_400) ? year : year - 1
        let expected = ["\(decemberYear)-12-31T23:59:58Z", "\(year)-01-01T00:00:02Z"]
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("newyear.log")
        try (lines.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        let result = try Harness.run(["report", "--format", "json", "--tz", "UTC", file.path])
        #expect(result.status == 0, "\(result.stderr)")
        let range = try #require(try result.json()["time_range"] as? [String: Any])
        #expect([range["first"] as? String, range["last"] as? String] == expected.map { $0 })
    }
}
