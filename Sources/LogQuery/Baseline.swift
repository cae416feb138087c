import LogAggregation
import LogParsing

/// `--baseline`: the same aggregates over a calm window next to the incident's, per group.
///
/// Takes the rows of one query run over the incident window and over the baseline window (both
/// unsorted and unlimited), gives one row per group present in either, with each column's
/// incident value, baseline value and change. It knows nothing of files or output formats.
public enum BaselineComparison {
    /// Whether a group is in both windows, only in the incident (`new`) or only in the baseline.
    public typealias Presence = Change.Presence

    public struct Cell: Sendable, Equatable {
        public var incident: GroupRow.Value
        public var baseline: GroupRow.Value
        /// incident − baseline, when both are numbers.
        public var change: Double?
        /// change / |baseline|, when both are numbers and the baseline is not 0.
        public var relative: Double?
    }

    public struct Row: Sendable {
        /// The incident's time bucket (for a group only in the baseline: its bucket moved by
        /// the distance between the windows).
        public var bucket: Int64?
        public var keys: [String]
        public var presence: Presence
        public var cells: [Cell]
    }

    /// Whether a group absent from a window has the value 0 there (a count of no events is 0;
    /// an average or a percentile of no events is nothing).
    public static func zeroWhenAbsent(_ aggregate: Aggregate) -> Bool {
        switch aggregate {
        case .count, .sum, .distinct: return true
        default: return false
        }
    }

    /// Joins the two runs by group. Time buckets are matched by their distance from the start
    /// of their window (`shift` = incident start − baseline start), so `by 1m --baseline -1d`
    /// compares each minute with the same minute a day before.
    public static func join(incident: [GroupRow], baseline: [GroupRow], aggregates: [Aggregate], shift: Int64) -> [Row] {
        struct Key: Hashable { var bucket: Int64?; var keys: [String] }
        var byKey: [Key: Int] = [:]
        var rows: [Row] = []
        func absent(_ aggregate: Aggregate) -> GroupRow.Value { zeroWhenAbsent(aggregate) ? .number(0) : .none }
        for r in incident {
            byKey[Key(bucket: r.bucket, keys: r.keys)] = rows.count
            rows.append(Row(bucket: r.bucket, keys: r.keys, presence: .new,
                            cells: zip(r.values, aggregates).map { Cell(incident: $0, baseline: absent($1)) }))
        }
        for r in baseline {
            let moved = r.bucket.map { $0 + shift }
            if let i = byKey[Key(bucket: moved, keys: r.keys)] {
                rows[i].presence = .both
                for c in rows[i].cells.indices { rows[i].cells[c].baseline = r.values[c] }
            } else {
                rows.append(Row(bucket: moved, keys: r.keys, presence: .gone,
                                cells: zip(r.values, aggregates).map { Cell(incident: absent($1), baseline: $0) }))
            }
        }
        for i in rows.indices {
            for c in rows[i].cells.indices {
                let cell = rows[i].cells[c]
                if case .number(let a) = cell.incident, case .number(let b) = cell.baseline,
                   let d = Change.difference(a, b) {
                    rows[i].cells[c].change = d.change
                    rows[i].cells[c].relative = d.relative
                }
            }
        }
        return rows
    }

    /// Default order: by the size of the first column's change, largest first; a group whose
    /// first column has no change (new or gone where absence is not 0, or a list) comes before
    /// them, as the most changed; ties by bucket, then keys. With a time key and no other
    /// key, time order.
    public static func ordered(_ rows: [Row], byTimeOnly: Bool) -> [Row] {
        if byTimeOnly { return rows.sorted { ($0.bucket ?? .min) < ($1.bucket ?? .min) } }
        func size(_ r: Row) -> Double {
            guard let first = r.cells.first else { return 0 }
            return Change.orderSize(first.change, r.presence)
        }
        return rows.sorted { a, b in
            let x = size(a), y = size(b)
            if x != y { return x > y }
            if a.bucket != b.bucket { return (a.bucket ?? .min) < (b.bucket ?? .min) }
            return a.keys.lexicographicallyPrecedes(b.keys)
        }
    }
}

extension BaselineComparison {
    /// The order `sort` asks for: by a column's incident value or by a key, then `limit`.
    public static func sorted(_ rows: [Row], _ query: Query, columns: [String], keys: [String], byTimeOnly: Bool) throws(QueryError) -> [Row] {
        var rows = rows
        if query.sort.isEmpty {
            rows = ordered(rows, byTimeOnly: byTimeOnly)
        } else {
            var sorters: [(Row, Row) -> Bool?] = []
            for key in query.sort {
                if let c = columns.firstIndex(of: key.name) {
                    func value(_ r: Row) -> Double { if case .number(let v) = r.cells[c].incident { return v } else { return -.infinity } }
                    sorters.append { a, b in
                        let x = value(a), y = value(b)
                        return x == y ? nil : (key.descending ? x > y : x < y)
                    }
                } else if let k = keys.firstIndex(of: key.name) {
                    sorters.append { a, b in
                        a.keys[k] == b.keys[k] ? nil : (key.descending ? a.keys[k] > b.keys[k] : a.keys[k] < b.keys[k])
                    }
                } else {
                    let names = columns + keys
                    let hint = EditDistance.closest(to: key.name, among: names).map { " (did you mean \($0)?)" } ?? ""
                    throw key.location.error("sort by '\(key.name)': not a column of this query\(hint); columns: \(names.joined(separator: ", "))")
                }
            }
            rows.sort { a, b in
                for s in sorters { if let r = s(a, b) { return r } }
                if a.bucket != b.bucket { return (a.bucket ?? .min) < (b.bucket ?? .min) }
                return a.keys.lexicographicallyPrecedes(b.keys)
            }
        }
        if let limit = query.limit, rows.count > limit { rows = Array(rows.prefix(limit)) }
        return rows
    }
}

extension BaselineComparison.Cell {
    init(incident: GroupRow.Value, baseline: GroupRow.Value) {
        self.incident = incident
        self.baseline = baseline
    }
}
