import Foundation
import Testing

/// logsift's report against the truth that our generator (Benchmarks/generate_nginx.py, Python)
/// computed from the values it wrote: exact counts per status, class and bucket, every
/// percentile within the stated 1% bound, exact max, exact path counts.
@Suite struct GeneratedTruthTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let format: String
        let lines: Int
        let tz: String
        let bucket: Int
        let jobs: Int
        let gzip: Bool
        var testDescription: String { "\(format) \(lines) lines tz \(tz) bucket \(bucket)s jobs \(jobs)\(gzip ? " gzip" : "")" }
    }

    static let cases: [Case] = [
        Case(format: "combined_rt", lines: 150_000, tz: "+0000", bucket: 60, jobs: 2, gzip: false),
        Case(format: "combined_rt_upstream", lines: 40_000, tz: "-0700", bucket: 300, jobs: 1, gzip: true),
        Case(format: "combined", lines: 30_000, tz: "+0530", bucket: 60, jobs: 2, gzip: false),
        Case(format: "main", lines: 30_000, tz: "+0100", bucket: 3600, jobs: 2, gzip: false),
    ]

    static let quantiles = ["p50", "p90", "p95", "p99"]

    func within(_ estimate: Any?, _ truth: Any?, _ what: String) {
        guard let e = estimate as? Double, let t = truth as? Double else {
            Issue.record("\(what): missing value (logsift \(String(describing: estimate)), truth \(String(describing: truth)))")
            return
        }
        let ok = t == 0 ? e == 0 : abs(e - t) <= 0.01 * t * (1 + 1e-9)
        #expect(ok, "\(what): logsift \(e), truth \(t)")
    }

    func checkLatency(_ mine: [String: Any]?, _ truth: [String: Any]?, _ what: String) {
        guard let mine, let truth else {
            Issue.record("\(what): latency missing")
            return
        }
        #expect(mine["count"] as? Int == truth["count"] as? Int, "\(what) count")
        for q in Self.quantiles { within(mine[q], truth[q], "\(what) \(q)") }
        #expect(mine["max"] as? Double == truth["max"] as? Double, "\(what) max is exact")
    }

    /// Truth's per-class map with logsift's keys.
    func classes(_ truth: [String: Any]?) -> [String: Int] {
        var out = ["1xx": 0, "2xx": 0, "3xx": 0, "4xx": 0, "5xx": 0, "other": 0]
        for (k, v) in truth ?? [:] { out[k] = v as? Int }
        return out
    }

    @Test(arguments: cases)
    func reportMatchesGeneratorTruth(_ c: Case) throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("access.log").path
        let truthPath = dir.appendingPathComponent("truth.json").path
        let generator = Harness.packageRoot.appendingPathComponent("Benchmarks/generate_nginx.py").path
        try Harness.shell("""
            python3 '\(generator)' --quiet --lines \(c.lines) --seed 7 --format \(c.format) --tz \(c.tz) \
              --garbage-every 997 --burst --bucket \(c.bucket) --rate 20 --out '\(log)' --truth '\(truthPath)'
            """)
        var input = log
        if c.gzip {
            try Harness.shell("gzip -c '\(log)' > '\(log).gz'")
            input = log + ".gz"
        }
        let truth = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: truthPath))) as? [String: Any])
        let result = try Harness.run(["report", "--format", "json", "--bucket", "\(c.bucket)s", "--jobs", "\(c.jobs)",
                                      "--top", "100000", "--samples", "20", input])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try result.json()
        let total = try #require(report["total"] as? [String: Any])

        // Exact counts.
        #expect(total["lines"] as? Int == truth["lines"] as? Int)
        #expect(total["events"] as? Int == truth["matched"] as? Int)
        #expect(total["unmatched"] as? Int == truth["unmatched"] as? Int)
        #expect(total["bytes"] as? Int == truth["bytes_total"] as? Int)
        #expect((total["status"] as? [String: Int]) == (truth["status"] as? [String: Int]))
        #expect((total["classes"] as? [String: Int]) == classes(truth["classes"] as? [String: Any]))

        // Unmatched lines are the generator's garbage lines, with their line numbers.
        let samples = try #require(report["unmatched_samples"] as? [[String: Any]])
        let expectedLines = (truth["unmatched_line_numbers"] as? [Int] ?? []).prefix(20)
        #expect(samples.map { $0["line"] as? Int ?? -1 } == Array(expectedLines))

        // Buckets: same starts, exact counts and classes, 5xx rate, percentiles within bound.
        #expect(report["bucket_seconds"] as? Int == c.bucket)
        let buckets = try #require(report["buckets"] as? [[String: Any]])
        let truthBuckets = try #require(truth["buckets"] as? [[String: Any]])
        #expect(buckets.map { $0["start"] as? String } == truthBuckets.map { $0["start"] as? String })
        let hasLatency = c.format.contains("_rt")
        for (mine, expected) in zip(buckets, truthBuckets) {
            let start = expected["start"] as? String ?? "?"
            #expect(mine["count"] as? Int == expected["count"] as? Int, "bucket \(start)")
            #expect((mine["classes"] as? [String: Int]) == classes(expected["classes"] as? [String: Any]), "bucket \(start)")
            #expect(abs((mine["rate_5xx"] as? Double ?? -1) - (expected["rate_5xx"] as? Double ?? -2)) < 1e-12, "bucket \(start)")
            if hasLatency {
                checkLatency(mine["latency"] as? [String: Any], expected["latency"] as? [String: Any], "bucket \(start)")
            } else {
                #expect(mine["latency"] == nil)
            }
        }
        if hasLatency {
            checkLatency(total["latency"] as? [String: Any], truth["latency"] as? [String: Any], "total")
        }

        // Paths: exact counts for every template; p95 per template within bound.
        let topPaths = try #require(report["top_paths"] as? [String: Any])
        #expect(topPaths["exact"] as? Bool == true)
        let byCount = try #require(topPaths["by_count"] as? [[String: Any]])
        var counts: [String: Int] = [:]
        for p in byCount { counts[p["path"] as! String] = p["count"] as? Int }
        #expect(counts == (truth["paths"] as? [String: Int]))
        if hasLatency, let truthP95 = truth["paths_p95"] as? [String: Double] {
            for p in byCount {
                let path = p["path"] as! String
                within((p["latency"] as? [String: Any])?["p95"], truthP95[path], "path \(path) p95")
            }
        }
    }
}
