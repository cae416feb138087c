import Foundation
import Testing

/// `logsift query FILTER` over a big plain access log filters chunks of it on several workers
/// and prints the matching lines in file order. Truth: Python reads the raw bytes the test
/// wrote (lines split at `\n`, a `\r` before it dropped, a last line without newline kept),
/// parses each access line with its own regex and filters it; logsift must print exactly those
/// lines, in that order, for every chunk size and worker count, and in one pass (`--jobs 1`).
@Suite struct ParallelPrintTests {
    /// Writes an access log of `combined` lines plus a request time (statuses 200…504, paths
    /// under /api/ and others, escaped quotes in some user agents), with lines that are not
    /// access lines, blank lines, CRLF lines, and a last line without a newline. Arguments:
    /// path, seed, lines.
    static let writer = #"""
    import random, sys
    path, seed, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    r = random.Random(seed)
    lines = []
    for i in range(n):
        k = r.randrange(100)
        if k < 2: lines.append(b"garbage 503 line that is no access line\n")
        elif k < 4: lines.append(b"\n")
        st = r.choice([200, 200, 200, 201, 301, 404, 499, 500, 502, 503, 504])
        p = r.choice(["/api/orders/%d" % i, "/api/v1/search?q=a%d" % i, "/static/app.js", "/", "/apix", "/cart?api=/api/"])
        ua = r.choice(["curl/8.0", "Mozilla/5.0 (X11; Linux x86_64)", r'bot \"quoted\" agent'])
        line = "10.%d.%d.%d - - [24/Nov/2026:10:%02d:%02d +0100] \"%s %s HTTP/1.1\" %d %d \"-\" \"%s\" %d.%03d" % (
            i % 7, i % 250, i % 13, i // 60 % 60, i % 60, r.choice(["GET", "POST"]), p, st, r.randrange(90000), ua,
            r.randrange(3), r.randrange(1000))
        lines.append(line.encode() + (b"" if i == n - 1 else b"\r\n" if k >= 95 else b"\n"))
    open(path, "wb").write(b"".join(lines))
    print("[]")
    """#

    /// Python's printed lines for a filter over the files read one after the other: `status`
    /// (status >= 500), `api` (path starts with /api/), `all` (every access line), `none`; with
    /// `name:` in front when there are several files. Arguments: filter, files.
    static let truth = #"""
    import json, re, sys
    which, files = sys.argv[1], sys.argv[2:]
    q = r'"((?:[^"\\]|\\.)*)"'
    rx = re.compile(r"^(\S+) \S+ \S+ \[[^\]]+\] " + q + r" (\d{3}) (\d+|-) " + q + " " + q + r" (\d+\.\d+)$")
    out = []
    for name in files:
        parts = open(name, "rb").read().split(b"\n")
        if parts[-1] == b"": parts.pop()
        for raw in parts:
            if raw.endswith(b"\r"): raw = raw[:-1]
            text = raw.decode()
            m = rx.match(text)
            if not m: continue
            path = m.group(2).split(" ")[1].split("?")[0]
            keep = {"status": int(m.group(3)) >= 500, "api": path.startswith("/api/"), "all": True, "none": False}[which]
            if keep: out.append((name + ":" if len(files) > 1 else "") + text)
    print(json.dumps(out))
    """#

    static func write(_ path: String, seed: Int, lines: Int) throws {
        _ = try QueryFamiliesTests.python(writer, [path, "\(seed)", "\(lines)"])
    }

    static func truth(_ which: String, _ files: [String]) throws -> [String] {
        try #require(try QueryFamiliesTests.python(truth, [which] + files) as? [String])
    }

    static let filters = [("status", "status >= 500"), ("api", "path ~ \"^/api/\""), ("all", "status >= 100"), ("none", "status > 999")]
    /// One pass, and chunked: one line per chunk, a few lines, a few KB, more than the file.
    static let splits: [[String]] = [
        ["--jobs", "1"],
        ["--jobs", "2", "--split-bytes", "1", "--chunk-bytes", "1"],
        ["--jobs", "2", "--split-bytes", "1", "--chunk-bytes", "700"],
        ["--jobs", "3", "--split-bytes", "1", "--chunk-bytes", "4096"],
        ["--jobs", "2", "--split-bytes", "1", "--chunk-bytes", "100000000"],
    ]

    @Test func printedLinesEqualPythonForEveryCut() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("access.log").path
        try Self.write(log, seed: 7, lines: 3000)
        for (which, filter) in Self.filters {
            let truth = try Self.truth(which, [log])
            if which == "none" { #expect(truth.isEmpty) } else { #expect(truth.count > 100, "\(which)") }
            for split in Self.splits {
                let r = try Harness.run(["query"] + split + [filter, log])
                #expect(r.status == 0, "\(split) \(filter): \(r.stderr)")
                #expect(r.text == truth.map { $0 + "\n" }.joined(), "\(split) \(filter)")
                let counted = try Harness.run(["query", "--count"] + split + [filter, log])
                #expect(counted.text == "\(truth.count)\n", "\(split) --count \(filter)")
                let limited = try Harness.run(["query"] + split + [filter + " | limit 7", log])
                #expect(limited.text == truth.prefix(7).map { $0 + "\n" }.joined(), "\(split) \(filter) | limit 7")
                let countLimited = try Harness.run(["query", "--count"] + split + [filter + " | limit 7", log])
                #expect(countLimited.text == "\(min(7, truth.count))\n", "\(split) --count \(filter) | limit 7")
            }
        }
        // JSON lines carry the same lines.
        let truth = try Self.truth("status", [log])
        let json = try Harness.run(["query", "--format", "json", "--jobs", "2", "--split-bytes", "1", "--chunk-bytes", "3000", "status >= 500", log])
        let lines = try QueryFamiliesTests.jsonLines(json).map { $0["line"] as? String }
        #expect(lines == truth)
    }

    @Test func headStopsEarlyAndQuietly() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("access.log").path
        try Self.write(log, seed: 3, lines: 40000)
        let truth = try Self.truth("all", [log])
        for split in Self.splits {
            // bash: logsift's own exit status (PIPESTATUS) and its stderr, next to head's lines.
            let command = "'\(Harness.binary.path)' query " + split.joined(separator: " ") + " 'status >= 100' '\(log)' 2>'\(dir.path)/err' | head -n 5; echo \"exit ${PIPESTATUS[0]}\""
            let out = try Harness.shell("bash -c '\(command.replacingOccurrences(of: "'", with: "'\\''"))'")
            #expect(out == truth.prefix(5).map { $0 + "\n" }.joined() + "exit 0\n", "\(split)")
            let stderr = try String(contentsOfFile: dir.path + "/err", encoding: .utf8)
            #expect(stderr.isEmpty, "\(split): \(stderr)")
        }
    }

    @Test func rotatedSetIsPrintedFileByFileAndTheLimitSpansIt() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let old = dir.appendingPathComponent("access.log.1").path, new = dir.appendingPathComponent("access.log").path
        try Self.write(old, seed: 11, lines: 800)
        try Self.write(new, seed: 12, lines: 800)
        let truth = try Self.truth("status", [old, new])
        let first = try Self.truth("status", [old]).count
        for split in Self.splits {
            let r = try Harness.run(["query"] + split + ["status >= 500", new, old])
            #expect(r.text == truth.map { $0 + "\n" }.joined(), "\(split)")
            // A limit past the first file's lines takes the rest from the second.
            let limited = try Harness.run(["query"] + split + ["status >= 500 | limit \(first + 3)", new, old])
            #expect(limited.text == truth.prefix(first + 3).map { $0 + "\n" }.joined(), "\(split)")
            let counted = try Harness.run(["query", "--count"] + split + ["status >= 500", new, old])
            #expect(counted.text == "\(truth.count)\n", "\(split)")
        }
    }
}
