import Testing
@testable import LogParsing

@Suite struct PostgresFormatTests {
    func parse(_ prefix: String, _ line: String) -> (PostgresHeader, String)? {
        let parser = PostgresStderrParser(pattern: try! PostgresPrefixPattern(prefix: prefix))
        var zone = ZoneRule.utc
        var header = PostgresHeader()
        let bytes = Array(line.utf8)
        let ok = bytes.withUnsafeBytes { parser.parse($0, zone: &zone, into: &header) == .matched }
        guard ok else { return nil }
        func text(_ r: Range<Int>?) -> String { r.map { String(decoding: bytes[$0], as: UTF8.self) } ?? "-" }
        return (header, "\(text(header.user))|\(text(header.database))|\(text(header.host))|\(text(header.application))|\(text(header.message))")
    }

    @Test func debianPrefixWithAndWithoutSession() throws {
        let (h, s) = try #require(parse("%m [%p] %q%u@%d ", "2024-03-01 10:00:00.123 UTC [42] app@shop LOG:  duration: 1.5 ms  statement: SELECT 1"))
        #expect(h.pid == 42)
        #expect(h.severity == .log)
        #expect(h.time == 1709287200)
        #expect(s == "app|shop|-|-|duration: 1.5 ms  statement: SELECT 1")
        let (bg, t) = try #require(parse("%m [%p] %q%u@%d ", "2024-03-01 10:00:00.123 UTC [7] LOG:  checkpoint starting: time"))
        #expect(bg.user == nil && bg.pid == 7)
        #expect(t.hasSuffix("checkpoint starting: time"))
    }

