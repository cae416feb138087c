import Foundation
import Testing

/// An aggregating query over a big plain access log runs on several workers (the file cut at
/// line starts, as `report` cuts it): its rows equal Python's over the raw lines, and equal the
/// one-worker query's for every kind of aggregate, with any cut.
@Suite struct ParallelQueryTests {
    static let sample = Harness.packageRoot.appendingPathComponent("samples/access.log").path

    static func rows(_ arguments: [String]) throws -> [String] {
        let r = try Harness.run(["query", "--format", "json"] + arguments)
        #expect(r.status == 0, "\(r.stderr)")
        return r.text.split(separator: "\n").map(String.init)
    }

    @Test func countsByStatusEqualPython() throws {
        let out = try Harness.shell("""
            python3 -c '
            import re, sys, json, collections
            c = collections.Counter()
            for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
                m = re.match(r"\\S+ \\S+ \\S+ \\[[^]]+\\] \\"[^\\"]*\\" (\\d{3}) ", line)
                if m and int(m.group(1)) >= 400: c[m.group(1)] += 1
            print(json.dumps(c))' '\(Self.sample)'
            """)
        let truth = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Int])
        #expect(!truth.isEmpty)
        // Cut into parts of ~100 KB: seven workers' tables merged.
        let rows = try Self.rows(["--jobs", "7", "--split-bytes", "1000", "status >= 400 | count by status", Self.sample])
        var got: [String: Int] = [:]
        for row in rows {
            let o = try #require(try JSONSerialization.jsonObject(with: Data(row.utf8)) as? [String: Any])
            got["\(o["status"]!)"] = o["count"] as? Int
        }
        #expect(got == truth)
    }

    @Test func anyCutGivesTheOneWorkerRows() throws {
        let queries = [
            "count, sum(body_bytes_sent), min(request_time), max(request_time), avg(request_time) by method",
            "p50(request_time), p95(request_time), p99(request_time), percentiles(request_time) by path | limit 20",
            "count(status >= 500), rate(status >= 400), distinct(remote_addr), top(path, 3) by 15m",
            "path ~ \"^/api/\" | count by status, method",
        ]
        for query in queries {
            let one = try Self.rows(["--jobs", "1", query, Self.sample])
            #expect(!one.isEmpty)
            for jobs in ["2", "3", "5"] {
                let many = try Self.rows(["--jobs", jobs, "--split-bytes", "1", query, Self.sample])
                #expect(many == one, "--jobs \(jobs): \(query)")
            }
        }
    }
}
