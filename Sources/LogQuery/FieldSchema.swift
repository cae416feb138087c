import LogParsing

/// What a number means, so `2s` and `1MB` in a query become the field's own unit.
public enum NumberUnit: String, Equatable, Sendable {
    case plain
    /// `request_time`, `upstream_response_time`, `response_time`: seconds.
    case seconds
    /// `duration_ms`, `took_ms`: milliseconds.
    case milliseconds
    /// `body_bytes_sent`, `bytes`: bytes.
    case bytes
}

/// How a field's bytes are read when a query looks at it.
public enum FieldKind: Equatable, Sendable {
    case number(NumberUnit)
    case text
    /// An application log level, ordered trace < debug < info < notice < warn < error < fatal.
    case level
}

/// The fields an input's events offer, each at a slot the decoder fills. A query names fields;
/// binding resolves each name to a slot once, so no event is looked up by name.
public struct FieldSchema: Sendable {
    public struct Field: Equatable, Sendable {
        public let name: String
        public let kind: FieldKind
        public let slot: Int
        public init(name: String, kind: FieldKind, slot: Int) {
            self.name = name
            self.kind = kind
            self.slot = slot
        }
    }

    /// The input (or family) the schema describes, for notes such as "app.log has no field status".
    public let source: String
    public let fields: [Field]

    public init(source: String, fields: [Field]) {
        self.source = source
        self.fields = fields
    }

    public func field(named name: String) -> Field? { fields.first { $0.name == name } }
}

/// An event as a filter sees it: a value per slot, or none when this event lacks the field.
/// Bytes are lent for the duration of the closure only.
public protocol FieldValues {
    func withText<R>(_ slot: Int, _ body: (UnsafeRawBufferPointer?) -> R) -> R
    func number(_ slot: Int) -> Double?
    func level(_ slot: Int) -> ApplicationLevel?
}
