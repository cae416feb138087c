import Foundation
import Testing
@testable import LogReport

@Suite struct TimeTextTests {
    @Test func iso8601AgreesWithFoundation() {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        for _ in 0..<5000 {
            let epoch = Int64.random(in: -2_000_000_000...5_000_000_000)
            #expect(TimeText.iso8601(epoch) == formatter.string(from: Date(timeIntervalSince1970: TimeInterval(epoch))), "\(epoch)")
        }
    }

    @Test func widths() {
        #expect(TimeText.width(60) == "1m")
        #expect(TimeText.width(300) == "5m")
        #expect(TimeText.width(3600) == "1h")
        #expect(TimeText.width(90) == "90s")
        #expect(TimeText.width(86400) == "1d")
    }
}

/// Times always print as ISO 8601 with a four-digit year, and no epoch traps.
@Suite struct TimeTextEdgeTests {
    @Test func fourDigitYearsAtTheEdgesOfTheAcceptedRange() {
        #expect(TimeText.iso8601(-62_135_596_800) == "0001-01-01T00:00:00Z")
        #expect(TimeText.iso8601(253_402_300_799) == "9999-12-31T23:59:59Z")
        #expect(TimeText.iso8601(-61_851_600_000) == "0010-01-01T00:00:00Z")   // hand-computed: 9 years of 365 days + 2 leap days after 0001-01-01
    }

    @Test func anyEpochPrintsWithoutTrapping() {
        for epoch in [Int64.min, Int64.min + 1, Int64.min + 86399, Int64.max, Int64.max - 86399] {
            #expect(TimeText.iso8601(epoch).hasSuffix("Z"))
            #expect(!TimeText.short(epoch).isEmpty)
        }
    }
}
