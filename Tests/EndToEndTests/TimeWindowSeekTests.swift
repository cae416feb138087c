import Foundation
import Testing

/// `--since`/`--until` with seeking: the lines `logsift query` prints for a window are exactly
/// the lines a Python filter keeps (its own regex and `strptime` over every line of the same
/// files), on ordered files, files with disorder within the tolerance, files out of order
/// (detected: read whole, with a note), gzip and rotated sets.
@Suite struct TimeWindowSeekTests {
    static let start: Int64 = 1_795_993_200  // 2026-11-30T00:00:00+01:00

    /// An access log (combined with `$request_time`): `perSecond` lines per second for
    /// `seconds` seconds from `from`, a silent gap of `gap` seconds after the first half, times
    /// moved by a fixed pattern of up to `jitter` seconds, every 11th line garbage.
    static func accessLog(from: Int64, seconds: Int, perSecond: Int, gap: Int64 = 0, jitter: Int64 = 0) -> String {
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        var out = ""
        let count = seconds * perSecond
        for i in 0..<count {
            if i % 11 == 4 { out += "garbage \(i) [not a time]\n"; continue }
            var t = from + Int64(i / perSecond) + (i >= count / 2 ? gap : 0)
            if jitter > 0 { t += Int64((i * 7919) % Int(2 * jitter + 1)) - jitter }
            // Written in +0100, as nginx does in that zone.
            let local = Date(timeIntervalSince1970: TimeInterval(t + 3600))
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC")!
            let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: local)
            let stamp = String(format: "%02d/%@/%04d:%02d:%02d:%02d +0100", c.day!, months[c.month! - 1], c.year!, c.hour!, c.minute!, c.second!)
            out += "10.0.\(i % 7).\(i % 200) - - [\(stamp)] \"GET /item/\(i) HTTP/1.1\" \(i % 9 == 0 ? 503 : 200) \(100 + i % 900) \"-\" \"probe/1.0\" 0.0\(i % 10)\n"
        }
        return out
    }

    /// For each window, the lines of `files` (read in the order given) whose time is in it.
    static func truth(_ files: [URL], _ windows: [(Int64, Int64)]) throws -> [[String]] {
        let program = """
        import gzip, json, re, sys, datetime
        files = sys.argv[2:]
        windows = json.loads(sys.argv[1])
        rx = re.compile(r'^\\S+ \\S+ \\S+ \\[([^\\]]+)\\] "')
        timed = []
        for f in files:
            opener = gzip.open if f.endswith('.gz') else open
            with opener(f, 'rt') as fh:
                for line in fh:
                    line = line.rstrip('\\n')
                    m = rx.match(line)
                    if m: timed.append((int(datetime.datetime.strptime(m.group(1), '%d/%b/%Y:%H:%M:%S %z').timestamp()), line))
        print(json.dumps([[l for t, l in timed if a <= t < b] for a, b in windows]))
        """
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let script = dir.appendingPathComponent("truth.py")
        try program.write(to: script, atomically: true, encoding: .utf8)
        let json = "[" + windows.map { "[\($0.0),\($0.1)]" }.joined(separator: ",") + "]"
        let out = try Harness.shell("python3 '\(script.path)' '\(json)' " + files.map { "'\($0.path)'" }.joined(separator: " "))
        return try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [[String]])
    }

    /// Printed lines (without the `file:` prefix that several inputs add).
    static func query(_ files: [URL], _ window: (Int64, Int64), extra: [String] = []) throws -> (lines: [String], stderr: String) {
        let result = try Harness.run(["query", "status >= 0", "--since", "\(window.0)", "--until", "\(window.1)"] + extra + files.map(\.path))
        #expect(result.status == 0, "\(result.stderr)")
        var lines = result.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        if files.count > 1 { lines = lines.map { String($0[$0.index(after: $0.firstIndex(of: ":")!)...]) } }
        return (lines, result.stderr)
    }

    /// Windows over a log of `seconds` seconds from `start` with a gap: edges of seconds and
    /// minutes, inside the gap, across it, before and after the log, one second.
    static func windows(seconds: Int64, gap: Int64) -> [(Int64, Int64)] {
        let s = start, half = seconds / 2
        return [(s + 600, s + 1200), (s + 601, s + 602), (s + half - 30, s + half + 30),
                (s + half + 5, s + half + gap - 5), (s + half, s + half + gap + 60),
                (s - 7200, s - 60), (s - 7200, s + 1), (s + seconds + gap - 2, s + seconds + gap + 10),
                (s + seconds + gap + 100, s + seconds + gap + 700), (s, s + seconds + gap + 1)]
    }

    @Test(arguments: [Int64(0), 20])
    func seekPrintsTheLinesAFullFilterKeeps(jitter: Int64) throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("access.log")
        // 3 lines a second for 2 hours, a 30-minute gap: ~3.5 MB, many probes deep.
        try Self.accessLog(from: Self.start, seconds: 7200, perSecond: 3, gap: 1800, jitter: jitter).write(to: log, atomically: false, encoding: .utf8)
        let windows = Self.windows(seconds: 7200, gap: 1800)
        let truth = try Self.truth([log], windows)
        for (w, expected) in zip(windows, truth) {
            let got = try Self.query([log], w)
            #expect(got.lines == expected, "window \(w.0 - Self.start)..<\(w.1 - Self.start): \(got.lines.count) lines, truth \(expected.count)")
            #expect(!got.stderr.contains("not in order"), "\(got.stderr)")
        }
    }

    /// The next day's log first, then the day before: times go back by a day. The seek sees it,
    /// reads the whole file and says so; the lines are still those of the filter.
    @Test func outOfOrderFileIsReadWhole() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("access.log")
        let text = Self.accessLog(from: Self.start + 86400, seconds: 3600, perSecond: 3)
            + Self.accessLog(from: Self.start, seconds: 3600, perSecond: 3)
        try text.write(to: log, atomically: false, encoding: .utf8)
        let windows: [(Int64, Int64)] = [(Self.start + 600, Self.start + 1200), (Self.start + 86400 + 60, Self.start + 86400 + 120)]
        let truth = try Self.truth([log], windows)
        for (w, expected) in zip(windows, truth) {
            let got = try Self.query([log], w)
            #expect(got.lines == expected, "\(got.lines.count) lines, truth \(expected.count)")
            #expect(got.stderr.contains("not in order"), "\(got.stderr)")
        }
    }

    /// Disorder the probes miss: one stray line an hour older in the middle of the window's
    /// part. The read notices it, reads on to the end and reads the part it had skipped.
    @Test func disorderFoundWhileReadingReadsTheSkippedPart() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("access.log")
        var lines = Self.accessLog(from: Self.start, seconds: 7200, perSecond: 3).split(separator: "\n").map(String.init)
        // A line of start + 300 s placed among the lines of start + 5640 s.
        lines.insert(lines[900 + 3].replacingOccurrences(of: "/item/", with: "/stray/"), at: 5640 * 3)
        try (lines.joined(separator: "\n") + "\n").write(to: log, atomically: false, encoding: .utf8)
        let windows: [(Int64, Int64)] = [(Self.start + 5000, Self.start + 5600), (Self.start + 290, Self.start + 310)]
        let truth = try Self.truth([log], windows)
        let first = try Self.query([log], windows[0])
        #expect(first.lines == truth[0])
        #expect(first.stderr.contains("times go back"), "\(first.stderr)")
        // The stray line's own window: the seek lands early, the stray line is past the stop —
        // the one case seeking cannot see; --full-scan reads it.
        let full = try Self.query([log], windows[1], extra: ["--full-scan"])
        #expect(full.lines == truth[1])
        #expect(full.lines.contains { $0.contains("/stray/") })
    }

    /// A rotated set (`.2.gz` oldest, `.1`, then the current file): files wholly before the
    /// window are skipped, the gzip one stops after the window; the lines are the filter's over
    /// the three files oldest first.
    @Test func rotatedSetAndGzipGiveTheFilteredLines() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let oldest = dir.appendingPathComponent("access.log.2")
        let middle = dir.appendingPathComponent("access.log.1")
        let current = dir.appendingPathComponent("access.log")
        try Self.accessLog(from: Self.start, seconds: 3600, perSecond: 2, jitter: 5).write(to: oldest, atomically: false, encoding: .utf8)
        try Self.accessLog(from: Self.start + 3600, seconds: 3600, perSecond: 2, jitter: 5).write(to: middle, atomically: false, encoding: .utf8)
        try Self.accessLog(from: Self.start + 7200, seconds: 3600, perSecond: 2, jitter: 5).write(to: current, atomically: false, encoding: .utf8)
        try Harness.shell("gzip '\(oldest.path)'")
        let gz = dir.appendingPathComponent("access.log.2.gz")
        let files = [gz, middle, current]
        let windows: [(Int64, Int64)] = [(Self.start + 1000, Self.start + 1100), (Self.start + 3590, Self.start + 3610),
                                         (Self.start + 7190, Self.start + 7210), (Self.start + 9000, Self.start + 9600),
                                         (Self.start - 100, Self.start + 20000)]
        let truth = try Self.truth(files, windows)
        for (w, expected) in zip(windows, truth) {
            // Given newest first: logsift orders the set itself.
            let got = try Self.query([current, middle, gz], w)
            #expect(got.lines == expected, "window \(w.0 - Self.start)..<\(w.1 - Self.start): \(got.lines.count) lines, truth \(expected.count)")
        }
    }
}
