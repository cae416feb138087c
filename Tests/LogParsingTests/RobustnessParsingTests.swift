import Foundation
import LogsiftTestSupport
import Testing
@testable import LogParsing
import PCRE2

/// "No crash, no hang" for the per-line parsers: seeded mutations of real lines and random
/// bytes through the byte parsers, zone rules, access-record parsers (every built-in nginx format
/// and a few custom ones and grok patterns), PostgreSQL prefixes and detection, SQL fingerprints
/// and the grok compiler. Every input is handed over in memory of exactly its size, so a read
/// past its end traps in this debug build; a trap or a hang prints the case (see
/// `RobustnessHarnessTests.swift`), a failed expectation names its seed and input.
///
/// Reproduce or explore: `LOGSIFT_FUZZ_SEED=<n> swift test --filter Robustness`.
@Suite(.serialized) struct RobustnessParsingTests {

    // MARK: - Byte parsers

    /// Every byte parser on random text, on tokens (huge digit runs, `1e308`, impossible dates)
    /// and on every sub-range of them: no trap, and the values are in range.
    @Test func byteParsersOnAnyBytes() {
        var rng = FuzzRNG(seed: fuzzSeed ^ 0xB1)
        var inputs: [[UInt8]] = Mutator.tokens.map { Array($0.utf8) }
        for _ in 0..<3000 {
            var b = rng.chance(50) ? Array(rng.pick(Mutator.tokens).utf8) : Mutator.randomText(&rng, count: rng.below(40))
            if rng.chance(50) { b = Mutator.mutations(b, &rng) }
            inputs.append(b)
        }
        for _ in 0..<300 { inputs.append(Mutator.randomBytes(&rng, count: rng.below(32))) }
        // Long digit runs, with and without a dot.
        for n in [17, 18, 19, 20, 40, 400, 5000] {
            let digits = [UInt8](repeating: UInt8(ascii: "9"), count: n)
            inputs.append(digits)
            inputs.append(digits + Array(".5".utf8))
            inputs.append(Array("0.".utf8) + digits)
            inputs.append(Array("-".utf8) + digits)
            inputs.append([UInt8](repeating: UInt8(ascii: "0"), count: n) + Array("1.25".utf8))
        }
        for (k, input) in inputs.enumerated() {
            FuzzCase.begin("byteParsers seed \(fuzzSeed) case \(k)", input)
            withExactBytes(input) { b in
                // Whole input and a few sub-ranges (a sub-range must not read outside itself;
                // reads beyond the buffer trap).
                var ranges: [Range<Int>] = [0..<b.count]
                if b.count > 0 {
                    let s = rng.below(b.count)
                    ranges.append(s..<b.count)
                    ranges.append(0..<rng.below(b.count + 1))
                    ranges.append(s..<(s + rng.below(b.count - s + 1)))
                }
                for r in ranges {
                    if let v = ByteParsing.integer(b, r) {
                        #expect(v >= 0 && v < 1_000_000_000_000_000_000, "integer \(v) of \(FuzzCase.describe(Array(b[r]))) seed \(fuzzSeed)")
                    }
                    if let v = ByteParsing.decimal(b, r) {
                        #expect(v.isFinite && abs(v) < 1e19, "decimal \(v) of \(FuzzCase.describe(Array(b[r]))) seed \(fuzzSeed)")
                    }
                    if let v = ByteParsing.upstreamTime(b, r) {
                        #expect(v.isFinite, "upstreamTime \(v) of \(FuzzCase.describe(Array(b[r]))) seed \(fuzzSeed)")
                    }
                    _ = ByteParsing.timestamp(b, r, defaultOffset: 14 * 3600)
                    _ = ByteParsing.timestamp(b, r, defaultOffset: -12 * 3600)
                    _ = ByteParsing.timeLocal(b, r)
                    _ = ByteParsing.iso8601(b, r)
                    _ = ZoneRule.offset(b, r)
                }
            }
        }
        FuzzCase.end()
    }

