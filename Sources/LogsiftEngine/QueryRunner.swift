import LogAggregation
import LogInput
import LogParsing
import LogQuery

/// What `logsift query` reads and how.
public struct QueryConfiguration: Sendable {
    public var inputs: [InputSpec]
    /// Events before `since` or at/after `until` (epoch seconds) are left out.
    public var since: Int64?
    public var until: Int64?
    public var zone: ZoneRule = .local
    public var maxLineLength: Int = LineReader.defaultMaxLineLength
    public var keepOrder = false
    public var maxGroups = 100_000
    /// Seek to `since` in plain files and stop after `until` (false: read every line).
    public var seek = true

    public init(inputs: [InputSpec]) { self.inputs = inputs }
}

/// What a query found.
public struct QueryOutcome: Sendable {
    /// Column names of the aggregate stage (empty when the query prints lines).
    public var columns: [String] = []
    public var keyNames: [String] = []
    public var groupedByTime = false
    public var rows: [GroupRow] = []
    /// Groups were evicted (more than the table holds): counts are then lower bounds.
    public var exact = true
    /// Lines printed (or counted) when the query has no aggregate.
    public var matchedLines: UInt64 = 0
    /// Per input: what was read, and anything the user should know.
    public var inputs: [InputSummary] = []
    public var notes: [String] = []
    /// First and last time of the lines read (in or out of the window), for "the window holds
    /// nothing; the logs span …".
    public var span: ClosedRange<Int64>?
    /// Events inside the time window (all timed and untimed events when there is none).
    public var inWindow: UInt64 = 0
}

/// Runs a query over inputs of the families that decode to events (today: access logs), in
/// rotated-set order. Without an aggregate stage each matching line goes to `line` as it is
/// read (return false to stop early, e.g. `| head`); with one, the rows come back at the end.
public enum QueryRunner {
    public static func run(_ query: Query, _ configuration: QueryConfiguration,
                           line: (_ input: String, _ bytes: UnsafeRawBufferPointer) -> Bool) throws(QueryError) -> QueryOutcome {
        var outcome = QueryOutcome()
        let ordered = configuration.keepOrder ? configuration.inputs : InputSet.oldestFirst(configuration.inputs)

        // Open and detect every input first, so that a field no input has is an error before
        // anything is printed.
        struct Opened {
            let spec: InputSpec
            let reader: LineReader
            let sniffed: [[UInt8]]
            let decoder: AccessEventDecoder?
            var summary: InputSummary
        }
        var opened: [Opened] = []
        let detector = FormatDetector.automatic()
        for spec in ordered {
            var summary = InputSummary(name: spec.displayName, format: "unknown")
            do {
                let reader = LineReader(source: try spec.open(), maxLineLength: configuration.maxLineLength)
                let sniffed = FormatDetector.sniff(reader)
                let choice = detector.choose(sniffed)
                summary.format = choice.format?.name ?? "unknown"
                var decoder: AccessEventDecoder?
                switch choice.format {
                case .access(_, let pattern)?:
                    decoder = AccessEventDecoder(pattern: pattern, zone: configuration.zone)
                case let other?:
                    outcome.notes.append("\(spec.displayName) is \(other.family.rawValue) (\(other.name)): only access logs can be queried in this version; it was not read")
                case nil:
                    outcome.notes.append("\(spec.displayName): no format recognised in its first lines; it was not read")
                }
                opened.append(Opened(spec: spec, reader: reader, sniffed: sniffed, decoder: decoder, summary: summary))
            } catch {
                summary.error = error.description
                outcome.inputs.append(summary)
            }
        }

        // Fields: each must exist in some input; inputs without it are named.
        let schemas = opened.compactMap { $0.decoder?.schema }
        var referenced: [FieldReference] = query.filter.map(FilterBinder.fields(of:)) ?? []
        for aggregate in query.aggregates { referenced += QueryRunner.fields(of: aggregate) }
        for case .field(let f) in query.keys { referenced.append(f) }
        let known = Set(schemas.flatMap { $0.fields.map(\.name) })
        if !schemas.isEmpty {
            for f in referenced where !known.contains(f.name) {
                throw FilterBinder.unknownFieldError(f, known: Array(known))
            }
        }
        var plans: [AggregationPlan?] = []
        var filters: [FilterEvaluator?] = []
        for o in opened {
            guard let schema = o.decoder?.schema else { plans.append(nil); filters.append(nil); continue }
            let missing = Set(referenced.map(\.name)).subtracting(schema.fields.map(\.name))
            if !missing.isEmpty {
                outcome.notes.append("\(o.spec.displayName) has no field \(missing.sorted().joined(separator: ", ")): "
                    + "absent in its events (tests on it are false, aggregates see no value, keys show -)")
            }
            if let expression = query.filter {
                filters.append(FilterEvaluator(try FilterBinder.bind(expression, to: schema)))
            } else {
                filters.append(nil)
            }
            plans.append(query.aggregates.isEmpty ? nil : try AggregationPlan.bind(query, to: schema, missingIsAbsent: true))
        }

        // Time window: the first time of each input (from its detection lines) tells which
        // files of a rotated set lie wholly before it.
        let firstTimes = opened.map { o in o.decoder.flatMap { d in o.sniffed.lazy.compactMap { $0.withUnsafeBytes { d.decode($0).time } }.first } }
        for t in firstTimes.compactMap({ $0 }) { outcome.span = outcome.span.map { min($0.lowerBound, t)...max($0.upperBound, t) } ?? t...t }
        let before = WindowScan.whollyBefore(since: configuration.since, rotatedOrder: !configuration.keepOrder,
                                             specs: opened.map(\.spec), firstTimes: firstTimes)

        var total: GroupedAggregation?
        var stopped = false
        for (index, o) in opened.enumerated() {
            var summary = o.summary
            defer { outcome.inputs.append(summary) }
            guard let decoder = o.decoder, !stopped else { continue }
            if !query.aggregates.isEmpty && plans[index] == nil { continue }
            let filter = filters[index]
            let aggregation = plans[index].map { GroupedAggregation(plan: $0, maxGroups: configuration.maxGroups) }
            let name = o.spec.displayName
            let scan = WindowScan(name: name, spec: o.spec, reader: o.reader, sniffed: o.sniffed, since: configuration.since,
                                  until: configuration.until, seek: configuration.seek, maxLineLength: configuration.maxLineLength,
                                  skip: configuration.seek && before.contains(index)) { decoder.decode($0).time }
            func consume(_ bytes: UnsafeRawBufferPointer) -> Bool {
                summary.lines += 1
                guard !bytes.isEmpty else { summary.blank += 1; return true }
                let (result, time) = decoder.decode(bytes)
                if let time { scan.observe(time) }
                switch result {
                case .matched: summary.matched += 1
                case .limitExceeded: summary.limitExceeded += 1; summary.unmatched += 1; return true
                default: summary.unmatched += 1; return true
                }
                if let t = time { outcome.span = outcome.span.map { min($0.lowerBound, t)...max($0.upperBound, t) } ?? t...t }
                if let since = configuration.since, (time ?? Int64.min) < since { return true }
                if let until = configuration.until, (time ?? Int64.max) >= until { return true }
                outcome.inWindow += 1
                let event = AccessEvent(decoder: decoder, line: bytes)
                if let filter, !filter.matches(event) { return true }
                if let aggregation {
                    aggregation.add(event, time: time)
                    return true
                }
                outcome.matchedLines += 1
                let more = line(name, bytes)
                if let limit = query.limit, outcome.matchedLines >= UInt64(limit) { return false }
                return more
            }
            while !stopped, let next = scan.nextLine() {
                stopped = !consume(next)
            }
            outcome.notes += scan.notes
            summary.bytesRead = UInt64(scan.bytesRead)
            summary.overlong = UInt64(scan.overlongLines)
            if summary.overlong > 0 {
                outcome.notes.append("\(name): \(summary.overlong) lines longer than \(configuration.maxLineLength) bytes were cut to that length (and may not match)")
            }
            summary.error = scan.error?.description
            if let aggregation {
                if let t = total { t.merge(aggregation) } else { total = aggregation }
            }
        }

        if !query.aggregates.isEmpty {
            let plan = plans.compactMap { $0 }.first
            outcome.columns = plan?.names ?? query.aggregates.map(\.name)
            outcome.keyNames = plan?.keyNames ?? []
            outcome.groupedByTime = query.keys.contains { if case .time = $0 { return true } else { return false } }
            if let total = total ?? plan.map({ GroupedAggregation(plan: $0) }) {
                outcome.rows = total.rows()
                outcome.exact = total.groups.isExact
            }
            outcome.rows = try QueryRunner.ordered(outcome.rows, query, columns: outcome.columns, keys: outcome.keyNames,
                                                   byTime: outcome.groupedByTime)
        }
        return outcome
    }

