import Dispatch
import LogAggregation
import LogInput
import LogParsing
import LogQuery

/// An aggregating query over one big plain access log on several cores, as `report` reads it:
/// the file is cut at line starts into one range per worker, each worker decodes and aggregates
/// its range with its own decoder, filter and table (none is shared: they hold match data), and
/// the tables are merged in file order. Counts, sums, sketches and distinct counters merge
/// exactly; only tables that evicted groups can differ from one pass (they say `exact: false`).
/// Used without `--since`/`--until` (a window is served by seeking instead).
enum ParallelQuery {
    /// What one worker read: its lines' counts, the events in the window and their span (in a
    /// query outcome of its own), and its table.
    struct Part {
        var summary: InputSummary
        var outcome = QueryOutcome()
        var aggregation: GroupedAggregation?
    }

    /// Reads `file` in `workers` parts; nil when it cannot be cut (too small, not a regular
    /// file) or a part's filter cannot be bound again (then the caller reads it in one pass).
    static func run(file: OpenedFile, spec: InputSpec, workers: Int, pattern: CompiledPattern, query: Query,
                    plan: AggregationPlan, configuration: QueryConfiguration) -> [Part]? {
        let filter = query.filter, zone = configuration.zone, maxGroups = configuration.maxGroups
        let ranges = file.lineAlignedRanges(size: file.size, parts: workers)
        guard ranges.count > 1 else { return nil }
        // Each part's decoder, filter and table, made here and then used by its worker only.
        final class Work: @unchecked Sendable {
            let range: Range<Int>
            let decoder: AccessEventDecoder
            let filter: FilterEvaluator?
            let aggregation: GroupedAggregation
            init(range: Range<Int>, decoder: AccessEventDecoder, filter: FilterEvaluator?, aggregation: GroupedAggregation) {
                self.range = range
                self.decoder = decoder
                self.filter = filter
                self.aggregation = aggregation
            }
        }
        var works: [Work] = []
        for range in ranges {
            let decoder = AccessEventDecoder(pattern: pattern, zone: zone)
            var evaluator: FilterEvaluator?
            if let filter {
                guard let bound = try? FilterBinder.bind(filter, to: decoder.schema) else { return nil }
                evaluator = FilterEvaluator(bound)
            }
            works.append(Work(range: range, decoder: decoder, filter: evaluator,
                              aggregation: GroupedAggregation(plan: plan, maxGroups: maxGroups)))
        }
        let parts = works
        let results = PartResults(count: parts.count, name: spec.displayName)
        DispatchQueue.concurrentPerform(iterations: parts.count) { i in
            let w = parts[i]
            // The same per-event loop as a one-pass read, over this part's range only.
            let reader = LineReader(source: FileSource(file: file, range: w.range), maxLineLength: configuration.maxLineLength)
            let scan = WindowScan(name: spec.displayName, spec: spec, reader: reader, sniffed: [], since: nil, until: nil,
                                  seek: false, maxLineLength: configuration.maxLineLength, skip: false) { _ in nil }
            var part = Part(summary: InputSummary(name: spec.displayName, format: ""), aggregation: w.aggregation)
            var stopped = false
            QueryRunner.read(w.decoder, scan, query, configuration, w.filter, w.aggregation,
                             &part.summary, &part.outcome, &stopped) { _, _ in true }
            part.summary.bytesRead = UInt64(scan.bytesRead)
            part.summary.overlong = UInt64(scan.overlongLines)
            part.summary.error = scan.error?.description
            results.set(i, part)
        }
        return results.parts
    }
}

/// One slot per part, each written by its worker only (separate memory, no shared array).
final class PartResults: @unchecked Sendable {
    let slots: UnsafeMutablePointer<ParallelQuery.Part>
    let count: Int
    init(count: Int, name: String) {
        self.count = count
        slots = .allocate(capacity: count)
        slots.initialize(repeating: ParallelQuery.Part(summary: InputSummary(name: name, format: "")), count: count)
    }
    deinit {
        slots.deinitialize(count: count)
        slots.deallocate()
    }
    func set(_ i: Int, _ part: ParallelQuery.Part) { slots[i] = part }
    var parts: [ParallelQuery.Part] { Array(UnsafeBufferPointer(start: slots, count: count)) }
}
