import LogsiftTestSupport
import Testing
@testable import LogQuery

private func parse(_ text: String) throws -> Query { try QueryParser.parse(text) }

private func error(_ text: String) -> QueryError? {
    do { _ = try QueryParser.parse(text) } catch { return error }
    return nil
}

private func field(_ e: Expression?) -> String? {
    switch e {
    case .compare(let f, _, _), .matches(let f, _, _), .contains(let f, _), .oneOf(let f, _), .exists(let f): return f.name
    default: return nil
    }
}

@Suite struct QueryParserTests {
    // MARK: - The runbook questions of USE-CASES.md and issue 8

    @Test func filterAlonePrintsLines() throws {
        let q = try parse("status >= 500")
        guard case .compare(let f, .greaterOrEqual, let v) = q.filter else { Issue.record("\(q)"); return }
        #expect(f.name == "status")
        #expect(f.location == SourceLocation(line: 1, column: 1))
        #expect(v.kind == .number(value: 500, dimension: .plain))
        #expect(q.aggregates.isEmpty && q.keys.isEmpty && q.sort.isEmpty && q.limit == nil)
    }

    @Test func countByPath() throws {
        let q = try parse("status >= 500 | count by path")
        #expect(field(q.filter) == "status")
        #expect(q.aggregates == [.count(filter: nil)])
        guard case .field(let key) = q.keys.first else { Issue.record("\(q.keys)"); return }
        #expect(key.name == "path" && key.location.column == 26)
    }

