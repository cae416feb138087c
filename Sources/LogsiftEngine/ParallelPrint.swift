import Dispatch
import Foundation
import LogAggregation
import LogInput
import LogParsing
import LogQuery

/// The matching lines of one big plain access log, filtered on several cores and handed out in
/// file order, as a one-pass read hands them out.
///
/// The file is cut at line starts into chunks of about `QueryConfiguration.printChunkSize`
/// bytes, cut one after another as workers ask for work. Each worker filters a chunk with its
/// own decoder and filter (the same per-event loop as a one-pass read, `QueryRunner.read`) into
/// the chunk's slot: the matching lines' bytes back to back. The caller's thread takes the slots
/// in chunk order and hands each line to `line`. At most `window` chunks are out at once (being
/// read, or read and waiting for an earlier one), so memory stays bounded whatever matches, and
/// a stop (`line` returned false, as a closed pipe under `| head` makes it, or the query's
/// `limit` reached) ends the read after the chunks in progress.
///
/// Used only where a one-pass read would give the lines in file order anyway: a query without
/// aggregates and without a time window, over one plain regular file, read input after input.
enum ParallelPrint {
    /// What was read and handed out.
    struct Result {
        /// Counts of the chunks handed out (a stop leaves out the chunks read ahead).
        var summary: InputSummary
        var inWindow: UInt64 = 0
        var span: ClosedRange<Int64>?
        var matchedLines: UInt64
        /// `line` returned false or the limit was reached: no later input is read.
        var stopped = false
    }

    /// Reads `file`; nil when the filter cannot be bound again for a worker (then the caller
    /// reads it in one pass). `matchedBefore`: lines already handed out from earlier inputs
    /// (the query's limit counts them too). `countOnly`: the lines are counted, not handed out.
    static func run(file: OpenedFile, spec: InputSpec, pattern: CompiledPattern, query: Query,
                    configuration: QueryConfiguration, summary: InputSummary, matchedBefore: UInt64, countOnly: Bool,
                    line: (_ input: String, _ bytes: UnsafeRawBufferPointer) -> Bool) -> Result? {
        let workers = max(1, configuration.workers)
        var filters: [FilterEvaluator?] = []
        var decoders: [AccessEventDecoder] = []
        for _ in 0..<workers {
            let decoder = AccessEventDecoder(pattern: pattern, zone: configuration.zone)
            if let filter = query.filter {
                guard let bound = try? FilterBinder.bind(filter, to: decoder.schema) else { return nil }
                filters.append(FilterEvaluator(bound))
            } else {
                filters.append(nil)
            }
            decoders.append(decoder)
        }
        let name = spec.displayName
        // Two chunks per worker keep every worker busy while the caller waits on the oldest;
        // at most 64 MB of chunks (whatever `--jobs` says) bound the memory.
        let chunkSize = max(1, configuration.printChunkSize)
        let window = max(2, min(2 * workers + 2, (64 << 20) / chunkSize))
        let chunks = ChunkQueue(file: file, chunkSize: chunkSize, window: window,
                                name: name, keepsLines: !countOnly)
        let group = DispatchGroup()
        for w in 0..<workers {
            let work = ChunkWork(decoder: decoders[w], filter: filters[w])
            DispatchQueue.global().async(group: group) {
                while let (index, range) = chunks.take() {
                    let slot = chunks.slot(index)
                    work.read(range, into: slot, file: file, spec: spec, query: query, configuration: configuration)
                    chunks.finished(index)
                }
            }
        }

        var result = Result(summary: summary, matchedLines: matchedBefore)
        let limit = query.limit.map { UInt64(max(0, $0)) }
        // Chunks in file order; each slot goes back to the workers once handed out.
        while let slot = chunks.next() {
            result.summary.merge(slot.summary)
            result.inWindow += slot.inWindow
            if let s = slot.span { result.span = result.span.map { min($0.lowerBound, s.lowerBound)...max($0.upperBound, s.upperBound) } ?? s }
            if countOnly {
                let take = limit.map { min(slot.matched, $0 > result.matchedLines ? $0 - result.matchedLines : 0) } ?? slot.matched
                result.matchedLines += take
                if let limit, result.matchedLines >= limit { result.stopped = true }
            } else {
                slot.bytes.withUnsafeBytes { bytes in
                    var start = 0
                    for end in slot.ends {
                        result.matchedLines += 1
                        if !line(name, UnsafeRawBufferPointer(rebasing: bytes[start..<end])) { result.stopped = true; break }
                        if let limit, result.matchedLines >= limit { result.stopped = true; break }
                        start = end
                    }
                }
            }
            // A read error ends the input after the lines before it, as in a one-pass read.
            let failed = slot.summary.error != nil
            chunks.release()
            if result.stopped || failed { break }
        }
        chunks.stop()
        group.wait()
        return result
    }
}

/// One worker's decoder and filter (made before the workers start, then used by that worker only).
private final class ChunkWork: @unchecked Sendable {
    let decoder: AccessEventDecoder
    let filter: FilterEvaluator?

