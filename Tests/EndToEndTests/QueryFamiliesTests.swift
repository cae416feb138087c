import Foundation
import Testing

/// `logsift query` on PostgreSQL and application logs, and on several families at once, against
/// truth computed independently: the generators' truth files under samples/truth, Python over
/// the raw lines, and Python over JSON-lines / logfmt logs it writes itself.
@Suite struct QueryFamiliesTests {
    static func sample(_ name: String) -> String { Harness.packageRoot.appendingPathComponent("samples/\(name)").path }

    static func truth(_ name: String) throws -> [String: Any] {
        let url = Harness.packageRoot.appendingPathComponent("samples/truth/\(name).json")
        return try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    static func jsonLines(_ result: Harness.Result) throws -> [[String: Any]] {
        try result.text.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    /// Runs a Python program (arguments: `files`) and reads the JSON it prints.
    static func python(_ program: String, _ files: [String]) throws -> Any {
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("logsift-truth-\(UUID().uuidString).py")
        try program.write(to: script, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: script) }
        let out = try Harness.shell("python3 '\(script.path)' " + files.map { "'\($0)'" }.joined(separator: " "))
        return try JSONSerialization.jsonObject(with: Data(out.utf8))
    }

    /// The generator's own truth: per statement fingerprint, its calls, total and max duration.
    @Test func postgresTopStatementsMatchTheGeneratorsTruth() throws {
        let result = try Harness.run(["query", "--format", "json", "count, sum(duration_ms), max(duration_ms) by query"] + [Self.sample("postgresql.log")])
        #expect(result.status == 0, "\(result.stderr)")
        let fingerprints = try #require(try Self.truth("postgresql.log")["fingerprints"] as? [String: [String: Int]])
        var rows: [String: [String: Any]] = [:]
        for row in try Self.jsonLines(result) {
            if let q = row["query"] as? String { rows[q] = row }
        }
        #expect(!fingerprints.isEmpty)
        for (query, t) in fingerprints {
            let row = try #require(rows[query], "\(query)")
            #expect(row["count"] as? Int == t["calls"], "\(query)")
            let sum = try #require(row["sum(duration_ms)"] as? Double)
            #expect(abs(sum - Double(t["total_us"]!) / 1000) < 0.01, "\(query): \(sum)")
            let max = try #require(row["max(duration_ms)"] as? Double)
            #expect(abs(max - Double(t["max_us"]!) / 1000) < 0.0005, "\(query): \(max)")
        }
    }

    /// Statements over a second: count and total, Python reading `duration: N ms` off the lines.
    @Test func postgresSlowStatementsMatchPython() throws {
        let file = Self.sample("postgresql.log")
        let result = try Harness.run(["query", "--format", "json", "duration_ms > 1s | count, sum(duration_ms)", file])
        #expect(result.status == 0, "\(result.stderr)")
        let row = try #require(try Self.jsonLines(result).first)
        let truth = try #require(try Self.python("""
        import json, re, sys
        rx = re.compile(r'^\\d{4}-\\d\\d-\\d\\d \\S+ \\S+ \\[\\d+\\] \\S+ [A-Z]+:  duration: ([0-9.]+) ms')
        v = [float(m.group(1)) for m in (rx.match(l) for l in open(sys.argv[1])) if m and float(m.group(1)) > 1000]
        print(json.dumps([len(v), sum(v)]))
        """, [file]) as? [Double])
        #expect(truth[0] > 0)
        #expect(row["count"] as? Double == truth[0])
        #expect(abs((row["sum(duration_ms)"] as? Double ?? -1) - truth[1]) < 0.01)
    }

    /// `severity >= error` prints whole entries (DETAIL/HINT/CONTEXT/STATEMENT lines of the same
    /// pid and tab-led continuation lines), as Python groups them.
    @Test func postgresErrorsPrintWholeEntries() throws {
        let file = Self.sample("postgresql.log")
        let result = try Harness.run(["query", "severity >= error", file])
        #expect(result.status == 0, "\(result.stderr)")
        let truth = try #require(try Self.python("""
        import json, re, sys
        rx = re.compile(r'^\\d{4}-\\d\\d-\\d\\d \\S+ \\S+ \\[(\\d+)\\] \\S+ ([A-Z]+):  ')
        entries = []
        for line in open(sys.argv[1]):
            line = line.rstrip('\\n')
            m = rx.match(line)
            if m and m.group(2) in ('DETAIL', 'HINT', 'CONTEXT', 'STATEMENT', 'QUERY') and entries and entries[-1][0] == m.group(1):
                entries[-1][2].append(line)
            elif m:
                entries.append([m.group(1), m.group(2), [line]])
            elif line.startswith('\\t') and entries:
                entries[-1][2].append(line)
        print(json.dumps(['\\n'.join(e[2]) for e in entries if e[1] in ('ERROR', 'FATAL', 'PANIC')]))
        """, [file]) as? [String])
        let errors = try #require(try Self.truth("postgresql.log")["errors"] as? Int)
        #expect(truth.count == errors)
        #expect(result.text == truth.map { $0 + "\n" }.joined())
    }

    /// csvlog (quoted fields, a record per line) and jsonlog from the pgBadger fixtures, read by
    /// Python's csv and json modules.
    @Test func postgresCsvlogAndJsonlogFields() throws {
        guard let corpora = Harness.corpora() else { return }
        let fixtures = corpora.appendingPathComponent("pgbadger/t/fixtures")
        let csv = fixtures.appendingPathComponent("csv_statement_without_duration.log").path
        let csvResult = try Harness.run(["query", "--format", "json", "count, sum(duration_ms) by database, application, user", csv])
        #expect(csvResult.status == 0, "\(csvResult.stderr)")
        let csvTruth = try #require(try Self.python("""
        import csv, json, re, sys
        c = {}
        for r in csv.reader(open(sys.argv[1], newline='')):
            m = re.match(r'duration: ([0-9.]+) ms', r[13])
            k = '|'.join([r[2], r[22], r[1]])
            n, s = c.get(k, (0, 0.0))
            c[k] = (n + 1, s + (float(m.group(1)) if m else 0.0))
        print(json.dumps(c))
        """, [csv]) as? [String: [Double]])
        let csvRows = try Self.jsonLines(csvResult)
        #expect(csvRows.count == csvTruth.count)
        for row in csvRows {
            let key = ["database", "application", "user"].map { row[$0] as? String ?? "-" }.joined(separator: "|")
            let t = try #require(csvTruth[key], "\(key)")
            #expect(row["count"] as? Double == t[0])
            #expect(abs((row["sum(duration_ms)"] as? Double ?? 0) - t[1]) < 0.001)
        }

        let json = fixtures.appendingPathComponent("pg_vacuums.json.gz").path
        let jsonResult = try Harness.run(["query", "--format", "json", #"message contains "automatic vacuum" | count by severity_name, pid | limit 100000"#, json])
        #expect(jsonResult.status == 0, "\(jsonResult.stderr)")
        let jsonTruth = try #require(try Self.python("""
        import gzip, json, sys
        c = {}
        for line in gzip.open(sys.argv[1], 'rt'):
            r = json.loads(line)
            if 'automatic vacuum' in r.get('message', ''):
                k = r['error_severity'] + '|' + str(r['pid']); c[k] = c.get(k, 0) + 1
        print(json.dumps(c))
        """, [json]) as? [String: Int])
        #expect(!jsonTruth.isEmpty)
        var got: [String: Int] = [:]
        for row in try Self.jsonLines(jsonResult) {
            got["\(row["severity_name"] as? String ?? "-")|\(row["pid"] as? String ?? "-")"] = row["count"] as? Int
        }
        #expect(got == jsonTruth)
    }

    /// The application sample's levels, from the generator's truth.
    @Test func applicationLevelsMatchTheGeneratorsTruth() throws {
        let result = try Harness.run(["query", "--format", "json", "level >= warn | count by level", Self.sample("app.log")])
        #expect(result.status == 0, "\(result.stderr)")
        let levels = try #require(try Self.truth("app.log")["levels"] as? [String: Int])
        var got: [String: Int] = [:]
        for row in try Self.jsonLines(result) { got[row["level"] as? String ?? "?"] = row["count"] as? Int }
        #expect(got == levels.filter { ["warn", "error", "fatal"].contains($0.key) })
    }

    /// Writes a JSON-lines and a logfmt log of known content (Python, fixed seed) and returns
    /// their paths.
    static func writeKeyedLogs(_ dir: URL) throws -> (json: String, logfmt: String) {
        let json = dir.appendingPathComponent("app.jsonl").path
        let logfmt = dir.appendingPathComponent("app.logfmt").path
        _ = try python("""
        import json, random, sys
        r = random.Random(7)
        with open(sys.argv[1], 'w') as j, open(sys.argv[2], 'w') as f:
            for i in range(3000):
                t = '2026-11-24T10:%02d:%02dZ' % (i // 60 % 60, i % 60)
                level = r.choice(['info'] * 6 + ['warn', 'error', 'error', 'fatal'])
                service = r.choice(['orders', 'billing', 'auth'])
                status = r.choice([200, 200, 201, 404, 500, 503])
                ms = round(r.uniform(1, 3000), 3)
                rt = round(r.uniform(0, 10), 3)
                user = 'u%d' % r.randrange(50)
                d = {'time': t, 'level': level, 'service': service, 'msg': 'request %d done' % i,
                     'status': status, 'duration_ms': ms, 'response_time': rt, 'user_id': user}
                if i % 10 == 0: del d['user_id']
                j.write(json.dumps(d) + '\\n')
                f.write('time=%s level=%s service=%s msg="request %d done" status=%d took_ms=%s response_time=%s\\n'
                        % (t, level, service, i, status, ms, rt))
        print('[]')
        """, [json, logfmt])
        return (json, logfmt)
    }

    /// Truth over the keyed logs: Python reads them back with json.loads / a logfmt split.
    static func keyedTruth(_ json: String, _ body: String) throws -> Any {
        try python("""
        import json, sys
        rows = [json.loads(l) for l in open(sys.argv[1])]
        \(body)
        """, [json])
    }

    @Test func jsonKeysAreFieldsWithUnitsByName() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (json, logfmt) = try Self.writeKeyedLogs(dir)

        let errors = try Harness.run(["query", "--format", "json", "level >= error | count by service", json])
        #expect(errors.status == 0, "\(errors.stderr)")
        let errorTruth = try #require(try Self.keyedTruth(json, """
        c = {}
        for r in rows:
            if r['level'] in ('error', 'fatal'): c[r['service']] = c.get(r['service'], 0) + 1
        print(json.dumps(c))
        """) as? [String: Int])
        var got: [String: Int] = [:]
        for row in try Self.jsonLines(errors) { got[row["service"] as? String ?? "-"] = row["count"] as? Int }
        #expect(got == errorTruth)

        // `2s` is 2000 for duration_ms (milliseconds by name), 2 for response_time (seconds).
        let keyed = try Harness.run(["query", "--format", "json",
                                     "status >= 500 and duration_ms > 2s and response_time < 5s | count, sum(duration_ms), max(response_time), distinct(user_id) by status", json])
        #expect(keyed.status == 0, "\(keyed.stderr)")
        let keyedTruth = try #require(try Self.keyedTruth(json, """
        c = {}
        for r in rows:
            if r['status'] >= 500 and r['duration_ms'] > 2000 and r['response_time'] < 5:
                e = c.setdefault(str(r['status']), [0, 0.0, 0.0, set()])
                e[0] += 1; e[1] += r['duration_ms']; e[2] = max(e[2], r['response_time'])
                if 'user_id' in r: e[3].add(r['user_id'])
        print(json.dumps({k: [v[0], v[1], v[2], len(v[3])] for k, v in c.items()}))
        """) as? [String: [Double]])
        let rows = try Self.jsonLines(keyed)
        #expect(rows.count == keyedTruth.count)
        for row in rows {
            let status = "\(row["status"] ?? "-")"
            let t = try #require(keyedTruth[status], "\(status)")
            #expect(row["count"] as? Double == t[0])
            #expect(abs((row["sum(duration_ms)"] as? Double ?? 0) - t[1]) < 0.01)
            #expect(row["max(response_time)"] as? Double == t[2])
            #expect(row["distinct(user_id)"] as? Double == t[3])
        }

        // logfmt: the same content, `took_ms` for the duration.
        let fmt = try Harness.run(["query", "--format", "json", "took_ms > 2500ms | count, sum(took_ms) by service", logfmt])
        #expect(fmt.status == 0, "\(fmt.stderr)")
        let fmtTruth = try #require(try Self.keyedTruth(json, """
        c = {}
        for r in rows:
            if r['duration_ms'] > 2500:
                e = c.setdefault(r['service'], [0, 0.0]); e[0] += 1; e[1] += r['duration_ms']
        print(json.dumps(c))
        """) as? [String: [Double]])
        let fmtRows = try Self.jsonLines(fmt)
        #expect(fmtRows.count == fmtTruth.count)
        for row in fmtRows {
            let t = try #require(fmtTruth[row["service"] as? String ?? "-"])
            #expect(row["count"] as? Double == t[0])
            #expect(abs((row["sum(took_ms)"] as? Double ?? 0) - t[1]) < 0.01)
        }
    }

    /// `status >= 500` over access logs and a JSON app log together; the PostgreSQL log, which
    /// has no status, is named in a note.
    @Test func serverErrorsOverAccessAndApplicationLogs() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (json, _) = try Self.writeKeyedLogs(dir)
        let access = Self.sample("access.log")
        let result = try Harness.run(["query", "--format", "json", "status >= 500 | count", access, json, Self.sample("postgresql.log")])
        #expect(result.status == 0, "\(result.stderr)")
        let truth = try #require(try Self.python("""
        import json, re, sys
        n = sum(1 for l in open(sys.argv[1]) if re.match(r'^\\S+ \\S+ \\S+ \\[[^\\]]+\\] "[^"]*" 5\\d\\d ', l))
        n += sum(1 for l in open(sys.argv[2]) if json.loads(l)['status'] >= 500)
        print(json.dumps([n]))
        """, [access, json]) as? [Int])
        #expect(try Self.jsonLines(result).first?["count"] as? Int == truth.first)
        #expect(result.stderr.contains("postgresql.log has no field status"), "\(result.stderr)")
    }

    /// log_statement + log_duration: a bare `duration: N ms` takes the fingerprint of the same
    /// pid's statement before it (pids interleaved; hand-counted).
    @Test func bareDurationsPairWithTheirPidsStatement() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("postgresql.log")
        try """
        2026-11-24 10:00:00.000 UTC [101] LOG:  statement: SELECT * FROM a WHERE id = 1
        2026-11-24 10:00:00.100 UTC [202] LOG:  statement: UPDATE b SET x = 2 WHERE id = 3
        2026-11-24 10:00:01.500 UTC [101] LOG:  duration: 1500.000 ms
        2026-11-24 10:00:02.000 UTC [202] LOG:  duration: 1900.500 ms
        2026-11-24 10:00:03.000 UTC [101] LOG:  statement: SELECT * FROM a WHERE id = 7
        2026-11-24 10:00:03.200 UTC [101] LOG:  duration: 200.000 ms
        2026-11-24 10:00:04.000 UTC [303] LOG:  duration: 3000.000 ms
        2026-11-24 10:00:05.000 UTC [101] LOG:  duration: 10.000 ms

        """.write(to: log, atomically: true, encoding: .utf8)
        let result = try Harness.run(["query", "--format", "json", "duration_ms > 0 | count, sum(duration_ms) by query", log.path])
        #expect(result.status == 0, "\(result.stderr)")
        var got: [String: [Double]] = [:]
        for row in try Self.jsonLines(result) {
            got[row["query"] as? String ?? "-"] = [row["count"] as? Double ?? -1, row["sum(duration_ms)"] as? Double ?? -1]
        }
        // pid 303 logged no statement; pid 101's second duration has none left to pair with.
        #expect(got == ["select * from a where id = ?": [2, 1700], "update b set x = ? where id = ?": [1, 1900.5], "-": [2, 3010]])
    }

    /// A csvlog record whose quoted statement spans two lines is one event, printed whole; its
    /// columns are fields (hand-written record, values read off it).
    @Test func csvlogRecordOverTwoLinesIsOneEvent() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("postgresql.csv")
        let error = """
        2026-05-16 05:11:50.269 UTC,"u1","db1",1001,"192.0.2.10:54321",6000.1,1,"SELECT",2026-05-16 05:00:00 UTC,1/1,0,ERROR,42P01,"relation ""x"" does not exist",,,,,,"SELECT *
        FROM x",,,"psql","client backend",,0
        """
        let slow = """
        2026-05-16 05:11:51.269 UTC,"u2","db1",1002,"192.0.2.11:54321",6000.2,1,"SELECT",2026-05-16 05:00:00 UTC,1/1,0,LOG,00000,"duration: 1200.5 ms  statement: SELECT 1",,,,,,,,,"app2","client backend",,0
        """
        try (error + "\n" + slow + "\n").write(to: log, atomically: true, encoding: .utf8)
        let printed = try Harness.run(["query", "severity >= error", log.path])
        #expect(printed.status == 0, "\(printed.stderr)")
        #expect(printed.text == error + "\n")
        let rows = try Self.jsonLines(try Harness.run(["query", "--format", "json", "count by user, client, application, sqlstate, statement, query", log.path]))
        #expect(rows.count == 2)
        let first = try #require(rows.first { $0["user"] as? String == "u1" })
        #expect(first["client"] as? String == "192.0.2.10:54321")
        #expect(first["application"] as? String == "psql")
        #expect(first["sqlstate"] as? String == "42P01")
        #expect(first["statement"] as? String == "SELECT *\nFROM x")
        let second = try #require(rows.first { $0["user"] as? String == "u2" })
        #expect(second["application"] as? String == "app2")
        #expect(second["statement"] as? String == "SELECT 1")
        #expect(second["query"] as? String == "select ?")
    }

    /// Syslog-wrapped PostgreSQL (pgBadger's pg-syslog.2.gz): durations and sums per user and
    /// application from the prefix `db=%d,user=%u,app=%a,client=%h`, as Python reads the `[N-1]`
    /// lines.
    @Test func syslogWrappedPostgresDurationsByPrefixFields() throws {
        guard let corpora = Harness.corpora() else { return }
        let file = corpora.appendingPathComponent("pgbadger/t/fixtures/pg-syslog.2.gz").path
        let result = try Harness.run(["query", "--format", "json", "duration_ms > 0 | count, sum(duration_ms) by user, application", file])
        #expect(result.status == 0, "\(result.stderr)")
        let truth = try #require(try Self.python("""
        import gzip, json, re, sys
        rx = re.compile(r'\\[\\d+-1\\] db=([^,]*),user=([^,]*),app=([^,]*),client=\\S* LOG:  duration: ([0-9.]+) ms')
        c = {}
        for line in gzip.open(sys.argv[1], 'rt'):
            m = rx.search(line)
            if m and float(m.group(4)) > 0:
                k = (m.group(2) or '-') + '|' + (m.group(3) or '-')
                n, s = c.get(k, (0, 0.0)); c[k] = (n + 1, s + float(m.group(4)))
        print(json.dumps(c))
        """, [file]) as? [String: [Double]])
        let rows = try Self.jsonLines(result)
        #expect(!truth.isEmpty)
        #expect(rows.count == truth.count)
        for row in rows {
            let key = "\(row["user"] as? String ?? "-")|\(row["application"] as? String ?? "-")"
            let t = try #require(truth[key], "\(key)")
            #expect(row["count"] as? Double == t[0], "\(key)")
            #expect(abs((row["sum(duration_ms)"] as? Double ?? 0) - t[1]) < 0.01, "\(key)")
        }
    }

    @Test func fieldNoInputHasIsAnErrorAtItsColumn() throws {
        let result = try Harness.run(["query", "duration_ms > 5 | count by databse", Self.sample("postgresql.log"), Self.sample("app.log")])
        #expect(result.status != 0)
        #expect(result.stderr.contains("query:1:28: unknown field 'databse' (did you mean 'database'?)"), "\(result.stderr)")
    }
}
