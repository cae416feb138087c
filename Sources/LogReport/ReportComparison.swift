import LogAggregation

/// `report --baseline`: what changed between two analyses made with the same engine and
/// options — the current one and a baseline (yesterday's logs; later a saved `.lsa`).
///
/// A pure comparison of two `Analysis` values: it reads no file and knows no output format.
/// It gives the headline figures of each family (volume, error rates, p95), and three tables —
/// paths, error groups that are new or grew, PostgreSQL statements that are new or slower —
/// each row a key with its measures now and in the baseline (`Change`). It follows the
/// conventions of `query --baseline` (`BaselineComparison`, through `Change`): a count absent
/// from one side is 0 there, an average or a percentile absent is nothing; change is
/// current − baseline, relative change is change / |baseline|; rows are ordered by the size of
/// their ranking measure's change, new or gone rows without a change first.
public struct ReportComparison: Sendable {
    public enum Unit: Sendable { case count, share, seconds }

    public struct Measure: Sendable {
        public var name: String
        /// Its key in the JSON report.
        public var key: String
        public var unit: Unit
    }

    /// One headline figure (requests, 5xx rate, p95, ...) now and in the baseline.
    public struct Figure: Sendable {
        public var measure: Measure
        public var change: Change
        /// The HTML element id and JSON section, e.g. `access`.
        public var family: String
    }

    public struct Row: Sendable {
        /// Key cells, the long one (path, message, statement) last.
        public var keys: [String]
        public var presence: Change.Presence
        /// One per measure of the table.
        public var cells: [Change]
    }

    public struct Table: Sendable {
        public var id: String
        public var title: String
        public var keyNames: [String]
        public var measures: [Measure]
        /// The measure rows are ordered by (its change is shown).
        public var ranking: Int
        public var rows: [Row]
        public var note: String?
    }

    public var figures: [Figure] = []
    public var tables: [Table] = []
    /// The baseline's inputs and time range, for the header line.
    public var baselineInputs: [String]
    public var baselineLines: UInt64
    public var baselineRange: (first: Int64, last: Int64)?

    static let requests = Measure(name: "requests", key: "requests", unit: .count)
    static let rate4xx = Measure(name: "4xx", key: "rate_4xx", unit: .share)
    static let rate5xx = Measure(name: "5xx", key: "rate_5xx", unit: .share)
    static let p95 = Measure(name: "p95", key: "p95", unit: .seconds)

    /// Compares `current` with `baseline`; tables list at most `top` rows.
    public init(current: Analysis, baseline: Analysis, top: Int = 10) {
        baselineInputs = baseline.inputs.map(\.name)
        baselineLines = baseline.totalLines
        baselineRange = baseline.timeRange
        let top = Swift.max(0, top)
        accessFigures(current, baseline)
        postgresFigures(current.postgres, baseline.postgres)
        applicationFigures(current.application, baseline.application)
        if current.traffic.total.requests > 0 || baseline.traffic.total.requests > 0 {
            tables.append(Self.paths(current, baseline, top: top))
        }
        let groups = Self.errorGroups(current, baseline, top: top)
        if !groups.rows.isEmpty || current.application != nil || current.postgres != nil { tables.append(groups) }
        if current.postgres != nil || baseline.postgres != nil {
            tables.append(Self.statements(current.postgres, baseline.postgres, top: top))
        }
    }

    // MARK: - Figures

    mutating func accessFigures(_ current: Analysis, _ baseline: Analysis) {
        let now = current.traffic.total, before = baseline.traffic.total
        guard now.requests > 0 || before.requests > 0 else { return }
        func rate(_ s: BucketStats, _ k: Int) -> Double? { s.requests > 0 ? s.rate(ofClass: k) : nil }
        figures.append(Figure(measure: Self.requests, change: Change(current: Double(now.requests), baseline: Double(before.requests)), family: "access"))
        figures.append(Figure(measure: Self.rate4xx, change: Change(current: rate(now, 4), baseline: rate(before, 4)), family: "access"))
        figures.append(Figure(measure: Self.rate5xx, change: Change(current: rate(now, 5), baseline: rate(before, 5)), family: "access"))
        if current.hasLatency || baseline.hasLatency {
            figures.append(Figure(measure: Self.p95, change: Change(current: now.latency.quantile(0.95), baseline: before.latency.quantile(0.95)),
                                  family: "access"))
        }
    }