    @Test func rdsAndKeyValuePrefixes() throws {
        let (h, s) = try #require(parse("%t:%r:%u@%d:[%p]:", "2020-03-11 20:41:58 CET:192.168.1.201(50920):gilles@pgbench:[14388]:LOG:  duration: 0.156 ms  statement: END;"))
        #expect(h.pid == 14388)
        #expect(h.time == 1583955718)   // CET = +01:00
        #expect(s == "gilles|pgbench|192.168.1.201|-|duration: 0.156 ms  statement: END;")
        let (_, kv) = try #require(parse("%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ",
                                         "2017-09-06 08:41:41 UTC [36]: [121-1] user=postgres,db=postgres,app=pgbench,client=172.23.0.1 LOG:  x"))
        #expect(kv == "postgres|postgres|172.23.0.1|pgbench|x")
    }

    @Test func prefixWithoutTimeOrPid() throws {
        let (h, s) = try #require(parse("%u@%d ", "bob@db ERROR:  boom"))
        #expect(h.time == nil && h.pid == -1 && h.severity == .error)
        #expect(s == "bob|db|-|-|boom")
        let (e, _) = try #require(parse("%m %e ", "2024-03-01 10:00:00.000 +05 42P01 ERROR:  relation \"x\" does not exist"))
        #expect(e.time == 1709269200)
        #expect(e.sqlstate != nil)
    }

    @Test func namesAndPastedPrefix() {
        #expect(PostgresFormat(prefix: "log_line_prefix = '%m [%p] '") == .stderr(prefix: "%m [%p] "))
        #expect(PostgresFormat(prefix: "'%t '").name == "postgres-stderr '%t '")
        #expect(PostgresFormat.csvlog.name == "postgres-csvlog")
        #expect(PostgresFormat.jsonlog.name == "postgres-jsonlog")
    }

    @Test func infersAnUnknownPrefix() throws {
        let lines = [
            "2024-05-01 09:00:00.001 UTC <31> sess=66a1b2c3.1f [7-1] usr=alice,database=prod LOG:  duration: 3.000 ms  statement: SELECT 1",
            "\tFROM t",
            "2024-05-01 09:00:01.001 UTC <32> sess=66a1b2c3.2a [8-1] usr=bob,database=prod ERROR:  oops",
            "2024-05-01 09:00:01.001 UTC <32> sess=66a1b2c3.2a [9-1] usr=bob,database=prod STATEMENT:  SELECT 2",
        ].map { Array($0.utf8) }
        let detected = try #require(PostgresFormat.detect(lines))
        #expect(detected.matched == 4)
        guard case .stderr(let prefix) = detected.format else { Issue.record("not stderr"); return }
        #expect(prefix == "%m <%p> sess=%c [%l-1] usr=%u,database=%d ")
    }

    /// A busy log samples lines of one second: the time, the pid and other numbers must not
    /// become literal text of the inferred prefix (every later line would then be unmatched).
    @Test func inferenceNeverCopiesATimeOrANumber() {
        // No escape of log_line_prefix writes a BSD syslog time: no stderr prefix fits.
        #expect(PostgresFormat.infer("Feb 11 13:15:42 test-pc postgres[10819]: [7-1] db=pgbench,user=postgres ") == nil)
        #expect(PostgresFormat.infer("13:15:42 [10819] ") == nil)
        // A numeric zone glued to an ISO time; a bare pid, then a bare line number.
        #expect(PostgresFormat.infer("2026-02-11T13:15:42.123+01:00 4242 17 ") == "%m %p %l ")
        #expect(PostgresFormat.infer("2026-02-11 13:15:42 CET pid=4242 ") == "%t pid=%p ")
        // An address is a host, not four numbers.
        #expect(PostgresFormat.infer("2021-05-27 17:00:00 UTC:10.1.91.65:user@my_db:[24743]:") == "%t:%h:%u@%d:[%p]:")
        #expect(PostgresFormat.infer("2020-03-11 20:41:58 CET:192.168.1.201(50920):gilles@pgbench:[14388]:") == "%t:%r:%u@%d:[%p]:")
        // A SQLSTATE without its key (Heroku's `sql_error_code = 00000`).
        #expect(PostgresFormat.infer("2026-02-11 13:15:42 UTC [1] code = 40P01 ") == "%t [%p] code = %e ")
        #expect(PostgresFormat.infer("2026-02-11 13:15:42 UTC 00000 12345 ") == "%t %e %p ")
        // A session id without its key.
        #expect(PostgresFormat.infer("2026-02-11 13:15:42 UTC 66a1b2c3.1f ") == "%t %c ")
        // Digits inside a word are a name, kept.
        #expect(PostgresFormat.infer("2026-02-11 13:15:42 UTC [1] pg15 ") == "%t [%p] pg15 ")
        #expect(PostgresFormat.infer("web-1  | 2026-02-11 13:15:42 UTC [1] ") == "web-1  | %t [%p] ")
    }

    @Test func busySyslogSampleInOneSecond() throws {
        var lines: [[UInt8]] = []
        for n in 1...200 {
            lines.append(Array("Feb 11 13:15:42 test-pc postgres[\(10000 + n)]: [\(n)-1] db=pgbench,user=postgres LOG:  duration: 0.\(n) ms  statement: SELECT \(n)".utf8))
        }
        let detected = try #require(PostgresFormat.detect(lines))
        #expect(detected.format == .syslog(prefix: "db=%d,user=%u "))
        let later = [
            "Feb 11 13:15:43 test-pc postgres[20001]: [1-1] db=pgbench,user=postgres LOG:  duration: 1.0 ms  statement: SELECT 1",
            "Feb 12 01:00:00 test-pc postgres[20002]: [9-1] db=pgbench,user=postgres ERROR:  boom",
        ].map { Array($0.utf8) }
        #expect(PostgresFormat.recognised(detected.format, later) == 2)
    }

    /// PostgreSQL sends a message and its DETAIL/STATEMENT lines to syslog under one sequence
    /// number (`[9-1]`, `[9-2]`, `[9-3]`), the prefix repeated on each: a later part with the
    /// prefix and a secondary severity reads as a header of that severity; a `#011` part is a
    /// new line of text; any other later part continues the line before it.
    @Test func syslogLaterPartsWithPrefixAreSecondaryHeaders() throws {
        let parser = PostgresSyslogParser(pattern: try PostgresPrefixPattern(prefix: "db=%d,user=%u "), referenceTime: 1_796_169_600)
        var zone = ZoneRule.utc
        func read(_ line: String) -> (PostgresSyslogParser.Line, PostgresSeverity, String) {
            var header = PostgresHeader()
            let bytes = Array(line.utf8)
            let kind = bytes.withUnsafeBytes { parser.parse($0, zone: &zone, into: &header) }
            let text: Range<Int>
            switch kind {
            case .continuation(let r, _): text = r
            default: text = header.message
            }
            return (kind, header.severity, String(decoding: bytes[text], as: UTF8.self))
        }
        let head = "Feb 11 13:15:47 host postgres[102]: "
        let first = read(head + "[9-1] db=app,user=u ERROR:  duplicate key value violates unique constraint \"pk\"")
        #expect(first.0 == .header && first.1 == .error)
        let detail = read(head + "[9-2] db=app,user=u DETAIL:  Key (id)=(1) already exists.")
        #expect(detail.0 == .header && detail.1 == .detail && detail.2 == "Key (id)=(1) already exists.")
        let statement = read(head + "[9-3] db=app,user=u STATEMENT:  insert into t values (1)")
        #expect(statement.0 == .header && statement.1 == .statement && statement.2 == "insert into t values (1)")
        let tab = read(head + "[9-4] #011where id = 1")
        #expect(tab.0 == .continuation(text: 46..<58, newLine: true) && tab.2 == "where id = 1")
        // No prefix, or the prefix with a primary severity: text, not a new message.
        #expect(read(head + "[9-5] and the rest").0 == .continuation(text: 42..<54, newLine: false))
        #expect(read(head + "[9-6] db=app,user=u LOG:  quoted").0 == .continuation(text: 42..<68, newLine: false))
    }

    @Test func severities() {
        for (text, severity) in [("LOG", PostgresSeverity.log), ("ERROR", .error), ("FATAL", .fatal), ("PANIC", .panic),
                                 ("WARNING", .warning), ("NOTICE", .notice), ("INFO", .info), ("DEBUG1", .debug),
                                 ("DETAIL", .detail), ("HINT", .hint), ("CONTEXT", .context), ("STATEMENT", .statement),
                                 ("QUERY", .query), ("LOCATION", .location)] {
            let bytes = Array(text.utf8)
            #expect(bytes.withUnsafeBytes { PostgresSeverity.read($0, 0..<$0.count) } == severity, "\(text)")
        }
    }
}

