/// What is kept per path template: requests, errors, bytes and a latency sketch.
public struct PathStats: KeyedValue {
    public var requests: UInt64 = 0
    public var serverErrors: UInt64 = 0
    public var clientErrors: UInt64 = 0
    public var bytes: UInt64 = 0
    public var latency = LatencySketch()

    public init() {}

    public var weight: UInt64 { requests }

    @inline(__always)
    public mutating func record(status: Int, bytes sent: Int, latency seconds: Double?) {
        record(status: status, bytes: sent, latencySample: seconds.flatMap(LatencySketch.sample))
    }

    /// `record` with the latency already a sketch sample.
    @inline(__always)
    public mutating func record(status: Int, bytes sent: Int, latencySample sample: LatencySketch.Sample?) {
        requests &+= 1
        if status >= 500 && status < 600 { serverErrors &+= 1 }
        else if status >= 400 && status < 500 { clientErrors &+= 1 }
        bytes &+= UInt64(truncatingIfNeeded: sent)
        if let sample { latency.add(sample) }
    }

    /// Wrapping sums, like `record`: a merged result equals one pass even for absurd byte counts.
    public mutating func merge(_ other: PathStats) {
        requests &+= other.requests
        serverErrors &+= other.serverErrors
        clientErrors &+= other.clientErrors
        bytes &+= other.bytes
        latency.merge(other.latency)
    }
}

/// Path templates to their statistics, in a table of bounded size (see `KeyedTable`: past its
/// capacity the least-requested half is evicted and counted).
public typealias PathTable = KeyedTable<PathStats>
