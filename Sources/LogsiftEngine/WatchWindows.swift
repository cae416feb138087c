import LogAggregation

/// Rolling windows on event time for `watch`.
///
/// Time is cut into panes of `paneSeconds` (`--every`); a window is the last
/// `windowSeconds / paneSeconds` panes (`--window`). A pane closes when the estimated event
/// time now passes its end plus `lateSeconds`: the estimate is the newest event time seen
/// plus the wall-clock time since it was seen, so a stalled input still closes its windows.
/// An event whose pane is still open lands in it (late or out of order); one whose pane has
/// closed is counted in `late` of the pane open at the newest time. Only the panes of one
/// window plus the open ones are kept, in a ring allocated once: memory does not grow with
/// the time watched.
public struct WindowConfiguration: Sendable, Equatable {
    public var windowSeconds: Int64
    public var paneSeconds: Int64
    public var lateSeconds: Int64
    /// How many paths (statement fingerprints, error templates) each pane keeps (the
    /// least-seen half is evicted past it).
    public var pathCapacity: Int = 1000

    public init(windowSeconds: Int64, paneSeconds: Int64, lateSeconds: Int64) {
        self.windowSeconds = windowSeconds
        self.paneSeconds = paneSeconds
        self.lateSeconds = lateSeconds
    }

    public var panesPerWindow: Int { Int(max(1, windowSeconds / max(1, paneSeconds))) }
}

/// What one pane of access events holds: mergeable, so a window is the merge of its panes.
public struct AccessPane: Sendable {
    public var start: Int64 = .min
    public var requests: UInt64 = 0
    public var serverErrors: UInt64 = 0
    public var unmatched: UInt64 = 0
    public var late: UInt64 = 0
    public var latency = LatencySketch()
    public var paths: CountTable
    /// PostgreSQL and application inputs (`EventPaneFeed`): durations in milliseconds, statement
    /// fingerprints with calls and total duration, and error templates; each table bounded
    /// like `paths`.
    public var durations = LatencySketch()
    public var queries: QueryCallTable
    public var errorTemplates: CountTable

    init(pathCapacity: Int) {
        paths = CountTable(capacity: pathCapacity)
        queries = QueryCallTable(capacity: pathCapacity)
        errorTemplates = CountTable(capacity: pathCapacity)
    }

    mutating func reset(start: Int64) {
        self.start = start
        requests = 0
        serverErrors = 0
        unmatched = 0
        late = 0
        latency = LatencySketch()
        paths.removeAll()
        durations = LatencySketch()
        queries.removeAll()
        errorTemplates.removeAll()
    }

    mutating func merge(_ other: AccessPane) {
        requests += other.requests
        serverErrors += other.serverErrors
        unmatched += other.unmatched
        late += other.late
        latency.merge(other.latency)
        paths.merge(other.paths)
        durations.merge(other.durations)
        queries.merge(other.queries)
        errorTemplates.merge(other.errorTemplates)
    }
}

/// A window that closed: the merge of its panes, with its bounds in epoch seconds.
public struct WindowSummary: Sendable {
    public var start: Int64
    public var end: Int64
    public var totals: AccessPane
    /// Windows with no event skipped just before this one (a jump in event time).
    public var skippedEmptyWindows: Int = 0

    public var serverErrorShare: Double? {
        totals.requests > 0 ? Double(totals.serverErrors) / Double(totals.requests) : nil
    }
}

public struct RollingWindows {
    public let configuration: WindowConfiguration
    /// Ring of panes indexed by (pane start / paneSeconds) mod count.
    var ring: [AccessPane]
    /// Every pane starting before this is closed (nil before the first event).
    public private(set) var closedBefore: Int64?
    /// The newest event time seen, and the wall-clock millisecond it was seen at.
    public private(set) var newest: Int64?
    var newestSeenAtMilliseconds: Int64 = 0
    /// Closed panes since the last window that had events (to skip runs of empty windows).
    /// Starts high: windows before the first line are not emitted (nor counted as skipped).
    var emptyRun = Int.max / 2
    var emittedAny = false
    var skipped = 0
    /// The newest pane that was handed out to take a line.
    var lastDataPane: Int64 = .min

    public init(_ configuration: WindowConfiguration) {
        var c = configuration
        c.paneSeconds = max(1, c.paneSeconds)
        c.windowSeconds = max(c.paneSeconds, c.windowSeconds / c.paneSeconds * c.paneSeconds)
        c.lateSeconds = max(0, c.lateSeconds)
        self.configuration = c
        let open = Int((c.lateSeconds + c.paneSeconds - 1) / c.paneSeconds) + 2
        ring = Array(repeating: AccessPane(pathCapacity: c.pathCapacity), count: c.panesPerWindow + open)
    }

