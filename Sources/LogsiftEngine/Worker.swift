import LogAggregation
import LogInput
import LogParsing
import PCRE2

/// One thread's share of the work: its own line buffers, and one processor (with its match
/// data and aggregate) per format family it meets.
final class Worker {
    let configuration: AnalysisConfiguration
    let detector: FormatDetector
    var access: AccessProcessor?
    var postgres: PostgresProcessor?
    var application: ApplicationProcessor?
    /// Sections of docker-compose streams, merged into the worker's at the end.
    var composed = Sections()

    init(configuration: AnalysisConfiguration, detector: FormatDetector) {
        self.configuration = configuration
        self.detector = detector
    }

    /// The aggregates this worker built.
    func sections() -> Sections {
        var sections = Sections(traffic: access?.aggregate, postgres: postgres?.aggregate, application: application?.aggregate)
        sections.merge(composed)
        return sections
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
        if detector.detectFamilies, case .access(let name, let pattern) = format,
           !NginxFormat.builtins.contains(where: { $0.name == name }) {
            result.summary.guessedNginxFormat = pattern.source
        }
        switch format {
        case .access(let name, let pattern):
            let processor = access ?? configuration.makeAccessProcessor()
            access = processor
            processor.begin(name: name, pattern: pattern)
            result.hasLatency = processor.hasLatency
            run(processor, reader, sniffed, unit, &result)
        case .postgres(let format):
            let processor = beginPostgres(format)
            if case .syslog = format {
                run(syslogStream(postgres: processor), reader, sniffed, unit, &result)
            } else {
                run(processor, reader, sniffed, unit, &result)
            }
        case .application(let format):
            if format == .syslogRFC3164 {
                run(syslogStream(postgres: nil), reader, sniffed, unit, &result)
            } else {
                run(beginApplication(format), reader, sniffed, unit, &result)
            }
        case nil:
            run(UnrecognisedProcessor(), reader, sniffed, unit, &result)
        }
        return result
    }

    func beginPostgres(_ format: PostgresFormat) -> PostgresProcessor {
        let processor = postgres ?? configuration.makePostgresProcessor(format)
        postgres = processor
        processor.begin(format: format)
        return processor
    }

    func beginApplication(_ format: ApplicationFormat) -> ApplicationProcessor {
        let processor = application ?? configuration.makeApplicationProcessor()
        application = processor
        processor.begin(format: format)
        return processor
    }

    /// A syslog input, read program by program (see `SyslogStream`) by this worker's processors.
    func syslogStream(postgres: PostgresProcessor?) -> SyslogStream {
        SyslogStream(postgres: postgres,
                     makePostgres: { [unowned self] format in self.beginPostgres(format) },
                     makeApplication: { [unowned self] in self.beginApplication(.syslogRFC3164) })
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
