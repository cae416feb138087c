/// LogsiftEngine: runs inputs through framing, parsing and aggregation on every core.
///
/// Takes an `AnalysisConfiguration` (inputs, format choice, bucket width), gives an `Analysis`.
/// Plain files big enough are cut into line-aligned ranges so both cores work on one file; each
/// worker owns its buffers, match data and aggregate, and the aggregates merge at the end.
/// It knows nothing of how results are printed.
import Dispatch
import Foundation
import LogAggregation
import LogInput
import LogParsing
import PCRE2

public struct AnalysisConfiguration: Sendable {
    /// How each input's format is chosen.
    public enum FormatChoice: Sendable {
        /// Detect per input among the built-in formats.
        case detect
        /// One format for every input.
        case fixed(LogFormat)
        /// A detector limited by the user (`--pg-prefix`, `--log-format postgres-syslog`).
        case detector(FormatDetector)
    }

    public var inputs: [InputSpec]
    public var format: FormatChoice = .detect
    public var bucketSeconds: Int64 = 60
    public var workers: Int = ProcessInfo.processInfo.activeProcessorCount
    public var maxLineLength: Int = LineReader.defaultMaxLineLength
    public var readSize: Int = LineReader.defaultReadSize
    /// Files at least this big are split between workers.
    public var splitThreshold: Int = 8 << 20
    public var sampleLimit: Int = 10
    public var pathCapacity: Int = 5_000
    public var maxBuckets: Int = TrafficAggregate.defaultMaxBuckets
    /// How timestamps written without a zone are read, in every family (local time unless `--tz`).
    public var zone: ZoneRule = .local
    /// Keep the order given instead of putting rotated sets oldest first.
    public var keepOrder = false
    /// Called once the work is planned and before any unit is read: tests use this moment to
    /// change the file system (rename and replace an input) without relying on timing.
    public var afterPlanning: (@Sendable () -> Void)? = nil

    public init(inputs: [InputSpec]) {
        self.inputs = inputs
    }
}

/// One piece of work: a whole input, or a line-aligned byte range of a plain file.
struct WorkUnit: Sendable {
    let inputIndex: Int
    let input: InputSpec
    let range: Range<Int>?
    /// The input as opened when planning split it: every range is read through this descriptor.
    let file: OpenedFile?
    /// Position of the range within its input (0 for whole inputs).
    let part: Int
    /// The format, when chosen before the work starts (always for split files).
    let format: LogFormat?
    /// Decompress on a thread of its own (set when there are fewer units than workers).
    var readAhead = false
}

/// What one unit produced besides the aggregate that its worker keeps.
struct UnitResult: Sendable {
    var summary: InputSummary
    var samples: [UnmatchedSample] = []
    var hasLatency = false
}

public enum Analyzer {
    /// Analyses every input of `configuration`. Input errors do not stop the run: they are
    /// recorded in the input's summary and the other inputs are still read.
    public static func run(_ configuration: AnalysisConfiguration) -> Analysis {
        let started = DispatchTime.now()
        let inputs = configuration.keepOrder ? configuration.inputs : InputSet.oldestFirst(configuration.inputs)
        let detector: FormatDetector
        switch configuration.format {
        case .detect: detector = .automatic()
        case .fixed(let format): detector = .fixed(format)
        case .detector(let chosen): detector = chosen
        }
        let units = plan(inputs, configuration, detector)
        configuration.afterPlanning?()
        let queue = WorkQueue(units: units)
        let workerCount = max(1, min(configuration.workers, units.count))
        let collector = ResultCollector(unitCount: units.count)

        DispatchQueue.concurrentPerform(iterations: workerCount) { _ in
            let worker = Worker(configuration: configuration, detector: detector)
            while let (index, unit) = queue.next() {
                collector.store(worker.process(unit), at: index)
            }
            collector.store(worker.sections())
        }
        var analysis = collector.finish(units: units, inputs: inputs, configuration: configuration)
        analysis.elapsedSeconds = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
        return analysis
    }

