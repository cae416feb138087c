import LogAggregation
import LogInput
import LogParsing
import PCRE2

/// nginx access logs and grok layouts: one event per line, matched by one pattern. The
/// built-in nginx layouts are the detector's fixed candidates; this family adds a layout
/// inferred from the lines and built-ins extended by trailing `name=value` fields.
enum AccessFamily: LogFamily {
    static let family = LogFormat.Family.access
    static let isLineOriented = true

    static func pattern(_ format: LogFormat) -> (name: String, pattern: CompiledPattern) {
        guard case .access(let name, let pattern) = format else {
            preconditionFailure("AccessFamily handed a \(format.family) format")
        }
        return (name, pattern)
    }

    static func score(_ format: LogFormat, _ sample: [[UInt8]]) -> Int {
        let pattern = pattern(format).pattern
        let matchData = MatchData(for: pattern.regex)
        var hits = 0
        for line in sample where line.withUnsafeBytes({ matchData.match(pattern.regex, $0) }) == .matched {
            hits += 1
        }
        return hits
    }

    /// A custom nginx layout inferred from the lines. It competes right after the built-ins
    /// (it wins a tie with the application formats: a quoted request line and a status make an
    /// access log).
    static func detect(_ sample: [[UInt8]]) -> [DetectedFormat] {
        guard let custom = NginxFormat.inferred(from: sample), let pattern = try? custom.compile() else { return [] }
        let format = LogFormat.access(name: custom.name, pattern: pattern)
        return [DetectedFormat(format: format, hits: score(format, sample), guessedNginxFormat: custom.logFormat)]
    }

    /// A built-in nginx format extended by the `name=value` fields most matched lines carry
    /// after it (`combined` + `rt=0.123 urt=0.120`), so they are read instead of dropped; nil
    /// when there are none.
    static func refined(_ format: LogFormat, _ sample: [[UInt8]]) -> DetectedFormat? {
        let name = pattern(format).name
        guard let builtin = NginxFormat.builtins.first(where: { $0.name == name }),
              let extended = builtin.withTrailingFields(in: sample),
              let pattern = try? extended.compile() else { return nil }
        let candidate = LogFormat.access(name: extended.name, pattern: pattern)
        return DetectedFormat(format: candidate, hits: score(candidate, sample), guessedNginxFormat: extended.logFormat)
    }

    static func queryDecoder(for format: LogFormat, zone: ZoneRule) -> AccessEventDecoder {
        AccessEventDecoder(pattern: pattern(format).pattern, zone: zone)
    }

    /// Any line: every event is one line.
    static func eventStart(for format: LogFormat, zone: ZoneRule, sample: [[UInt8]]) -> (any EventStartRule)? {
        EveryLineStartsEvent()
    }

    static func makeProcessor(_ configuration: AnalysisConfiguration) -> AccessProcessor {
        AccessProcessor(aggregate: TrafficAggregate(bucketSeconds: configuration.bucketSeconds,
                                                    maxBuckets: configuration.maxBuckets,
                                                    pathCapacity: configuration.pathCapacity,
                                                    calendar: BucketCalendar(zone: configuration.zone)),
                        zone: configuration.zone)
    }

    static func report(_ format: LogFormat, worker: Worker, reader: LineReader, sniffed: [[UInt8]],
                       unit: WorkUnit, result: inout UnitResult) {
        let (name, pattern) = pattern(format)
        if worker.detector.detectFamilies, !NginxFormat.builtins.contains(where: { $0.name == name }) {
            result.summary.guessedNginxFormat = pattern.source
        }
        let processor = worker.processor(family) { makeProcessor(worker.configuration) }
        processor.begin(name: name, pattern: pattern)
        result.hasLatency = processor.hasLatency
        worker.run(processor, reader, sniffed, unit, &result)
    }

    /// Access lines are read without the service prefix.
    static func composeRoute(_ format: LogFormat, configuration: AnalysisConfiguration, service: String) -> ComposeStream.Route {
        let (name, pattern) = pattern(format)
        let processor = makeProcessor(configuration)
        processor.begin(name: name, pattern: pattern)
        return ComposeStream.Route(processor: processor, stripPrefix: true, formatName: name, service: service,
                                   family: family, hasLatency: processor.hasLatency)
    }

    static func section(of processor: any LineProcessor) -> Sections {
        guard let access = processor as? AccessProcessor else { return Sections() }
        return Sections(traffic: access.aggregate)
    }
}
