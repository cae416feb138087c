import Foundation
import Testing

/// `query … by KEY` keeps a bounded table of groups: over far more keys than `--max-groups`,
/// peak memory stays under 100 MB and the output says `exact: false` with what was evicted;
/// under the bound every count is exact. Truth: Python's Counter over the generated lines, and
/// the generator's line count.
@Suite struct QueryGroupBoundTests {
    /// Writes `lines` combined-format lines to `path`: line i has client 10.x.y.z and path
    /// /item/<i mod keys> (so `keys` distinct (remote_addr, path) pairs when keys <= 2^24),
    /// times one second apart.
    static func generate(_ path: String, lines: Int, keys: Int) throws {
        try Harness.shell("""
            python3 -c '
            import sys
            n, k = int(sys.argv[2]), int(sys.argv[3])
            with open(sys.argv[1], "w") as f:
                for i in range(n):
                    j = (i * 7919) % k
                    s = i % 60; m = (i // 60) % 60; h = (i // 3600) % 24
                    f.write("10.%d.%d.%d - - [24/Nov/2026:%02d:%02d:%02d +0000] \\"GET /item/%d HTTP/1.1\\" 200 %d \\"-\\" \\"gen\\"\\n"
                            % (j >> 16 & 255, j >> 8 & 255, j & 255, h, m, s, j, i % 1000))
            ' '\(path)' \(lines) \(keys)
            """)
    }

    /// Runs the binary under a Python wrapper: its stdout, and its peak RSS in KiB (getrusage
    /// of the child).
    static func runMeasured(_ arguments: [String], output: String) throws -> (status: Int, maxRSSKiB: Int) {
        let args = ([Harness.binary.path] + arguments).map { "'\($0)'" }.joined(separator: " ")
        let out = try Harness.shell("""
            python3 -c '
            import resource, subprocess, sys
            with open(sys.argv[1], "wb") as out:
                status = subprocess.call(sys.argv[2:], stdout=out, stderr=subprocess.DEVNULL)
            print(status, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
            ' '\(output)' \(args)
            """)
        let parts = out.split(separator: " ").map { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1 }
        return (parts.first ?? -1, parts.count > 1 ? parts[1] : -1)
    }

    static func jsonLines(_ path: String) throws -> [[String: Any]] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    /// 400,000 distinct (remote_addr, path) keys, four times the default bound, on the parallel
    /// path (the file is cut between workers) and on one worker.
    @Test func manyGroupsStayUnder100MB() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("access.log").path
        let lines = 400_000
        try Self.generate(log, lines: lines, keys: lines)
        for jobs in ["2", "1"] {
            for query in ["count by remote_addr, path", "count, p95(body_bytes_sent) by remote_addr, path"] {
                let output = dir.appendingPathComponent("out-\(jobs).json").path
                let (status, rss) = try Self.runMeasured(["query", "--jobs", jobs, "--format", "json", query, log], output: output)
                #expect(status == 0)
                #expect(rss > 0 && rss < 100 * 1024, "\(query) --jobs \(jobs): peak RSS \(rss) KiB")
                let rows = try Self.jsonLines(output)
                let note = try #require(rows.last)
                #expect(note["exact"] as? Bool == false)
                let evicted = note["evicted_events"] as? Int ?? -1
                // Every event is in a listed group or counted as evicted (each key once here).
                let listed = rows.dropLast().reduce(0) { $0 + ($1["count"] as? Int ?? 0) }
                #expect(listed + evicted == lines, "\(listed) listed + \(evicted) evicted")
                #expect(rows.count - 1 <= note["max_groups"] as? Int ?? 0)
                #expect(note["evicted_groups"] as? Int ?? 0 >= lines - (note["max_groups"] as? Int ?? 0))
            }
        }
    }

    /// Under the bound: each group's count equals Python's Counter, and no `exact` note.
    @Test func underTheBoundCountsAreExact() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("access.log").path
        try Self.generate(log, lines: 30_000, keys: 2_500)
        let truthText = try Harness.shell("""
            python3 -c '
            import collections, json, re, sys
            c = collections.Counter()
            for line in open(sys.argv[1]):
                m = re.match(r"(\\S+) \\S+ \\S+ \\[[^]]+\\] \\"GET (\\S+) ", line)
                c[m.group(1) + " " + m.group(2)] += 1
            print(json.dumps(c))' '\(log)'
            """)
        let truth = try #require(try JSONSerialization.jsonObject(with: Data(truthText.utf8)) as? [String: Int])
        #expect(truth.count == 2_500)
        for jobs in ["2", "1"] {
            let r = try Harness.run(["query", "--jobs", jobs, "--split-bytes", "100000", "--format", "json",
                                     "count by remote_addr, path", log])
            #expect(r.status == 0, "\(r.stderr)")
            var got: [String: Int] = [:]
            for line in r.text.split(separator: "\n") {
                let o = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                #expect(o["exact"] == nil)
                got["\(o["remote_addr"]!) \(o["path"]!)"] = o["count"] as? Int
            }
            #expect(got == truth)
        }
    }

    /// Past `--max-groups`: the note in each output format, and listed + evicted = all events.
    @Test func maxGroupsNoteInEveryFormat() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("access.log").path
        try Self.generate(log, lines: 5_000, keys: 1_000)
        let json = try Harness.run(["query", "--max-groups", "100", "--format", "json", "count by path", log])
        #expect(json.status == 0)
        let rows = json.text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let note = try #require(rows.last)
        #expect(note["exact"] as? Bool == false && note["max_groups"] as? Int == 100)
        let listed = rows.dropLast().reduce(0) { $0 + ($1["count"] as? Int ?? 0) }
        #expect(listed + (note["evicted_events"] as? Int ?? -1) == 5_000)
        let csv = try Harness.run(["query", "--max-groups", "100", "--format", "csv", "count by path", log])
        #expect(csv.text.split(separator: "\n").last?.hasPrefix("# exact: false, evicted_groups: ") == true, "\(csv.text.suffix(200))")
        let text = try Harness.run(["query", "--max-groups", "100", "count by path", log])
        #expect(text.text.split(separator: "\n").last?.hasPrefix("exact: false (") == true)
        #expect(text.stderr.contains("evicted"))
        let bad = try Harness.run(["query", "--max-groups", "1", "count by path", log])
        #expect(bad.status == 64 && bad.stderr.contains("--max-groups"))
    }
}
