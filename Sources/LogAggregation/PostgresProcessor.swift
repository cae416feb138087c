#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LogParsing
import PCRE2

/// Turns the lines of PostgreSQL logs (stderr with any prefix, csvlog, jsonlog) into a
/// `PostgresAggregate`.
///
/// Events: a header line (prefix + `SEVERITY:  message`) starts one; tab-led lines continue it
/// (multi-line SQL, autovacuum details); `DETAIL`/`HINT`/`CONTEXT`/`STATEMENT`/`QUERY`/`LOCATION`
/// lines of the same pid (when the prefix has `%p`) join it; csvlog records with quoted newlines
/// are joined before being read. Whatever is kept is copied into buffers allocated once
/// (`maxEventBytes` each); an event longer than that is cut and counted in
/// `aggregate.truncatedEvents`. Nothing is allocated per line in steady state, except when a
/// query becomes its fingerprint's slowest example (its text is then kept as a `String`).
///
/// One instance per worker; `begin(format:)` before each input, `endInput()` after it.
///
/// With an `eventSink` (queries), each assembled event goes to the sink instead of the
/// aggregate: the same line splitting and joining, no second parser.
public final class PostgresProcessor: LineProcessor {
    public var aggregate: PostgresAggregate
    public private(set) var format: PostgresFormat
    public let maxEventBytes: Int
    var zone: ZoneRule
    var stderrParser: PostgresStderrParser
    var syslogParser: PostgresSyslogParser
    /// Cloud SQL's `textPayload`: `[pid]: [n-1] db=…,user=… SEVERITY:  …`, else a bare severity.
    let payloadParsers: [PostgresStderrParser]
    var zoneCache = PostgresTime.ZoneCache()

    // The pending event, in `event` (bytes) with ranges in `current`.
    let event: UnsafeMutablePointer<UInt8>
    var used = 0
    var pending = false
    var truncated = false
    var current = Event()
    typealias Event = PostgresEvent
    /// Receives each event instead of the aggregate (queries); nil for the report.
    public var eventSink: (any PostgresEventSink)? {
        didSet { keepsConnection = eventSink != nil }
    }
    /// Application and client are kept only for a sink (the report does not read them).
    var keepsConnection = false
    /// Events started so far: a sink tells by it whether the event it gets began on the line
    /// being consumed (csvlog, jsonlog) or on an earlier one (stderr, syslog).
    public private(set) var eventsStarted: UInt64 = 0

    // A csvlog record spanning lines.
    let record: UnsafeMutablePointer<UInt8>
    var recordUsed = 0
    var recordOpen = false
    var recordTruncated = false

    /// Decoded JSON strings (textPayload) and fingerprints / templates.
    let scratch: UnsafeMutablePointer<UInt8>
    let fingerprint: UnsafeMutableRawBufferPointer
    let fields: UnsafeMutableBufferPointer<Range<Int>>

    /// The last statement logged without a duration, per pid slot, so that a later
    /// `duration: N ms` line of the same pid (log_statement + log_duration) gives it its time.
    struct Unpaired {
        var pid = -1
        var index = -1
        var evictions: UInt64 = 0
    }
    let unpaired: UnsafeMutableBufferPointer<Unpaired>
    static let unpairedSlots = 256

    /// A lock wait whose `still waiting` line was read and whose end (`acquired …`, `detected
    /// deadlock while waiting …`, `failed to acquire …`) was not yet, per process-number slot
    /// (`unpairedSlots` of them): its length so far in seconds, nil when the line gave none.
    struct OpenWait {
        var pid = -1
        var seconds: Double? = nil
    }
    let openWaits: UnsafeMutableBufferPointer<OpenWait>

    public init(format: PostgresFormat, bucketSeconds: Int64, zone: ZoneRule, maxEventBytes: Int = 64 * 1024) {
        self.aggregate = PostgresAggregate(bucketSeconds: bucketSeconds, maxBuckets: PostgresAggregate.defaultMaxBuckets,
                                           calendar: BucketCalendar(zone: zone))
        self.format = format
        self.zone = zone
        self.maxEventBytes = Swift.max(1024, maxEventBytes)
        self.stderrParser = PostgresStderrParser(pattern: PostgresProcessor.pattern(for: format))
        self.syslogParser = PostgresSyslogParser(pattern: PostgresProcessor.pattern(for: format))
        self.payloadParsers = ["[%p]: [%l-1] db=%d,user=%u ", "[%p]: [%l-1] ", ""].map {
            PostgresStderrParser(pattern: try! PostgresPrefixPattern(prefix: $0))
        }
        event = .allocate(capacity: self.maxEventBytes)
        record = .allocate(capacity: self.maxEventBytes)
        scratch = .allocate(capacity: self.maxEventBytes)
        fingerprint = .allocate(byteCount: SQLFingerprint.maxLength, alignment: 8)
        fields = .allocate(capacity: 32)
        fields.initialize(repeating: 0..<0)
        unpaired = .allocate(capacity: PostgresProcessor.unpairedSlots)
        unpaired.initialize(repeating: Unpaired())
        openWaits = .allocate(capacity: PostgresProcessor.unpairedSlots)
        openWaits.initialize(repeating: OpenWait())
    }

