import Foundation
import Testing

/// `--since`/`--until` on PostgreSQL stderr and JSON-lines application logs searches the file by
/// probing lines (as on access logs): the entries printed for a window are those a full scan
/// prints (`--full-scan`), and their count is the number Python finds by the entries' first
/// lines, on ordered files and on files with times out of order by up to two seconds.
@Suite struct EventLogSeekTests {
    /// A PostgreSQL stderr log (`%m [%p] %q%u@%d `): two entries a second from 10:00 UTC for
    /// `entries / 2` seconds: statements over three lines, errors with DETAIL and STATEMENT
    /// lines, connection lines; with `jitter`, times moved by up to ±2 s.
    static let postgresWriter = """
    import sys, datetime
    start = datetime.datetime(2026, 11, 20, 10, 0, 0, tzinfo=datetime.timezone.utc)
    n, jitter = int(sys.argv[2]), sys.argv[3] == '1'
    with open(sys.argv[1], 'w') as f:
        for i in range(n):
            t = start + datetime.timedelta(milliseconds=i * 500 + ((i * 7919 % 41 - 20) * 100 if jitter else 0))
            stamp = t.strftime('%Y-%m-%d %H:%M:%S.') + '%03d UTC' % (t.microsecond // 1000)
            pid = 2000 + i % 17
            k = i % 4
            if k == 0:
                f.write('%s [%d] app@shop LOG:  duration: %d.%03d ms  statement: SELECT o.id\\n\\tFROM orders o\\n\\tWHERE o.customer_id = %d\\n' % (stamp, pid, i % 900, i % 1000, i))
            elif k == 1:
                f.write('%s [%d] app@shop ERROR:  duplicate key value violates unique constraint "orders_pkey"\\n' % (stamp, pid))
                f.write('%s [%d] app@shop DETAIL:  Key (id)=(%d) already exists.\\n' % (stamp, pid, i))
                f.write('%s [%d] app@shop STATEMENT:  INSERT INTO orders VALUES (%d)\\n' % (stamp, pid, i))
            elif k == 2:
                f.write('%s [%d] LOG:  connection received: host=10.0.0.%d port=5%04d\\n' % (stamp, pid, i % 200, i % 10000))
            else:
                f.write('%s [%d] app@shop LOG:  duration: %d.%03d ms  statement: UPDATE carts SET n = %d\\n' % (stamp, pid, i % 50, i % 1000, i))
    """

    /// Entries whose first line's time is in each window: LOG and ERROR lines start entries.
    static let postgresTruth = """
    import sys, json, datetime, re
    windows = json.loads(sys.argv[2])
    rx = re.compile(r'^(\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d)\\.\\d+ UTC \\[\\d+\\] \\S* ?(LOG|ERROR):  ')
    times = []
    for line in open(sys.argv[1]):
        m = rx.match(line)
        if m:
            times.append(int(datetime.datetime.strptime(m.group(1), '%Y-%m-%d %H:%M:%S').replace(tzinfo=datetime.timezone.utc).timestamp()))
    print(json.dumps([sum(1 for t in times if a <= t < b) for a, b in windows]))
    """

    /// A JSON-lines log: two events a second (epoch `ts`), every seventh an error.
    static let jsonWriter = """
    import sys, json
    n, jitter = int(sys.argv[2]), sys.argv[3] == '1'
    with open(sys.argv[1], 'w') as f:
        for i in range(n):
            t = 1795687200 + i * 0.5 + (((i * 7919) % 41 - 20) / 10 if jitter else 0)
            f.write(json.dumps({'ts': t, 'level': 'error' if i % 7 == 0 else 'info', 'msg': 'request %d' % i, 'took_ms': i % 300}) + '\\n')
    """

    static let jsonTruth = """
    import sys, json
    windows = json.loads(sys.argv[2])
    times = [int(json.loads(l)['ts'] // 1) for l in open(sys.argv[1])]
    print(json.dumps([sum(1 for t in times if a <= t < b) for a, b in windows]))
    """

    static func run(_ writer: String, _ truthProgram: String, name: String, entries: Int, jitter: Bool,
                    start: Int64, filter: String) throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent(name)
        let write = dir.appendingPathComponent("write.py"), truth = dir.appendingPathComponent("truth.py")
        try writer.write(to: write, atomically: true, encoding: .utf8)
        try truthProgram.write(to: truth, atomically: true, encoding: .utf8)
        _ = try Harness.shell("python3 '\(write.path)' '\(log.path)' \(entries) \(jitter ? 1 : 0)")
        let seconds = Int64(entries / 2)
        let s = start
        let windows: [(Int64, Int64)] = [(s + 600, s + 1200), (s + 601, s + 602), (s - 7200, s + 1), (s + seconds - 5, s + seconds + 600),
                                         (s + seconds / 2, s + seconds / 2 + 60), (s + seconds + 100, s + seconds + 700)]
        let json = "[" + windows.map { "[\($0.0),\($0.1)]" }.joined(separator: ",") + "]"
        let counts = try #require(try JSONSerialization.jsonObject(with: Data(try Harness.shell("python3 '\(truth.path)' '\(log.path)' '\(json)'").utf8)) as? [Int])
        #expect(counts.contains { $0 > 100 })
        for (w, expected) in zip(windows, counts) {
            let range = ["--since", "\(w.0)", "--until", "\(w.1)"]
            let seek = try Harness.run(["query", filter] + range + [log.path])
            let full = try Harness.run(["query", filter, "--full-scan"] + range + [log.path])
            #expect(seek.status == 0 && full.status == 0, "\(seek.stderr) \(full.stderr)")
            #expect(seek.stdout == full.stdout, "\(name) window \(w.0 - s)..<\(w.1 - s): seek and full scan differ")
            let count = try Harness.run(["query", "--count", filter] + range + [log.path])
            #expect(Int(count.text.trimmingCharacters(in: .whitespacesAndNewlines)) == expected, "\(name) window \(w.0 - s): \(count.text) vs \(expected)")
        }
    }

    @Test(arguments: [false, true])
    func postgresStderrWindows(jitter: Bool) throws {
        // 2026-11-20T10:00:00Z; 30,000 entries, about 4.6 MB: many probes deep.
        try Self.run(Self.postgresWriter, Self.postgresTruth, name: "postgresql.log", entries: 30_000, jitter: jitter,
                     start: 1_795_168_800, filter: "severity exists")
    }

    @Test(arguments: [false, true])
    func jsonLinesWindows(jitter: Bool) throws {
        // 2026-11-26T10:00:00Z.
        try Self.run(Self.jsonWriter, Self.jsonTruth, name: "app.jsonl", entries: 30_000, jitter: jitter,
                     start: 1_795_687_200, filter: "level exists")
    }
}
