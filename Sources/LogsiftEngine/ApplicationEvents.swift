import LogAggregation
import LogParsing
import LogQuery

/// Application-log events (a line with its stack trace or continuation lines, as the report
/// joins them) for queries, assembled by the report's own `ApplicationProcessor`.
///
/// Fields: `level`, `service` (the docker-compose or bracketed service, else a `service` key),
/// `logger` (a `logger`/`logger_name` key), `message`, `template` (the message's error template,
/// `ErrorTemplate`, as the report keys error groups before merging similar ones); nginx and
/// Apache error logs add `client`, `server`, `request`, `upstream`, `host`. JSON-lines and logfmt
/// events add every key of their line: the keys a query names get slots once (`bind`), and each
/// event's line is scanned once, on first use, against that small table; numbers are read when
/// a query asks. A key's unit comes from its name: `…_ms` milliseconds; `response_time`,
/// `…_seconds`, `…_secs` seconds; `bytes`, `…_bytes` bytes.
final class ApplicationEventDecoder: QueryEventDecoder, ApplicationEventSink {
    typealias Event = ApplicationEventView
    enum Slot {
        static let level = 0, service = 1, logger = 2, message = 3, template = 4
        static let client = 5, server = 6, request = 7, upstream = 8, host = 9, fixed = 10
    }

    let format: ApplicationFormat
    let processor: ApplicationProcessor
    var keepsRawText = false
    private(set) var schema: FieldSchema
    /// Whether lines have keys (JSON lines, logfmt).
    var hasKeys: Bool { format == .jsonLines || format == .logfmt }

    /// The keys a query names, in slot order from `Slot.fixed`; with `logger`/`service`
    /// fallbacks at the end.
    var wanted: [[UInt8]] = []
    var wantedNumbers: [Bool] = []
    var loggerKeys: [Int] = []
    var serviceKey = -1
    /// Ranges of the wanted keys in the current event (scanned on first use).
    var keyRanges: [Range<Int>?] = []
    var keysScanned = false

    // The event being emitted.
    var record = ApplicationRecord()
    var bytes = UnsafeRawBufferPointer(start: nil, count: 0)
    let template: UnsafeMutableRawBufferPointer
    var templateLength = -1
    var emitter: Emit?

    /// Probes single lines for `--since`/`--until` (formats whose lines carry whole dates).
    let probe: ApplicationLineTime?
    var timesSingleLines: Bool { probe != nil }
    func lineTime(_ line: UnsafeRawBufferPointer) -> Int64? { probe?.time(line) }

    init(format: ApplicationFormat, zone: ZoneRule, referenceTime: Int64? = nil) {
        probe = ApplicationLineTime(format: format, zone: zone)
        self.format = format
        processor = ApplicationProcessor(bucketSeconds: 60, zone: zone)
        if let referenceTime { processor.referenceTime = referenceTime }
        template = .allocate(byteCount: ErrorTemplate.maxLength, alignment: 8)
        schema = FieldSchema(source: "application", fields: [])
        processor.begin(format: format)
        processor.eventSink = self
        bind(keys: [:])
    }

    deinit { template.deallocate() }

    /// The fields every event of this format offers.
    var fixedFields: [FieldSchema.Field] {
        var fields: [FieldSchema.Field] = [
            .init(name: "level", kind: .level, slot: Slot.level),
            .init(name: "service", kind: .text, slot: Slot.service),
            .init(name: "logger", kind: .text, slot: Slot.logger),
            .init(name: "message", kind: .text, slot: Slot.message),
            .init(name: "template", kind: .text, slot: Slot.template),
        ]
        if format == .nginxError || format == .apacheError {
            fields += [
                .init(name: "client", kind: .text, slot: Slot.client),
                .init(name: "server", kind: .text, slot: Slot.server),
                .init(name: "request", kind: .text, slot: Slot.request),
                .init(name: "upstream", kind: .text, slot: Slot.upstream),
                .init(name: "host", kind: .text, slot: Slot.host),
            ]
        }
        return fields
    }

    /// Gives the keys a query names (with the kind each should have) their slots. Names of
    /// fixed fields are not keys. Formats without keys ignore them.
    func bind(keys: [String: FieldKind]) {
        var fields = fixedFields
        let fixed = Set(fields.map(\.name))
        wanted = []
        wantedNumbers = []
        if hasKeys {
            for (name, kind) in keys.sorted(by: { $0.key < $1.key }) where !fixed.contains(name) {
                fields.append(.init(name: name, kind: kind, slot: Slot.fixed + wanted.count))
                wanted.append(Array(name.utf8))
                if case .number = kind { wantedNumbers.append(true) } else { wantedNumbers.append(false) }
            }
            // Fallbacks of fixed fields, scanned with the rest.
            serviceKey = wanted.count
            wanted.append(Array("service".utf8))
            loggerKeys = [wanted.count, wanted.count + 1]
            wanted.append(Array("logger".utf8))
            wanted.append(Array("logger_name".utf8))
        }
        keyRanges = [Range<Int>?](repeating: nil, count: wanted.count)
        schema = FieldSchema(source: "application", fields: fields)
    }

    /// The unit a key's name gives it (nil: none; then its values decide number or text).
    static func unit(ofKey name: String) -> NumberUnit? {
        if name.hasSuffix("_ms") || name.hasSuffix("Ms") { return .milliseconds }
        if name == "response_time" || name.hasSuffix("_seconds") || name.hasSuffix("_secs") { return .seconds }
        if name == "bytes" || name.hasSuffix("_bytes") { return .bytes }
        return nil
    }

    // MARK: - Reading