    deinit {
        event.deallocate()
        record.deallocate()
        scratch.deallocate()
        fingerprint.deallocate()
        fields.deallocate()
        unpaired.deallocate()
        openWaits.deallocate()
    }

    static func pattern(for format: PostgresFormat) -> PostgresPrefixPattern {
        if case .stderr(let prefix) = format, let p = try? PostgresPrefixPattern(prefix: prefix) { return p }
        if case .syslog(let prefix) = format, let p = try? PostgresPrefixPattern(prefix: prefix) { return p }
        return try! PostgresPrefixPattern(prefix: "")
    }

    /// Sets the format of the next input (the same processor serves several inputs).
    public func begin(format: PostgresFormat) {
        flush()
        if format != self.format {
            if case .stderr = format { stderrParser = PostgresStderrParser(pattern: PostgresProcessor.pattern(for: format)) }
            if case .syslog = format { syslogParser = PostgresSyslogParser(pattern: PostgresProcessor.pattern(for: format)) }
        }
        self.format = format
        recordUsed = 0
        recordOpen = false
        recordTruncated = false
    }

    public func endInput() {
        if recordOpen { recordOpen = false; processRecord() }
        flush()
        // Waits whose end is not in this input last at least what their `still waiting` said.
        for k in openWaits.indices { closeWait(k) }
        var doubtful = zoneCache.takeDoubtful()
        for parser in [stderrParser, syslogParser.inner] + payloadParsers {
            AbbreviationUse.merge(parser.takeDoubtfulAbbreviations(), into: &doubtful)
        }
        AbbreviationUse.merge(doubtful, into: &aggregate.doubtfulAbbreviations)
    }

    public func consume(_ line: UnsafeRawBufferPointer) -> LineVerdict {
        switch format {
        case .stderr: return consumeStderr(line)
        case .csvlog: return consumeCSV(line)
        case .jsonlog: return consumeJSON(line)
        case .syslog: return consumeSyslog(line)
        }
    }

    // MARK: - syslog

    func consumeSyslog(_ line: UnsafeRawBufferPointer) -> LineVerdict {
        var header = PostgresHeader()
        switch syslogParser.parse(line, zone: &zone, into: &header) {
        case .header:
            if header.timeUnreadable { flush(); return .unmatched }
            aggregate.lines &+= 1
            return entry(line, header)
        case .continuation(let text, let newLine):
            aggregate.lines &+= 1
            if pending {
                if newLine {
                    // `#011` is the tab PostgreSQL put after the newline.
                    _ = copy(line, text.lowerBound..<text.lowerBound, newline: true)
                    if used < maxEventBytes { event[used] = 9; used += 1 } else { truncated = true }
                }
                extend(to: copy(line, text, newline: false).upperBound)
            }
            return .continuation
        case .limitExceeded:
            return .limitExceeded
        case .noMatch:
            return line.count == 0 ? .continuation : .unmatched
        }
    }

    /// Extends the last range of the pending event to `end` (bytes just appended).
    func extend(to end: Int) {
        switch current.last {
        case .detail: current.detail = current.detail.map { $0.lowerBound..<end }
        case .hint: current.hint = current.hint.map { $0.lowerBound..<end }
        case .context: current.context = current.context.map { $0.lowerBound..<end }
        case .statement, .query: current.statement = current.statement.map { $0.lowerBound..<end }
        default: current.message = current.message.lowerBound..<end
        }
    }

    // MARK: - stderr

    @inline(__always)
    func consumeStderr(_ line: UnsafeRawBufferPointer) -> LineVerdict {
        // Tab-led (as PostgreSQL writes them), or space-led / empty when a statement was edited.
        // Empty lines (PostgreSQL writes none, but pasted or edited logs have them) are passed over.
        if line.count == 0 { return .continuation }
        if line[0] == 9 || line[0] == 32 {
            aggregate.lines &+= 1
            if pending { continuation(line) }
            return .continuation
        }
        var header = PostgresHeader()
        switch stderrParser.parse(line, zone: &zone, into: &header) {
        case .matched:
            // An impossible time: no event; its continuation lines join none.
            if header.timeUnreadable { flush(); return .unmatched }
            aggregate.lines &+= 1
            return entry(line, header)
        case .limitExceeded:
            return .limitExceeded
        default:
            return .unmatched
        }
    }

    /// A header line (or a JSON record's payload) read into `header`: starts an event or joins
    /// the pending one.
    @inline(__always)
    func entry(_ b: UnsafeRawBufferPointer, _ header: PostgresHeader) -> LineVerdict {
        if header.severity.isSecondary, pending, header.pid < 0 || header.pid == current.pid {
            let r = copy(b, header.message, newline: false)
            switch header.severity {
            case .detail: current.detail = r
            case .hint: current.hint = r
            case .context: current.context = r
            case .statement, .query: current.statement = r
            default: break
            }
            current.last = header.severity
            return .continuation
        }
        flush()
        start(header.time, header.pid, header.severity)
        current.user = header.user.map { copy(b, $0, newline: false) }
        current.database = header.database.map { copy(b, $0, newline: false) }
        current.sqlstate = header.sqlstate.map { copy(b, $0, newline: false) }
        if keepsConnection {
            current.application = header.application.map { copy(b, $0, newline: false) }
            current.client = header.host.map { copy(b, $0, newline: false) }
        }
        var message = header.message
        // log_error_verbosity = verbose: `ERROR:  42P01: relation … does not exist`
        if message.count > 7, b[message.lowerBound + 5] == UInt8(ascii: ":"), b[message.lowerBound + 6] == 32,
           PostgresProcessor.isSQLState(b, message.lowerBound) {
            if current.sqlstate == nil { current.sqlstate = copy(b, message.lowerBound..<(message.lowerBound + 5), newline: false) }
            message = (message.lowerBound + 7)..<message.upperBound
        }
        current.message = copy(b, message, newline: false)
        return .matched
    }