    mutating func postgresFigures(_ now: PostgresAggregate?, _ before: PostgresAggregate?) {
        guard (now?.events ?? 0) > 0 || (before?.events ?? 0) > 0 else { return }
        figures.append(Figure(measure: Measure(name: "SQL queries", key: "queries", unit: .count),
                              change: Change(current: Double(now?.queries ?? 0), baseline: Double(before?.queries ?? 0)), family: "postgres"))
        figures.append(Figure(measure: Measure(name: "query p95", key: "query_p95", unit: .seconds),
                              change: Change(current: now?.queryDuration.quantile(0.95), baseline: before?.queryDuration.quantile(0.95)),
                              family: "postgres"))
        figures.append(Figure(measure: Measure(name: "SQL errors", key: "errors", unit: .count),
                              change: Change(current: Double(now?.errors ?? 0), baseline: Double(before?.errors ?? 0)), family: "postgres"))
    }

    mutating func applicationFigures(_ now: ApplicationAggregate?, _ before: ApplicationAggregate?) {
        guard (now?.events ?? 0) > 0 || (before?.events ?? 0) > 0 else { return }
        func rate(_ a: ApplicationAggregate?) -> Double? { a.flatMap { $0.events > 0 ? $0.total.errorRate : nil } }
        figures.append(Figure(measure: Measure(name: "app events", key: "events", unit: .count),
                              change: Change(current: Double(now?.events ?? 0), baseline: Double(before?.events ?? 0)), family: "application"))
        figures.append(Figure(measure: Measure(name: "app errors", key: "errors", unit: .count),
                              change: Change(current: Double(now?.total.errors ?? 0), baseline: Double(before?.total.errors ?? 0)),
                              family: "application"))
        figures.append(Figure(measure: Measure(name: "app error rate", key: "error_rate", unit: .share),
                              change: Change(current: rate(now), baseline: rate(before)), family: "application"))
    }

    // MARK: - Tables

    /// Rows ordered by the size of their ranking measure's change (see `Change.orderSize`),
    /// ties by key; at most `top`.
    static func ordered(_ rows: [Row], ranking: Int, top: Int) -> [Row] {
        Array(rows.sorted { a, b in
            let x = Change.orderSize(a.cells[ranking].change, a.presence)
            let y = Change.orderSize(b.cells[ranking].change, b.presence)
            if x != y { return x > y }
            return a.keys.lexicographicallyPrecedes(b.keys)
        }.prefix(top))
    }

    static func presence(_ inCurrent: Bool, _ inBaseline: Bool) -> Change.Presence {
        inCurrent && inBaseline ? .both : inCurrent ? .new : .gone
    }

