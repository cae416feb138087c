import Foundation
import Testing

/// `logsift rules check` and `logsift rules test` through the real binary: rule-file errors with
/// file:line:column; replays of a generated log whose incidents are known by construction
/// (expected times computed by hand below), and of the samples against a Python oracle.
@Suite struct RulesCommandTests {
    static let samples = ["access.log", "access.log.1", "access.log.2.gz"].map {
        Harness.packageRoot.appendingPathComponent("samples/\($0)").path
    }
    static let sampleRules = Harness.packageRoot.appendingPathComponent("samples/alerts.yml").path

    /// (time, alert, state) of each JSON line.
    static func transitions(_ text: String) throws -> [String] {
        try text.split(separator: "\n").map { line in
            let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            return "\(o["time"]!) \(o["alert"]!) \(o["state"]!)"
        }
    }

    @Test func theSampleRulesAreValid() throws {
        let r = try Harness.run(["rules", "check", Self.sampleRules])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.text.hasSuffix("5 rules OK\n"))
        #expect(r.text.contains("ErrorRateCritical: rate(status >= 500) > 0.10 over 2m for 2m"))
    }

    /// A DB rule with a misspelled PostgreSQL field: said at the field, with the field meant
    /// (`    expr: count(` is 16 characters: column 17 of line 6).
    @Test func checkSaysWhereAndWhy() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("alerts.yml")
        try """
        rules:
          - alert: DBConnectionErrors
            source: postgres
            window: 1m
            windw: 2m
            expr: count(sqlstat in ("08000", "08003", "08006", "57P03") or message contains "connection") > 10
        """.write(to: file, atomically: true, encoding: .utf8)
        let r = try Harness.run(["rules", "check", file.path])
        #expect(r.status == 1)
        #expect(r.text.isEmpty)
        let lines = r.stderr.split(separator: "\n").map(String.init)
        #expect(lines.count == 2, "\(r.stderr)")
        #expect(lines.contains("logsift: \(file.path):5:5: unknown key 'windw' (did you mean window?)"))
        #expect(lines.contains("logsift: \(file.path):6:17: unknown field 'sqlstat' (did you mean 'sqlstate'?)"))
        let missing = try Harness.run(["rules", "check", dir.appendingPathComponent("nope.yml").path])
        #expect(missing.status == 1 && missing.stderr.contains("nope.yml: cannot read"))
    }

    /// One request a second for 30 minutes from 10:00:00Z (status 200, 0.1 s), with:
    /// - 500 on every 5th request (20 %) for i in [600, 780) (10:10–10:13);
    /// - 8 s on every 10th request for i in [1200, 1620) (10:20–10:27);
    /// - no request for i in [900, 1000) (10:15:00–10:16:39).
    /// Worked out by hand (b = seconds after 10:00 of an evaluation; window [b-W, b)):
    /// - Errors, rate > 0.1 over 1m (60 requests, step 1 s) for 1m: errors in the window are
    ///   ⌈(b-600)/5⌉ for b in [600, 660], 7 (> 6) first at b = 631 → pending 10:10:31, firing
    ///   60 s later 10:11:31. After 780 the window holds 156-⌈(b-60)/5⌉, 7 last at b = 805:
    ///   resolved at 806 = 10:13:26 (value then 6/60 = 0.1).
    /// - Down, absent(1m): last request before the gap at 899, so true first at b = 960 =
    ///   10:16:00; the request at 1000 resolves it at 1001 = 10:16:41.
    /// - Slow, p95 > 5s over 2m (120 requests, step 2 s) for 2m: p95 is the sample of rank
    ///   ⌊0.95·119⌋ = 113, an 8 s one once 7 of the 120 are slow. Slow ones in the window are
    ///   ⌈(b-1200)/10⌉, 7 first at b = 1261, so at the even step 1262 → pending 10:21:02,
    ///   firing 10:23:02. After 1620: 162-⌈(b-120)/10⌉, 7 last at b = 1670: resolved at the
    ///   step 1672 = 10:27:52.
    @Test func replayFiresExactlyInTheIncidents() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (log, rules) = try IncidentFixture.write(in: dir)
        let r = try Harness.run(["rules", "test", "--format", "json", rules.path, log.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try Self.transitions(r.text) == IncidentFixture.transitions)
        // At 10:11:31 the window [10:10:31, 10:11:31) holds 12 errors of 60 (635…690): 20 %.
        let firing = try JSONSerialization.jsonObject(with: Data(r.text.split(separator: "\n")[1].utf8)) as! [String: Any]
        #expect(firing["value"] as? Double == 0.2)
        #expect((firing["annotations"] as? [String: String])?["summary"] == "5xx at 20%")
        #expect(firing["active_at"] as? String == "2026-11-24T10:10:31Z")

        let table = try Harness.run(["rules", "test", rules.path, log.path])
        #expect(table.status == 0)
        #expect(table.text.contains("2026-11-24T10:11:31Z  Errors  firing"))
    }

    /// The sample rules over the samples, against an independent evaluation in Python of the
    /// rate and absent rules (exact counts over the raw lines, Prometheus' state machine).
    @Test func samplesAgainstPython() throws {
        let program = #"""
        import bisect, gzip, re, sys, datetime, json
        rx = re.compile(r'\[([^\]]+)\] "[^"]*" (\d{3}) ')
        events = []
        for f in sys.argv[1:]:
            opener = gzip.open if f.endswith('.gz') else open
            with opener(f, 'rt', encoding='utf-8', errors='replace') as fh:
                for line in fh:
                    m = rx.search(line)
                    if not m: continue
                    t = int(datetime.datetime.strptime(m.group(1), '%d/%b/%Y:%H:%M:%S %z').timestamp())
                    events.append((t, int(m.group(2))))
        times = [t for t, _ in events]
        assert times == sorted(times)
        prefix = [0]
        for _, s in events: prefix.append(prefix[-1] + (1 if s >= 500 else 0))
        rules = [('ErrorRateCritical', 120, 120), ('ErrorRateWarning', 300, 300), ('ServiceDown', 60, 0)]
        out = []
        for name, window, hold in rules:
            step = max(1, window // 60)
            while window % step: step -= 1
            start = events[0][0]
            nxt = start - start % step + step
            seen = []
            state, active = 'inactive', None
            def evaluate(b):
                global state, active
                if name == 'ServiceDown':
                    last = max(t for t, _ in seen[-100:]) if seen else None
                    cond = (last < b - window) if last is not None else (b - start >= window)
                else:
                    # Events come in time order (asserted below): the window is a range of them.
                    lo, hi = bisect.bisect_left(times, b - window, 0, len(seen)), bisect.bisect_left(times, b, 0, len(seen))
                    n, errors = hi - lo, prefix[hi] - prefix[lo]
                    cond = n > 0 and errors / n > (0.10 if window == 120 else 0.05)
                before = state
                if cond:
                    if state == 'inactive': state, active = 'pending', b
                    if state == 'pending' and b - active >= hold: state = 'firing'
                elif state != 'inactive':
                    state = 'inactive'
                if state != before:
                    ev = state if state != 'inactive' else ('resolved' if before == 'firing' else 'inactive')
                    out.append((b, name, ev))
            for t, s in events:
                while nxt <= t:
                    evaluate(nxt); nxt += step
                seen.append((t, s))
        out.sort(key=lambda x: (x[0], [r[0] for r in rules].index(x[1])))
        for b, name, ev in out:
            print(datetime.datetime.fromtimestamp(b, datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ'), name, ev)
        """#
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("logsift-rules-\(UUID().uuidString).py")
        try program.write(to: script, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: script) }
        let oldestFirst = [Self.samples[2], Self.samples[1], Self.samples[0]]
        let expected = try Harness.shell("python3 '\(script.path)' " + oldestFirst.map { "'\($0)'" }.joined(separator: " "))
            .split(separator: "\n").map(String.init)
        let r = try Harness.run(["rules", "test", "--format", "json", Self.sampleRules] + Self.samples)
        #expect(r.status == 0, "\(r.stderr)")
        let got = try Self.transitions(r.text).filter { !$0.contains("SlowRequests") }
        #expect(expected.count > 10)
        #expect(got == expected)
        // The incident of the samples (14:00–14:10 UTC) fires both error-rate rules.
        #expect(got.contains { $0.hasPrefix("2026-11-24T14:") && $0.hasSuffix("ErrorRateCritical firing") })
        #expect(got.contains { $0.hasPrefix("2026-11-24T14:") && $0.hasSuffix("ErrorRateWarning firing") })
    }

    /// A PostgreSQL log (the samples' prefix, `%m [%p] %q%u@%d `) written here, 30 minutes from
    /// 10:00:00Z, with:
    /// - a routine `LOG:  connection received` every 2 s (30 a minute: LOG is not an error,
    ///   so none counts);
    /// - an `ERROR` with DETAIL and STATEMENT lines every 30 s (an error, but not of a
    ///   connection; its continuation lines are not events);
    /// - `FATAL:  remaining connection slots are reserved …` at i = 300 + 4k, k < 45: 15 a
    ///   minute from 10:05:00 to 10:07:56.
    /// Worked out by hand for DBConnectionErrors of samples/alerts.yml (count > 10 over
    /// [b-60, b), step 1 s, no `for`): FATALs in the window are ⌈(b-300)/4⌉ for b in [300, 360],
    /// 11 first at b = 341 → firing at 10:05:41 (value 11). After 476 the window [b-60, b) holds
    /// those with 300+4k ≥ b-60: at b = 496 k = 34…44 (11), at b = 497 k = 35…44 (10) → resolved
    /// at 10:08:17.
    /// The PostgreSQL log of `postgresReplayFiresAtHandComputedTimes` (described there).
    static func postgresIncidentLog() -> String {
        var text = ""
        func stamp(_ i: Int) -> String {
            String(format: "2026-11-24 10:%02d:%02d.000 UTC", i / 60, i % 60)
        }
        for i in 0..<1800 {
            if i % 2 == 0 { text += "\(stamp(i)) [\(3000 + i % 7)] LOG:  connection received: host=10.0.0.\(i % 50) port=\(40000 + i)\n" }
            if i % 30 == 15 {
                text += "\(stamp(i)) [2001] app@shop ERROR:  duplicate key value violates unique constraint \"orders_pkey\"\n"
                text += "\(stamp(i)) [2001] app@shop DETAIL:  Key (id)=(\(i)) already exists.\n"
                text += "\(stamp(i)) [2001] app@shop STATEMENT:  INSERT INTO orders (id) VALUES (\(i))\n"
            }
            if i >= 300 && i < 480 && i % 4 == 0 {
                text += "\(stamp(i)) [\(4000 + i)] app@shop FATAL:  remaining connection slots are reserved for non-replication superuser connections\n"
            }
        }
        return text
    }

    @Test func postgresReplayFiresAtHandComputedTimes() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("postgresql.log")
        let text = Self.postgresIncidentLog()
        try text.write(to: log, atomically: true, encoding: .utf8)
        let r = try Harness.run(["rules", "test", "--format", "json", Self.sampleRules, log.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try Self.transitions(r.text) == [
            "2026-11-24T10:05:41Z DBConnectionErrors firing",
            "2026-11-24T10:08:17Z DBConnectionErrors resolved",
        ])
        let firing = try JSONSerialization.jsonObject(with: Data(r.text.split(separator: "\n")[0].utf8)) as! [String: Any]
        #expect(firing["value"] as? Double == 11)
        #expect(!r.stderr.contains("was not read"), "\(r.stderr)")
        // The access rules read no input here, and say so.
        #expect(r.stderr.contains("rule ServiceDown (source access) read no input"))
    }

    /// The samples' PostgreSQL and application logs are read along with the access logs: the
    /// access rules give the transitions of the access logs alone, and DBConnectionErrors those
    /// of an independent count in Python over the PostgreSQL log's entries.
    @Test func postgresAndAppSamplesAreRead() throws {
        let program = #"""
        import re, sys, datetime
        entry = re.compile(r'^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)(?:\.\d+)? UTC \[\d+\] (?:\S*@\S* )?([A-Z0-9]+):  (.*)$')
        events = []
        for line in open(sys.argv[1], encoding='utf-8', errors='replace'):
            m = entry.match(line.rstrip('\n'))
            if not m or m.group(2) in ('DETAIL', 'STATEMENT', 'HINT', 'CONTEXT', 'QUERY', 'LOCATION'): continue
            t = int(datetime.datetime.strptime(m.group(1), '%Y-%m-%d %H:%M:%S').replace(tzinfo=datetime.timezone.utc).timestamp())
            hit = m.group(2) in ('ERROR', 'FATAL', 'PANIC') and 'connection' in m.group(3)
            events.append((t, hit))
        print('events', len(events), 'hits', sum(h for _, h in events))
        start = events[0][0]
        nxt, seen, state = start + 1, [], False
        for t, hit in events:
            while nxt <= t:
                n = sum(1 for s, h in seen if h and nxt - 60 <= s < nxt)
                if (n > 10) != state:
                    state = n > 10
                    print(datetime.datetime.fromtimestamp(nxt, datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ'),
                          'DBConnectionErrors', 'firing' if state else 'resolved')
                nxt += 1
            seen.append((t, hit))
        """#
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("logsift-pgrules-\(UUID().uuidString).py")
        try program.write(to: script, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: script) }
        let pg = Harness.packageRoot.appendingPathComponent("samples/postgresql.log").path
        let app = Harness.packageRoot.appendingPathComponent("samples/app.log").path
        var oracle = try Harness.shell("python3 '\(script.path)' '\(pg)'").split(separator: "\n").map(String.init)
        let counts = oracle.removeFirst().split(separator: " ")
        // The sample holds 1,484 entries by this count (samples/README.md counts 1,000 generated
        // events, some of several entries); none is a connection error: the rule stays inactive.
        #expect(counts.count == 4 && (Int(counts[1]) ?? 0) > 1000 && counts[3] == "0", "\(counts)")

        let accessOnly = try Harness.run(["rules", "test", "--format", "json", Self.sampleRules] + Self.samples)
        let all = try Harness.run(["rules", "test", "--format", "json", Self.sampleRules, pg, app] + Self.samples)
        #expect(accessOnly.status == 0 && all.status == 0, "\(all.stderr)")
        let got = try Self.transitions(all.text)
        #expect(got.filter { !$0.contains("DBConnectionErrors") } == (try Self.transitions(accessOnly.text)))
        #expect(got.filter { $0.contains("DBConnectionErrors") } == oracle)
        #expect(!all.stderr.contains("was not read"), "\(all.stderr)")
        #expect(!all.stderr.contains("DBConnectionErrors (source postgres) read no input"))
    }

    /// An `app` rule may name any key (`route` is no fixed field): `rules check` accepts it, and
    /// `rules test` reads it from a JSON-lines log written here, one event a second for 10
    /// minutes from 10:00:00Z: `level: error, route: /pay` at i = 120 + 5k (k < 24, 12 a
    /// minute), `level: error, route: /search` at i ≡ 2 (mod 5) (errors of another route),
    /// `info` otherwise. By hand, for count(level >= error and route = "/pay") > 5 over
    /// [b-60, b): ⌈(b-120)/5⌉ for b ≤ 180, 6 first at b = 146 → firing 10:02:26; after 235,
    /// 24-⌈(b-180)/5⌉, 5 first at b = 271 → resolved 10:04:31.
    @Test func appRulesNameAnyKey() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("app.jsonl")
        let rules = dir.appendingPathComponent("alerts.yml")
        var text = ""
        for i in 0..<600 {
            let ts = String(format: "2026-11-24T10:%02d:%02dZ", i / 60, i % 60)
            if i >= 120 && i < 240 && i % 5 == 0 {
                text += "{\"ts\":\"\(ts)\",\"level\":\"error\",\"msg\":\"payment failed\",\"route\":\"/pay\"}\n"
            } else if i % 5 == 2 {
                text += "{\"ts\":\"\(ts)\",\"level\":\"error\",\"msg\":\"lookup failed\",\"route\":\"/search\"}\n"
            } else {
                text += "{\"ts\":\"\(ts)\",\"level\":\"info\",\"msg\":\"ok\",\"route\":\"/pay\"}\n"
            }
        }
        try text.write(to: log, atomically: true, encoding: .utf8)
        try """
        rules:
          - alert: PaymentErrors
            source: app
            expr: count(level >= error and route = "/pay") > 5
            window: 1m
        """.write(to: rules, atomically: true, encoding: .utf8)
        let check = try Harness.run(["rules", "check", rules.path])
        #expect(check.status == 0, "\(check.stderr)")
        let r = try Harness.run(["rules", "test", "--format", "json", rules.path, log.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try Self.transitions(r.text) == [
            "2026-11-24T10:02:26Z PaymentErrors firing",
            "2026-11-24T10:04:31Z PaymentErrors resolved",
        ])
    }

    /// A group label taken from a log line reaches the terminal escaped.
    @Test func labelsFromLogsAreEscaped() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("access.log")
        var text = ""
        for i in 0..<5 {
            text += "10.0.0.1 - - [24/Nov/2026:10:00:0\(i) +0000] \"GET /x\u{1B}[2J HTTP/1.1\" 500 1 \"-\" \"curl\"\n"
        }
        try text.write(to: log, atomically: true, encoding: .utf8)
        let rules = dir.appendingPathComponent("rules.yml")
        try "rules:\n  - alert: E\n    expr: count > 1\n    window: 1m\n    by: [path]\n    annotations: {summary: \"on {{ $labels.path }}\"}\n"
            .write(to: rules, atomically: true, encoding: .utf8)
        let r = try Harness.run(["rules", "test", rules.path, log.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.text.contains("firing"))
        #expect(!r.stdout.contains(0x1B))
        #expect(r.text.contains("path=/x"))
    }
}
