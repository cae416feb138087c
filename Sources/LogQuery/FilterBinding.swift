import LogParsing
import PCRE2

/// A filter with every field resolved to a slot and every literal turned into the field's own
/// unit and type, ready to run per event. Built once per input schema.
public indirect enum BoundFilter: Sendable {
    case constant(Bool)
    case number(slot: Int, ComparisonOperator, Double)
    case numberIn(slot: Int, [Double])
    case text(slot: Int, equal: Bool, [UInt8])
    case textIn(slot: Int, [[UInt8]])
    case contains(slot: Int, [UInt8])
    /// Index into the filter's regex list (each worker has its own match data for it).
    case regex(slot: Int, index: Int, negated: Bool)
    case level(slot: Int, ComparisonOperator, ApplicationLevel)
    case levelIn(slot: Int, [ApplicationLevel])
    case exists(slot: Int)
    case not(BoundFilter)
    case and(BoundFilter, BoundFilter)
    case or(BoundFilter, BoundFilter)
}

/// The result of binding a filter to one schema.
public struct FilterBinding: Sendable {
    public let filter: BoundFilter
    /// Regexes of `~`/`!~`, compiled (and JIT-ed) once.
    public let regexes: [Regex]
    /// Fields the query names that this schema lacks (events of this input never have them).
    public let missingFields: [String]
}

public enum FilterBinder {
    /// Binds `expression` to `schema`. A field the schema lacks makes its test false (and
    /// `not … exists` true) for this input; it is listed in `missingFields`, and the caller
    /// decides whether a field that no input has is an error (it is: `unknownFieldError`).
    public static func bind(_ expression: Expression, to schema: FieldSchema) throws(QueryError) -> FilterBinding {
        var binder = Binder(schema: schema)
        let filter = try binder.bind(expression)
        return FilterBinding(filter: filter, regexes: binder.regexes, missingFields: binder.missing)
    }

    /// `unknown field 'stauts' (did you mean 'status'?)`, at the field's place in the query.
    public static func unknownFieldError(_ field: FieldReference, known: [String]) -> QueryError {
        var message = "unknown field '\(field.name)'"
        if let near = EditDistance.closest(to: field.name, among: known) {
            message += " (did you mean '\(near)'?)"
        } else if !known.isEmpty {
            message += " (fields: \(known.sorted().prefix(12).joined(separator: ", "))\(known.count > 12 ? ", …" : ""))"
        }
        return field.location.error(message)
    }

    /// Every field reference in `expression`, in the order written.
    public static func fields(of expression: Expression) -> [FieldReference] {
        switch expression {
        case .compare(let f, _, _), .matches(let f, _, _), .contains(let f, _), .oneOf(let f, _), .exists(let f): return [f]
        case .not(let e): return fields(of: e)
        case .and(let a, let b), .or(let a, let b): return fields(of: a) + fields(of: b)
        }
    }
}

private struct Binder {
    let schema: FieldSchema
    var regexes: [Regex] = []
    var missing: [String] = []

    init(schema: FieldSchema) { self.schema = schema }

    mutating func resolve(_ f: FieldReference) -> FieldSchema.Field? {
        if let field = schema.field(named: f.name) { return field }
        if !missing.contains(f.name) { missing.append(f.name) }
        return nil
    }

    mutating func bind(_ e: Expression) throws(QueryError) -> BoundFilter {
        switch e {
        case .not(let inner): return .not(try bind(inner))
        case .and(let a, let b): return .and(try bind(a), try bind(b))
        case .or(let a, let b): return .or(try bind(a), try bind(b))
        case .exists(let f):
            guard let field = resolve(f) else { return .constant(false) }
            return .exists(slot: field.slot)
        case .compare(let f, let op, let literal):
            guard let field = resolve(f) else { return .constant(false) }
            switch field.kind {
            case .number(let unit):
                return .number(slot: field.slot, op, try Binder.number(literal, unit: unit, field: f.name))
            case .level:
                return .level(slot: field.slot, op, try Binder.level(literal, field: f.name))
            case .text:
                guard op == .equal || op == .notEqual else {
                    throw literal.location.error("'\(f.name)' is text: compare it with = or !=, ~, contains or in")
                }
                return .text(slot: field.slot, equal: op == .equal, Array(literal.text.utf8))
            }
        case .oneOf(let f, let literals):
            guard let field = resolve(f) else { return .constant(false) }
            switch field.kind {
            case .number(let unit):
                var values: [Double] = []
                for literal in literals { values.append(try Binder.number(literal, unit: unit, field: f.name)) }
                return .numberIn(slot: field.slot, values)
            case .level:
                var levels: [ApplicationLevel] = []
                for literal in literals { levels.append(try Binder.level(literal, field: f.name)) }
                return .levelIn(slot: field.slot, levels)
            case .text:
                return .textIn(slot: field.slot, literals.map { Array($0.text.utf8) })
            }
        case .contains(let f, let literal):
            guard let field = resolve(f) else { return .constant(false) }
            return .contains(slot: field.slot, Array(literal.text.utf8))
        case .matches(let f, let pattern, let negated):
            guard let field = resolve(f) else { return .constant(negated) }
            do {
                regexes.append(try Regex(pattern.text))
            } catch {
                // The column of PCRE2's complaint inside the quoted pattern (+1 for the quote).
                let column = pattern.location.column + 1 + (error.offset ?? 0)
                throw QueryError(line: pattern.location.line, column: column, message: "bad regex: \(error.message)")
            }
            return .regex(slot: field.slot, index: regexes.count - 1, negated: negated)
        }
    }

    /// A literal as a number in the field's unit: `2s` is 2 for seconds and 2000 for ms.
    static func number(_ literal: Literal, unit: NumberUnit, field: String) throws(QueryError) -> Double {
        switch literal.kind {
        case .text:
            throw literal.location.error("'\(field)' is a number; '\(literal.text)' is not")
        case .number(let value, .plain):
            return value
        case .number(let seconds, .duration):
            switch unit {
            case .seconds: return seconds
            case .milliseconds: return seconds * 1000
            case .plain, .bytes:
                throw literal.location.error("'\(field)' is not a duration; write a plain number instead of \(literal.text)")
            }
        case .number(let bytes, .size):
            guard unit == .bytes || unit == .plain else {
                throw literal.location.error("'\(field)' is a duration, not a size; write e.g. 2s or 250ms instead of \(literal.text)")
            }
            return bytes
        }
    }

    static func level(_ literal: Literal, field: String) throws(QueryError) -> ApplicationLevel {
        let text = Array(literal.text.utf8)
        let level = text.withUnsafeBytes { ApplicationLevel.parse($0, 0..<$0.count) }
        guard let level, level != .unknown else {
            throw literal.location.error("'\(literal.text)' is not a level: use trace, debug, info, notice, warn, error or fatal")
        }
        return level
    }
}
