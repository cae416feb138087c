/// LogReport: turns an `Analysis` into what a person or a script reads.
///
/// Takes an `Analysis`, gives text for a terminal or JSON with a documented, stable schema
/// (`docs/json-schema.md`). It knows nothing of how the analysis was computed.

import LogAggregation

/// A JSON value whose objects keep their keys in the order written, so output is stable.
public indirect enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        a.rendered(pretty: false) == b.rendered(pretty: false)
    }

    public static func number(_ v: UInt64) -> JSONValue { .int(Int64(clamping: v)) }
    public static func number(_ v: Int) -> JSONValue { .int(Int64(v)) }
    public static func optional(_ v: Double?) -> JSONValue { v.map { .double($0) } ?? .null }

    public func rendered(pretty: Bool = true) -> String {
        var out = ""
        write(into: &out, indent: pretty ? 0 : nil)
        return out
    }

    func write(into out: inout String, indent: Int?) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d): out += JSONValue.format(d)
        case .string(let s): JSONValue.quote(s, into: &out)
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                newline(&out, indent.map { $0 + 1 })
                item.write(into: &out, indent: indent.map { $0 + 1 })
            }
            newline(&out, indent)
            out += "]"
        case .object(let members):
            if members.isEmpty { out += "{}"; return }
            out += "{"
            for (i, (key, value)) in members.enumerated() {
                if i > 0 { out += "," }
                newline(&out, indent.map { $0 + 1 })
                JSONValue.quote(key, into: &out)
                out += indent == nil ? ":" : ": "
                value.write(into: &out, indent: indent.map { $0 + 1 })
            }
            newline(&out, indent)
            out += "}"
        }
    }

    private func newline(_ out: inout String, _ indent: Int?) {
        guard let indent else { return }
        out += "\n" + String(repeating: "  ", count: indent)
    }

    /// Integers without a fraction; other numbers at 15 significant digits, as the shortest
    /// text that reads back as that value. Every decimal of up to 15 digits survives a trip
    /// through a double, so what a log wrote (`2.667`, `1000.152`) prints as written even when
    /// a unit conversion or a sum left binary noise in the 17th digit (`2.6670000000000003`).
    public static func format(_ d: Double) -> String {
        guard d.isFinite else { return "null" }
        if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
        let clean = DecimalRounding.significant(d, digits: 15)
        if clean == clean.rounded(), abs(clean) < 1e15 { return String(Int64(clean)) }
        return "\(clean)"
    }

    static func quote(_ s: String, into out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}
