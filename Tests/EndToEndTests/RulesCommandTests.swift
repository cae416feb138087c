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
        #expect(r.text.hasSuffix("4 rules OK\n"))
        #expect(r.text.contains("ErrorRateCritical: rate(status >= 500) > 0.10 over 2m for 2m"))
    }

    /// The commented DB rule of samples/alerts.yml, uncommented: the source has no such field
    /// yet, said at the field (`    expr: count(` is 16 characters: column 17 of line 6).
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
            expr: count(sqlstate in (08000, 08003, 08006, 57P03) or message contains "connection") > 10
        """.write(to: file, atomically: true, encoding: .utf8)
        let r = try Harness.run(["rules", "check", file.path])
        #expect(r.status == 1)
        #expect(r.text.isEmpty)
        let lines = r.stderr.split(separator: "\n").map(String.init)
        #expect(lines.count == 2, "\(r.stderr)")
        #expect(lines.contains("logsift: \(file.path):5:5: unknown key 'windw' (did you mean window?)"))
        #expect(lines.contains { $0.hasPrefix("logsift: \(file.path):6:17: source postgres has no field 'sqlstate'") })
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

    /// A PostgreSQL log is named and skipped (rules read access logs in this version); alone,
    /// nothing could be replayed: exit 65.
    @Test func postgresInputsAreNamedAndSkipped() throws {
        let pg = Harness.packageRoot.appendingPathComponent("samples/postgresql.log").path
        let alone = try Harness.run(["rules", "test", Self.sampleRules, pg])
        #expect(alone.status == 65)
        #expect(alone.stderr.contains("postgresql.log is postgres"))
        #expect(alone.stderr.contains("rule ServiceDown (source access) read no input"))
        let mixed = try Harness.run(["rules", "test", "--format", "json", Self.sampleRules, pg, Self.samples[0]])
        #expect(mixed.status == 0)
        #expect(try Self.transitions(mixed.text).contains("2026-11-24T14:02:52Z ErrorRateCritical firing"))
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
