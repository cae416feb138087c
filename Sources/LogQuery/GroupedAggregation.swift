import LogAggregation
import LogParsing

/// The aggregate stage of a query bound to one schema: what to compute (each column's source
/// slot and filter) and how to group (key slots, time width).
public struct AggregationPlan: Sendable {
    public enum Column: Sendable {
        case count
        case countIf(FilterBinding)
        case sum(slot: Int)
        case average(slot: Int)
        case minimum(slot: Int)
        case maximum(slot: Int)
        case percentile(Double, slot: Int)
        case rate(FilterBinding)
        case distinct(slot: Int)
        case top(slot: Int, Int)
    }

    /// Column names as written (`p95(request_time)`), in order; `percentiles(f)` is four columns.
    public let names: [String]
    public let columns: [Column]
    public let keySlots: [Int]
    public let keyNames: [String]
    /// Seconds per time bucket, when grouped by time.
    public let bucketSeconds: Int64?

    /// A slot no event fills: a field this input lacks, read as absent in every event.
    public static let absentSlot = -1

    /// Binds `query`'s aggregates and keys to `schema`. A field the schema lacks is an error,
    /// unless `missingIsAbsent` (another input has it): then it is absent in every event here,
    /// so its aggregates see no value and a key shows `-`.
    public static func bind(_ query: Query, to schema: FieldSchema, missingIsAbsent: Bool = false) throws(QueryError) -> AggregationPlan {
        var names: [String] = []
        var columns: [Column] = []
        func slot(_ f: FieldReference, numeric: Bool) throws(QueryError) -> Int {
            guard let field = schema.field(named: f.name) else {
                if missingIsAbsent { return AggregationPlan.absentSlot }
                throw FilterBinder.unknownFieldError(f, known: schema.fields.map(\.name))
            }
            if numeric, case .text = field.kind {
                throw f.location.error("'\(f.name)' is text: sum, avg, min, max and percentiles take a number field")
            }
            return field.slot
        }
        for aggregate in query.aggregates {
            switch aggregate {
            case .count(nil): columns.append(.count); names.append("count")
            case .count(let filter?):
                columns.append(.countIf(try FilterBinder.bind(filter, to: schema))); names.append(aggregate.name)
            case .sum(let f): columns.append(.sum(slot: try slot(f, numeric: true))); names.append(aggregate.name)
            case .average(let f): columns.append(.average(slot: try slot(f, numeric: true))); names.append(aggregate.name)
            case .minimum(let f): columns.append(.minimum(slot: try slot(f, numeric: true))); names.append(aggregate.name)
            case .maximum(let f): columns.append(.maximum(slot: try slot(f, numeric: true))); names.append(aggregate.name)
            case .percentile(let q, let f):
                columns.append(.percentile(q, slot: try slot(f, numeric: true))); names.append(aggregate.name)
            case .percentiles(let f):
                let s = try slot(f, numeric: true)
                for q in [0.5, 0.9, 0.95, 0.99] {
                    columns.append(.percentile(q, slot: s))
                    names.append("p\(Query.percentileText(q))(\(f.name))")
                }
            case .rate(let filter):
                columns.append(.rate(try FilterBinder.bind(filter, to: schema))); names.append(aggregate.name)
            case .distinct(let f): columns.append(.distinct(slot: try slot(f, numeric: false))); names.append(aggregate.name)
            case .top(let f, let n): columns.append(.top(slot: try slot(f, numeric: false), n)); names.append(aggregate.name)
            }
        }
        var keySlots: [Int] = []
        var keyNames: [String] = []
        var bucket: Int64?
        for key in query.keys {
            switch key {
            case .field(let f):
                keySlots.append(try slot(f, numeric: false))
                keyNames.append(f.name)
            case .time(let seconds, _):
                bucket = seconds
            }
        }
        return AggregationPlan(names: names, columns: columns, keySlots: keySlots, keyNames: keyNames, bucketSeconds: bucket)
    }
}

/// What one group has seen: a value per column, kept in typed arrays so that adding an event
/// changes numbers in place (no copy of a sketch or table per event).
public struct GroupState: KeyedValue {
    public var events: UInt64 = 0
    var counts: [UInt64] = []
    var sums: [ExactSum] = []
    var seen: [UInt64] = []
    var minimums: [Double] = []
    var maximums: [Double] = []
    var sketches: [LatencySketch] = []
    var distinct: [DistinctCounter] = []
    /// Only for `top` columns (nil elsewhere): a table costs a few hundred bytes.
    var tops: [KeyedTable<Counter>?] = []

