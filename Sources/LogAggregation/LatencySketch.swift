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
/// edge buckets, so the guarantee holds inside that range; `min`/`max` stay exact (`.infinity`
/// too); values whose millionths do not fit 9·10^15 are left out of `sum` and `mean`.
///
/// Memory: the tracked range is cut into `pageCount` pages of `pageSize` buckets, and a page is
/// allocated when a value first falls in it. A sketch never holds more than
/// `pageCount · pageSize` (2,112) slots, and two values decades apart cost two pages, not every
/// bucket between them. Request times of one service span a few decades: a few pages.
public struct LatencySketch: Sendable, Equatable {
    /// The guarantee stated to users: every quantile as printed is within 1% of the true value.
    public static let relativeAccuracy = 0.01
    /// What the buckets achieve (0.99%), leaving `printingSlack` for printing a quantile with
    /// few digits: 0.0099 + 0.000099 · 1.0099 < 0.01, so the printed value keeps the guarantee.
    static let bucketAccuracy = 0.0099
    static let printingSlack = 0.000099
    static let gamma = (1 + bucketAccuracy) / (1 - bucketAccuracy)
    static let inverseLogGamma = 1 / log(gamma)
    /// `inverseLogGamma` as a literal (the shortest decimal of the same double; the tests check
    /// they are equal): the per-line `index` reads no lazily initialised global.
    @inline(__always)
    static var inverseLogGammaLiteral: Double { 50.50340046192384 }

    /// Buckets per page (a power of two: the slot in a page is the index's low bits).
    static let pageShift = 6
    static let pageSize = 1 << pageShift
    /// The bucket index of the smallest and largest tracked value (1 ns and 10^9 s); literals
    /// checked against `index(_:)` by the tests: no lazy global on the per-line path.
    static let lowestIndex = -1046
    static let highestIndex = 1047
    static let pageCount = (highestIndex - lowestIndex) / pageSize + 1

    /// pageStart[p] is where page p's `pageSize` counts start in `counts`, or -1 while no value
    /// fell in it. Empty until the first positive value.
    var pageStart: [Int32] = []
    /// counts[pageStart[p] + k] is the number of values v with gamma^(i-1) < v ≤ gamma^i, where
    /// i = lowestIndex + p·pageSize + k.
    var counts: [UInt64] = []
    public internal(set) var zeroCount: UInt64 = 0
    public internal(set) var count: UInt64 = 0
    /// Sum of the values in millionths, an integer so that merging in any order gives the same
    /// mean to the last bit (request times are written with at most 3 or 6 decimals).
    var sumMicros: Int64 = 0
    public internal(set) var min: Double = .infinity
    public internal(set) var max: Double = -.infinity

    public init() {}

    /// Positive values are bucketed after clamping to this range (see the type's comment).
    public static let trackedRange: ClosedRange<Double> = 1e-9...1e9

    @inline(__always)
    static func index(_ value: Double) -> Int {
        Int((log(value) * inverseLogGammaLiteral).rounded(.up))
    }

    /// The value reported for bucket `index`: the point of least relative error in its range.
    static func estimate(_ index: Int) -> Double {
        2 * pow(gamma, Double(index)) / (gamma + 1)
    }

    /// A value ready to add to any number of sketches: its logarithm is taken once per line,
    /// not once per sketch it goes to (total, bucket, path).
    public struct Sample {
        public let value: Double
        let micros: Int64
        /// Bucket index − lowestIndex, or -1 for a value ≤ 0.
        let relative: Int
    }

    /// The sample of `value`, or nil for a NaN (not a duration; see the type's comment).
    @inline(__always)
    public static func sample(_ value: Double) -> Sample? {
        guard !value.isNaN else { return nil }
        let micros = (value * 1e6).rounded()
        // Absurd values stay out of the mean; literals rather than `trackedRange`: no lazy
        // global on the per-line path.
        let m = abs(micros) < 9e15 ? Int64(micros) : 0
        guard value > 0 else { return Sample(value: value, micros: m, relative: -1) }
        let r = index(value < 1e-9 ? 1e-9 : (value > 1e9 ? 1e9 : value)) &- lowestIndex
        return Sample(value: value, micros: m, relative: r)
    }

