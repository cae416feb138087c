import Foundation
import Testing

/// The PostgreSQL and application samples through the real binary, against the truth their
/// generators wrote (Benchmarks/generate_postgres.py, generate_applog.py).
@Suite struct FamilySamplesTests {
    static let samples = Harness.packageRoot.appendingPathComponent("samples")

    func truth(_ name: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: Self.samples.appendingPathComponent("truth/\(name)"))) as? [String: Any])
    }

    @Test func postgresSampleMatchesItsTruth() throws {
        let truth = try truth("postgresql.log.json")
        let result = try Harness.run(["report", "--format", "json", "--top", "100",
                                      Self.samples.appendingPathComponent("postgresql.log").path])
        #expect(result.status == 0, "\(result.stderr)")
        let pg = try #require(try result.json()["postgres"] as? [String: Any])
        let totals = try #require(pg["totals"] as? [String: Any])
        #expect(totals["queries"] as? Int == truth["queries"] as? Int)
        #expect(totals["events"] as? Int == truth["events"] as? Int)
        #expect(totals["lines"] as? Int == truth["lines"] as? Int)
        #expect((pg["errors"] as? [String: Any])?["count"] as? Int == truth["errors"] as? Int)
        #expect((pg["connections"] as? [String: Any])?["received"] as? Int == truth["connections_received"] as? Int)
        #expect((pg["checkpoints"] as? [String: Any])?["completed"] as? Int == truth["checkpoints"] as? Int)
        let maintenance = try #require(pg["maintenance"] as? [String: Any])
        #expect(maintenance["autovacuums"] as? Int == truth["autovacuums"] as? Int)
        #expect(maintenance["autoanalyzes"] as? Int == truth["autoanalyzes"] as? Int)
        let temp = try #require(pg["temp_files"] as? [String: Any])
        #expect(temp["count"] as? Int == truth["temp_files"] as? Int)
        #expect(temp["bytes"] as? Int == truth["temp_bytes"] as? Int)
        let locks = try #require(pg["locks"] as? [String: Any])
        #expect(locks["waits"] as? Int == truth["lock_waits"] as? Int)
        #expect(locks["deadlocks"] as? Int == truth["deadlocks"] as? Int)
        // Per normalized statement: calls exact, total time to the microsecond the log carries.
        let fingerprints = try #require(truth["fingerprints"] as? [String: [String: Any]])
        let items = try #require((pg["top_queries"] as? [String: Any])?["items"] as? [[String: Any]])
        var mine: [String: [String: Any]] = [:]
        for item in items { mine[item["fingerprint"] as! String] = item }
        #expect(Set(mine.keys) == Set(fingerprints.keys))
        for (fingerprint, expected) in fingerprints {
            let got = mine[fingerprint]
            #expect(got?["calls"] as? Int == expected["calls"] as? Int, "\(fingerprint)")
            let totalMs = Double(expected["total_us"] as! Int) / 1000
            #expect(abs((got?["total_ms"] as? Double ?? -1) - totalMs) < 1e-6, "\(fingerprint)")
            #expect(abs((got?["max_ms"] as? Double ?? -1) - Double(expected["max_us"] as! Int) / 1000) < 1e-9, "\(fingerprint)")
        }
    }

    @Test func applicationSampleMatchesItsTruth() throws {
        let truth = try truth("app.log.json")
        let result = try Harness.run(["report", "--format", "json", "--tz", "UTC",
                                      Self.samples.appendingPathComponent("app.log").path])
        #expect(result.status == 0, "\(result.stderr)")
        let app = try #require(try result.json()["application"] as? [String: Any])
        #expect(app["events"] as? Int == truth["events"] as? Int)
        #expect(app["continuation_lines"] as? Int == truth["continuation_lines"] as? Int)
        let levels = try #require(app["levels"] as? [String: Int])
        for (level, count) in try #require(truth["levels"] as? [String: Int]) {
            #expect(levels[level] == count, "\(level)")
        }
        #expect(abs((app["error_rate"] as? Double ?? -1) - (truth["error_rate"] as? Double ?? -2)) < 1e-12)
    }
}
