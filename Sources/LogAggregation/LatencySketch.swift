/// LogAggregation: per-bucket counts, latency sketches and top paths, all mergeable.
///
/// Takes parsed `AccessRecord`s, gives a `TrafficAggregate` whose memory does not grow with the
/// number of lines: buckets are capped (the width doubles past the cap), paths are capped (the
/// least-seen are evicted and counted), sketches have a fixed resolution. Two aggregates of
/// disjoint inputs merge into exactly what one pass over both gives, as long as neither evicted
/// paths. It knows nothing of files or output formats.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A log-bucketed quantile sketch of the DDSketch family.
///
/// Why this one: its error is relative (1% of the value, whether the value is 2 ms or 20 s),
/// it merges exactly (bucket counts add), and adding a value is one `log` and one increment.
/// HDR histograms give the same relative guarantee but need the value range up front.
///
/// Guarantee: for a quantile q, the element of 0-based rank floor(q·(n−1)) in the sorted input is
/// `x`, and the estimate `e` satisfies |e − x| ≤ 0.01·x. `max` and `min` are exact. Values ≤ 0
/// (a `0.000` request time) are counted as 0 exactly.
///
/// Any double is accepted, so that no input line can trap or bloat it: a NaN is not a duration
/// and is ignored (not counted, no effect on `min`/`max`/`mean`); positive values outside
/// [`trackedRange`] (1 ns to 10^9 s, about 31 years; `.infinity` included) are counted in its
/// edge buckets, so the guarantee holds inside that range and the bucket array never exceeds
/// about 2,100 slots whatever the values; `min`/`max` stay exact (`.infinity` too); values whose
/// millionths do not fit 9·10^15 are left out of `sum` and `mean`.
public struct LatencySketch: Sendable, Equatable {
    /// The guarantee stated to users: every quantile as printed is within 1% of the true value.
    public static let relativeAccuracy = 0.01
    /// What the buckets achieve (0.99%), leaving `printingSlack` for printing a quantile with
    /// few digits: 0.0099 + 0.000099 · 1.0099 < 0.01, so the printed value keeps the guarantee.
    static let bucketAccuracy = 0.0099
    static let printingSlack = 0.000099
    static let gamma = (1 + bucketAccuracy) / (1 - bucketAccuracy)
    static let inverseLogGamma = 1 / log(gamma)

    /// counts[i] is the number of values v with gamma^(offset+i-1) < v ≤ gamma^(offset+i).
    var counts: [UInt64] = []
    var offset = 0
    public private(set) var zeroCount: UInt64 = 0
    public private(set) var count: UInt64 = 0
    /// Sum of the values in millionths, an integer so that merging in any order gives the same
    /// mean to the last bit (request times are written with at most 3 or 6 decimals).
    var sumMicros: Int64 = 0
    public private(set) var min: Double = .infinity
    public private(set) var max: Double = -.infinity

    public init() {}

    /// Positive values are bucketed after clamping to this range (see the type's comment).
    public static let trackedRange: ClosedRange<Double> = 1e-9...1e9

    @inline(__always)
    static func index(_ value: Double) -> Int {
        Int((log(value) * inverseLogGamma).rounded(.up))
    }

    /// The value reported for bucket `index`: the point of least relative error in its range.
    static func estimate(_ index: Int) -> Double {
        2 * pow(gamma, Double(index)) / (gamma + 1)
    }

    @inline(__always)
    public mutating func add(_ value: Double) {
        guard !value.isNaN else { return }  // not a duration (see the type's comment)
        count &+= 1
        let micros = (value * 1e6).rounded()
        sumMicros &+= abs(micros) < 9e15 ? Int64(micros) : 0  // absurd values stay out of the mean
        if value < min { min = value }
        if value > max { max = value }
        guard value > 0 else { zeroCount &+= 1; return }
        // Literals rather than `trackedRange`: no lazy global on the per-line path.
        let i = LatencySketch.index(value < 1e-9 ? 1e-9 : (value > 1e9 ? 1e9 : value))
        let slot = i &- offset
        if slot >= 0 && slot < counts.count {
            counts[slot] &+= 1
        } else {
            addSlow(index: i, count: 1)
        }
    }

    /// Slots added beyond the one needed when the sketch grows, so a sketch reaches its range
    /// in a few reallocations instead of one per new index.
    static let growthSlack = 32

    @inline(never)
    mutating func addSlow(index i: Int, count n: UInt64) {
        let slack = Swift.max(LatencySketch.growthSlack, counts.count / 2)
        if counts.isEmpty {
            offset = i - slack / 2
            counts = [UInt64](repeating: 0, count: slack)
        } else if i < offset {
            let newOffset = i - slack
            counts.insert(contentsOf: repeatElement(0, count: offset - newOffset), at: 0)
            offset = newOffset
        } else if i >= offset + counts.count {
            counts.append(contentsOf: repeatElement(0, count: i - offset - counts.count + 1 + slack))
        }
        counts[i - offset] &+= n
    }

    public mutating func merge(_ other: LatencySketch) {
        guard other.count > 0 else { return }
        count &+= other.count
        zeroCount &+= other.zeroCount
        sumMicros &+= other.sumMicros
        min = Swift.min(min, other.min)
        max = Swift.max(max, other.max)
        for (slot, n) in other.counts.enumerated() where n > 0 {
            let i = other.offset + slot
            if i >= offset && i < offset + counts.count { counts[i - offset] &+= n } else { addSlow(index: i, count: n) }
        }
    }

    /// The estimate of quantile `q` (0...1), or nil when empty. See the type's guarantee. It is
    /// the shortest decimal within `printingSlack` of the bucket's estimate (`0.1235`, not
    /// `0.12347312064`), so reports print no more digits than the sketch can vouch for.
    public func quantile(_ q: Double) -> Double? {
        guard count > 0, !q.isNaN else { return nil }
        if q >= 1 { return max }
        if q <= 0 { return min }
        let rank = UInt64((q * Double(count - 1)).rounded(.down))
        if rank < zeroCount { return 0 }
        var seen = zeroCount
        for (slot, n) in counts.enumerated() where n > 0 {
            seen += n
            if seen > rank {
                let e = DecimalRounding.shortest(LatencySketch.estimate(offset + slot), within: LatencySketch.printingSlack)
                return Swift.min(Swift.max(e, min), max)
            }
        }
        return max
    }

    /// Equal when they hold the same counts per bucket, whatever the layout of their arrays.
    public static func == (a: LatencySketch, b: LatencySketch) -> Bool {
        guard a.count == b.count, a.zeroCount == b.zeroCount, a.sumMicros == b.sumMicros,
              a.min == b.min || (a.count == 0), a.max == b.max || (a.count == 0) else { return false }
        let low = Swift.min(a.offset, b.offset)
        let high = Swift.max(a.offset + a.counts.count, b.offset + b.counts.count)
        for i in low..<high where a.bucketCount(i) != b.bucketCount(i) { return false }
        return true
    }

    func bucketCount(_ index: Int) -> UInt64 {
        let slot = index - offset
        return slot >= 0 && slot < counts.count ? counts[slot] : 0
    }

    public var sum: Double { Double(sumMicros) / 1e6 }
    public var mean: Double? { count > 0 ? Double(sumMicros) / 1e6 / Double(count) : nil }
}
