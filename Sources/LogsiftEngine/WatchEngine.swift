import LogAggregation
import LogInput
import LogParsing
import LogQuery
import LogRules
import PCRE2

/// A hook fed by `WatchEngine`: the rule evaluator (and anything else that follows the live
/// stream) plugs in here.
///
/// Calls come from the one thread that runs the watch loop, in this order: `bind` once per
/// source when its format is known (resolve field names to slots there, once), then for each
/// line either `event` (decoded; its bytes are lent for the call only) or nothing (unmatched
/// lines are counted in the pane), and `windowClosed` each time a pane closes, on event time
/// or on the wall clock of a stalled input, with the window ending there.
public protocol WatchObserver: AnyObject {
    func bind(source: String, schema: FieldSchema)
    func event<Event: FieldValues>(_ event: Event, time: Int64)
    /// An access event, as its concrete type: an observer that implements this gets code
    /// specialized for it (the generic `event` is called through the protocol unspecialized).
    func accessEvent(_ event: AccessEvent, time: Int64)
    func windowClosed(_ window: WindowSummary)
}

extension WatchObserver {
    public func accessEvent(_ event: AccessEvent, time: Int64) { self.event(event, time: time) }
}

/// The live pipeline of `watch` (access logs; PostgreSQL and application logs through
/// `EventPaneFeed`): detect the format from the first lines,
/// decode each line to an event (fields through slots resolved once), add it to its pane,
/// close panes on event time and on the wall clock, and hand closed windows to the observers.
public final class WatchEngine {
    public enum Failure: Error, CustomStringConvertible {
        case unrecognised(sampled: Int)

        public var description: String {
            switch self {
            case .unrecognised(let sampled):
                return "none of the first \(sampled) lines is in a format logsift knows (access, PostgreSQL, application); name an access layout with --nginx-format or --log-format"
            }
        }
    }

    let detector: FormatDetector
    let zone: ZoneRule
    public private(set) var windows: RollingWindows
    var observers: [WatchObserver]
    /// Lines kept until the format is known (at most `FormatDetector`'s sample).
    var sample: [[UInt8]] = []
    /// How many non-blank lines are needed before choosing; fewer when the input stalls.
    let sampleSize: Int
    var firstSampleAtMilliseconds: Int64?
    var decoder: AccessEventDecoder?
    /// The decoder of a PostgreSQL or application input (its events feed the observers and
    /// `paneFeed`, which adds them to their pane).
    var other: (any QueryEventDecoder)?
    let paneFeed = EventPaneFeed()
    /// The rules of `watch --rules`: the JSON-lines/logfmt keys they name are bound when an
    /// application input's format is chosen (else those fields would be absent).
    public var rules: [AlertRule] = []
    /// The field a PostgreSQL or application pane's `durations` come from (nil: none).
    public var durationField: String? { paneFeed.durationField }
    public private(set) var formatName: String?
    /// The family of the input once its format is known: access, postgres or application.
    public private(set) var family: LogFormat.Family?
    var statusSlot = -1, latencySlot = -1, pathSlot = -1
    public private(set) var failure: Failure?

    public private(set) var linesRead: UInt64 = 0
    public private(set) var matched: UInt64 = 0
    public private(set) var unmatched: UInt64 = 0
    public private(set) var late: UInt64 = 0

    /// Longest wait for a full sample before choosing from the lines there are (a quiet log).
    static let sampleWaitMilliseconds: Int64 = 2000

    public init(format: LogFormat?, zone: ZoneRule, windows: WindowConfiguration, observers: [WatchObserver],
                sampleSize: Int = 50) {
        detector = format.map(FormatDetector.fixed) ?? .automatic()
        self.zone = zone
        self.windows = RollingWindows(windows)
        self.observers = observers
        // 50 lines: enough for detection to tell the nginx layouts apart on the samples in
        // samples/ (they differ within the first line), few enough not to wait on a quiet log.
        self.sampleSize = max(1, sampleSize)
    }

