#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import PCRE2

/// One access-log line as numbers and byte ranges of the line. Valid until the next line.
public struct AccessRecord {
    /// Event time in epoch seconds, nil when the line had no readable timestamp.
    public var time: Int64?
    /// HTTP status, 0 when absent.
    public var status: Int = 0
    public var bytes: Int = 0
    /// Request time in seconds, nil when the format has none or the line has `-`.
    public var requestTime: Double?
    public var upstreamTime: Double?
    /// The request path without its query string; nil for `"-"` or a malformed request line.
    public var path: Range<Int>?
    public var method: Range<Int>?

    public init() {}
}

/// Which fields of a pattern play which role in an access log, found once by name so that both
/// nginx formats (`$status`, `$request_time`) and Logstash grok names (`response`, `verb`) work.
public struct AccessRoles: Sendable {
    public var time: FieldSpec?
    public var status: FieldSpec?
    public var bytes: FieldSpec?
    /// The whole request line `GET /path?q HTTP/1.1`.
    public var request: FieldSpec?
    /// A path or URI captured on its own (grok `request`/`path` without method).
    public var path: FieldSpec?
    public var method: FieldSpec?
    public var requestTime: FieldSpec?
    public var upstreamTime: FieldSpec?

    public init(pattern: CompiledPattern) {
        func first(_ names: [String]) -> FieldSpec? {
            for name in names { if let f = pattern.field(named: name) { return f } }
            return nil
        }
        time = first(["time_local", "time_iso8601", "msec", "timestamp", "time", "@timestamp"])
        status = first(["status", "response", "[http][response][status_code]", "http.response.status_code"])
        bytes = first(["body_bytes_sent", "bytes_sent", "bytes", "[http][response][body][bytes]"])
        method = first(["method", "verb", "request_method", "[http][request][method]"])
        // With a separate method, grok's `request` is only the URI; nginx's `$request` is the line.
        if method != nil {
            path = first(["request_uri", "uri", "path", "request", "[url][original]", "url.original"])
        } else {
            request = first(["request"])
            path = request == nil ? first(["request_uri", "uri", "path", "[url][original]"]) : nil
        }
        requestTime = first(["request_time", "duration", "response_time", "[event][duration]"])
        upstreamTime = first(["upstream_response_time"])
    }

    public var hasLatency: Bool { requestTime != nil }
}

/// Matches lines against one pattern and reads an `AccessRecord` from each. One per worker: it
/// owns the PCRE2 match data.
public final class AccessRecordParser {
    public let pattern: CompiledPattern
    public let roles: AccessRoles
    let matchData: MatchData
    /// The byte scanner of an nginx format (nil: every line goes to PCRE2).
    let scanner: LineScanner?
    /// How ISO 8601 times written without a zone are read (`--tz`).
    public var zone: ZoneRule

    public init(pattern: CompiledPattern, zone: ZoneRule = .utc, scanning: Bool = true) {
        let roles = AccessRoles(pattern: pattern)
        let scanner = scanning ? pattern.layout.map(LineScanner.init) : nil
        self.pattern = pattern
        self.roles = roles
        self.matchData = MatchData(for: pattern.regex)
        self.scanner = scanner
        self.zone = zone
        self.slots = scanner.map { ScannedRoles(roles, groupSlots: $0.groupSlots) } ?? ScannedRoles()
    }

    /// The capture group of each role in the scanner's layout, resolved once (0: none).
    let slots: ScannedRoles

    deinit { lastTimeBytes.deallocate() }

    /// The last time field read and what it gave: lines of one second share it, so the date
    /// arithmetic runs once per second of log rather than once per line.
    let lastTimeBytes = UnsafeMutableRawPointer.allocate(byteCount: AccessRecordParser.timeCacheBytes, alignment: 8)
    var lastTimeLength = -1
    var lastTime: Int64?
    var lastTimeImpossible = false
    static let timeCacheBytes = 48

    /// The line's time, or `impossible` when it has a timestamp's form but no such instant.
    @inline(__always)
    func time(_ line: UnsafeRawBufferPointer, _ r: Range<Int>) -> (time: Int64?, impossible: Bool) {
        let n = r.count
        guard let base = line.baseAddress else { return (nil, false) }
        if n == lastTimeLength, AccessRecordParser.equal(lastTimeBytes, base + r.lowerBound, n) {
            return (lastTime, lastTimeImpossible)
        }
        let t = ByteParsing.timestamp(line, r, zone: &zone)
        // A time in a known form but impossible (31/Feb, 25:61:61, +9999, an epoch beyond
        // year 9999) makes the line unmatched, so it is counted and sampled, not bucketed.
        let impossible = t == nil && ByteParsing.hasTimestampForm(line, r)
        if n <= AccessRecordParser.timeCacheBytes {
            lastTimeBytes.copyMemory(from: base + r.lowerBound, byteCount: n)
            lastTimeLength = n
            lastTime = t
            lastTimeImpossible = impossible
        }
        return (t, impossible)
    }

