import Testing
@testable import LogParsing

/// IANA zones from the system's zoneinfo, checked against UTC instants computed independently
/// with Python's `zoneinfo` (`datetime(..., tzinfo=ZoneInfo(zone)).timestamp()`); the comment
/// on each row is Python's UTC time and abbreviation.
@Suite struct ZoneInfoTests {
    static let truth: [(zone: String, wallClock: String, epoch: Int64)] = [
        ("Europe/Berlin", "2026-03-29 00:30:00", 1774740600),  // 2026-03-28T23:30Z CET
        ("Europe/Berlin", "2026-03-29 01:59:00", 1774745940),  // 2026-03-29T00:59Z CET
        ("Europe/Berlin", "2026-03-29 03:00:00", 1774746000),  // 2026-03-29T01:00Z CEST
        ("Europe/Berlin", "2026-03-29 03:30:00", 1774747800),  // 2026-03-29T01:30Z CEST
        ("Europe/Berlin", "2026-10-25 01:30:00", 1792884600),  // 2026-10-24T23:30Z CEST
        ("Europe/Berlin", "2026-10-25 03:00:00", 1792893600),  // 2026-10-25T02:00Z CET
        ("Europe/Berlin", "2026-10-25 04:00:00", 1792897200),  // 2026-10-25T03:00Z CET
        ("Europe/Berlin", "2026-07-01 12:00:00", 1782900000),  // 2026-07-01T10:00Z CEST
        ("Europe/Berlin", "1985-06-01 12:00:00", 486468000),   // 1985-06-01T10:00Z CEST
        ("Europe/Berlin", "1975-06-01 12:00:00", 170852400),   // 1975-06-01T11:00Z CET (no DST then)
        ("Europe/Berlin", "2045-03-26 01:30:00", 2374101000),  // 2045-03-26T00:30Z CET
        ("Europe/Berlin", "2045-03-26 03:30:00", 2374104600),  // 2045-03-26T01:30Z CEST
        ("Europe/Berlin", "2045-10-29 03:30:00", 2392857000),  // 2045-10-29T02:30Z CET
        ("Europe/Berlin", "2045-10-29 01:30:00", 2392846200),  // 2045-10-28T23:30Z CEST
        ("Europe/Berlin", "2045-07-15 12:00:00", 2383725600),  // 2045-07-15T10:00Z CEST
        ("America/New_York", "2026-03-08 01:30:00", 1772951400),  // 2026-03-08T06:30Z EST
        ("America/New_York", "2026-03-08 03:00:00", 1772953200),  // 2026-03-08T07:00Z EDT
        ("America/New_York", "2026-03-08 03:30:00", 1772955000),  // 2026-03-08T07:30Z EDT
        ("America/New_York", "2026-11-01 00:30:00", 1793507400),  // 2026-11-01T04:30Z EDT
        ("America/New_York", "2026-11-01 02:00:00", 1793516400),  // 2026-11-01T07:00Z EST
        ("America/New_York", "2026-11-01 02:30:00", 1793518200),  // 2026-11-01T07:30Z EST
        ("America/New_York", "2026-01-15 12:00:00", 1768496400),  // 2026-01-15T17:00Z EST
        ("America/New_York", "2045-03-12 01:30:00", 2372913000),  // 2045-03-12T06:30Z EST
        ("America/New_York", "2045-03-12 03:30:00", 2372916600),  // 2045-03-12T07:30Z EDT
        ("America/New_York", "2045-11-05 00:30:00", 2393469000),  // 2045-11-05T04:30Z EDT
        ("America/New_York", "2045-11-05 02:30:00", 2393479800),  // 2045-11-05T07:30Z EST
        ("America/New_York", "2006-04-02 01:30:00", 1143959400),  // 2006-04-02T06:30Z EST (pre-2007 rule)
        ("America/New_York", "2006-04-02 03:30:00", 1143963000),  // 2006-04-02T07:30Z EDT
        ("America/New_York", "2006-10-29 00:30:00", 1162096200),  // 2006-10-29T04:30Z EDT
        ("Australia/Sydney", "2045-04-02 01:30:00", 2374669800),  // 2045-04-01T14:30Z AEDT
        ("Australia/Sydney", "2045-04-02 03:30:00", 2374680600),  // 2045-04-01T17:30Z AEST
        ("Australia/Sydney", "2045-10-01 01:30:00", 2390398200),  // 2045-09-30T15:30Z AEST
        ("Australia/Sydney", "2045-10-01 03:30:00", 2390401800),  // 2045-09-30T16:30Z AEDT
        ("Australia/Sydney", "2045-07-01 12:00:00", 2382487200),  // 2045-07-01T02:00Z AEST
        ("Australia/Sydney", "2045-01-01 12:00:00", 2366845200),  // 2045-01-01T01:00Z AEDT
        ("Asia/Shanghai", "2026-12-02 06:22:01", 1796163721),     // 2026-12-01T22:22:01Z CST
        ("Asia/Shanghai", "1988-06-01 12:00:00", 581137200),      // 1988-06-01T03:00Z CDT
    ]

