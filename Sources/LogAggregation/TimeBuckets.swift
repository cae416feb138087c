/// What a `TimeBuckets` series keeps per bucket: something that starts empty and merges.
public protocol BucketValue: Sendable {
    init()
    mutating func merge(_ other: Self)
}

/// Event-time buckets of one width, at most `maxBuckets` of them.
///
/// A bucket starts at a multiple of `width` seconds since the epoch (floored, also for times
/// before 1970), or, for whole days, at local midnight in the zone of `calendar`. Past `maxBuckets` buckets the width doubles and neighbours merge, so memory
/// stays bounded on long inputs; `widenings` counts how often. Two series of disjoint events
/// merge into what one pass gives: widths are always the first width doubled, so the narrower
/// series is regrouped to the wider one first. Looking up the bucket of consecutive events in
/// the same bucket costs a compare.
public struct TimeBuckets<Bucket: BucketValue>: Sendable {
    public static var defaultMaxBuckets: Int { 10_000 }

    public internal(set) var width: Int64
    public let maxBuckets: Int
    /// Bucket start -> slot in `starts` / `buckets` (slots are in order of creation).
    var slotOfStart: [Int64: Int] = [:]
    public internal(set) var starts: [Int64] = []
    public internal(set) var buckets: [Bucket] = []
    var lastStart: Int64 = .min
    var lastSlot = -1
    /// How many times the width doubled to stay within `maxBuckets`.
    public internal(set) var widenings = 0
    /// Where buckets start (local midnights for day widths with a zone).
    public internal(set) var calendar: BucketCalendar
    /// `calendar.isLocalDays(width)`, kept with the width: buckets of unequal length.
    var localDays = false
    /// The end of the bucket at `lastSlot` when `localDays`.
    var lastEnd: Int64 = .min

    public init(width: Int64, maxBuckets: Int = TimeBuckets.defaultMaxBuckets, calendar: BucketCalendar = .utc) {
        self.width = Swift.max(1, width)
        self.maxBuckets = Swift.max(2, maxBuckets)
        self.calendar = calendar
        self.localDays = calendar.isLocalDays(self.width)
    }

    /// The start of the bucket holding `time` at the current width. Less than one width above
    /// `Int64.min` the true start is not representable and the result wraps (no parser writes
    /// such times; the series stays consistent, it does not trap).
    @inline(__always)
    public func start(of time: Int64) -> Int64 {
        localDays ? calendar.start(of: time, width: width) : floorDivide(time, width) &* width
    }

    /// The slot of the bucket holding `time`, created if new (which may widen the series).
    @inline(__always)
    public mutating func slot(for time: Int64) -> Int {
        if localDays { return localDaySlot(for: time) }
        let start = start(of: time)
        // `lastSlot < 0`: nothing cached yet (`lastStart`'s `.min` is also a valid start).
        return start == lastStart && lastSlot >= 0 ? lastSlot : slot(start: start)
    }

    /// The widest width: past it the width cannot double, and as `Int64` then holds at most
    /// four bucket starts, the series may exceed `maxBuckets` by up to two.
    static var widestWidth: Int64 { Int64.max / 2 }

    /// `slot(for:)` for buckets of local days: the cached bucket covers [lastStart, lastEnd).
    @inline(never)
    mutating func localDaySlot(for time: Int64) -> Int {
        if lastSlot >= 0 && time >= lastStart && time < lastEnd { return lastSlot }
        let slot = slot(start: start(of: time))
        lastEnd = calendar.next(after: lastStart, width: width)
        return slot
    }

    @inline(never)
    mutating func slot(start: Int64) -> Int {
        if let slot = slotOfStart[start] {
            lastStart = start
            lastSlot = slot
            return slot
        }
        if buckets.count >= maxBuckets, width <= TimeBuckets.widestWidth {
            widen()
            return slot(start: self.start(of: start))
        }
        slotOfStart[start] = buckets.count
        starts.append(start)
        buckets.append(Bucket())
        lastStart = start
        lastSlot = buckets.count - 1
        return lastSlot
    }

    public subscript(slot: Int) -> Bucket {
        get { buckets[slot] }
        _modify { yield &buckets[slot] }
    }

    /// Doubles the width, merging neighbouring buckets.
    public mutating func widen() {
        regroup(to: width * 2)
        widenings += 1
    }

    /// Regroups to `newWidth`, a multiple of the current width.
    public mutating func regroup(to newWidth: Int64) {
        var merged: [Int64: Bucket] = [:]
        for (start, bucket) in zip(starts, buckets) {
            merged[calendar.start(of: start, width: newWidth), default: Bucket()].merge(bucket)
        }
        width = newWidth
        localDays = calendar.isLocalDays(newWidth)
        starts = merged.keys.sorted()
        buckets = starts.map { merged[$0]! }
        slotOfStart = Dictionary(uniqueKeysWithValues: starts.enumerated().map { ($1, $0) })
        lastStart = .min
        lastSlot = -1
    }

    /// Adds a series of other events; the result takes the wider width of the two.
    public mutating func merge(_ other: TimeBuckets<Bucket>) {
        var other = other
        if starts.isEmpty && calendar.zone == nil && other.calendar.zone != nil {
            calendar = other.calendar
            localDays = calendar.isLocalDays(width)
        }
        if other.width > width { regroup(to: other.width) }
        if width > other.width { other.regroup(to: width) }
        for (start, bucket) in zip(other.starts, other.buckets) {
            let slot = slot(start: start)
            buckets[slot].merge(bucket)
        }
        widenings = Swift.max(widenings, other.widenings)
    }

    /// Buckets in time order.
    public var ordered: [(start: Int64, bucket: Bucket)] {
        zip(starts, buckets).sorted { $0.0 < $1.0 }.map { ($0.0, $0.1) }
    }

    /// Buckets in time order with the silent ones between them as empty buckets, so that an
    /// outage shows as buckets of zero instead of vanishing. At most `maxBuckets` buckets in
    /// all: when filling every gap would exceed that (a stray timestamp years away), the
    /// shortest gaps are filled first and longer ones stay open.
    public var orderedFillingGaps: [(start: Int64, bucket: Bucket)] {
        let present = ordered
        guard present.count > 1 else { return present }
        // Empty buckets in each gap; a gap too wide to count is never filled.
        var gaps: [(after: Int, empty: Int)] = []
        for i in 1..<present.count {
            let (span, overflow) = present[i].start.subtractingReportingOverflow(present[i - 1].start)
            // Local days last 23 to 25 hours: the nearest whole number of widths.
            let empty = overflow ? Int64.max : (localDays ? (span + width / 2) / width : span / width) - 1
            if empty > 0 { gaps.append((i - 1, empty > Int64(maxBuckets) ? Int.max : Int(empty))) }
        }
        var budget = maxBuckets - present.count
        var filled = Set<Int>()
        for gap in gaps.sorted(by: { ($0.empty, $0.after) < ($1.empty, $1.after) }) {
            guard gap.empty <= budget else { break }
            budget -= gap.empty
            filled.insert(gap.after)
        }
        var out: [(start: Int64, bucket: Bucket)] = []
        out.reserveCapacity(maxBuckets - budget)
        for (i, item) in present.enumerated() {
            out.append(item)
            guard filled.contains(i) else { continue }
            var start = calendar.next(after: item.start, width: width)
            while start < present[i + 1].start {
                out.append((start, Bucket()))
                start = calendar.next(after: start, width: width)
            }
        }
        return out
    }
}

/// `a / b` rounded toward negative infinity (bucket starts before 1970 floor downward too).
@inline(__always)
func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}