    /// Every sub-range of real timestamps, including ranges that end exactly at the end of the
    /// buffer, where a look-ahead of one byte would trap.
    @Test func timestampsCutAnywhere() {
        let samples = ["24/Nov/2026:00:00:01 +0100", "1/Jan/2026:00:00:01 -0530", "2026-11-24T00:00:01+01:00",
                       "2026-11-24 00:00:01.123Z", "2026-11-24T00:00:01.123456-05:30", "1732406401.123",
                       "99/Xyz/0000:99:99:99 +9999", "31/Dec/9999:23:59:59 +1400", "01/Jan/0001:00:00:00 -1200",
                       "9999-12-31T23:59:59+14:00", "0000-00-00T00:00:00", "12", "1/", "12/"]
        for (k, text) in samples.enumerated() {
            let bytes = Array(text.utf8)
            for start in 0...bytes.count {
                for end in start...bytes.count {
                    let piece = Array(bytes[start..<end])
                    FuzzCase.begin("timestampsCutAnywhere sample \(k) \(start)..<\(end)", piece)
                    withExactBytes(piece) { b in
                        _ = ByteParsing.timestamp(b, 0..<b.count)
                        _ = ByteParsing.timeLocal(b, 0..<b.count)
                        _ = ByteParsing.iso8601(b, 0..<b.count, defaultOffset: 3600)
                        _ = ZoneRule.offset(b, 0..<b.count)
                    }
                }
            }
        }
        FuzzCase.end()
    }

    /// Years 0001 and 9999 read to the right day; `99/Xyz/0000…` is refused.
    @Test func extremeDates() {
        func epoch(_ s: String) -> Int64? { withBytes(s) { ByteParsing.timestamp($0, $1) } }
        #expect(epoch("01/Jan/0001:00:00:00 +0000") == -62_135_596_800)
        #expect(epoch("31/Dec/9999:23:59:59 +0000") == 253_402_300_799)
        #expect(epoch("0001-01-01T00:00:00Z") == -62_135_596_800)
        #expect(epoch("9999-12-31T23:59:59Z") == 253_402_300_799)
        #expect(epoch("99/Xyz/0000:99:99:99 +9999") == nil)
        #expect(epoch("12") == 12)
        #expect(epoch("1e308") == nil)
    }

