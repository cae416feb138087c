import LogAggregation
import LogInput
import LogParsing
import PCRE2

/// One thread's share of the work: its own parsers (match data), line buffers and aggregate.
final class Worker {
    let configuration: AnalysisConfiguration
    let detector: FormatDetector
    var aggregate: TrafficAggregate
    /// Parsers by format name, made once per worker.
    var parsers: [String: AccessRecordParser] = [:]

    init(configuration: AnalysisConfiguration, detector: FormatDetector) {
        self.configuration = configuration
        self.detector = detector
        aggregate = TrafficAggregate(bucketSeconds: configuration.bucketSeconds,
                                     maxBuckets: configuration.maxBuckets,
                                     pathCapacity: configuration.pathCapacity)
    }

    func parser(for candidate: FormatDetector.Candidate) -> AccessRecordParser {
        if let parser = parsers[candidate.name] { return parser }
        let parser = AccessRecordParser(pattern: candidate.pattern, defaultOffset: configuration.defaultOffset)
        parsers[candidate.name] = parser
        return parser
    }

    func process(_ unit: WorkUnit) -> UnitResult {
        var result = UnitResult(summary: InputSummary(name: unit.input.displayName, format: unit.format?.name ?? "unknown"))
        var source: ByteSource
        do {
            source = try unit.input.open(range: unit.range)
            // A core with nothing else to do inflates gzip ahead of the parser.
            if unit.readAhead && source is GzipSource { source = ReadAheadSource(source) }
        } catch {
            result.summary.error = error.description
            return result
        }
        let reader = LineReader(source: source, maxLineLength: configuration.maxLineLength,
                                readSize: configuration.readSize)
        var format = unit.format
        var sniffed: [[UInt8]] = []
        if format == nil {
            sniffed = FormatDetector.sniff(reader)
            format = detector.choose(sniffed).candidate
            result.summary.format = format?.name ?? "unknown"
        }
        let parser = format.map { self.parser(for: $0) }
        result.hasLatency = parser?.roles.hasLatency ?? false

        var record = AccessRecord()
        var lineNumber = 0
        @inline(__always) func consume(_ line: UnsafeRawBufferPointer) {
            lineNumber += 1
            if line.isEmpty {
                result.summary.blank += 1
                return
            }
            let outcome = parser?.parse(line, into: &record) ?? .noMatch
            if outcome == .matched {
                result.summary.matched += 1
                aggregate.add(record, line: line)
                return
            }
            result.summary.unmatched += 1
            if outcome == .limitExceeded { result.summary.limitExceeded += 1 }
            if result.samples.count < configuration.sampleLimit {
                result.samples.append(UnmatchedSample(input: unit.input.displayName, inputIndex: unit.inputIndex,
                                                      line: lineNumber, bytes: line))
            }
        }
        for line in sniffed {
            line.withUnsafeBytes { consume($0) }
        }
        sniffed = []
        while let line = reader.nextLine() {
            consume(line)
        }
        result.summary.lines = UInt64(lineNumber)
        result.summary.overlong = UInt64(reader.overlongLines)
        result.summary.bytesRead = UInt64(reader.bytesRead)
        result.summary.error = reader.error?.description
        return result
    }
}
