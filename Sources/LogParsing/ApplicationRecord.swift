#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The line that starts an application-log event, as numbers and byte ranges of that line.
/// Valid until the next line.
public struct ApplicationRecord {
    /// Event time in epoch seconds; nil when the line has none we can read.
    public var time: Int64?
    public var level: ApplicationLevel = .unknown
    /// The message: after timestamp, level and logger prefix; the `msg` value of JSON (still
    /// JSON-escaped) and logfmt lines.
    public var message: Range<Int> = 0..<0
    /// The service: the docker-compose one (`web-1` of `web-1  | ...`), else the first
    /// bracketed name (not an id) or `service=` value of the message's leading context
    /// (`ERROR [payments] [req-0d74de44] ...`; see `ApplicationLineParser.splitContext`).
    public var service: Range<Int>?
    /// nginx error log trailing fields.
    public var client: Range<Int>?
    public var server: Range<Int>?
    public var request: Range<Int>?
    public var upstream: Range<Int>?
    public var host: Range<Int>?

    public init() {}
}

/// Reads `ApplicationRecord`s from lines of one `ApplicationFormat`, in place: no `String`, no
/// allocation. Hand-written byte scanners rather than regexes: every layout here is fixed
/// enough, and this is the hot path of `logsift report` on application logs.
public struct ApplicationLineParser: Sendable {
    public var format: ApplicationFormat
    public var zone: ZoneRule
    /// Syslog RFC 3164 lines carry no year: a time is placed in the year that puts it at most
    /// one day after this (epoch seconds; default: when the parser was made).
    public var referenceTime: Int64 {
        get { yearlessTime.reference }
        set { yearlessTime = YearlessTime(reference: newValue) }
    }
    var yearlessTime: YearlessTime
    /// Set by `timeValue` when a JSON or logfmt time is written as a time but impossible: the
    /// line is then no event (unmatched and sampled) rather than an event in no bucket.
    var sawImpossibleTime = false

    public init(format: ApplicationFormat, zone: ZoneRule, referenceTime: Int64? = nil) {
        self.format = format
        self.zone = zone
        self.yearlessTime = YearlessTime(reference: referenceTime)
    }

    /// Parses a line that starts an event; false when the line does not start one.
    @inline(__always)
    public mutating func parse(_ line: UnsafeRawBufferPointer, into r: inout ApplicationRecord) -> Bool {
        let (body, service) = ApplicationLineParser.bodyStart(line)
        r = ApplicationRecord()
        r.service = service
        let end = line.count
        guard body < end else { return false }
        let parsed: Bool
        switch format {
        case .text: parsed = parseText(line, body, end, &r)
        case .rails: parsed = parseRails(line, body, end, &r)
        case .jsonLines:
            sawImpossibleTime = false
            return parseJSON(line, body, end, &r) && !sawImpossibleTime
        case .logfmt:
            sawImpossibleTime = false
            return parseLogfmt(line, body, end, &r) && !sawImpossibleTime
        case .syslogRFC3164: parsed = parseSyslog3164(line, body, end, &r)
        case .syslogRFC5424: parsed = parseSyslog5424(line, body, end, &r)
        case .nginxError: parsed = parseNginxError(line, body, end, &r)
        case .apacheError: parsed = parseApacheError(line, body, end, &r)
        }
        // Free-text messages: JSON and logfmt carry their context in fields of their own.
        if parsed { ApplicationLineParser.splitContext(line, &r) }
        return parsed
    }

    // MARK: - Message context

    /// Narrows `r.message` to what the message says, leaving out its context: leading
    /// bracketed tokens (`[payments]`, `[req-0d74de44]`, `[instance: 7f3a]`) and `key=value`
    /// tokens (`thread=main`, `worker=3`), and trailing `key=value` pairs (`attempt=3`,
    /// `user=alice order=42`) but one right after a preposition (`with id=7`). Context names where or for whom a message was written, not which message it
    /// is: left in, one message becomes one error group per service or request. The message is
    /// never narrowed to nothing. The first bracketed name that is not an id (`isIdentifier`),
    /// or a `service=` value, becomes `r.service` when no docker prefix named one.
    @inline(__always)
    public static func splitContext(_ b: UnsafeRawBufferPointer, _ r: inout ApplicationRecord) {
        let m = r.message.clamped(to: 0..<b.count)
        var i = m.lowerBound
        let end = m.upperBound
        var service: Range<Int>? = nil
        var start = i
        while i < end {
            while i < end, isSpace(b[i]) { i += 1 }
            guard i < end else { break }
            if b[i] == 0x5b {
                // `[...]` on this line, at most 128 bytes, not nested, then a separator or the end.
                var close = i + 1
                let limit = Swift.min(end, i + 128)
                while close < limit, b[close] != 0x5d, b[close] != 0x5b { close += 1 }
                guard close < limit, b[close] == 0x5d, close > i + 1 else { break }
                let after = close + 1
                guard after == end || isSpace(b[after]) || b[after] == 0x3a else { break }
                if service == nil, isName(b, (i + 1)..<close) { service = (i + 1)..<close }
                i = after
            } else if let (key, value, after) = keyValue(b, i, end) {
                if service == nil, key.count == 7, has(b, key.lowerBound, "service"), !value.isEmpty { service = value }
                i = after
            } else {
                break
            }
            // Separators after context: `:`, `|`, a lone `-`.
            while i < end {
                let c = b[i]
                if isSpace(c) || c == 0x3a || c == 0x7c || (c == 0x2d && (i + 1 == end || isSpace(b[i + 1]))) { i += 1 } else { break }
            }
            start = i
        }
        guard start < end else { return }
        // Trailing `key=value` words, from the end, however many (`Retrying request attempt=3`
        // is `Retrying request`). A pair right after a preposition is the sentence's object
        // (`Couldn't find User with id=7`, `Failed to connect to host=db port=5432`): it stays,
        // the pairs after it go.
        var stop = end
        while stop > start {
            var e = stop
            while e > start, isSpace(b[e - 1]) { e -= 1 }
            var s = e
            if e - start >= 3, b[e - 1] == 0x22 {
                // A quoted value may hold spaces: back to its `="`.
                var q = e - 2
                while q > start, !(b[q] == 0x22 && b[q - 1] == 0x3d) { q -= 1 }
                s = q
            }
            while s > start, !isSpace(b[s - 1]) { s -= 1 }
            guard s > start, let (_, _, after) = keyValue(b, s, e), after == e, !followsPreposition(b, start, s) else { break }
            stop = s
        }
        while stop > start, isSpace(b[stop - 1]) { stop -= 1 }
        guard stop > start else { return }
        r.message = start..<stop
        if r.service == nil { r.service = service }
    }

    /// English prepositions that take an object (`with id=7`, `to host=db`).
    static let prepositions: [StaticString] = ["as", "at", "by", "for", "from", "in", "into", "of", "on", "to", "via", "with"]

    /// Whether the word that ends before `i` (after the spaces before `i`), within `start..<i`,
    /// is one of `prepositions`, in any case.
    @inline(__always)
    static func followsPreposition(_ b: UnsafeRawBufferPointer, _ start: Int, _ i: Int) -> Bool {
        var e = i
        while e > start, isSpace(b[e - 1]) { e -= 1 }
        var s = e
        while s > start, isLetter(b[s - 1]) { s -= 1 }
        guard e - s >= 2, e - s <= 4, s == start || isSpace(b[s - 1]) else { return false }
        return prepositions.contains { word in
            word.utf8CodeUnitCount == e - s && (0..<(e - s)).allSatisfy { b[s + $0] | 0x20 == word.utf8Start[$0] }
        }
    }