    @Test func percentileAndRatePerMinute() throws {
        let q = try parse(#"path ~ "^/api/orders" | count, p95(request_time), rate(status >= 500) by 1m"#)
        guard case .matches(_, let pattern, false) = q.filter else { Issue.record("\(String(describing: q.filter))"); return }
        #expect(pattern.text == "^/api/orders")
        #expect(q.aggregates.count == 3)
        #expect(q.aggregates[1].name == "p95(request_time)")
        guard case .percentile(let p, _) = q.aggregates[1], case .rate(let r) = q.aggregates[2] else { Issue.record("\(q)"); return }
        #expect(p == 0.95)
        #expect(field(r) == "status")
        guard case .time(let seconds, _) = q.keys.first else { Issue.record("\(q.keys)"); return }
        #expect(seconds == 60)
    }

    @Test func methodListGroupedByTwoFields() throws {
        let q = try parse("method in (POST, PUT, DELETE) | count by method, status")
        guard case .oneOf(_, let values) = q.filter else { Issue.record("\(q)"); return }
        #expect(values.map(\.text) == ["POST", "PUT", "DELETE"])
        #expect(q.keys.count == 2)
    }

    @Test func levelsSortAndLimit() throws {
        let q = try parse("level >= error | count by service, template | sort count desc | limit 20")
        guard case .compare(_, .greaterOrEqual, let v) = q.filter else { Issue.record("\(q)"); return }
        #expect(v.kind == .text && v.text == "error")
        #expect(q.sort == [SortKey(name: "count", descending: true, location: SourceLocation(line: 1, column: 52))])
        #expect(q.limit == 20)
    }

    @Test func sqlQuestions() throws {
        let q = try parse("duration_ms > 1000 | count, sum(duration_ms), p95(duration_ms) by query | sort sum(duration_ms) desc")
        #expect(q.aggregates.map(\.name) == ["count", "sum(duration_ms)", "p95(duration_ms)"])
        #expect(q.sort.first?.name == "sum(duration_ms)")
        let codes = try parse("sqlstate in (08000, 08003, 08006, 57P03) or message contains \"connection\" | count by 1m")
        guard case .or(.oneOf(_, let values), .contains(_, let text)) = codes.filter else { Issue.record("\(codes)"); return }
        // Leading zeros and letters survive: the binder reads them as SQLSTATE text.
        #expect(values.map(\.text) == ["08000", "08003", "08006", "57P03"])
        #expect(values[3].kind == .text)
        #expect(text.text == "connection" && text.quoted)
    }

    @Test func countAloneByTime() throws {
        let q = try parse("count by 1m")
        #expect(q.filter == nil)
        #expect(q.aggregates == [.count(filter: nil)])
        guard case .time(60, _) = q.keys.first else { Issue.record("\(q.keys)"); return }
    }

    // MARK: - Operators, units, precedence

    @Test func everyComparisonOperator() throws {
        for op in ComparisonOperator.allCases {
            let q = try parse("status \(op.rawValue) 404")
            guard case .compare(_, let parsed, _) = q.filter else { Issue.record("\(op.rawValue)"); continue }
            #expect(parsed == op)
        }
        guard case .compare(_, .equal, _) = try parse("status == 404").filter else { Issue.record("=="); return }
        guard case .matches(_, _, true) = try parse(#"ua !~ "bot""#).filter else { Issue.record("!~"); return }
        guard case .exists(let f) = try parse("upstream_response_time exists").filter else { Issue.record("exists"); return }
        #expect(f.name == "upstream_response_time")
    }

    @Test func unitsOfDurationAndSize() throws {
        func value(_ text: String) throws -> Literal.Kind? {
            guard case .compare(_, _, let v) = try parse("x > \(text)").filter else { return nil }
            return v.kind
        }
        #expect(try value("2s") == .number(value: 2, dimension: .duration))
        #expect(try value("250ms") == .number(value: 0.25, dimension: .duration))
        #expect(try value("5m") == .number(value: 300, dimension: .duration))
        #expect(try value("1h") == .number(value: 3600, dimension: .duration))
        #expect(try value("1MB") == .number(value: 1_000_000, dimension: .size))
        #expect(try value("1MiB") == .number(value: 1_048_576, dimension: .size))
        #expect(try value("1.5KB") == .number(value: 1500, dimension: .size))
        #expect(try value("-1") == .number(value: -1, dimension: .plain))
        #expect(try value("0.25") == .number(value: 0.25, dimension: .plain))
        #expect(error("x > 1.5zz")?.message.hasPrefix("unknown unit 'zz'") == true)
    }

    @Test func andBindsTighterThanOrAndNotTighterThanAnd() throws {
        let q = try parse("a = 1 or b = 2 and not c = 3")
        guard case .or(.compare, .and(.compare, .not(.compare))) = q.filter else { Issue.record("\(String(describing: q.filter))"); return }
        let p = try parse("(a = 1 or b = 2) and c = 3")
        guard case .and(.or, .compare) = p.filter else { Issue.record("\(String(describing: p.filter))"); return }
    }

    @Test func keywordsAsFieldNamesInComparisons() throws {
        // A field may be called sort, limit or not: a comparison after it says it is a field.
        #expect(field(try parse("sort = 1").filter) == "sort")
        #expect(field(try parse("limit > 2").filter) == "limit")
        guard case .not(.exists) = try parse("not user_id exists").filter else { Issue.record("not exists"); return }
    }

    @Test func stringsWithEscapesAndRegexBackslashes() throws {
        guard case .matches(_, let p, _) = try parse(#"path ~ "^/a\.b/\d+$""#).filter else { Issue.record("re"); return }
        #expect(p.text == #"^/a\.b/\d+$"#)
        guard case .compare(_, _, let s) = try parse(#"msg = 'it\'s "x"'"#).filter else { Issue.record("quote"); return }
        #expect(s.text == #"it's "x""#)
    }

    @Test func allAggregates() throws {
        let q = try parse("count, count(status = 404), sum(b), avg(b), min(b), max(b), p99.9(t), percentiles(t), rate(s >= 500), distinct(ip), top(path, 5)")
        #expect(q.aggregates.map(\.name) == ["count", "count(status = 404)", "sum(b)", "avg(b)", "min(b)", "max(b)", "p99.9(t)",
                                            "percentiles(t)", "rate(s >= 500)", "distinct(ip)", "top(path, 5)"])
    }

    @Test func filtersHaveOneCanonicalSpelling() throws {
        let q = try parse(#"count(not (a=1 or b!='x') and c in (1,2)) | sort count(not (a = 1 or b != "x") and c in (1, 2)) desc"#)
        #expect(q.aggregates.first?.name == #"count(not (a = 1 or b != "x") and c in (1, 2))"#)
        #expect(q.sort.first?.name == q.aggregates.first?.name)
        let r = try parse("rate(status>=500) by 1m | sort rate(status >= 500) desc")
        #expect(r.sort.first?.name == "rate(status >= 500)")
        #expect(r.aggregates.first?.name == "rate(status >= 500)")
    }

    // MARK: - Errors name the column and what was expected

    @Test func errorsNameLineColumnAndWhatToWrite() {
        #expect(error("status >= 500 | cont by path")?.description
                == "query:1:17: 'cont' is not an aggregate, sort or limit (did you mean count?)")
        #expect(error("status")?.description
                == "query:1:7: expected a comparison after 'status' (=, !=, <, <=, >, >=, ~, !~, in, contains, exists), found end of query")
        #expect(error("status >=")?.description == "query:1:10: expected a value (a number, a word or a quoted string), found end of query")
        #expect(error("path ~ ^/api")?.column == 8)
        #expect(error(#"path = "open"#)?.description == "query:1:8: this string has no closing \"")
        #expect(error("count by path | status >= 500")?.message.hasPrefix("a filter goes first") == true)
        #expect(error("count by 1m, 5m")?.message == "group by one time width at most")
        #expect(error("count by 90ms")?.message.hasPrefix("a time key is a whole number") == true)
        #expect(error("p95(x by path")?.message == "expected a closing ), found by")
        #expect(error("status >= 500 | limit 0")?.message.hasPrefix("limit takes a positive whole number") == true)
        #expect(error("")?.message.hasPrefix("empty query") == true)
        #expect(error("status >= 500 |")?.message == "expected a stage after |")
        #expect(error("a = 1 $")?.description == "query:1:7: unexpected character '$'")
        #expect(error("a = 1\n  and b")?.description.hasPrefix("query:2:") == true)
        #expect(error("status >= 500 | top(path) by x")?.message.hasPrefix("expected a comma") == true)
        #expect(error("a = 1 b = 2")?.message == "expected | or the end of the query, found b")
        #expect(error("a = 1 | sum(x) | count")?.message == "aggregates go before sort and limit, once")
    }

    /// The remaining messages, each at the column of the token it is about (counted by hand).
    @Test func everyOtherMessageNamesItsColumn() {
        let nested = String(repeating: "(", count: 200) + "a = 1" + String(repeating: ")", count: 200)
        let many = (0..<300).map { "a = \($0)" }.joined(separator: " or ")
        let cases: [(String, String, Int)] = [
            ("count | sort count | sort count", "sort goes before limit, once", 22),
            ("count | limit 5 | limit 6", "limit comes last, once", 19),
            ("count | limit 5 | sort count", "sort goes before limit, once", 19),
            ("count, p95(x), count", "the column count is asked for twice", 16),
            ("top(path, 0)", "top takes how many values to keep, 1 to 10000, e.g. top(path, 10)", 11),
            ("top(path, 10001)", "top takes how many values to keep, 1 to 10000, e.g. top(path, 10)", 11),
            ("count | sort 5", "sort takes a column name, e.g. sort count desc", 14),
            ("path ~ api", "a regex goes in quotes, e.g. path ~ \"^/api/\"", 8),
            ("request_time > 1.5sec", "unknown unit 'sec' in 1.5sec: durations take ns, us, ms, s, m, h, d; sizes B, KB, MB, GB, KiB, MiB, GiB", 16),
        ]
        for (text, message, column) in cases {
            let e = error(text)
            #expect(e?.message == message, "\(text)")
            #expect(e?.column == column, "\(text): \(e?.description ?? "parsed")")
        }
        #expect(error(nested)?.message.hasPrefix("the filter nests deeper than") == true)
        #expect(error(many)?.message.hasPrefix("a query takes at most") == true)
    }

    @Test func misspelledAggregateGetsASuggestion() {
        #expect(error("status >= 500 | conut")?.message == "'conut' is not an aggregate, sort or limit (did you mean count?)")
        #expect(error("avgg(x)")?.message == "'avgg' is not an aggregate, sort or limit (did you mean avg?)")
        #expect(error("status >= 500 | srot count")?.message == "'srot' is not an aggregate, sort or limit (did you mean sort?)")
    }
}

/// Mutated queries (seeded) either parse or throw a `QueryError` inside the text: no trap, no hang.
@Suite struct QueryParserRobustnessTests {
    static let seeds = [
        "status >= 500 | count by path",
        #"path ~ "^/api/orders" | count, p95(request_time), rate(status >= 500) by 1m"#,
        "method in (POST, PUT, DELETE) | count by method, status",
        "level >= error | count by service, template | sort count desc | limit 20",
        "duration_ms > 1000 | count, sum(duration_ms), p95(duration_ms) by query",
        "(a = 1 or not b exists) and c contains 'x' | top(path, 5), distinct(ip) by 5m",
    ]