    static func plan(_ inputs: [InputSpec], _ configuration: AnalysisConfiguration,
                     _ detector: FormatDetector) -> [WorkUnit] {
        var units: [WorkUnit] = []
        for (index, input) in inputs.enumerated() {
            let parts = max(1, configuration.workers)
            if parts > 1, let file = input.openForSplitting(minimumSize: configuration.splitThreshold) {
                // All parts must use one format: detect it from the file's start now. Cuts go
                // before lines that start an event (see `EventBoundary`). Every part is read
                // through `file`, the descriptor opened here, never by path again.
                let size = file.size
                var format: LogFormat? = nil
                var sample: [[UInt8]] = []
                if let source = try? input.open(file: file) {
                    let reader = LineReader(source: source, maxLineLength: configuration.maxLineLength,
                                            readSize: 64 * 1024)
                    sample = FormatDetector.sniff(reader)
                    format = detector.choose(sample).format
                }
                // A docker-compose stream is read whole: its services are told apart line by line.
                let compose = detector.detectFamilies && ComposeStream.looksLikeCompose(sample)
                if !compose, let format, let boundary = EventBoundary(format: format, zone: configuration.zone, sample: sample) {
                    var ranges = file.lineAlignedRanges(size: size, parts: parts)
                    if !format.isLineOriented { ranges = boundary.eventAligned(ranges, file: file) }
                    for (part, range) in ranges.enumerated() {
                        units.append(WorkUnit(inputIndex: index, input: input, range: range, file: file, part: part, format: format))
                    }
                    continue
                }
                units.append(WorkUnit(inputIndex: index, input: input, range: nil, file: file, part: 0, format: nil))
                continue
            }
            units.append(WorkUnit(inputIndex: index, input: input, range: nil, file: nil, part: 0, format: nil))
        }
        if units.count < configuration.workers {
            for i in units.indices where units[i].range == nil { units[i].readAhead = true }
        }
        return units
    }
}

/// hands out units to workers in order.
final class WorkQueue: @unchecked Sendable {
    private let lock = NSLock()
    private let units: [WorkUnit]
    private var nextIndex = 0

    init(units: [WorkUnit]) { self.units = units }

    func next() -> (Int, WorkUnit)? {
        lock.lock()
        defer { lock.unlock() }
        guard nextIndex < units.count else { return nil }
        nextIndex += 1
        return (nextIndex - 1, units[nextIndex - 1])
    }
}

/// Gathers unit results and worker aggregates, then merges them in input order.
final class ResultCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [UnitResult?]
    private var sections: [Sections] = []

    init(unitCount: Int) { results = Array(repeating: nil, count: unitCount) }

    func store(_ result: UnitResult, at index: Int) {
        lock.lock(); results[index] = result; lock.unlock()
    }

    func store(_ section: Sections) {
        lock.lock(); sections.append(section); lock.unlock()
    }

    func finish(units: [WorkUnit], inputs: [InputSpec], configuration: AnalysisConfiguration) -> Analysis {
        var summaries: [InputSummary?] = Array(repeating: nil, count: inputs.count)
        var samples: [UnmatchedSample] = []
        var linesBefore: [Int: UInt64] = [:]  // input index -> lines in its earlier parts
        var hasLatency = false
        for (unit, result) in zip(units, results) {
            guard let result else { continue }
            let offset = linesBefore[unit.inputIndex, default: 0]
            for var sample in result.samples {
                sample.line += Int(offset)
                samples.append(sample)
            }
            linesBefore[unit.inputIndex] = offset + result.summary.lines
            if summaries[unit.inputIndex] == nil {
                summaries[unit.inputIndex] = result.summary
            } else {
                summaries[unit.inputIndex]!.merge(result.summary)
            }
            hasLatency = hasLatency || result.hasLatency
        }
        samples.sort { ($0.inputIndex, $0.line) < ($1.inputIndex, $1.line) }
        var merged = Sections()
        for section in sections { merged.merge(section) }
        var analysis = Analysis(inputs: summaries.enumerated().map { $1 ?? InputSummary(name: inputs[$0].displayName, format: "unknown") },
                                traffic: merged.traffic ?? TrafficAggregate(bucketSeconds: configuration.bucketSeconds),
                                samples: Array(samples.prefix(configuration.sampleLimit)),
                                hasLatency: hasLatency)
        merged.fill(&analysis)
        return analysis
    }
}
