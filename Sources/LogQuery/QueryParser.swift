import LogParsing

/// Reads query text into a `Query`.
///
///     let query = try QueryParser.parse("status >= 500 | count, p95(request_time) by path, 1m")
///
/// Grammar (every stage optional, in this order, separated by `|`):
///
///     query      = [filter] ["|" aggregates ["by" key {"," key}]] ["|" "sort" order {"," order}] ["|" "limit" N]
///     filter     = and {"or" and};  and = not {"and" not};  not = "not" not | "(" filter ")" | test
///     test       = field (op literal | "~" string | "!~" string | "contains" literal
///                  | "in" "(" literal {"," literal} ")" | "exists")
///     aggregates = aggregate {"," aggregate}: count, count(filter), sum/avg/min/max(field),
///                  pNN(field), percentiles(field), rate(filter), distinct(field), top(field, N)
///     key        = field | duration (1m, 5m, 1h)
public enum QueryParser {
    public static func parse(_ text: String) throws(QueryError) -> Query {
        var parser = Parser(tokens: try QueryLexer.tokens(text))
        return try parser.query()
    }

    /// The names that start an aggregate stage.
    public static let aggregateNames: Set<String> = [
        "count", "sum", "avg", "min", "max", "percentiles", "rate", "distinct", "top",
    ]

    /// Seconds per duration unit.
    static let durationUnits: [String: Double] = [
        "ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600, "d": 86400,
    ]

    /// Bytes per size unit: decimal (KB = 1000) and binary (KiB = 1024), as written on disks
    /// and by `ls -h` respectively.
    static let sizeUnits: [String: Double] = [
        "b": 1, "kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12,
        "kib": 1024, "mib": 1_048_576, "gib": 1_073_741_824, "tib": 1_099_511_627_776,
    ]
}

struct Parser {
    typealias Token = QueryLexer.Token
    let tokens: [Token]
    var index = 0
    /// Tests read so far and the current nesting of `(` and `not`: bounded so that no query,
    /// however long, can exhaust the stack of the recursive binder and evaluator.
    var tests = 0
    var depth = 0
    static let maxTests = 256
    static let maxDepth = 32

    init(tokens: [Token]) { self.tokens = tokens }

    var current: Token { tokens[index] }
    var next: Token { tokens[min(index + 1, tokens.count - 1)] }

    mutating func advance() -> Token {
        let token = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return token
    }

    func location(_ token: Token) -> SourceLocation { SourceLocation(line: token.line, column: token.column) }

    func fail(_ token: Token, _ message: String) -> QueryError {
        QueryError(line: token.line, column: token.column, message: message)
    }

    func isSymbol(_ s: String) -> Bool { current.kind == .symbol(s) }
    func isWord(_ w: String) -> Bool {
        if case .word(let x) = current.kind { return x.lowercased() == w } else { return false }
    }

    mutating func expectSymbol(_ s: String, _ what: String) throws(QueryError) {
        guard isSymbol(s) else { throw fail(current, "expected \(what), found \(current.text)") }
        _ = advance()
    }

    // MARK: - Stages

    mutating func query() throws(QueryError) -> Query {
        var query = Query()
        var stage = 0  // 0 nothing yet, 1 filter, 2 aggregates, 3 sort, 4 limit
        repeat {
            if stage > 0 || index > 0 { _ = advance() }  // the `|`
            let start = current
            if current.kind == .end {
                throw fail(start, stage == 0 ? "empty query: write a filter such as status >= 500, or an aggregate such as count by path"
                                             : "expected a stage after |")
            }
            if startsAggregates() {
                guard stage < 2 else { throw fail(start, "aggregates go before sort and limit, once") }
                (query.aggregates, query.keys) = try aggregateStage()
                stage = 2
            } else if isWord("sort") && !isComparisonStart(next) {
                guard stage < 3 else { throw fail(start, "sort goes before limit, once") }
                guard stage == 2 else {
                    throw fail(start, "sort orders the rows of an aggregate stage (e.g. count by path | sort count desc); matching lines come in the order read")
                }
                _ = advance()
                query.sort = try sortStage()
                stage = 3
            } else if isWord("limit") && !isComparisonStart(next) {
                guard stage < 4 else { throw fail(start, "limit comes last, once") }
                _ = advance()
                let token = advance()
                guard case .number(let text, let unit) = token.kind, unit.isEmpty, let n = Int(text), n > 0 else {
                    throw fail(token, "limit takes a positive whole number, e.g. limit 20")
                }
                query.limit = n
                stage = 4
            } else if case .word(let word) = start.kind, word.lowercased() != "not" || stage > 0,
                      next.kind == .symbol("(") || stage > 0 {
                // Not a stage logsift knows: a misspelled aggregate, sort or limit, or a filter out of place.
                let names = QueryParser.aggregateNames.union(["sort", "limit", "p50", "p95", "p99"])
                let near = EditDistance.closest(to: word.lowercased(), among: names)
                if next.kind == .symbol("(") || near != nil {
                    let hint = near.map { " (did you mean \($0)?)" } ?? ""
                    throw fail(start, "'\(word)' is not an aggregate, sort or limit\(hint)")
                }
                throw fail(start, "a filter goes first, before the aggregates (e.g. status >= 500 | count by path)")
            } else {
                guard stage == 0 else {
                    throw fail(start, "a filter goes first, before the aggregates (e.g. status >= 500 | count by path)")
                }
                query.filter = try orExpression()
                stage = 1
            }
            guard isSymbol("|") || current.kind == .end else {
                throw fail(current, "expected | or the end of the query, found \(current.text)")
            }
        } while isSymbol("|")
        return query
    }

