import Foundation
import Testing

/// The same lines give the same numbers whatever way they arrive: plain, gzip, multi-member
/// gzip, standard input, a rotated set, one worker or two.
@Suite struct InputEquivalenceTests {
    /// The report without the parts that name inputs.
    static func numbers(_ result: Harness.Result) throws -> NSDictionary {
        var json = try result.json()
        json["inputs"] = nil
        if var samples = json["unmatched_samples"] as? [[String: Any]] {
            for i in samples.indices { samples[i]["input"] = nil }
            json["unmatched_samples"] = samples
        }
        return json as NSDictionary
    }

    /// A log of `lines` lines written by the test, with request times, statuses and a few bad lines.
    static func makeLog(_ url: URL, lines: Int) throws {
        var text = ""
        text.reserveCapacity(lines * 130)
        for i in 0..<lines {
            if i % 997 == 5 { text += "not an access log line \(i)\n"; continue }
            let second = i / 7
            let time = String(format: "24/Nov/2026:%02d:%02d:%02d +0000", 10 + second / 3600, second / 60 % 60, second % 60)
            let status = [200, 200, 200, 304, 404, 500, 502][i % 7]
            let ms = (i * 7919) % 3000
            text += "10.0.\(i % 7).\(i % 250) - - [\(time)] \"GET /api/items/\(i % 50)?page=\(i) HTTP/1.1\" \(status) \(i % 5000) \"-\" \"agent/\(i % 3)\" \(ms / 1000).\(String(format: "%03d", ms % 1000))\n"
        }
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    @Test func plainGzipMultiMemberStdinAndRotatedAgree() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("access.log")
        try Self.makeLog(log, lines: 30_000)
        let d = dir.path
        try Harness.shell("gzip -c '\(d)/access.log' > '\(d)/whole.gz'")
        // Multi-member: three members, cut at line boundaries, concatenated.
        try Harness.shell("""
            cd '\(d)' && split -l 10000 access.log part. && for p in part.*; do gzip -c $p; done > multi.gz
            """)
        // Rotated set: oldest in .2.gz, then .1, then the live file.
        try Harness.shell("""
            mkdir -p '\(d)/rot' && cd '\(d)/rot' && gzip -c ../part.aa > access.log.2.gz && cp ../part.ab access.log.1 && cp ../part.ac access.log
            """)
        let reference = try Harness.run(["report", "--format", "json", "--jobs", "1", log.path])
        #expect(reference.status == 0)
        let expected = try Self.numbers(reference)
        let variants: [(String, Harness.Result)] = [
            ("plain, 2 jobs, split", try Harness.run(["report", "--format", "json", "--jobs", "2", log.path])),
            ("gzip", try Harness.run(["report", "--format", "json", d + "/whole.gz"])),
            ("multi-member gzip", try Harness.run(["report", "--format", "json", d + "/multi.gz"])),
            ("stdin", try Harness.run(["report", "--format", "json", "-"], stdinFile: log)),
            ("rotated set", try Harness.run(["report", "--format", "json", d + "/rot/access.log", d + "/rot/access.log.1", d + "/rot/access.log.2.gz"])),
        ]
        for (name, result) in variants {
            #expect(result.status == 0, "\(name): \(result.stderr)")
            let numbers = try Self.numbers(result)
            if name == "rotated set" {
                // Same numbers; unmatched samples carry per-file line numbers, so compare the rest.
                let a = numbers.mutableCopy() as! NSMutableDictionary, b = expected.mutableCopy() as! NSMutableDictionary
                a["unmatched_samples"] = nil
                b["unmatched_samples"] = nil
                #expect(a == b, "\(name)")
            } else {
                #expect(numbers == expected, "\(name)")
            }
        }
        // Rotated files are read oldest first: the first input listed is the .2.gz.
        let rotated = try Harness.run(["report", "--format", "json", d + "/rot/access.log", d + "/rot/access.log.1", d + "/rot/access.log.2.gz"])
        let names = (try rotated.json()["inputs"] as? [[String: Any]])?.compactMap { $0["name"] as? String } ?? []
        #expect(names.map { URL(fileURLWithPath: $0).lastPathComponent } == ["access.log.2.gz", "access.log.1", "access.log"])
    }

