import Dispatch
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
    struct Part {
        var lines: UInt64 = 0
        var blank: UInt64 = 0
        var matched: UInt64 = 0
        var unmatched: UInt64 = 0
        var limitExceeded: UInt64 = 0
        var overlong: UInt64 = 0
        var bytesRead: UInt64 = 0
        var inWindow: UInt64 = 0
        var span: ClosedRange<Int64>?
        var error: String?
        var aggregation: GroupedAggregation?
    }

    /// Reads `file` in `workers` parts; nil when it cannot be cut (too small, not a regular
    /// file) or a part's filter cannot be bound again (then the caller reads it in one pass).
    static func run(file: OpenedFile, workers: Int, pattern: CompiledPattern, zone: ZoneRule,
                    filter: Expression?, plan: AggregationPlan, maxGroups: Int,
                    maxLineLength: Int) -> [Part]? {
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
        let results = PartResults(count: parts.count)
        DispatchQueue.concurrentPerform(iterations: parts.count) { i in
            let w = parts[i]
            results.set(i, read(range: w.range, file: file, decoder: w.decoder, filter: w.filter,
                                aggregation: w.aggregation, maxLineLength: maxLineLength))
        }
        return results.parts
    }

    static func read(range: Range<Int>, file: OpenedFile, decoder: AccessEventDecoder, filter: FilterEvaluator?,
                     aggregation: GroupedAggregation, maxLineLength: Int) -> Part {
        var part = Part()
        let reader = LineReader(source: FileSource(file: file, range: range), maxLineLength: maxLineLength)
        while let bytes = reader.nextLine() {
            part.lines += 1
            guard !bytes.isEmpty else { part.blank += 1; continue }
            let (outcome, time) = decoder.decode(bytes)
            switch outcome {
            case .matched: part.matched += 1
            case .limitExceeded: part.limitExceeded += 1; part.unmatched += 1; continue
            default: part.unmatched += 1; continue
            }
            if let t = time { part.span = part.span.map { min($0.lowerBound, t)...max($0.upperBound, t) } ?? t...t }
            part.inWindow += 1
            let event = AccessEvent(decoder: decoder, line: bytes)
            if let filter, !filter.matches(event) { continue }
            aggregation.add(event, time: time)
        }
        part.bytesRead = UInt64(reader.bytesRead)
        part.overlong = UInt64(reader.overlongLines)
        part.error = reader.error?.description
        part.aggregation = aggregation
        return part
    }
}

/// One slot per part, each written by its worker only (separate memory, no shared array).
final class PartResults: @unchecked Sendable {
    let slots: UnsafeMutablePointer<ParallelQuery.Part>
    let count: Int
    init(count: Int) {
        self.count = count
        slots = .allocate(capacity: count)
        slots.initialize(repeating: ParallelQuery.Part(), count: count)
    }
    deinit {
        slots.deinitialize(count: count)
        slots.deallocate()
    }
    func set(_ i: Int, _ part: ParallelQuery.Part) { slots[i] = part }
    var parts: [ParallelQuery.Part] { Array(UnsafeBufferPointer(start: slots, count: count)) }
}
