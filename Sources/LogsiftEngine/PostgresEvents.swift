import LogAggregation
import LogParsing
import LogQuery

/// PostgreSQL log entries as events for queries, one per entry (a statement with its
/// continuation lines, an error with its DETAIL/STATEMENT lines, a csvlog record with quoted
/// newlines), assembled by the report's own `PostgresProcessor` through its event sink.
///
/// Fields: `severity` (a level: DEBUG1-5 debug, LOG and INFO info, NOTICE notice, WARNING warn,
/// ERROR error, FATAL and PANIC fatal), `severity_name` (as PostgreSQL names it), `sqlstate`,
/// `user`, `database`, `application`, `client`, `pid`, `duration_ms` (the `duration: N ms` of
/// the entry), `query` (the statement's fingerprint, as the report's top statements, for
/// `statement:`/`execute …:`/`duration: … statement:` entries, and for a bare `duration: N ms`
/// the same pid's last statement logged without one, as the report pairs them), `statement` (that SQL, else the
/// entry's STATEMENT/QUERY line), `message`, `detail`, `hint`, `context`.
final class PostgresEventDecoder: QueryEventDecoder, PostgresEventSink {
    typealias Event = PostgresEventView
    enum Slot {
        static let severity = 0, severityName = 1, sqlstate = 2, user = 3, database = 4, application = 5
        static let client = 6, pid = 7, durationMS = 8, query = 9, statement = 10, message = 11
        static let detail = 12, hint = 13, context = 14, count = 15
    }

    static let schema = FieldSchema(source: "postgres", fields: [
        .init(name: "severity", kind: .level, slot: Slot.severity),
        .init(name: "severity_name", kind: .text, slot: Slot.severityName),
        .init(name: "sqlstate", kind: .text, slot: Slot.sqlstate),
        .init(name: "user", kind: .text, slot: Slot.user),
        .init(name: "database", kind: .text, slot: Slot.database),
        .init(name: "application", kind: .text, slot: Slot.application),
        .init(name: "client", kind: .text, slot: Slot.client),
        .init(name: "pid", kind: .number(.plain), slot: Slot.pid),
        .init(name: "duration_ms", kind: .number(.milliseconds), slot: Slot.durationMS),
        .init(name: "query", kind: .text, slot: Slot.query),
        .init(name: "statement", kind: .text, slot: Slot.statement),
        .init(name: "message", kind: .text, slot: Slot.message),
        .init(name: "detail", kind: .text, slot: Slot.detail),
        .init(name: "hint", kind: .text, slot: Slot.hint),
        .init(name: "context", kind: .text, slot: Slot.context),
    ])

    var schema: FieldSchema { PostgresEventDecoder.schema }

    let processor: PostgresProcessor
    var keepsRawText = false

    // The event being emitted.
    var event = PostgresEvent()
    var bytes = UnsafeRawBufferPointer(start: nil, count: 0)
    var durationMS: Double?
    var sql: Range<Int>?
    /// The fingerprint of `sql`, written when a query first reads it.
    let fingerprint: UnsafeMutableRawBufferPointer
    var fingerprintLength = -1
    /// A bare `duration: N ms` (log_duration with log_statement): the fingerprint of the same
    /// pid's last statement logged without a duration, as the report pairs them.
    var paired: Int?
    /// Per pid slot (pid modulo `PostgresProcessor.unpairedSlots`): that pid and its last
    /// statement's fingerprint; the arrays keep their capacity, so steady state allocates nothing.
    var unpairedPids: [Int]
    var unpairedFingerprints: [[UInt8]]

    // The raw lines of the open event (only when `keepsRawText`), capped like the processor's.
    let raw: UnsafeMutableRawBufferPointer
    var rawUsed = 0
    var line = UnsafeRawBufferPointer(start: nil, count: 0)
    var startsBefore: UInt64 = 0
    var lineTaken = false
    var emitter: Emit?