    init(decoder: AccessEventDecoder, filter: FilterEvaluator?) {
        self.decoder = decoder
        self.filter = filter
    }

    /// Filters the lines of `range` into `slot`.
    func read(_ range: Range<Int>, into slot: ChunkSlot, file: OpenedFile, spec: InputSpec, query: Query,
              configuration: QueryConfiguration) {
        let reader = LineReader(source: FileSource(file: file, range: range), maxLineLength: configuration.maxLineLength)
        let scan = WindowScan(name: spec.displayName, spec: spec, reader: reader, sniffed: [], since: nil, until: nil,
                              seek: false, maxLineLength: configuration.maxLineLength, skip: false) { _ in nil }
        var summary = InputSummary(name: spec.displayName, format: "")
        var outcome = QueryOutcome()
        var stopped = false
        let keepsLines = slot.keepsLines
        // The lines kept are at most the chunk's bytes: room for them at once, not by doubling.
        if keepsLines { slot.bytes.reserveCapacity(min(range.count, 64 << 20)) }
        QueryRunner.read(decoder, scan, query, configuration, filter, nil, &summary, &outcome, &stopped) { _, raw in
            if keepsLines {
                slot.bytes.append(contentsOf: raw)
                slot.ends.append(slot.bytes.count)
            }
            return true
        }
        summary.bytesRead = UInt64(scan.bytesRead)
        summary.overlong = UInt64(scan.overlongLines)
        summary.error = scan.error?.description
        slot.summary = summary
        slot.matched = outcome.matchedLines
        slot.inWindow = outcome.inWindow
        slot.span = outcome.span
    }
}

/// A chunk's result: the matching lines back to back (`ends[i]`: where line i ends), and the
/// chunk's counts. Filled by one worker, then read by the caller's thread, then cleared for
/// the next chunk (the `ChunkQueue` lock orders these).
private final class ChunkSlot: @unchecked Sendable {
    let keepsLines: Bool
    var bytes: [UInt8] = []
    var ends: [Int] = []
    var matched: UInt64 = 0
    var summary: InputSummary
    var inWindow: UInt64 = 0
    var span: ClosedRange<Int64>?

    init(name: String, keepsLines: Bool) {
        self.keepsLines = keepsLines
        summary = InputSummary(name: name, format: "")
    }

    func clear() {
        bytes.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        matched = 0
        summary = InputSummary(name: summary.name, format: "")
        inWindow = 0
        span = nil
    }
}

/// Hands chunks to workers in file order and their slots to the caller in the same order.
/// Chunk i uses slot i % window; it is handed to a worker only once chunk i - window was
/// handed out by `next()` and released, so at most `window` chunks are held at once.
private final class ChunkQueue: @unchecked Sendable {
    let file: OpenedFile
    let chunkSize: Int
    let window: Int
    let slots: [ChunkSlot]
    let condition = NSCondition()
    /// Guarded by `condition`:
    var cut = 0            // where the next chunk starts
    var taken = 0          // chunks handed to workers
    var written = 0        // chunks handed out by `next()` and released
    var done: [Bool]       // per slot: its chunk is read
    var stopped = false

    init(file: OpenedFile, chunkSize: Int, window: Int, name: String, keepsLines: Bool) {
        self.file = file
        self.chunkSize = chunkSize
        self.window = window
        slots = (0..<window).map { _ in ChunkSlot(name: name, keepsLines: keepsLines) }
        done = [Bool](repeating: false, count: window)
    }

    func slot(_ index: Int) -> ChunkSlot { slots[index % window] }

    /// The next chunk to read and its byte range; nil once the file is cut up or the read stopped.
    func take() -> (Int, Range<Int>)? {
        condition.lock()
        defer { condition.unlock() }
        while !stopped, cut < file.size, taken >= written + window { condition.wait() }
        guard !stopped, cut < file.size else { return nil }
        let start = cut
        // A line longer than a chunk makes its chunk longer: chunks start at line starts only.
        let end = file.lineStart(atOrAfter: start + min(chunkSize, file.size - start))
        cut = end > start ? end : file.size
        let index = taken
        taken += 1
        return (index, start..<cut)
    }

    func finished(_ index: Int) {
        condition.lock()
        done[index % window] = true
        condition.broadcast()
        condition.unlock()
    }

    /// The slot of the next chunk in file order once it is read; nil after the last chunk.
    func next() -> ChunkSlot? {
        condition.lock()
        defer { condition.unlock() }
        while !done[written % window] {
            if stopped || (cut >= file.size && written == taken) { return nil }
            condition.wait()
        }
        return slots[written % window]
    }

    /// The slot `next()` gave is handed out: cleared for chunk `written + window`.
    func release() {
        condition.lock()
        let i = written % window
        slots[i].clear()
        done[i] = false
        written += 1
        condition.broadcast()
        condition.unlock()
    }

    /// No more chunks are taken (those being read are finished and dropped).
    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }
}