    /// `key=value` at `i`: a key of letters, digits, `_`, `.`, `-` starting with a letter, then
    /// `=`, then a value running to the next space (or a `"quoted value"`). Returns the key's
    /// and the value's ranges and where the token ends.
    @inline(__always)
    static func keyValue(_ b: UnsafeRawBufferPointer, _ i: Int, _ end: Int) -> (Range<Int>, Range<Int>, Int)? {
        guard i < end, isLetter(b[i]) else { return nil }
        var k = i + 1
        while k < end, isLetter(b[k]) || isDigit(b[k]) || b[k] == 0x5f || b[k] == 0x2e || b[k] == 0x2d { k += 1 }
        guard k < end, b[k] == 0x3d, k - i <= 64 else { return nil }
        let key = i..<k
        k += 1
        if k < end, b[k] == 0x22 {
            let e = skipString(b, k, end)
            guard e <= end, e > k + 1, b[e - 1] == 0x22, e == end || isSpace(b[e]) else { return nil }
            return (key, (k + 1)..<(e - 1), e)
        }
        let vs = k
        while k < end, !isSpace(b[k]) { k += 1 }
        return (key, vs..<k, k)
    }

    /// A service-like name: starts with a letter, at most 64 bytes of letters, digits and
    /// `-_.`, and no piece (between `-_.:`) that is an id (`isIdentifier`).
    @inline(__always)
    static func isName(_ b: UnsafeRawBufferPointer, _ r: Range<Int>) -> Bool {
        guard r.count <= 64, isLetter(b[r.lowerBound]) else { return false }
        var pieceStart = r.lowerBound
        for k in r.lowerBound...r.upperBound {
            if k < r.upperBound {
                let c = b[k]
                if isLetter(c) || isDigit(c) { continue }
                guard c == 0x2d || c == 0x5f || c == 0x2e else { return false }
            }
            if isIdentifier(b, pieceStart..<k) { return false }
            pieceStart = k + 1
        }
        return true
    }

    /// A piece that identifies one thing rather than naming a kind: 3 or more digits, or 8 or
    /// more hex digits of any alphabet (`0d74de44`, `abcdefab`: a short random id can be all
    /// letters), or 6 or more hex digits holding a digit.
    @inline(__always)
    public static func isIdentifier(_ b: UnsafeRawBufferPointer, _ r: Range<Int>) -> Bool {
        guard !r.isEmpty else { return false }
        var digits = 0
        var hex = true
        for k in r {
            let c = b[k]
            if isDigit(c) { digits += 1 } else if !((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66) { hex = false }
        }
        if digits == r.count { return digits >= 3 }
        return hex && (r.count >= 8 || (r.count >= 6 && digits > 0))
    }

    /// Whether `s` is written at `at`.
    @inline(__always)
    static func has(_ b: UnsafeRawBufferPointer, _ at: Int, _ s: StaticString) -> Bool {
        let len = s.utf8CodeUnitCount
        return at + len <= b.count && memcmp(b.baseAddress! + at, s.utf8Start, len) == 0
    }

    /// Whether the line at `from` starts a Go runtime crash (`panic: ...`, `fatal error: ...`):
    /// an event of its own (FATAL, no time of its own), whose goroutine dump follows
    /// (`isContinuation` takes those lines in every format).
    @inline(__always)
    public static func startsGoPanic(_ b: UnsafeRawBufferPointer, from: Int) -> Bool {
        let n = b.count
        guard from + 7 <= n else { return false }
        let c = b[from]
        if c == 0x70 { return has(b, from, "panic: ") }
        if c == 0x66 { return has(b, from, "fatal error: ") }
        return false
    }

    /// For a line of an unknown layout behind a docker prefix: no time, the level if one of
    /// the first words names one, the whole rest as message.
    public func parseBare(_ line: UnsafeRawBufferPointer, into r: inout ApplicationRecord) -> Bool {
        let (body, service) = ApplicationLineParser.bodyStart(line)
        guard service != nil, body < line.count else { return false }
        r = ApplicationRecord()
        r.service = service
        // The daemon's time when `docker compose logs -t` wrote one: the line has none we read.
        if let (afterBar, _) = ApplicationLineParser.composePrefix(line) { r.time = ApplicationLineParser.dockerTime(line, afterBar)?.0 }
        let (level, after) = ApplicationLineParser.findLevel(line, body, line.count, maxTokens: 3)
        r.level = level ?? .unknown
        r.message = (level == nil ? body : after)..<line.count
        ApplicationLineParser.splitContext(line, &r)
        return true
    }

    // MARK: - Shared scanners

    @inline(__always) static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    @inline(__always) static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 }

    public static func isBlank(_ line: UnsafeRawBufferPointer) -> Bool {
        for c in line where !(c == 0x20 || c == 0x09 || c == 0x0d) { return false }
        return true
    }

    /// Skips ANSI escape sequences (`ESC [ ... letter`) at `i`.
    @inline(__always)
    static func skipANSI(_ b: UnsafeRawBufferPointer, _ i: Int) -> Int {
        var i = i
        while i + 1 < b.count, b[i] == 0x1b, b[i + 1] == 0x5b {
            var k = i + 2
            while k < b.count, !((b[k] | 0x20) >= 0x61 && (b[k] | 0x20) <= 0x7a) { k += 1 }
            i = Swift.min(k + 1, b.count)
        }
        return i
    }

    /// Where the log line proper starts, past a docker-compose prefix `name  | ` (with its
    /// colours), and the service name's range when there is one.
    @inline(__always)
    public static func bodyStart(_ b: UnsafeRawBufferPointer) -> (body: Int, service: Range<Int>?) {
        guard let (afterBar, service) = composePrefix(b) else { return (0, nil) }
        // `docker compose logs -t`: the daemon's timestamp comes before the service's own line.
        if let (_, end) = dockerTime(b, afterBar) { return (skipANSI(b, end), service) }
        return (afterBar, service)
    }

    /// A docker-compose prefix `name  | ` (with its colours): where what follows it starts,
    /// and the service name's range.
    @inline(__always)
    static func composePrefix(_ b: UnsafeRawBufferPointer) -> (Int, Range<Int>)? {
        let n = b.count
        var i = skipANSI(b, 0)
        let nameStart = i
        guard i < n else { return nil }
        let first = b[i]
        guard (first | 0x20 >= 0x61 && first | 0x20 <= 0x7a) || isDigit(first) else { return nil }
        while i < n, i - nameStart < 80 {
            let c = b[i]
            if (c | 0x20 >= 0x61 && c | 0x20 <= 0x7a) || isDigit(c) || c == 0x2d || c == 0x5f || c == 0x2e { i += 1 } else { break }
        }
        let nameEnd = i
        i = skipANSI(b, i)
        var spaces = 0
        while i < n, b[i] == 0x20 { i += 1; spaces += 1 }
        guard spaces >= 1, i < n, b[i] == 0x7c else { return nil }
        i += 1
        i = skipANSI(b, i)
        if i < n, b[i] == 0x20 { i += 1 }
        i = skipANSI(b, i)
        return (i, nameStart..<nameEnd)
    }

    /// The timestamp `docker logs -t` / `docker compose logs -t` writes before each line,
    /// RFC 3339 with nanoseconds always written (`2026-11-24T10:00:00.123456789Z`, or with an
    /// offset), and a space: its epoch seconds and where the line proper starts. Applications
    /// seldom write nine fraction digits, so the service's own timestamp is not taken for it.
    @inline(__always)
    public static func dockerTime(_ b: UnsafeRawBufferPointer, _ s: Int) -> (Int64, Int)? {
        let n = b.count
        guard s + 31 <= n, b[s + 4] == 0x2d, b[s + 10] == 0x54, b[s + 19] == 0x2e,
              let year = ByteParsing.digits(b, s, 4), b[s + 7] == 0x2d, let month = ByteParsing.digits(b, s + 5, 2),
              let day = ByteParsing.digits(b, s + 8, 2), let hh = ByteParsing.digits(b, s + 11, 2), b[s + 13] == 0x3a,
              let mm = ByteParsing.digits(b, s + 14, 2), b[s + 16] == 0x3a, let ss = ByteParsing.digits(b, s + 17, 2),
              ByteParsing.digits(b, s + 20, 9) != nil,
              month >= 1, month <= 12, day >= 1, day <= 31, hh < 24, mm < 60, ss <= 60 else { return nil }
        var i = s + 29
        var offset = 0
        if b[i] == 0x5a {
            i += 1
        } else if b[i] == 0x2b || b[i] == 0x2d, i + 6 <= n, b[i + 3] == 0x3a,
                  let oh = ByteParsing.digits(b, i + 1, 2), let om = ByteParsing.digits(b, i + 4, 2), oh < 24, om < 60 {
            offset = (oh * 3600 + om * 60) * (b[i] == 0x2d ? -1 : 1)
            i += 6
        } else {
            return nil
        }
        guard i < n, b[i] == 0x20 else { return nil }
        let naive = Int64(ByteParsing.daysFromCivil(year: year, month: month, day: day) * 86400 + hh * 3600 + mm * 60 + ss)
        return (naive - Int64(offset), i + 1)
    }


