import LogParsing
import Testing
@testable import LogQuery

@Suite struct FilterTests {
    /// Each filter against the same question asked in plain Swift.
    @Test func filtersAgreeWithTheirMeaning() throws {
        let cases: [(String, (TestEvent) -> Bool)] = [
            ("status >= 500", { ($0.status ?? 0) >= 500 }),
            ("status != 200", { $0.status != nil && $0.status != 200 }),
            ("request_time > 2s", { ($0.requestTime ?? -1) > 2 }),
            ("request_time <= 250ms", { $0.requestTime.map { $0 <= 0.25 } ?? false }),
            ("duration_ms > 1s", { ($0.durationMs ?? -1) > 1000 }),
            ("bytes > 1MB", { ($0.bytes ?? -1) > 1_000_000 }),
            ("bytes < 1MiB", { $0.bytes.map { $0 < 1_048_576 } ?? false }),
            ("method in (POST, PUT, DELETE)", { ["POST", "PUT", "DELETE"].contains($0.method ?? "") }),
            ("status in (500, 502)", { [500, 502].contains($0.status ?? 0) }),
            (#"path ~ "^/api/orders""#, { $0.path?.hasPrefix("/api/orders") ?? false }),
            (#"path !~ "^/api/""#, { !($0.path?.hasPrefix("/api/") ?? false) }),
            (#"path contains "orders""#, { $0.path?.contains("orders") ?? false }),
            ("path = /health", { $0.path == "/health" }),
            ("path != /health", { $0.path != nil && $0.path != "/health" }),
            ("level >= warn", { ($0.level ?? .unknown) >= .warn }),
            ("level = error", { $0.level == .error }),
            ("level in (error, fatal)", { $0.level == .error || $0.level == .fatal }),
            ("request_time exists", { $0.requestTime != nil }),
            ("not request_time exists", { $0.requestTime == nil }),
            ("status >= 500 and (method = POST or request_time > 5s)",
             { ($0.status ?? 0) >= 500 && ($0.method == "POST" || ($0.requestTime ?? -1) > 5) }),
            ("not status >= 500 or level = fatal", { !(($0.status ?? 0) >= 500) || $0.level == .fatal }),
        ]
        for (query, truth) in cases {
            let filter = try evaluator(query)
            let got = testEvents.filter { filter.matches($0) }.count
            let expected = testEvents.filter(truth).count
            #expect(got == expected, "\(query)")
            #expect(expected > 0 && expected < testEvents.count, "a case that tells nothing: \(query)")
        }
    }

    @Test func aFieldTheInputLacksIsFalseAndNamed() throws {
        let appOnly = FieldSchema(source: "app.log", fields: [.init(name: "level", kind: .level, slot: 6)])
        let binding = try FilterBinder.bind(try QueryParser.parse("status >= 500 or level = fatal").filter!, to: appOnly)
        #expect(binding.missingFields == ["status"])
        let filter = FilterEvaluator(binding)
        #expect(testEvents.filter { filter.matches($0) }.count == testEvents.filter { $0.level == .fatal }.count)
        let negated = FilterEvaluator(try FilterBinder.bind(try QueryParser.parse(#"path !~ "x""#).filter!, to: appOnly))
        #expect(negated.matches(testEvents[0]))
    }

    @Test func typeErrorsNameTheColumn() {
        #expect(bindError("status >= abc")?.description == "query:1:11: 'status' is a number; 'abc' is not")
        #expect(bindError("request_time > 1MB")?.description
                == "query:1:16: 'request_time' is a duration, not a size; write e.g. 2s or 250ms instead of 1MB")
        #expect(bindError("status > 2s")?.message == "'status' is not a duration; write a plain number instead of 2s")
        #expect(bindError("path > /a")?.message == "'path' is text: compare it with = or !=, ~, contains or in")
        #expect(bindError("level >= loud")?.message.hasPrefix("'loud' is not a level") == true)
        #expect(bindError(#"path ~ "(unclosed""#)?.message.hasPrefix("bad regex: ") == true)
        #expect(bindError(#"path ~ "(unclosed""#)?.column == 18)
    }

    @Test func unknownFieldSuggestsTheNearestName() {
        let names = testSchema.fields.map(\.name)
        let error = FilterBinder.unknownFieldError(FieldReference("stauts", at: SourceLocation(line: 1, column: 1)), known: names)
        #expect(error.description == "query:1:1: unknown field 'stauts' (did you mean 'status'?)")
        let far = FilterBinder.unknownFieldError(FieldReference("zzzzzz", at: SourceLocation(line: 1, column: 3)), known: names)
        #expect(far.message.hasPrefix("unknown field 'zzzzzz' (fields: bytes, duration_ms, level"))
    }

    @Test func containsFindsNeedlesAnywhere() {
        func c(_ hay: String, _ needle: String) -> Bool {
            Array(hay.utf8).withUnsafeBytes { FilterEvaluator.contains($0, Array(needle.utf8)) }
        }
        #expect(c("abcabd", "abd"))
        #expect(c("aaab", "aab"))
        #expect(!c("abcab", "abd"))
        #expect(c("x", "x") && !c("", "x") && c("abc", ""))
        #expect(!c("ab", "abc"))
    }
}
