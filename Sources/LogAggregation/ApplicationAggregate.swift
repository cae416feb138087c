import LogParsing

/// Event counts per level: index `ApplicationLevel.rawValue` (0 unknown ... 7 fatal).
public typealias ApplicationLevelCounts = SIMD8<UInt64>

extension SIMD8: BucketValue where Scalar == UInt64 {
    public mutating func merge(_ other: SIMD8<UInt64>) { self &+= other }
}

extension SIMD8 where Scalar == UInt64 {
    /// All events.
    public var events: UInt64 { wrappedSum() }
    /// ERROR + FATAL.
    public var errors: UInt64 { self[Int(ApplicationLevel.error.rawValue)] &+ self[Int(ApplicationLevel.fatal.rawValue)] }
    /// ERROR + FATAL share of all events (0 without events).
    public var errorRate: Double { events == 0 ? 0 : Double(errors) / Double(events) }
    /// Events of one level.
    public func of(_ level: ApplicationLevel) -> UInt64 { self[Int(level.rawValue)] }
}

/// Everything `logsift report` says about application and nginx error logs, built event by
/// event and mergeable.
///
/// Memory is bounded whatever the input: at most `maxBuckets` time buckets (the width doubles
/// past that, as in `TrafficAggregate`, and also when the error groups' per-bucket series pass
/// `seriesCapacity` entries in all, 1,000,000 by default), `ApplicationErrorGroups.capacity`
/// error groups with an 8 KiB sample each, and bounded top-K tables for services, nginx clients and upstreams. Two
/// aggregates of disjoint inputs merge into what one pass over both gives (counts, levels,
/// buckets, first/last times exactly; error groups exactly while nothing was evicted and the
/// clustering of one pass does not depend on the order of similar templates).
public struct ApplicationAggregate: Sendable {
    public static let defaultMaxBuckets = 10_000

    public internal(set) var series: TimeBuckets<ApplicationLevelCounts>
    /// Bucket width in seconds (the requested width, doubled `widenings` times).
    public var bucketSeconds: Int64 { series.width }
    /// How many times the bucket width doubled to stay within the caps.
    public var widenings: Int { series.widenings }
    public var buckets: [ApplicationLevelCounts] { series.buckets }
    public var bucketStarts: [Int64] { series.starts }

    /// Events per level, all inputs.
    public internal(set) var total = ApplicationLevelCounts()
    /// Events without a readable timestamp: in the totals, in no bucket.
    public internal(set) var untimed: UInt64 = 0
    public internal(set) var firstTime: Int64 = .max
    public internal(set) var lastTime: Int64 = .min
    /// Lines joined to the event before them (stack frames, tracebacks).
    public internal(set) var continuationLines: UInt64 = 0
    /// Events longer than the processor's cap: cut to it, and the bytes left out.
    public internal(set) var truncatedEvents: UInt64 = 0
    public internal(set) var truncatedBytes: UInt64 = 0

    /// Groups of similar WARN, ERROR and FATAL messages.
    public internal(set) var groups: ApplicationErrorGroups
    /// Services (docker-compose prefixes, or named in a message's context: see
    /// `ApplicationRecord.service`): events and ERROR+FATAL events per service.
    public internal(set) var services = KeyedTable<Counter>(capacity: 500)
    public internal(set) var serviceErrors = KeyedTable<Counter>(capacity: 500)
    /// nginx error log: events per `client:` value and per upstream server (the `upstream:`
    /// value up to its path); Apache httpd error log: events per client.
    public internal(set) var clients = KeyedTable<Counter>(capacity: 1_000)
    public internal(set) var upstreams = KeyedTable<Counter>(capacity: 1_000)
    /// Formats seen (names), for the report header, sorted: workers' aggregates merge in the
    /// order they finish, so an order of first sight differed between runs (and between a
    /// report and the merge of its saves).
    public internal(set) var formats: [String] = []

    public init(bucketSeconds: Int64, maxBuckets: Int = ApplicationAggregate.defaultMaxBuckets,
                groupCapacity: Int = 2_000, seriesCapacity: Int = 1_000_000, calendar: BucketCalendar = .utc) {
        self.series = TimeBuckets(width: bucketSeconds, maxBuckets: maxBuckets, calendar: calendar)
        self.groups = ApplicationErrorGroups(capacity: groupCapacity, seriesCapacity: seriesCapacity)
    }

    public var events: UInt64 { total.events }
    public var errorRate: Double { total.errorRate }

    mutating func noteFormat(_ name: String) {
        guard !formats.contains(name) else { return }
        formats.insert(name, at: formats.firstIndex { $0 > name } ?? formats.endIndex)
    }