    @inline(__always)
    public mutating func add(_ value: Double) {
        if let s = LatencySketch.sample(value) { add(s) }
    }

    @inline(__always)
    public mutating func add(_ s: Sample) {
        count &+= 1
        sumMicros &+= s.micros
        if s.value < min { min = s.value }
        if s.value > max { max = s.value }
        let r = s.relative
        guard r >= 0 else { zeroCount &+= 1; return }
        if !pageStart.isEmpty {
            let start = Int(pageStart[r >> LatencySketch.pageShift])
            if start >= 0 {
                counts[start &+ (r & (LatencySketch.pageSize - 1))] &+= 1
                return
            }
        }
        addSlow(relative: r, count: 1)
    }

    /// Adds `n` at relative index `r` (index − lowestIndex), allocating its page if needed.
    @inline(never)
    mutating func addSlow(relative r: Int, count n: UInt64) {
        if pageStart.isEmpty { pageStart = [Int32](repeating: -1, count: LatencySketch.pageCount) }
        let page = r >> LatencySketch.pageShift
        if pageStart[page] < 0 {
            pageStart[page] = Int32(counts.count)
            counts.append(contentsOf: repeatElement(0, count: LatencySketch.pageSize))
        }
        counts[Int(pageStart[page]) + (r & (LatencySketch.pageSize - 1))] &+= n
    }

    /// Calls `body` with each non-empty bucket's index and count, in increasing index order.
    func forEachBucket(_ body: (_ index: Int, _ count: UInt64) -> Bool) {
        for (page, start) in pageStart.enumerated() where start >= 0 {
            for k in 0..<LatencySketch.pageSize {
                let n = counts[Int(start) + k]
                if n > 0, !body(LatencySketch.lowestIndex + page * LatencySketch.pageSize + k, n) { return }
            }
        }
    }

    public mutating func merge(_ other: LatencySketch) {
        guard other.count > 0 else { return }
        count &+= other.count
        zeroCount &+= other.zeroCount
        sumMicros &+= other.sumMicros
        min = Swift.min(min, other.min)
        max = Swift.max(max, other.max)
        other.forEachBucket { i, n in
            addSlow(relative: i - LatencySketch.lowestIndex, count: n)
            return true
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
        var found: Double? = nil
        forEachBucket { i, n in
            seen &+= n
            guard seen > rank else { return true }
            found = DecimalRounding.shortest(LatencySketch.estimate(i), within: LatencySketch.printingSlack)
            return false
        }
        guard let e = found else { return max }
        return Swift.min(Swift.max(e, min), max)
    }

    /// Equal when they hold the same counts per bucket, whatever the layout of their arrays.
    public static func == (a: LatencySketch, b: LatencySketch) -> Bool {
        guard a.count == b.count, a.zeroCount == b.zeroCount, a.sumMicros == b.sumMicros,
              a.min == b.min || (a.count == 0), a.max == b.max || (a.count == 0) else { return false }
        for i in lowestIndex...highestIndex where a.bucketCount(i) != b.bucketCount(i) { return false }
        return true
    }

    func bucketCount(_ index: Int) -> UInt64 {
        let r = index - LatencySketch.lowestIndex
        guard r >= 0, !pageStart.isEmpty, r >> LatencySketch.pageShift < pageStart.count else { return 0 }
        let start = Int(pageStart[r >> LatencySketch.pageShift])
        return start < 0 ? 0 : counts[start + (r & (LatencySketch.pageSize - 1))]
    }

    public var sum: Double { Double(sumMicros) / 1e6 }
    public var mean: Double? { count > 0 ? Double(sumMicros) / 1e6 / Double(count) : nil }
}
