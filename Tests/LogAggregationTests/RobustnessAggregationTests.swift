import Foundation
import LogsiftTestSupport
import Testing
import LogParsing
import LogInput
@testable import LogAggregation

/// "No crash, no hang" for the per-line aggregation code: latency sketches fed any double,
/// path templates of any bytes, time buckets at the limits of `Int64`, the access processor on
/// mutated lines (with its counts checked against each other), the PostgreSQL processor in every
/// format on mutated corpus lines and random bytes, and gzip input that is not quite gzip.
/// A trap or a hang prints the case (see `RobustnessHarnessTests.swift`); a failed expectation
/// names its seed and input. Explore with `LOGSIFT_FUZZ_SEED=<n> swift test --filter Robustness`.
@Suite(.serialized) struct RobustnessAggregationTests {

    // MARK: - Latency sketch

    static let oddValues: [Double] = [
        0, -0.0, -1, -1e-300, 1e-300, .leastNonzeroMagnitude, .leastNormalMagnitude, 1e-9, 0.001, 1, 1e9, 1e18,
        1e300, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .infinity, -.infinity, .nan, -.nan, .signalingNaN,
    ]

    /// Any double is accepted. A NaN is not a duration: it is ignored (not counted). Infinities
    /// and values beyond the sketch's range are counted in its edge buckets; `min`/`max` stay
    /// exact. The bucket array stays small whatever the values.
    @Test func latencySketchTakesAnyDouble() {
        var rng = FuzzRNG(seed: fuzzSeed ^ 0x1A)
        var values = Self.oddValues
        for _ in 0..<3000 {
            switch rng.below(4) {
            case 0: values.append(Double(bitPattern: rng.next()))
            case 1: values.append(rng.pick(Self.oddValues))
            case 2: values.append(Double(rng.below(100_000)) / 1000)
            default: values.append(Double(sign: rng.chance(20) ? .minus : .plus, exponent: rng.below(2100) - 1075, significand: 1))
            }
        }
        var whole = LatencySketch()
        var halves = (LatencySketch(), LatencySketch())
        var counted: UInt64 = 0
        for (k, v) in values.enumerated() {
            FuzzCase.begin("LatencySketch.add(\(v)) bits \(String(v.bitPattern, radix: 16)) case \(k) seed \(fuzzSeed)", [])
            whole.add(v)
            if k % 2 == 0 { halves.0.add(v) } else { halves.1.add(v) }
            if !v.isNaN { counted += 1 }
            for q in [0, 0.5, 0.99, 1, .nan, -1, 2] { _ = whole.quantile(q) }
        }
        FuzzCase.end()
        #expect(whole.count == counted)
        #expect(whole.counts.count < 8192, "sketch grew to \(whole.counts.count) buckets")
        for q in [0.0, 0.5, 0.9, 0.99, 1] {
            if let e = whole.quantile(q) { #expect(!e.isNaN, "quantile \(q) is NaN") }
        }
        var merged = halves.0
        merged.merge(halves.1)
        #expect(merged == whole)
        // Only NaNs: an empty sketch.
        var nans = LatencySketch()
        nans.add(.nan)
        #expect(nans.count == 0 && nans.quantile(0.5) == nil)
    }

    // MARK: - Path templates and keyed tables

    @Test func pathTemplatesOfAnyBytes() {
        var rng = FuzzRNG(seed: fuzzSeed ^ 0x9A)
        var inputs: [[UInt8]] = ["", "/", "//", "///", "/:id", "/12345678-1234-1234-1234-123456789abc",
                                 "/12345678-1234-1234-1234-123456789abcd", "/------------------------------------"].map { Array($0.utf8) }
        inputs.append([UInt8](repeating: UInt8(ascii: "/"), count: 100_000))
        inputs.append(Array(String(repeating: "/123", count: 30_000).utf8))
        inputs.append(Array(("/" + String(repeating: "a", count: 200_000)).utf8))
        inputs.append(Array(String(repeating: "/deadbeef0", count: 10_000).utf8))
        for _ in 0..<2000 { inputs.append(Mutator.randomText(&rng, count: rng.below(700))) }
        for _ in 0..<500 { inputs.append(Mutator.randomBytes(&rng, count: rng.below(700))) }
        var table = PathTable(capacity: 64)
        let out = UnsafeMutableRawBufferPointer.allocate(byteCount: PathTemplate.maxLength, alignment: 16)
        defer { out.deallocate() }
        for (k, input) in inputs.enumerated() {
            FuzzCase.begin("PathTemplate.write case \(k) seed \(fuzzSeed)", input)
            withExactBytes(input) { b in
                for size in [0, 1, 3, PathTemplate.maxLength] {
                    let n = PathTemplate.write(b, 0..<b.count, into: UnsafeMutableRawBufferPointer(rebasing: out[0..<size]))
                    #expect(n >= 0 && n <= size, "template length \(n) for \(FuzzCase.describe(input))")
                    let i = table.index(UnsafeRawBufferPointer(rebasing: out[0..<n]))
                    table[i].record(status: rng.pick([Int.min, -1, 0, 200, 404, 503, 999, Int.max]),
                                    bytes: rng.pick([Int.min, -1, 0, 512, Int.max]),
                                    latency: rng.chance(50) ? rng.pick(Self.oddValues) : nil)
                }
            }
            #expect(table.count <= 64)
        }
        FuzzCase.end()
    }

    // MARK: - Time buckets

    /// Times anywhere in `Int64`, including both ends, with a cap small enough to widen the
    /// width to its limit.
    @Test func timeBucketsAtTheLimitsOfTime() {
        var rng = FuzzRNG(seed: fuzzSeed ^ 0x7B)
        let extremes: [Int64] = [.min, .min + 1, .min + 59, -1, 0, 1, .max - 59, .max - 1, .max,
                                 -62_135_596_800, 253_402_300_799, 1 << 62, -(1 << 62)]
        for maxBuckets in [2, 3, 10, 10_000] {
            for width in [Int64(1), 60, 3600, 1 << 40, .max] {
                var series = TimeBuckets<BucketStats>(width: width, maxBuckets: maxBuckets)
                var other = TimeBuckets<BucketStats>(width: 60, maxBuckets: maxBuckets)
                var times = extremes
                for _ in 0..<300 { times.append(rng.chance(50) ? Int64(bitPattern: rng.next()) : rng.pick(extremes) &+ (Int64(rng.below(7200)) - 3600)) }
                for (k, t) in times.enumerated() {
                    FuzzCase.begin("TimeBuckets(width: \(width), maxBuckets: \(maxBuckets)).slot(for: \(t)) case \(k) seed \(fuzzSeed)", [])
                    let slot = series.slot(for: t)
                    series[slot].requests &+= 1
                    other[other.slot(for: t &+ 1)].requests &+= 1
                    // At the widest width `Int64` holds four bucket starts (see `widestWidth`).
                    #expect(series.buckets.count <= Swift.max(maxBuckets, 4))
                }
                FuzzCase.begin("TimeBuckets.merge width \(width) maxBuckets \(maxBuckets)", [])
                series.merge(other)
                #expect(series.buckets.reduce(0) { $0 + $1.requests } == UInt64(2 * times.count))
                _ = series.ordered
            }
        }
        FuzzCase.end()
    }

    // MARK: - Access processor

    static func accessLines() -> [[UInt8]] {
        var lines = RobustnessCorpus.lines(RobustnessCorpus.packageRoot.appendingPathComponent("samples/access.log"), limit: 300)
        for path in ["lnav/test/logfile_access_log.0", "lnav/test/logfile_bad_access_log.0", "lnav/test/logfile_shop_access_log.0"] {
            lines += RobustnessCorpus.lines(relative: path, limit: 200)
        }
        return lines.filter { !$0.isEmpty }
    }

    /// Mutated access lines through `AccessProcessor` in every built-in format: no trap, and the
    /// aggregate's counts agree with each other and with the number of matched lines.
    @Test func accessProcessorCountsStayConsistent() throws {
        var rng = FuzzRNG(seed: fuzzSeed ^ 0xA9)
        let lines = Self.accessLines()
        for format in NginxFormat.builtins {
            let processor = AccessProcessor(aggregate: TrafficAggregate(bucketSeconds: 60, maxBuckets: 50, pathCapacity: 40))
            processor.begin(name: format.name, pattern: try format.compile())
            var matched: UInt64 = 0
            for i in 0..<2500 {
                var line = rng.pick(lines)
                if rng.chance(85) { line = Mutator.mutations(line, &rng) }
                FuzzCase.begin("AccessProcessor \(format.name) case \(i) seed \(fuzzSeed)", line)
                if withExactBytes(line, { processor.consume($0) }) == .matched { matched += 1 }
            }
            FuzzCase.end()
            let a = processor.aggregate
            #expect(a.total.requests == matched, "\(format.name): total \(a.total.requests) vs matched \(matched)")
            #expect(a.statusCounts.reduce(0, +) == matched)
            #expect((0...5).reduce(0) { $0 + a.total.count(ofClass: $1) } == matched)
            #expect(a.buckets.reduce(0) { $0 + $1.requests } + a.untimed == matched)
            let pathRequests = a.paths.values.reduce(0) { $0 + $1.requests }
            #expect(pathRequests + a.paths.evictedWeight + a.pathless == matched)
            #expect(a.total.latency.count <= matched)
        }
    }

    /// Records no parser writes today but the types allow: extreme times, statuses and sizes,
    /// non-finite latencies, byte counts whose sums overflow 64 bits, widening and merging.
    @Test func trafficAggregateTakesExtremeRecords() {
        var rng = FuzzRNG(seed: fuzzSeed ^ 0x7A)
        let path = Array("/api/users/42".utf8)
        func records(_ count: Int) -> [AccessRecord] {
            (0..<count).map { i in
                var r = AccessRecord()
                r.time = rng.chance(10) ? nil : rng.pick([Int64.min, .max, -1, 0, 1_795_000_000]) &+ Int64(rng.below(100_000) * 60)
                r.status = rng.pick([Int.min, -1, 0, 99, 200, 599, 600, Int.max])
                r.bytes = rng.pick([Int.min, -1, 0, 999_999_999_999_999_999, Int.max])
                r.requestTime = rng.chance(30) ? nil : rng.pick(Self.oddValues)
                r.upstreamTime = rng.chance(50) ? nil : rng.pick(Self.oddValues)
                r.path = rng.chance(20) ? nil : 0..<(1 + rng.below(path.count))
                // PathStats.merge (PathTable.swift, not fuzzed here) still sums bytes with a
                // trapping `+`: records with a path keep plausible sizes.
                if r.path != nil { r.bytes = rng.below(1 << 20) }
                _ = i
                return r
            }
        }
        var whole = TrafficAggregate(bucketSeconds: 60, maxBuckets: 4)
        var parts = (TrafficAggregate(bucketSeconds: 60, maxBuckets: 4), TrafficAggregate(bucketSeconds: 1, maxBuckets: 3))
        let all = records(3000)
        path.withUnsafeBytes { line in
            for (k, r) in all.enumerated() {
                FuzzCase.begin("TrafficAggregate.add case \(k) seed \(fuzzSeed): time \(String(describing: r.time)) status \(r.status) bytes \(r.bytes) latency \(String(describing: r.requestTime))", [])
                whole.add(r, line: line)
                if k % 2 == 0 { parts.0.add(r, line: line) } else { parts.1.add(r, line: line) }
            }
        }
        FuzzCase.begin("TrafficAggregate.merge seed \(fuzzSeed)", [])
        parts.0.merge(parts.1)
        FuzzCase.end()
        #expect(parts.0.total.requests == 3000 && whole.total.requests == 3000)
        #expect(parts.0.total.bytes == whole.total.bytes, "byte sums wrap the same way in one pass and merged")
        #expect(whole.statusCounts.reduce(0, +) == 3000)
        #expect(whole.buckets.reduce(0) { $0 + $1.requests } + whole.untimed == 3000)
    }

    // MARK: - PostgreSQL processor

    static let postgresSources: [(path: String, limit: Int)] = [
        ("pgbadger/t/fixtures/light.postgres.log.bz2", 700), ("pgbadger/t/fixtures/rds.log.bz2", 400),
        ("pgbadger/t/fixtures/pg-syslog.2.gz", 400), ("pgbadger/t/fixtures/cloudsql.log.gz", 300),
        ("pgbadger/t/fixtures/cnpg.log.gz", 300), ("pgbadger/t/fixtures/pg_vacuums.json.gz", 300),
        ("pgbadger/t/fixtures/pg_vacuums.log.gz", 300), ("pgbadger/t/fixtures/queryid.log.gz", 100),
        ("pgbadger/t/fixtures/tempfile_only.log.gz", 200), ("pgbadger/t/fixtures/anonymize.log", 100),
        ("pgbadger/t/fixtures/weeknumber.log", 100), ("pgbadger/t/fixtures/csv_statement_without_duration.log", 100),
        ("pgbadger/t/fixtures/stmt_type.log", 100), ("pgbadger/t/fixtures/pg-timezones.log", 100),
        ("pgbadger/t/fixtures/multiline_param.log", 100), ("pgbadger/t/fixtures/postgresql_param_range.log", 100),
        ("pgbadger/t/fixtures/pg_rawcsv.log", 100), ("pgbadger/t/fixtures/begin_end.log", 100),
        ("lnav/test/logfile_postgres.0", 100), ("lnav/test/logfile_postgres.1", 100), ("lnav/test/logfile_postgres.2", 100),
        ("elastic-beats/filebeat/module/postgresql/log/test/postgresql-11-multi-line.csv.log", 200),
        ("elastic-beats/filebeat/module/postgresql/log/test/postgresql-11.4.log", 200),
        ("elastic-beats/filebeat/module/postgresql/log/test/postgresql-12-min-duration-statement.log", 200),
        ("elastic-beats/filebeat/module/postgresql/log/test/postgresql-13-error-code.csv.log", 200),
        ("elastic-beats/filebeat/module/postgresql/log/test/postgresql-9.6-debian-with-slowlog.log", 200),
        ("elastic-beats/filebeat/module/postgresql/log/test/postgresql-query-steps-slowlog.log", 200),
    ]

    /// Messages whose numbers are absurd: durations, checkpoint times, buffer counts, sizes.
    static let hostilePostgresLines: [String] = [
        "2024-06-27 00:00:07.369 CEST [123] LOG:  checkpoint complete: wrote 999999999999999999 buffers (100.0%); 0 WAL file(s) added, 0 removed, 0 recycled; write=999999999999999999 s, sync=999999999999999999.999 s, total=999999999999999999 s; sync files=1",
        "2024-06-27 00:00:07.369 CEST [123] LOG:  checkpoint complete: wrote 99999999999999999999 buffers; write=0.000000000000000000001 s, sync=. s, total=1.2.3 s",
        "2024-06-27 00:00:07.369 CEST [123] LOG:  restartpoint complete: wrote 1 buffers; write=99999999999999999 s",
        "2024-06-27 00:00:07.369 CEST [123] LOG:  temporary file: path \"base/pgsql_tmp/x\", size 999999999999999999",
        "2024-06-27 00:00:07.369 CEST [123] LOG:  temporary file: path \"base/pgsql_tmp/x\", size 99999999999999999999999",
        "2024-06-27 00:00:07.369 CEST [123] LOG:  duration: 999999999999999999 ms  statement: select 1",
        "2024-06-27 00:00:07.369 CEST [123] LOG:  duration: 99999999999999999999999 ms",
        "2024-06-27 00:00:07.369 CEST [123] LOG:  duration: . ms  statement: select 1",
        "2024-06-27 00:00:07.369 CEST [123] LOG:  disconnection: session time: 999999999999999999:999999999999999999:999999999999999999.9 user=a database=b host=c",
        "2024-06-27 00:00:07.369 CEST [123] LOG:  process 1 still waiting for ShareLock on transaction 2 after 999999999999999999.999 ms",
        "2024-06-27 00:00:07.369 CEST [999999999999999999] LOG:  statement: select 1",
        "2024-06-27 00:00:07.369 CEST [999999999999999999] LOG:  duration: 1.0 ms",
        "9999-12-31 23:59:59.999 +14 [1] LOG:  duration: 1 ms  statement: select 1",
        "0000-00-00 00:00:00.000 -99 [1] LOG:  duration: 1 ms  statement: select 1",
        "2024-06-27 00:00:07.369 XYZABCDEFGHIJKLMNOP [1] ERROR:  42P01: relation \"x\" does not exist",
        "2024-06-27 00:00:07.369 CEST [1] ERROR:  ",
        "2024-06-27 00:00:07.369 CEST [1] LOG:  connection authorized: user= database=",
        "2024-06-27 00:00:07.369 CEST [1] LOG:  automatic vacuum of table \"",
        "2024-06-27 00:00:07.369 CEST [1] LOG:  execute : ",
        "2024-06-27 00:00:07.369 CEST [1] LOG:  duration: 1 ms  execute ",
    ]

    /// Each processor format over mutated corpus lines, hostile messages and random bytes, with
    /// the normal and the smallest event buffer: no trap, no hang.
    @Test func postgresProcessorInEveryFormat() throws {
        var rng = FuzzRNG(seed: fuzzSeed ^ 0x9D)
        var sources = Self.postgresSources.map { RobustnessCorpus.lines(relative: $0.path, limit: $0.limit) }.filter { !$0.isEmpty }
        sources.append(Self.hostilePostgresLines.map { Array($0.utf8) })
        let formats: [PostgresFormat] = [
            .stderr(prefix: "%m [%p] %q%u@%d "), .stderr(prefix: "%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h "),
            .stderr(prefix: "%t:%r:%u@%d:[%p]:"), .stderr(prefix: ""), .stderr(prefix: "%n %e %c %v %x %Q %b %i "),
            .csvlog, .jsonlog, .syslog(prefix: "%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h "), .syslog(prefix: ""),
        ]
        for (f, format) in formats.enumerated() {
            for maxEventBytes in [1024, 64 * 1024] {
                let processor = PostgresProcessor(format: format, bucketSeconds: 60, zone: .local, maxEventBytes: maxEventBytes)
                processor.aggregate = PostgresAggregate(bucketSeconds: 60, maxBuckets: 20)
                // Whole files first (the format's own and the others), then mutations.
                for (s, source) in sources.enumerated() {
                    for (i, line) in source.prefix(150).enumerated() {
                        FuzzCase.begin("PostgresProcessor \(format.name) maxEventBytes \(maxEventBytes) source \(s) line \(i)", line)
                        _ = withExactBytes(line) { processor.consume($0) }
                    }
                    processor.endInput()
                }
                let iterations = maxEventBytes == 1024 ? 800 : 2500
                for i in 0..<iterations {
                    let line: [UInt8]
                    switch rng.below(10) {
                    case 0: line = Mutator.randomBytes(&rng, count: rng.below(300))
                    case 1: line = [UInt8](repeating: rng.pick(Mutator.nasty), count: rng.below(3000))
                    case 2: line = Array(rng.pick(Self.hostilePostgresLines).utf8)
                    default: line = Mutator.mutations(rng.pick(rng.pick(sources)), &rng)
                    }
                    FuzzCase.begin("PostgresProcessor format \(f) \(format.name) maxEventBytes \(maxEventBytes) case \(i) seed \(fuzzSeed)", line)
                    _ = withExactBytes(line) { processor.consume($0) }
                    if rng.chance(2) { processor.endInput() }
                }
                FuzzCase.begin("PostgresProcessor.endInput \(format.name)", [])
                processor.endInput()
                let a = processor.aggregate
                #expect(a.severities.reduce(0, +) == a.events)
                #expect(a.buckets.reduce(0) { $0 + $1.events } + a.untimed == a.events)
                // Merging two aggregates with wrapped sums must not trap either.
                var merged = a
                merged.merge(a)
                #expect(merged.events == 2 * a.events)
            }
        }
        FuzzCase.end()
    }

    // MARK: - Inputs that trapped before (regressions)

    /// 20 lines of 999999999999999999 bytes in two minutes: their sum overflows 64 bits when
    /// widening merges the two buckets (one worker) or when workers' totals merge.
    @Test func byteSumsThatOverflowWhenMerged() {
        var one = TrafficAggregate(bucketSeconds: 60, maxBuckets: 2)
        var other = TrafficAggregate(bucketSeconds: 60, maxBuckets: 2)
        var r = AccessRecord()
        r.status = 200
        r.bytes = 999_999_999_999_999_999
        [UInt8]().withUnsafeBytes { line in
            for i in 0..<20 {
                r.time = Int64(i / 10 * 60)
                one.add(r, line: line)
                other.add(r, line: line)
            }
            r.time = 3600  // a third bucket: the series widens, merging the first two
            one.add(r, line: line)
        }
        one.merge(other)
        #expect(one.total.requests == 41)
        #expect(one.total.bytes == 41 &* 999_999_999_999_999_999)
    }

    /// A checkpoint time of 10^18 seconds trapped converting its milliseconds to `Int64`;
    /// an `Int64.min` time trapped `TimeBuckets` (slot -1); `.infinity` trapped the sketch.
    @Test func valuesThatTrapped() {
        let processor = PostgresProcessor(format: .stderr(prefix: "%m [%p] "), bucketSeconds: 60, zone: .utc)
        for line in Self.hostilePostgresLines.prefix(2) + ["2024-06-27 00:00:08 UTC [1] LOG:  connection received: host=x"] {
            _ = withExactBytes(Array(line.utf8)) { processor.consume($0) }
        }
        processor.endInput()
        #expect(processor.aggregate.checkpoints == 2)
        #expect(processor.aggregate.checkpointBuffers == 1_000_000_000_000_000_000)  // the double nearest
        var series = TimeBuckets<BucketStats>(width: 60)
        #expect(series.slot(for: .min) == 0)
        var sketch = LatencySketch()
        sketch.add(.infinity)
        sketch.add(.nan)
        sketch.add(1)
        #expect(sketch.count == 2 && sketch.max == .infinity && sketch.quantile(.nan) == nil)
        #expect(sketch.quantile(0.5) == sketch.quantile(0))
    }

    // MARK: - gzip input

    final class ChunkSource: ByteSource {
        let bytes: [UInt8]
        var at = 0
        var rng: FuzzRNG
        init(_ bytes: [UInt8], seed: UInt64) { self.bytes = bytes; rng = FuzzRNG(seed: seed) }
        func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
            let n = Swift.min(buffer.count, bytes.count - at, 1 + rng.below(rng.chance(50) ? 16 : 70_000))
            guard n > 0 else { return 0 }
            bytes.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + at, byteCount: n) }
            at += n
            return n
        }
    }

    /// gzip magic followed by random bytes, and real gzip files with bytes flipped, cut or
    /// appended, read through `LineReader` in random pieces: every read ends (data, a
    /// `truncatedGzip` or a `corruptGzip` error), and nothing traps.
    @Test func gzipSourceOnBrokenStreams() throws {
        var rng = FuzzRNG(seed: fuzzSeed ^ 0x6F)
        let real = Array(try Data(contentsOf: RobustnessCorpus.packageRoot.appendingPathComponent("samples/access.log.2.gz")))
        var inputs: [[UInt8]] = [[0x1f], [0x1f, 0x8b], [0x1f, 0x8b, 8], [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3], real + [0, 0, 0],
                                 real + [0x1f], real + [0x1f, 0x8b], real + real, Array(real.prefix(real.count - 1))]
        for _ in 0..<150 { inputs.append([0x1f, 0x8b] + Mutator.randomBytes(&rng, count: rng.below(2000))) }
        // A header with every flag set (FEXTRA, FNAME, FCOMMENT, FHCRC) and random fields.
        for _ in 0..<50 { inputs.append([0x1f, 0x8b, 8, 0x1e] + Mutator.randomBytes(&rng, count: rng.below(600))) }
        for _ in 0..<150 {
            var b = real
            for _ in 0..<(1 + rng.below(4)) {
                switch rng.below(3) {
                case 0: b[rng.below(b.count)] ^= UInt8(truncatingIfNeeded: 1 << rng.below(8))
                case 1: b.removeSubrange(rng.below(b.count)...)
                default: b[rng.below(Swift.min(b.count, 20))] = UInt8(truncatingIfNeeded: rng.next())
                }
                if b.isEmpty { b = [0x1f] }
            }
            inputs.append(b)
        }
        for (k, input) in inputs.enumerated() {
            FuzzCase.begin("GzipSource case \(k) seed \(fuzzSeed)", input)
            let gzip = try GzipSource(compressed: ChunkSource(input, seed: fuzzSeed &+ UInt64(k)), path: "fuzz.gz",
                                      inputBufferSize: rng.pick([64, 4096, 256 * 1024]))
            let reader = LineReader(source: gzip, maxLineLength: rng.pick([1, 100, 1 << 20]), readSize: rng.pick([1, 7, 4096]))
            var lines = 0
            while reader.nextLine() != nil {
                lines += 1
                if lines > 10_000_000 { Issue.record("runaway gzip read, case \(k) seed \(fuzzSeed)"); break }
            }
        }
        FuzzCase.end()
    }
}
