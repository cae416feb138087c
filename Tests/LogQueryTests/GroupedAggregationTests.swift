import Foundation
import LogAggregation
import LogParsing
import Testing
@testable import LogQuery

/// Runs `query` over `events` (each with a time) and returns the rows.
private func run(_ query: String, _ events: [(TestEvent, Int64?)], workers: Int = 1) throws -> (AggregationPlan, [GroupRow]) {
    let q = try QueryParser.parse(query)
    let plan = try AggregationPlan.bind(q, to: testSchema)
    let filter = try q.filter.map { FilterEvaluator(try FilterBinder.bind($0, to: testSchema)) }
    var parts = (0..<workers).map { _ in GroupedAggregation(plan: plan) }
    for (i, (event, time)) in events.enumerated() where filter?.matches(event) ?? true {
        parts[i % workers].add(event, time: time)
    }
    let total = parts.removeFirst()
    for p in parts { total.merge(p) }
    return (plan, total.rows())
}

private func number(_ v: GroupRow.Value) -> Double? {
    if case .number(let x) = v { return x }
    return nil
}

/// The element of rank ⌊q·(n−1)⌋.
private func exactQuantile(_ values: [Double], _ q: Double) -> Double {
    let sorted = values.sorted()
    return sorted[Int((q * Double(sorted.count - 1)).rounded(.down))]
}

private let timed: [(TestEvent, Int64?)] = testEvents.enumerated().map { i, e in (e, 1_700_000_000 + Int64(i) * 7) }

@Suite struct GroupedAggregationTests {
    @Test func numberAggregatesOfATextFieldNameItsColumn() throws {
        for (text, column) in [("sum(path)", 5), ("count, avg(method) by path", 12), ("p95(path)", 5)] {
            do {
                _ = try AggregationPlan.bind(try QueryParser.parse(text), to: testSchema)
                Issue.record("\(text) bound")
            } catch {
                #expect(error.column == column, "\(text): \(error)")
                #expect(error.message.contains("is text: sum, avg, min, max and percentiles take a number field"), "\(error)")
            }
        }
    }

    @Test func countAndPercentileByMethodAgreeWithTruth() throws {
        let (plan, rows) = try run("status >= 500 | count, p95(request_time), sum(bytes), avg(duration_ms), min(status), max(request_time) by method", timed)
        #expect(plan.names == ["count", "p95(request_time)", "sum(bytes)", "avg(duration_ms)", "min(status)", "max(request_time)"])
        let matching = testEvents.filter { ($0.status ?? 0) >= 500 }
        let methods = Set(matching.map { $0.method ?? "-" })
        #expect(rows.map(\.keys[0]) == methods.sorted())
        for row in rows {
            let group = matching.filter { ($0.method ?? "-") == row.keys[0] }
            #expect(number(row.values[0]) == Double(group.count))
            let times = group.compactMap(\.requestTime)
            let p95 = try #require(number(row.values[1]))
            let truth = exactQuantile(times, 0.95)
            #expect(abs(p95 - truth) <= 0.01 * truth, "\(row.keys) \(p95) vs \(truth)")
            #expect(number(row.values[2]) == group.compactMap(\.bytes).reduce(0, +))
            let durations = group.compactMap(\.durationMs)
            #expect(abs(number(row.values[3])! - durations.reduce(0, +) / Double(durations.count)) < 1e-9)
            #expect(number(row.values[4]) == Double(group.compactMap(\.status).min()!))
            #expect(number(row.values[5]) == times.max())
        }
    }

    @Test func splittingBetweenWorkersGivesTheSameRows() throws {
        let query = "count, p99(request_time), rate(status >= 500), distinct(path), top(method, 2) by level, 1h"
        let (_, one) = try run(query, timed)
        let (_, three) = try run(query, timed, workers: 3)
        #expect(one.count == three.count)
        for (a, b) in zip(one, three) {
            #expect(a.bucket == b.bucket && a.keys == b.keys)
            #expect(a.values == b.values, "\(a.keys)")
        }
    }