    /// `count`, `count(…)`, `p95(…)`, `sum(…)` … at the start of a stage.
    func startsAggregates() -> Bool {
        guard case .word(let w) = current.kind else { return false }
        let name = w.lowercased()
        let opens = next.kind == .symbol("(")
        if name == "count" {
            return opens || next.kind == .symbol(",") || next.kind == .symbol("|") || next.kind == .end
                || next.kind == .word("by")
        }
        return opens && (QueryParser.aggregateNames.contains(name) || Parser.percentile(name) != nil)
    }

    /// `p95` → 0.95, `p99.9` → 0.999, `p50` → 0.5; nil for anything else.
    static func percentile(_ name: String) -> Double? {
        guard name.hasPrefix("p"), let value = Double(name.dropFirst()), name.count > 1,
              name.dropFirst().allSatisfy({ $0.isNumber || $0 == "." }), value > 0, value < 100 else { return nil }
        return value / 100
    }

    /// A token after a word that makes the word a field in a comparison (`sort = "x"`).
    func isComparisonStart(_ token: Token) -> Bool {
        switch token.kind {
        case .symbol(let s): return ["=", "!=", "<", "<=", ">", ">=", "~", "!~"].contains(s)
        case .word(let w): return ["in", "contains", "exists"].contains(w.lowercased())
        default: return false
        }
    }

    mutating func aggregateStage() throws(QueryError) -> ([Aggregate], [GroupKey]) {
        var aggregates = [try aggregate()]
        while isSymbol(",") {
            _ = advance()
            let start = current
            let next = try aggregate()
            if aggregates.contains(where: { $0.name == next.name }) {
                throw fail(start, "the column \(next.name) is asked for twice")
            }
            aggregates.append(next)
        }
        var keys: [GroupKey] = []
        if isWord("by") {
            _ = advance()
            keys.append(try groupKey())
            while isSymbol(",") {
                _ = advance()
                keys.append(try groupKey())
            }
            let times = keys.filter { if case .time = $0 { return true } else { return false } }
            if times.count > 1, case .time(_, let l) = times[1] {
                throw l.error("group by one time width at most")
            }
        }
        return (aggregates, keys)
    }

    mutating func aggregate() throws(QueryError) -> Aggregate {
        let token = advance()
        guard case .word(let word) = token.kind else {
            throw fail(token, "expected an aggregate (count, sum, avg, min, max, p95, percentiles, rate, distinct, top), found \(token.text)")
        }
        let name = word.lowercased()
        if name == "count" && !isSymbol("(") { return .count(filter: nil) }
        guard isSymbol("(") else {
            let known = QueryParser.aggregateNames.union(["p50", "p95", "p99"])
            let hint = EditDistance.closest(to: name, among: known).map { " (did you mean \($0)?)" } ?? ""
            throw fail(token, "'\(word)' is not an aggregate\(hint)")
        }
        _ = advance()
        let result: Aggregate
        switch name {
        case "count": result = .count(filter: try orExpression())
        case "rate": result = .rate(try orExpression())
        case "sum": result = .sum(try field())
        case "avg": result = .average(try field())
        case "min": result = .minimum(try field())
        case "max": result = .maximum(try field())
        case "percentiles": result = .percentiles(try field())
        case "distinct": result = .distinct(try field())
        case "top":
            let f = try field()
            try expectSymbol(",", "a comma and how many, e.g. top(path, 10)")
            let n = advance()
            guard case .number(let text, let unit) = n.kind, unit.isEmpty, let count = Int(text), count > 0, count <= 10_000 else {
                throw fail(n, "top takes how many values to keep, 1 to 10000, e.g. top(path, 10)")
            }
            result = .top(f, count)
        default:
            guard let q = Parser.percentile(name) else {
                let hint = EditDistance.closest(to: name, among: QueryParser.aggregateNames).map { " (did you mean \($0)?)" } ?? ""
                throw fail(token, "'\(word)' is not an aggregate\(hint)")
            }
            result = .percentile(q, try field())
        }
        try expectSymbol(")", "a closing )")
        return result
    }

    mutating func groupKey() throws(QueryError) -> GroupKey {
        let token = current
        if case .number(let text, let unit) = token.kind {
            _ = advance()
            guard let perUnit = QueryParser.durationUnits[unit], unit != "ns", unit != "us", unit != "ms",
                  let n = Double(text), n > 0, (n * perUnit).rounded() == n * perUnit, n * perUnit <= 366 * 86400 else {
                throw fail(token, "a time key is a whole number of seconds, minutes, hours or days, e.g. by 1m or by 5m (up to 366d)")
            }
            return .time(seconds: Int64(n * perUnit), location: location(token))
        }
        return .field(try field())
    }