/// PostgreSQL times stamped with zone abbreviations, read in the zone that wrote the log.
/// Truth: UTC instants computed with Python's zoneinfo (`log_timezone` of each row).
@Suite struct PostgresTimeZoneTests {
    func read(_ text: String, tz: String, cache: inout PostgresTime.ZoneCache) throws -> Int64? {
        var zone = try #require(ZoneRule.parse(tz), "\(tz)")
        return withBytes(text) { PostgresTime.parse($0, $1, zone: &zone, cache: &cache) }
    }

    @Test func abbreviationsOfTheNamedZoneTakePrecedence() throws {
        var cache = PostgresTime.ZoneCache()
        // log_timezone = 'Asia/Shanghai': 2026-12-01T22:22:01Z.
        #expect(try read("2026-12-02 06:22:01.375 CST", tz: "Asia/Shanghai", cache: &cache) == 1796163721)
        // log_timezone = 'Asia/Jerusalem' (IST, +02 in December): 2026-12-02T04:22:01Z.
        #expect(try read("2026-12-02 06:22:01 IST", tz: "Asia/Jerusalem", cache: &cache) == 1796185321)
        // log_timezone = 'Asia/Manila' (PST, +08): 2026-12-01T22:22:01Z.
        #expect(try read("2026-12-02 06:22:01 PST", tz: "Asia/Manila", cache: &cache) == 1796163721)
        // log_timezone = 'America/Chicago': CST stays -06: 2026-12-02T12:22:01Z.
        #expect(try read("2026-12-02 06:22:01 CST", tz: "America/Chicago", cache: &cache) == 1796214121)
        #expect(cache.takeDoubtful().isEmpty)
    }

    @Test func ambiguousAndUnknownAbbreviationsAreCounted() throws {
        var cache = PostgresTime.ZoneCache()
        for _ in 0..<3 { _ = try read("2026-12-02 06:22:01 CST", tz: "UTC", cache: &cache) }
        // Unknown: read in the zone rule (here UTC), and counted.
        #expect(try read("2026-12-02 06:22:01 XYZT", tz: "UTC", cache: &cache) == 1796192521)
        _ = try read("2026-12-02 06:22:01 CET", tz: "UTC", cache: &cache)
        _ = try read("2026-12-02 06:22:02 CST", tz: "UTC", cache: &cache)
        #expect(cache.takeDoubtful() == [
            AbbreviationUse(abbreviation: "CST", reading: .ambiguous, offset: -21600, lines: 4),
            AbbreviationUse(abbreviation: "XYZT", reading: .unknown, offset: nil, lines: 1),
        ])
        #expect(cache.takeDoubtful().isEmpty)
    }

    @Test func impossibleTimesAndOffsetsAreUnreadable() throws {
        var cache = PostgresTime.ZoneCache()
        for text in ["2026-02-31 06:22:01 UTC", "2026-12-02 25:22:01 UTC", "2026-12-02 06:22:01 +9999", "2026-12-02 06:22:01.375 +15",
                     "0000-12-02 06:22:01 UTC"] {
            #expect(try read(text, tz: "UTC", cache: &cache) == nil, "\(text)")
        }
        let parser = PostgresStderrParser(pattern: try PostgresPrefixPattern(prefix: "%m [%p] "))
        var zone = ZoneRule.utc
        var header = PostgresHeader()
        let line = Array("2026-02-31 06:22:01.375 UTC [1] LOG:  duration: 1.000 ms  statement: SELECT 1".utf8)
        #expect(line.withUnsafeBytes { parser.parse($0, zone: &zone, into: &header) } == .matched)
        #expect(header.time == nil && header.timeUnreadable)
    }
}