    public convenience init(pattern: CompiledPattern, defaultOffset: Int) {
        self.init(pattern: pattern, zone: ZoneRule(.fixed(offsetSeconds: defaultOffset)))
    }

    /// Matches `line`; on success fills `record` and returns `.matched`. The byte scanner goes
    /// first when the format has one; a line it does not accept goes to PCRE2.
    @inline(__always)
    public func parse(_ line: UnsafeRawBufferPointer, into record: inout AccessRecord) -> MatchOutcome {
        if let scanner, scanner.scan(line) {
            guard slots.resolved else { return fill(&record, line, from: scanner) }
            return fillScanned(&record, line, starts: scanner.starts, ends: scanner.ends)
        }
        let outcome = matchData.match(pattern.regex, line)
        guard outcome == .matched else { return outcome }
        return fill(&record, line, from: matchData)
    }

    /// Whether the `n` bytes at `a` and `b` are equal (`n` ≤ `timeCacheBytes`): eight bytes at
    /// a time, without a call to `memcmp` for the 20 to 30 bytes of a timestamp.
    @inline(__always)
    static func equal(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ n: Int) -> Bool {
        var i = 0
        var differ: UInt64 = 0
        while i &+ 8 <= n {
            differ |= a.loadUnaligned(fromByteOffset: i, as: UInt64.self) ^ b.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            i &+= 8
        }
        while i < n {
            differ |= UInt64(a.load(fromByteOffset: i, as: UInt8.self) ^ b.load(fromByteOffset: i, as: UInt8.self))
            i &+= 1
        }
        return differ == 0
    }

    /// `fill` from the byte scanner's capture ranges (`starts`/`ends`, see `LineScanner`),
    /// reading each role's range from the group resolved at init (the same range
    /// `LineScanner.range(of:)` gives: after a successful scan every group of the layout is
    /// set), so no `FieldSpec` is copied and the scanner is not retained per line.
    @inline(__always)
    func fillScanned(_ record: inout AccessRecord, _ line: UnsafeRawBufferPointer,
                     starts: UnsafeMutablePointer<Int>, ends: UnsafeMutablePointer<Int>) -> MatchOutcome {
        let slots = self.slots
        record = AccessRecord()
        @inline(__always) func range(_ g: Int) -> Range<Int>? {
            guard g > 0 else { return nil }
            let s = starts[g]
            return s >= 0 ? s..<ends[g] : nil
        }
        if let r = range(slots.time) {
            let (t, impossible) = time(line, r)
            if impossible { return .noMatch }
            record.time = t
        }
        if let r = range(slots.status) { record.status = ByteParsing.integer(line, r) ?? 0 }
        if let r = range(slots.bytes) { record.bytes = ByteParsing.integer(line, r) ?? 0 }
        if let r = range(slots.requestTime) { record.requestTime = ByteParsing.decimal(line, r) }
        if let r = range(slots.upstreamTime) { record.upstreamTime = ByteParsing.upstreamTime(line, r) }
        if slots.hasRequest {
            if let r = range(slots.request) { RequestLine.split(line, r, into: &record) }
        } else {
            record.method = range(slots.method)
            if let r = range(slots.path) { record.path = RequestLine.stripQuery(line, r) }
        }
        return .matched
    }

    @inline(__always)
    func fill<Captures: CaptureRanges>(_ record: inout AccessRecord, _ line: UnsafeRawBufferPointer,
                                       from captures: Captures) -> MatchOutcome {
        record = AccessRecord()
        if let f = roles.time, let r = captures.range(of: f) {
            let (t, impossible) = time(line, r)
            if impossible { return .noMatch }
            record.time = t
        }
        if let f = roles.status, let r = captures.range(of: f) {
            record.status = ByteParsing.integer(line, r) ?? 0
        }
        if let f = roles.bytes, let r = captures.range(of: f) {
            record.bytes = ByteParsing.integer(line, r) ?? 0
        }
        if let f = roles.requestTime, let r = captures.range(of: f) {
            record.requestTime = ByteParsing.decimal(line, r)
        }
        if let f = roles.upstreamTime, let r = captures.range(of: f) {
            record.upstreamTime = ByteParsing.upstreamTime(line, r)
        }
        if let f = roles.request, let r = captures.range(of: f) {
            RequestLine.split(line, r, into: &record)
        } else {
            if let f = roles.method { record.method = captures.range(of: f) }
            if let f = roles.path, let r = captures.range(of: f) {
                record.path = RequestLine.stripQuery(line, r)
            }
        }
        return .matched
    }
}

