import LogParsing
import LogQuery
import Yams

/// A problem in a rule file at a 1-based line and column, with what to do.
public struct RuleFileError: Error, Equatable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    public var message: String

    public init(file: String, line: Int, column: Int, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    /// `alerts.yml:7:11: bad duration '5 min': write e.g. 30s, 5m, 1h30m`
    public var description: String { "\(file):\(line):\(column): \(message)" }
}

/// Reads a rule file:
///
///     rules:
///       - alert: HighErrorRate
///         source: nginx
///         expr: rate(status >= 500) > 0.05
///         window: 5m
///         for: 5m
///         labels: {severity: warning}
///         annotations: {summary: "5xx at {{ $value | percent }}"}
///
/// Every problem is collected (not only the first), each at its line and column; a file with any
/// problem gives no rules. Field names are checked against the schema of the rule's source.
public enum RuleFile {
    public static let keys = ["alert", "source", "expr", "window", "by", "for", "keep_firing_for", "labels", "annotations"]

    /// The rules of `text`, or every problem found in it. `fields` gives the schema of a source
    /// (an empty schema: the source has no fields in this version).
    public static func load(_ text: String, file: String, fields: @escaping (RuleSource) -> FieldSchema) -> Result<[AlertRule], RuleFileErrors> {
        var reader = Reader(file: file, text: text, fields: fields)
        let rules = reader.read()
        // In file order, whatever order the checks found them in.
        let errors = reader.errors.enumerated().sorted {
            ($0.element.line, $0.element.column, $0.offset) < ($1.element.line, $1.element.column, $1.offset)
        }.map(\.element)
        return errors.isEmpty ? .success(rules) : .failure(RuleFileErrors(errors: errors))
    }

    /// `severity`, `path`: what Prometheus accepts as a label name.
    public static func isLabelName(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, !(first >= "0" && first <= "9") else { return false }
        return s.unicodeScalars.allSatisfy { ($0 >= "a" && $0 <= "z") || ($0 >= "A" && $0 <= "Z") || ($0 >= "0" && $0 <= "9") || $0 == "_" }
    }
}

/// Every problem of one file, in file order.
public struct RuleFileErrors: Error, Sendable {
    public var errors: [RuleFileError]
}

private struct Reader {
    let file: String
    let text: String
    let lines: [Substring]
    let fields: (RuleSource) -> FieldSchema
    var errors: [RuleFileError] = []

    init(file: String, text: String, fields: @escaping (RuleSource) -> FieldSchema) {
        self.file = file
        self.text = text
        self.fields = fields
        lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    }

    /// A place in the file (Yams' `Mark` cannot be made outside Yams).
    struct Place { var line: Int; var column: Int }

    mutating func fail(_ mark: Mark?, _ message: String) {
        fail(mark.map { Place(line: $0.line, column: $0.column) }, message)
    }

    mutating func fail(_ place: Place?, _ message: String) {
        errors.append(RuleFileError(file: file, line: place?.line ?? 1, column: place?.column ?? 1, message: message))
    }