    @inline(__always)
    func start(_ time: Int64?, _ pid: Int, _ severity: PostgresSeverity) {
        used = 0
        truncated = false
        current = Event()
        eventsStarted &+= 1
        current.time = time
        current.pid = pid
        current.severity = severity
        pending = true
    }

    /// Copies `b[range]` to the end of the event buffer (cut at the cap) and returns where it is.
    @inline(__always)
    func copy(_ b: UnsafeRawBufferPointer, _ range: Range<Int>, newline: Bool) -> Range<Int> {
        let start = used
        if newline {
            guard used < maxEventBytes else { truncated = true; return start..<used }
            event[used] = 10
            used += 1
        }
        var n = range.count
        if used + n > maxEventBytes { n = maxEventBytes - used; truncated = true }
        if n > 0 { (event + used).update(from: b.baseAddress!.assumingMemoryBound(to: UInt8.self) + range.lowerBound, count: n) }
        used += n
        return start..<used
    }

    /// A tab-led line: extends the last range of the pending event (which ends the buffer).
    @inline(__always)
    func continuation(_ line: UnsafeRawBufferPointer) {
        let r = copy(line, 0..<line.count, newline: true)
        switch current.last {
        case .detail: current.detail = current.detail.map { $0.lowerBound..<r.upperBound }
        case .hint: current.hint = current.hint.map { $0.lowerBound..<r.upperBound }
        case .context: current.context = current.context.map { $0.lowerBound..<r.upperBound }
        case .statement, .query: current.statement = current.statement.map { $0.lowerBound..<r.upperBound }
        default: current.message = current.message.lowerBound..<r.upperBound
        }
    }

    @inline(__always)
    static func isSQLState(_ b: UnsafeRawBufferPointer, _ at: Int) -> Bool {
        var digits = 0
        for i in at..<(at + 5) {
            let c = b[i]
            if c >= 48 && c <= 57 { digits += 1 } else if !(c >= 65 && c <= 90) { return false }
        }
        return digits >= 2
    }

    // MARK: - csvlog

    func consumeCSV(_ line: UnsafeRawBufferPointer) -> LineVerdict {
        if recordOpen {
            aggregate.lines &+= 1
            appendRecord(line, newline: true)
            recordOpen = PostgresCSV.quoteParity(line, open: true)
            if !recordOpen { processRecord() }
            return .continuation
        }
        guard PostgresCSV.looksLikeRecordStart(line) else { return .unmatched }
        aggregate.lines &+= 1
        if PostgresCSV.quoteParity(line, open: false) {
            recordUsed = 0
            recordTruncated = false
            appendRecord(line, newline: false)
            recordOpen = true
        } else {
            readRecord(line)
        }
        return .matched
    }

    func appendRecord(_ line: UnsafeRawBufferPointer, newline: Bool) {
        if newline, recordUsed < maxEventBytes { record[recordUsed] = 10; recordUsed += 1 }
        var n = line.count
        if recordUsed + n > maxEventBytes { n = maxEventBytes - recordUsed; recordTruncated = true }
        if n > 0 { (record + recordUsed).update(from: line.baseAddress!.assumingMemoryBound(to: UInt8.self), count: n) }
        recordUsed += n
    }

    func processRecord() {
        readRecord(UnsafeRawBufferPointer(start: record, count: recordUsed))
        if recordTruncated { truncated = true }
        recordUsed = 0
        recordTruncated = false
    }

    /// Reads one complete csvlog record; the event is complete at once.
    func readRecord(_ b: UnsafeRawBufferPointer) {
        let n = PostgresCSV.split(b, 0..<b.count, into: fields)
        guard n > PostgresCSV.Column.message else { return }
        func unquoted(_ r: Range<Int>) -> Range<Int> {
            if r.count >= 2, b[r.lowerBound] == UInt8(ascii: "\""), b[r.upperBound - 1] == UInt8(ascii: "\"") {
                return (r.lowerBound + 1)..<(r.upperBound - 1)
            }
            return r
        }
        flush()
        let time = PostgresTime.parse(b, unquoted(fields[PostgresCSV.Column.time]), zone: &zone, cache: &zoneCache)
        let pid = ByteParsing.integer(b, unquoted(fields[PostgresCSV.Column.pid])) ?? -1
        let severity = PostgresSeverity.read(b, unquoted(fields[PostgresCSV.Column.severity]))
        start(time, pid, severity)
        func field(_ c: Int) -> Range<Int>? {
            guard c < n, !fields[c].isEmpty else { return nil }
            let start = used
            let k = PostgresCSV.unquote(b, fields[c], into: event + used, capacity: maxEventBytes - used)
            if k == maxEventBytes - used, k < fields[c].count - 2 { truncated = true }
            used += k
            return start..<used
        }
        current.user = field(PostgresCSV.Column.user)
        current.database = field(PostgresCSV.Column.database)
        current.sqlstate = field(PostgresCSV.Column.sqlstate)
        current.message = field(PostgresCSV.Column.message) ?? used..<used
        current.detail = field(PostgresCSV.Column.detail)
        current.hint = field(PostgresCSV.Column.hint)
        current.context = field(PostgresCSV.Column.context)
        current.statement = field(PostgresCSV.Column.query)
        if keepsConnection {
            current.application = field(PostgresCSV.Column.application)
            current.client = field(PostgresCSV.Column.host)
        }
        flush()
    }