    public init() {}
    public var weight: UInt64 { events }

    /// Makes the arrays the plan's columns use (indexed by column; the others stay empty and
    /// cost no allocation): a `count by a, b` group holds one small array, not seven.
    mutating func prepare(_ kinds: ColumnKinds, _ columns: Int, tops topCapacities: [Int?]) {
        counts = [UInt64](repeating: 0, count: columns)
        if kinds.sums { sums = [ExactSum](repeating: ExactSum(), count: columns) }
        if kinds.seen { seen = [UInt64](repeating: 0, count: columns) }
        if kinds.extremes {
            minimums = [Double](repeating: .infinity, count: columns)
            maximums = [Double](repeating: -.infinity, count: columns)
        }
        if kinds.sketches { sketches = [LatencySketch](repeating: LatencySketch(), count: columns) }
        if kinds.distinct { distinct = [DistinctCounter](repeating: DistinctCounter(), count: columns) }
        if kinds.tops { tops = topCapacities.map { $0.map { KeyedTable<Counter>(capacity: $0) } } }
    }

    public mutating func merge(_ other: GroupState) {
        if counts.isEmpty { self = other; return }
        guard !other.counts.isEmpty else { return }
        events &+= other.events
        for i in counts.indices {
            counts[i] &+= other.counts[i]
            if !sums.isEmpty { sums[i].merge(other.sums[i]) }
            if !seen.isEmpty { seen[i] &+= other.seen[i] }
            if !minimums.isEmpty {
                minimums[i] = Swift.min(minimums[i], other.minimums[i])
                maximums[i] = Swift.max(maximums[i], other.maximums[i])
            }
            if !sketches.isEmpty { sketches[i].merge(other.sketches[i]) }
            if !distinct.isEmpty { distinct[i].merge(other.distinct[i]) }
            if !tops.isEmpty, let theirs = other.tops[i] { tops[i]?.merge(theirs) }
        }
    }
}

/// Which of `GroupState`'s arrays a plan's columns use.
struct ColumnKinds: Sendable {
    var sums = false, seen = false, extremes = false, sketches = false, distinct = false, tops = false

    init(_ columns: [AggregationPlan.Column]) {
        for column in columns {
            switch column {
            case .count, .countIf, .rate: break
            case .sum, .average: sums = true; seen = true
            case .minimum, .maximum: extremes = true; seen = true
            case .percentile: sketches = true
            case .distinct: distinct = true
            case .top: tops = true
            }
        }
    }
}

/// Groups and aggregates events for one plan. One per worker; results of workers merge.
public final class GroupedAggregation {
    public let plan: AggregationPlan
    public private(set) var groups: KeyedTable<GroupState>
    let evaluators: [FilterEvaluator?]
    let topCapacities: [Int?]
    let kinds: ColumnKinds
    var key: [UInt8] = []

    /// Groups kept by default (`--max-groups`): with two workers' tables and the rows written
    /// at the end, 400,000 distinct (remote_addr, path) keys peaked at 96–113 MB with 100,000
    /// and 66 MB with 50,000 (`QueryGroupBoundTests`' log, release build): 50,000 keeps a query
    /// under the 100 MB the query issue sets.
    public static let defaultMaxGroups = 50_000
    /// Bytes of group keys (the key fields' text) kept at most: 50,000 groups of 320-byte
    /// keys. Long keys (whole URLs with query strings, user agents) fill it before the group
    /// count does.
    public static let maxKeyBytes = 16 << 20

    /// How many groups a table of `plan` keeps: `maxGroups`, a fifth of it when a column
    /// keeps a latency sketch per group (about 1–2 KiB), a tenth when it keeps a distinct
    /// counter or a top table (up to 4 KiB) — the shares `RuleEvaluator` uses — so that the
    /// default keeps a query's peak memory under 100 MB whatever the number of keys.
    public static func groupCapacity(_ plan: AggregationPlan, maxGroups: Int) -> Int {
        let kinds = ColumnKinds(plan.columns)
        let share = kinds.distinct || kinds.tops ? 10 : kinds.sketches ? 5 : 1
        return Swift.max(2, maxGroups / share)
    }