    /// Probes single lines for `--since`/`--until` (stderr logs only).
    let probe: PostgresLineTime?
    var timesSingleLines: Bool { probe != nil }
    func lineTime(_ line: UnsafeRawBufferPointer) -> Int64? { probe?.time(line) }

    init(format: PostgresFormat, zone: ZoneRule, maxEventBytes: Int = 64 * 1024) {
        probe = PostgresLineTime(format: format, zone: zone)
        processor = PostgresProcessor(format: format, bucketSeconds: 60, zone: zone, maxEventBytes: maxEventBytes)
        fingerprint = .allocate(byteCount: SQLFingerprint.maxLength, alignment: 8)
        raw = .allocate(byteCount: processor.maxEventBytes, alignment: 8)
        unpairedPids = [Int](repeating: -1, count: PostgresEventDecoder.pidSlots)
        unpairedFingerprints = [[UInt8]](repeating: [], count: PostgresEventDecoder.pidSlots)
        processor.eventSink = self
    }

    deinit {
        fingerprint.deallocate()
        raw.deallocate()
    }

    func feed(_ line: UnsafeRawBufferPointer, _ emit: Emit) -> LineVerdict {
        self.line = line
        startsBefore = processor.eventsStarted
        lineTaken = false
        let verdict = withoutActuallyEscaping(emit) { emit in
            emitter = emit
            defer { emitter = nil }
            return processor.consume(line)
        }
        // The line belongs to the open event unless an event that began on it was emitted.
        if keepsRawText, !lineTaken, verdict == .matched || verdict == .continuation {
            if verdict == .matched, processor.eventsStarted != startsBefore { rawUsed = 0 }
            appendRaw(line)
        }
        return verdict
    }

    func finish(_ emit: Emit) {
        line = UnsafeRawBufferPointer(start: nil, count: 0)
        startsBefore = processor.eventsStarted
        withoutActuallyEscaping(emit) { emit in
            emitter = emit
            defer { emitter = nil }
            processor.endInput()
        }
        rawUsed = 0
    }

    func appendRaw(_ bytes: UnsafeRawBufferPointer) {
        if rawUsed > 0, rawUsed < raw.count { raw[rawUsed] = 10; rawUsed += 1 }
        let n = Swift.min(bytes.count, raw.count - rawUsed)
        if n > 0 { (raw.baseAddress! + rawUsed).copyMemory(from: bytes.baseAddress!, byteCount: n) }
        rawUsed += n
    }

    func postgresEvent(_ event: PostgresEvent, bytes: UnsafeRawBufferPointer, truncated: Bool) {
        self.event = event
        self.bytes = bytes
        fingerprintLength = -1
        durationMS = nil
        sql = nil
        paired = nil
        let m = event.message
        var bare = false
        if let (ms, rest) = PostgresProcessor.duration(bytes, m) {
            durationMS = ms
            sql = PostgresProcessor.statementSQL(bytes, rest)
            bare = rest.isEmpty
        } else {
            sql = PostgresProcessor.statementSQL(bytes, m)
        }
        if event.pid >= 0 {
            let k = event.pid % PostgresEventDecoder.pidSlots
            if bare {
                if unpairedPids[k] == event.pid { paired = k }
            } else if sql != nil {
                if durationMS == nil, let fp = queryFingerprint() {
                    unpairedPids[k] = event.pid
                    unpairedFingerprints[k].removeAll(keepingCapacity: true)
                    unpairedFingerprints[k].append(contentsOf: fp)
                } else if unpairedPids[k] == event.pid {
                    unpairedPids[k] = -1
                }
            }
        }
        var text = UnsafeRawBufferPointer(start: nil, count: 0)
        if keepsRawText {
            // An event that began on the line being read (csvlog, jsonlog) holds that line;
            // one that began earlier (stderr, syslog) ends before it.
            if processor.eventsStarted != startsBefore, line.baseAddress != nil {
                appendRaw(line)
                lineTaken = true
            }
            text = UnsafeRawBufferPointer(start: raw.baseAddress, count: rawUsed)
        }
        emitter?(event.time, PostgresEventView(decoder: self), text)
        rawUsed = 0
        // A statement is paired with one duration only.
        if let k = paired { unpairedPids[k] = -1 }
    }

