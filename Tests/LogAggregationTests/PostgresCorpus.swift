import Foundation
import LogsiftTestSupport
import Testing
import LogParsing
@testable import LogAggregation

/// Finds the shared corpora and reads (decompressing) the PostgreSQL fixtures, and runs a
/// `PostgresProcessor` over lines the way the engine will.
enum PostgresCorpus {
    static var packageRoot: URL { Corpora.packageRoot }

    static func root(_ test: String = #function) -> URL? { Corpora.root(for: test) }

    /// The file's bytes, decompressed for `.bz2` / `.gz`.
    static func read(_ url: URL) throws -> Data { try Corpora.data(url) }

    /// Lines split on `\n` with a trailing `\r` removed.
    static func lines(_ data: Data) -> [[UInt8]] {
        var result: [[UInt8]] = []
        var bytes = [UInt8](data)
        if bytes.last == 10 { bytes.removeLast() }
        for slice in bytes.split(separator: 10, omittingEmptySubsequences: false) {
            var line = Array(slice)
            if line.last == 13 { line.removeLast() }
            result.append(line)
        }
        return result
    }

    struct Run {
        var aggregate: PostgresAggregate
        var unmatched: [(Int, String)] = []
        var matched = 0
        var continuation = 0
    }

    /// Feeds `lines` to a processor of `format` (detected when nil).
    static func run(_ lines: [[UInt8]], format: PostgresFormat? = nil, bucket: Int64 = 60,
                    zone: ZoneRule = .utc, maxEventBytes: Int = 64 * 1024) -> Run {
        let format = format ?? PostgresFormat.detect(Array(lines.prefix(200)))?.format ?? .stderr(prefix: "")
        let processor = PostgresProcessor(format: format, bucketSeconds: bucket, zone: zone, maxEventBytes: maxEventBytes)
        processor.begin(format: format)
        var run = Run(aggregate: processor.aggregate)
        for (n, line) in lines.enumerated() {
            let verdict = line.withUnsafeBytes { processor.consume($0) }
            switch verdict {
            case .matched: run.matched += 1
            case .continuation: run.continuation += 1
            case .unmatched, .limitExceeded:
                if !line.isEmpty { run.unmatched.append((n + 1, String(decoding: line, as: UTF8.self))) }
            }
        }
        processor.endInput()
        run.aggregate = processor.aggregate
        return run
    }

    static func fixture(_ root: URL, _ relative: String) throws -> [[UInt8]] {
        try lines(read(root.appendingPathComponent(relative)))
    }
}
