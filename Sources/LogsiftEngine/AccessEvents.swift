import LogParsing
import LogQuery
import PCRE2

/// Access-log lines as events for queries: every field of the format's pattern by its name
/// (`status`, `request_time`, `http_user_agent`, a grok capture…), plus the parts of `$request`
/// (`method`, `path`, `query_string`, `protocol`) when the pattern has the whole request line.
/// Field names resolve to slots once (`schema`); a decoded line lends its bytes until the next.
final class AccessEventDecoder {
    let pattern: CompiledPattern
    let schema: FieldSchema
    let matchData: MatchData
    let scanner: LineScanner?
    let roles: AccessRoles
    var zone: ZoneRule
    /// Pattern fields first (slot = index in `pattern.fields`), then the request's parts.
    var ranges: [Range<Int>?]
    let derivedStart: Int
    /// How each number slot is read.
    let readers: [NumberReader]

    enum NumberReader { case none, integer, decimal, upstreamList }

    init(pattern: CompiledPattern, zone: ZoneRule) {
        self.pattern = pattern
        self.zone = zone
        matchData = MatchData(for: pattern.regex)
        scanner = pattern.layout.map(LineScanner.init)
        roles = AccessRoles(pattern: pattern)
        var fields: [FieldSchema.Field] = []
        var readers: [NumberReader] = []
        for (slot, spec) in pattern.fields.enumerated() {
            let (kind, reader) = AccessEventDecoder.kind(of: spec)
            fields.append(.init(name: spec.name, kind: kind, slot: slot))
            readers.append(reader)
        }
        derivedStart = fields.count
        if roles.request != nil {
            for (i, name) in ["method", "path", "query_string", "protocol"].enumerated()
            where !fields.contains(where: { $0.name == name }) {
                fields.append(.init(name: name, kind: .text, slot: derivedStart + i))
            }
        }
        while readers.count < derivedStart + 4 { readers.append(.none) }
        self.readers = readers
        schema = FieldSchema(source: "access", fields: fields)
        ranges = [Range<Int>?](repeating: nil, count: derivedStart + 4)
    }

    /// What a field's values mean, by its name as nginx and Logstash write it.
    static func kind(of spec: FieldSpec) -> (FieldKind, NumberReader) {
        switch spec.name {
        case "status", "response", "connection", "connection_requests", "pid":
            return (.number(.plain), .integer)
        case "body_bytes_sent", "bytes_sent", "bytes", "request_length", "upstream_response_length",
             "upstream_bytes_received", "upstream_bytes_sent", "rl":
            return (.number(.bytes), .integer)
        case "request_time", "rt", "response_time", "duration":
            return (.number(.seconds), .decimal)
        case "upstream_response_time", "upstream_connect_time", "upstream_header_time", "urt":
            return (.number(.seconds), .upstreamList)
        case "msec":
            return (.number(.plain), .decimal)
        default:
            switch spec.type {
            case .int: return (.number(.plain), .integer)
            case .float: return (.number(.plain), .decimal)
            case .string: return (.text, .none)
            }
        }
    }

    /// Matches `line`; on a match fills the slots and returns the event's time (nil: untimed).
    func decode(_ line: UnsafeRawBufferPointer) -> (outcome: MatchOutcome, time: Int64?) {
        // The byte scanner of an nginx format first (same captures as the regex); the regex
        // for what it does not take.
        if let scanner, scanner.scan(line) { return (.matched, fill(line, from: scanner)) }
        let outcome = matchData.match(pattern.regex, line)
        guard outcome == .matched else { return (outcome, nil) }
        return (outcome, fill(line, from: matchData))
    }

    @inline(__always)
    func fill<Captures: CaptureRanges>(_ line: UnsafeRawBufferPointer, from captures: Captures) -> Int64? {
        for (slot, spec) in pattern.fields.enumerated() { ranges[slot] = captures.range(of: spec) }
        var time: Int64?
        if let f = roles.time, let r = captures.range(of: f) { time = ByteParsing.timestamp(line, r, zone: &zone) }
        if let f = roles.request {
            for i in 0..<4 { ranges[derivedStart + i] = nil }
            if let r = captures.range(of: f) { splitRequest(line, r) }
        }
        return time
    }

    /// `METHOD TARGET PROTOCOL`: the target's path and query string apart.
    func splitRequest(_ b: UnsafeRawBufferPointer, _ r: Range<Int>) {
        var record = AccessRecord()
        RequestLine.split(b, r, into: &record)
        guard let method = record.method, let path = record.path else { return }
        ranges[derivedStart] = method
        ranges[derivedStart + 1] = path
        var end = r.upperBound
        var j = r.upperBound - 1
        while j > path.upperBound, b[j] != UInt8(ascii: " ") { j -= 1 }
        if j >= path.upperBound, b[j] == UInt8(ascii: " "), j + 1 < r.upperBound {
            ranges[derivedStart + 3] = (j + 1)..<r.upperBound
            end = j
        }
        if path.upperBound < end, b[path.upperBound] == UInt8(ascii: "?") {
            ranges[derivedStart + 2] = (path.upperBound + 1)..<end
        }
    }
}

/// One decoded access line, as a query reads it.
struct AccessEvent: FieldValues {
    let decoder: AccessEventDecoder
    let line: UnsafeRawBufferPointer

    func withText<R>(_ slot: Int, _ body: (UnsafeRawBufferPointer?) -> R) -> R {
        guard slot >= 0, let r = decoder.ranges[slot] else { return body(nil) }
        let bytes = UnsafeRawBufferPointer(rebasing: line[r])
        // nginx writes `-` for a value it does not have.
        if bytes.count == 1, bytes[0] == UInt8(ascii: "-") { return body(nil) }
        return body(bytes)
    }

    func number(_ slot: Int) -> Double? {
        guard slot >= 0, let r = decoder.ranges[slot] else { return nil }
        switch decoder.readers[slot] {
        case .none: return nil
        case .integer: return ByteParsing.integer(line, r).map(Double.init)
        case .decimal: return ByteParsing.decimal(line, r)
        case .upstreamList: return ByteParsing.upstreamTime(line, r)
        }
    }

    func level(_ slot: Int) -> ApplicationLevel? { nil }
}