    /// A line that continues an event by its look: indented, a Java frame (`at ...`,
    /// `... 12 more`, `Caused by:`, `Suppressed:`), a Python traceback (`Traceback (most recent
    /// call last):`, `During handling ...`, `The above exception ...`), an exception line
    /// (`java.lang.IllegalStateException: ...`, `ValueError: bad input`), a Go crash dump
    /// (`goroutine 1 [running]:`, `main.main()`, `exit status 2`), or a PHP trace (`#3 /a.php(12): f()`).
    public static func isContinuation(_ b: UnsafeRawBufferPointer, from: Int) -> Bool {
        let n = b.count
        guard from < n else { return false }
        let c = b[from]
        if c == 0x20 || c == 0x09 { return true }
        func starts(_ s: StaticString) -> Bool {
            let len = s.utf8CodeUnitCount
            guard from + len <= n else { return false }
            return memcmp(b.baseAddress! + from, s.utf8Start, len) == 0
        }
        if starts("at ") || starts("Caused by:") || starts("Traceback (most recent call last)") || starts("...")
            || starts("Suppressed:") || starts("During handling of the above exception")
            || starts("The above exception was the direct cause") || starts("}") || starts("]") { return true }
        // Go: a panic's goroutine dump (`goroutine 1 [running]:`, `created by main.main in
        // goroutine 1`, `[signal SIGSEGV: ...]`, `exit status 2`) and a nested panic.
        if starts("goroutine ") || starts("created by ") || starts("[signal ") || starts("exit status ")
            || startsGoPanic(b, from: from) { return true }
        if isGoFrame(b, from: from) { return true }
        // PHP (Laravel/Monolog): `[stacktrace]`, `#12 /path/File.php(183): ...`, `#27 {main}`, `"}`.
        if c == 0x23, from + 1 < n, isDigit(b[from + 1]) { return true }
        if starts("[stacktrace]") || starts("[previous exception]") || starts("\"}") { return true }
        // Exception line: a dotted or plain identifier ending in Error/Exception, then `:` or end.
        var i = from
        while i < n {
            let d = b[i]
            if (d | 0x20 >= 0x61 && d | 0x20 <= 0x7a) || isDigit(d) || d == 0x2e || d == 0x5f || d == 0x24 { i += 1 } else { break }
        }
        guard i > from, i == n || b[i] == 0x3a else { return false }
        func endsWith(_ s: StaticString) -> Bool {
            let len = s.utf8CodeUnitCount
            guard i - from >= len else { return false }
            return memcmp(b.baseAddress! + i - len, s.utf8Start, len) == 0
        }
        return endsWith("Exception") || endsWith("Error") || endsWith("Exit") || endsWith("Interrupt")
            || endsWith("Throwable") || endsWith("Warning")
    }

    /// Whether a line that no parser of the input's format read starts like an event of some
    /// log nonetheless, and so cannot be a bare continuation line of the event before it: an
    /// address or a date or time first (`10.0.0.7 - - [...`, `2001:db8::1 ...`,
    /// `2026-11-24 ...`, `10:00:00 ...`, `1795510800.123 ...`), a bracketed date (`[2026-...`,
    /// `[24/Nov/2026:...`, `[Tue Nov 24 ...`), a syslog `<PRI>` or `Nov 24 10:00:00`, a JSON
    /// object with a time or level key (`startsJSONEvent`), or logfmt pairs with one
    /// (`startsLogfmtEvent`). Continuation lines of text logs (SQL, PHP messages, payloads,
    /// `KeyError: 'x'`) start with words or indentation, and a payload names no time or level.
    public static func looksLikeEventStart(_ b: UnsafeRawBufferPointer, from: Int) -> Bool {
        let n = b.count
        guard from < n else { return false }
        var i = from
        let c = b[i]
        if c == 0x7b { return startsJSONEvent(b, from: from) }
        if isLetter(c), startsLogfmtEvent(b, from: from) { return true }
        if c == 0x5b {
            // `[` then a digit, or a day name and a month name (`[Tue Nov 24`).
            i += 1
            guard i < n else { return false }
            if isDigit(b[i]) { return true }
            return i + 8 <= n && isLetter(b[i]) && isLetter(b[i + 1]) && isLetter(b[i + 2]) && b[i + 3] == 0x20
                && ByteParsing.month(b[i + 4], b[i + 5], b[i + 6]) != nil
        }
        if c == 0x3c, let _ = priority(b, from, n) { return true }
        if isLetter(c) {
            // `Nov 24 10:00:00` / `Nov  3 09:23:38` (syslog), or an IPv6 address led by letters.
            if from + 9 <= n, ByteParsing.month(b[from], b[from + 1], b[from + 2]) != nil, b[from + 3] == 0x20 {
                var k = from + 4
                if b[k] == 0x20 { k += 1 }
                var digits = 0
                while k < n, isDigit(b[k]), digits < 3 { k += 1; digits += 1 }
                if digits >= 1, digits <= 2, k + 3 <= n, b[k] == 0x20, isDigit(b[k + 1]), isDigit(b[k + 2]) { return true }
            }
        }
        // A first word of hex digits and `.:` : an IPv4/IPv6 address, a time, a dotted number.
        var colons = 0
        var dots = 0
        var digits = 0
        var dashes = 0
        var slashes = 0
        i = from
        while i < n, i - from < 48 {
            let d = b[i]
            if isDigit(d) { digits += 1 } else if d == 0x3a { colons += 1 } else if d == 0x2e { dots += 1 }
            else if d == 0x2d { dashes += 1 } else if d == 0x2f { slashes += 1 }
            else if !((d | 0x20) >= 0x61 && (d | 0x20) <= 0x66) { break }
            i += 1
        }
        guard i == n || b[i] == 0x20 || b[i] == 0x09 || b[i] == 0x2c || b[i] == 0x5d || b[i] == 0x54 else { return false }
        guard digits > 0 else { return colons >= 2 && i - from >= 3 }  // `::1`
        guard isDigit(c) || colons >= 2 else { return false }
        // 10.0.0.7, 2026-11-24, 2026/11/24, 10:00:00, 1795510800.123, 2001:db8::1
        return dots == 3 || colons >= 2 || (dashes == 2 && colons == 0) || (slashes == 2)
            || (dots == 1 && digits >= 9 && colons == 0 && dashes == 0)
    }

    /// A JSON-lines event: `{"` first (not indented), and a top-level key that the JSON-lines
    /// reader takes as the time, with a value starting with a digit, or as the level, with a
    /// level value (`{"ts":"2026-…","level":"error",…}`, bunyan's `{"name":…,"level":50,…}`).
    /// A JSON payload that continues an event (`{"error":"not found"}`) names neither.
    static func startsJSONEvent(_ b: UnsafeRawBufferPointer, from: Int) -> Bool {
        let n = b.count
        guard from + 1 < n, b[from] == 0x7b, b[from + 1] == 0x22 else { return false }
        var i = from + 1
        while i < n {
            guard let member = nextJSONMember(b, &i, n), member.valueEnd > member.valueStart else { return false }
            if isTimeOrLevel(b, key: member.key, value: member.value, levelName: levelValue) { return true }
        }
        return false
    }