    @Test func splittingOneFileBetweenWorkersKeepsLineNumbers() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("access.log")
        try Self.makeLog(log, lines: 120_000)  // > 8 MiB so it is split
        let one = try Harness.run(["report", "--format", "json", "--jobs", "1", "--samples", "200", log.path])
        let two = try Harness.run(["report", "--format", "json", "--jobs", "2", "--samples", "200", log.path])
        #expect(try Self.numbers(one) == Self.numbers(two))
        let samples = try #require(try two.json()["unmatched_samples"] as? [[String: Any]])
        #expect(samples.count == 121)
        for sample in samples {
            let line = sample["line"] as! Int
            #expect(sample["text"] as? String == "not an access log line \(line - 1)")
        }
    }

    /// Over 5,000 path templates: the path table evicts, and which paths survive depends on how
    /// the input was split. What docs/json-schema.md promises is checked against counts made
    /// here: everything outside `top_paths` is identical for --jobs 1 and 2; in each run every
    /// listed count is at most `max_count_error` below the truth and never above it; the ten
    /// heavy paths (100…1,000 requests among 12,000 seen once) are the top ten by count; and
    /// `by_p95` lists only paths with at least `by_p95_min_requests` requests.
    @Test func manyPathTemplatesOneWorkerOrTwo() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("paths.log")
        var truth: [String: Int] = [:]
        var lines: [String] = []
        var heavy: [String] = []
        for k in 0..<10 { for _ in 0..<((k + 1) * 100) { heavy.append("/heavy/h\(k)x") } }
        var h = 0
        for i in 0..<12_000 {
            lines.append("/page/p\(i)x")
            if i % 2 == 0, h < heavy.count { lines.append(heavy[h]); h += 1 }
        }
        lines += heavy[h...]
        var text = ""
        for (n, path) in lines.enumerated() {
            truth[path, default: 0] += 1
            let second = n / 10
            let time = String(format: "24/Nov/2026:10:%02d:%02d +0000", second / 60 % 60, second % 60)
            text += "10.0.0.1 - - [\(time)] \"GET \(path) HTTP/1.1\" 200 10 \"-\" \"t\" 0.\(String(format: "%03d", n % 1000))\n"
        }
        try text.write(to: log, atomically: true, encoding: .utf8)
        var runs: [[String: Any]] = []
        for jobs in ["1", "2"] {
            let result = try Harness.run(["report", "--format", "json", "--jobs", jobs, "--split-bytes", "1", "--top", "10", log.path])
            #expect(result.status == 0)
            runs.append(try result.json())
        }
        var rest = runs.map { run -> NSDictionary in
            var r = run
            r["top_paths"] = nil
            return r as NSDictionary
        }
        #expect(rest[0] == rest[1], "outside top_paths the reports differ")
        rest.removeAll()
        for (index, run) in runs.enumerated() {
            let top = try #require(run["top_paths"] as? [String: Any])
            #expect(top["exact"] as? Bool == false, "run \(index): no eviction, the test proves nothing")
            let error = try #require(top["max_count_error"] as? Int)
            let byCount = try #require(top["by_count"] as? [[String: Any]])
            for item in byCount {
                let path = try #require(item["path"] as? String), count = try #require(item["count"] as? Int)
                let real = truth[path] ?? 0
                #expect(count <= real && real - count <= error, "run \(index): \(path) \(count) of \(real), error \(error)")
            }
            #expect(Set(byCount.compactMap { $0["path"] as? String }) == Set((0..<10).map { "/heavy/h\($0)x" }))
            let floor = try #require(top["by_p95_min_requests"] as? Int)
            for item in try #require(top["by_p95"] as? [[String: Any]]) {
                #expect((item["count"] as? Int ?? 0) >= floor)
            }
        }
    }
}