    /// Takes one line (lent for the call).
    public func consume(_ line: UnsafeRawBufferPointer, nowMilliseconds: Int64) {
        linesRead += 1
        guard failure == nil else { return }
        if decoder == nil && other == nil {
            if firstSampleAtMilliseconds == nil { firstSampleAtMilliseconds = nowMilliseconds }
            sample.append(Array(line))
            if sample.filter({ !$0.isEmpty }).count >= sampleSize { choose(nowMilliseconds: nowMilliseconds) }
            return
        }
        process(line, nowMilliseconds: nowMilliseconds)
    }

    @inline(__always)
    func process(_ line: UnsafeRawBufferPointer, nowMilliseconds: Int64) {
        if let other { processOther(other, line, nowMilliseconds: nowMilliseconds); return }
        guard let decoder else { return }
        if line.isEmpty { return }
        let (outcome, decodedTime) = decoder.decode(line)
        guard outcome == .matched else {
            unmatched += 1
            if let i = windows.currentPane(nowMilliseconds: nowMilliseconds) { windows[i].unmatched += 1 }
            return
        }
        matched += 1
        // An event without a time of its own happens at the newest time seen (or now).
        let time = decodedTime ?? windows.newest ?? nowMilliseconds / 1000
        let event = AccessEvent(decoder: decoder, line: line)
        for observer in observers { observer.accessEvent(event, time: time) }
        guard let i = windows.pane(for: time, nowMilliseconds: nowMilliseconds, emit: emit) else {
            late += 1
            if let j = windows.currentPane(nowMilliseconds: nowMilliseconds) { windows[j].late += 1 }
            return
        }
        windows[i].requests += 1
        if let status = event.number(statusSlot), status >= 500, status < 600 { windows[i].serverErrors += 1 }
        if let seconds = event.number(latencySlot) { windows[i].latency.add(seconds) }
        if pathSlot >= 0 {
            event.withText(pathSlot) { bytes in
                if let bytes { windows[i].paths.add(bytes) }
            }
        }
    }

    /// One line of a PostgreSQL or application input: the events it completes (a multi-line
    /// entry is emitted when the next one starts) go to the observers and their panes.
    func processOther<D: QueryEventDecoder>(_ d: D, _ line: UnsafeRawBufferPointer, nowMilliseconds: Int64) {
        if line.isEmpty { d.blank(); return }
        switch d.feed(line, { time, event, _ in self.record(event, time: time, nowMilliseconds: nowMilliseconds) }) {
        case .matched, .continuation: matched += 1
        case .unmatched, .limitExceeded:
            unmatched += 1
            if let i = windows.currentPane(nowMilliseconds: nowMilliseconds) { windows[i].unmatched += 1 }
        }
    }

    func record<E: FieldValues>(_ event: E, time decodedTime: Int64?, nowMilliseconds: Int64) {
        let time = decodedTime ?? windows.newest ?? nowMilliseconds / 1000
        for observer in observers { observer.event(event, time: time) }
        guard let i = windows.pane(for: time, nowMilliseconds: nowMilliseconds, emit: emit) else {
            late += 1
            if let j = windows.currentPane(nowMilliseconds: nowMilliseconds) { windows[j].late += 1 }
            return
        }
        paneFeed.add(event, to: &windows[i])
    }

    func finishOther<D: QueryEventDecoder>(_ d: D, nowMilliseconds: Int64) {
        d.finish { time, event, _ in self.record(event, time: time, nowMilliseconds: nowMilliseconds) }
    }