    /// A logfmt event: `key=value` pairs first (not indented), one of them a key the logfmt
    /// reader takes as the time, with a value starting with a digit, or as the level, with a
    /// level name (`ts=2026-… level=error msg=…`, `time="2026-…" level=error`). Context
    /// pairs that continue an event (`user=alice region=eu-1`) name neither.
    static func startsLogfmtEvent(_ b: UnsafeRawBufferPointer, from: Int) -> Bool {
        let n = b.count
        var i = from
        while let (key, value, after) = keyValue(b, i, n) {
            if isTimeOrLevel(b, key: key, value: value, levelName: { ApplicationLevel.parse($0, $1) }) { return true }
            i = after
            while i < n, b[i] == 0x20 { i += 1 }
        }
        return false
    }

    @inline(__always)
    static func isTimeOrLevel(_ b: UnsafeRawBufferPointer, key: Range<Int>, value: Range<Int>,
                              levelName: (UnsafeRawBufferPointer, Range<Int>) -> ApplicationLevel?) -> Bool {
        guard !value.isEmpty else { return false }
        switch role(b, key) {
        case .time: return isDigit(b[value.lowerBound])
        case .level: return levelName(b, value) != nil
        default: return false
        }
    }

    /// A Go stack frame's function line: `main.main()`, `main.(*Server).serve(0xc000010000, {0x5, 0x6})`,
    /// `github.com/x/y.F(...)`, `panic({0x4a2e40?, 0xc000012345?})`: no space before the first
    /// `(`, a `.` before it (or the name `panic`), and `)` last.
    static func isGoFrame(_ b: UnsafeRawBufferPointer, from: Int) -> Bool {
        var last = b.count - 1
        while last > from, b[last] == 0x0d || b[last] == 0x20 { last -= 1 }
        guard last > from, b[last] == 0x29 else { return false }
        let first = b[from]
        guard first | 0x20 >= 0x61 && first | 0x20 <= 0x7a else { return false }
        var i = from
        var dot = false
        while i < last, b[i] != 0x28 {
            let c = b[i]
            if c == 0x20 || c == 0x09 { return false }
            if c == 0x2e { dot = true }
            i += 1
        }
        guard i < last else { return false }
        return dot || (i - from == 5 && has(b, from, "panic"))
    }

    /// Reads `YYYY-MM-DD[T ]HH:MM:SS` (or `YYYY/MM/DD`), an optional `.123`/`,123` fraction and
    /// an optional zone (`Z`, `+01:00`, `+0100`, ` +0100`, ` UTC`). Returns epoch seconds (the
    /// zone rule applied when there is no zone) and where the timestamp ends.
    @inline(__always)
    mutating func timestamp(_ b: UnsafeRawBufferPointer, _ s: Int, _ end: Int) -> (Int64, Int)? {
        if s + 17 <= end, b[s + 2] == 0x2f, b[s + 5] == 0x2f, b[s + 8] == 0x20 {
            return shortTimestamp(b, s, end)
        }
        guard s + 19 <= end, let year = ByteParsing.digits(b, s, 4) else { return nil }
        let sep = b[s + 4]
        guard sep == 0x2d || sep == 0x2f, b[s + 7] == sep, let month = ByteParsing.digits(b, s + 5, 2),
              let day = ByteParsing.digits(b, s + 8, 2), b[s + 10] == 0x54 || b[s + 10] == 0x20,
              let hh = ByteParsing.digits(b, s + 11, 2), b[s + 13] == 0x3a, let mm = ByteParsing.digits(b, s + 14, 2),
              b[s + 16] == 0x3a, let ss = ByteParsing.digits(b, s + 17, 2),
              let naive = ByteParsing.naiveSeconds(year: year, month: month, day: day, hour: hh, minute: mm, second: ss)
        else { return nil }
        var i = s + 19
        if i < end, b[i] == 0x2e || b[i] == 0x2c {
            i += 1
            while i < end, ApplicationLineParser.isDigit(b[i]) { i += 1 }
        }
        var offset: Int?
        if i < end {
            let z = b[i]
            if z == 0x5a || z == 0x7a {
                offset = 0; i += 1
            } else if z == 0x2b || z == 0x2d, i + 3 <= end, ApplicationLineParser.isDigit(b[i + 1]) {
                // An offset that is written must be possible (`+9999` is not).
                guard let o = ZoneRule.offset(b, i..<Swift.min(end, i + 6)) else { return nil }
                offset = o
                i += 3
                if i < end, b[i] == 0x3a { i += 1 }
                if i + 2 <= end, ByteParsing.digits(b, i, 2) != nil { i += 2 }
            } else if z == 0x20, i + 6 <= end, b[i + 1] == 0x2b || b[i + 1] == 0x2d,
                      ByteParsing.digits(b, i + 2, 4) != nil, i + 6 == end || b[i + 6] == 0x20 {
                guard let o = ZoneRule.offset(b, (i + 1)..<(i + 6)) else { return nil }
                offset = o; i += 6
            } else if z == 0x20, i + 4 <= end, b[i + 1] == 0x55, b[i + 2] == 0x54, b[i + 3] == 0x43,
                      i + 4 == end || b[i + 4] == 0x20 || b[i + 4] == 0x5d {
                offset = 0; i += 4
            }
        }
        guard let t = offset.map({ ByteParsing.epoch(naive: naive, offset: $0) }) ?? zone.epoch(fromNaive: naive) else { return nil }
        return (t, i)
    }

    /// `yy/MM/dd HH:mm:ss` (log4j's `%d{yy/MM/dd HH:mm:ss}`, Spark's default), no zone.
    @inline(__always)
    mutating func shortTimestamp(_ b: UnsafeRawBufferPointer, _ s: Int, _ end: Int) -> (Int64, Int)? {
        guard let yy = ByteParsing.digits(b, s, 2), let month = ByteParsing.digits(b, s + 3, 2),
              let day = ByteParsing.digits(b, s + 6, 2), let hh = ByteParsing.digits(b, s + 9, 2), b[s + 11] == 0x3a,
              let mm = ByteParsing.digits(b, s + 12, 2), b[s + 14] == 0x3a, let ss = ByteParsing.digits(b, s + 15, 2),
              let naive = ByteParsing.naiveSeconds(year: 2000 + yy, month: month, day: day, hour: hh, minute: mm, second: ss)
        else { return nil }
        var i = s + 17
        if i < end, b[i] == 0x2e || b[i] == 0x2c {
            i += 1
            while i < end, ApplicationLineParser.isDigit(b[i]) { i += 1 }
        }
        guard let t = zone.epoch(fromNaive: naive) else { return nil }
        return (t, i)
    }

    @inline(__always) static func isTokenSeparator(_ c: UInt8) -> Bool {
        switch c {
        case 0x20, 0x09, 0x5b, 0x5d, 0x28, 0x29, 0x3a, 0x7c, 0x2c, 0x3c, 0x3e, 0x3d, 0x22, 0x27, 0x2e: return true
        default: return false
        }
    }

    /// Finds a level among the first `maxTokens` words from `from`; returns it and where the
    /// message starts (past the level word and the separators after it).
    @inline(__always)
    static func findLevel(_ b: UnsafeRawBufferPointer, _ from: Int, _ end: Int, maxTokens: Int) -> (ApplicationLevel?, Int) {
        var i = from
        var tokens = 0
        while i < end && tokens < maxTokens {
            while i < end, isTokenSeparator(b[i]) || b[i] == 0x2d { i += 1 }
            let start = i
            while i < end, !isTokenSeparator(b[i]) { i += 1 }
            guard i > start else { break }
            tokens += 1
            if i - start >= 3, let level = ApplicationLevel.parse(b, start..<i) {
                // A level word stands alone: followed by a separator or the end.
                return (level, skipMessageSeparators(b, i, end))
            }
        }
        return (nil, from)
    }

