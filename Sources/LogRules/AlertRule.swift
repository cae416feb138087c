/// LogRules: alert rules over events.
///
/// Takes a rule file (YAML, `RuleFile`) and events with their event time (`RuleEvaluator`);
/// gives alert transitions (pending, firing, resolved) per rule and per group, with labels and
/// rendered annotations. It knows nothing of files or log formats: a caller decodes lines into
/// `FieldValues` and says which schema (family, input) they come from. Notifiers, `/metrics`
/// and the live view are sinks of the transitions, elsewhere.
import LogQuery

/// Which inputs a rule reads.
public enum RuleSource: Equatable, Sendable, CustomStringConvertible {
    /// No `source:`: every input whose events the evaluator is given.
    case any
    /// A family: `access` (written nginx, nginx/access, access), `postgres`, `application` (app).
    case family(String)
    /// An input named as given on the command line, or its file name (rotated files included:
    /// `access.log` reads access.log.1 and access.log.2.gz too).
    case input(String)

    public var description: String {
        switch self {
        case .any: return "any"
        case .family(let f): return f
        case .input(let name): return name
        }
    }

    /// The family names a rule file may write, and the family each means.
    public static let familyNames: [String: String] = [
        "nginx": "access", "nginx/access": "access", "access": "access",
        "postgres": "postgres", "postgresql": "postgres",
        "app": "application", "application": "application",
    ]

    /// Whether events of `input` (a path as given) of `family` are this rule's.
    public func accepts(input: String, family: String) -> Bool {
        switch self {
        case .any: return true
        case .family(let f): return f == family
        case .input(let name):
            if input == name { return true }
            let base = input.split(separator: "/").last.map(String.init) ?? input
            if base == name || input.hasSuffix("/" + name) { return true }
            // Its rotated files: access.log.1, access.log.2.gz.
            let named = base.hasPrefix(name + ".") ? base : (input.hasPrefix(name + ".") ? input : "")
            return named.dropFirst(name.count + 1).first?.isNumber ?? false
        }
    }
}

/// A label or annotation name with its value, in the order written.
public struct RuleLabel: Equatable, Sendable {
    public var name: String
    public var value: String
    public init(name: String, value: String) { self.name = name; self.value = value }
}

/// One alert rule as configured: plain data, checked (`RuleFile.load`), with no runtime state.
public struct AlertRule: Sendable {
    public var name: String
    public var source: RuleSource
    public var expression: RuleExpression
    /// Seconds the aggregate covers (for `absent(d)`: d).
    public var window: Int64
    /// Seconds the condition must hold before the alert fires (0: at once).
    public var forSeconds: Int64
    /// Seconds a firing alert stays firing after its condition stops holding.
    public var keepFiringFor: Int64
    /// One alert per distinct value of these fields.
    public var groupBy: [FieldReference]
    public var labels: [RuleLabel]
    public var annotations: [(name: String, template: AlertTemplate)]
    /// Where the rule starts in its file, for messages.
    public var line: Int

    public init(name: String, source: RuleSource = .any, expression: RuleExpression, window: Int64,
                forSeconds: Int64 = 0, keepFiringFor: Int64 = 0, groupBy: [FieldReference] = [],
                labels: [RuleLabel] = [], annotations: [(name: String, template: AlertTemplate)] = [], line: Int = 0) {
        self.name = name
        self.source = source
        self.expression = expression
        self.window = window
        self.forSeconds = forSeconds
        self.keepFiringFor = keepFiringFor
        self.groupBy = groupBy
        self.labels = labels
        self.annotations = annotations
        self.line = line
    }
}

/// Durations as rule files write them: `30s`, `5m`, `1h30m`, `2d`, `0`.
public enum RuleDuration {
    static let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604_800]

    /// Whole seconds, or nil when `text` is not a duration (or longer than a year).
    public static func seconds(_ text: String) -> Int64? {
        if text == "0" { return 0 }
        var total: Int64 = 0
        var digits: Int64? = nil
        var any = false
        for c in text {
            if let d = c.wholeNumberValue, c.isASCII {
                let next = (digits ?? 0).multipliedReportingOverflow(by: 10)
                guard !next.overflow, next.partialValue < 1_000_000_000 else { return nil }
                digits = next.partialValue + Int64(d)
            } else if let unit = units[c], let n = digits {
                total += n * unit
                digits = nil
                any = true
            } else {
                return nil
            }
        }
        guard any, digits == nil, total <= 366 * 86400 else { return nil }
        return total
    }

    /// `90` → `1m30s`, `0` → `0s`.
    public static func text(_ seconds: Int64) -> String {
        if seconds == 0 { return "0s" }
        var rest = seconds
        var out = ""
        for (unit, size) in [("d", Int64(86400)), ("h", 3600), ("m", 60), ("s", 1)] where rest >= size {
            out += "\(rest / size)\(unit)"
            rest %= size
        }
        return out
    }
}