    /// At most `groupCapacity(plan, maxGroups)` groups are kept (and `maxKeyBytes` of keys);
    /// past that the least-seen half is evicted and counted (`evictedGroups`, `evictedEvents`).
    public init(plan: AggregationPlan, maxGroups: Int = GroupedAggregation.defaultMaxGroups) {
        self.plan = plan
        kinds = ColumnKinds(plan.columns)
        groups = KeyedTable<GroupState>(capacity: GroupedAggregation.groupCapacity(plan, maxGroups: maxGroups),
                                        maxKeyBytes: GroupedAggregation.maxKeyBytes)
        evaluators = plan.columns.map { column in
            switch column {
            case .countIf(let b), .rate(let b): return FilterEvaluator(b)
            default: return nil
            }
        }
        topCapacities = plan.columns.map { column in
            if case .top(_, let n) = column { return Swift.max(64, n * 8) }
            return nil
        }
    }

    /// Adds one event that passed the query's filter. `time` is its epoch second (nil: untimed,
    /// grouped under no bucket when the plan groups by time).
    public func add<E: FieldValues>(_ event: E, time: Int64?) {
        key.removeAll(keepingCapacity: true)
        if let width = plan.bucketSeconds {
            let start = time.map { $0 - (($0 % width) + width) % width } ?? Int64.min
            withUnsafeBytes(of: start.bigEndian) { key.append(contentsOf: $0) }
        }
        for slot in plan.keySlots {
            event.withText(slot) { bytes in
                if let bytes { key.append(contentsOf: bytes) } else { key.append(0x1E) }  // absent
            }
            key.append(0x1F)
        }
        let index = key.withUnsafeBytes { groups.index($0) }
        accumulate(event, into: &groups[index])
    }

    func accumulate<E: FieldValues>(_ event: E, into state: inout GroupState) {
        if state.counts.isEmpty { state.prepare(kinds, plan.columns.count, tops: topCapacities) }
        state.events &+= 1
        for (i, column) in plan.columns.enumerated() {
            switch column {
            case .count:
                state.counts[i] &+= 1
            case .countIf, .rate:
                if evaluators[i]!.matches(event) { state.counts[i] &+= 1 }
            case .sum(let slot), .average(let slot):
                if let v = event.number(slot), v.isFinite { state.sums[i].add(v); state.seen[i] &+= 1 }
            case .minimum(let slot), .maximum(let slot):
                if let v = event.number(slot), !v.isNaN {
                    state.minimums[i] = Swift.min(state.minimums[i], v)
                    state.maximums[i] = Swift.max(state.maximums[i], v)
                    state.seen[i] &+= 1
                }
            case .percentile(_, let slot):
                if let v = event.number(slot) { state.sketches[i].add(v) }
            case .distinct(let slot):
                event.withText(slot) { if let b = $0 { state.distinct[i].add(b) } }
            case .top(let slot, _):
                event.withText(slot) { if let b = $0 { state.tops[i]?.add(b) } }
            }
        }
    }

    public func merge(_ other: GroupedAggregation) {
        groups.merge(other.groups)
    }

    /// Groups evicted to keep the table bounded (0: every count is exact).
    public var evictedGroups: UInt64 { groups.evictedKeys }
    /// Events the evicted groups had counted when they were evicted.
    public var evictedEvents: UInt64 { groups.evictedWeight }
}

/// One output row: the key values as text (time keys as epoch seconds) and one value per column.
public struct GroupRow: Sendable {
    public enum Value: Sendable, Equatable {
        case number(Double)
        case none
        case list([(String, UInt64)])
        public static func == (a: Value, b: Value) -> Bool {
            switch (a, b) {
            case (.number(let x), .number(let y)): return x == y
            case (.none, .none): return true
            case (.list(let x), .list(let y)): return x.map(\.0) == y.map(\.0) && x.map(\.1) == y.map(\.1)
            default: return false
            }
        }
    }
    public var bucket: Int64?
    public var keys: [String]
    public var values: [Value]
}

