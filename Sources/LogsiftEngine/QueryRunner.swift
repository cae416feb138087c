import Foundation
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
    /// Groups an aggregate table keeps (fewer for sketch, distinct and top columns; see
    /// `GroupedAggregation.groupCapacity`); past it the least-seen half is evicted.
    public var maxGroups = GroupedAggregation.defaultMaxGroups
    /// Seek to `since` in plain files and stop after `until` (false: read every line).
    public var seek = true
    /// Threads for an aggregating query over a big plain access log (`ParallelQuery`).
    public var workers = ProcessInfo.processInfo.activeProcessorCount
    /// Files at least this big are cut between the workers.
    public var splitThreshold = 8 << 20
    /// Print the matching lines of several logs (not one rotated set) merged by time
    /// (`TimeMerge`); false: input after input, as `--keep-order` and `--count` do.
    public var timeOrder = true
    /// Only the number of matching lines is wanted (`--count`): `line` is not called.
    public var countOnly = false
    /// Bytes per chunk when the lines of a big plain access log are filtered on every core
    /// (`ParallelPrint`): a few MB, so that a chunk's setup (a reader, one `fstat`) is little
    /// next to reading it, and the chunks held for ordering stay a few tens of MB.
    public var printChunkSize = 4 << 20

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
    /// Groups evicted, and the events they had counted (0 when `exact`).
    public var evictedGroups: UInt64 = 0
    public var evictedEvents: UInt64 = 0
    /// The most groups the table held (what `--max-groups` gave for this query's columns).
    public var groupCapacity = 0
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

