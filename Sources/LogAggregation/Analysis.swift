/// What one input contributed, for the report header and for error messages.
public struct InputSummary: Sendable {
    public var name: String
    /// The format used for the input (detected or given), or "unknown".
    public var format: String
    public var lines: UInt64 = 0
    public var matched: UInt64 = 0
    public var unmatched: UInt64 = 0
    public var blank: UInt64 = 0
    /// Lines a pattern gave up on (PCRE2 match limit): also counted in `unmatched`.
    public var limitExceeded: UInt64 = 0
    /// Lines longer than the line cap: cut to the cap and still parsed.
    public var overlong: UInt64 = 0
    public var bytesRead: UInt64 = 0
    /// A read error that ended the input early (what came before it still counts).
    public var error: String?
    /// The nginx `log_format` detection guessed for the input, when it guessed one (a built-in
    /// with `name=value` fields appended, or a custom layout).
    public var guessedNginxFormat: String?

    public init(name: String, format: String) {
        self.name = name
        self.format = format
    }

    public mutating func merge(_ other: InputSummary) {
        lines += other.lines
        matched += other.matched
        unmatched += other.unmatched
        blank += other.blank
        limitExceeded += other.limitExceeded
        overlong += other.overlong
        bytesRead += other.bytesRead
        if error == nil { error = other.error }
        if guessedNginxFormat == nil { guessedNginxFormat = other.guessedNginxFormat }
    }
}

/// A line that matched no pattern, kept so the user can see what was not understood.
public struct UnmatchedSample: Sendable, Equatable {
    public var input: String
    public var inputIndex: Int
    /// 1-based line number within the input.
    public var line: Int
    /// The line's text (invalid UTF-8 shown as U+FFFD), cut to `maxLength` bytes.
    public var text: String

    public static let maxLength = 300

    public init(input: String, inputIndex: Int, line: Int, bytes: UnsafeRawBufferPointer) {
        self.input = input
        self.inputIndex = inputIndex
        self.line = line
        self.text = String(decoding: bytes.prefix(UnmatchedSample.maxLength), as: UTF8.self)
    }
}

/// The result of analysing a set of inputs: what every output is made from.
public struct Analysis: Sendable {
    public var inputs: [InputSummary]
    /// Access logs (empty when no input was one).
    public var traffic: TrafficAggregate
    /// PostgreSQL logs, when any input was one.
    public var postgres: PostgresAggregate?
    /// Application logs, syslog and nginx error logs, when any input was one.
    public var application: ApplicationAggregate?
    public var samples: [UnmatchedSample]
    /// Whether any input's format carries a request time (latency columns are shown then).
    public var hasLatency: Bool
    /// Totals per label value (`report --label`, combined by `merge`): a merged report breaks
    /// its totals down by them when there is more than one.
    public var labels: [LabelTotals] = []
    public var elapsedSeconds: Double = 0

    public init(inputs: [InputSummary], traffic: TrafficAggregate, samples: [UnmatchedSample], hasLatency: Bool) {
        self.inputs = inputs
        self.traffic = traffic
        self.samples = samples
        self.hasLatency = hasLatency
    }

    /// Earliest and latest event time over every section, nil when no event had a time.
    public var timeRange: (first: Int64, last: Int64)? {
        var first = traffic.firstTime, last = traffic.lastTime
        if let p = postgres { first = min(first, p.firstTime); last = max(last, p.lastTime) }
        if let a = application { first = min(first, a.firstTime); last = max(last, a.lastTime) }
        return first <= last ? (first, last) : nil
    }

    public var totalLines: UInt64 { inputs.reduce(0) { $0 + $1.lines } }
    public var unmatched: UInt64 { inputs.reduce(0) { $0 + $1.unmatched } }
    public var matched: UInt64 { inputs.reduce(0) { $0 + $1.matched } }
    public var bytesRead: UInt64 { inputs.reduce(0) { $0 + $1.bytesRead } }
}