extension GroupedAggregation {
    /// Every group as a row, in key order (time first). With a time key, buckets without an
    /// event between the first and the last are rows of zero (per combination of the other
    /// keys when there are none: only when grouping by time alone).
    public func rows() -> [GroupRow] {
        var rows: [GroupRow] = []
        for i in 0..<groups.count {
            let state = groups[i]
            var bucket: Int64?
            var keys: [String] = []
            groups.withKey(at: i) { raw in
                var rest = raw[...]
                if plan.bucketSeconds != nil {
                    var be: Int64 = 0
                    withUnsafeMutableBytes(of: &be) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: rest.prefix(8))) }
                    let start = Int64(bigEndian: be)
                    bucket = start == Int64.min ? nil : start
                    rest = rest.dropFirst(8)
                }
                for _ in plan.keySlots {
                    let end = rest.firstIndex(of: 0x1F) ?? rest.endIndex
                    let part = rest[rest.startIndex..<end]
                    keys.append(part.count == 1 && part.first == 0x1E ? "-" : String(decoding: part, as: UTF8.self))
                    rest = rest[(end == rest.endIndex ? end : end + 1)...]
                }
            }
            rows.append(GroupRow(bucket: bucket, keys: keys, values: values(state)))
        }
        if rows.isEmpty, plan.bucketSeconds == nil, plan.keySlots.isEmpty {
            // "How many?" has an answer when nothing matched: zero.
            return [GroupRow(bucket: nil, keys: [], values: values(GroupState()))]
        }
        if let width = plan.bucketSeconds, plan.keySlots.isEmpty {
            let present = Set(rows.compactMap(\.bucket))
            if let first = present.min(), let last = present.max(), (last - first) / width < 1_000_000 {
                var t = first
                while t < last {
                    if !present.contains(t) { rows.append(GroupRow(bucket: t, keys: [], values: values(GroupState()))) }
                    t += width
                }
            }
        }
        rows.sort { a, b in
            if a.bucket != b.bucket { return (a.bucket ?? Int64.min) < (b.bucket ?? Int64.min) }
            return a.keys.lexicographicallyPrecedes(b.keys)
        }
        return rows
    }

    func values(_ state: GroupState) -> [GroupRow.Value] {
        plan.columns.enumerated().map { i, column in
            guard !state.counts.isEmpty else {
                switch column {
                case .count, .countIf: return .number(0)
                case .sum: return .number(0)
                case .top: return .list([])
                default: return .none
                }
            }
            switch column {
            case .count, .countIf: return .number(Double(state.counts[i]))
            case .rate: return state.events == 0 ? .none : .number(Double(state.counts[i]) / Double(state.events))
            case .sum: return .number(state.sums[i].value)
            case .average: return state.seen[i] == 0 ? .none : .number(state.sums[i].value / Double(state.seen[i]))
            case .minimum: return state.seen[i] == 0 ? .none : .number(state.minimums[i])
            case .maximum: return state.seen[i] == 0 ? .none : .number(state.maximums[i])
            case .percentile(let q, _): return state.sketches[i].quantile(q).map { .number($0) } ?? .none
            case .distinct: return .number(state.distinct[i].estimate.rounded())
            case .top(_, let n): return .list(state.tops[i]?.top(n) ?? [])
            }
        }
    }
}

/// A sum that is the same whatever order its values came in, for values written with at most
/// six decimals (request times, byte counts, milliseconds): those are added as integer
/// millionths; any other value (and a sum past 9·10^15 millionths) goes to a plain double. So
/// a query cut between workers and merged gives the one-pass sum to the last bit, as the
/// latency sketch does for its mean.
struct ExactSum: Sendable {
    var micros: Int64 = 0
    var rest: Double = 0

    @inline(__always)
    mutating func add(_ v: Double) {
        let m = (v * 1e6).rounded()
        if abs(m) < 9e15, abs(v * 1e6 - m) < 1e-3 {
            let (sum, overflow) = micros.addingReportingOverflow(Int64(m))
            if !overflow { micros = sum; return }
        }
        rest += v
    }

    mutating func merge(_ other: ExactSum) {
        let (sum, overflow) = micros.addingReportingOverflow(other.micros)
        if overflow { rest += Double(other.micros) / 1e6 } else { micros = sum }
        rest += other.rest
    }

    var value: Double { Double(micros) / 1e6 + rest }
}
