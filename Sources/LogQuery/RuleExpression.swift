import LogParsing

/// The condition of an alert rule: one aggregate of the query language compared with a number
/// (`rate(status >= 500) > 0.05`, `p95(request_time) > 5s`), or `absent(1m)` (no event for a
/// minute). Parsed by the query parser, so filters, fields and errors are the query's own.
public enum RuleExpression: Equatable, Sendable {
    case threshold(Aggregate, ComparisonOperator, Literal)
    /// No event of the rule's source for this many seconds.
    case absent(seconds: Int64, location: SourceLocation)

    /// The aggregate's name and the comparison, as a rule is shown: `rate(status >= 500) > 0.05`.
    public var text: String {
        switch self {
        case .threshold(let a, let op, let v): return "\(a.name) \(op.rawValue) \(v.text)"
        case .absent(let s, _):
            for (unit, size) in [("d", Int64(86400)), ("h", 3600), ("m", 60)] where s % size == 0 {
                return "absent(\(s / size)\(unit))"
            }
            return "absent(\(s)s)"
        }
    }
}

extension QueryParser {
    /// Reads `AGGREGATE OP NUMBER` or `absent(DURATION)`.
    ///
    ///     try QueryParser.parseRuleExpression("p95(request_time) > 5s")
    ///
    /// `percentiles` and `top` give several values and are refused: a rule compares one.
    public static func parseRuleExpression(_ text: String) throws(QueryError) -> RuleExpression {
        var parser = Parser(tokens: try QueryLexer.tokens(text))
        let start = parser.current
        if parser.current.kind == .end {
            throw parser.fail(start, "empty expression: write an aggregate and a threshold, e.g. rate(status >= 500) > 0.05, or absent(1m)")
        }
        if parser.isWord("absent"), parser.next.kind == .symbol("(") {
            _ = parser.advance()
            _ = parser.advance()
            let token = parser.advance()
            guard case .number(let digits, let unit) = token.kind, let n = Double(digits),
                  let perUnit = QueryParser.durationUnits[unit], unit != "ns", unit != "us", unit != "ms",
                  n > 0, (n * perUnit).rounded() == n * perUnit, n * perUnit <= 366 * 86400 else {
                throw parser.fail(token, "absent takes a whole number of seconds, minutes, hours or days, e.g. absent(1m)")
            }
            try parser.expectSymbol(")", "a closing )")
            guard parser.current.kind == .end else {
                throw parser.fail(parser.current, "absent(…) stands alone: nothing may follow it, found \(parser.current.text)")
            }
            return .absent(seconds: Int64(n * perUnit), location: parser.location(start))
        }
        // `count > 10`: a bare count followed by the comparison.
        let bareCount: Bool
        if parser.isWord("count"), case .symbol(let s) = parser.next.kind, ComparisonOperator(rawValue: s) != nil {
            bareCount = true
        } else {
            bareCount = false
        }
        guard parser.startsAggregates() || bareCount else {
            if case .word(let w) = start.kind, parser.next.kind == .symbol("(") {
                let names = QueryParser.aggregateNames.union(["absent", "p50", "p95", "p99"])
                let hint = EditDistance.closest(to: w.lowercased(), among: names).map { " (did you mean \($0)?)" } ?? ""
                throw parser.fail(start, "'\(w)' is not an aggregate\(hint)")
            }
            throw parser.fail(start, "a rule's expr starts with an aggregate (count, count(FILTER), rate(FILTER), p95(FIELD), sum/avg/min/max(FIELD), distinct(FIELD)) or absent(DURATION)")
        }
        let aggregate = try parser.aggregate()
        switch aggregate {
        case .percentiles, .top:
            throw parser.fail(start, "\(aggregate.name) gives several values; a rule compares one: use p95(…) or count(…)")
        default: break
        }
        let opToken = parser.current
        guard case .symbol(let s) = opToken.kind, let op = ComparisonOperator(rawValue: s) else {
            throw parser.fail(opToken, "expected a comparison after \(aggregate.name) (>, >=, <, <=, =, !=) and a number, e.g. > 0.05, found \(opToken.text)")
        }
        _ = parser.advance()
        let valueToken = parser.current
        let literal = try parser.literal()
        guard case .number = literal.kind else {
            throw parser.fail(valueToken, "a threshold is a number, with a unit for durations and sizes (0.05, 10, 5s, 2MB), found \(valueToken.text)")
        }
        guard parser.current.kind == .end else {
            throw parser.fail(parser.current, "expected the end of the expression after the threshold, found \(parser.current.text)")
        }
        return .threshold(aggregate, op, literal)
    }
}
