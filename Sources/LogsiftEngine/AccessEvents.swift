import LogParsing
import LogQuery
import PCRE2

/// Access-log lines as events for queries: every field of the format's pattern by its name
/// (`status`, `request_time`, `http_user_agent`, a grok capture…), plus the parts of `$request`
/// (`method`, `path`, `query_string`, `protocol`) when the pattern has the whole request line.
/// Field names resolve to slots once (`schema`); a decoded line lends its bytes until the next.
///
/// `decode` matches a line (the byte scanner, else the regex) and reads only its time; a slot's
/// range is read from the captures when an event first asks for it, so a filter on `status`
/// costs no work on the other fields. The per-line state sits behind pointers: the per-line path
/// then costs no exclusivity check.
final class AccessEventDecoder {
    let pattern: CompiledPattern
    let schema: FieldSchema
    let matchData: MatchData
    let scanner: LineScanner?
    let roles: AccessRoles
    /// Pattern fields first (slot = index in `pattern.fields`), then the request's parts.
    let derivedStart: Int
    /// How each number slot is read.
    let readers: [NumberReader]
    /// The last decoded line's number (counted from 1), which captures hold it, and the zone
    /// (with its cache) of times written without one.
    let state: UnsafeMutablePointer<State>
    /// Per slot: its range in the last decoded line, valid when `stamps[slot] == state.line`.
    let ranges: UnsafeMutablePointer<Range<Int>?>
    let stamps: UnsafeMutablePointer<UInt64>
    /// Per slot: its number in the last decoded line, valid when `numberStamps[slot] ==
    /// state.line` (a rule, a filter and the live panes read the same status and request time:
    /// parsed once).
    let numbers: UnsafeMutablePointer<Double?>
    let numberStamps: UnsafeMutablePointer<UInt64>
    /// The capture groups of pattern field i: `groups[groupStarts[i]..<groupStarts[i + 1]]`
    /// (the first that took part wins, as `range(of:)` reads them).
    let groups: UnsafeMutablePointer<Int>
    let groupStarts: UnsafeMutablePointer<Int>
    /// Slots of the time and of the whole request line (-1: the pattern has none).
    let timeSlot: Int
    let requestSlot: Int
    let slotCount: Int

    struct State {
        var line: UInt64 = 0
        var fromScanner = false
        var zone: ZoneRule
    }

    enum NumberReader { case none, integer, decimal, upstreamList }

    init(pattern: CompiledPattern, zone: ZoneRule) {
        self.pattern = pattern
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
        slotCount = derivedStart + 4
        state = .allocate(capacity: 1)
        state.initialize(to: State(zone: zone))
        ranges = .allocate(capacity: slotCount)
        ranges.initialize(repeating: nil, count: slotCount)
        stamps = .allocate(capacity: slotCount)
        stamps.initialize(repeating: 0, count: slotCount)
        numbers = .allocate(capacity: slotCount)
        numbers.initialize(repeating: nil, count: slotCount)
        numberStamps = .allocate(capacity: slotCount)
        numberStamps.initialize(repeating: 0, count: slotCount)
        let flat = pattern.fields.flatMap(\.groups)
        groups = .allocate(capacity: max(1, flat.count))
        groups.initialize(from: flat, count: flat.count)
        groupStarts = .allocate(capacity: derivedStart + 1)
        var at = 0
        for (i, spec) in pattern.fields.enumerated() {
            groupStarts[i] = at
            at += spec.groups.count
        }
        groupStarts[derivedStart] = at
        timeSlot = roles.time.flatMap { f in pattern.fields.firstIndex { $0.name == f.name } } ?? -1
        requestSlot = roles.request.flatMap { f in pattern.fields.firstIndex { $0.name == f.name } } ?? -1
    }

    deinit {
        state.deinitialize(count: 1)
        state.deallocate()
        ranges.deallocate()
        stamps.deallocate()
        numbers.deallocate()
        numberStamps.deallocate()
        groups.deallocate()
        groupStarts.deallocate()
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

    /// Matches `line`; on a match returns the event's time (nil: untimed). Its fields are read
    /// from the captures when asked for (`range`), until the next line is decoded.
    @inline(__always)
    func decode(_ line: UnsafeRawBufferPointer) -> (outcome: MatchOutcome, time: Int64?) {
        state.pointee.line &+= 1
        // The byte scanner of an nginx format first (same captures as the regex); the regex
        // for what it does not take.
        if let scanner, scanner.scan(line) {
            state.pointee.fromScanner = true
            return (.matched, time(line))
        }
        state.pointee.fromScanner = false
        let outcome = matchData.match(pattern.regex, line)
        guard outcome == .matched else { return (outcome, nil) }
        return (outcome, time(line))
    }

    @inline(__always)
    func time(_ line: UnsafeRawBufferPointer) -> Int64? {
        guard timeSlot >= 0, let r = range(timeSlot, line) else { return nil }
        return ByteParsing.timestamp(line, r, zone: &state.pointee.zone)
    }

    /// Byte range of `slot` in the last decoded line (`line`), read from its captures the
    /// first time it is asked for.
    @inline(__always)
    func range(_ slot: Int, _ line: UnsafeRawBufferPointer) -> Range<Int>? {
        guard slot >= 0, slot < slotCount else { return nil }
        if stamps[slot] != state.pointee.line { read(slot, line) }
        return ranges[slot]
    }

    func read(_ slot: Int, _ line: UnsafeRawBufferPointer) {
        let current = state.pointee.line
        if slot < derivedStart {
            ranges[slot] = capture(slot)
            stamps[slot] = current
            return
        }
        for i in derivedStart..<slotCount {
            ranges[i] = nil
            stamps[i] = current
        }
        if requestSlot >= 0, let r = range(requestSlot, line) { splitRequest(line, r) }
    }

    /// The first of pattern field `slot`'s capture groups that took part in the last match.
    @inline(__always)
    func capture(_ slot: Int) -> Range<Int>? {
        let from = groupStarts[slot], to = groupStarts[slot + 1]
        if state.pointee.fromScanner, let scanner {
            for k in from..<to { if let r = scanner.range(group: groups[k]) { return r } }
        } else {
            for k in from..<to { if let r = matchData.range(groups[k]) { return r } }
        }
        return nil
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
public struct AccessEvent: FieldValues {
    let decoder: AccessEventDecoder
    let line: UnsafeRawBufferPointer

    public func withText<R>(_ slot: Int, _ body: (UnsafeRawBufferPointer?) -> R) -> R {
        guard let r = decoder.range(slot, line) else { return body(nil) }
        let bytes = UnsafeRawBufferPointer(rebasing: line[r])
        // nginx writes `-` for a value it does not have.
        if bytes.count == 1, bytes[0] == UInt8(ascii: "-") { return body(nil) }
        return body(bytes)
    }

    public func number(_ slot: Int) -> Double? {
        guard slot >= 0, slot < decoder.slotCount else { return nil }
        let current = decoder.state.pointee.line
        if decoder.numberStamps[slot] == current { return decoder.numbers[slot] }
        let value: Double?
        if let r = decoder.range(slot, line) {
            switch decoder.readers[slot] {
            case .none: value = nil
            case .integer: value = ByteParsing.integer(line, r).map(Double.init)
            case .decimal: value = ByteParsing.decimal(line, r)
            case .upstreamList: value = ByteParsing.upstreamTime(line, r)
            }
        } else {
            value = nil
        }
        decoder.numbers[slot] = value
        decoder.numberStamps[slot] = current
        return value
    }

    public func level(_ slot: Int) -> ApplicationLevel? { nil }
}