    mutating func sortStage() throws(QueryError) -> [SortKey] {
        var keys: [SortKey] = []
        repeat {
            if !keys.isEmpty { _ = advance() }
            let token = advance()
            guard case .word(let word) = token.kind else {
                throw fail(token, "sort takes a column name, e.g. sort count desc")
            }
            var name = word
            if isSymbol("(") {
                // p95(request_time), rate(status >= 500): read as an aggregate, so that the
                // column is named exactly as the aggregate stage names it.
                index -= 1
                name = try aggregate().name
            }
            var descending = false
            if isWord("desc") { descending = true; _ = advance() } else if isWord("asc") { _ = advance() }
            keys.append(SortKey(name: name, descending: descending, location: location(token)))
        } while isSymbol(",")
        return keys
    }

    // MARK: - Filters

    mutating func orExpression() throws(QueryError) -> Expression {
        var left = try andExpression()
        while isWord("or") {
            _ = advance()
            left = .or(left, try andExpression())
        }
        return left
    }

    mutating func andExpression() throws(QueryError) -> Expression {
        var left = try notExpression()
        while isWord("and") {
            _ = advance()
            left = .and(left, try notExpression())
        }
        return left
    }

    mutating func notExpression() throws(QueryError) -> Expression {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Parser.maxDepth else {
            throw fail(current, "the filter nests deeper than \(Parser.maxDepth) levels of ( and not")
        }
        if isWord("not") && !isComparisonStart(next) {
            _ = advance()
            return .not(try notExpression())
        }
        if isSymbol("(") {
            _ = advance()
            let inner = try orExpression()
            try expectSymbol(")", "a closing )")
            return inner
        }
        return try test()
    }

    mutating func test() throws(QueryError) -> Expression {
        tests += 1
        guard tests <= Parser.maxTests else {
            throw fail(current, "a query takes at most \(Parser.maxTests) comparisons; use `in (…)` for a list of values")
        }
        let f = try field()
        let op = current
        switch op.kind {
        case .symbol("~"), .symbol("!~"):
            _ = advance()
            let pattern = advance()
            guard case .string(let text) = pattern.kind else {
                throw fail(pattern, "a regex goes in quotes, e.g. path ~ \"^/api/\"")
            }
            return .matches(f, pattern: Literal(kind: .text, text: text, quoted: true, location: location(pattern)),
                            negated: op.kind == .symbol("!~"))
        case .symbol(let s):
            guard let comparison = ComparisonOperator(rawValue: s) else { break }
            _ = advance()
            return .compare(f, comparison, try literal())
        case .word(let w):
            switch w.lowercased() {
            case "exists":
                _ = advance()
                return .exists(f)
            case "contains":
                _ = advance()
                return .contains(f, try literal())
            case "in":
                _ = advance()
                try expectSymbol("(", "( and a list, e.g. method in (POST, PUT)")
                var values = [try literal()]
                while isSymbol(",") {
                    _ = advance()
                    values.append(try literal())
                }
                try expectSymbol(")", "a closing )")
                return .oneOf(f, values)
            default: break
            }
        default: break
        }
        throw fail(op, "expected a comparison after '\(f.name)' (=, !=, <, <=, >, >=, ~, !~, in, contains, exists), found \(op.text)")
    }

    mutating func field() throws(QueryError) -> FieldReference {
        let token = advance()
        guard case .word(let name) = token.kind else {
            throw fail(token, "expected a field name, found \(token.text)")
        }
        return FieldReference(name, at: location(token))
    }

    mutating func literal() throws(QueryError) -> Literal {
        let token = advance()
        let at = location(token)
        switch token.kind {
        case .string(let text):
            return Literal(kind: .text, text: text, quoted: true, location: at)
        case .word(let text):
            return Literal(kind: .text, text: text, quoted: false, location: at)
        case .number(let text, let unit):
            guard let value = Double(text) else {
                return Literal(kind: .text, text: token.text, quoted: false, location: at)
            }
            if unit.isEmpty {
                return Literal(kind: .number(value: value, dimension: .plain), text: token.text, quoted: false, location: at)
            }
            if let seconds = QueryParser.durationUnits[unit] {
                return Literal(kind: .number(value: value * seconds, dimension: .duration), text: token.text, quoted: false, location: at)
            }
            if let bytes = QueryParser.sizeUnits[unit.lowercased()] {
                return Literal(kind: .number(value: value * bytes, dimension: .size), text: token.text, quoted: false, location: at)
            }
            // Digits then letters that are no unit: a code such as SQLSTATE 57P03.
            if unit.allSatisfy({ $0.isLetter || $0.isNumber }), !text.contains(".") {
                return Literal(kind: .text, text: token.text, quoted: false, location: at)
            }
            throw fail(token, "unknown unit '\(unit)' in \(token.text): durations take ns, us, ms, s, m, h, d; sizes B, KB, MB, GB, KiB, MiB, GiB")
        default:
            throw fail(token, "expected a value (a number, a word or a quoted string), found \(token.text)")
        }
    }
}