    static let pidSlots = 256

    /// The fingerprint of the event's statement, written once per event.
    func queryFingerprint() -> UnsafeRawBufferPointer? {
        if sql == nil, let k = paired {
            return unpairedFingerprints[k].withUnsafeBytes { b in
                // Copied into the fingerprint buffer, so the bytes outlive this closure.
                fingerprint.copyMemory(from: b)
                return UnsafeRawBufferPointer(rebasing: fingerprint[0..<b.count])
            }
        }
        guard let sql else { return nil }
        if fingerprintLength < 0 { fingerprintLength = SQLFingerprint.write(bytes, sql, into: fingerprint) }
        return UnsafeRawBufferPointer(rebasing: fingerprint[0..<fingerprintLength])
    }

    static func level(_ s: PostgresSeverity) -> ApplicationLevel {
        switch s {
        case .debug: return .debug
        case .log, .info: return .info
        case .notice: return .notice
        case .warning: return .warn
        case .error: return .error
        case .fatal, .panic: return .fatal
        default: return .unknown
        }
    }

    static let severityNames: [[UInt8]] = [
        "UNKNOWN", "DEBUG", "INFO", "NOTICE", "WARNING", "LOG", "ERROR", "FATAL", "PANIC",
        "DETAIL", "HINT", "CONTEXT", "STATEMENT", "QUERY", "LOCATION",
    ].map { Array($0.utf8) }
}

/// The entry a `PostgresEventDecoder` is emitting, as a query reads it.
struct PostgresEventView: FieldValues {
    let decoder: PostgresEventDecoder

    func withText<R>(_ slot: Int, _ body: (UnsafeRawBufferPointer?) -> R) -> R {
        let e = decoder.event
        let range: Range<Int>?
        typealias S = PostgresEventDecoder.Slot
        switch slot {
        case S.sqlstate: range = e.sqlstate
        case S.user: range = e.user
        case S.database: range = e.database
        case S.application: range = e.application
        case S.client: range = e.client
        case S.message: range = e.message
        case S.detail: range = e.detail
        case S.hint: range = e.hint
        case S.context: range = e.context
        case S.statement: range = decoder.sql ?? e.statement
        case S.query: return body(decoder.queryFingerprint())
        case S.severityName:
            return PostgresEventDecoder.severityNames[Int(e.severity.rawValue)].withUnsafeBytes { body($0) }
        case S.severity:
            return e.severity == .unknown ? body(nil) : FieldText.withLevel(PostgresEventDecoder.level(e.severity), body)
        case S.pid:
            guard e.pid >= 0 else { return body(nil) }
            return FieldText.withNumber(Double(e.pid), body)
        case S.durationMS:
            guard let ms = decoder.durationMS else { return body(nil) }
            return FieldText.withNumber(ms, body)
        default: range = nil
        }
        guard let r = range, r.upperBound <= decoder.bytes.count else { return body(nil) }
        return body(UnsafeRawBufferPointer(rebasing: decoder.bytes[r]))
    }

    func number(_ slot: Int) -> Double? {
        switch slot {
        case PostgresEventDecoder.Slot.pid: return decoder.event.pid >= 0 ? Double(decoder.event.pid) : nil
        case PostgresEventDecoder.Slot.durationMS: return decoder.durationMS
        default: return nil
        }
    }

    func level(_ slot: Int) -> ApplicationLevel? {
        guard slot == PostgresEventDecoder.Slot.severity, decoder.event.severity != .unknown else { return nil }
        return PostgresEventDecoder.level(decoder.event.severity)
    }
}
