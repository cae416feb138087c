import LogParsing
import Testing
@testable import LogReport

/// `DisplayZone` against Python's zoneinfo, every half hour around the 2026 daylight-saving
/// changes of Europe/Berlin and America/New_York. Truth generated with
/// `datetime.fromtimestamp(t, timezone.utc).astimezone(ZoneInfo(zone)).isoformat()`.
@Suite struct DisplayZoneTests {
    static let truth: [(String, Int64, String)] = [
        ("Europe/Berlin", 1774740600, "2026-03-29T00:30:00+01:00"),
        ("Europe/Berlin", 1774742400, "2026-03-29T01:00:00+01:00"),
        ("Europe/Berlin", 1774744200, "2026-03-29T01:30:00+01:00"),
        ("Europe/Berlin", 1774746000, "2026-03-29T03:00:00+02:00"),
        ("Europe/Berlin", 1774747800, "2026-03-29T03:30:00+02:00"),
        ("Europe/Berlin", 1774749600, "2026-03-29T04:00:00+02:00"),
        ("Europe/Berlin", 1774751400, "2026-03-29T04:30:00+02:00"),
        ("Europe/Berlin", 1792884600, "2026-10-25T01:30:00+02:00"),
        ("Europe/Berlin", 1792886400, "2026-10-25T02:00:00+02:00"),
        ("Europe/Berlin", 1792888200, "2026-10-25T02:30:00+02:00"),
        ("Europe/Berlin", 1792890000, "2026-10-25T02:00:00+01:00"),
        ("Europe/Berlin", 1792891800, "2026-10-25T02:30:00+01:00"),
        ("Europe/Berlin", 1792893600, "2026-10-25T03:00:00+01:00"),
        ("Europe/Berlin", 1792895400, "2026-10-25T03:30:00+01:00"),
        ("America/New_York", 1772947800, "2026-03-08T00:30:00-05:00"),
        ("America/New_York", 1772949600, "2026-03-08T01:00:00-05:00"),
        ("America/New_York", 1772951400, "2026-03-08T01:30:00-05:00"),
        ("America/New_York", 1772953200, "2026-03-08T03:00:00-04:00"),
        ("America/New_York", 1772955000, "2026-03-08T03:30:00-04:00"),
        ("America/New_York", 1772956800, "2026-03-08T04:00:00-04:00"),
        ("America/New_York", 1772958600, "2026-03-08T04:30:00-04:00"),
        ("America/New_York", 1793507400, "2026-11-01T00:30:00-04:00"),
        ("America/New_York", 1793509200, "2026-11-01T01:00:00-04:00"),
        ("America/New_York", 1793511000, "2026-11-01T01:30:00-04:00"),
        ("America/New_York", 1793512800, "2026-11-01T01:00:00-05:00"),
        ("America/New_York", 1793514600, "2026-11-01T01:30:00-05:00"),
        ("America/New_York", 1793516400, "2026-11-01T02:00:00-05:00"),
        ("America/New_York", 1793518200, "2026-11-01T02:30:00-05:00"),
    ]

    @Test func wallClockAndOffsetMatchZoneinfo() throws {
        for (name, t, expected) in Self.truth {
            let rule = try #require(ZoneRule.parse(name))
            #expect(DisplayZone(rule).iso8601(t) == expected, "\(name) \(t)")
        }
    }

    /// Offsets are labelled only when the range spans a change; a year with both changes
    /// (the same offset at both ends) is caught by the probes between.
    @Test func offsetsLabelledOnlyAcrossAChange() throws {
        let berlin = DisplayZone(try #require(ZoneRule.parse("Europe/Berlin")))
        #expect(!berlin.labellingOffsets(from: 1795514400, to: 1795514400 + 86400).showsOffset)  // 24 Nov 2026
        #expect(berlin.labellingOffsets(from: 1792886400, to: 1792893600).showsOffset)  // 25 Oct 00:00Z..02:00Z
        #expect(berlin.labellingOffsets(from: 1767225600, to: 1798761600).showsOffset)  // 2026-01-01 .. 2027-01-01
        #expect(berlin.short(1792886400) == "2026-10-25 02:00")
        #expect(berlin.labellingOffsets(from: 1792886400, to: 1792893600).short(1792890000) == "2026-10-25 02:00 +01:00")
        #expect(!DisplayZone.utc.labellingOffsets(from: .min, to: .max).showsOffset)
        #expect(DisplayZone.utc.name == "UTC")
        #expect(DisplayZone(try #require(ZoneRule.parse("-05:30"))).name == "UTC-05:30")
    }
}
