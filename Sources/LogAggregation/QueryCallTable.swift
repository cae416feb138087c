/// What a `QueryCallTable` keeps per statement fingerprint.
public struct QueryCalls: KeyedValue {
    /// Entries that logged the statement (`statement:`, `execute …:`, `duration: … statement:`).
    public var calls: UInt64 = 0
    /// Durations counted (a statement's own, or a bare `duration:` paired with it).
    public var timed: UInt64 = 0
    /// Sum of those durations, in milliseconds.
    public var totalMilliseconds: Double = 0

    public init() {}
    public var weight: UInt64 { Swift.max(calls, timed) }
    public mutating func merge(_ other: QueryCalls) {
        calls &+= other.calls
        timed &+= other.timed
        totalMilliseconds += other.totalMilliseconds
    }
}

/// Statement fingerprints of a `watch` pane, with calls and total duration: a `KeyedTable` of
/// `QueryCalls` as a type of its own, so a caller in another module calls code compiled here
/// for it (as `CountTable` does for counts). Bounded like the pane's paths: past `capacity`
/// fingerprints the least-called half is evicted.
public struct QueryCallTable: Sendable {
    var table: KeyedTable<QueryCalls>

    public init(capacity: Int) { table = KeyedTable(capacity: capacity) }

    public var count: Int { table.count }
    public var isEmpty: Bool { table.isEmpty }
    public var isExact: Bool { table.isExact }

    /// Counts one entry of `key`: a call when `call`, and its duration when there is one.
    public mutating func add(_ key: UnsafeRawBufferPointer, call: Bool, milliseconds: Double?) {
        let i = table.index(key)
        if call { table.values[i].calls &+= 1 }
        if let milliseconds, milliseconds.isFinite {
            table.values[i].timed &+= 1
            table.values[i].totalMilliseconds += milliseconds
        }
    }

    public mutating func removeAll() { table.removeAll() }

    public mutating func merge(_ other: QueryCallTable) { table.merge(other.table) }

    public struct Entry: Sendable, Equatable {
        public let query: String
        public let calls: UInt64
        public let timed: UInt64
        public let totalMilliseconds: Double
    }

    /// The `k` fingerprints with the most calls (ties: the larger total, then by key text).
    public func topByCalls(_ k: Int) -> [Entry] {
        ranked(k) { a, b in
            a.calls != b.calls ? a.calls > b.calls : (a.totalMilliseconds != b.totalMilliseconds ? a.totalMilliseconds > b.totalMilliseconds : nil)
        }
    }

    /// The `k` fingerprints with the largest total duration, among those with one (ties: more
    /// calls, then by key text).
    public func topByTotalDuration(_ k: Int) -> [Entry] {
        ranked(k, including: { $0.timed > 0 }) { a, b in
            a.totalMilliseconds != b.totalMilliseconds ? a.totalMilliseconds > b.totalMilliseconds : (a.calls != b.calls ? a.calls > b.calls : nil)
        }
    }

    /// One pass keeping the best `k` indexes; a `String` is made only for those.
    /// `before(a, b)`: whether a ranks first, nil when equal (then the key bytes decide).
    func ranked(_ k: Int, including: (QueryCalls) -> Bool = { _ in true },
                _ before: (QueryCalls, QueryCalls) -> Bool?) -> [Entry] {
        guard k > 0, !table.values.isEmpty else { return [] }
        let values = table.values
        func precedes(_ x: Int, _ y: Int) -> Bool {
            if let b = before(values[x], values[y]) { return b }
            return table.withKey(at: x) { kx in
                table.withKey(at: y) { ky in kx.lexicographicallyPrecedes(ky) }
            }
        }
        return Ranking.best(k, of: values.indices.filter { including(values[$0]) }, by: precedes).map { i in
            Entry(query: table.key(at: i), calls: values[i].calls, timed: values[i].timed,
                  totalMilliseconds: values[i].totalMilliseconds)
        }
    }
}
