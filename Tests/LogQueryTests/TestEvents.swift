import LogParsing
@testable import LogQuery

/// An event of the test schema: status, request_time (s), duration_ms, bytes, path, method, level.
struct TestEvent: FieldValues {
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

let testSchema = FieldSchema(source: "test", fields: [
    .init(name: "status", kind: .number(.plain), slot: 0),
    .init(name: "request_time", kind: .number(.seconds), slot: 1),
    .init(name: "duration_ms", kind: .number(.milliseconds), slot: 2),
    .init(name: "bytes", kind: .number(.bytes), slot: 3),
    .init(name: "path", kind: .text, slot: 4),
    .init(name: "method", kind: .text, slot: 5),
    .init(name: "level", kind: .level, slot: 6),
])

func evaluator(_ query: String, _ s: FieldSchema = testSchema) throws -> FilterEvaluator {
    let q = try QueryParser.parse(query)
    return FilterEvaluator(try FilterBinder.bind(q.filter!, to: s))
}

func bindError(_ query: String) -> QueryError? {
    do { _ = try evaluator(query) } catch let e as QueryError { return e } catch { return nil }
    return nil
}

/// Seeded events with every field sometimes missing.
let testEvents: [TestEvent] = {
    var state: UInt64 = 42
    func next(_ n: Int) -> Int {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Int((state >> 33) % UInt64(n))
    }
    let paths = ["/api/orders/1", "/api/orders/2", "/health", "/static/app.js", "/API/orders"]
    let methods = ["GET", "POST", "PUT", "DELETE"]
    return (0..<2000).map { _ in
        TestEvent(status: next(10) == 0 ? nil : [200, 201, 301, 404, 500, 502, 503][next(7)],
              requestTime: next(8) == 0 ? nil : Double(next(10_000)) / 1000,
              durationMs: next(8) == 0 ? nil : Double(next(5_000)),
              bytes: next(8) == 0 ? nil : Double(next(3_000_000)),
              path: next(10) == 0 ? nil : paths[next(paths.count)],
              method: next(10) == 0 ? nil : methods[next(methods.count)],
              level: next(5) == 0 ? nil : ApplicationLevel.allCases[1 + next(7)])
    }
}()

