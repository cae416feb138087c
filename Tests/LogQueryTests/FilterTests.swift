import LogParsing
import Testing
@testable import LogQuery

/// An event of the test schema: status, request_time (s), duration_ms, bytes, path, method, level.
private struct Event: FieldValues {
    var status: Int?
    var requestTime: Double?
    var durationMs: Double?
    var bytes: Double?
    var path: String?
    var method: String?
    var level: ApplicationLevel?

    func withText<R>(_ slot: Int, _ body: (UnsafeRawBufferPointer?) -> R) -> R {
        let text: String?
        switch slot {
        case 0: text = status.map(String.init)
        case 1: text = requestTime.map { "\($0)" }
        case 2: text = durationMs.map { "\($0)" }
        case 3: text = bytes.map { "\($0)" }
        case 4: text = path
        case 5: text = method
        case 6: text = level?.name
        default: text = nil
        }
        guard let text else { return body(nil) }
        return Array(text.utf8).withUnsafeBytes { body($0) }
    }

    func number(_ slot: Int) -> Double? {
        switch slot {
        case 0: return status.map(Double.init)
        case 1: return requestTime
        case 2: return durationMs
        case 3: return bytes
        default: return nil
        }
    }

    func level(_ slot: Int) -> ApplicationLevel? { slot == 6 ? level : nil }
}

private let schema = FieldSchema(source: "test", fields: [
    .init(name: "status", kind: .number(.plain), slot: 0),
    .init(name: "request_time", kind: .number(.seconds), slot: 1),
    .init(name: "duration_ms", kind: .number(.milliseconds), slot: 2),
    .init(name: "bytes", kind: .number(.bytes), slot: 3),
    .init(name: "path", kind: .text, slot: 4),
    .init(name: "method", kind: .text, slot: 5),
    .init(name: "level", kind: .level, slot: 6),
])

private func evaluator(_ query: String, _ s: FieldSchema = schema) throws -> FilterEvaluator {
    let q = try QueryParser.parse(query)
    return FilterEvaluator(try FilterBinder.bind(q.filter!, to: s))
}

private func bindError(_ query: String) -> QueryError? {
    do { _ = try evaluator(query) } catch let e as QueryError { return e } catch { return nil }
    return nil
}

/// Seeded events with every field sometimes missing.
private let events: [Event] = {
    var state: UInt64 = 42
    func next(_ n: Int) -> Int {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Int((state >> 33) % UInt64(n))
    }
    let paths = ["/api/orders/1", "/api/orders/2", "/health", "/static/app.js", "/API/orders"]
    let methods = ["GET", "POST", "PUT", "DELETE"]
    return (0..<2000).map { _ in
        Event(status: next(10) == 0 ? nil : [200, 201, 301, 404, 500, 502, 503][next(7)],
              requestTime: next(8) == 0 ? nil : Double(next(10_000)) / 1000,
              durationMs: next(8) == 0 ? nil : Double(next(5_000)),
              bytes: next(8) == 0 ? nil : Double(next(3_000_000)),
              path: next(10) == 0 ? nil : paths[next(paths.count)],
              method: next(10) == 0 ? nil : methods[next(methods.count)],
              level: next(5) == 0 ? nil : ApplicationLevel.allCases[1 + next(7)])
    }
}()

@Suite struct FilterTests {
    /// Each filter against the same question asked in plain Swift.
    @Test func filtersAgreeWithTheirMeaning() throws {
        let cases: [(String, (Event) -> Bool)] = [
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
            let got = events.filter { filter.matches($0) }.count
            let expected = events.filter(truth).count
            #expect(got == expected, "\(query)")
            #expect(expected > 0 && expected < events.count, "a case that tells nothing: \(query)")
        }
    }

    @Test func aFieldTheInputLacksIsFalseAndNamed() throws {
        let appOnly = FieldSchema(source: "app.log", fields: [.init(name: "level", kind: .level, slot: 6)])
        let binding = try FilterBinder.bind(try QueryParser.parse("status >= 500 or level = fatal").filter!, to: appOnly)
        #expect(binding.missingFields == ["status"])
        let filter = FilterEvaluator(binding)
        #expect(events.filter { filter.matches($0) }.count == events.filter { $0.level == .fatal }.count)
        let negated = FilterEvaluator(try FilterBinder.bind(try QueryParser.parse(#"path !~ "x""#).filter!, to: appOnly))
        #expect(negated.matches(events[0]))
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
        let names = schema.fields.map(\.name)
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
