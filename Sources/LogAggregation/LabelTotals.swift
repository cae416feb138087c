/// Totals of the inputs that carry one label (`report --label host=web1`): what a merged
/// report breaks down per label value (per host, per day) when its saves carry more than one.
///
/// Built from a finished `Analysis` (not line by line) and merged by adding, so the breakdown
/// of a merge is exact: counts add, the latency sketch merges like every other sketch.
public struct LabelTotals: Sendable, Equatable {
    /// The label's name and value: `host` and `web1` for `--label host=web1`.
    public var name: String
    public var value: String
    /// Lines read, access-log requests, of which 5xx, and their request times.
    public var lines: UInt64 = 0
    public var requests: UInt64 = 0
    public var serverErrors: UInt64 = 0
    public var latency = LatencySketch()
    /// PostgreSQL and application events, and of them errors (ERROR, FATAL, PANIC).
    public var events: UInt64 = 0
    public var errors: UInt64 = 0

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    /// The totals of `analysis` under one label.
    public init(name: String, value: String, analysis: Analysis) {
        self.init(name: name, value: value)
        lines = analysis.totalLines
        requests = analysis.traffic.total.requests
        serverErrors = analysis.traffic.total.count(ofClass: 5)
        latency = analysis.traffic.total.latency
        if let p = analysis.postgres { events &+= p.events; errors &+= p.errors }
        if let a = analysis.application { events &+= a.events; errors &+= a.total.errors }
    }

    public var serverErrorRate: Double { requests == 0 ? 0 : Double(serverErrors) / Double(requests) }

    /// Adds the totals of other inputs with the same label.
    public mutating func merge(_ other: LabelTotals) {
        lines &+= other.lines
        requests &+= other.requests
        serverErrors &+= other.serverErrors
        latency.merge(other.latency)
        events &+= other.events
        errors &+= other.errors
    }

    /// `totals` with the same name and value added together, in order of first appearance.
    public static func combined(_ totals: [LabelTotals]) -> [LabelTotals] {
        var out: [LabelTotals] = []
        for t in totals {
            if let k = out.firstIndex(where: { $0.name == t.name && $0.value == t.value }) {
                out[k].merge(t)
            } else {
                out.append(t)
            }
        }
        return out
    }
}