/// Runs a query over inputs of every family (each decoded to events by its `Families` entry), in
/// rotated-set order. Without an aggregate stage each matching line goes to `line` as it is
/// read (return false to stop early, e.g. `| head`), merged by time when several logs are read
/// (`TimeMerge`); with one, the rows come back at the end.
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
            let decoder: (any QueryEventDecoder)?
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
                var decoder: (any QueryEventDecoder)?
                if let format = choice.format {
                    decoder = Families.queryDecoder(for: format, zone: configuration.zone)
                } else {
                    outcome.notes.append("\(spec.displayName): no format recognised in its first lines; it was not read")
                }
                opened.append(Opened(spec: spec, reader: reader, sniffed: sniffed, decoder: decoder, summary: summary))
            } catch {
                summary.error = error.description
                outcome.inputs.append(summary)
            }
        }

        // Fields: each must exist in some input; inputs without it are named. JSON-lines and
        // logfmt inputs have the keys of their first lines.
        var referenced: [FieldReference] = query.filter.map(FilterBinder.fields(of:)) ?? []
        for aggregate in query.aggregates { referenced += QueryRunner.fields(of: aggregate) }
        for case .field(let f) in query.keys { referenced.append(f) }
        var kinds: [String: FieldKind] = [:]
        var discovered: [ObjectIdentifier: [String: ApplicationEventDecoder.KeyInfo]] = [:]
        var hasKeyInputs = false
        for o in opened {
            guard let decoder = o.decoder else { continue }
            for field in decoder.schema.fields where kinds[field.name] == nil { kinds[field.name] = field.kind }
            if let app = decoder as? ApplicationEventDecoder, app.hasKeys {
                hasKeyInputs = true
                let keys = app.discoverKeys(o.sniffed)
                discovered[ObjectIdentifier(app)] = keys
                for (name, info) in keys where kinds[name] == nil { kinds[name] = info.kind }
            }
        }
        if !opened.allSatisfy({ $0.decoder == nil }) {
            for f in referenced where kinds[f.name] == nil {
                var error = FilterBinder.unknownFieldError(f, known: Array(kinds.keys))
                if hasKeyInputs { error.message += "; keys of JSON-lines and logfmt inputs are those of their first \(FormatDetector.sampleLines) lines" }
                throw error
            }
        }
        let names = Set(referenced.map(\.name))
        var plans: [AggregationPlan?] = []
        var filters: [FilterEvaluator?] = []
        for o in opened {
            guard let decoder = o.decoder else { plans.append(nil); filters.append(nil); continue }
            decoder.keepsRawText = query.aggregates.isEmpty
            if let app = decoder as? ApplicationEventDecoder, app.hasKeys {
                // Every named field may be a key of some line: its kind is what this input's
                // first lines show, else what another input has.
                let own = discovered[ObjectIdentifier(app)] ?? [:]
                var keys: [String: FieldKind] = [:]
                for name in names { keys[name] = own[name]?.kind ?? kinds[name] ?? .text }
                app.bind(keys: keys)
            }
            let schema = decoder.schema
            let missing = names.subtracting(schema.fields.map(\.name))
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
        let firstTimes = opened.map { o in o.decoder.flatMap { d in o.sniffed.lazy.compactMap { $0.withUnsafeBytes { d.lineTime($0) } }.first } }
        for t in firstTimes.compactMap({ $0 }) { outcome.span = outcome.span.map { min($0.lowerBound, t)...max($0.upperBound, t) } ?? t...t }
        let before = WindowScan.whollyBefore(since: configuration.since, rotatedOrder: !configuration.keepOrder,
                                             specs: opened.map(\.spec), firstTimes: firstTimes)

        func makeScan(_ index: Int, _ decoder: any QueryEventDecoder) -> WindowScan {
            let o = opened[index]
            // Seeking probes single lines for their time: only line-oriented decoders can.
            return WindowScan(name: o.spec.displayName, spec: o.spec, reader: o.reader, sniffed: o.sniffed, since: configuration.since,
                              until: configuration.until, seek: configuration.seek && decoder.timesSingleLines,
                              maxLineLength: configuration.maxLineLength,
                              skip: configuration.seek && before.contains(index)) { decoder.lineTime($0) }
        }
        func close(_ scan: WindowScan, _ summary: inout InputSummary, _ spec: InputSpec) {
            outcome.notes += scan.notes
            summary.bytesRead = UInt64(scan.bytesRead)
            summary.overlong = UInt64(scan.overlongLines)
            if summary.overlong > 0 {
                outcome.notes.append("\(spec.displayName): \(summary.overlong) lines longer than \(configuration.maxLineLength) bytes were cut to that length (and may not match)")
            }
            summary.error = scan.error?.description
        }

        // Lines of several logs (not one rotated set): merged by time across them (`TimeMerge`).
        let sources = TimeMerge.sources(opened.map(\.spec)).map { $0.filter { opened[$0].decoder != nil } }.filter { !$0.isEmpty }
        if query.aggregates.isEmpty, !configuration.keepOrder, configuration.timeOrder, sources.count > 1 {
            var cursors: [Int: (scan: WindowScan, input: any MergeInput)] = [:]
            let merge = sources.map { group in
                MergeSource(inputs: group.map { index in
                    let decoder = opened[index].decoder!
                    var maker = MergeInputMaker(scan: makeScan(index, decoder), filter: filters[index], since: configuration.since,
                                                until: configuration.until, index: index, summary: opened[index].summary)
                    Families.visit(decoder, &maker)
                    cursors[index] = (maker.scan, maker.made!)
                    return maker.made!
                })
            }
            outcome.matchedLines = TimeMerge.run(merge, limit: query.limit, names: opened.map(\.spec.displayName), line: line)
            for (index, o) in opened.enumerated() {
                guard let (scan, input) = cursors[index] else { outcome.inputs.append(o.summary); continue }
                var summary = input.summary
                outcome.inWindow += input.inWindow
                if let s = input.span { outcome.span = outcome.span.map { min($0.lowerBound, s.lowerBound)...max($0.upperBound, s.upperBound) } ?? s }
                close(scan, &summary, o.spec)
                outcome.inputs.append(summary)
            }
            return outcome
        }

        var total: GroupedAggregation?
        var stopped = false
        for (index, o) in opened.enumerated() {
            var summary = o.summary
            defer { outcome.inputs.append(summary) }
            guard let decoder = o.decoder, !stopped else { continue }
            if !query.aggregates.isEmpty && plans[index] == nil { continue }
            let aggregation = plans[index].map { GroupedAggregation(plan: $0, maxGroups: configuration.maxGroups) }
            let name = o.spec.displayName
            // A big plain access log without a window: aggregated on every core, as `report` does.
            if let plan = plans[index], configuration.workers > 1, configuration.since == nil, configuration.until == nil,
               let access = decoder as? AccessEventDecoder,
               let file = o.spec.openForSplitting(minimumSize: configuration.splitThreshold),
               let parts = ParallelQuery.run(file: file, spec: o.spec, workers: configuration.workers, pattern: access.pattern,
                                             query: query, plan: plan, configuration: configuration) {
                for part in parts {
                    let p = part.summary
                    summary.lines += p.lines
                    summary.blank += p.blank
                    summary.matched += p.matched
                    summary.unmatched += p.unmatched
                    summary.limitExceeded += p.limitExceeded
                    summary.overlong += p.overlong
                    summary.bytesRead += p.bytesRead
                    summary.error = summary.error ?? p.error
                    outcome.inWindow += part.outcome.inWindow
                    if let s = part.outcome.span {
                        outcome.span = outcome.span.map { min($0.lowerBound, s.lowerBound)...max($0.upperBound, s.upperBound) } ?? s
                    }
                    if let a = part.aggregation {
                        if let t = total { t.merge(a) } else { total = a }
                    }
                }
                if summary.overlong > 0 {
                    outcome.notes.append("\(name): \(summary.overlong) lines longer than \(configuration.maxLineLength) bytes were cut to that length (and may not match)")
                }
                continue
            }
            // A big plain access log printed without a window: filtered on every core, printed in order.
            if query.aggregates.isEmpty, configuration.workers > 1, configuration.since == nil, configuration.until == nil,
               let access = decoder as? AccessEventDecoder,
               let file = o.spec.openForSplitting(minimumSize: configuration.splitThreshold),
               let result = ParallelPrint.run(file: file, spec: o.spec, pattern: access.pattern, query: query,
                                              configuration: configuration, summary: summary,
                                              matchedBefore: outcome.matchedLines, countOnly: configuration.countOnly, line: line) {
                summary = result.summary
                outcome.matchedLines = result.matchedLines
                outcome.inWindow += result.inWindow
                if let s = result.span {
                    outcome.span = outcome.span.map { min($0.lowerBound, s.lowerBound)...max($0.upperBound, s.upperBound) } ?? s
                }
                stopped = result.stopped
                if summary.overlong > 0 {
                    outcome.notes.append("\(name): \(summary.overlong) lines longer than \(configuration.maxLineLength) bytes were cut to that length (and may not match)")
                }
                continue
            }
            let scan = makeScan(index, decoder)
            withoutActuallyEscaping(line) { line in
                var reading = InputReading(scan: scan, query: query, configuration: configuration,
                                           filter: filters[index], aggregation: aggregation, summary: summary,
                                           outcome: outcome, line: line)
                outcome = QueryOutcome()  // not copied twice while the input is read
                Families.visit(decoder, &reading)
                summary = reading.summary
                outcome = reading.outcome
                stopped = reading.stopped
            }
            close(scan, &summary, o.spec)
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
                outcome.evictedGroups = total.evictedGroups
                outcome.evictedEvents = total.evictedEvents
                outcome.groupCapacity = total.groups.capacity
            }
            outcome.rows = try QueryRunner.ordered(outcome.rows, query, columns: outcome.columns, keys: outcome.keyNames,
                                                   byTime: outcome.groupedByTime)
        }
        return outcome
    }

    /// One input's reading, handed the decoder as its concrete type (`Families.visit`).
    struct InputReading: QueryDecoderVisitor {
        let scan: WindowScan
        let query: Query
        let configuration: QueryConfiguration
        let filter: FilterEvaluator?
        let aggregation: GroupedAggregation?
        var summary: InputSummary
        var outcome: QueryOutcome
        var stopped = false
        let line: (_ input: String, _ bytes: UnsafeRawBufferPointer) -> Bool

        init(scan: WindowScan, query: Query, configuration: QueryConfiguration, filter: FilterEvaluator?,
             aggregation: GroupedAggregation?, summary: InputSummary, outcome: QueryOutcome,
             line: @escaping (_ input: String, _ bytes: UnsafeRawBufferPointer) -> Bool) {
            self.scan = scan
            self.query = query
            self.configuration = configuration
            self.filter = filter
            self.aggregation = aggregation
            self.summary = summary
            self.outcome = outcome
            self.line = line
        }

        mutating func visit<D: QueryEventDecoder>(_ decoder: D) {
            QueryRunner.read(decoder, scan, query, configuration, filter, aggregation,
                             &summary, &outcome, &stopped, line)
        }
    }

    /// Reads one input through its decoder: each event in the window that passes the filter is
    /// aggregated, or printed (its raw text) when the query has no aggregate stage.
    static func read<D: QueryEventDecoder>(_ decoder: D, _ scan: WindowScan, _ query: Query,
                                           _ configuration: QueryConfiguration, _ filter: FilterEvaluator?,
                                           _ aggregation: GroupedAggregation?, _ summary: inout InputSummary,
                                           _ outcome: inout QueryOutcome, _ stopped: inout Bool,
                                           _ line: (_ input: String, _ bytes: UnsafeRawBufferPointer) -> Bool) {
        let name = summary.name
        var more = true
        @inline(__always) func event(_ time: Int64?, _ event: D.Event, _ raw: UnsafeRawBufferPointer) {
            guard more else { return }
            if let t = time { scan.observe(t) }
            if let t = time { outcome.span = outcome.span.map { min($0.lowerBound, t)...max($0.upperBound, t) } ?? t...t }
            if let since = configuration.since, (time ?? Int64.min) < since { return }
            if let until = configuration.until, (time ?? Int64.max) >= until { return }
            outcome.inWindow += 1
            if let filter, !filter.matches(event) { return }
            if let aggregation {
                aggregation.add(event, time: time)
                return
            }
            outcome.matchedLines += 1
            more = line(name, raw)
            if let limit = query.limit, outcome.matchedLines >= UInt64(limit) { more = false }
        }
        @inline(__always) func consume(_ bytes: UnsafeRawBufferPointer) {
            summary.lines += 1
            guard !bytes.isEmpty else { summary.blank += 1; decoder.blank(); return }
            switch decoder.feed(bytes, event) {
            case .matched, .continuation: summary.matched += 1
            case .limitExceeded: summary.limitExceeded += 1; summary.unmatched += 1
            case .unmatched: summary.unmatched += 1
            }
        }
        while more, let next = scan.nextLine() {
            consume(next)
        }
        if more { decoder.finish(event) }
        stopped = !more
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
