import LogParsing
import Testing
@testable import LogQuery

@Suite struct TimeBoundTests {
    // 2026-11-24T14:30:00Z
    let now: Int64 = 1_795_530_600
    let berlin = ZoneRule.parse("+0100")!

    @Test func isoWithAndWithoutZone() {
        #expect(TimeBound.parse("2026-11-24T14:00:00Z", now: now, zone: berlin) == 1_795_528_800)
        #expect(TimeBound.parse("2026-11-24T14:00Z", now: now, zone: berlin) == 1_795_528_800)
        // Without a zone: in the given one (+01:00), so an hour earlier in UTC.
        #expect(TimeBound.parse("2026-11-24T14:00:00", now: now, zone: berlin) == 1_795_525_200)
        #expect(TimeBound.parse("2026-11-24 14:00", now: now, zone: .utc) == 1_795_528_800)
        #expect(TimeBound.parse("2026-11-24", now: now, zone: .utc) == 1_795_478_400)
        #expect(TimeBound.parse("2026-02-31", now: now, zone: .utc) == nil)
    }

    @Test func timeOfDayTodayInTheZone() {
        // Today in +01:00 is 2026-11-24 (local 15:30); 14:00 local is 13:00Z.
        #expect(TimeBound.parse("14:00", now: now, zone: berlin) == 1_795_525_200)
        #expect(TimeBound.parse("14:00:30", now: now, zone: .utc) == 1_795_528_830)
        #expect(TimeBound.parse("24:00", now: now, zone: .utc) == nil)
        #expect(TimeBound.parse("9:00", now: now, zone: .utc) == nil)
    }

    @Test func relativeAndNamedDays() {
        #expect(TimeBound.parse("-15m", now: now, zone: .utc) == now - 900)
        #expect(TimeBound.parse("-2h", now: now, zone: .utc) == now - 7200)
        #expect(TimeBound.parse("-1d", now: now, zone: .utc) == now - 86400)
        #expect(TimeBound.parse("-5x", now: now, zone: .utc) == nil)
        #expect(TimeBound.parse("today", now: now, zone: .utc) == 1_795_478_400)
        #expect(TimeBound.parse("yesterday", now: now, zone: .utc) == 1_795_392_000)
        #expect(TimeBound.parse("yesterday", now: now, zone: berlin) == 1_795_388_400)
        #expect(TimeBound.parse("1795530600", now: now, zone: .utc) == 1_795_530_600)
        #expect(TimeBound.parse("soon", now: now, zone: .utc) == nil)
    }
}
