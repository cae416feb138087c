extension LatencySketch {
    /// Removes `other`'s values from this sketch, which must hold them (added or merged): a
    /// rolling window drops its oldest part this way instead of merging all the others again.
    ///
    /// Bucket counts, `count` and the sum are exact after it. `min` and `max` cannot be
    /// un-merged: they keep the bounds of every value seen until the sketch is empty again (then
    /// they reset). A quantile is clamped to them only, so the guarantee holds for the values
    /// left; `min`/`max` themselves are then bounds, not exact.
    public mutating func subtract(_ other: LatencySketch) {
        guard other.count > 0 else { return }
        precondition(other.count <= count, "subtracting values the sketch does not hold")
        count &-= other.count
        zeroCount &-= other.zeroCount
        sumMicros &-= other.sumMicros
        other.forEachBucket { i, n in
            let r = i - LatencySketch.lowestIndex
            let start = Int(pageStart[r >> LatencySketch.pageShift])
            counts[start + (r & (LatencySketch.pageSize - 1))] &-= n
            return true
        }
        if count == 0 { self = LatencySketch() }
    }
}