    /// The paths among the top `top` by requests on either side and the slowest `top` now:
    /// requests, 5xx rate and p95 on each side, ordered by the change of p95 (of the 5xx rate
    /// without latency). A p95 counts only over the volume floor of the ranked tables
    /// (`Ranking.minimumRequests` of that side's buckets): below it one request is the p95.
    static func paths(_ current: Analysis, _ baseline: Analysis, top: Int) -> Table {
        let latency = current.hasLatency || baseline.hasLatency
        let nowFloor = Ranking.minimumRequests(current.traffic.buckets)
        let beforeFloor = Ranking.minimumRequests(baseline.traffic.buckets)
        var keys: [String] = []
        var seen = Set<String>()
        func add(_ items: [(key: String, value: PathStats)]) {
            for item in items where seen.insert(item.key).inserted { keys.append(item.key) }
        }
        add(current.traffic.paths.top(top) { Double($0.requests) })
        if latency { add(current.traffic.slowestPaths(top, minimumRequests: nowFloor)) }
        add(baseline.traffic.paths.top(top) { Double($0.requests) })
        func rate(_ s: PathStats?) -> Double? { s.flatMap { $0.requests > 0 ? Double($0.serverErrors) / Double($0.requests) : nil } }
        func pathP95(_ s: PathStats?, _ floor: UInt64) -> Double? { s.flatMap { $0.latency.count >= floor ? $0.latency.quantile(0.95) : nil } }
        var measures = [requests, rate5xx]
        if latency { measures.append(Self.p95) }
        let rows: [Row] = keys.map { key in
            let now = current.traffic.paths.value(for: key), before = baseline.traffic.paths.value(for: key)
            var cells = [Change(current: Double(now?.requests ?? 0), baseline: Double(before?.requests ?? 0)),
                         Change(current: rate(now), baseline: rate(before))]
            if latency { cells.append(Change(current: pathP95(now, nowFloor), baseline: pathP95(before, beforeFloor))) }
            return Row(keys: [key], presence: presence(now != nil, before != nil), cells: cells)
        }
        let ranking = latency ? 2 : 1
        return Table(id: "baseline-paths", title: latency ? "Paths by change of p95" : "Paths by change of 5xx rate",
                     keyNames: ["path"], measures: measures, ranking: ranking, rows: ordered(rows, ranking: ranking, top: top),
                     note: latency ? "p95 shown for paths of \(nowFloor)+ timed requests now, \(beforeFloor)+ in the baseline." : nil)
    }

    /// Error groups (application and nginx error logs: error and fatal; PostgreSQL: every
    /// error template) that are new or counted more often than in the baseline, matched by
    /// source and template.
    static func errorGroups(_ current: Analysis, _ baseline: Analysis, top: Int) -> Table {
        struct Key: Hashable { var source: String; var level: String; var message: String }
        func groups(_ a: Analysis) -> [Key: UInt64] {
            var out: [Key: UInt64] = [:]
            if let app = a.application {
                for g in app.groups.groups where g.level.isError {
                    out[Key(source: "application", level: g.level.name.lowercased(), message: g.template), default: 0] += g.count
                }
            }
            if let pg = a.postgres {
                for (template, e) in pg.errorTemplates.sorted(by: { Double($0.count) }) {
                    out[Key(source: "PostgreSQL", level: e.severity.rawValue.lowercased(), message: template), default: 0] += e.count
                }
            }
            return out
        }
        let now = groups(current), before = groups(baseline)
        let rows: [Row] = now.compactMap { key, count in
            let old = before[key]
            guard count > (old ?? 0) else { return nil }
            return Row(keys: [key.source, key.level, key.message], presence: old == nil ? .new : .both,
                       cells: [Change(current: Double(count), baseline: Double(old ?? 0))])
        }
        return Table(id: "baseline-errors", title: "Error groups new or grown", keyNames: ["source", "level", "message"],
                     measures: [Measure(name: "count", key: "count", unit: .count)], ranking: 0,
                     rows: ordered(rows, ranking: 0, top: top),
                     note: rows.isEmpty ? "No error group is new or grew." : nil)
    }