    // MARK: - jsonlog

    func consumeJSON(_ b: UnsafeRawBufferPointer) -> LineVerdict {
        var time: Range<Int>? = nil, user: Range<Int>? = nil, database: Range<Int>? = nil
        var pid: Range<Int>? = nil, severity: Range<Int>? = nil, sqlstate: Range<Int>? = nil
        var message: Range<Int>? = nil, detail: Range<Int>? = nil, hint: Range<Int>? = nil
        var context: Range<Int>? = nil, statement: Range<Int>? = nil, payload: Range<Int>? = nil
        var application: Range<Int>? = nil, client: Range<Int>? = nil
        let isObject = PostgresJSON.scan(b) { key, value, _ in
            guard key.count >= 3 else { return }
            switch b[key.lowerBound] {
            case UInt8(ascii: "t"):
                if PostgresJSON.keyIs(b, key, "timestamp") { time = value }
                else if PostgresJSON.keyIs(b, key, "textPayload") { payload = value }
            case UInt8(ascii: "a"):
                if PostgresJSON.keyIs(b, key, "application_name") { application = value }
            case UInt8(ascii: "r"):
                if PostgresJSON.keyIs(b, key, "remote_host") { client = value }
            case UInt8(ascii: "l"):
                if PostgresJSON.keyIs(b, key, "log_time") { time = value }
            case UInt8(ascii: "u"):
                if PostgresJSON.keyIs(b, key, "user") || PostgresJSON.keyIs(b, key, "user_name") { user = value }
            case UInt8(ascii: "d"):
                if PostgresJSON.keyIs(b, key, "dbname") || PostgresJSON.keyIs(b, key, "database_name") { database = value }
                else if PostgresJSON.keyIs(b, key, "detail") { detail = value }
            case UInt8(ascii: "p"):
                if PostgresJSON.keyIs(b, key, "pid") || PostgresJSON.keyIs(b, key, "process_id") { pid = value }
            case UInt8(ascii: "e"):
                if PostgresJSON.keyIs(b, key, "error_severity") { severity = value }
            case UInt8(ascii: "s"):
                if PostgresJSON.keyIs(b, key, "state_code") || PostgresJSON.keyIs(b, key, "sql_state_code") { sqlstate = value }
                else if PostgresJSON.keyIs(b, key, "statement") { statement = value }
            case UInt8(ascii: "q"):
                if PostgresJSON.keyIs(b, key, "query") { statement = value }
            case UInt8(ascii: "m"):
                if PostgresJSON.keyIs(b, key, "message") { message = value }
            case UInt8(ascii: "h"):
                if PostgresJSON.keyIs(b, key, "hint") { hint = value }
            case UInt8(ascii: "c"):
                if PostgresJSON.keyIs(b, key, "context") { context = value }
            default: break
            }
        }
        guard isObject else { return .unmatched }
        aggregate.lines &+= 1
        let eventTime = time.flatMap { PostgresTime.parse(b, $0, zone: &zone, cache: &zoneCache) }
        if let payload, severity == nil {
            // Cloud SQL: a stderr-style line in textPayload.
            let n = PostgresJSON.unescape(b, payload, into: scratch, capacity: maxEventBytes)
            let text = UnsafeRawBufferPointer(start: scratch, count: n)
            var header = PostgresHeader()
            for parser in payloadParsers where parser.parse(text, zone: &zone, into: &header) == .matched {
                header.time = eventTime
                return entry(text, header)
            }
            return .matched
        }
        guard let severity else { return .matched }
        flush()
        start(eventTime, pid.flatMap { ByteParsing.integer(b, $0) } ?? -1, PostgresSeverity.read(b, severity))
        func decoded(_ r: Range<Int>?) -> Range<Int>? {
            guard let r else { return nil }
            let start = used
            let k = PostgresJSON.unescape(b, r, into: event + used, capacity: maxEventBytes - used)
            if maxEventBytes - used - k < 4 { truncated = true }
            used += k
            return start..<used
        }
        current.user = decoded(user)
        current.database = decoded(database)
        current.sqlstate = decoded(sqlstate)
        current.message = decoded(message) ?? used..<used
        current.detail = decoded(detail)
        current.hint = decoded(hint)
        current.context = decoded(context)
        current.statement = decoded(statement)
        if keepsConnection {
            current.application = decoded(application)
            current.client = decoded(client)
        }
        flush()
        return .matched
    }

    // MARK: - Reading an event

    /// Analyses the pending event, if any.
    func flush() {
        guard pending else { return }
        pending = false
        let b = UnsafeRawBufferPointer(start: event, count: used)
        if let sink = eventSink {
            sink.postgresEvent(current, bytes: b, truncated: truncated)
            return
        }
        analyse(b)
    }

