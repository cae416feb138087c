import LogAggregation
import LogInput
import LogParsing

/// PostgreSQL server logs: stderr with any `log_line_prefix`, csvlog, jsonlog and syslog.
/// Events span lines (a statement and its DETAIL/STATEMENT/CONTEXT lines).
enum PostgresFamily: LogFamily {
    static let family = LogFormat.Family.postgres
    static let isLineOriented = false
    static var namedFormats: [LogFormat] { [.postgres(.csvlog), .postgres(.jsonlog)] }

    static func postgresFormat(_ format: LogFormat) -> PostgresFormat {
        guard case .postgres(let postgres) = format else {
            preconditionFailure("PostgresFamily handed a \(format.family) format")
        }
        return postgres
    }

    static func score(_ format: LogFormat, _ sample: [[UInt8]]) -> Int {
        PostgresFormat.recognised(postgresFormat(format), sample)
    }

    /// The destination and prefix that read the most lines.
    static func detect(_ sample: [[UInt8]]) -> [DetectedFormat] {
        guard let postgres = PostgresFormat.detect(sample) else { return [] }
        return [DetectedFormat(format: .postgres(postgres.format), hits: postgres.matched)]
    }

    static func queryDecoder(for format: LogFormat, zone: ZoneRule) -> PostgresEventDecoder {
        PostgresEventDecoder(format: postgresFormat(format), zone: zone)
    }

    /// stderr and jsonlog: a primary message (not DETAIL/STATEMENT/…), and not a bare
    /// `duration:` line, which pairs with an earlier statement; inputs that log such bare
    /// durations are not cut at all. csvlog and syslog are not cut (a quoted field or a syslog
    /// continuation may hold what looks like a record start).
    static func eventStart(for format: LogFormat, zone: ZoneRule, sample: [[UInt8]]) -> (any EventStartRule)? {
        switch postgresFormat(format) {
        case .stderr(let prefix):
            guard let pattern = try? PostgresPrefixPattern(prefix: prefix) else { return nil }
            var rule = PostgresStderrEventStart(parser: PostgresStderrParser(pattern: pattern), zone: zone)
            for line in sample where line.withUnsafeBytes({ rule.isBareDuration($0) }) { return nil }
            return rule
        case .jsonlog:
            // A JSON record's message is not located here; any duration record keeps the file whole.
            for line in sample where line.withUnsafeBytes({ EventBoundary.contains($0, 0..<$0.count, "duration: ") }) {
                return nil
            }
            return PostgresJSONEventStart()
        case .csvlog, .syslog:
            return nil
        }
    }

    static func makeProcessor(_ format: PostgresFormat, _ configuration: AnalysisConfiguration) -> PostgresProcessor {
        PostgresProcessor(format: format, bucketSeconds: configuration.bucketSeconds, zone: configuration.zone)
    }

    /// `worker`'s PostgreSQL processor, begun on an input in `format`.
    static func begin(_ format: PostgresFormat, in worker: Worker) -> PostgresProcessor {
        let processor = worker.processor(family) { makeProcessor(format, worker.configuration) }
        processor.begin(format: format)
        return processor
    }

    /// A syslog input is read program by program (`SyslogStream`): the server's lines here,
    /// other programs' as application logs.
    static func report(_ format: LogFormat, worker: Worker, reader: LineReader, sniffed: [[UInt8]],
                       unit: WorkUnit, result: inout UnitResult) {
        let postgres = postgresFormat(format)
        let processor = begin(postgres, in: worker)
        if case .syslog = postgres {
            worker.run(worker.syslogStream(postgres: processor), reader, sniffed, unit, &result)
        } else {
            worker.run(processor, reader, sniffed, unit, &result)
        }
    }

    /// PostgreSQL lines are read without the service prefix.
    static func composeRoute(_ format: LogFormat, configuration: AnalysisConfiguration, service: String) -> ComposeStream.Route {
        let postgres = postgresFormat(format)
        let processor = makeProcessor(postgres, configuration)
        processor.begin(format: postgres)
        return ComposeStream.Route(processor: processor, stripPrefix: true, formatName: format.name, service: service,
                                   family: family, hasLatency: false)
    }

    static func section(of processor: any LineProcessor) -> Sections {
        guard let postgres = processor as? PostgresProcessor else { return Sections() }
        return Sections(postgres: postgres.aggregate)
    }
}

/// PostgreSQL stderr: a primary message that is not a bare `duration:` line.
struct PostgresStderrEventStart: EventStartRule {
    let parser: PostgresStderrParser
    var zone: ZoneRule
    var header = PostgresHeader()

    init(parser: PostgresStderrParser, zone: ZoneRule) {
        self.parser = parser
        self.zone = zone
    }

    /// A `duration: N ms` line with nothing after it: the duration of an earlier statement.
    mutating func isBareDuration(_ line: UnsafeRawBufferPointer) -> Bool {
        guard parser.parse(line, zone: &zone, into: &header) == .matched else { return false }
        return PostgresStderrEventStart.isBareDuration(line, header.message)
    }

    /// `duration: 12.345 ms` and only blanks after it.
    static func isBareDuration(_ bytes: UnsafeRawBufferPointer, _ message: Range<Int>) -> Bool {
        guard EventBoundary.contains(bytes, message.lowerBound..<min(message.upperBound, message.lowerBound + 10), "duration:") else { return false }
        var i = message.lowerBound + 9
        while i < message.upperBound, bytes[i] == UInt8(ascii: " ") { i += 1 }
        while i < message.upperBound, bytes[i] == UInt8(ascii: ".") || (bytes[i] >= 48 && bytes[i] <= 57) { i += 1 }
        guard i + 3 <= message.upperBound, bytes[i] == UInt8(ascii: " "), bytes[i + 1] == UInt8(ascii: "m"),
              bytes[i + 2] == UInt8(ascii: "s") else { return false }
        i += 3
        while i < message.upperBound {
            if bytes[i] != UInt8(ascii: " ") && bytes[i] != UInt8(ascii: "\t") { return false }
            i += 1
        }
        return true
    }

    mutating func startsEvent(_ line: UnsafeRawBufferPointer) -> Bool {
        guard parser.parse(line, zone: &zone, into: &header) == .matched, !header.severity.isSecondary else { return false }
        return !isBareDuration(line)
    }
}

/// PostgreSQL jsonlog: each record is one line starting with `{`.
struct PostgresJSONEventStart: EventStartRule {
    func startsEvent(_ line: UnsafeRawBufferPointer) -> Bool { line.first == UInt8(ascii: "{") }
}