    @inline(__always)
    func paneStart(_ t: Int64) -> Int64 {
        let p = configuration.paneSeconds
        let q = t / p
        return (t % p < 0 ? q - 1 : q) * p
    }

    @inline(__always)
    func slot(_ start: Int64) -> Int {
        let i = (start / configuration.paneSeconds) % Int64(ring.count)
        return Int(i < 0 ? i + Int64(ring.count) : i)
    }

    /// The pane for event time `t`, opened if needed; nil when its pane has closed (late).
    /// Panes that must close first are closed through `emit`.
    public mutating func pane(for t: Int64, nowMilliseconds: Int64, emit: (WindowSummary) -> Void) -> Int? {
        if closedBefore == nil { closedBefore = paneStart(t - configuration.lateSeconds) }
        if newest == nil || t > newest! {
            newest = t
            newestSeenAtMilliseconds = nowMilliseconds
            advance(nowMilliseconds: nowMilliseconds, emit: emit)
        }
        let start = paneStart(t)
        guard start >= closedBefore! else { return nil }
        lastDataPane = max(lastDataPane, start)
        let i = slot(start)
        if ring[i].start != start { ring[i].reset(start: start) }
        return i
    }

    /// The pane holding the newest time (for unmatched and late lines).
    public mutating func currentPane(nowMilliseconds: Int64) -> Int? {
        guard let newest else { return nil }
        let start = max(paneStart(newest), closedBefore ?? paneStart(newest))
        lastDataPane = max(lastDataPane, start)
        let i = slot(start)
        if ring[i].start != start { ring[i].reset(start: start) }
        return i
    }

    public subscript(_ i: Int) -> AccessPane {
        get { ring[i] }
        _modify { yield &ring[i] }
    }

    /// The event time now, as estimated from the newest event and the wall clock.
    public func estimatedNow(nowMilliseconds: Int64) -> Int64? {
        guard let newest else { return nil }
        return newest + max(0, nowMilliseconds - newestSeenAtMilliseconds) / 1000
    }

    /// Closes every pane whose end plus the lateness has passed.
    public mutating func advance(nowMilliseconds: Int64, emit: (WindowSummary) -> Void) {
        guard let now = estimatedNow(nowMilliseconds: nowMilliseconds) else { return }
        close(upTo: now - configuration.lateSeconds, emit: emit)
    }

    /// Closes every open pane (end of input).
    public mutating func closeAll(emit: (WindowSummary) -> Void) {
        guard let newest else { return }
        close(upTo: paneStart(newest) + configuration.paneSeconds, emit: emit)
    }

    /// Closes the panes ending at or before `limit`, emitting the window that ends with each.
    mutating func close(upTo limit: Int64, emit: (WindowSummary) -> Void) {
        guard var start = closedBefore else { return }
        let p = configuration.paneSeconds
        let k = configuration.panesPerWindow
        while start + p <= limit {
            let i = slot(start)
            if ring[i].start != start { ring[i].reset(start: start) }
            if ring[i].requests + ring[i].unmatched + ring[i].late == 0 { emptyRun &+= 1 } else { emptyRun = 0 }
            // A jump ahead in event time: past the last pane that got lines, every window is
            // empty; skip them all but the last few instead of walking each one.
            let jumpTo = paneStart(limit) - Int64(ring.count) * p
            if emptyRun > k, start > lastDataPane, jumpTo > start {
                if emittedAny { skipped += Int((jumpTo - start) / p) }
                start = jumpTo
                continue
            }
            // A window none of whose panes held anything is emitted once, then skipped until lines come.
            if emptyRun <= k {
                var totals = AccessPane(pathCapacity: configuration.pathCapacity)
                totals.start = start + p - configuration.windowSeconds
                var s = start
                for _ in 0..<k {
                    let j = slot(s)
                    if ring[j].start == s { totals.merge(ring[j]) }
                    s -= p
                }
                var summary = WindowSummary(start: start + p - configuration.windowSeconds, end: start + p, totals: totals)
                summary.skippedEmptyWindows = skipped
                skipped = 0
                emittedAny = true
                emit(summary)
            } else if emittedAny {
                skipped += 1
            }
            start += p
        }
        closedBefore = start
    }
}