    /// Wall-clock seconds of `yyyy-MM-dd HH:mm:ss` read as if UTC.
    static func naive(_ text: String) -> Int64 {
        withBytes(text) { ByteParsing.iso8601($0, $1)! }
    }

    @Test func wallClockTimesAcrossDaylightSavingChanges() throws {
        for (name, wallClock, epoch) in Self.truth {
            var rule = try #require(ZoneRule.parse(name), "\(name)")
            #expect(rule.utc(fromNaive: Self.naive(wallClock)) == epoch, "\(name) \(wallClock)")
            // The hour cache is keyed by wall-clock hour: a second reading of the same hour agrees.
            #expect(rule.utc(fromNaive: Self.naive(wallClock) + 1) == epoch + 1, "\(name) \(wallClock) +1s")
        }
    }

    /// Hand-computed: Berlin's 02:30 on 29 March 2026 does not exist (read with CET, the offset
    /// before the change: 01:30Z); 02:30 on 25 October 2026 happens twice (read as the second,
    /// CET: 01:30Z).
    @Test func skippedAndRepeatedHours() throws {
        var rule = try #require(ZoneRule.parse("Europe/Berlin"))
        #expect(rule.utc(fromNaive: Self.naive("2026-03-29 02:30:00")) == 1774747800)
        #expect(rule.utc(fromNaive: Self.naive("2026-10-25 02:30:00")) == 1792891800)
    }

    /// The POSIX footer alone (what a "slim" TZif file gives for every future year) agrees with
    /// the same truth.
    @Test func posixFooterRules() throws {
        let rules: [String: String] = [
            "Europe/Berlin": "CET-1CEST,M3.5.0,M10.5.0/3",
            "America/New_York": "EST5EDT,M3.2.0,M11.1.0",
            "Australia/Sydney": "AEST-10AEDT,M10.1.0,M4.1.0/3",
        ]
        for (name, wallClock, epoch) in Self.truth where wallClock.hasPrefix("2045") {
            let rule = try #require(PosixZoneRule(Array(rules[name]!.utf8)))
            let naive = Self.naive(wallClock)
            let first = rule.offset(atUTC: naive)
            #expect(naive - Int64(rule.offset(atUTC: naive - Int64(first))) == epoch, "\(name) \(wallClock)")
        }
        let quoted = try #require(PosixZoneRule(Array("<+0545>-5:45".utf8)))
        #expect(quoted.standardName == "+0545" && quoted.standardOffset == 20700 && quoted.daylight == nil)
        #expect(PosixZoneRule(Array("X1".utf8)) == nil)
    }

    @Test func ownAbbreviationsTakePrecedence() throws {
        let shanghai = try #require(ZoneRule.parse("Asia/Shanghai"))
        #expect(shanghai.read(abbreviation: "CST").offset == 8 * 3600)
        #expect(shanghai.read(abbreviation: "CST").reading == .own)
        let jerusalem = try #require(ZoneRule.parse("Asia/Jerusalem"))
        #expect(jerusalem.read(abbreviation: "IST").offset == 2 * 3600)
        #expect(jerusalem.read(abbreviation: "IDT").offset == 3 * 3600)
        let manila = try #require(ZoneRule.parse("Asia/Manila"))
        #expect(manila.read(abbreviation: "PST").offset == 8 * 3600)
        // Another zone's abbreviation falls back to the common table, flagged when ambiguous.
        #expect(shanghai.read(abbreviation: "CET") == (3600, .common))
        #expect(ZoneRule.utc.read(abbreviation: "CST") == (-6 * 3600, .ambiguous))
        #expect(ZoneRule.utc.read(abbreviation: "XYZT") == (nil, .unknown))
    }

    @Test func zoneNamesAreCheckedBeforeAnyFileIsOpened() {
        #expect(ZoneRule.parse("Nowhere/Special") == nil)
        #expect(ZoneRule.parse("../../etc/passwd") == nil)
        #expect(ZoneRule.parse("/etc/localtime") == nil)
        #expect(ZoneRule.parse("zone.tab") == nil)   // in the directory, not a TZif file
        #expect(ZoneRule.parse("-05:30")?.kind == .fixed(offsetSeconds: -19800))
        #expect(ZoneRule.parse("+0100x") == nil)
    }
}
