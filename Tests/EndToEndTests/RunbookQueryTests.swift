import Foundation
import Testing

/// One end-to-end test per runbook line of `../shared/USE-CASES.md` that a query answers: the
/// grep or SQL the on-call person types today, the query that replaces it, and the answer checked
/// against Python reading the same raw lines (its own regex, its own arithmetic). Runbook lines
/// already covered elsewhere are named here: `POST|PUT|DELETE` by method and status
/// (`QueryCommandTests.writeMethodsByMethodAndStatus`), "application down for > 1 minute" as
/// zero-count minutes (`QueryCommandTests.silentMinutesAreZeros`).
@Suite struct RunbookQueryTests {
    static var access: [String] { QueryCommandTests.samples }
    static func sample(_ name: String) -> String { QueryFamiliesTests.sample(name) }

    /// Lines printed for several inputs carry their file name first: the line without it.
    static func withoutFile(_ line: Substring) -> String { String(line.drop(while: { $0 != ":" }).dropFirst()) }

    /// `tail -f access.log | grep -E "(404|403|500)"`: the same question on the status field, so
    /// a 404 in a path or a byte count is not a match.
    @Test func forbiddenMissingAndServerErrorLines() throws {
        let result = try Harness.run(["query", "status in (403, 404, 500)"] + Self.access)
        #expect(result.status == 0, "\(result.stderr)")
        let truth = try #require(try QueryCommandTests.truth("""
        print(json.dumps([r['line'] for r in rows if r['status'] in (403, 404, 500)]))
        """) as? [String])
        #expect(truth.count > 10)
        #expect(result.text.split(separator: "\n").map(Self.withoutFile) == truth)
    }

    /// `grep " 40[0-9] " access.log | head -20`: the first twenty 40x lines, in time order.
    @Test func firstTwentyClientErrorLines() throws {
        let result = try Harness.run(["query", "status >= 400 and status <= 409 | limit 20"] + Self.access)
        #expect(result.status == 0, "\(result.stderr)")
        let truth = try #require(try QueryCommandTests.truth("""
        print(json.dumps([r['line'] for r in rows if 400 <= r['status'] <= 409][:20]))
        """) as? [String])
        #expect(truth.count == 20)
        #expect(result.text.split(separator: "\n").map(Self.withoutFile) == truth)
    }

    /// `docker-compose logs --since="24h" | grep -i error`: error-or-worse events of the last day
    /// of a compose stream, counted per service (a case-insensitive grep would also match
    /// "errors=0" in an INFO line; the level does not).
    @Test func composeErrorsOfTheLastDayByService() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("compose.log")
        // Two days of a three-service stream, one event per 5 minutes per service; every 7th is
        // an ERROR, every 50th a FATAL, and INFO lines mention "errors=0".
        let writer = """
        import sys, datetime
        start = datetime.datetime(2026, 11, 22, 0, 0, tzinfo=datetime.timezone.utc)
        with open(sys.argv[1], 'w') as f:
            for i in range(576):
                for s, name in enumerate(('web', 'worker', 'api')):
                    t = start + datetime.timedelta(minutes=5 * i, seconds=s)
                    n = i * 3 + s
                    level = 'FATAL' if n % 50 == 0 else 'ERROR' if n % 7 == 0 else 'INFO'
                    text = 'request failed for user %d' % n if level != 'INFO' else 'handled batch %d errors=0' % n
                    f.write('%s_1  | %s %s %s\\n' % (name, t.strftime('%Y-%m-%dT%H:%M:%S.000Z'), level, text))
        """
        let script = dir.appendingPathComponent("write.py")
        try writer.write(to: script, atomically: true, encoding: .utf8)
        _ = try Harness.shell("python3 '\(script.path)' '\(file.path)'")
        let since = "2026-11-23T00:00:00Z"
        let result = try Harness.run(["query", "--format", "json", "--since", since,
                                      "level >= error | count by service", file.path])
        #expect(result.status == 0, "\(result.stderr)")
        var got: [String: Int] = [:]
        for row in try QueryFamiliesTests.jsonLines(result) {
            got[row["service"] as? String ?? "?"] = row["count"] as? Int
        }
        let truth = try #require(try QueryFamiliesTests.python("""
        import json, sys, re
        c = {}
        for line in open(sys.argv[1]):
            m = re.match(r'(\\w+_1)  \\| (\\S+) (\\w+) ', line)
            if m and m.group(2) >= '2026-11-23T00:00:00' and m.group(3) in ('ERROR', 'FATAL'):
                c[m.group(1)] = c.get(m.group(1), 0) + 1
        print(json.dumps(c))
        """, [file.path]) as? [String: Int])
        #expect(truth.count == 3)
        #expect(got == truth)
        // `grep -i error` over the same day would have counted every line.
        let grep = try Harness.shell("awk -F'  \\\\| ' '$2 >= \"2026-11-23\"' '\(file.path)' | grep -ci error")
        #expect(Int(grep.trimmingCharacters(in: .whitespacesAndNewlines))! > truth.values.reduce(0, +))
    }

    /// `grep -i error monitor_logs/*.log | tail -20`: which errors, grouped by what they say
    /// (the generator's error groups and their counts, from its truth file).
    @Test func applicationErrorsGroupedByTemplate() throws {
        let file = Self.sample("app.log")
        let result = try Harness.run(["query", "--format", "json", "level >= error | count by template", file])
        #expect(result.status == 0, "\(result.stderr)")
        let rows = try QueryFamiliesTests.jsonLines(result)
        let truth = try QueryFamiliesTests.truth("app.log")
        let levels = try #require(truth["levels"] as? [String: Int])
        let errors = (levels["error"] ?? 0) + (levels["fatal"] ?? 0)
        #expect(errors > 0)
        #expect(rows.reduce(0) { $0 + ($1["count"] as? Int ?? 0) } == errors)
        // The same count as Python's level column over the raw lines.
        let python = try #require(try QueryFamiliesTests.python("""
        import json, sys, re
        n = 0
        for line in open(sys.argv[1]):
            if re.match(r'\\d{4}-\\d\\d-\\d\\d [\\d:.,]+ (\\[[^\\]]*\\] (ERROR|FATAL)|- \\S+ - (ERROR|CRITICAL) -)', line): n += 1
        print(json.dumps([n]))
        """, [file]) as? [Int])
        #expect(python == [errors])
    }

    /// `grep "response.*time" monitor_logs/*.log | tail -50`: the response times themselves, as
    /// numbers: slow requests counted and their p95 per 5 minutes, from a JSON-lines log.
    @Test func responseTimesOfAJSONLogAsNumbers() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("app.jsonl")
        let writer = """
        import json, sys, random
        random.seed(7)
        with open(sys.argv[1], 'w') as f:
            for i in range(3000):
                t = 1795953600 + i * 0.2   # 2026-11-29T09:20:00Z onwards, 10 minutes
                rt = round(random.lognormvariate(-1.5, 1.2), 4)
                f.write(json.dumps({'ts': t, 'level': 'info', 'msg': 'request done', 'response_time': rt}) + '\\n')
        """
        let script = dir.appendingPathComponent("write.py")
        try writer.write(to: script, atomically: true, encoding: .utf8)
        _ = try Harness.shell("python3 '\(script.path)' '\(file.path)'")
        let result = try Harness.run(["query", "--format", "json", "count(response_time > 1s), p95(response_time) by 5m", file.path])
        #expect(result.status == 0, "\(result.stderr)")
        let rows = try QueryFamiliesTests.jsonLines(result)
        let truth = try #require(try QueryFamiliesTests.python("""
        import json, sys
        b = {}
        for line in open(sys.argv[1]):
            e = json.loads(line)
            b.setdefault(int(e['ts'] // 300), []).append(e['response_time'])
        out = []
        for k in sorted(b):
            v = sorted(b[k])
            k = int(0.95 * (len(v) - 1))
            out.append([sum(1 for x in v if x > 1), v[k - 1], v[k + 1]])
        print(json.dumps(out))
        """, [file.path]) as? [[Double]])
        #expect(rows.count == truth.count && truth.count == 2)
        for (row, t) in zip(rows, truth) {
            #expect(row["count(response_time > 1s)"] as? Double == t[0])
            let p95 = try #require(row["p95(response_time)"] as? Double)
            // The sketch's stated bound (1%) around the 95th rank; definitions of that rank differ
            // by at most one, so the neighbours of Python's rank bound it.
            #expect(p95 >= t[1] * 0.99 && p95 <= t[2] * 1.01, "p95 \(p95) vs \(t[1])...\(t[2])")
        }
    }

    /// `SELECT query, mean_time, calls FROM pg_stat_statements ORDER BY mean_time DESC LIMIT 10`:
    /// the same table from the log, checked against the generator's per-statement truth.
    @Test func topTenStatementsByMeanTime() throws {
        let file = Self.sample("postgresql.log")
        let result = try Harness.run(["query", "--format", "json",
                                      "duration_ms exists | avg(duration_ms), count by query | sort avg(duration_ms) desc | limit 10", file])
        #expect(result.status == 0, "\(result.stderr)")
        let rows = try QueryFamiliesTests.jsonLines(result)
        let fingerprints = try #require(try QueryFamiliesTests.truth("postgresql.log")["fingerprints"] as? [String: [String: Int]])
        let ranked = fingerprints.map { (query: $0.key, mean: Double($0.value["total_us"]!) / Double($0.value["calls"]!) / 1000, calls: $0.value["calls"]!) }
            .sorted { $0.mean > $1.mean }
        #expect(rows.count == min(10, ranked.count))
        for (row, t) in zip(rows, ranked) {
            #expect(row["query"] as? String == t.query)
            #expect(row["count"] as? Int == t.calls)
            #expect(abs((row["avg(duration_ms)"] as? Double ?? -1) - t.mean) < 0.001, "\(t.query)")
        }
    }

    /// "error rate > 10% for > 2 minutes" / "> 5% for > 5 minutes": the 5xx share per minute,
    /// which is what those thresholds are compared with.
    @Test func serverErrorShareByMinute() throws {
        let result = try Harness.run(["query", "--format", "json", "rate(status >= 500), count by 1m"] + Self.access)
        #expect(result.status == 0, "\(result.stderr)")
        let rows = try QueryFamiliesTests.jsonLines(result)
        // Every line with an access-log shape counts, whatever its request (the probes'
        // `"\x16\x03…"` and `"-"` requests are requests too); Python's own parse.
        let truth = try #require(try QueryFamiliesTests.python("""
        import gzip, json, re, sys, datetime
        rx = re.compile(r'^\\S+ \\S+ \\S+ \\[([^\\]]+)\\] "(?:[^"\\\\]|\\\\.)*" (\\d{3}) (?:\\d+|-) "(?:[^"\\\\]|\\\\.)*" "(?:[^"\\\\]|\\\\.)*" \\S+')
        b = {}
        for f in sys.argv[1:]:
            with (gzip.open if f.endswith('.gz') else open)(f, 'rt', encoding='utf-8', errors='replace') as fh:
                for line in fh:
                    m = rx.match(line)
                    if not m: continue
                    k = int(datetime.datetime.strptime(m.group(1), '%d/%b/%Y:%H:%M:%S %z').timestamp()) // 60
                    n, e = b.get(k, (0, 0)); b[k] = (n + 1, e + (1 if int(m.group(2)) >= 500 else 0))
        first, last = min(b), max(b)
        print(json.dumps([list(b.get(k, (0, 0))) for k in range(first, last + 1)]))
        """, Self.access) as? [[Int]])
        #expect(rows.count == truth.count)
        var over = 0
        for (row, t) in zip(rows, truth) {
            #expect(row["count"] as? Int == t[0])
            if t[0] > 0 {
                let rate = try #require(row["rate(status >= 500)"] as? Double)
                #expect(abs(rate - Double(t[1]) / Double(t[0])) < 1e-9)
                if rate > 0.05 { over += 1 }
            }
        }
        #expect(over > 0, "the samples hold minutes over the 5% threshold")
    }

    /// "Database: connection errors > 10/minute": connection failures per minute from a
    /// PostgreSQL log (FATAL/ERROR entries about connections among connection LOG lines and other
    /// errors), as Python finds them on the raw lines.
    @Test func databaseConnectionErrorsPerMinute() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("postgresql.log")
        let writer = """
        import sys
        fatal = ['remaining connection slots are reserved for non-replication superuser connections',
                 'terminating connection due to administrator command']
        with open(sys.argv[1], 'w') as f:
            pid = 3000
            for minute in range(20):
                for k in range((minute * 7) % 16):
                    pid += 1
                    t = '2026-11-20 10:%02d:%02d.%03d UTC' % (minute, (k * 3) % 60, k)
                    f.write('%s [%d] LOG:  connection received: host=10.0.0.%d port=5%04d\\n' % (t, pid, k % 200, k))
                    f.write('%s [%d] app@shop FATAL:  %s\\n' % (t, pid, fatal[k % 2]))
                    if k % 3 == 0:
                        f.write('%s [%d] app@shop ERROR:  duplicate key value violates unique constraint "orders_pkey"\\n' % (t, pid))
                        f.write('%s [%d] app@shop DETAIL:  Key (id)=(%d) already exists.\\n' % (t, pid, k))
        """
        let script = dir.appendingPathComponent("write.py")
        try writer.write(to: script, atomically: true, encoding: .utf8)
        _ = try Harness.shell("python3 '\(script.path)' '\(file.path)'")
        let result = try Harness.run(["query", "--format", "json",
                                      #"severity >= error and (sqlstate in (08000, 08003, 08006, 57P03) or message contains "connection") | count by 1m"#, file.path])
        #expect(result.status == 0, "\(result.stderr)")
        let rows = try QueryFamiliesTests.jsonLines(result)
        let truth = try #require(try QueryFamiliesTests.python("""
        import json, sys, re
        c = {}
        for line in open(sys.argv[1]):
            m = re.match(r'(\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d):\\d\\d\\.\\d+ UTC \\[\\d+\\] \\S* ?(ERROR|FATAL|PANIC):  (.*)', line)
            if m and 'connection' in m.group(3):
                c[m.group(1)] = c.get(m.group(1), 0) + 1
        print(json.dumps(c))
        """, [file.path]) as? [String: Int])
        var got: [String: Int] = [:]
        for row in rows where (row["count"] as? Int ?? 0) > 0 {
            let time = try #require(row["time"] as? String)
            got[String(time.prefix(16)).replacingOccurrences(of: "T", with: " ")] = row["count"] as? Int
        }
        #expect(truth.values.contains { $0 > 10 }, "some minutes are over the runbook's threshold")
        #expect(got == truth)
    }
}