    @inline(__always)
    static func hasPrefix(_ b: UnsafeRawBufferPointer, _ r: Range<Int>, _ s: StaticString, at offset: Int = 0) -> Bool {
        let n = s.utf8CodeUnitCount
        guard r.count - offset >= n else { return false }
        return memcmp(b.baseAddress! + r.lowerBound + offset, s.utf8Start, n) == 0
    }

    /// Index of the first `s` in `b[r]`, or nil.
    @inline(__always)
    static func find(_ b: UnsafeRawBufferPointer, _ r: Range<Int>, _ s: StaticString) -> Int? {
        guard r.count >= s.utf8CodeUnitCount else { return nil }
        let n = s.utf8CodeUnitCount
        let first = s.utf8Start[0]
        var i = r.lowerBound
        let last = r.upperBound - n
        while i <= last {
            if b[i] == first, memcmp(b.baseAddress! + i, s.utf8Start, n) == 0 { return i }
            i += 1
        }
        return nil
    }

    /// A decimal starting at `at` (digits and one dot).
    @inline(__always)
    static func number(_ b: UnsafeRawBufferPointer, _ at: Int, _ end: Int) -> (Double, Int)? {
        var j = at
        while j < end, (b[j] >= 48 && b[j] <= 57) || b[j] == UInt8(ascii: ".") { j += 1 }
        guard j > at, let v = ByteParsing.decimal(b, at..<j) else { return nil }
        return (v, j)
    }

    @inline(__always)
    func hasPrefix(_ b: UnsafeRawBufferPointer, _ r: Range<Int>, _ s: StaticString, at offset: Int = 0) -> Bool {
        PostgresProcessor.hasPrefix(b, r, s, at: offset)
    }

    @inline(__always)
    func find(_ b: UnsafeRawBufferPointer, _ r: Range<Int>, _ s: StaticString) -> Int? { PostgresProcessor.find(b, r, s) }

    @inline(__always)
    func number(_ b: UnsafeRawBufferPointer, _ at: Int, _ end: Int) -> (Double, Int)? { PostgresProcessor.number(b, at, end) }

    func text(_ b: UnsafeRawBufferPointer, _ r: Range<Int>?) -> String? {
        r.map { String(decoding: UnsafeRawBufferPointer(rebasing: b[$0]), as: UTF8.self) }
    }

    func analyse(_ b: UnsafeRawBufferPointer) {
        let e = current
        aggregate.events &+= 1
        if truncated { aggregate.truncatedEvents &+= 1 }
        aggregate.severities[Int(e.severity.rawValue)] &+= 1
        let slot = aggregate.bucket(e.time)
        if let slot { aggregate.series[slot].events &+= 1 }
        let m = e.message
        if e.severity.isError {
            error(b, e, slot)
            return
        }
        guard m.count >= 8 else { return }
        switch b[m.lowerBound] {
        case UInt8(ascii: "d"):
            if hasPrefix(b, m, "duration: ") { duration(b, e, slot) }
            else if hasPrefix(b, m, "disconnection: session time: ") { disconnection(b, m, slot) }
        case UInt8(ascii: "s"), UInt8(ascii: "e"):
            if let sql = PostgresProcessor.statementSQL(b, m) { query(b, e, sql, seconds: nil, slot) }
        case UInt8(ascii: "c"):
            if hasPrefix(b, m, "connection received: ") {
                aggregate.connectionsReceived &+= 1
            } else if hasPrefix(b, m, "connection authorized: ") {
                authorized(b, m, slot)
            } else if hasPrefix(b, m, "checkpoint starting: ") {
                aggregate.checkpointsStarted &+= 1
            } else if hasPrefix(b, m, "checkpoint complete: ") {
                checkpoint(b, m, slot)
            }
        case UInt8(ascii: "r"):
            if hasPrefix(b, m, "restartpoint complete: ") { checkpoint(b, m, slot) }
            else if hasPrefix(b, m, "restartpoint starting: ") { aggregate.checkpointsStarted &+= 1 }
        case UInt8(ascii: "a"):
            if hasPrefix(b, m, "automatic ") { maintenance(b, m, slot) }
        case UInt8(ascii: "t"):
            if hasPrefix(b, m, "temporary file: ") { tempFile(b, m, slot) }
        case UInt8(ascii: "p"):
            if hasPrefix(b, m, "process ") { lockWait(b, m, slot) }
        default: break
        }
    }

    /// `duration: N ms  statement: …` / `execute <name>: …` / `parse …` / `bind …` / nothing.
    func duration(_ b: UnsafeRawBufferPointer, _ e: Event, _ slot: Int?) {
        guard let (ms, rest) = PostgresProcessor.duration(b, e.message) else { return }
        let seconds = ms / 1000
        if rest.isEmpty { pairDuration(e, seconds: seconds, slot); return }
        if hasPrefix(b, rest, "statement: ") || hasPrefix(b, rest, "execute ") {
            guard let sql = PostgresProcessor.statementSQL(b, rest) else { return }
            query(b, e, sql, seconds: seconds, slot)
        } else if hasPrefix(b, rest, "parse ") {
            aggregate.parseSteps.add(seconds)
        } else if hasPrefix(b, rest, "bind ") {
            aggregate.bindSteps.add(seconds)
        }
    }

