import LogParsing

/// Turns the lines of application and nginx error logs into an `ApplicationAggregate`,
/// joining multi-line events (stack traces, tracebacks) to the line that started them.
///
/// ```
/// let p = ApplicationProcessor(bucketSeconds: 60, zone: .local)
/// p.begin(format: .text)
/// for line in lines { _ = p.consume(line) }
/// p.endInput()
/// p.aggregate   // levels per minute, error groups, ...
/// ```
///
/// An event's text is copied into one buffer of `maxEventBytes`, allocated once; continuation
/// lines past the cap are dropped and counted (`truncatedEvents`, `truncatedBytes`), the event
/// itself still counts. A line that starts no event is a continuation when it looks like one
/// (`ApplicationLineParser.isContinuation`) or, for formats that join any line (text, Rails,
/// nginx error), whenever an event is open, the line has no docker prefix and it does not start
/// like an event of another log (`ApplicationLineParser.looksLikeEventStart`). Blank lines
/// count as continuation lines when a continuation line follows them. A line behind a docker-compose prefix whose layout
/// is not the input's is still an event of its service (no time, level if one of its first
/// words names one). A Go crash (`panic: ...`, `fatal error: ...`, in any format) starts a
/// FATAL event at the time of the event before it, and its goroutine dump joins it. Anything
/// else is `.unmatched`.
/// With an `eventSink` (queries) each event goes to the sink instead of the aggregate.
public final class ApplicationProcessor: LineProcessor {
    public private(set) var aggregate: ApplicationAggregate
    public let maxEventBytes: Int
    var parser: ApplicationLineParser
    let buffer: UnsafeMutableRawBufferPointer
    var length = 0
    var record = ApplicationRecord()
    var scratch = ApplicationRecord()
    var open = false
    var truncated = false
    /// Receives each event instead of the aggregate (queries); nil for the report.
    public var eventSink: (any ApplicationEventSink)?

    public init(bucketSeconds: Int64, zone: ZoneRule, maxEventBytes: Int = 64 * 1024) {
        self.aggregate = ApplicationAggregate(bucketSeconds: bucketSeconds, calendar: BucketCalendar(zone: zone))
        self.maxEventBytes = Swift.max(256, maxEventBytes)
        self.parser = ApplicationLineParser(format: .text, zone: zone)
        self.buffer = .allocate(byteCount: self.maxEventBytes, alignment: 16)
    }

    deinit { buffer.deallocate() }

    public var format: ApplicationFormat { parser.format }

    /// Syslog RFC 3164's missing year is chosen relative to this (epoch seconds; default now).
    public var referenceTime: Int64 {
        get { parser.referenceTime }
        set { parser.referenceTime = newValue }
    }

    /// Starts an input of `format`. A pending event of the previous input is flushed.
    public func begin(format: ApplicationFormat) {
        finish()
        record = ApplicationRecord()
        parser.format = format
        aggregate.noteFormat(format.name)
    }

    @inline(__always)
    public func consume(_ line: UnsafeRawBufferPointer) -> LineVerdict {
        if parser.parse(line, into: &scratch) {
            finish()
            start(line, scratch)
            return .matched
        }
        let (body, service) = ApplicationLineParser.bodyStart(line)
        if ApplicationLineParser.startsGoPanic(line, from: body) {
            // A Go crash (`panic: ...`, `fatal error: ...`) writes no time: it is a FATAL event
            // at the time of the event before it; its goroutine dump joins it.
            let time = record.time
            finish()
            scratch = ApplicationRecord()
            scratch.time = time
            scratch.level = .fatal
            scratch.message = body..<line.count
            scratch.service = service
            start(line, scratch)
            return .matched
        }
        if open {
            if ApplicationLineParser.isBlank(line) {
                pendingBlanks &+= 1
                return .continuation
            }
            // Behind a docker prefix only trace-like lines join: the next line may be another
            // service's. A line that starts like another log's event (an address, a date, a
            // JSON or logfmt line with a time or level key) is not a bare continuation: it is
            // unmatched, so that a second format in the input shows instead of vanishing into
            // one event.
            if ApplicationLineParser.isContinuation(line, from: body)
                || (parser.format.joinsAnyLine && service == nil && !ApplicationLineParser.looksLikeEventStart(line, from: body)) {
                joinPendingBlanks()
                append(UnsafeRawBufferPointer(rebasing: line[body...]))
                return .continuation
            }
        }
        if parser.parseBare(line, into: &scratch) {
            finish()
            start(line, scratch)
            return .matched
        }
        return .unmatched
    }

    public func endInput() { finish() }

    /// An empty line: inside a multi-line event (a continuation line follows it) it is one of
    /// the event's lines (chained Python tracebacks are separated by blank lines).
    public func blankLine() {
        if open { pendingBlanks &+= 1 }
    }

    /// Blank lines seen since the event's last line, joined once a continuation follows them.
    var pendingBlanks = 0

    @inline(__always)
    func joinPendingBlanks() {
        while pendingBlanks > 0 {
            pendingBlanks -= 1
            append(UnsafeRawBufferPointer(start: nil, count: 0))
        }
    }

    @inline(__always)
    func start(_ line: UnsafeRawBufferPointer, _ r: ApplicationRecord) {
        let n = Swift.min(line.count, maxEventBytes)
        if n > 0 { buffer.baseAddress!.copyMemory(from: line.baseAddress!, byteCount: n) }
        length = n
        truncated = n < line.count
        if truncated { aggregate.truncatedBytes &+= UInt64(line.count - n) }
        record = r
        open = true
    }

    @inline(__always)
    func append(_ bytes: UnsafeRawBufferPointer) {
        aggregate.continuationLines &+= 1
        let room = maxEventBytes - length
        let want = bytes.count + 1
        if want <= room {
            buffer[length] = 0x0a
            if bytes.count > 0 { (buffer.baseAddress! + length + 1).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count) }
            length += want
        } else {
            if room > 0 {
                buffer[length] = 0x0a
                if room > 1 { (buffer.baseAddress! + length + 1).copyMemory(from: bytes.baseAddress!, byteCount: room - 1) }
                length = maxEventBytes
            }
            truncated = true
            aggregate.truncatedBytes &+= UInt64(want - Swift.max(room, 0))
        }
    }

    @inline(__always)
    func finish() {
        pendingBlanks = 0
        guard open else { return }
        open = false
        if let sink = eventSink {
            sink.applicationEvent(record, bytes: UnsafeRawBufferPointer(rebasing: buffer[0..<length]), truncated: truncated)
            return
        }
        if truncated { aggregate.truncatedEvents &+= 1 }
        aggregate.add(record, event: UnsafeRawBufferPointer(rebasing: buffer[0..<length]), truncated: truncated)
    }
}

/// Takes each event an `ApplicationProcessor` joins, instead of its aggregate (queries). `bytes`
/// holds the event's first line whole, then its continuation lines (each after a newline);
/// the record's ranges point into it. Lent for the call only.
public protocol ApplicationEventSink: AnyObject {
    func applicationEvent(_ record: ApplicationRecord, bytes: UnsafeRawBufferPointer, truncated: Bool)
}
