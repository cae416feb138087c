import LogParsing
import PCRE2

/// The access-log family's `LineProcessor`: matches each line with the input's pattern and
/// adds it to one `TrafficAggregate` shared by every access-log input the worker reads.
public final class AccessProcessor: LineProcessor {
    public private(set) var aggregate: TrafficAggregate
    /// Parsers by format name and pattern text (guessed formats of two inputs may share a
    /// name): one per pattern, made once per worker (they own match data).
    var parsers: [String: AccessRecordParser] = [:]
    var parser: AccessRecordParser? {
        didSet { parserReference = parser.map { Unmanaged.passUnretained($0) } }
    }
    /// `parser` without a reference count: `parser` itself (and `parsers`) keeps it alive, so
    /// the per-line call need not retain and release it.
    var parserReference: Unmanaged<AccessRecordParser>?
    var record = AccessRecord()
    /// How ISO 8601 times written without a zone are read (`--tz`).
    let zone: ZoneRule

    public init(aggregate: TrafficAggregate, zone: ZoneRule = .utc) {
        self.aggregate = aggregate
        self.zone = zone
    }

    /// Selects the pattern for the next input.
    public func begin(name: String, pattern: CompiledPattern) {
        let key = name + "\u{0}" + pattern.source
        if let known = parsers[key] {
            parser = known
        } else {
            let made = AccessRecordParser(pattern: pattern, zone: zone)
            parsers[key] = made
            parser = made
        }
    }

    /// Whether the current pattern carries a request time.
    public var hasLatency: Bool { parser?.roles.hasLatency ?? false }

    @inline(__always)
    public func consume(_ line: UnsafeRawBufferPointer) -> LineVerdict {
        guard let parserReference else { return .unmatched }
        switch parserReference._withUnsafeGuaranteedRef({ $0.parse(line, into: &record) }) {
        case .matched:
            aggregate.add(record, line: line)
            return .matched
        case .limitExceeded:
            return .limitExceeded
        case .noMatch, .error:
            return .unmatched
        }
    }

    public func endInput() {}
}
