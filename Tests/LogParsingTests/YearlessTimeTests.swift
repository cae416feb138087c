import Testing
@testable import LogParsing

/// Times without a year go in the reference's year unless that is more than a day after the
/// reference. Expected epochs are hand-computed: 2025-12-31T23:59:58Z = 1767225598,
/// 2026-01-01T00:00:02Z = 1767225602, 2026-12-02T00:00:00Z = 1796169600.
@Suite struct YearlessTimeTests {
    static let december2 = Int64(1_796_169_600)

    @Test func lateDecemberReadEarlyDecemberIsLastYear() {
        let years = YearlessTime(reference: Self.december2)
        var zone = ZoneRule.utc
        #expect(years.epoch(month: 12, day: 31, secondsOfDay: 86_398, zone: &zone) == 1_767_225_598)
        #expect(years.epoch(month: 1, day: 1, secondsOfDay: 2, zone: &zone) == 1_767_225_602)
        // A day of slack: 3 December 2026 00:00 is this year, 3 December 00:00:01 last year.
        #expect(years.epoch(month: 12, day: 3, secondsOfDay: 0, zone: &zone) == Self.december2 + 86_400)
        #expect(years.epoch(month: 12, day: 3, secondsOfDay: 1, zone: &zone) == Self.december2 + 1 + 86_400 - 365 * 86_400)
    }

    @Test func impossibleDatesHaveNoTime() {
        let years = YearlessTime(reference: Self.december2)
        var zone = ZoneRule.utc
        #expect(years.epoch(month: 2, day: 31, secondsOfDay: 0, zone: &zone) == nil)
        // 2026 and 2025 are not leap years.
        #expect(years.epoch(month: 2, day: 29, secondsOfDay: 0, zone: &zone) == nil)
    }

    /// PostgreSQL through syslog places its BSD times the same way (it used the current year).
    @Test func postgresSyslogRollsOverTheYear() throws {
        let parser = PostgresSyslogParser(pattern: try PostgresPrefixPattern(prefix: ""), referenceTime: Self.december2)
        var zone = ZoneRule.utc
        for (line, expected) in [("Dec 31 23:59:58 host postgres[1]: [1-1] LOG:  duration: 1.000 ms  statement: select 1", Int64(1_767_225_598)),
                                 ("Jan  1 00:00:02 host postgres[1]: [4-1] LOG:  duration: 1.000 ms  statement: select 1", 1_767_225_602)] {
            var header = PostgresHeader()
            let bytes = Array(line.utf8)
            let kind = bytes.withUnsafeBytes { parser.parse($0, zone: &zone, into: &header) }
            #expect(kind == .header)
            #expect(header.time == expected, "\(line)")
        }
    }

    /// Application syslog lines read through `ApplicationLineParser` use the same rule.
    @Test func applicationSyslogRollsOverTheYear() {
        var parser = ApplicationLineParser(format: .syslogRFC3164, zone: .utc, referenceTime: Self.december2)
        var record = ApplicationRecord()
        let line = Array("Dec 31 23:59:58 host app[7]: started".utf8)
        let ok = line.withUnsafeBytes { parser.parse($0, into: &record) }
        #expect(ok)
        #expect(record.time == 1_767_225_598)
    }
}
