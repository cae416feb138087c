import Testing
@testable import LogAggregation

@Suite struct RankingTests {
    /// Wilson lower bounds computed by hand (z = 1.96): 15/180 → 0.0512, 3/25 → 0.0417,
    /// 1/1 → 0.2065; a sustained 8.3% outranks a lucky 12%.
    @Test func rateLowerBoundPrefersSustainedRates() {
        #expect(abs(Ranking.rateLowerBound(15, of: 180) - 0.0512) < 0.0005)
        #expect(abs(Ranking.rateLowerBound(3, of: 25) - 0.0417) < 0.0005)
        #expect(abs(Ranking.rateLowerBound(1, of: 1) - 0.2065) < 0.0005)
        #expect(Ranking.rateLowerBound(0, of: 100) == 0)
        #expect(Ranking.rateLowerBound(0, of: 0) == 0)
        #expect(Ranking.rateLowerBound(5, of: 3) <= 1)  // more errors than requests: no trap
    }

    @Test func minimumVolumeIsTwentyOrOnePercentOfTheMedianBucket() {
        #expect(Ranking.minimumRequests(medianBucket: 0) == 20)
        #expect(Ranking.minimumRequests(medianBucket: 180) == 20)
        #expect(Ranking.minimumRequests(medianBucket: 5_000) == 50)
        #expect(Ranking.minimumRequests(medianBucket: 5_001) == 51)
        var small = BucketStats(), big = BucketStats()
        small.requests = 10
        big.requests = 9_000
        // Median of the non-empty buckets (10, 9000, 9000) is 9000; empty buckets do not count.
        #expect(Ranking.minimumRequests([small, big, big, BucketStats(), BucketStats()]) == 90)
    }
}