    /// One execution of the statement `sql` (a range of `b`), with its duration if logged.
    @inline(__always)
    func query(_ b: UnsafeRawBufferPointer, _ e: Event, _ sql: Range<Int>, seconds: Double?, _ slot: Int?) {
        let n = SQLFingerprint.write(b, sql, into: fingerprint)
        let key = UnsafeRawBufferPointer(rebasing: fingerprint[0..<n])
        let index = aggregate.queryTable.index(key)
        aggregate.queryTypes[PostgresProcessor.type(key).rawValue] &+= 1
        if let db = e.database {
            let d = aggregate.queriesByDatabase.index(UnsafeRawBufferPointer(rebasing: b[db]))
            aggregate.queriesByDatabase[d].count &+= 1
        }
        guard let seconds else {
            aggregate.queryTable[index].unmeasured &+= 1
            aggregate.unmeasuredQueries &+= 1
            if e.pid >= 0 {
                unpaired[e.pid % PostgresProcessor.unpairedSlots] =
                    Unpaired(pid: e.pid, index: index, evictions: aggregate.queryTable.evictedKeys)
            }
            return
        }
        if e.pid >= 0 { unpaired[e.pid % PostgresProcessor.unpairedSlots].pid = -1 }
        measured(index, e, seconds: seconds, slot)
        let isSlowest = aggregate.queryTable[index].slowest.map { PostgresExample.ranks(seconds: seconds, time: e.time, above: $0) } ?? true
        let isAmongSlowest = aggregate.isAmongSlowest(seconds, time: e.time)
        if isSlowest || isAmongSlowest {
            var parameters: String? = nil
            if let d = e.detail, hasPrefix(b, d, "parameters: ") { parameters = text(b, (d.lowerBound + 12)..<d.upperBound) }
            let example = PostgresExample(
                seconds: seconds, time: e.time, query: text(b, sql) ?? "", parameters: parameters,
                database: text(b, e.database), user: text(b, e.user))
            if isSlowest { aggregate.queryTable[index].slowest = example }
            if isAmongSlowest { aggregate.keepSlowest(example) }
        }
    }

    @inline(__always)
    func measured(_ index: Int, _ e: Event, seconds: Double, _ slot: Int?) {
        aggregate.queries &+= 1
        aggregate.queryDuration.add(seconds)
        if let slot {
            aggregate.series[slot].queries &+= 1
            aggregate.series[slot].duration.add(seconds)
        }
        aggregate.queryTable[index].calls &+= 1
        aggregate.queryTable[index].duration.add(seconds)
    }

    /// `duration: N ms` alone: the time of the same pid's last statement logged without one.
    func pairDuration(_ e: Event, seconds: Double, _ slot: Int?) {
        guard e.pid >= 0 else { aggregate.durationOnly &+= 1; return }
        let u = unpaired[e.pid % PostgresProcessor.unpairedSlots]
        guard u.pid == e.pid, u.evictions == aggregate.queryTable.evictedKeys, u.index < aggregate.queryTable.count,
              aggregate.queryTable[u.index].unmeasured > 0 else {
            aggregate.durationOnly &+= 1
            return
        }
        unpaired[e.pid % PostgresProcessor.unpairedSlots].pid = -1
        aggregate.queryTable[u.index].unmeasured -= 1
        aggregate.unmeasuredQueries -= 1
        measured(u.index, e, seconds: seconds, slot)
        if aggregate.queryTable[u.index].slowest.map({ seconds > $0.seconds }) ?? true {
            aggregate.queryTable[u.index].slowest = PostgresExample(
                seconds: seconds, time: e.time, query: aggregate.queryTable.key(at: u.index), parameters: nil,
                database: nil, user: nil)
        }
    }

    static func type(_ fp: UnsafeRawBufferPointer) -> PostgresQueryType {
        var end = 0
        while end < fp.count, end < 12, fp[end] >= 97, fp[end] <= 122 { end += 1 }
        let word = UnsafeRawBufferPointer(rebasing: fp[0..<end])
        func isWord(_ s: StaticString) -> Bool {
            word.count == s.utf8CodeUnitCount && memcmp(word.baseAddress!, s.utf8Start, word.count) == 0
        }
        func contains(_ s: StaticString) -> Bool {
            let n = s.utf8CodeUnitCount
            guard fp.count >= n else { return false }
            for i in 0...(fp.count - n) where memcmp(fp.baseAddress! + i, s.utf8Start, n) == 0 { return true }
            return false
        }
        guard end > 0 else { return .other }
        if isWord("select") || isWord("values") || isWord("table") { return .select }
        if isWord("insert") { return .insert }
        if isWord("update") { return .update }
        if isWord("delete") { return .delete }
        if isWord("copy") {
            return contains(" from stdin") || contains(" from ?") || contains(" from program") ? .copyFrom : .copyTo
        }
        if isWord("with") { return .cte }
        if isWord("create") || isWord("alter") || isWord("drop") || isWord("truncate") || isWord("comment")
            || isWord("grant") || isWord("revoke") { return .ddl }
        if isWord("begin") || isWord("commit") || isWord("rollback") || isWord("end") || isWord("start")
            || isWord("savepoint") || isWord("release") || isWord("abort") || isWord("prepare") && contains("transaction") { return .tcl }
        if isWord("declare") || isWord("fetch") || isWord("close") || isWord("move") { return .cursor }
        return .other
    }

