import LogAggregation
import LogParsing

/// `docker compose logs` output: lines of several services, each `service-1  | …`, one stream.
///
/// Each service's lines go to a processor of the format detected for that service: its lines
/// in the input's first lines when it appears there, else its first line alone (nginx and
/// PostgreSQL lines are recognised from one line; anything else reads as an application log,
/// as does a service whose best format recognises under half of its sample).
/// Access and PostgreSQL processors get the line without its prefix; application processors
/// get it whole, so the service stays a field of their events. Every service has processors of
/// its own (a service's multi-line events must not interleave with another's); their
/// aggregates are merged into the report's sections at the end. At most `maxServices` services
/// get their own processors; lines of further services go to one shared application processor.
final class ComposeStream: LineProcessor {
    static let maxServices = 64

    struct Route {
        let processor: any LineProcessor
        /// Feed the line without its `service  | ` prefix.
        let stripPrefix: Bool
        let formatName: String
        let service: String
        /// The family whose processor this is, which says which section it fills.
        let family: LogFormat.Family
        let hasLatency: Bool
    }

    let configuration: AnalysisConfiguration
    let detector: FormatDetector
    /// Service name bytes -> index into `routes` (in `tag`).
    var index = KeyedTable<Counter>(capacity: ComposeStream.maxServices * 4)
    var routes: [Route] = []
    var overflow: ApplicationProcessor?
    /// The sample's lines per service, for detection.
    var sampleByService: [String: [[UInt8]]] = [:]
    var hasLatency = false

    /// Whether most of the sample's lines carry a compose prefix.
    static func looksLikeCompose(_ sample: [[UInt8]]) -> Bool {
        let lines = sample.filter { !$0.isEmpty }
        guard lines.count >= 2 else { return false }
        let prefixed = lines.filter { line in line.withUnsafeBytes { ApplicationLineParser.bodyStart($0).service != nil } }.count
        return prefixed * 10 >= lines.count * 8
    }

    init(configuration: AnalysisConfiguration, detector: FormatDetector, sample: [[UInt8]]) {
        self.configuration = configuration
        self.detector = detector
        self.sampleByService = ComposeStream.linesByService(sample).lines
    }

    /// The sample's lines per service (without prefix or `-t` timestamp), services in order of
    /// first appearance.
    static func linesByService(_ sample: [[UInt8]]) -> (order: [String], lines: [String: [[UInt8]]]) {
        var order: [String] = []
        var lines: [String: [[UInt8]]] = [:]
        for line in sample {
            line.withUnsafeBytes { raw in
                let (body, service) = ApplicationLineParser.bodyStart(raw)
                guard let service else { return }
                let name = String(decoding: raw[service], as: UTF8.self)
                if lines[name] == nil { order.append(name) }
                lines[name, default: []].append(Array(raw[body...]))
            }
        }
        return (order, lines)
    }

    /// The format a service's lines are read in, and how many of them it recognises. A format
    /// that recognises under half of them is a guess: plain text (which keeps every line,
    /// joining what it cannot read to the event before) is safer, and reads every line.
    static func format(of lines: [[UInt8]], _ detector: FormatDetector) -> (format: LogFormat, matched: Int) {
        let choice = detector.choose(lines)
        if choice.confidence >= 0.5, let format = choice.format { return (format, choice.matched) }
        // Behind its prefix every line is read (as an event of no known layout at worst).
        return (.application(.text), lines.filter { !$0.isEmpty }.count)
    }

    /// What `logsift detect` says of a compose stream, from its first lines: the summary that
    /// `report` gives for the services found there, and the sample lines their formats recognise.
    static func detect(_ sample: [[UInt8]], _ detector: FormatDetector) -> (summary: String, matched: Int) {
        let (order, lines) = linesByService(sample)
        var matched = 0
        let parts = order.map { name -> String in
            let (format, hits) = ComposeStream.format(of: lines[name] ?? [], detector)
            matched += hits
            return "\(name) \(format.name)"
        }
        return (Self.summaryPrefix + parts.joined(separator: ", "), matched)
    }

    /// How a stream's format name starts (`docker-compose: web-1 nginx-combined, ...`).
    static let summaryPrefix = "docker-compose: "

    /// A short description for the input summary: `compose: web-1 nginx-combined, api-1 app-text`.
    var formatSummary: String {
        Self.summaryPrefix + routes.map { "\($0.service) \($0.formatName)" }.joined(separator: ", ")
    }

    func route(for service: Range<Int>, in line: UnsafeRawBufferPointer, body: Int) -> Int? {
        let key = UnsafeRawBufferPointer(rebasing: line[service])
        if let i = index.find(key) { return Int(index[i].tag) }
        guard routes.count < ComposeStream.maxServices else { return nil }
        let name = String(decoding: key, as: UTF8.self)
        let format = ComposeStream.format(of: sampleByService[name] ?? [Array(line[body...])], detector).format
        let route = Families.entry(for: format).composeRoute(format, configuration: configuration, service: name)
        hasLatency = hasLatency || route.hasLatency
        routes.append(route)
        let slot = index.index(key)
        index[slot].tag = Int32(routes.count - 1)
        return routes.count - 1
    }

    /// The route of the last prefixed line: a line without prefix continues it.
    var lastRoute: Int?

    func consume(_ line: UnsafeRawBufferPointer) -> LineVerdict {
        let (body, service) = ApplicationLineParser.bodyStart(line)
        if service == nil, let last = lastRoute {
            return routes[last].processor.consume(line)
        }
        lastRoute = nil
        guard let service, let r = route(for: service, in: line, body: body) else {
            let processor = overflow ?? {
                let made = ApplicationFamily.makeProcessor(configuration)
                made.begin(format: .text)
                return made
            }()
            overflow = processor
            return processor.consume(line)
        }
        lastRoute = r
        let route = routes[r]
        return route.processor.consume(route.stripPrefix ? UnsafeRawBufferPointer(rebasing: line[body...]) : line)
    }

    func blankLine() {
        if let last = lastRoute { routes[last].processor.blankLine() }
    }

    func endInput() {
        for route in routes { route.processor.endInput() }
        overflow?.endInput()
    }

    /// The aggregates of every service, as sections to merge into the worker's.
    func sections() -> Sections {
        var sections = Sections()
        for route in routes {
            sections.merge(Families.entry(route.family).section(of: route.processor))
        }
        if let overflow { sections.merge(ApplicationFamily.section(of: overflow)) }
        return sections
    }
}
