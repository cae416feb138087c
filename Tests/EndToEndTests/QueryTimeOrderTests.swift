import Foundation
import Testing

/// `logsift query` without aggregates over several logs prints the matching lines in time order
/// across them (ties in input order; a rotated set stays one sequence). Truth: Python parses the
/// logs it writes itself, filters them, and sorts the matching lines by time with a stable sort
/// over the inputs taken in order — which is what a merge with ties in input order gives when
/// each input is in time order.
@Suite struct QueryTimeOrderTests {
    /// Writes two access logs and a JSON-lines app log with interleaved times (many equal
    /// seconds), and an older rotated file `web1/access.log.1`.
    static let writer = """
    import json, random, sys
    d = sys.argv[1]
    def access(path, seed, start, n):
        r = random.Random(seed)
        t = start
        with open(path, 'w') as f:
            for i in range(n):
                t += r.choice([0, 0, 1, 2, 3])
                st = r.choice([200, 200, 404, 500, 503])
                f.write('10.0.%d.%d - - [24/Nov/2026:%02d:%02d:%02d +0000] "GET /p/%d HTTP/1.1" %d %d "-" "t"\\n'
                        % (seed, i % 250, t // 3600, t // 60 % 60, t % 60, i, st, 100 + i))
    access(d + '/web1/access.log.1', 11, 9 * 3600 + 3000, 300)
    access(d + '/web1/access.log', 1, 10 * 3600, 400)
    access(d + '/web2/access.log', 2, 10 * 3600, 400)
    r = random.Random(3)
    t = 10 * 3600 - 30
    with open(d + '/app.jsonl', 'w') as f:
        for i in range(400):
            t += r.choice([0, 1, 2, 4])
            f.write(json.dumps({'time': '2026-11-24T%02d:%02d:%02dZ' % (t // 3600, t // 60 % 60, t % 60),
                                'level': 'info', 'msg': 'done %d' % i, 'status': r.choice([200, 500, 502])}) + '\\n')
    print('[]')
    """

    /// Python's answer for `status >= 500` over `files` in that order: [input, line] pairs.
    static let truth = """
    import json, re, sys
    from datetime import datetime
    rx = re.compile(r'\\[(\\d+/\\w+/\\d+:\\d+:\\d+:\\d+ [+-]\\d+)\\] "[^"]*" (\\d+) ')
    rows = []
    for path in sys.argv[1:]:
        for line in open(path):
            line = line.rstrip('\\n')
            if line.startswith('{'):
                o = json.loads(line)
                t = datetime.strptime(o['time'], '%Y-%m-%dT%H:%M:%S%z').timestamp(); st = o['status']
            else:
                m = rx.search(line)
                t = datetime.strptime(m.group(1), '%d/%b/%Y:%H:%M:%S %z').timestamp(); st = int(m.group(2))
            if st >= 500: rows.append((t, path, line))
    rows.sort(key=lambda r: r[0])
    print(json.dumps([[p, l] for _, p, l in rows]))
    """

    static func pairs(_ result: Harness.Result) throws -> [[String]] {
        try QueryFamiliesTests.jsonLines(result).map { [$0["input"] as? String ?? "?", $0["line"] as? String ?? "?"] }
    }

    static func setUp() throws -> URL {
        let dir = try Harness.temporaryDirectory()
        for sub in ["web1", "web2"] {
            try FileManager.default.createDirectory(at: dir.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        _ = try QueryFamiliesTests.python(writer, [dir.path])
        return dir
    }

    @Test func twoAccessLogsAndAnAppLogInterleaveByTime() throws {
        let dir = try Self.setUp()
        defer { try? FileManager.default.removeItem(at: dir) }
        let files = ["web1/access.log", "web2/access.log", "app.jsonl"].map { dir.appendingPathComponent($0).path }
        let truth = try #require(try QueryFamiliesTests.python(Self.truth, files) as? [[String]])
        #expect(truth.count > 300)
        // The truth really interleaves: the input changes many times along it.
        #expect(zip(truth, truth.dropFirst()).filter { $0[0] != $1[0] }.count > 100)
        let result = try Harness.run(["query", "--format", "json", "status >= 500"] + files)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try Self.pairs(result) == truth)

        // `limit 5` gives the first five by time, across inputs.
        let limited = try Harness.run(["query", "--format", "json", "status >= 500 | limit 5"] + files)
        #expect(limited.status == 0, "\(limited.stderr)")
        #expect(try Self.pairs(limited) == Array(truth.prefix(5)))

        // `| head` stops the merge early and quietly: its first lines are the truth's first.
        let head = try Harness.shell("'\(Harness.binary.path)' query 'status >= 500' " + files.map { "'\($0)'" }.joined(separator: " ") + " | head -7")
        #expect(head == truth.prefix(7).map { "\($0[0]):\($0[1])\n" }.joined())

        // --keep-order prints input after input, as before.
        let kept = try Harness.run(["query", "--format", "json", "--keep-order", "status >= 500"] + files)
        #expect(try Self.pairs(kept) == files.flatMap { f in truth.filter { $0[0] == f } })
        // --count counts the same lines.
        let counted = try Harness.run(["query", "--count", "status >= 500"] + files)
        #expect(counted.text == "\(truth.count)\n")
    }

    /// A rotated set (access.log.1 then access.log) is one sequence merged with another log.
    @Test func rotatedSetPlusAnotherFile() throws {
        let dir = try Self.setUp()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = { (name: String) in dir.appendingPathComponent(name).path }
        let truth = try #require(try QueryFamiliesTests.python(Self.truth, [path("web1/access.log.1"), path("web1/access.log"), path("app.jsonl")]) as? [[String]])
        #expect(truth.contains { $0[0].hasSuffix(".1") })
        let result = try Harness.run(["query", "--format", "json", "status >= 500", path("web1/access.log"), path("app.jsonl"), path("web1/access.log.1")])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try Self.pairs(result) == truth)
    }

