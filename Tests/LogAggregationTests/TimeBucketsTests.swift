import Testing
@testable import LogAggregation

struct Tally: BucketValue, Equatable {
    var n: UInt64 = 0
    mutating func merge(_ other: Tally) { n += other.n }
}

@Suite struct TimeBucketsTests {
    @Test func bucketsStartAtMultiplesOfTheWidth() {
        var series = TimeBuckets<Tally>(width: 300)
        for t: Int64 in [-301, -1, 0, 299, 300, 1_795_514_401] { series[series.slot(for: t)].n += 1 }
        #expect(series.ordered.map(\.start) == [-600, -300, 0, 300, 1_795_514_400])
        #expect(series.ordered.map(\.bucket.n) == [1, 1, 2, 1, 1])
    }

    @Test func widensPastTheCapAndKeepsEveryCount() {
        var series = TimeBuckets<Tally>(width: 1, maxBuckets: 10)
        for t: Int64 in 0..<1000 { series[series.slot(for: t)].n += 1 }
        #expect(series.buckets.count <= 10)
        #expect(series.width == 128)
        #expect(series.widenings == 7)
        #expect(series.buckets.reduce(0) { $0 + $1.n } == 1000)
    }

    @Test func mergeTakesTheWiderWidth() {
        var narrow = TimeBuckets<Tally>(width: 60, maxBuckets: 100)
        var wide = TimeBuckets<Tally>(width: 60, maxBuckets: 100)
        var whole = TimeBuckets<Tally>(width: 60, maxBuckets: 100)
        for t: Int64 in stride(from: 0, to: 60 * 500, by: 30) {
            if t < 60 * 50 { narrow[narrow.slot(for: t)].n += 1 } else { wide[wide.slot(for: t)].n += 1 }
            whole[whole.slot(for: t)].n += 1
        }
        narrow.merge(wide)
        #expect(narrow.width == whole.width)
        #expect(narrow.ordered.map(\.start) == whole.ordered.map(\.start))
        #expect(narrow.ordered.map(\.bucket) == whole.ordered.map(\.bucket))
    }

    /// Silent buckets between the first and the last are listed empty: an outage is visible.
    @Test func silentBucketsBetweenTrafficAreFilled() {
        var series = TimeBuckets<Tally>(width: 60)
        for t: Int64 in [0, 61, 330] { series[series.slot(for: t)].n += 1 }
        #expect(series.orderedFillingGaps.map(\.start) == [0, 60, 120, 180, 240, 300])
        #expect(series.orderedFillingGaps.map(\.bucket.n) == [1, 1, 0, 0, 0, 1])
        #expect(series.ordered.count == 3)
    }

    /// A stray time years away would make millions of empty buckets: within the cap, the short
    /// gaps are filled and the long ones stay open.
    @Test func fillingStaysWithinTheBucketCap() {
        var series = TimeBuckets<Tally>(width: 60, maxBuckets: 10)
        for t: Int64 in [0, 180, 600, 1_000_000_000] { series[series.slot(for: t)].n += 1 }
        // Gaps of 2 (60, 120), 6 (240...540) and millions; room for 10 − 4 = 6 empty buckets:
        // the gap of 2 fits, then the gap of 6 no longer does.
        #expect(series.orderedFillingGaps.map(\.start) == [0, 60, 120, 180, 600, 999_999_960])
        var extreme = TimeBuckets<Tally>(width: 60, maxBuckets: 10)
        for t: Int64 in [Int64.min + 5, 0, 60, Int64.max - 5] { extreme[extreme.slot(for: t)].n += 1 }
        #expect(extreme.orderedFillingGaps.count == 4)
    }
}