    /// `daysFromCivil` and `civil(fromDays:)` accept any integers without trapping, and are
    /// inverse over ±100 million years.
    @Test func civilArithmeticAtTheExtremes() {
        var rng = FuzzRNG(seed: fuzzSeed ^ 0xC1)
        let extremes: [Int64] = [.min, .min + 1, -1, 0, 1, .max - 1, .max, Int64(Int32.max), Int64(Int32.min)]
        FuzzCase.begin("civil/daysFromCivil at Int64 extremes", [])
        for d in extremes { _ = ByteParsing.civil(fromDays: d) }
        for y in extremes { for m in [Int.min, -13, 0, 1, 2, 3, 12, 13, Int.max] { for day in [Int.min, 0, 1, 31, Int.max] {
            _ = ByteParsing.daysFromCivil(year: Int(y), month: m, day: day)
        } } }
        for _ in 0..<20000 {
            let days = Int64(rng.below(73_000_000_000)) - 36_500_000_000
            let c = ByteParsing.civil(fromDays: days)
            #expect(ByteParsing.daysFromCivil(year: Int(c.year), month: Int(c.month), day: Int(c.day)) == Int(days),
                    "civil round trip of \(days) seed \(fuzzSeed)")
        }
        FuzzCase.end()
    }

    /// `--tz` values of any shape, and `utc(fromNaive:)` at the extremes of `Int64`.
    @Test func zoneRulesAtTheExtremes() {
        var rng = FuzzRNG(seed: fuzzSeed ^ 0x2E)
        let texts = ["", "+", "-", "+1", "+14", "+99", "+9999", "-99:99", "+14:00", "-12:00", "+0:", "++0100", "local", "LOCAL",
                     "utc", "CEST", "xyz", "+01:0", "\u{0}", "é", "+١٢"]
        for text in texts { _ = ZoneRule.parse(text) }
        for _ in 0..<500 {
            let text = String(decoding: Mutator.randomText(&rng, count: rng.below(8)), as: UTF8.self)
            FuzzCase.begin("ZoneRule.parse", Array(text.utf8))
            if let rule = ZoneRule.parse(text), case .fixed(let offset) = rule.kind {
                #expect(abs(offset) <= 14 * 3600 + 59 * 60, "offset \(offset) for \(text)")
            }
        }
        FuzzCase.end()
        let naive: [Int64] = [.min, .min + 1, .min + 3599, -3600, -1, 0, 1, 3599, 3600, .max - 3600, .max - 1, .max,
                              -62_135_596_800, 253_402_300_799, 1 << 40, -(1 << 40)]
        for kind in [ZoneRule.Kind.local, .fixed(offsetSeconds: 14 * 3600), .fixed(offsetSeconds: -12 * 3600), .fixed(offsetSeconds: 0)] {
            var rule = ZoneRule(kind)
            for t in naive {
                FuzzCase.begin("ZoneRule(\(kind)).utc(fromNaive: \(t))", [])
                _ = rule.utc(fromNaive: t)
            }
            for _ in 0..<200 {
                let t = Int64(bitPattern: rng.next())
                FuzzCase.begin("ZoneRule(\(kind)).utc(fromNaive: \(t))", [])
                _ = rule.utc(fromNaive: t)
            }
        }
        // Without it the watchdog, seeing the last case "running" with no case after it,
        // aborted a filtered run 30 s later.
        FuzzCase.end()
    }

    // MARK: - Access records

    static let customFormats: [NginxFormat] = [
        NginxFormat(name: "iso+quoted-upstream", logFormat:
            #"$remote_addr [$time_iso8601] "$request" $status $bytes_sent $request_time "$upstream_response_time" "$http_user_agent""#),
        NginxFormat(name: "msec-first", logFormat:
            #"$msec $status $request_time $upstream_response_time $request_length "$request""#),
        NginxFormat(name: "pipes-bare-request", logFormat:
            "$time_local|$status|$body_bytes_sent|$request_time|$upstream_response_time|$request"),
        NginxFormat(name: "bracketed", logFormat:
            #"[$time_local] $remote_addr "$request" $status [$request_time] $body_bytes_sent ${upstream_response_time}"#),
    ]

    /// Real access lines: `samples/access.log` and the shared corpora's access logs.
    static func accessLines() -> [[UInt8]] {
        var lines = RobustnessCorpus.lines(RobustnessCorpus.packageRoot.appendingPathComponent("samples/access.log"), limit: 300)
        for path in ["lnav/test/logfile_access_log.0", "lnav/test/logfile_access_log.1", "lnav/test/logfile_bad_access_log.0",
                     "lnav/test/logfile_regexp_access_log.0", "lnav/test/logfile_shop_access_log.0",
                     "elastic-beats/filebeat/module/nginx/access/test/test.log"] {
            lines += RobustnessCorpus.lines(relative: path, limit: 200)
        }
        // Lines written in the custom formats, so that their parsers see matching input too.
        lines += [
            #"10.0.0.1 [2026-11-24T00:00:01+01:00] "GET /api/users/42?x=1 HTTP/1.1" 200 512 0.123 "0.100, 0.020 : -" "curl/8""#,
            #"1732406401.123 503 1.500 0.700, 0.800 321 "POST http://example.com/a/b?c HTTP/2.0""#,
            "24/Nov/2026:00:00:01 +0100|404|0|0.000|-|GET /missing",
            #"[24/Nov/2026:00:00:01 +0100] 10.0.0.1 "GET / HTTP/1.1" 200 [0.010] 12 0.009"#,
        ].map { Array($0.utf8) }
        return lines.filter { !$0.isEmpty }
    }

    static func accessParsers() throws -> [AccessRecordParser] {
        var parsers: [AccessRecordParser] = []
        for format in NginxFormat.builtins + customFormats {
            parsers.append(AccessRecordParser(pattern: try format.compile(), defaultOffset: 3600))
        }
        for grok in ["%{COMBINEDAPACHELOG}", "%{HTTPD_COMMONLOG}",
                     #"%{IPORHOST:client} %{TIMESTAMP_ISO8601:timestamp} %{WORD:verb} %{NOTSPACE:request} %{NUMBER:response} %{NUMBER:duration}"#] {
            if let pattern = try? GrokCompiler.compile(grok, library: .builtin) {
                parsers.append(AccessRecordParser(pattern: pattern))
            }
        }
        return parsers
    }

    /// Every parser on every truncation of real lines, then on seeded mutations: no trap, and
    /// the record's ranges lie inside the line.
    @Test func accessParsersOnMutatedLines() throws {
        let lines = Self.accessLines()
        let parsers = try Self.accessParsers()
        var rng = FuzzRNG(seed: fuzzSeed ^ 0xAC)
        var record = AccessRecord()
        func check(_ input: [UInt8], _ label: @autoclosure () -> String) {
            FuzzCase.begin(label(), input)
            withExactBytes(input) { b in
                for parser in parsers where parser.parse(b, into: &record) == .matched {
                    for r in [record.path, record.method].compactMap({ $0 }) {
                        #expect(r.lowerBound >= 0 && r.upperBound <= b.count,
                                "range \(r) outside line \(FuzzCase.describe(input)) seed \(fuzzSeed)")
                    }
                    if let t = record.requestTime { #expect(t.isFinite, "request time \(t) of \(FuzzCase.describe(input))") }
                }
            }
        }
        // Truncation at every position of a few lines of each source.
        for (k, line) in lines.enumerated() where k % 25 == 0 {
            for cut in 0...line.count { check(Array(line[0..<cut]), "access truncation line \(k) at \(cut)") }
        }
        for i in 0..<6000 {
            let line = rng.pick(lines)
            check(Mutator.mutations(line, &rng), "access mutation \(i) seed \(fuzzSeed)")
        }
        for i in 0..<300 {
            check(Mutator.randomBytes(&rng, count: rng.below(300)), "access random bytes \(i) seed \(fuzzSeed)")
        }
        FuzzCase.end()
    }

    /// Request lines of odd shapes, split in place (the method and path ranges stay inside).
    @Test func requestLinesOfAnyShape() {
        var rng = FuzzRNG(seed: fuzzSeed ^ 0x5E)
        var samples = ["GET", "GET ", "GET /", "GET / HTTP/1.1", "GET http://", "GET http:// ", "GET http://x", "GET http://x/",
                       "A ?", "A #", " ", "", "GET  ", "GET http://x HTTP/1.1", "GET :// /"].map { Array($0.utf8) }
        for _ in 0..<2000 { samples.append(Mutator.mutations(rng.pick(samples), &rng)) }
        for (k, s) in samples.enumerated() {
            FuzzCase.begin("RequestLine.split case \(k)", s)
            withExactBytes(s) { b in
                var record = AccessRecord()
                RequestLine.split(b, 0..<b.count, into: &record)
                for r in [record.path, record.method].compactMap({ $0 }) {
                    #expect(r.lowerBound >= 0 && r.upperBound <= b.count, "range \(r) of \(FuzzCase.describe(s))")
                }
            }
        }
        FuzzCase.end()
    }

    /// `--nginx-format` text as a user may paste it, broken: it compiles or throws.
    @Test func nginxFormatsOfAnyText() {
        var rng = FuzzRNG(seed: fuzzSeed ^ 0x4F)
        let seeds = (NginxFormat.builtins + Self.customFormats).map { Array($0.logFormat.utf8) }
            + ["log_format main '$remote_addr' '\"$request\"';", "${", "$", "${}", "'", "''", "$a$b${c}${d"].map { Array($0.utf8) }
        for i in 0..<500 {
            let text = rng.chance(10) ? rng.pick(seeds) : Mutator.mutations(rng.pick(seeds), &rng)
            FuzzCase.begin("NginxFormat.compile \(i) seed \(fuzzSeed)", text)
            _ = try? NginxFormat(name: "fuzz", logFormat: String(decoding: text, as: UTF8.self)).compile()
        }
        FuzzCase.end()
    }

    // MARK: - Inputs that trapped before (regressions)

    /// Each of these trapped: a look-ahead past a 2-byte range (`-1` as a `$msec`), a request
    /// line without target, a VALUES row whose collapse set the output length to -1.
    @Test func inputsThatTrapped() {
        #expect(withExactBytes(Array("-1".utf8)) { ByteParsing.timestamp($0, 0..<2) } == nil)
        #expect(withExactBytes(Array("12".utf8)) { ByteParsing.timestamp($0, 0..<2) } == 12)
        withExactBytes(Array("GET ".utf8)) { b in
            var record = AccessRecord()
            RequestLine.split(b, 0..<b.count, into: &record)
            #expect(record.method == nil && record.path == nil)
        }
        #expect(SQLFingerprint.normalize("s (1),(2),values (1),(:),") == "s (?),(?),values (...),(:),")
        #expect(SQLFingerprint.normalize("insert into t values (1, 'a'), (2, 'b')") == "insert into t values (...)")
        #expect(withBytes("99999999999999999999") { ByteParsing.decimal($0, $1) } == nil)
        #expect(withBytes("0000000000000000000001.5") { ByteParsing.decimal($0, $1) } == 1.5)
        #expect(withBytes("1.0000000000000000000009") { ByteParsing.decimal($0, $1) } == 1)
        var local = ZoneRule.local
        _ = local.utc(fromNaive: .min)
        var east = ZoneRule(.fixed(offsetSeconds: 3600))
        _ = east.utc(fromNaive: .min)
        _ = ByteParsing.civil(fromDays: .max)
    }

    // MARK: - SQL fingerprints

    @Test func sqlFingerprintsOfAnyBytes() {
        var rng = FuzzRNG(seed: fuzzSeed ^ 0x5A)
        var inputs: [[UInt8]] = [
            "SELECT 'unterminated", "SELECT E'\\", "SELECT E'abc\\'", "SELECT $$ never ends", "SELECT $tag$ x $tag",
            "SELECT $", "SELECT $1$", "/* open comment", "/* /* nested */", "-- comment only", "SELECT \"ident",
            "SELECT 1e", "SELECT 1e+", "SELECT 0x", "SELECT -", "SELECT .", "SELECT ?.?", "U&'", "U&", "x'", "(((", ")))",
            "values (1),(2),", "insert into t values (1, 2), (3, 4), (5", "select * from t where a in (", "in ()", "values ()",
        ].map { Array($0.utf8) }
        inputs.append([UInt8](repeating: UInt8(ascii: "("), count: 100_000))
        inputs.append([UInt8](repeating: UInt8(ascii: ")"), count: 100_000))
        inputs.append(Array(("select * from t where id in (" + (0..<50_000).map(String.init).joined(separator: ", ") + ")").utf8))
        inputs.append(Array(("insert into t values " + [String](repeating: "(1, 'a', $1)", count: 20_000).joined(separator: ", ")).utf8))
        inputs.append(Array(String(repeating: "(select ", count: 20_000).utf8) + Array(String(repeating: ")", count: 20_000).utf8))
        inputs.append(Array(String(repeating: "/*", count: 50_000).utf8))
        inputs.append(Array(String(repeating: "$a$", count: 3_001).utf8))
        inputs.append([UInt8](repeating: UInt8(ascii: "'"), count: 100_001))
        let seeds = inputs
        for _ in 0..<3000 { inputs.append(Mutator.mutations(rng.pick(seeds.filter { $0.count < 200 }), &rng)) }
        for _ in 0..<500 { inputs.append(Mutator.randomBytes(&rng, count: rng.below(400))) }
        for _ in 0..<500 { inputs.append(Mutator.randomText(&rng, count: rng.below(400))) }
        let out = UnsafeMutableRawBufferPointer.allocate(byteCount: SQLFingerprint.maxLength, alignment: 8)
        defer { out.deallocate() }
        let small = UnsafeMutableRawBufferPointer.allocate(byteCount: 7, alignment: 8)
        defer { small.deallocate() }
        for (k, input) in inputs.enumerated() {
            FuzzCase.begin("SQLFingerprint case \(k) seed \(fuzzSeed)", input)
            let start = Date()
            withExactBytes(input) { b in
                let n = SQLFingerprint.write(b, 0..<b.count, into: out)
                #expect(n >= 0 && n <= out.count)
                let m = SQLFingerprint.write(b, 0..<b.count, into: small)
                #expect(m >= 0 && m <= small.count)
                if b.count > 2 { _ = SQLFingerprint.write(b, 1..<(b.count - 1), into: out) }
            }
            #expect(Date().timeIntervalSince(start) < 2, "slow fingerprint (\(input.count) bytes): \(FuzzCase.describe(input))")
        }
        FuzzCase.end()
    }

    // MARK: - PostgreSQL formats

    static let postgresSources = [
        "pgbadger/t/fixtures/light.postgres.log.bz2", "pgbadger/t/fixtures/rds.log.bz2", "pgbadger/t/fixtures/pg-syslog.2.gz",
        "pgbadger/t/fixtures/cloudsql.log.gz", "pgbadger/t/fixtures/cnpg.log.gz", "pgbadger/t/fixtures/pg_vacuums.json.gz",
        "pgbadger/t/fixtures/anonymize.log", "pgbadger/t/fixtures/stmt_type.log", "pgbadger/t/fixtures/pg-timezones.log",
        "pgbadger/t/fixtures/multiline_param.log", "pgbadger/t/fixtures/postgresql_param_range.log", "pgbadger/t/fixtures/pg_rawcsv.log",
        "lnav/test/logfile_postgres.0", "lnav/test/logfile_postgres.1",
        "elastic-beats/filebeat/module/postgresql/log/test/postgresql-11-multi-line.csv.log",
        "elastic-beats/filebeat/module/postgresql/log/test/postgresql-9.6-debian-with-slowlog.log",
    ]

    /// `PostgresFormat.detect` (which infers and compiles prefixes from the text) on mutated
    /// samples of every kind, and each common prefix's parser on mutated lines.
    @Test func postgresDetectionOnMutatedSamples() throws {
        var rng = FuzzRNG(seed: fuzzSeed ^ 0x96)
        let sources = Self.postgresSources.map { RobustnessCorpus.lines(relative: $0, limit: 60) }.filter { !$0.isEmpty }
        guard !sources.isEmpty else { print("SKIPPED: corpora not found"); return }
        for i in 0..<60 {
            var sample = rng.pick(sources).map { rng.chance(40) ? Mutator.mutations($0, &rng) : $0 }
            if rng.chance(20) { sample += (0..<5).map { _ in Mutator.randomBytes(&rng, count: rng.below(120)) } }
            sample = Array(sample.prefix(12 + rng.below(30)))
            FuzzCase.begin("PostgresFormat.detect sample \(i) seed \(fuzzSeed) (first line shown)", sample.first ?? [])
            _ = PostgresFormat.detect(sample)
        }
        let parsers = try PostgresFormat.commonPrefixes.map { PostgresStderrParser(pattern: try PostgresPrefixPattern(prefix: $0)) }
        let syslog = PostgresSyslogParser(pattern: try PostgresPrefixPattern(prefix: "%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h "), referenceTime: 1_780_000_000)
        var header = PostgresHeader()
        for i in 0..<3000 {
            let line = Mutator.mutations(rng.pick(rng.pick(sources)), &rng)
            FuzzCase.begin("Postgres prefix parsers case \(i) seed \(fuzzSeed)", line)
            withExactBytes(line) { b in
                var zone = ZoneRule.local
                for parser in parsers where parser.parse(b, zone: &zone, into: &header) == .matched {
                    #expect(header.message.upperBound <= b.count && header.message.lowerBound <= header.message.upperBound)
                }
                _ = syslog.parse(b, zone: &zone, into: &header)
                _ = PostgresCSV.looksLikeRecordStart(b)
                var cache = PostgresTime.ZoneCache()
                _ = PostgresTime.parse(b, 0..<b.count, zone: &zone, cache: &cache)
                _ = PostgresJSON.scan(b) { _, _, _ in }
            }
        }
        FuzzCase.end()
        // Prefixes as a user may paste them, broken.
        for i in 0..<400 {
            let prefix = Mutator.mutations(Array(rng.pick(PostgresFormat.commonPrefixes + ["%-10u %5p %q%%", "%"]).utf8), &rng)
            FuzzCase.begin("PostgresPrefixPattern \(i)", prefix)
            _ = PostgresFormat(prefix: String(decoding: prefix, as: UTF8.self))
            _ = try? PostgresPrefixPattern(prefix: String(decoding: prefix, as: UTF8.self))
        }
        FuzzCase.end()
    }

    // MARK: - Grok

    /// Mutated definitions of the pattern library compile or throw a `GrokError`; what compiles
    /// matches random lines and mutated corpus lines without trapping.
    @Test func grokCompilerOnMutatedPatterns() throws {
        var rng = FuzzRNG(seed: fuzzSeed ^ 0x6E)
        let library = GrokLibrary.builtin
        let names = library.names
        let lines = Self.accessLines()
        var compiled = 0
        for i in 0..<400 {
            let definition = library[rng.pick(names)]!
            let text: [UInt8] = rng.chance(30) ? Array("%{\(definition.name)}".utf8)
                : Mutator.mutations(Array(definition.pattern.utf8), &rng, max: 3)
            FuzzCase.begin("GrokCompiler.compile \(i) seed \(fuzzSeed)", text)
            guard let pattern = try? GrokCompiler.compile(String(decoding: text, as: UTF8.self), library: library) else { continue }
            compiled += 1
            let match = MatchData(for: pattern.regex)
            for _ in 0..<3 {
                let subject = rng.chance(50) ? Mutator.mutations(rng.pick(lines), &rng) : Mutator.randomText(&rng, count: rng.below(200))
                withExactBytes(subject) { b in
                    if match.match(pattern.regex, b) == .matched {
                        for field in pattern.fields {
                            if let r = match.range(of: field) { #expect(r.upperBound <= b.count) }
                        }
                    }
                }
            }
        }
        FuzzCase.end()
        #expect(compiled > 50)
    }
}
