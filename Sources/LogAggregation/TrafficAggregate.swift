import LogParsing

/// Counts for one time bucket (or for the whole input).
public struct BucketStats: BucketValue {
    public var requests: UInt64 = 0
    /// Requests per status class: index 1...5 for 1xx...5xx, 0 for anything else.
    public var classes: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0)
    public var bytes: UInt64 = 0
    public var latency = LatencySketch()
    public var upstream = LatencySketch()

    public init() {}

    @inline(__always)
    public mutating func add(_ record: AccessRecord) {
        add(record, latency: record.requestTime.flatMap(LatencySketch.sample),
            upstream: record.upstreamTime.flatMap(LatencySketch.sample))
    }

    /// `add` with the latencies already made samples (one logarithm per line, not per sketch).
    @inline(__always)
    public mutating func add(_ record: AccessRecord, latency: LatencySketch.Sample?, upstream: LatencySketch.Sample?) {
        requests &+= 1
        switch record.status {
        case 100..<200: classes.1 &+= 1
        case 200..<300: classes.2 &+= 1
        case 300..<400: classes.3 &+= 1
        case 400..<500: classes.4 &+= 1
        case 500..<600: classes.5 &+= 1
        default: classes.0 &+= 1
        }
        bytes &+= UInt64(truncatingIfNeeded: record.bytes)
        if let t = latency { self.latency.add(t) }
        if let t = upstream { self.upstream.add(t) }
    }

    /// Wrapping sums, as in `add`: a hostile log's byte counts (`999999999999999999` on a few
    /// lines) overflow 64 bits, and merging must neither trap nor disagree with one pass.
    public mutating func merge(_ other: BucketStats) {
        requests &+= other.requests
        classes.0 &+= other.classes.0
        classes.1 &+= other.classes.1
        classes.2 &+= other.classes.2
        classes.3 &+= other.classes.3
        classes.4 &+= other.classes.4
        classes.5 &+= other.classes.5
        bytes &+= other.bytes
        latency.merge(other.latency)
        upstream.merge(other.upstream)
    }

    /// Requests of status class `k` (1...5), or of unknown status for 0.
    public func count(ofClass k: Int) -> UInt64 {
        switch k {
        case 1: return classes.1
        case 2: return classes.2
        case 3: return classes.3
        case 4: return classes.4
        case 5: return classes.5
        default: return classes.0
        }
    }

    public func rate(ofClass k: Int) -> Double {
        requests == 0 ? 0 : Double(count(ofClass: k)) / Double(requests)
    }
}

/// Everything `logsift report` says about access logs, built line by line and mergeable.
public struct TrafficAggregate: Sendable {
    public static let defaultMaxBuckets = 10_000

    public internal(set) var series: TimeBuckets<BucketStats>
    public internal(set) var total = BucketStats()
    /// Requests per exact status code 0...599; anything else is counted at index 0.
    public internal(set) var statusCounts = [UInt64](repeating: 0, count: 600)
    public internal(set) var paths: PathTable
    /// Matched lines whose timestamp could not be read: in the totals, in no bucket.
    public internal(set) var untimed: UInt64 = 0
    /// Matched lines without a request path (`"-"`, TLS garbage sent to a plain port).
    public internal(set) var pathless: UInt64 = 0
    public internal(set) var firstTime: Int64 = .max
    public internal(set) var lastTime: Int64 = .min

    public init(bucketSeconds: Int64 = 60, maxBuckets: Int = TrafficAggregate.defaultMaxBuckets,
                pathCapacity: Int = 5_000, calendar: BucketCalendar = .utc) {
        series = TimeBuckets(width: bucketSeconds, maxBuckets: maxBuckets, calendar: calendar)
        paths = PathTable(capacity: pathCapacity)
    }

    /// Bucket width in seconds (the requested width, doubled `widenings` times).
    public var bucketSeconds: Int64 { series.width }
    /// How many times the bucket width doubled to stay within the bucket cap.
    public var widenings: Int { series.widenings }
    public var buckets: [BucketStats] { series.buckets }

    /// Adds one parsed line. `line` is the buffer the record's ranges point into.
    @inline(__always)
    public mutating func add(_ record: AccessRecord, line: UnsafeRawBufferPointer) {
        let latency = record.requestTime.flatMap(LatencySketch.sample)
        let upstream = record.upstreamTime.flatMap(LatencySketch.sample)
        total.add(record, latency: latency, upstream: upstream)
        let status = record.status
        statusCounts[status >= 0 && status < 600 ? status : 0] &+= 1
        if let t = record.time {
            if t < firstTime { firstTime = t }
            if t > lastTime { lastTime = t }
            series[series.slot(for: t)].add(record, latency: latency, upstream: upstream)
        } else {
            untimed &+= 1
        }
        if let path = record.path {
            // The template is built on the stack: no allocation per line.
            withUnsafeTemporaryAllocation(byteCount: PathTemplate.maxLength, alignment: 16) { scratch in
                let n = PathTemplate.write(line, path, into: scratch)
                let index = paths.index(UnsafeRawBufferPointer(rebasing: scratch[0..<n]))
                paths[index].record(status: status, bytes: record.bytes, latencySample: latency)
            }
        } else {
            pathless &+= 1
        }
    }

    /// Adds another aggregate of other lines (see `TimeBuckets.merge` for the widths).
    public mutating func merge(_ other: TrafficAggregate) {
        series.merge(other.series)
        total.merge(other.total)
        for i in 0..<600 { statusCounts[i] &+= other.statusCounts[i] }
        paths.merge(other.paths)
        untimed &+= other.untimed
        pathless &+= other.pathless
        firstTime = Swift.min(firstTime, other.firstTime)
        lastTime = Swift.max(lastTime, other.lastTime)
    }

    /// The `k` paths with the highest p95 latency among those with at least `minimumRequests`
    /// timed requests (see `Ranking`), ties broken by path.
    public func slowestPaths(_ k: Int, minimumRequests: UInt64) -> [(key: String, value: PathStats)] {
        paths.top(k) { $0.latency.count >= minimumRequests ? ($0.latency.quantile(0.95) ?? -1) : -1 }
            .filter { $0.value.latency.count >= minimumRequests && $0.value.latency.count > 0 }
    }

    /// Buckets in time order, minutes (or buckets) without traffic between the first and the
    /// last included as empty ones: a gap in traffic is an outage to see, not to hide.
    public var orderedBuckets: [(start: Int64, stats: BucketStats)] {
        series.orderedFillingGaps.map { ($0.start, $0.bucket) }
    }
}