    mutating func read() -> [AlertRule] {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            switch error {
            case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
                fail(mark, "not valid YAML: \(problem)")
            case .duplicatedKeysInMapping(let duplicates, let context):
                fail(context.mark, "the key '\(duplicates.first ?? "")' is written twice in one mapping; keep one")
            case .reader(let problem, _, _, _):
                fail(Place?.none, "not readable as YAML text: \(problem)")
            default:
                fail(Place?.none, "not valid YAML: \(error)")
            }
            return []
        } catch {
            fail(Place?.none, "not valid YAML: \(error)")
            return []
        }
        guard let root, case .mapping(let top) = root else {
            fail(root?.mark, "a rule file is a mapping with a `rules:` list, e.g.\n  rules:\n    - alert: HighErrorRate\n      expr: rate(status >= 500) > 0.05\n      window: 5m")
            return []
        }
        var list: Node.Sequence?
        for (key, value) in top {
            let name = key.string ?? ""
            guard name == "rules" else {
                let hint = name == "groups" ? " (Prometheus groups rules; logsift lists them under rules: directly)"
                    : EditDistance.closest(to: name, among: ["rules"]).map { " (did you mean \($0)?)" } ?? ""
                fail(key.mark, "unknown key '\(name)' at the top\(hint): a rule file holds `rules:`")
                continue
            }
            guard case .sequence(let s) = value else {
                fail(value.mark ?? key.mark, "rules: takes a list of rules, each starting with `- alert: NAME`")
                continue
            }
            list = s
        }
        guard let list else {
            if errors.isEmpty { fail(root.mark, "no `rules:` list in this file") }
            return []
        }
        var rules: [AlertRule] = []
        var names: [String: Int] = [:]
        for node in list {
            guard case .mapping(let m) = node else {
                fail(node.mark, "each rule is a mapping: alert, expr, window, for, labels, annotations…")
                continue
            }
            let (rule, name, nameMark) = readRule(m)
            if !name.isEmpty {
                if let first = names[name] {
                    fail(nameMark, "the alert name '\(name)' is used twice (first at line \(first)); give each rule its own name")
                } else {
                    names[name] = nameMark?.line ?? 0
                }
            }
            if let rule { rules.append(rule) }
        }
        if rules.isEmpty && errors.isEmpty { fail(list.mark, "the rules: list is empty") }
        return rules
    }

    /// A scalar's text, or an error saying the key takes one.
    mutating func scalar(_ key: String, _ node: Node) -> Node.Scalar? {
        guard case .scalar(let s) = node else {
            fail(node.mark, "\(key) takes a single value, not a list or a mapping")
            return nil
        }
        return s
    }

    mutating func duration(_ key: String, _ node: Node, allowZero: Bool) -> Int64? {
        guard let s = scalar(key, node) else { return nil }
        guard let seconds = RuleDuration.seconds(s.string), allowZero || seconds > 0 else {
            let example = allowZero ? "0, 30s, 5m, 1h30m" : "30s, 5m, 1h"
            fail(s.mark, "\(key): '\(s.string)' is not a duration: write a whole number with a unit (s, m, h, d), e.g. \(example) (up to 366d)")
            return nil
        }
        return seconds
    }

    mutating func readRule(_ m: Node.Mapping) -> (AlertRule?, String, Mark?) {
        let start = errors.count
        var values: [String: (key: Node, value: Node)] = [:]
        for (key, value) in m {
            guard let name = key.string, RuleFile.keys.contains(name) else {
                let name = key.string ?? "?"
                let hint = EditDistance.closest(to: name, among: RuleFile.keys).map { " (did you mean \($0)?)" }
                    ?? " (a rule takes \(RuleFile.keys.joined(separator: ", ")))"
                fail(key.mark, "unknown key '\(name)'\(hint)")
                continue
            }
            values[name] = (key, value)
        }
        var name = ""
        var nameMark: Mark? = m.mark
        if let (_, v) = values["alert"], let s = scalar("alert", v) {
            name = s.string
            nameMark = s.mark
            if !RuleFile.isLabelName(name) {
                fail(s.mark, "the alert name '\(name)' must be letters, digits and _ (it is the alertname label), e.g. HighErrorRate")
            }
        } else if values["alert"] == nil {
            fail(m.mark, "this rule has no `alert:` name")
        }
        var source = RuleSource.any
        if let (_, v) = values["source"], let s = scalar("source", v) {
            let written = s.string
            if let family = RuleSource.familyNames[written.lowercased()] {
                source = .family(family)
            } else if !written.contains("."), !written.contains("/"),
                      let near = EditDistance.closest(to: written.lowercased(), among: Array(RuleSource.familyNames.keys)) {
                fail(s.mark, "unknown source '\(written)' (did you mean \(near)?): a source is nginx, postgres, app, or an input's file name such as access.log")
            } else if written.isEmpty {
                fail(s.mark, "source is empty: write nginx, postgres, app, or an input's file name")
            } else {
                source = .input(written)
            }
        }
        let schema = fields(source)
        var expression: RuleExpression?
        var exprScalar: Node.Scalar?
        if let (_, v) = values["expr"], let s = scalar("expr", v) {
            exprScalar = s
            do {
                expression = try QueryParser.parseRuleExpression(s.string)
            } catch {
                fail(position(of: error, in: s), error.message)
            }
        } else if values["expr"] == nil {
            fail(nameMark, "rule \(name) has no `expr:` (e.g. expr: rate(status >= 500) > 0.05, or expr: absent(1m))")
        }
        var window: Int64?
        if let (key, v) = values["window"] {
            if case .absent? = expression {
                fail(key.mark, "absent(…) carries its own duration; remove window")
            } else {
                window = duration("window", v, allowZero: false)
            }
        } else if case .threshold? = expression {
            fail(nameMark, "rule \(name) has no `window:`, the span its aggregate covers (e.g. window: 5m)")
        }
        if case .absent(let seconds, _)? = expression { window = seconds }
        var forSeconds: Int64 = 0, keep: Int64 = 0
        if let (_, v) = values["for"] { forSeconds = duration("for", v, allowZero: true) ?? 0 }
        if let (_, v) = values["keep_firing_for"] { keep = duration("keep_firing_for", v, allowZero: true) ?? 0 }

        var groupBy: [FieldReference] = []
        if let (key, v) = values["by"] {
            var nodes: [Node] = []
            switch v {
            case .sequence(let s): nodes = Array(s)
            case .scalar: nodes = [v]
            default: fail(v.mark, "by takes a field name or a list of them, e.g. by: [path]")
            }
            if case .absent? = expression {
                fail(key.mark, "absent(…) has no groups: an absent group has no events to name it; remove by")
            }
            for node in nodes {
                guard let s = scalar("by", node) else { continue }
                guard RuleFile.isLabelName(s.string) else {
                    fail(s.mark, "'\(s.string)' cannot be a label name (letters, digits and _)")
                    continue
                }
                if groupBy.contains(where: { $0.name == s.string }) {
                    fail(s.mark, "'\(s.string)' is named twice in by")
                    continue
                }
                groupBy.append(FieldReference(s.string, at: SourceLocation(line: s.mark?.line ?? 0, column: s.mark?.column ?? 0)))
            }
        }
        var labels: [RuleLabel] = []
        if let (_, v) = values["labels"] {
            labels = pairs("labels", v).compactMap { key, value in
                if key.string == "alertname" {
                    fail(key.mark, "alertname is the rule's alert: name; remove it from labels")
                    return nil
                }
                return RuleLabel(name: key.string, value: value.string)
            }
        }
        var annotations: [(name: String, template: AlertTemplate)] = []
        let labelNames = ["alertname"] + groupBy.map(\.name) + labels.map(\.name)
        if let (_, v) = values["annotations"] {
            for (key, value) in pairs("annotations", v) {
                do {
                    let template = try AlertTemplate(parsing: value.string)
                    for label in template.labelNames where !labelNames.contains(label) {
                        fail(markInside(value, column: columnOf("$labels.\(label)", in: value.string)),
                             "the alert has no label '\(label)': its labels are \(labelNames.joined(separator: ", ")) (add the field to by, or a label)")
                    }
                    annotations.append((key.string, template))
                } catch {
                    fail(markInside(value, column: error.column), error.message)
                }
            }
        }
        if let expression {
            // Fields are checked even when the window is wrong, so that one run says both.
            let rule = AlertRule(name: name, source: source, expression: expression, window: window ?? 60, forSeconds: forSeconds,
                                 keepFiringFor: keep, groupBy: groupBy, labels: labels, annotations: annotations,
                                 line: m.mark?.line ?? 0)
            do {
                // Application rules may name any JSON-lines or logfmt key: keys are known only
                // once an input is read, and a key an input lacks is absent in its events.
                _ = try RulePlan.bind(rule, to: schema, strict: source != .family("application"))
            } catch {
                // Field errors point into expr, or at a `by` entry (its location is file-based).
                if let s = exprScalar, !groupBy.contains(where: { $0.location == SourceLocation(line: error.line, column: error.column) }) {
                    fail(position(of: error, in: s), error.message)
                } else {
                    fail(Place(line: error.line, column: error.column), error.message)
                }
            }
            return (errors.count == start && window != nil ? rule : nil, name, nameMark)
        }
        return (nil, name, nameMark)
    }

    /// The pairs of a mapping of scalars (labels, annotations), checking names.
    mutating func pairs(_ key: String, _ node: Node) -> [(Node.Scalar, Node.Scalar)] {
        guard case .mapping(let m) = node else {
            fail(node.mark, "\(key) takes a mapping of names to text, e.g. \(key): {severity: warning}")
            return []
        }
        var out: [(Node.Scalar, Node.Scalar)] = []
        for (k, v) in m {
            guard case .scalar(let ks) = k else { fail(k.mark, "a \(key) name is text"); continue }
            guard RuleFile.isLabelName(ks.string) else {
                fail(ks.mark, "'\(ks.string)' is not a valid \(key) name (letters, digits and _, not starting with a digit)")
                continue
            }
            guard case .scalar(let vs) = v else { fail(v.mark, "the value of \(key).\(ks.string) is text, not a list or mapping"); continue }
            out.append((ks, vs))
        }
        return out
    }

    /// Column of `needle` in `text` (1-based), 1 when absent.
    func columnOf(_ needle: String, in text: String) -> Int {
        guard let r = text.range(of: needle) else { return 1 }
        return text.unicodeScalars.distance(from: text.unicodeScalars.startIndex, to: r.lowerBound) + 1
    }

    /// A 1-based `column` of a scalar's value as a file position (single-line scalars; a block
    /// scalar's lines are mapped by their indentation).
    func markInside(_ s: Node.Scalar, column: Int, line: Int = 1) -> Place? {
        guard let m = s.mark else { return nil }
        let mark = Place(line: m.line, column: m.column)
        switch s.style {
        case .literal, .folded:
            let fileLine = mark.line + line
            guard fileLine - 1 < lines.count else { return mark }
            let indent = lines[fileLine - 1].unicodeScalars.prefix { $0 == " " }.count
            return Place(line: fileLine, column: indent + column)
        default:
            let quoted = s.style == .singleQuoted || s.style == .doubleQuoted
            // Exact only when the value stands as written on the scalar's line (no escapes, no folding).
            let firstLine = s.string.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? ""
            if line == 1, mark.line - 1 < lines.count {
                let fileText = String(String.UnicodeScalarView(lines[mark.line - 1].unicodeScalars.dropFirst(mark.column - 1 + (quoted ? 1 : 0))))
                if fileText.hasPrefix(firstLine) {
                    return Place(line: mark.line, column: mark.column + (quoted ? 1 : 0) + column - 1)
                }
            }
            return mark
        }
    }

    func position(of error: QueryError, in s: Node.Scalar) -> Place? {
        markInside(s, column: error.column, line: error.line)
    }
}
