import LogAggregation
import LogInput
import LogQuery

/// Printing the matching lines of several logs in time order across them: a k-way merge by
/// event time. Each source (one input, or one rotated set read file after file, oldest first)
/// is read by its own cursor, which keeps only the matching events of the line it last fed
/// (usually one; copied into a reused byte arena, so memory is bounded by the line cap times
/// the number of sources). The source whose next event is earliest prints first; equal times
/// print in input order.
///
/// Ordering key: an event's time, but never less than the key of the event before it in its
/// source (a running maximum). So an untimed event (a line without a time, or one before the
/// first timed one) prints right after the previous event of its input, and an event whose time
/// goes back within its input (disorder) is printed where it stands in that input, right after
/// its predecessor, instead of being held back: memory stays bounded whatever the order.
enum TimeMerge {
    /// The sources of a merge: runs of consecutive indices of `specs` (in `oldestFirst` order)
    /// that are one rotated set; standard input is a source on its own.
    static func sources(_ specs: [InputSpec]) -> [[Int]] {
        var groups: [[Int]] = []
        var lastBase: String?
        for (i, spec) in specs.enumerated() {
            let base = spec.isStdin ? nil : InputSet.rotationBase(spec.path)
            if let base, base == lastBase, !groups.isEmpty {
                groups[groups.count - 1].append(i)
            } else {
                groups.append([i])
            }
            lastBase = base
        }
        return groups
    }

    /// Prints the merged events through `line` until every source is drained, `line` returns
    /// false, or `limit` lines were printed. Returns the number printed.
    static func run(_ sources: [MergeSource], limit: Int?, names: [String],
                    line: (_ input: String, _ bytes: UnsafeRawBufferPointer) -> Bool) -> UInt64 {
        var printed: UInt64 = 0
        for s in sources { s.fill() }
        while true {
            // Linear over the sources: few in practice (a heap would pay only past dozens).
            var best: MergeSource?
            for s in sources where !s.queue.isEmpty {
                if let b = best, b.queue.headKey <= s.queue.headKey { continue }
                best = s
            }
            guard let source = best else { break }
            printed += 1
            let more = source.queue.withHead { input, bytes in line(names[input], bytes) }
            source.queue.pop()
            if !more { break }
            if let limit, printed >= UInt64(limit) { break }
            if source.queue.isEmpty { source.fill() }
        }
        return printed
    }
}

/// The matching events a source has read and not yet printed, with their ordering keys; their
/// raw text is copied into one arena that is emptied (capacity kept) when the queue is.
final class MergeQueue {
    private var arena: [UInt8] = []
    private var entries: [(key: Int64, input: Int, start: Int, end: Int)] = []
    private var head = 0
    /// The key of the event pushed last (see `TimeMerge` for the rule).
    private var lastKey = Int64.min

    var isEmpty: Bool { head == entries.count }
    var count: Int { entries.count - head }
    var headKey: Int64 { entries[head].key }

    func push(time: Int64?, input: Int, raw: UnsafeRawBufferPointer) {
        let key = max(time ?? lastKey, lastKey)
        lastKey = key
        let start = arena.count
        arena.append(contentsOf: raw)
        entries.append((key, input, start, arena.count))
    }

    func withHead<R>(_ body: (_ input: Int, _ bytes: UnsafeRawBufferPointer) -> R) -> R {
        let e = entries[head]
        return arena.withUnsafeBytes { body(e.input, UnsafeRawBufferPointer(rebasing: $0[e.start..<e.end])) }
    }

    func pop() {
        head += 1
        if head == entries.count {
            head = 0
            entries.removeAll(keepingCapacity: true)
            arena.removeAll(keepingCapacity: true)
        }
    }
}

/// One source of the merge: its inputs read one after another into one queue.
final class MergeSource {
    let queue = MergeQueue()
    let inputs: [any MergeInput]
    private var current = 0

    init(inputs: [any MergeInput]) { self.inputs = inputs }

    /// Reads until the queue holds an event or the source is drained.
    func fill() {
        while queue.isEmpty, current < inputs.count {
            if !inputs[current].pull(into: queue) { current += 1 }
        }
    }
}

/// One input as the merge reads it (its decoder's concrete type hidden).
protocol MergeInput: AnyObject {
    /// Reads lines until at least one matching event went to `queue`; false once the input is
    /// drained (events of its last read may still have been pushed).
    func pull(into queue: MergeQueue) -> Bool
    var summary: InputSummary { get }
    var span: ClosedRange<Int64>? { get }
    var inWindow: UInt64 { get }
}

/// The cursor over one input: the same window test, filter and line counts as
/// `QueryRunner.read`, but each matching event is queued instead of printed.
final class InputCursor<D: QueryEventDecoder>: MergeInput {
    let decoder: D
    let scan: WindowScan
    let filter: FilterEvaluator?
    let since: Int64?
    let until: Int64?
    let index: Int
    var summary: InputSummary
    var span: ClosedRange<Int64>?
    var inWindow: UInt64 = 0
    private var drained = false

    init(decoder: D, scan: WindowScan, filter: FilterEvaluator?, since: Int64?, until: Int64?, index: Int, summary: InputSummary) {
        self.decoder = decoder
        self.scan = scan
        self.filter = filter
        self.since = since
        self.until = until
        self.index = index
        self.summary = summary
    }

    func pull(into queue: MergeQueue) -> Bool {
        guard !drained else { return false }
        let before = queue.count
        @inline(__always) func event(_ time: Int64?, _ event: D.Event, _ raw: UnsafeRawBufferPointer) {
            if let t = time {
                scan.observe(t)
                span = span.map { min($0.lowerBound, t)...max($0.upperBound, t) } ?? t...t
            }
            if let since, (time ?? Int64.min) < since { return }
            if let until, (time ?? Int64.max) >= until { return }
            inWindow += 1
            if let filter, !filter.matches(event) { return }
            queue.push(time: time, input: index, raw: raw)
        }
        while queue.count == before {
            guard let bytes = scan.nextLine() else {
                drained = true
                decoder.finish(event)
                return false
            }
            summary.lines += 1
            guard !bytes.isEmpty else { summary.blank += 1; decoder.blank(); continue }
            switch decoder.feed(bytes, event) {
            case .matched, .continuation: summary.matched += 1
            case .limitExceeded: summary.limitExceeded += 1; summary.unmatched += 1
            case .unmatched: summary.unmatched += 1
            }
        }
        return true
    }
}

/// Builds the cursor of a decoder of any family, specialized for its concrete type.
struct MergeInputMaker: QueryDecoderVisitor {
    let scan: WindowScan
    let filter: FilterEvaluator?
    let since: Int64?
    let until: Int64?
    let index: Int
    let summary: InputSummary
    var made: (any MergeInput)?

    mutating func visit<D: QueryEventDecoder>(_ decoder: D) {
        made = InputCursor(decoder: decoder, scan: scan, filter: filter, since: since, until: until, index: index, summary: summary)
    }
}