    @Test func rateAndCountIfPerHourWithEmptyBucketsFilled() throws {
        // Events at hours 0, 1 and 4: hours 2 and 3 are listed with zero.
        let base: Int64 = 1_700_006_400  // a whole hour
        var events: [(TestEvent, Int64?)] = []
        for (hour, statuses) in [(0, [200, 500, 200, 200]), (1, [503, 503]), (4, [200])] {
            for s in statuses { events.append((TestEvent(status: s), base + Int64(hour) * 3600 + 60)) }
        }
        let (_, rows) = try run("count, count(status >= 500), rate(status >= 500) by 1h", events)
        #expect(rows.map(\.bucket) == (0...4).map { base + Int64($0) * 3600 })
        #expect(rows.map { number($0.values[0]) } == [4, 2, 0, 0, 1])
        #expect(rows.map { number($0.values[1]) } == [1, 2, 0, 0, 0])
        #expect(rows.map { number($0.values[2]) } == [0.25, 1, nil, nil, 0])
    }

    @Test func missingKeyValuesGroupTogether() throws {
        let events: [(TestEvent, Int64?)] = [(TestEvent(status: 200, path: "/a"), nil), (TestEvent(status: 200), nil),
                                            (TestEvent(status: 404), nil), (TestEvent(status: 200, path: "/a"), nil)]
        let (_, rows) = try run("count by path", events)
        #expect(rows.map(\.keys) == [["-"], ["/a"]])
        #expect(rows.map { number($0.values[0]) } == [2, 2])
    }

    @Test func topListsTheMostFrequentValues() throws {
        let (_, rows) = try run("top(path, 3)", timed)
        guard case .list(let list) = rows[0].values[0] else { Issue.record("\(rows)"); return }
        var truth: [String: UInt64] = [:]
        for e in testEvents { if let p = e.path { truth[p, default: 0] += 1 } }
        let expected = truth.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(3)
        #expect(list.map(\.0) == expected.map(\.key))
        #expect(list.map(\.1) == expected.map(\.value))
    }

    @Test func bindingErrorsNameTheField() {
        #expect(throws: QueryError.self) { _ = try AggregationPlan.bind(try QueryParser.parse("sum(path)"), to: testSchema) }
        do {
            _ = try AggregationPlan.bind(try QueryParser.parse("count by stauts"), to: testSchema)
            Issue.record("no error")
        } catch {
            #expect((error as? QueryError)?.description == "query:1:10: unknown field 'stauts' (did you mean 'status'?)")
        }
    }
}

@Suite struct DistinctCounterTests {
    func counter(_ values: Range<Int>) -> DistinctCounter {
        var c = DistinctCounter()
        for v in values {
            var text = "user-\(v)"
            text.withUTF8 { c.add(UnsafeRawBufferPointer($0)) }
        }
        return c
    }

    @Test func exactBelowTheLimitAndWithinItsErrorAbove() {
        #expect(counter(0..<50).estimate == 50)
        #expect(counter(0..<50).isExact)
        for n in [100, 1_000, 10_000, 200_000] {
            let estimate = counter(0..<n).estimate
            // Four standard errors: a failure here is a broken counter, not bad luck.
            #expect(abs(estimate - Double(n)) <= 4 * DistinctCounter.standardError * Double(n), "\(n): \(estimate)")
        }
    }

    @Test func mergeEqualsOneCounterOverBoth() {
        var a = counter(0..<30_000)
        a.merge(counter(20_000..<50_000))
        #expect(a == counter(0..<50_000))
        var small = counter(0..<10)
        small.merge(counter(5..<20))
        #expect(small.estimate == 20)
        var mixed = counter(0..<10)
        mixed.merge(counter(0..<5_000))
        #expect(mixed == counter(0..<5_000))
    }
}