    @inline(__always)
    static func skipMessageSeparators(_ b: UnsafeRawBufferPointer, _ from: Int, _ end: Int) -> Int {
        var i = from
        while i < end {
            let c = b[i]
            if c == 0x20 || c == 0x09 || c == 0x5d || c == 0x3a || c == 0x7c || c == 0x3e || c == 0x29 { i += 1; continue }
            // A lone dash separator (`ERROR - msg`), not a negative number.
            if c == 0x2d, i + 1 == end || b[i + 1] == 0x20 { i += 1; continue }
            break
        }
        return i
    }

    // MARK: - Text

    @inline(__always)
    mutating func parseText(_ b: UnsafeRawBufferPointer, _ body: Int, _ end: Int, _ r: inout ApplicationRecord) -> Bool {
        var s = body
        let bracketed = b[s] == 0x5b
        if bracketed { s += 1 }
        guard s < end, ApplicationLineParser.isDigit(b[s]) else { return !bracketed && s < end && parseGlog(b, s, end, &r) }
        guard let (t, after) = timestamp(b, s, end) ?? compactTimestamp(b, s, end) else { return timeOnly(b, s, end, bracketed, &r) }
        r.time = t
        var i = after
        if bracketed, i < end, b[i] == 0x5d { i += 1 }
        guard i == end || !ApplicationLineParser.isDigit(b[i]) && b[i] != 0x2f else { return false }
        let (level, message) = ApplicationLineParser.findLevel(b, i, end, maxTokens: 5)
        if let level {
            r.level = level
            r.message = message..<end
        } else {
            r.message = ApplicationLineParser.skipMessageSeparators(b, i, end)..<end
        }
        return true
    }

    /// ISO 8601 basic: `20261124T100000Z`, `20261124T100000.123+0100`, `20261124T100000` (zone
    /// rule). Only reached when the extended form did not read.
    mutating func compactTimestamp(_ b: UnsafeRawBufferPointer, _ s: Int, _ end: Int) -> (Int64, Int)? {
        guard s + 15 <= end, b[s + 8] == 0x54, let year = ByteParsing.digits(b, s, 4), let month = ByteParsing.digits(b, s + 4, 2),
              let day = ByteParsing.digits(b, s + 6, 2), let hh = ByteParsing.digits(b, s + 9, 2),
              let mm = ByteParsing.digits(b, s + 11, 2), let ss = ByteParsing.digits(b, s + 13, 2),
              let naive = ByteParsing.naiveSeconds(year: year, month: month, day: day, hour: hh, minute: mm, second: ss)
        else { return nil }
        var i = s + 15
        if i < end, b[i] == 0x2e || b[i] == 0x2c {
            i += 1
            while i < end, ApplicationLineParser.isDigit(b[i]) { i += 1 }
        }
        if i < end, b[i] == 0x5a { return ByteParsing.epoch(naive: naive, offset: 0).map { ($0, i + 1) } }
        if i + 5 <= end, b[i] == 0x2b || b[i] == 0x2d, ByteParsing.digits(b, i + 1, 4) != nil {
            guard let o = ZoneRule.offset(b, i..<(i + 5)) else { return nil }
            return ByteParsing.epoch(naive: naive, offset: o).map { ($0, i + 5) }
        }
        return zone.epoch(fromNaive: naive).map { ($0, i) }
    }

    /// A time of day without a date (`10:00:00.123 ERROR msg`, logback's `%d{HH:mm:ss.SSS}`):
    /// an event only when a level follows among the next words, and without a time (its date
    /// is unknown), so it counts in the totals and groups but in no bucket.
    mutating func timeOnly(_ b: UnsafeRawBufferPointer, _ s: Int, _ end: Int, _ bracketed: Bool, _ r: inout ApplicationRecord) -> Bool {
        guard s + 8 < end, ByteParsing.digits(b, s, 2) != nil, b[s + 2] == 0x3a, ByteParsing.digits(b, s + 3, 2) != nil,
              b[s + 5] == 0x3a, ByteParsing.digits(b, s + 6, 2) != nil else { return false }
        var i = s + 8
        if i < end, b[i] == 0x2e || b[i] == 0x2c {
            i += 1
            while i < end, ApplicationLineParser.isDigit(b[i]) { i += 1 }
        }
        if bracketed, i < end, b[i] == 0x5d { i += 1 }
        guard i < end, b[i] == 0x20 || b[i] == 0x09 else { return false }
        let (level, message) = ApplicationLineParser.findLevel(b, i, end, maxTokens: 3)
        guard let level else { return false }
        r.level = level
        r.message = message..<end
        return true
    }

    /// glog / klog: `E1124 10:00:00.123456    1234 file.go:42] msg` (`Lmmdd hh:mm:ss.uuuuuu
    /// threadid file:line] msg`, L one of I W E F), or with the year written (`I20200308 ...`).
    /// Without a year the time is placed in the year that puts it at most a day after
    /// `referenceTime`, as for syslog.
    @inline(__always)
    mutating func parseGlog(_ b: UnsafeRawBufferPointer, _ s: Int, _ end: Int, _ r: inout ApplicationRecord) -> Bool {
        let level: ApplicationLevel
        switch b[s] {
        case 0x49: level = .info     // I
        case 0x57: level = .warn     // W
        case 0x45: level = .error    // E
        case 0x46: level = .fatal    // F
        default: return false
        }
        var i = s + 1
        let digitsStart = i
        while i < end, ApplicationLineParser.isDigit(b[i]), i - digitsStart <= 8 { i += 1 }
        let count = i - digitsStart
        guard count == 4 || count == 8, i + 9 <= end, b[i] == 0x20 else { return false }
        let md = count == 8 ? digitsStart + 4 : digitsStart
        guard let month = ByteParsing.digits(b, md, 2), let day = ByteParsing.digits(b, md + 2, 2),
              let hh = ByteParsing.digits(b, i + 1, 2), b[i + 3] == 0x3a, let mm = ByteParsing.digits(b, i + 4, 2),
              b[i + 6] == 0x3a, let ss = ByteParsing.digits(b, i + 7, 2),
              hh < 24, mm < 60, ss <= 60 else { return false }
        i += 9
        if i < end, b[i] == 0x2e { i += 1; while i < end, ApplicationLineParser.isDigit(b[i]) { i += 1 } }
        // Thread id, then `file:line]`.
        guard i < end, b[i] == 0x20 else { return false }
        while i < end, b[i] == 0x20 { i += 1 }
        let tid = i
        while i < end, ApplicationLineParser.isDigit(b[i]) { i += 1 }
        guard i > tid, i < end, b[i] == 0x20 else { return false }
        i += 1
        var colon = -1
        while i < end, b[i] != 0x5d, b[i] != 0x20 { if b[i] == 0x3a { colon = i }; i += 1 }
        guard i < end, b[i] == 0x5d, colon > tid, colon + 1 < i, ByteParsing.integer(b, (colon + 1)..<i) != nil else { return false }
        i += 1
        if i < end, b[i] == 0x20 { i += 1 }
        let secondsOfDay = hh * 3600 + mm * 60 + ss
        if count == 8, let year = ByteParsing.digits(b, digitsStart, 4) {
            guard let naive = ByteParsing.naiveSeconds(year: year, month: month, day: day, hour: hh, minute: mm, second: ss),
                  let t = zone.epoch(fromNaive: naive) else { return false }
            r.time = t
        } else {
            guard let t = yearless(month: month, day: day, secondsOfDay: secondsOfDay) else { return false }
            r.time = t
        }
        r.level = level
        r.message = i..<end
        return true
    }

    /// A time written without its year, placed by `YearlessTime` (at most a day after
    /// `referenceTime`); nil for a date that exists in neither year.
    @inline(__always)
    mutating func yearless(month: Int, day: Int, secondsOfDay: Int) -> Int64? {
        yearlessTime.epoch(month: month, day: day, secondsOfDay: secondsOfDay, zone: &zone)
    }

