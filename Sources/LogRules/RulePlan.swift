import LogQuery

/// A rule bound to one input schema: the aggregate's slots and filter, the threshold in the
/// field's own unit, the group key slots. Built once per (rule, schema); nothing is looked up
/// by name per event.
public struct RulePlan: Sendable {
    public enum Measure: Sendable {
        case count
        case countIf(FilterBinding)
        case rate(FilterBinding)
        case sum(slot: Int)
        case average(slot: Int)
        case minimum(slot: Int)
        case maximum(slot: Int)
        case percentile(Double, slot: Int)
        case distinct(slot: Int)
        case absent
    }

    public let measure: Measure
    public let comparison: ComparisonOperator
    public let threshold: Double
    public let keySlots: [Int]
    /// Fields the rule names that this schema lacks (absent in its events).
    public let missingFields: [String]

    /// Binds `rule` to `schema`. With `strict`, a field the schema lacks is an error at its
    /// place in the expression (`rules check`); otherwise it is absent in every event (an
    /// input whose format has no such field, as `query` treats it).
    public static func bind(_ rule: AlertRule, to schema: FieldSchema, strict: Bool) throws(QueryError) -> RulePlan {
        var missing: [String] = []
        func field(_ f: FieldReference, numeric: Bool) throws(QueryError) -> FieldSchema.Field? {
            guard let field = schema.field(named: f.name) else {
                if strict { throw unknownField(f, schema: schema) }
                if !missing.contains(f.name) { missing.append(f.name) }
                return nil
            }
            if numeric, case .text = field.kind {
                throw f.location.error("'\(f.name)' is text: sum, avg, min, max and percentiles take a number field")
            }
            return field
        }
        func filter(_ e: Expression) throws(QueryError) -> FilterBinding {
            if strict {
                for f in FilterBinder.fields(of: e) where schema.field(named: f.name) == nil {
                    throw unknownField(f, schema: schema)
                }
            }
            let binding = try FilterBinder.bind(e, to: schema)
            for m in binding.missingFields where !missing.contains(m) { missing.append(m) }
            return binding
        }
        var keySlots: [Int] = []
        for f in rule.groupBy { keySlots.append(try field(f, numeric: false)?.slot ?? AggregationPlan.absentSlot) }

        switch rule.expression {
        case .absent:
            return RulePlan(measure: .absent, comparison: .greater, threshold: 0, keySlots: keySlots, missingFields: missing)
        case .threshold(let aggregate, let op, let literal):
            let measure: Measure
            var unit = NumberUnit.plain
            // A field this schema lacks has no unit to check a threshold against (an
            // application key, bound to its unit when an input is read).
            var unitKnown = true
            func numeric(_ f: FieldReference) throws(QueryError) -> Int {
                let resolved = try field(f, numeric: true)
                if case .number(let u)? = resolved?.kind { unit = u }
                if resolved == nil { unitKnown = false }
                return resolved?.slot ?? AggregationPlan.absentSlot
            }
            switch aggregate {
            case .count(nil): measure = .count
            case .count(let e?): measure = .countIf(try filter(e))
            case .rate(let e): measure = .rate(try filter(e))
            case .sum(let f): measure = .sum(slot: try numeric(f))
            case .average(let f): measure = .average(slot: try numeric(f))
            case .minimum(let f): measure = .minimum(slot: try numeric(f))
            case .maximum(let f): measure = .maximum(slot: try numeric(f))
            case .percentile(let q, let f): measure = .percentile(q, slot: try numeric(f))
            case .distinct(let f): measure = .distinct(slot: try field(f, numeric: false)?.slot ?? AggregationPlan.absentSlot)
            case .percentiles, .top:
                throw literal.location.error("\(aggregate.name) gives several values; a rule compares one")
            }
            let threshold: Double
            if !unitKnown, case .number(let value, _) = literal.kind {
                threshold = value
            } else {
                threshold = try RulePlan.threshold(literal, unit: unit, of: aggregate)
            }
            return RulePlan(measure: measure, comparison: op, threshold: threshold, keySlots: keySlots, missingFields: missing)
        }
    }

    /// `unknown field 'x'`, or, for a source with no fields in this version, why.
    static func unknownField(_ f: FieldReference, schema: FieldSchema) -> QueryError {
        if schema.fields.isEmpty {
            return f.location.error("source \(schema.source) has no field '\(f.name)': this version decodes no fields from \(schema.source) logs (only access logs); absent(…) works on any source")
        }
        return FilterBinder.unknownFieldError(f, known: schema.fields.map(\.name))
    }

    /// The threshold in the aggregate's unit: `5s` is 5 for a field in seconds and 5000 for one
    /// in milliseconds; counts, rates and distinct counts take plain numbers.
    static func threshold(_ literal: Literal, unit: NumberUnit, of aggregate: Aggregate) throws(QueryError) -> Double {
        guard case .number(let value, let dimension) = literal.kind else {
            throw literal.location.error("a threshold is a number, found \(literal.text)")
        }
        switch (dimension, unit) {
        case (.plain, _): return value
        case (.duration, .seconds): return value
        case (.duration, .milliseconds): return value * 1000
        case (.size, .bytes): return value
        default:
            switch aggregate {
            case .count, .rate, .distinct:
                throw literal.location.error("\(aggregate.name) is a plain number; write the threshold without a unit (e.g. 10 or 0.05), not \(literal.text)")
            default:
                let what = unit == .plain ? "a plain number" : (unit == .bytes ? "a size" : "a duration")
                throw literal.location.error("\(aggregate.name) is \(what); \(literal.text) does not fit it")
            }
        }
    }
}