    /// Adds one event. `r`'s ranges point into `event` (its first line starts at offset 0);
    /// `event` is the whole event text, continuation lines included.
    @inline(__always)
    public mutating func add(_ r: ApplicationRecord, event: UnsafeRawBufferPointer, truncated: Bool = false) {
        let level = r.level
        total[Int(level.rawValue)] &+= 1
        var bucketStart: Int64?
        if let t = r.time {
            if t < firstTime { firstTime = t }
            if t > lastTime { lastTime = t }
            let width = series.width
            let slot = series.slot(for: t)
            if series.width != width { groups.regroup(to: series.width, calendar: series.calendar) }
            series[slot][Int(level.rawValue)] &+= 1
            bucketStart = series.starts[slot]
        } else {
            untimed &+= 1
        }
        if level >= .warn {
            let message = r.message.clamped(to: 0..<event.count)
            withUnsafeTemporaryAllocation(byteCount: ErrorTemplate.maxLength, alignment: 16) { scratch in
                let n = ErrorTemplate.write(event, message, into: scratch)
                let g = groups.groupIndex(template: UnsafeRawBufferPointer(rebasing: scratch[0..<n]))
                let service = r.service.flatMap { $0.upperBound <= event.count ? UnsafeRawBufferPointer(rebasing: event[$0]) : nil }
                groups.record(g, level: level, time: r.time, bucketStart: bucketStart, sample: event, truncated: truncated,
                              service: service)
            }
            if groups.seriesEntries > groups.seriesCapacity { widen() }
        }
        if let s = r.service, s.upperBound <= event.count {
            let key = UnsafeRawBufferPointer(rebasing: event[s])
            services.add(key)
            if level.isError { serviceErrors.add(key) }
        }
        if let c = r.client, c.upperBound <= event.count { clients.add(UnsafeRawBufferPointer(rebasing: event[c])) }
        if let u = r.upstream, u.upperBound <= event.count {
            upstreams.add(UnsafeRawBufferPointer(rebasing: event[ApplicationAggregate.upstreamServer(event, u)]))
        }
    }

    /// The server part of an nginx `upstream:` value: `http://10.0.0.2:8080/api/orders/42` ->
    /// `http://10.0.0.2:8080`, so that the breakdown is by upstream server, not by request.
    /// A value without `://` (`unix:/run/app.sock:`, a bare address) is kept whole.
    @inline(__always)
    static func upstreamServer(_ b: UnsafeRawBufferPointer, _ u: Range<Int>) -> Range<Int> {
        var i = u.lowerBound
        while i + 2 < u.upperBound {
            if b[i] == 0x3a, b[i + 1] == 0x2f, b[i + 2] == 0x2f {
                var k = i + 3
                while k < u.upperBound, b[k] != 0x2f { k += 1 }
                return u.lowerBound..<k
            }
            if b[i] == 0x2f { break }
            i += 1
        }
        return u
    }

    /// Doubles the bucket width (the error groups' series follow).
    mutating func widen() {
        series.widen()
        groups.regroup(to: series.width, calendar: series.calendar)
    }

    mutating func regroup(to width: Int64) {
        series.regroup(to: width)
        groups.regroup(to: width, calendar: series.calendar)
    }

    /// Adds an aggregate of other lines. Widths must be multiples of one another (the same
    /// width doubled); the result takes the wider one.
    public mutating func merge(_ other: ApplicationAggregate) {
        var other = other
        if other.bucketSeconds > bucketSeconds { regroup(to: other.bucketSeconds) }
        if bucketSeconds > other.bucketSeconds { other.regroup(to: bucketSeconds) }
        let width = series.width
        series.merge(other.series)
        if series.width != width { groups.regroup(to: series.width, calendar: series.calendar); other.groups.regroup(to: series.width, calendar: series.calendar) }
        total &+= other.total
        untimed += other.untimed
        firstTime = Swift.min(firstTime, other.firstTime)
        lastTime = Swift.max(lastTime, other.lastTime)
        continuationLines += other.continuationLines
        truncatedEvents += other.truncatedEvents
        truncatedBytes += other.truncatedBytes
        groups.merge(other.groups)
        while groups.seriesEntries > groups.seriesCapacity && bucketSeconds < 1 << 40 { widen() }
        services.merge(other.services)
        serviceErrors.merge(other.serviceErrors)
        clients.merge(other.clients)
        upstreams.merge(other.upstreams)
        for f in other.formats { noteFormat(f) }
    }

    /// Buckets in time order, silent ones between the first and the last included as empty
    /// (an application that stopped logging shows as buckets of zero).
    public var orderedBuckets: [(start: Int64, counts: ApplicationLevelCounts)] {
        series.orderedFillingGaps.map { ($0.start, $0.bucket) }
    }
}
