// Regrouping a finished aggregate to a wider bucket width, so that aggregates saved with
// different `--bucket` widths can merge: each is first regrouped to the widest width (a
// multiple of every other one), then they merge at one width. Regrouping merges whole
// buckets, so it is exact.

extension TrafficAggregate {
    /// Regroups the series to `width`, a multiple of the current width.
    public mutating func regroupBuckets(to width: Int64) {
        if width != series.width { series.regroup(to: width) }
    }

    /// Holds nothing at all (a run with no access log still has an empty access aggregate).
    public var isEmpty: Bool { total.requests == 0 && series.buckets.isEmpty && untimed == 0 && paths.isEmpty }
}

extension PostgresAggregate {
    /// Regroups the series to `width`, a multiple of the current width.
    public mutating func regroupBuckets(to width: Int64) {
        if width != series.width { series.regroup(to: width) }
    }
}

extension ApplicationAggregate {
    /// Regroups the series and the error groups' series to `width`, a multiple of the current width.
    public mutating func regroupBuckets(to width: Int64) {
        if width != series.width { regroup(to: width) }
    }
}
