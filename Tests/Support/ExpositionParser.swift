/// A reader of the Prometheus text format (version 0.0.4) written from the format's rules, for
/// tests: it is the oracle the renderer is checked against, so it shares no code with it.
///
/// Grammar: `# HELP name text` (text escapes `\\` and `\n`), `# TYPE name type`, other `#`
/// lines are comments; a sample is `name[{label="value",...}] value [timestamp]`, where a
/// label value escapes `\\`, `\"` and `\n` and any other backslash sequence is an error.
public struct ExpositionParser {
    public struct Sample: Equatable, CustomStringConvertible {
        public var name: String
        public var labels: [String: String]
        public var value: Double
        public var description: String { "\(name)\(labels) \(value)" }
        public init(name: String, labels: [String: String], value: Double) {
            self.name = name
            self.labels = labels
            self.value = value
        }
    }

    public struct Failure: Error, CustomStringConvertible {
        public var line: Int
        public var reason: String
        public var description: String { "line \(line): \(reason)" }
    }

    public var help: [String: String] = [:]
    public var types: [String: String] = [:]
    public var samples: [Sample] = []

    public init(_ text: String) throws {
        guard text.isEmpty || text.hasSuffix("\n") else { throw Failure(line: 0, reason: "no final newline") }
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let chars = Array(line.unicodeScalars)
            if chars.isEmpty { continue }
            if chars[0] == "#" {
                let parts = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false)
                if parts.count >= 3, parts[1] == "HELP" {
                    let text = parts.count == 4 ? String(parts[3]) : ""
                    help[String(parts[2])] = try Self.unescape(text, quote: false, line: number + 1)
                } else if parts.count == 4, parts[1] == "TYPE" {
                    guard ["counter", "gauge", "histogram", "summary", "untyped"].contains(parts[3]) else {
                        throw Failure(line: number + 1, reason: "unknown type \(parts[3])")
                    }
                    types[String(parts[2])] = String(parts[3])
                }
                continue
            }
            samples.append(try Self.sample(chars, line: number + 1))
        }
    }

    /// The value of the one sample with this name and exactly these labels.
    public func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples.first { $0.name == name && $0.labels == labels }?.value
    }

    static func isNameStart(_ c: Unicode.Scalar, colon: Bool) -> Bool {
        (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c == "_" || (colon && c == ":")
    }

    static func sample(_ c: [Unicode.Scalar], line: Int) throws -> Sample {
        var i = 0
        func fail(_ reason: String) -> Failure { Failure(line: line, reason: reason + " at column \(i + 1)") }
        func name(colon: Bool) throws -> String {
            var out = ""
            guard i < c.count, isNameStart(c[i], colon: colon) else { throw fail("expected a name") }
            while i < c.count, isNameStart(c[i], colon: colon) || (c[i] >= "0" && c[i] <= "9") {
                out.unicodeScalars.append(c[i]); i += 1
            }
            return out
        }
        let metric = try name(colon: true)
        var labels: [String: String] = [:]
        if i < c.count, c[i] == "{" {
            i += 1
            while i < c.count, c[i] != "}" {
                let label = try name(colon: false)
                guard i + 1 < c.count, c[i] == "=", c[i + 1] == "\"" else { throw fail("expected =\"") }
                i += 2
                var value = ""
                while true {
                    guard i < c.count else { throw fail("unterminated label value") }
                    if c[i] == "\"" { i += 1; break }
                    if c[i] == "\\" {
                        guard i + 1 < c.count else { throw fail("dangling backslash") }
                        switch c[i + 1] {
                        case "\\": value += "\\"
                        case "\"": value += "\""
                        case "n": value += "\n"
                        default: throw fail("bad escape \\\(c[i + 1])")
                        }
                        i += 2
                    } else {
                        value.unicodeScalars.append(c[i]); i += 1
                    }
                }
                guard labels[label] == nil else { throw fail("label \(label) twice") }
                labels[label] = value
                if i < c.count, c[i] == "," { i += 1 }
            }
            guard i < c.count else { throw fail("unterminated label set") }
            i += 1
        }
        guard i < c.count, c[i] == " " else { throw fail("expected a space before the value") }
        i += 1
        var text = ""
        while i < c.count, c[i] != " " { text.unicodeScalars.append(c[i]); i += 1 }
        let value: Double
        switch text {
        case "+Inf": value = .infinity
        case "-Inf": value = -.infinity
        case "NaN": value = .nan
        default:
            guard let v = Double(text), text.allSatisfy({ "0123456789.eE+-".contains($0) }) else {
                throw fail("bad value '\(text)'")
            }
            value = v
        }
        return Sample(name: metric, labels: labels, value: value)
    }

    static func unescape(_ text: String, quote: Bool, line: Int) throws -> String {
        var out = ""
        var it = text.unicodeScalars.makeIterator()
        while let c = it.next() {
            guard c == "\\" else { out.unicodeScalars.append(c); continue }
            switch it.next() {
            case "\\": out += "\\"
            case "n": out += "\n"
            case "\"" where quote: out += "\""
            default: throw Failure(line: line, reason: "bad escape in HELP")
            }
        }
        return out
    }
}
