import Foundation
import Testing
import LogParsing
@testable import LogAggregation

/// Benchmark harness for `Benchmarks/bench_postgres.py`, run only when its environment is set
/// (it asserts nothing about time):
///
/// - `LOGSIFT_PG_BENCH_FILE`: a stderr log framed by `LineReader` (lines in place, no copy)
///   and fed to one `PostgresProcessor`; prints seconds, MB/s and lines/s,
///   and writes per-fingerprint calls/total to `LOGSIFT_PG_BENCH_OUT` (JSON).
/// - `LOGSIFT_PG_NORMALIZE_IN` / `_OUT`: a JSON array of query texts to fingerprint (used to map
///   pgBadger's normalized queries onto logsift's fingerprints).
@Suite struct PostgresThroughputTests {
    @Test func throughput() throws {
        let env = ProcessInfo.processInfo.environment
        guard let path = env["LOGSIFT_PG_BENCH_FILE"] else { return }
        let prefix = env["LOGSIFT_PG_BENCH_PREFIX"] ?? "%m [%p] %q%u@%d "
        let format = PostgresFormat(prefix: prefix)
        let processor = PostgresProcessor(format: format, bucketSeconds: 60, zone: .utc)
        processor.begin(format: format)
        let fed = try feedFile(path, to: processor)
        let (seconds, bytes, lines, unmatched) = (fed.seconds, fed.bytes, fed.lines, fed.unmatched)
        let a = processor.aggregate
        print(String(format: "BENCH logsift-postgres: %.3f s, %.1f MB/s, %.0f lines/s, %d lines, %d unmatched, %llu queries",
                     seconds, Double(bytes) / 1e6 / seconds, Double(lines) / seconds, lines, unmatched, a.queries))
        if let out = env["LOGSIFT_PG_BENCH_OUT"] {
            var queries: [String: Any] = [:]
            for (fp, s) in a.allQueries {
                queries[fp] = ["calls": s.calls, "unmeasured": s.unmeasured, "total_ms": s.duration.sum * 1000,
                               "max_ms": s.duration.count > 0 ? s.duration.max * 1000 : 0]
            }
            let result: [String: Any] = ["seconds": seconds, "bytes": bytes, "lines": lines, "unmatched": unmatched,
                                         "queries": a.queries, "fingerprints": queries]
            try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys]).write(to: URL(fileURLWithPath: out))
        }
    }

    @Test func normalize() throws {
        let env = ProcessInfo.processInfo.environment
        guard let input = env["LOGSIFT_PG_NORMALIZE_IN"], let output = env["LOGSIFT_PG_NORMALIZE_OUT"] else { return }
        let texts = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: input))) as! [String]
        let result = texts.map { SQLFingerprint.normalize($0) }
        try JSONSerialization.data(withJSONObject: result).write(to: URL(fileURLWithPath: output))
    }
}