    /// `connection authorized: user=U database=D …`, counted per `U@D`.
    func authorized(_ b: UnsafeRawBufferPointer, _ m: Range<Int>, _ slot: Int?) {
        aggregate.connectionsAuthorized &+= 1
        if let slot { aggregate.series[slot].connections &+= 1 }
        func value(_ key: StaticString) -> Range<Int>? {
            guard let at = find(b, m, key) else { return nil }
            var j = at + key.utf8CodeUnitCount
            let s = j
            while j < m.upperBound, b[j] != 32, b[j] != 10 { j += 1 }
            return s..<j
        }
        let user = value("user=") ?? m.upperBound..<m.upperBound
        let database = value("database=") ?? m.upperBound..<m.upperBound
        let length = user.count + 1 + database.count
        guard length <= SQLFingerprint.maxLength else { return }
        let out = fingerprint.baseAddress!.assumingMemoryBound(to: UInt8.self)
        for (k, i) in user.enumerated() { out[k] = b[i] }
        out[user.count] = UInt8(ascii: "@")
        for (k, i) in database.enumerated() { out[user.count + 1 + k] = b[i] }
        let index = aggregate.connectionsByUserDatabase.index(UnsafeRawBufferPointer(rebasing: fingerprint[0..<length]))
        aggregate.connectionsByUserDatabase[index].count &+= 1
    }

    /// `disconnection: session time: H:MM:SS.fff user=…`
    func disconnection(_ b: UnsafeRawBufferPointer, _ m: Range<Int>, _ slot: Int?) {
        aggregate.disconnections &+= 1
        if let slot { aggregate.series[slot].disconnections &+= 1 }
        var i = m.lowerBound + 29
        var seconds = 0.0
        var parts = 0
        while i < m.upperBound, parts < 3 {
            guard let (v, j) = number(b, i, m.upperBound) else { break }
            seconds = seconds * 60 + v
            parts += 1
            i = j
            if i < m.upperBound, b[i] == UInt8(ascii: ":") { i += 1 } else { break }
        }
        if parts == 3 { aggregate.sessionDuration.add(seconds) }
    }

    /// `checkpoint complete: wrote N buffers (…); …; write=1.104 s, sync=0.002 s, total=1.117 s; …`
    func checkpoint(_ b: UnsafeRawBufferPointer, _ m: Range<Int>, _ slot: Int?) {
        aggregate.checkpoints &+= 1
        if let slot { aggregate.series[slot].checkpoints &+= 1 }
        if let at = find(b, m, "wrote "), let (v, _) = number(b, at + 6, m.upperBound) { aggregate.checkpointBuffers &+= UInt64(v) }
        func millis(_ key: StaticString) -> Int64 {
            guard let at = find(b, m, key), let (v, _) = number(b, at + key.utf8CodeUnitCount, m.upperBound) else { return 0 }
            // `write=999999999999999999 s` would not fit Int64 as milliseconds: absurd times
            // (over 285,000 years) are left out rather than trapping.
            let ms = (v * 1000).rounded()
            return ms < 9e18 ? Int64(ms) : 0
        }
        aggregate.checkpointWriteMillis &+= millis("write=")
        aggregate.checkpointSyncMillis &+= millis("sync=")
        aggregate.checkpointTotalMillis &+= millis("total=")
    }

    /// `automatic [aggressive ]vacuum [to prevent wraparound ]of table "db.s.t": …` and
    /// `automatic analyze of table "db.s.t"`.
    func maintenance(_ b: UnsafeRawBufferPointer, _ m: Range<Int>, _ slot: Int?) {
        guard let of = find(b, m, " of table \"") else { return }
        let head = m.lowerBound..<of
        let isAnalyze = find(b, head, "analyze") != nil
        let isVacuum = !isAnalyze && find(b, head, "vacuum") != nil
        guard isAnalyze || isVacuum else { return }
        let nameStart = of + 11
        var j = nameStart
        while j < m.upperBound, b[j] != UInt8(ascii: "\"") { j += 1 }
        let index = aggregate.maintenance.index(UnsafeRawBufferPointer(rebasing: b[nameStart..<j]))
        if isAnalyze {
            aggregate.autoanalyzes &+= 1
            aggregate.maintenance[index].analyzes &+= 1
            if let slot { aggregate.series[slot].autoanalyzes &+= 1 }
        } else {
            aggregate.autovacuums &+= 1
            aggregate.maintenance[index].vacuums &+= 1
            if let slot { aggregate.series[slot].autovacuums &+= 1 }
        }
    }

    /// `temporary file: path "…", size N`
    func tempFile(_ b: UnsafeRawBufferPointer, _ m: Range<Int>, _ slot: Int?) {
        aggregate.tempFiles &+= 1
        if let slot { aggregate.series[slot].tempFiles &+= 1 }
        if let at = find(b, m, ", size "), let (v, _) = number(b, at + 7, m.upperBound) {
            let size = UInt64(v)
            aggregate.tempFileBytes &+= size
            aggregate.tempFileMaxBytes = Swift.max(aggregate.tempFileMaxBytes, size)
        }
    }

