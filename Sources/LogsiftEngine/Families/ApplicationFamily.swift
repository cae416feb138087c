import LogAggregation
import LogInput
import LogParsing

/// Application logs (`TIMESTAMP LEVEL message` text, JSON lines, logfmt), syslog and nginx
/// error logs. Events span lines (a stack trace stays with the line that started it).
enum ApplicationFamily: LogFamily {
    static let family = LogFormat.Family.application
    static let isLineOriented = false
    static var namedFormats: [LogFormat] { ApplicationFormat.allCases.map { .application($0) } }

    static func applicationFormat(_ format: LogFormat) -> ApplicationFormat {
        guard case .application(let application) = format else {
            preconditionFailure("ApplicationFamily handed a \(format.family) format")
        }
        return application
    }

    static func score(_ format: LogFormat, _ sample: [[UInt8]]) -> Int {
        let application = applicationFormat(format)
        return ApplicationFormat.detect(sample).first { $0.format == application }?.matched ?? 0
    }

    /// Every application format that reads some of the lines; plain text, the most general,
    /// comes last.
    static func detect(_ sample: [[UInt8]]) -> [DetectedFormat] {
        ApplicationFormat.detect(sample).map { DetectedFormat(format: .application($0.format), hits: $0.matched) }
    }

    /// Plain text joins any line to the event before: the lines it reads by their shape.
    static func shapedHits(_ format: LogFormat, _ sample: [[UInt8]]) -> Int? {
        let application = applicationFormat(format)
        guard application.joinsAnyLine else { return nil }
        return ApplicationFormat.detect(sample, anyLines: false).first { $0.format == application }?.matched ?? 0
    }

    static func queryDecoder(for format: LogFormat, zone: ZoneRule) -> ApplicationEventDecoder {
        ApplicationEventDecoder(format: applicationFormat(format), zone: zone)
    }

    /// A line that starts an event (timestamp, level…), never a stack-trace or continuation line.
    static func eventStart(for format: LogFormat, zone: ZoneRule, sample: [[UInt8]]) -> (any EventStartRule)? {
        ApplicationEventStart(parser: ApplicationLineParser(format: applicationFormat(format), zone: zone))
    }

    static func makeProcessor(_ configuration: AnalysisConfiguration) -> ApplicationProcessor {
        ApplicationProcessor(bucketSeconds: configuration.bucketSeconds, zone: configuration.zone)
    }

    /// `worker`'s application processor, begun on an input in `format`.
    static func begin(_ format: ApplicationFormat, in worker: Worker) -> ApplicationProcessor {
        let processor = worker.processor(family) { makeProcessor(worker.configuration) }
        processor.begin(format: format)
        return processor
    }

    /// Syslog is read program by program (`SyslogStream`): a PostgreSQL server's lines go to
    /// the PostgreSQL processor.
    static func report(_ format: LogFormat, worker: Worker, reader: LineReader, sniffed: [[UInt8]],
                       unit: WorkUnit, result: inout UnitResult) {
        let application = applicationFormat(format)
        if application == .syslogRFC3164 {
            worker.run(worker.syslogStream(postgres: nil), reader, sniffed, unit, &result)
        } else {
            worker.run(begin(application, in: worker), reader, sniffed, unit, &result)
        }
    }

    /// Application lines are read whole, so the service stays a field of their events.
    static func composeRoute(_ format: LogFormat, configuration: AnalysisConfiguration, service: String) -> ComposeStream.Route {
        let processor = makeProcessor(configuration)
        processor.begin(format: applicationFormat(format))
        return ComposeStream.Route(processor: processor, stripPrefix: false, formatName: format.name, service: service,
                                   family: family, hasLatency: false)
    }

    static func section(of processor: any LineProcessor) -> Sections {
        guard let application = processor as? ApplicationProcessor else { return Sections() }
        return Sections(application: application.aggregate)
    }
}

/// Application logs: a line the format's line parser reads as the start of an event.
struct ApplicationEventStart: EventStartRule {
    var parser: ApplicationLineParser
    var record = ApplicationRecord()

    init(parser: ApplicationLineParser) { self.parser = parser }

    mutating func startsEvent(_ line: UnsafeRawBufferPointer) -> Bool {
        parser.parse(line, into: &record)
    }
}
