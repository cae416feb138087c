import Foundation
import LogParsing
import LogQuery

/// An annotation with placeholders: `5xx at {{ $value | percent }} on {{ $labels.path }}`.
///
/// A placeholder is `$value` or `$labels.NAME`, optionally piped through one or more helpers:
/// `percent` (0.053 → 5.3%, Prometheus' `humanizePercentage` is the same), `humanize`
/// (1234567 → 1.235M), `humanizeDuration` (seconds: 90 → 1m 30s, 0.25 → 250ms). Parsed once
/// when the rule file is read; rendering allocates only the resulting string.
public struct AlertTemplate: Equatable, Sendable {
    public enum Helper: String, Equatable, Sendable, CaseIterable {
        case percent, humanizePercentage, humanize, humanizeDuration
    }
    public enum Part: Equatable, Sendable {
        case text(String)
        case value([Helper])
        case label(String, [Helper])
    }

    public let parts: [Part]
    public let source: String

    /// An error at a 1-based column of the template text.
    public struct Problem: Error, Equatable {
        public var column: Int
        public var message: String
    }

    public init(parsing text: String) throws(Problem) {
        source = text
        var parts: [Part] = []
        let scalars = Array(text.unicodeScalars)
        var i = 0
        var literal = String.UnicodeScalarView()
        func find(_ a: Unicode.Scalar, _ b: Unicode.Scalar, from: Int) -> Int? {
            var j = from
            while j + 1 < scalars.count {
                if scalars[j] == a && scalars[j + 1] == b { return j }
                j += 1
            }
            return nil
        }
        while i < scalars.count {
            if scalars[i] == "{", i + 1 < scalars.count, scalars[i + 1] == "{" {
                guard let close = find("}", "}", from: i + 2) else {
                    throw Problem(column: i + 1, message: "this {{ has no closing }}")
                }
                if !literal.isEmpty { parts.append(.text(String(literal))); literal = .init() }
                parts.append(try AlertTemplate.placeholder(scalars, (i + 2)..<close))
                i = close + 2
                continue
            }
            literal.append(scalars[i])
            i += 1
        }
        if !literal.isEmpty { parts.append(.text(String(literal))) }
        self.parts = parts
    }

    /// `$value | percent` or `$labels.path` between `i..<end` (columns 1-based in messages).
    static func placeholder(_ s: [Unicode.Scalar], _ range: Range<Int>) throws(Problem) -> Part {
        // Split on `|`, keeping each piece's start for messages.
        var pieces: [(text: String, column: Int)] = []
        var start = range.lowerBound
        for j in range.lowerBound...range.upperBound where j == range.upperBound || s[j] == "|" {
            let raw = String(String.UnicodeScalarView(s[start..<j]))
            let lead = raw.prefix { $0 == " " || $0 == "\t" }.count
            pieces.append((raw.trimmingCharacters(in: .whitespaces), start + lead + 1))
            start = j + 1
        }
        let head = pieces[0]
        var helpers: [Helper] = []
        for piece in pieces.dropFirst() {
            guard let helper = Helper(rawValue: piece.text) else {
                let names = Helper.allCases.map(\.rawValue)
                let hint = closest(piece.text, names).map { " (did you mean \($0)?)" } ?? ""
                throw Problem(column: piece.column, message: "unknown template helper '\(piece.text)'\(hint): use \(names.joined(separator: ", "))")
            }
            helpers.append(helper)
        }
        if head.text == "$value" { return .value(helpers) }
        if head.text.hasPrefix("$labels.") {
            let name = String(head.text.dropFirst("$labels.".count))
            guard RuleFile.isLabelName(name) else {
                throw Problem(column: head.column, message: "'\(name)' is not a label name (letters, digits and _)")
            }
            return .label(name, helpers)
        }
        throw Problem(column: head.column,
                      message: "a placeholder is {{ $value }} or {{ $labels.NAME }}, optionally with | percent, | humanize or | humanizeDuration; found '\(head.text)'")
    }

    static func closest(_ word: String, _ names: [String]) -> String? {
        names.first { $0.lowercased() == word.lowercased() } ?? EditDistance.closest(to: word, among: names)
    }

    /// Label names the template reads.
    public var labelNames: [String] {
        parts.compactMap { if case .label(let n, _) = $0 { return n } else { return nil } }
    }

    /// The text with `value` (nil: no value, shown as `-`) and `labels` filled in; a label the
    /// alert lacks is empty, as in Prometheus.
    public func render(value: Double?, labels: [RuleLabel]) -> String {
        var out = ""
        for part in parts {
            switch part {
            case .text(let t): out += t
            case .value(let helpers):
                guard let value else { out += "-"; continue }
                out += AlertTemplate.apply(helpers, to: value)
            case .label(let name, let helpers):
                let text = labels.last { $0.name == name }?.value ?? ""
                if helpers.isEmpty { out += text; continue }
                if let number = Double(text) { out += AlertTemplate.apply(helpers, to: number) } else { out += text }
            }
        }
        return out
    }

    static func apply(_ helpers: [Helper], to value: Double) -> String {
        guard let last = helpers.last else { return number(value) }
        // Helpers turn a number into text, so only the last one takes effect.
        switch last {
        case .percent, .humanizePercentage: return number(value * 100) + "%"
        case .humanize: return humanize(value)
        case .humanizeDuration: return humanizeDuration(value)
        }
    }

    /// Up to four significant digits, no exponent for everyday magnitudes: 0.0531, 12.5, 1234.
    public static func number(_ v: Double) -> String {
        guard v.isFinite else { return v.isNaN ? "NaN" : (v > 0 ? "+Inf" : "-Inf") }
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        let magnitude = abs(v) < 1e-12 ? 0 : Int(floor(log10(abs(v))))
        let decimals = max(0, min(12, 3 - magnitude))
        var text = String(format: "%.\(decimals)f", v)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }

    /// SI prefixes: 1234567 → 1.235M, 0.0042 → 4.2m.
    static func humanize(_ v: Double) -> String {
        guard v.isFinite, v != 0 else { return number(v) }
        let big = [(1e24, "Y"), (1e21, "Z"), (1e18, "E"), (1e15, "P"), (1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")]
        if abs(v) >= 1000 {
            for (size, prefix) in big where abs(v) >= size { return number(v / size) + prefix }
        }
        if abs(v) >= 1 { return number(v) }
        for (size, prefix) in [(1e-3, "m"), (1e-6, "µ"), (1e-9, "n"), (1e-12, "p")] where abs(v) >= size {
            return number(v / size) + prefix
        }
        return number(v)
    }

    /// Seconds as `1d 2h 3m 4s`, below a second as `250ms`.
    static func humanizeDuration(_ v: Double) -> String {
        guard v.isFinite else { return number(v) }
        let sign = v < 0 ? "-" : ""
        let a = abs(v)
        if a == 0 { return "0s" }
        if a < 1 {
            if a >= 1e-3 { return sign + number(a * 1e3) + "ms" }
            return sign + number(a * 1e6) + "us"
        }
        var rest = Int64(a)
        var out: [String] = []
        for (unit, size) in [("d", Int64(86400)), ("h", 3600), ("m", 60)] where rest >= size {
            out.append("\(rest / size)\(unit)")
            rest %= size
        }
        let seconds = Double(rest) + (a - a.rounded(.down))
        if seconds > 0 || out.isEmpty { out.append(number(seconds) + "s") }
        return sign + out.joined(separator: " ")
    }
}
