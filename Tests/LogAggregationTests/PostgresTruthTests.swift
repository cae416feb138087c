import Foundation
import Testing
import LogParsing
@testable import LogAggregation

/// A log written by `Benchmarks/generate_postgres.py` with its independently computed truth:
/// per-fingerprint calls, total and max (exact, in microseconds), and every other count.
@Suite struct PostgresTruthTests {
    static func generate(events: Int, seed: Int) throws -> (lines: [[UInt8]], truth: [String: Any]) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("logsift-pg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("pg.log"), truth = dir.appendingPathComponent("truth.json")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", PostgresCorpus.packageRoot.appendingPathComponent("Benchmarks/generate_postgres.py").path,
                             "--events", "\(events)", "--seed", "\(seed)", "--out", log.path, "--truth", truth.path]
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0)
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: truth)) as! [String: Any]
        return (PostgresCorpus.lines(try Data(contentsOf: log)), object)
    }

    static func int(_ v: Any?) -> Int { (v as? NSNumber)?.intValue ?? -1 }

    @Test(arguments: [1, 2])
    func generatedLogMatchesTruth(seed: Int) throws {
        let (lines, truth) = try Self.generate(events: 20_000, seed: seed)
        let detected = try #require(PostgresFormat.detect(Array(lines.prefix(200))))
        #expect(detected.format == .stderr(prefix: "%m [%p] %q%u@%d "))
        #expect(detected.matched == 200)
        let run = PostgresCorpus.run(lines, format: detected.format, bucket: 60)
        #expect(run.unmatched.isEmpty)
        let a = run.aggregate
        #expect(Int(a.lines) == Self.int(truth["lines"]))
        #expect(Int(a.events) == Self.int(truth["events"]))
        #expect(Int(a.queries) == Self.int(truth["queries"]))
        #expect(Int((a.queryDuration.sum * 1e6).rounded()) == Self.int(truth["queries_total_us"]))
        #expect(a.unmeasuredQueries == 0 && a.durationOnly == 0 && a.truncatedEvents == 0)

        // Per fingerprint: calls, exact total and max; percentiles within the sketch's bound.
        let fingerprints = truth["fingerprints"] as! [String: [String: Any]]
        #expect(a.queryTable.count == fingerprints.count)
        for (fp, t) in fingerprints {
            let stats = try #require(a.query(fp), "missing fingerprint \(fp)")
            #expect(Int(stats.calls) == Self.int(t["calls"]), "\(fp)")
            #expect(Int((stats.duration.sum * 1e6).rounded()) == Self.int(t["total_us"]), "\(fp)")
            #expect(Int((stats.duration.max * 1e6).rounded()) == Self.int(t["max_us"]), "\(fp)")
            #expect(Int(((stats.slowest?.seconds ?? 0) * 1e6).rounded()) == Self.int(t["max_us"]), "\(fp)")
        }
        #expect(Int(a.parseSteps.count) == Self.int(truth["parse_steps"]))
        #expect(Int(a.bindSteps.count) == Self.int(truth["bind_steps"]))

        #expect(Int(a.errors) == Self.int(truth["errors"]))
        #expect(Int(a.deadlocks) == Self.int(truth["deadlocks"]))
        for (template, count) in truth["error_templates"] as! [String: Any] {
            #expect(Int(a.errorTemplates.value(for: template)?.count ?? 0) == Self.int(count), "\(template)")
        }
        #expect(Int(a.connectionsReceived) == Self.int(truth["connections_received"]))
        #expect(Int(a.connectionsAuthorized) == Self.int(truth["connections_authorized"]))
        for (key, count) in truth["connections_by_user_database"] as! [String: Any] {
            #expect(Int(a.connectionsByUserDatabase.value(for: key)?.count ?? 0) == Self.int(count), "\(key)")
        }
        #expect(Int(a.disconnections) == Self.int(truth["disconnections"]))
        #expect(Int((a.sessionDuration.sum * 1000).rounded()) == Self.int(truth["session_ms_total"]))
        #expect(Int(a.checkpoints) == Self.int(truth["checkpoints"]))
        #expect(Int(a.checkpointWriteMillis) == Self.int(truth["checkpoint_write_ms"]))
        #expect(Int(a.checkpointSyncMillis) == Self.int(truth["checkpoint_sync_ms"]))
        #expect(Int(a.checkpointTotalMillis) == Self.int(truth["checkpoint_total_ms"]))
        #expect(Int(a.autovacuums) == Self.int(truth["autovacuums"]))
        #expect(Int(a.autoanalyzes) == Self.int(truth["autoanalyzes"]))
        for (table, t) in truth["tables"] as! [String: [String: Any]] {
            let m = a.maintenance.value(for: table)
            #expect(Int(m?.vacuums ?? 0) == Self.int(t["vacuums"]), "\(table)")
            #expect(Int(m?.analyzes ?? 0) == Self.int(t["analyzes"]), "\(table)")
        }
        #expect(Int(a.tempFiles) == Self.int(truth["temp_files"]))
        #expect(Int(a.tempFileBytes) == Self.int(truth["temp_bytes"]))
        #expect(Int(a.lockWaits) == Self.int(truth["lock_waits"]))

        // Queries per minute bucket.
        let perMinute = truth["queries_per_minute"] as! [String: Any]
        let buckets = a.orderedBuckets.filter { $0.stats.queries > 0 }
        #expect(buckets.count == perMinute.count)
        for b in buckets { #expect(Int(b.stats.queries) == Self.int(perMinute[String(b.start)]), "\(b.start)") }

        // Extended-protocol examples keep their bind parameters.
        let accounts = try #require(a.query("select * from accounts where id = ?"))
        #expect(accounts.slowest?.parameters?.hasPrefix("$1 = '") == true)
    }
}