    /// Chooses the format from the sample and replays it.
    func choose(nowMilliseconds: Int64) {
        let choice = detector.choose(sample)
        guard let format = choice.format else {
            failure = .unrecognised(sampled: choice.sampled)
            return
        }
        family = format.family
        let decoded = Families.queryDecoder(for: format, zone: zone)
        // Access logs have the live view's own fields (status, latency, path) and a loop
        // compiled for their decoder; other families feed the observers and count levels.
        guard let decoder = decoded as? AccessEventDecoder else {
            let other = decoded
            self.other = other
            formatName = format.name
            if let app = other as? ApplicationEventDecoder {
                EventPaneFeed.bindKeys(app, sample: sample, rules: rules, input: format.family.rawValue)
            }
            paneFeed.bind(schema: other.schema)
            for observer in observers { observer.bind(source: format.family.rawValue, schema: other.schema) }
            let lines = sample
            sample = []
            for line in lines { line.withUnsafeBytes { process($0, nowMilliseconds: nowMilliseconds) } }
            return
        }
        self.decoder = decoder
        formatName = format.name
        statusSlot = Self.slot(decoder.schema, ["status", "response"])
        latencySlot = Self.slot(decoder.schema, ["request_time", "rt", "response_time", "duration"])
        pathSlot = Self.slot(decoder.schema, ["path", "request_uri", "uri"])
        for observer in observers { observer.bind(source: "access", schema: decoder.schema) }
        let lines = sample
        sample = []
        for line in lines { line.withUnsafeBytes { process($0, nowMilliseconds: nowMilliseconds) } }
    }

    static func slot(_ schema: FieldSchema, _ names: [String]) -> Int {
        for name in names { if let field = schema.field(named: name) { return field.slot } }
        return -1
    }

    func emit(_ window: WindowSummary) {
        for observer in observers { observer.windowClosed(window) }
    }

    /// Called when no line came for a while and on each loop turn: chooses the format from a
    /// partial sample that waited long enough, and closes panes on the wall clock.
    public func tick(nowMilliseconds: Int64) {
        if decoder == nil, other == nil, failure == nil, let first = firstSampleAtMilliseconds,
           nowMilliseconds - first >= Self.sampleWaitMilliseconds, sample.contains(where: { !$0.isEmpty }) {
            choose(nowMilliseconds: nowMilliseconds)
        }
        windows.advance(nowMilliseconds: nowMilliseconds, emit: emit)
    }

    /// The input ended: choose from what was sampled, close every pane.
    public func finish(nowMilliseconds: Int64) {
        if decoder == nil, other == nil, failure == nil, sample.contains(where: { !$0.isEmpty }) { choose(nowMilliseconds: nowMilliseconds) }
        if let other { finishOther(other, nowMilliseconds: nowMilliseconds) }
        windows.closeAll(emit: emit)
    }
}

/// Runs feeds into an engine until they end or a stop is requested, waiting on the injected
/// clock when nothing came.
public final class WatchLoop {
    let feeds: [LineFeed]
    let engine: WatchEngine
    let clock: FollowClock
    let pollMilliseconds: Int64
    /// Called after each turn of the loop (live view, state saving).
    var afterTurn: ((Int64) -> Void)?

    /// `pollMilliseconds`: how long to wait when no feed had bytes. 200 ms bounds the delay a
    /// line waits before it is read, at five stat calls a second per followed file.
    public init(feeds: [LineFeed], engine: WatchEngine, clock: FollowClock, pollMilliseconds: Int64 = 200,
                afterTurn: ((Int64) -> Void)? = nil) {
        self.feeds = feeds
        self.engine = engine
        self.clock = clock
        self.pollMilliseconds = max(1, pollMilliseconds)
        self.afterTurn = afterTurn
    }

    /// One turn: read what every feed has, then let the wall clock close panes. True when
    /// bytes came.
    @discardableResult
    public func turn() -> Bool {
        var progressed = false
        for feed in feeds {
            let now = clock.nowMilliseconds
            if feed.poll(maxReads: 64, { engine.consume($0, nowMilliseconds: now) }) { progressed = true }
        }
        let now = clock.nowMilliseconds
        engine.tick(nowMilliseconds: now)
        afterTurn?(now)
        return progressed
    }

    /// Runs until every feed ended (then closes every window), a stop was requested, or the
    /// engine failed.
    public func run() {
        while engine.failure == nil {
            let progressed = turn()
            if Interruption.isRequested { break }
            if !feeds.isEmpty && feeds.allSatisfy(\.ended) {
                engine.finish(nowMilliseconds: clock.nowMilliseconds)
                break
            }
            if !progressed && clock.wait(milliseconds: pollMilliseconds) { break }
        }
        if Interruption.isRequested { engine.finish(nowMilliseconds: clock.nowMilliseconds) }
    }
}
