/// A query as written: `FILTER | AGGREGATES by KEYS | sort … | limit N`, every stage optional.
public struct Query: Equatable, Sendable {
    /// Events pass when this holds (nil: every event).
    public var filter: Expression?
    /// What to compute per group; empty: print the matching events.
    public var aggregates: [Aggregate] = []
    /// Group keys: fields and at most one time width.
    public var keys: [GroupKey] = []
    public var sort: [SortKey] = []
    public var limit: Int?

    public init() {}
}

/// Where something was written, for messages after parsing (unknown field, wrong type).
public struct SourceLocation: Equatable, Sendable {
    public var line: Int
    public var column: Int
    public init(line: Int, column: Int) { self.line = line; self.column = column }

    public func error(_ message: String) -> QueryError {
        QueryError(line: line, column: column, message: message)
    }
}

/// A field name as written, with where it stands.
public struct FieldReference: Equatable, Sendable {
    public var name: String
    public var location: SourceLocation
    public init(_ name: String, at location: SourceLocation) { self.name = name; self.location = location }
}

/// A literal value. What it means depends on the field it is compared with, known only when
/// the query is bound to inputs: `08006` is a SQLSTATE string for `sqlstate` and a number for
/// `status`; `2s` is 2 for `request_time` (seconds) and 2000 for `duration_ms`.
public struct Literal: Equatable, Sendable {
    public enum Kind: Equatable, Sendable {
        /// Digits with an optional unit: `value` in the unit's base (seconds, bytes), or the
        /// plain number when there is no unit.
        case number(value: Double, dimension: Dimension)
        /// Quoted text, or a bare word (`POST`, `error`, `57P03`).
        case text
    }

    public enum Dimension: Equatable, Sendable {
        case plain
        /// Seconds.
        case duration
        /// Bytes.
        case size
    }

    public var kind: Kind
    /// The text as written without quotes: `08006`, `2s`, `POST`, `^/api/`.
    public var text: String
    public var quoted: Bool
    public var location: SourceLocation

    public init(kind: Kind, text: String, quoted: Bool, location: SourceLocation) {
        self.kind = kind
        self.text = text
        self.quoted = quoted
        self.location = location
    }
}

public enum ComparisonOperator: String, Equatable, Sendable, CaseIterable {
    case equal = "=", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
}

/// A filter.
public indirect enum Expression: Equatable, Sendable {
    case compare(FieldReference, ComparisonOperator, Literal)
    /// `field ~ "regex"` (`negated`: `!~`).
    case matches(FieldReference, pattern: Literal, negated: Bool)
    case contains(FieldReference, Literal)
    case oneOf(FieldReference, [Literal])
    case exists(FieldReference)
    case not(Expression)
    case and(Expression, Expression)
    case or(Expression, Expression)
}

/// One computed column.
public enum Aggregate: Equatable, Sendable {
    case count(filter: Expression?)
    case sum(FieldReference)
    case average(FieldReference)
    case minimum(FieldReference)
    case maximum(FieldReference)
    /// `p95(f)`: q in 0...1.
    case percentile(Double, FieldReference)
    /// `percentiles(f)`: p50, p90, p95, p99 at once.
    case percentiles(FieldReference)
    /// Share of the group's events for which the filter holds.
    case rate(Expression)
    case distinct(FieldReference)
    case top(FieldReference, Int)

    /// The column's name as a user writes it in `sort`: `count`, `p95(request_time)`.
    public var name: String {
        switch self {
        case .count(let f): return f.map { "count(\($0.text))" } ?? "count"
        case .sum(let f): return "sum(\(f.name))"
        case .average(let f): return "avg(\(f.name))"
        case .minimum(let f): return "min(\(f.name))"
        case .maximum(let f): return "max(\(f.name))"
        case .percentile(let q, let f): return "p\(Query.percentileText(q))(\(f.name))"
        case .percentiles(let f): return "percentiles(\(f.name))"
        case .rate(let f): return "rate(\(f.text))"
        case .distinct(let f): return "distinct(\(f.name))"
        case .top(let f, let n): return "top(\(f.name), \(n))"
        }
    }
}

public enum GroupKey: Equatable, Sendable {
    case field(FieldReference)
    /// `by 1m`: a time bucket of this many seconds.
    case time(seconds: Int64, location: SourceLocation)
}

public struct SortKey: Equatable, Sendable {
    /// A key or aggregate name as written: `count`, `path`, `p95(request_time)`.
    public var name: String
    public var descending: Bool
    public var location: SourceLocation
    public init(name: String, descending: Bool, location: SourceLocation) {
        self.name = name
        self.descending = descending
        self.location = location
    }
}

extension Query {
    /// `0.95` → `95`, `0.999` → `99.9`.
    static func percentileText(_ q: Double) -> String {
        let p = q * 100
        return p == p.rounded() ? String(Int(p)) : String(p)
    }
}

extension Literal {
    /// As a query writes it: quoted text in double quotes, anything else as it was.
    public var written: String {
        guard quoted else { return text }
        var out = "\""
        for c in text {
            if c == "\"" || c == "\\" { out.append("\\") }
            out.append(c)
        }
        return out + "\""
    }
}

extension Expression {
    /// The filter in one canonical spelling (`status >= 500 and method in (POST, PUT)`): how a
    /// `count(…)` or `rate(…)` column is named, and how `sort` refers to it.
    public var text: String {
        switch self {
        case .compare(let f, let op, let v): return "\(f.name) \(op.rawValue) \(v.written)"
        case .matches(let f, let p, let negated): return "\(f.name) \(negated ? "!~" : "~") \(p.written)"
        case .contains(let f, let v): return "\(f.name) contains \(v.written)"
        case .oneOf(let f, let values): return "\(f.name) in (\(values.map(\.written).joined(separator: ", ")))"
        case .exists(let f): return "\(f.name) exists"
        case .not(let e): return "not " + e.grouped(inside: self)
        case .and(let a, let b): return a.grouped(inside: self) + " and " + b.grouped(inside: self)
        case .or(let a, let b): return a.grouped(inside: self) + " or " + b.grouped(inside: self)
        }
    }

    /// In parentheses when it binds more loosely than `parent`.
    func grouped(inside parent: Expression) -> String {
        func rank(_ e: Expression) -> Int {
            switch e {
            case .or: return 0
            case .and: return 1
            case .not: return 2
            default: return 3
            }
        }
        if case .or = self, case .or = parent { return text }
        if case .and = self, case .and = parent { return text }
        return rank(self) < rank(parent) || (rank(self) < 3 && rank(parent) == 2) ? "(\(text))" : text
    }
}