    // MARK: - Apache httpd error log

    @inline(__always) static func isLetter(_ c: UInt8) -> Bool { c | 0x20 >= 0x61 && c | 0x20 <= 0x7a }

    /// `[Sun Dec 04 04:47:44 2005] [notice] msg` (2.2), `[Wed Oct 11 14:32:52.123456 2000]
    /// [core:error] [pid 35708:tid 4328636416] [client 72.15.99.187:5123] msg` (2.4), and the
    /// CUPS layout lnav files with them, `E [08/Jun/2013:11:28:58 -0700] msg`. Times without a
    /// zone are local (the zone rule); `trace1`...`trace8` are `.trace`.
    @inline(__always)
    mutating func parseApacheError(_ b: UnsafeRawBufferPointer, _ s: Int, _ end: Int, _ r: inout ApplicationRecord) -> Bool {
        if s + 24 < end, b[s + 1] == 0x20, b[s + 2] == 0x5b, b[s] >= 0x41, b[s] <= 0x5a {
            // CUPS: one capital letter for the level, an nginx-style `$time_local`.
            var k = s + 3
            while k < end, b[k] != 0x5d { k += 1 }
            guard k < end, let level = ApplicationLevel.parse(b, s..<(s + 1)),
                  let t = ByteParsing.timeLocal(b, (s + 3)..<k) else { return false }
            r.time = t
            r.level = level
            r.message = ApplicationLineParser.skipMessageSeparators(b, k + 1, end)..<end
            return true
        }
        guard s + 28 <= end, b[s] == 0x5b, ApplicationLineParser.isLetter(b[s + 1]), ApplicationLineParser.isLetter(b[s + 2]),
              ApplicationLineParser.isLetter(b[s + 3]), b[s + 4] == 0x20,
              let month = ByteParsing.month(b[s + 5], b[s + 6], b[s + 7]), b[s + 8] == 0x20 else { return false }
        var i = s + 9
        let day: Int
        if b[i] == 0x20, let d = ByteParsing.digits(b, i + 1, 1) { day = d } else if let d = ByteParsing.digits(b, i, 2) { day = d } else { return false }
        i += 2
        guard i + 9 <= end, b[i] == 0x20, let hh = ByteParsing.digits(b, i + 1, 2), b[i + 3] == 0x3a,
              let mm = ByteParsing.digits(b, i + 4, 2), b[i + 6] == 0x3a, let ss = ByteParsing.digits(b, i + 7, 2) else { return false }
        i += 9
        var modern = false
        if i < end, b[i] == 0x2e { modern = true; i += 1; while i < end, ApplicationLineParser.isDigit(b[i]) { i += 1 } }
        guard i + 9 <= end, b[i] == 0x20, let year = ByteParsing.digits(b, i + 1, 4), b[i + 5] == 0x5d,
              let naive = ByteParsing.naiveSeconds(year: year, month: month, day: day, hour: hh, minute: mm, second: ss),
              let time = zone.epoch(fromNaive: naive) else { return false }
        i += 6
        // ` [level]` or ` [module:level]`.
        guard b[i] == 0x20, b[i + 1] == 0x5b else { return false }
        i += 2
        var levelStart = i
        while i < end, b[i] != 0x5d, b[i] != 0x20 { if b[i] == 0x3a { levelStart = i + 1; modern = true }; i += 1 }
        guard i < end, b[i] == 0x5d else { return false }
        var level = ApplicationLevel.parse(b, levelStart..<i)
        if level == nil, i - levelStart == 6, ApplicationLineParser.isDigit(b[i - 1]),
           ApplicationLevel.parse(b, levelStart..<(i - 1)) == .trace { level = .trace }
        guard let level else { return false }
        i += 1
        r.time = time
        r.level = level
        // `[pid N(:tid N)]`, `[client addr(:port)]`, `[remote addr:port]`, in that order.
        while i + 3 < end, b[i] == 0x20, b[i + 1] == 0x5b {
            let tag = i + 2
            var k = tag
            while k < end, ApplicationLineParser.isLetter(b[k]) { k += 1 }
            guard k < end, b[k] == 0x20 else { break }
            let isPID = k - tag == 3 && ApplicationLineParser.has(b, tag, "pid")
            let isClient = k - tag == 6 && ApplicationLineParser.has(b, tag, "client")
            let isRemote = k - tag == 6 && ApplicationLineParser.has(b, tag, "remote")
            guard isPID || isClient || isRemote else { break }
            let value = k + 1
            var close = value
            while close < end, b[close] != 0x5d { close += 1 }
            guard close < end, b[close] == 0x5d else { break }
            if isPID { modern = true }
            if isClient { r.client = ApplicationLineParser.addressWithoutPort(b, value..<close, hasPort: modern) }
            i = close + 1
        }
        while i < end, b[i] == 0x20 { i += 1 }
        r.message = i..<end
        return true
    }

    /// `1.2.3.4:5123` -> `1.2.3.4`, `::1:58619` -> `::1` when the layout writes ports (httpd
    /// 2.4); an address with one colon (`host:port`) loses its port in any case.
    @inline(__always)
    static func addressWithoutPort(_ b: UnsafeRawBufferPointer, _ v: Range<Int>, hasPort: Bool) -> Range<Int> {
        var k = v.upperBound - 1
        while k > v.lowerBound, isDigit(b[k]) { k -= 1 }
        guard k > v.lowerBound, k < v.upperBound - 1, b[k] == 0x3a else { return v }
        if hasPort { return v.lowerBound..<k }
        var colons = 0
        for j in v where b[j] == 0x3a { colons += 1 }
        return colons == 1 ? v.lowerBound..<k : v
    }

    // MARK: - Rails (Ruby Logger)

    @inline(__always)
    mutating func parseRails(_ b: UnsafeRawBufferPointer, _ body: Int, _ end: Int, _ r: inout ApplicationRecord) -> Bool {
        // `E, [2026-11-24T10:00:00.123456 #1234] ERROR -- progname: msg`
        let s = body
        guard s + 25 < end, b[s + 1] == 0x2c, b[s + 2] == 0x20, b[s + 3] == 0x5b,
              let (t, after) = timestamp(b, s + 4, end) else { return false }
        var i = after
        while i < end, b[i] != 0x5d { i += 1 }
        guard i < end else { return false }
        i += 1
        while i < end, b[i] == 0x20 { i += 1 }
        let levelStart = i
        while i < end, b[i] != 0x20 { i += 1 }
        r.time = t
        r.level = ApplicationLevel.parse(b, levelStart..<i) ?? ApplicationLevel.parse(b, s..<(s + 1)) ?? .unknown
        // ` -- progname: `
        while i < end, b[i] == 0x20 { i += 1 }
        if i + 2 <= end, b[i] == 0x2d, b[i + 1] == 0x2d {
            i += 2
            var k = i
            while k + 1 < end, !(b[k] == 0x3a && b[k + 1] == 0x20) { k += 1 }
            if k + 1 < end { i = k + 2 } else if k + 1 == end, b[k] == 0x3a { i = end }
        }
        while i < end, b[i] == 0x20 { i += 1 }
        r.message = i..<end
        return true
    }

    // MARK: - Syslog

    @inline(__always)
    static func priority(_ b: UnsafeRawBufferPointer, _ s: Int, _ end: Int) -> (Int, Int)? {
        guard s < end, b[s] == 0x3c else { return nil }
        var i = s + 1
        var v = 0
        while i < end, isDigit(b[i]), i - s <= 3 { v = v * 10 + Int(b[i] - 0x30); i += 1 }
        guard i > s + 1, i < end, b[i] == 0x3e, v <= 191 else { return nil }
        return (v, i + 1)
    }