/// The scanner's capture group of each `AccessRoles` field, as plain integers (0: the role is
/// absent or has no group in the layout), so the per-line fill copies no `FieldSpec`.
struct ScannedRoles {
    var time = 0, status = 0, bytes = 0, request = 0, path = 0, method = 0, requestTime = 0, upstreamTime = 0
    /// The pattern has a `request` role (then `path` and `method` come from the request line).
    var hasRequest = false
    /// False when a role's first group in the layout is not its first group overall: `fill`
    /// then serves (a scanned line sets every group, so the first group is the one PCRE2 and
    /// `LineScanner.range(of:)` would give).
    var resolved = false

    init() {}

    init(_ roles: AccessRoles, groupSlots: Int) {
        var ok = true
        func group(_ f: FieldSpec?) -> Int {
            guard let f else { return 0 }
            guard let g = f.groups.first(where: { $0 < groupSlots }) else { return 0 }
            if g <= 0 || g != f.groups.first { ok = false }
            return g
        }
        time = group(roles.time)
        status = group(roles.status)
        bytes = group(roles.bytes)
        request = group(roles.request)
        path = group(roles.path)
        method = group(roles.method)
        requestTime = group(roles.requestTime)
        upstreamTime = group(roles.upstreamTime)
        hasRequest = roles.request != nil
        resolved = ok
    }
}

/// Where a matched line's fields are: PCRE2's match data or the byte scanner's ranges.
public protocol CaptureRanges {
    func range(of field: FieldSpec) -> Range<Int>?
}

extension MatchData: CaptureRanges {}
extension LineScanner: CaptureRanges {}

/// Reads the parts of an HTTP request line `METHOD TARGET PROTOCOL` in place.
public enum RequestLine {
    /// Sets `method` and `path` (target without query string) when the line has the usual shape:
    /// a method of capital letters, a target starting with `/` (or an absolute URL, whose path is
    /// taken), and an optional protocol. Anything else leaves both nil.
    @inline(__always)
    public static func split(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, into record: inout AccessRecord) {
        var i = range.lowerBound
        let end = range.upperBound
        while i < end, bytes[i] >= UInt8(ascii: "A"), bytes[i] <= UInt8(ascii: "Z") { i += 1 }
        // A target must follow the space: `GET ` alone (a request line cut short) has none.
        guard i > range.lowerBound, i + 1 < end, bytes[i] == UInt8(ascii: " ") else { return }
        record.method = range.lowerBound..<i
        i += 1
        var targetEnd = end
        // The protocol, if any, follows the last space.
        var j = end - 1
        // Eight bytes at a time while all eight lie after `i` (` HTTP/1.1` is nine bytes).
        if let base = bytes.baseAddress {
            while j &- 7 > i {
                let spaces = ByteWords.matches(ByteWords.load(base, j &- 7), UInt8(ascii: " "))
                if spaces != 0 {
                    j = j &- 7 &+ ByteWords.last(spaces)
                    break
                }
                j &-= 8
            }
        }
        while j > i, bytes[j] != UInt8(ascii: " ") { j -= 1 }
        if j > i { targetEnd = j }
        var targetStart = i
        if bytes[targetStart] != UInt8(ascii: "/") {
            // Absolute form `http://host/path`: skip scheme and authority.
            var k = targetStart
            while k + 2 < targetEnd, !(bytes[k] == UInt8(ascii: ":") && bytes[k + 1] == UInt8(ascii: "/") && bytes[k + 2] == UInt8(ascii: "/")) { k += 1 }
            guard k + 2 < targetEnd else { return }
            k += 3
            while k < targetEnd, bytes[k] != UInt8(ascii: "/") { k += 1 }
            guard k < targetEnd else { record.path = nil; return }
            targetStart = k
        }
        record.path = stripQuery(bytes, targetStart..<targetEnd)
    }

    @inline(__always)
    public static func stripQuery(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Range<Int> {
        var i = range.lowerBound
        if let base = bytes.baseAddress {
            while i &+ 8 <= range.upperBound {
                let word = ByteWords.load(base, i)
                let stops = ByteWords.matches(word, UInt8(ascii: "?")) | ByteWords.matches(word, UInt8(ascii: "#"))
                if stops != 0 { return range.lowerBound..<(i &+ ByteWords.first(stops)) }
                i &+= 8
            }
        }
        while i < range.upperBound {
            if bytes[i] == UInt8(ascii: "?") || bytes[i] == UInt8(ascii: "#") { break }
            i += 1
        }
        return range.lowerBound..<i
    }
}