    func feed(_ line: UnsafeRawBufferPointer, _ emit: Emit) -> LineVerdict {
        withoutActuallyEscaping(emit) { emit in
            emitter = emit
            defer { emitter = nil }
            return processor.consume(line)
        }
    }

    func blank() { processor.blankLine() }

    func finish(_ emit: Emit) {
        withoutActuallyEscaping(emit) { emit in
            emitter = emit
            defer { emitter = nil }
            processor.endInput()
        }
    }

    func applicationEvent(_ record: ApplicationRecord, bytes: UnsafeRawBufferPointer, truncated: Bool) {
        self.record = record
        self.bytes = bytes
        templateLength = -1
        keysScanned = false
        emitter?(record.time, ApplicationEventView(decoder: self), bytes)
    }

    /// Ranges of the wanted keys in this event's first line.
    @inline(__always)
    func scanKeys() {
        keysScanned = true
        for i in keyRanges.indices { keyRanges[i] = nil }
        guard !wanted.isEmpty else { return }
        let b = bytes
        ApplicationKeys.scan(b, format: format) { key, value, _ in
            for (i, name) in wanted.enumerated() where name.count == key.count && keyRanges[i] == nil {
                let same = name.withUnsafeBytes { memcmp($0.baseAddress!, b.baseAddress! + key.lowerBound, key.count) == 0 }
                if same { keyRanges[i] = value; return }
            }
        }
    }

    @inline(__always)
    func key(_ index: Int) -> Range<Int>? {
        if !keysScanned { scanKeys() }
        guard index >= 0, index < keyRanges.count, let r = keyRanges[index], r.upperBound <= bytes.count else { return nil }
        // JSON `null` is no value.
        if r.count == 4, bytes[r.lowerBound] == UInt8(ascii: "n"),
           memcmp(bytes.baseAddress! + r.lowerBound, "null", 4) == 0 { return nil }
        return r
    }

    func templateBytes() -> UnsafeRawBufferPointer {
        if templateLength < 0 {
            templateLength = ErrorTemplate.write(bytes, record.message.clamped(to: 0..<bytes.count), into: template)
        }
        return UnsafeRawBufferPointer(rebasing: template[0..<templateLength])
    }
}

/// The event an `ApplicationEventDecoder` is emitting, as a query reads it.
struct ApplicationEventView: FieldValues {
    let decoder: ApplicationEventDecoder

    func range(_ slot: Int) -> Range<Int>? {
        let r = decoder.record
        typealias S = ApplicationEventDecoder.Slot
        switch slot {
        case S.service: return r.service ?? (decoder.hasKeys ? decoder.key(decoder.serviceKey) : nil)
        case S.logger:
            guard decoder.hasKeys else { return nil }
            return decoder.key(decoder.loggerKeys[0]) ?? decoder.key(decoder.loggerKeys[1])
        case S.message: return r.message
        case S.client: return r.client
        case S.server: return r.server
        case S.request: return r.request
        case S.upstream: return r.upstream
        case S.host: return r.host
        default: return slot >= S.fixed ? decoder.key(slot - S.fixed) : nil
        }
    }

    func withText<R>(_ slot: Int, _ body: (UnsafeRawBufferPointer?) -> R) -> R {
        switch slot {
        case ApplicationEventDecoder.Slot.level:
            return decoder.record.level == .unknown ? body(nil) : FieldText.withLevel(decoder.record.level, body)
        case ApplicationEventDecoder.Slot.template:
            return body(decoder.templateBytes())
        default:
            guard let r = range(slot), r.upperBound <= decoder.bytes.count else { return body(nil) }
            return body(UnsafeRawBufferPointer(rebasing: decoder.bytes[r]))
        }
    }

    func number(_ slot: Int) -> Double? {
        guard slot >= ApplicationEventDecoder.Slot.fixed, let r = decoder.key(slot - ApplicationEventDecoder.Slot.fixed) else { return nil }
        return ByteParsing.decimal(decoder.bytes, r)
    }

    func level(_ slot: Int) -> ApplicationLevel? {
        guard slot == ApplicationEventDecoder.Slot.level, decoder.record.level != .unknown else { return nil }
        return decoder.record.level
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension ApplicationEventDecoder {
    /// What the first lines of an input show of a key: its kind (by name, else number when
    /// every value read as one) and its first distinct values.
    struct KeyInfo {
        var kind: FieldKind
        var examples: [[UInt8]] = []
    }

    /// The keys of `lines` (JSON lines, logfmt), by name, with their kinds and examples.
    func discoverKeys(_ lines: [[UInt8]], examples: Int = 3) -> [String: KeyInfo] {
        guard hasKeys else { return [:] }
        var found: [String: KeyInfo] = [:]
        var allNumbers: [String: Bool] = [:]
        for line in lines {
            line.withUnsafeBytes { b in
                ApplicationKeys.scan(b, format: format) { key, value, _ in
                    let name = String(decoding: UnsafeRawBufferPointer(rebasing: b[key]), as: UTF8.self)
                    let text = Array(b[value])
                    let isNull = text == Array("null".utf8)
                    let isNumber = !isNull && ByteParsing.decimal(b, value) != nil
                    if !isNull { allNumbers[name] = (allNumbers[name] ?? true) && isNumber }
                    var info = found[name] ?? KeyInfo(kind: .text)
                    if !isNull, info.examples.count < examples, !info.examples.contains(text) { info.examples.append(text) }
                    found[name] = info
                }
            }
        }
        for name in found.keys {
            if let unit = ApplicationEventDecoder.unit(ofKey: name) {
                found[name]!.kind = .number(unit)
            } else if allNumbers[name] == true {
                found[name]!.kind = .number(.plain)
            }
        }
        return found
    }
}