    @inline(__always)
    mutating func parseSyslog3164(_ b: UnsafeRawBufferPointer, _ body: Int, _ end: Int, _ r: inout ApplicationRecord) -> Bool {
        var s = body
        var severity: Int?
        if let (pri, after) = ApplicationLineParser.priority(b, s, end) { severity = pri & 7; s = after }
        // `Nov  3 09:23:38 `
        guard s + 16 <= end, let month = ByteParsing.month(b[s], b[s + 1], b[s + 2]), b[s + 3] == 0x20 else { return false }
        var i = s + 4
        if b[i] == 0x20 { i += 1 }
        var day = 0
        while i < end, ApplicationLineParser.isDigit(b[i]), day < 100 { day = day * 10 + Int(b[i] - 0x30); i += 1 }
        guard day >= 1, day <= 31, i + 9 <= end, b[i] == 0x20, let hh = ByteParsing.digits(b, i + 1, 2), b[i + 3] == 0x3a,
              let mm = ByteParsing.digits(b, i + 4, 2), b[i + 6] == 0x3a, let ss = ByteParsing.digits(b, i + 7, 2) else { return false }
        i += 9
        if i < end, b[i] == 0x2e { i += 1; while i < end, ApplicationLineParser.isDigit(b[i]) { i += 1 } }
        guard i < end, b[i] == 0x20 else { return false }
        // Year: the one putting the time at most a day after the reference time.
        guard hh < 24, mm < 60, ss <= 60, let t = yearless(month: month, day: day, secondsOfDay: hh * 3600 + mm * 60 + ss)
        else { return false }
        r.time = t
        // host, then `tag[pid]:` (the tag is optional).
        i += 1
        while i < end, b[i] != 0x20 { i += 1 }
        while i < end, b[i] == 0x20 { i += 1 }
        var k = i
        while k < end, b[k] != 0x20, b[k] != 0x3a { k += 1 }
        if k < end, b[k] == 0x3a { i = k + 1 }
        while i < end, b[i] == 0x20 { i += 1 }
        if let severity {
            r.level = ApplicationLevel.syslog(severity: severity)
            r.message = i..<end
        } else {
            let (level, message) = ApplicationLineParser.findLevel(b, i, end, maxTokens: 2)
            r.level = level ?? .unknown
            r.message = (level == nil ? i : message)..<end
        }
        return true
    }

    @inline(__always)
    mutating func parseSyslog5424(_ b: UnsafeRawBufferPointer, _ body: Int, _ end: Int, _ r: inout ApplicationRecord) -> Bool {
        guard let (pri, after) = ApplicationLineParser.priority(b, body, end) else { return false }
        var i = after
        guard i + 2 < end, ApplicationLineParser.isDigit(b[i]) else { return false }
        while i < end, ApplicationLineParser.isDigit(b[i]) { i += 1 }
        guard i < end, b[i] == 0x20 else { return false }
        i += 1
        if i < end, b[i] == 0x2d {
            i += 1
        } else {
            guard let (t, tEnd) = timestamp(b, i, end) else { return false }
            r.time = t
            i = tEnd
        }
        // HOSTNAME APP-NAME PROCID MSGID
        for _ in 0..<4 {
            guard i < end, b[i] == 0x20 else { return false }
            i += 1
            while i < end, b[i] != 0x20 { i += 1 }
        }
        if i < end { i += 1 }
        // STRUCTURED-DATA: `-` or `[...]...`
        if i < end, b[i] == 0x2d {
            i += 1
        } else {
            while i < end, b[i] == 0x5b {
                i += 1
                var quoted = false
                while i < end {
                    let c = b[i]
                    if c == 0x5c { i += 2; continue }
                    if c == 0x22 { quoted.toggle() } else if c == 0x5d && !quoted { break }
                    i += 1
                }
                i += 1
            }
        }
        while i < end, b[i] == 0x20 { i += 1 }
        // A UTF-8 byte-order mark may open the message.
        if i + 3 <= end, b[i] == 0xef, b[i + 1] == 0xbb, b[i + 2] == 0xbf { i += 3 }
        r.level = ApplicationLevel.syslog(severity: pri & 7)
        r.message = Swift.min(i, end)..<end
        return true
    }

    // MARK: - nginx error log

    @inline(__always)
    mutating func parseNginxError(_ b: UnsafeRawBufferPointer, _ body: Int, _ end: Int, _ r: inout ApplicationRecord) -> Bool {
        // `2026/11/22 10:00:00 [error] 1234#0: *5678 message, client: ...`
        guard body + 19 < end, b[body + 4] == 0x2f, let (t, after) = timestamp(b, body, end) else { return false }
        var i = after
        guard i + 3 < end, b[i] == 0x20, b[i + 1] == 0x5b else { return false }
        i += 2
        let levelStart = i
        while i < end, b[i] != 0x5d { i += 1 }
        guard i < end, let level = ApplicationLevel.parse(b, levelStart..<i) else { return false }
        r.time = t
        r.level = level
        i += 1
        while i < end, b[i] == 0x20 { i += 1 }
        // pid#tid:
        var k = i
        while k < end, ApplicationLineParser.isDigit(b[k]) { k += 1 }
        if k < end, k > i, b[k] == 0x23 {
            k += 1
            while k < end, ApplicationLineParser.isDigit(b[k]) { k += 1 }
            if k < end, b[k] == 0x3a { i = k + 1 }
        }
        while i < end, b[i] == 0x20 { i += 1 }
        // *connection
        if i < end, b[i] == 0x2a {
            k = i + 1
            while k < end, ApplicationLineParser.isDigit(b[k]) { k += 1 }
            if k > i + 1 { i = k }
            while i < end, b[i] == 0x20 { i += 1 }
        }
        let messageStart = i
        // The message ends where `, client: ` starts the trailing fields.
        var messageEnd = end
        var j = i
        while j + 10 <= end {
            if b[j] == 0x2c, b[j + 1] == 0x20, b[j + 2] == 0x63, b[j + 3] == 0x6c, b[j + 8] == 0x3a,
               b[j + 4] == 0x69, b[j + 5] == 0x65, b[j + 6] == 0x6e, b[j + 7] == 0x74, b[j + 9] == 0x20 {
                messageEnd = j
                break
            }
            j += 1
        }
        r.message = messageStart..<messageEnd
        if messageEnd < end { nginxFields(b, messageEnd, end, &r) }
        return true
    }

    /// `, key: value` pairs; a value is `"quoted"` or runs to the next `, `.
    @inline(__always)
    func nginxFields(_ b: UnsafeRawBufferPointer, _ from: Int, _ end: Int, _ r: inout ApplicationRecord) {
        var i = from
        while i + 2 < end, b[i] == 0x2c, b[i + 1] == 0x20 {
            i += 2
            let keyStart = i
            while i < end, b[i] != 0x3a, b[i] != 0x2c { i += 1 }
            guard i + 1 < end, b[i] == 0x3a, b[i + 1] == 0x20 else { return }
            let key = keyStart..<i
            i += 2
            var value: Range<Int>
            if i < end, b[i] == 0x22 {
                let vs = i + 1
                var k = vs
                while k < end, b[k] != 0x22 { if b[k] == 0x5c { k += 1 }; k += 1 }
                value = vs..<Swift.min(k, end)
                i = Swift.min(k + 1, end)
            } else {
                let vs = i
                while i < end, !(b[i] == 0x2c && i + 1 < end && b[i + 1] == 0x20) { i += 1 }
                value = vs..<i
            }
            switch (key.count, b[key.lowerBound]) {
            case (6, 0x63): r.client = value     // client
            case (6, 0x73): r.server = value     // server
            case (7, 0x72): r.request = value    // request
            case (8, 0x75): r.upstream = value   // upstream
            case (4, 0x68): r.host = value       // host
            default: break
            }
        }
    }

    // MARK: - JSON lines

