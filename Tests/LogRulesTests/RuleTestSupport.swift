import LogParsing
import LogQuery
import LogRules
import Testing

/// A made-up event: `status` (number), `path` (text), `request_time` (seconds).
struct TestEvent: FieldValues {
    var status: Double? = 200
    var path: String? = "/"
    var requestTime: Double? = 0.1

    static let schema = FieldSchema(source: "nginx", fields: [
        .init(name: "status", kind: .number(.plain), slot: 0),
        .init(name: "path", kind: .text, slot: 1),
        .init(name: "request_time", kind: .number(.seconds), slot: 2),
    ])

    func withText<R>(_ slot: Int, _ body: (UnsafeRawBufferPointer?) -> R) -> R {
        switch slot {
        case 0: guard let status else { return body(nil) }; return Array(String(Int(status)).utf8).withUnsafeBytes { body($0) }
        case 1: guard let path else { return body(nil) }; return Array(path.utf8).withUnsafeBytes { body($0) }
        case 2: guard let requestTime else { return body(nil) }; return Array(String(requestTime).utf8).withUnsafeBytes { body($0) }
        default: return body(nil)
        }
    }
    func number(_ slot: Int) -> Double? {
        switch slot {
        case 0: return status
        case 2: return requestTime
        default: return nil
        }
    }
    func level(_ slot: Int) -> ApplicationLevel? { nil }
}

enum RuleTest {
    /// 2027-01-15T08:00:00Z: a multiple of every step used here.
    static let t0: Int64 = 1_800_000_000

    static func rules(_ yaml: String) throws -> [AlertRule] {
        switch RuleFile.load(yaml, file: "test.yml", fields: { source in
            if case .family("postgres") = source { return FieldSchema(source: "postgres", fields: []) }
            return TestEvent.schema
        }) {
        case .success(let rules): return rules
        case .failure(let e): throw e
        }
    }

    /// The problems of `yaml`, as `line:column: message`.
    static func problems(_ yaml: String) -> [String] {
        switch RuleFile.load(yaml, file: "t.yml", fields: { source in
            if case .family("postgres") = source { return FieldSchema(source: "postgres", fields: []) }
            return TestEvent.schema
        }) {
        case .success: return []
        case .failure(let e): return e.errors.map { "\($0.line):\($0.column): \($0.message)" }
        }
    }
}

extension RuleFileErrors: CustomStringConvertible {
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}

/// Transitions as `(seconds after t0, alert, state)`, for comparing with hand-computed ones.
func summary(_ transitions: [AlertTransition]) -> [String] {
    transitions.map { "\($0.time - RuleTest.t0) \($0.rule) \($0.event)" }
}