    /// Equal times print in input order; an earlier line of the second input goes first.
    @Test func equalTimesKeepInputOrder() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        func line(_ ip: String, _ time: String) -> String {
            "\(ip) - - [24/Nov/2026:\(time) +0000] \"GET / HTTP/1.1\" 500 1 \"-\" \"t\""
        }
        let a = dir.appendingPathComponent("a.log"), b = dir.appendingPathComponent("b.log")
        try [line("1.0.0.1", "10:00:00"), line("1.0.0.2", "10:00:00")].map { $0 + "\n" }.joined().write(to: b, atomically: true, encoding: .utf8)
        try [line("2.0.0.0", "09:59:59"), line("2.0.0.1", "10:00:00"), line("2.0.0.2", "10:00:00")].map { $0 + "\n" }.joined()
            .write(to: a, atomically: true, encoding: .utf8)
        let result = try Harness.run(["query", "status >= 500", b.path, a.path])
        #expect(result.status == 0, "\(result.stderr)")
        let expected = [(a, "2.0.0.0", "09:59:59"), (b, "1.0.0.1", "10:00:00"), (b, "1.0.0.2", "10:00:00"),
                        (a, "2.0.0.1", "10:00:00"), (a, "2.0.0.2", "10:00:00")]
        #expect(result.text == expected.map { "\($0.0.path):\(line($0.1, $0.2))\n" }.joined())
    }

    /// The documented rule for a log whose times go back: such an event is ordered by the time of
    /// the event before it in its own log (printed right after it), not held back and sorted.
    @Test func timesGoingBackStayInTheirLogsOrder() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        func line(_ time: String) -> String { "3.3.3.3 - - [24/Nov/2026:\(time) +0000] \"GET / HTTP/1.1\" 500 1 \"-\" \"t\"" }
        let a = dir.appendingPathComponent("a.log"), b = dir.appendingPathComponent("b.log")
        try [line("10:00:05"), line("10:00:01")].map { $0 + "\n" }.joined().write(to: a, atomically: true, encoding: .utf8)
        try [line("10:00:03"), line("10:00:06")].map { $0 + "\n" }.joined().write(to: b, atomically: true, encoding: .utf8)
        let result = try Harness.run(["query", "status >= 500", a.path, b.path])
        #expect(result.status == 0, "\(result.stderr)")
        let expected = [(b, "10:00:03"), (a, "10:00:05"), (a, "10:00:01"), (b, "10:00:06")]
        #expect(result.text == expected.map { "\($0.0.path):\(line($0.1))\n" }.joined())
    }

    /// A multi-line PostgreSQL entry (ERROR, its STATEMENT, a tab-led continuation) is printed
    /// whole at its time, between the access lines before and after it.
    @Test func multiLinePostgresEntryStaysWhole() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let pg = dir.appendingPathComponent("postgresql.log"), access = dir.appendingPathComponent("access.log")
        let entry = """
        2026-11-24 10:00:01.000 UTC [101] ERROR:  relation "x" does not exist
        2026-11-24 10:00:01.000 UTC [101] STATEMENT:  SELECT *
        \tFROM x
        """
        try (entry + "\n2026-11-24 10:00:05.000 UTC [102] LOG:  duration: 5.000 ms\n").write(to: pg, atomically: true, encoding: .utf8)
        let lines = ["10:00:00", "10:00:02", "10:00:03"].map { "9.9.9.9 - - [24/Nov/2026:\($0) +0000] \"GET / HTTP/1.1\" 500 1 \"-\" \"t\"" }
        try lines.map { $0 + "\n" }.joined().write(to: access, atomically: true, encoding: .utf8)
        let result = try Harness.run(["query", "--format", "json", "--tz", "UTC", "severity >= error or status >= 500", access.path, pg.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try Self.pairs(result) == [[access.path, lines[0]], [pg.path, entry], [access.path, lines[1]], [access.path, lines[2]]])
    }
}