    /// Index just past a JSON string starting at `i` (the opening quote).
    @inline(__always)
    static func skipString(_ b: UnsafeRawBufferPointer, _ i: Int, _ end: Int) -> Int {
        var k = i + 1
        while k < end {
            let c = b[k]
            if c == 0x5c { k += 2; continue }
            if c == 0x22 { return k + 1 }
            k += 1
        }
        return end
    }

    /// Index just past the JSON value starting at `i`.
    @inline(__always)
    static func skipValue(_ b: UnsafeRawBufferPointer, _ i: Int, _ end: Int) -> Int {
        guard i < end else { return end }
        let c = b[i]
        if c == 0x22 { return skipString(b, i, end) }
        if c == 0x7b || c == 0x5b {
            var depth = 0
            var k = i
            while k < end {
                let d = b[k]
                if d == 0x22 { k = skipString(b, k, end); continue }
                if d == 0x7b || d == 0x5b { depth += 1 } else if d == 0x7d || d == 0x5d {
                    depth -= 1
                    if depth == 0 { return k + 1 }
                }
                k += 1
            }
            return end
        }
        var k = i
        while k < end, b[k] != 0x2c, b[k] != 0x7d, b[k] != 0x5d, b[k] != 0x20 { k += 1 }
        return k
    }

    @inline(__always)
    static func equals(_ b: UnsafeRawBufferPointer, _ r: Range<Int>, _ s: StaticString) -> Bool {
        r.count == s.utf8CodeUnitCount && memcmp(b.baseAddress! + r.lowerBound, s.utf8Start, r.count) == 0
    }

    enum Role { case none, time, level, message, nested }

    @inline(__always)
    static func role(_ b: UnsafeRawBufferPointer, _ key: Range<Int>) -> Role {
        switch key.count {
        case 1: return equals(b, key, "t") ? .time : .none
        case 2: return equals(b, key, "ts") ? .time : .none
        case 3:
            if equals(b, key, "msg") { return .message }
            if equals(b, key, "lvl") { return .level }
            if equals(b, key, "log") { return .nested }
            return .none
        case 4:
            if equals(b, key, "time") { return .time }
            return .none
        case 5:
            if equals(b, key, "level") { return .level }
            return .none
        case 7:
            if equals(b, key, "message") { return .message }
            return .none
        case 8:
            if equals(b, key, "severity") || equals(b, key, "loglevel") { return .level }
            if equals(b, key, "@message") { return .message }
            return .none
        case 9:
            if equals(b, key, "timestamp") { return .time }
            if equals(b, key, "levelname") || equals(b, key, "log.level") { return .level }
            return .none
        case 10:
            if equals(b, key, "@timestamp") { return .time }
            return .none
        default: return .none
        }
    }

    /// Epoch seconds from a JSON or logfmt time value: an ISO 8601 string, or a number of
    /// seconds, milliseconds, microseconds or nanoseconds (told apart by magnitude).
    @inline(__always)
    mutating func timeValue(_ b: UnsafeRawBufferPointer, _ v: Range<Int>) -> Int64? {
        guard !v.isEmpty else { return nil }
        let t = numericOrISOTime(b, v)
        if t == nil, ApplicationLineParser.isDigit(b[v.lowerBound]) { sawImpossibleTime = true }
        return t
    }

    @inline(__always)
    mutating func numericOrISOTime(_ b: UnsafeRawBufferPointer, _ v: Range<Int>) -> Int64? {
        if v.count >= 19, b[v.lowerBound + 4] == 0x2d { return timestamp(b, v.lowerBound, v.upperBound)?.0 }
        var k = v.lowerBound
        var whole = 0
        var digits = 0
        var overflow = false
        while k < v.upperBound, ApplicationLineParser.isDigit(b[k]), digits < 19 {
            let (times10, o1) = whole.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(Int(b[k] - 0x30))
            overflow = overflow || o1 || o2
            whole = sum
            k += 1
            digits += 1
        }
        guard digits > 0, k == v.upperBound || b[k] == 0x2e else { return nil }
        if k < v.upperBound {
            k += 1
            while k < v.upperBound, ApplicationLineParser.isDigit(b[k]) { k += 1 }
            guard k == v.upperBound else { return nil }
        }
        // 19 digits may exceed `Int64` (`9223372036854775808`): such a number is no time.
        guard !overflow else { return nil }
        let n = Int64(whole)
        let seconds: Int64
        if n >= 100_000_000_000_000_000 { seconds = n / 1_000_000_000 }
        else if n >= 100_000_000_000_000 { seconds = n / 1_000_000 }
        else if n >= 100_000_000_000 { seconds = n / 1_000 }
        else { seconds = n }
        return ByteParsing.epochRange.contains(seconds) ? seconds : nil
    }

    @inline(__always)
    static func levelValue(_ b: UnsafeRawBufferPointer, _ v: Range<Int>) -> ApplicationLevel? {
        if let l = ApplicationLevel.parse(b, v) { return l }
        if let n = ByteParsing.integer(b, v) { return ApplicationLevel.numeric(n) }
        return nil
    }

    @inline(__always)
    mutating func parseJSON(_ b: UnsafeRawBufferPointer, _ body: Int, _ end: Int, _ r: inout ApplicationRecord) -> Bool {
        var i = body
        while i < end, ApplicationLineParser.isSpace(b[i]) { i += 1 }
        guard i < end, b[i] == 0x7b else { return false }
        var last = end - 1
        while last > i, ApplicationLineParser.isSpace(b[last]) || b[last] == 0x0d { last -= 1 }
        guard b[last] == 0x7d else { return false }
        var sawMessage = false
        scanObject(b, i, last + 1, &r, &sawMessage, depth: 0)
        if !sawMessage { r.message = i..<(last + 1) }
        return true
    }

    mutating func scanObject(_ b: UnsafeRawBufferPointer, _ open: Int, _ end: Int, _ r: inout ApplicationRecord,
                             _ sawMessage: inout Bool, depth: Int) {
        var i = open + 1
        while let member = ApplicationLineParser.nextJSONMember(b, &i, end) {
            switch ApplicationLineParser.role(b, member.key) {
            case .time where r.time == nil && depth == 0:
                r.time = timeValue(b, member.value)
            case .level where r.level == .unknown:
                r.level = ApplicationLineParser.levelValue(b, member.value) ?? .unknown
            case .message where !sawMessage && depth == 0 && member.quoted:
                r.message = member.value
                sawMessage = true
            case .nested:
                if member.valueStart < end, b[member.valueStart] == 0x7b, depth == 0 {
                    scanObject(b, member.valueStart, member.valueEnd, &r, &sawMessage, depth: 1)
                } else if member.quoted, !sawMessage, depth == 0 {
                    // Docker's json-file driver: {"log":"...","stream":"stderr","time":"..."}
                    r.message = member.value
                    sawMessage = true
                }
            default:
                break
            }
        }
    }

    // MARK: - logfmt

    @inline(__always)
    mutating func parseLogfmt(_ b: UnsafeRawBufferPointer, _ body: Int, _ end: Int, _ r: inout ApplicationRecord) -> Bool {
        var i = body
        var pairs = 0
        var known = false
        var sawMessage = false
        scan: while true {
            let key: Range<Int>, value: Range<Int>
            switch ApplicationLineParser.nextLogfmtToken(b, &i, end) {
            case .pair(let k, let v, _): (key, value) = (k, v)
            case .word:
                // Not a pair: only acceptable once the line has shown itself as logfmt.
                if pairs >= 2 && known { break scan }
                return false
            case .end: break scan
            }
            pairs += 1
            switch ApplicationLineParser.role(b, key) {
            case .time where r.time == nil:
                r.time = timeValue(b, value)
                known = true
            case .level where r.level == .unknown:
                r.level = ApplicationLevel.parse(b, value) ?? .unknown
                known = true
            case .message where !sawMessage:
                r.message = value
                sawMessage = true
                known = true
            default: break
            }
        }
        guard pairs >= 2, known else { return false }
        if !sawMessage { r.message = body..<end }
        return true
    }
}