    /// A lock wait line (`log_lock_waits`): `process N still waiting for ShareLock on transaction
    /// M after 1000.123 ms` (or `avoided deadlock for …`) when the wait passes deadlock_timeout,
    /// then `process N acquired … after 4791.2 ms`, `detected deadlock while waiting for … after
    /// …` or `failed to acquire … after …` when it ends. A wait is counted once, in the bucket of
    /// its first line, and lasts what its end line says; a wait whose end is not logged (the
    /// statement was cancelled) lasts what `still waiting` said.
    func lockWait(_ b: UnsafeRawBufferPointer, _ m: Range<Int>, _ slot: Int?) {
        var i = m.lowerBound + 8
        let digits = i
        var pid = 0
        while i < m.upperBound, i - digits < 10, b[i] >= 48, b[i] <= 57 { pid = pid * 10 + Int(b[i] - 48); i += 1 }
        guard i > digits, i < m.upperBound, b[i] == 32 else { return }
        let rest = (i + 1)..<m.upperBound
        let ends: Bool
        if hasPrefix(b, rest, "still waiting for ") || hasPrefix(b, rest, "avoided deadlock for ") {
            ends = false
        } else if hasPrefix(b, rest, "acquired ") || hasPrefix(b, rest, "detected deadlock while waiting for ")
                    || hasPrefix(b, rest, "failed to acquire ") {
            ends = true
        } else {
            return
        }
        var seconds: Double? = nil
        if let at = find(b, rest, " after "), let (v, _) = number(b, at + 7, m.upperBound) { seconds = v / 1000 }
        let k = pid % PostgresProcessor.unpairedSlots
        if ends, openWaits[k].pid == pid {
            openWaits[k].seconds = seconds ?? openWaits[k].seconds
            closeWait(k)
            return
        }
        // A new wait. An open wait of this slot ends unlogged (the same process waits again, so
        // the first wait was cancelled; or another process shares the slot).
        closeWait(k)
        aggregate.lockWaits &+= 1
        if let slot { aggregate.series[slot].lockWaits &+= 1 }
        if ends {
            if let seconds { aggregate.lockWaitDuration.add(seconds) }
        } else {
            openWaits[k] = OpenWait(pid: pid, seconds: seconds)
        }
    }

    /// Ends the open wait of slot `k`, if any, with the length it has.
    func closeWait(_ k: Int) {
        guard openWaits[k].pid >= 0 else { return }
        if let seconds = openWaits[k].seconds { aggregate.lockWaitDuration.add(seconds) }
        openWaits[k] = OpenWait()
    }

    /// ERROR/FATAL/PANIC: counted by SQLSTATE and by message template.
    func error(_ b: UnsafeRawBufferPointer, _ e: Event, _ slot: Int?) {
        aggregate.errors &+= 1
        if let slot { aggregate.series[slot].errors &+= 1 }
        let m = e.message
        if hasPrefix(b, m, "deadlock detected") {
            aggregate.deadlocks &+= 1
            if let slot { aggregate.series[slot].deadlocks &+= 1 }
        }
        var state: Range<Int>? = nil
        if let s = e.sqlstate, s.count == 5 {
            let key = UnsafeRawBufferPointer(rebasing: b[s])
            let i = aggregate.errorsBySQLState.index(key)
            aggregate.errorsBySQLState[i].count &+= 1
            state = s
        }
        let n = PostgresProcessor.template(b, m, into: fingerprint)
        let i = aggregate.errorTemplates.index(UnsafeRawBufferPointer(rebasing: fingerprint[0..<n]))
        let time = e.time ?? .max
        if aggregate.errorTemplates[i].count == 0 || time < aggregate.errorTemplates[i].exampleTime {
            aggregate.errorTemplates[i].exampleTime = time
            aggregate.errorTemplates[i].severity = e.severity == .fatal ? .fatal : (e.severity == .panic ? .panic : .error)
            aggregate.errorTemplates[i].sqlstate = text(b, state)
            aggregate.errorTemplates[i].example = text(b, m) ?? ""
            aggregate.errorTemplates[i].statement = text(b, e.statement)
        }
        aggregate.errorTemplates[i].count &+= 1
    }

    /// An error message's template: first line only, `"…"` and `'…'` contents become `...`,
    /// digit runs become `<*>` (the placeholder of every error template).
    public static func template(_ b: UnsafeRawBufferPointer, _ m: Range<Int>, into out: UnsafeMutableRawBufferPointer) -> Int {
        var n = 0
        var i = m.lowerBound
        while i < m.upperBound, n + 5 < out.count {
            let c = b[i]
            if c == 10 { break }
            if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
                var j = i + 1
                while j < m.upperBound, b[j] != c, b[j] != 10 { j += 1 }
                out[n] = c; out[n + 1] = 46; out[n + 2] = 46; out[n + 3] = 46; out[n + 4] = c
                n += 5
                i = j + 1
                continue
            }
            if c >= 48 && c <= 57 {
                while i < m.upperBound, b[i] >= 48, b[i] <= 57 { i += 1 }
                out[n] = UInt8(ascii: "<"); out[n + 1] = UInt8(ascii: "*"); out[n + 2] = UInt8(ascii: ">")
                n += 3
                continue
            }
            out[n] = c
            n += 1
            i += 1
        }
        return n
    }
}