    static func fields(of aggregate: Aggregate) -> [FieldReference] {
        switch aggregate {
        case .count(let f): return f.map(FilterBinder.fields(of:)) ?? []
        case .rate(let f): return FilterBinder.fields(of: f)
        case .sum(let f), .average(let f), .minimum(let f), .maximum(let f), .percentile(_, let f),
             .percentiles(let f), .distinct(let f), .top(let f, _): return [f]
        }
    }

    /// `sort` and `limit` applied. Without `sort`: time order when grouped by time, else the
    /// first column, largest first (ties by key), so `count by path | limit 10` is a top 10.
    static func ordered(_ rows: [GroupRow], _ query: Query, columns: [String], keys: [String],
                        byTime: Bool) throws(QueryError) -> [GroupRow] {
        var rows = rows
        func value(_ row: GroupRow, _ column: Int) -> Double {
            if case .number(let v) = row.values[column] { return v }
            return -Double.infinity
        }
        if let first = query.sort.first {
            var sorters: [(GroupRow, GroupRow) -> Bool?] = []
            for key in query.sort {
                if let c = columns.firstIndex(of: key.name) {
                    sorters.append { a, b in
                        let x = value(a, c), y = value(b, c)
                        return x == y ? nil : (key.descending ? x > y : x < y)
                    }
                } else if let k = keys.firstIndex(of: key.name) {
                    sorters.append { a, b in
                        a.keys[k] == b.keys[k] ? nil : (key.descending ? a.keys[k] > b.keys[k] : a.keys[k] < b.keys[k])
                    }
                } else {
                    let names = columns + keys
                    let hint = EditDistance.closest(to: key.name, among: names).map { " (did you mean \($0)?)" } ?? ""
                    throw first.location.error("sort by '\(key.name)': not a column of this query\(hint); columns: \(names.joined(separator: ", "))")
                }
            }
            rows.sort { a, b in
                for s in sorters { if let r = s(a, b) { return r } }
                return (a.bucket ?? .min, a.keys.joined(separator: "\u{1f}")) < (b.bucket ?? .min, b.keys.joined(separator: "\u{1f}"))
            }
        } else if !byTime, !columns.isEmpty {
            rows.sort { a, b in
                let x = value(a, 0), y = value(b, 0)
                return x != y ? x > y : a.keys.lexicographicallyPrecedes(b.keys)
            }
        }
        if let limit = query.limit, rows.count > limit { rows = Array(rows.prefix(limit)) }
        return rows
    }
}