    /// PostgreSQL statements (by fingerprint) that are new or slower by mean than in the
    /// baseline: calls, mean and p95 on each side, ordered by the change of the mean.
    static func statements(_ current: PostgresAggregate?, _ baseline: PostgresAggregate?, top: Int) -> Table {
        var rows: [Row] = []
        for (fingerprint, now) in current?.allQueries ?? [] where now.duration.count > 0 {
            let before = baseline?.query(fingerprint)
            let mean = Change(current: now.duration.mean, baseline: before.flatMap { $0.duration.mean })
            if before != nil, before!.duration.count > 0, (mean.change ?? 0) <= 0 { continue }
            rows.append(Row(keys: [fingerprint], presence: before == nil ? .new : .both, cells: [
                Change(current: Double(now.calls + now.unmeasured), baseline: Double(before.map { $0.calls + $0.unmeasured } ?? 0)),
                mean,
                Change(current: now.duration.quantile(0.95), baseline: before.flatMap { $0.duration.quantile(0.95) }),
            ]))
        }
        return Table(id: "baseline-statements", title: "Statements new or slower (by mean)", keyNames: ["statement"],
                     measures: [Measure(name: "calls", key: "calls", unit: .count), Measure(name: "mean", key: "mean", unit: .seconds),
                                Measure(name: "p95", key: "p95", unit: .seconds)],
                     ranking: 1, rows: ordered(rows, ranking: 1, top: top),
                     note: rows.isEmpty ? "No statement is new or slower." : nil)
    }

    // MARK: - Highlights

    /// The biggest changes, for the summary: the headline figures of each family, then the
    /// first row of each table (the most changed path, error group and statement).
    public var highlights: [String] {
        var out: [String] = []
        for f in figures where !["rate_4xx", "events"].contains(f.measure.key) {
            out.append("\(f.measure.name) \(Self.transition(f.change, f.measure.unit))")
        }
        for table in tables {
            guard let row = table.rows.first else { continue }
            let m = table.measures[table.ranking]
            let what: String
            switch table.id {
            case "baseline-paths": what = "path \(row.keys.last!): \(m.name)"
            case "baseline-errors": what = "\(row.presence == .new ? "new" : "grown") \(row.keys[0]) \(row.keys[1]) group: count"
            default: what = "\(row.presence == .new ? "new" : "slower") statement: \(m.name)"
            }
            let text = "\(what) \(Self.transition(row.cells[table.ranking], m.unit))"
            out.append(table.id == "baseline-paths" ? text : text + " — " + row.keys.last!)
        }
        return out
    }

    // MARK: - Wording

    /// `100ms → 2.0s (+1.9s, +1,900%)`, `2.0% → 10.0% (+8.0 pts)`, `- → 12`.
    public static func transition(_ c: Change, _ unit: Unit) -> String {
        var text = "\(value(c.baseline, unit)) → \(value(c.current, unit))"
        if let d = c.change {
            var parts = [delta(d, unit)]
            if unit != .share, let r = c.relative { parts.append(relative(r)) }
            text += " (" + parts.joined(separator: ", ") + ")"
        }
        return text
    }

    public static func value(_ v: Double?, _ unit: Unit) -> String {
        guard let v else { return "-" }
        switch unit {
        case .count: return v >= 0 && v < 1.8e19 ? TextReport.count(UInt64(v)) : JSONValue.format(v)
        case .share: return TextReport.percent(v)
        case .seconds: return TextReport.duration(v)
        }
    }

    /// A change with its sign: `+100`, `-1.2s`, `+8.0 pts` (percentage points for a share).
    public static func delta(_ d: Double, _ unit: Unit) -> String {
        let size = unit == .share ? "\((Swift.abs(d) * 1000).rounded() / 10) pts" : value(Swift.abs(d), unit)
        // A change too small to show is written ±0, not +0 or -0.
        let zero = size.allSatisfy { !("1"..."9").contains($0) }
        return (zero ? "±" : d > 0 ? "+" : "-") + size
    }

    /// `+1,900%`, `-50%`, `+3.5%`: three significant digits.
    public static func relative(_ r: Double) -> String {
        guard r.isFinite else { return "-" }
        let p = DecimalRounding.significant(r * 100, digits: 3)
        let text = Swift.abs(p) >= 1000 ? TextReport.count(UInt64(Swift.abs(p).rounded())) : JSONValue.format(Swift.abs(p))
        return (p > 0 ? "+" : p < 0 ? "-" : "") + text + "%"
    }
}