    @Test func mutatedQueriesNeverTrap() {
        var rng = FuzzRNG(seed: 0x9E3779B97F4A7C15)
        func next() -> UInt64 { rng.next() }
        let alphabet = Array(" ()|,=<>!~\"'\\-.0123456789abcdpsmhBMK\n\tµ日".unicodeScalars)
        for _ in 0..<5_000 {
            var scalars = Array(Self.seeds[Int(next() % UInt64(Self.seeds.count))].unicodeScalars)
            for _ in 0..<(1 + Int(next() % 4)) {
                let at = Int(next() % UInt64(scalars.count + 1))
                switch next() % 3 {
                case 0 where at < scalars.count: scalars.remove(at: at)
                case 1: scalars.insert(alphabet[Int(next() % UInt64(alphabet.count))], at: at)
                default: if at < scalars.count { scalars[at] = alphabet[Int(next() % UInt64(alphabet.count))] }
                }
            }
            let text = String(String.UnicodeScalarView(scalars))
            do {
                _ = try QueryParser.parse(text)
            } catch {
                let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
                #expect(error.line >= 1 && error.line <= lines.count, "\(text)")
                #expect(error.column >= 1 && error.column <= lines[error.line - 1].unicodeScalars.count + 1, "\(text)")
            }
        }
    }
}
