#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How the reports rank buckets and paths by a rate or a percentile, so that a sustained
/// incident comes before a bucket or a path that saw one unlucky request.
///
/// Two rules, used by the text and JSON reports alike:
/// - Volume floor: a bucket or path is ranked by a rate or percentile only with at least
///   `minimumRequests(medianBucket:)` requests: 20, or 1% of the median non-empty bucket when
///   that is more. At 20 requests one error is a 5% rate and a p95 is not a single request.
/// - Rates are ranked by the lower end of their 95% Wilson score interval, not by the raw
///   rate: 15 errors in 180 requests (8.3%, lower end 5.1%) rank above 3 in 25 (12%, lower end
///   4.2%), because the first says far more surely that something is wrong.
public enum Ranking {
    /// The fewest requests a ranked bucket or path may have (see the type's comment).
    public static let minimumRequestsFloor: UInt64 = 20

    /// The volume floor for a series whose median non-empty bucket holds `medianBucket` requests.
    public static func minimumRequests(medianBucket: UInt64) -> UInt64 {
        Swift.max(minimumRequestsFloor, medianBucket / 100 + (medianBucket % 100 == 0 ? 0 : 1))
    }

    /// The volume floor for access buckets: from the median of the non-empty ones.
    public static func minimumRequests(_ buckets: [BucketStats]) -> UInt64 {
        let sizes = buckets.map(\.requests).filter { $0 > 0 }.sorted()
        return minimumRequests(medianBucket: sizes.isEmpty ? 0 : sizes[(sizes.count - 1) / 2])
    }

    /// The lower end of the 95% Wilson score interval of `k` events in `n` trials (0 when n is 0).
    public static func rateLowerBound(_ k: UInt64, of n: UInt64) -> Double {
        guard n > 0 else { return 0 }
        let z = 1.959964
        let nd = Double(n), p = Double(Swift.min(k, n)) / nd
        let centre = p + z * z / (2 * nd)
        let spread = z * sqrt(p * (1 - p) / nd + z * z / (4 * nd * nd))
        return Swift.max(0, (centre - spread) / (1 + z * z / nd))
    }

    /// The `k` first of `candidates` in the order `precedes` defines, in that order: each
    /// candidate goes by binary search into a list kept at `k`, so a table of a million keys
    /// costs a million comparisons with the k-th best, not a sort of them all.
    public static func best<S: Sequence>(_ k: Int, of candidates: S,
                                         by precedes: (S.Element, S.Element) -> Bool) -> [S.Element] {
        guard k > 0 else { return [] }
        var best: [S.Element] = []
        best.reserveCapacity(k + 1)
        for c in candidates {
            if best.count == k, !precedes(c, best[k - 1]) { continue }
            var lo = 0, hi = best.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if precedes(best[mid], c) { lo = mid + 1 } else { hi = mid }
            }
            best.insert(c, at: lo)
            if best.count > k { best.removeLast() }
        }
        return best
    }
}
