import LogAggregation
import LogInput
import LogParsing
import PCRE2

/// One thread's share of the work: its own line buffers, and one processor (with its match
/// data and aggregate) per format family it meets, made by the family (`LogFamily.report`).
final class Worker {
    let configuration: AnalysisConfiguration
    let detector: FormatDetector
    /// The processor of each family met so far, reused for every input of that family.
    var processors: [LogFormat.Family: any LineProcessor] = [:]
    /// Sections of docker-compose streams, merged into the worker's at the end.
    var composed = Sections()

    init(configuration: AnalysisConfiguration, detector: FormatDetector) {
        self.configuration = configuration
        self.detector = detector
    }

    /// The aggregates this worker built.
    func sections() -> Sections {
        var sections = Sections()
        for (family, processor) in processors {
            sections.merge(Families.entry(family).section(of: processor))
        }
        sections.merge(composed)
        return sections
    }

    /// This worker's processor of `family`, made by `make` on first use (once per input).
    func processor<P: LineProcessor>(_ family: LogFormat.Family, _ make: () -> P) -> P {
        if let made = processors[family] as? P { return made }
        let made = make()
        processors[family] = made
        return made
    }

    func process(_ unit: WorkUnit) -> UnitResult {
        var result = UnitResult(summary: InputSummary(name: unit.input.displayName, format: unit.format?.name ?? "unknown"))
        var source: ByteSource
        do {
            source = try unit.input.open(range: unit.range, file: unit.file)
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
            if detector.detectFamilies && ComposeStream.looksLikeCompose(sniffed) {
                let stream = ComposeStream(configuration: configuration, detector: detector, sample: sniffed)
                run(stream, reader, sniffed, unit, &result)
                result.summary.format = stream.formatSummary
                result.hasLatency = stream.hasLatency
                composed.merge(stream.sections())
                return result
            }
            format = detector.choose(sniffed).format
            result.summary.format = format?.name ?? "unknown"
        }
        guard let format else {
            run(UnrecognisedProcessor(), reader, sniffed, unit, &result)
            return result
        }
        Families.entry(for: format).report(format, worker: self, reader: reader, sniffed: sniffed, unit: unit, result: &result)
        return result
    }

    /// A syslog input, read program by program (see `SyslogStream`) by this worker's processors.
    func syslogStream(postgres: PostgresProcessor?) -> SyslogStream {
        SyslogStream(postgres: postgres,
                     makePostgres: { [unowned self] format in PostgresFamily.begin(format, in: self) },
                     makeApplication: { [unowned self] in ApplicationFamily.begin(.syslogRFC3164, in: self) })
    }

    /// The per-line loop, specialised for each processor type (no dynamic dispatch per line).
    func run<P: LineProcessor>(_ processor: P, _ reader: LineReader, _ sniffed: [[UInt8]],
                               _ unit: WorkUnit, _ result: inout UnitResult) {
        var lineNumber = 0
        let sampleLimit = configuration.sampleLimit
        @inline(__always) func consume(_ line: UnsafeRawBufferPointer) {
            lineNumber += 1
            if line.isEmpty {
                result.summary.blank += 1
                processor.blankLine()
                return
            }
            let verdict = processor.consume(line)
            switch verdict {
            case .matched, .continuation:
                result.summary.matched += 1
            case .unmatched, .limitExceeded:
                if case .limitExceeded = verdict { result.summary.limitExceeded += 1 }
                result.summary.unmatched += 1
                if result.samples.count < sampleLimit {
                    result.samples.append(UnmatchedSample(input: unit.input.displayName, inputIndex: unit.inputIndex,
                                                          line: lineNumber, bytes: line))
                }
            }
        }
        for line in sniffed {
            line.withUnsafeBytes { consume($0) }
        }
        while let line = reader.nextLine() {
            consume(line)
        }
        processor.endInput()
        result.summary.lines = UInt64(lineNumber)
        result.summary.overlong = UInt64(reader.overlongLines)
        result.summary.bytesRead = UInt64(reader.bytesRead)
        result.summary.error = reader.error?.description
    }
}

/// For inputs whose format nothing recognised: every line is counted as unmatched and sampled.
final class UnrecognisedProcessor: LineProcessor {
    func consume(_ line: UnsafeRawBufferPointer) -> LineVerdict { .unmatched }
    func endInput() {}
}
