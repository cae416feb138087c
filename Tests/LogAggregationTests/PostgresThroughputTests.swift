import Foundation
import Testing
import LogParsing
@testable import LogAggregation

/// Benchmark harness for `Benchmarks/bench_postgres.py`, run only when its environment is set
/// (it asserts nothing about time):
///
/// - `LOGSIFT_PG_BENCH_FILE`: a stderr log to read in 4 MiB chunks, framing lines in place
///   (no copy per line) and feeding one `PostgresProcessor`; prints seconds, MB/s and lines/s,
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
        let fd = open(path, O_RDONLY)
        try #require(fd >= 0)
        defer { close(fd) }
        let chunk = 4 << 20
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk + (1 << 20), alignment: 16)
        defer { buffer.deallocate() }
        var carry = 0
        var bytes = 0
        var lines = 0
        var unmatched = 0
        let clock = ContinuousClock()
        let start = clock.now
        while true {
            let n = read(fd, buffer.baseAddress! + carry, chunk)
            if n <= 0 { break }
            bytes += n
            let end = carry + n
            var lineStart = 0
            var i = 0
            let base = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
            while i < end {
                guard let p = memchr(base + i, 10, end - i) else { break }
                let nl = UnsafeRawPointer(p) - UnsafeRawPointer(base)
                var lineEnd = nl
                if lineEnd > lineStart, base[lineEnd - 1] == 13 { lineEnd -= 1 }
                let verdict = processor.consume(UnsafeRawBufferPointer(start: base + lineStart, count: lineEnd - lineStart))
                if verdict == .unmatched || verdict == .limitExceeded { unmatched += 1 }
                lines += 1
                lineStart = nl + 1
                i = nl + 1
            }
            carry = end - lineStart
            if carry > 0 { memmove(base, base + lineStart, carry) }
        }
        if carry > 0 {
            _ = processor.consume(UnsafeRawBufferPointer(start: buffer.baseAddress!, count: carry))
            lines += 1
        }
        processor.endInput()
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
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
