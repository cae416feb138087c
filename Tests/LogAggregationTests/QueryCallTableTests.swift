import Testing
@testable import LogAggregation

/// `QueryCallTable` (the statements of a `watch` pane) against a dictionary oracle.
@Suite struct QueryCallTableTests {
    struct Oracle {
        var calls: [String: UInt64] = [:]
        var timed: [String: UInt64] = [:]
        var totals: [String: Double] = [:]
    }

    static func add(_ table: inout QueryCallTable, _ oracle: inout Oracle, _ key: String, call: Bool, ms: Double?) {
        var k = key
        k.withUTF8 { table.add(UnsafeRawBufferPointer($0), call: call, milliseconds: ms) }
        if call { oracle.calls[key, default: 0] += 1 } else { oracle.calls[key, default: 0] += 0 }
        if let ms { oracle.timed[key, default: 0] += 1; oracle.totals[key, default: 0] += ms }
    }

    /// 40 keys, calls and durations from a fixed generator (durations in quarter milliseconds,
    /// so sums are exact in any order); the two rankings equal the oracle sorted by hand's rules,
    /// also after splitting the adds over two tables and merging them.
    @Test func rankingsMatchTheOracleAlsoAfterMerge() {
        var one = QueryCallTable(capacity: 1000), a = QueryCallTable(capacity: 1000), b = QueryCallTable(capacity: 1000)
        var oracle = Oracle(), ignored = Oracle()
        var state: UInt64 = 1
        for i in 0..<5000 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let key = "select ? from t\((state >> 33) % 40)"
            let call = (state >> 20) % 5 != 0
            let ms: Double? = (state >> 24) % 3 == 0 ? nil : Double((state >> 40) % 4000) / 4
            Self.add(&one, &oracle, key, call: call, ms: ms)
            if i % 2 == 0 { Self.add(&a, &ignored, key, call: call, ms: ms) } else { Self.add(&b, &ignored, key, call: call, ms: ms) }
        }
        a.merge(b)
        let keys = Array(oracle.calls.keys)
        let byCalls = keys.sorted { x, y in
            let (cx, cy) = (oracle.calls[x]!, oracle.calls[y]!)
            if cx != cy { return cx > cy }
            let (tx, ty) = (oracle.totals[x] ?? 0, oracle.totals[y] ?? 0)
            return tx != ty ? tx > ty : x < y
        }
        let byTotal = keys.filter { (oracle.timed[$0] ?? 0) > 0 }.sorted { x, y in
            let (tx, ty) = (oracle.totals[x] ?? 0, oracle.totals[y] ?? 0)
            if tx != ty { return tx > ty }
            let (cx, cy) = (oracle.calls[x]!, oracle.calls[y]!)
            return cx != cy ? cx > cy : x < y
        }
        for table in [one, a] {
            let top = table.topByCalls(7)
            #expect(top.map(\.query) == Array(byCalls.prefix(7)))
            for e in top {
                #expect(e.calls == oracle.calls[e.query])
                #expect(e.timed == (oracle.timed[e.query] ?? 0))
                #expect(e.totalMilliseconds == (oracle.totals[e.query] ?? 0))
            }
            #expect(table.topByTotalDuration(7).map(\.query) == Array(byTotal.prefix(7)))
            #expect(table.topByCalls(100).count == 40)
        }
    }

    /// A bare duration (no call) of a key never called is ranked by time, and not by calls
    /// ahead of called keys; a key with calls but no duration is not in the time ranking.
    @Test func durationsWithoutCallsAndCallsWithoutDurations() {
        var t = QueryCallTable(capacity: 10)
        var o = Oracle()
        Self.add(&t, &o, "a", call: false, ms: 50)
        Self.add(&t, &o, "b", call: true, ms: nil)
        Self.add(&t, &o, "c", call: true, ms: 1)
        #expect(t.topByCalls(3).map(\.query) == ["c", "b", "a"])
        #expect(t.topByTotalDuration(3).map(\.query) == ["a", "c"])
        #expect(t.topByCalls(0).isEmpty)
    }

    /// Past its capacity the table evicts: it never holds more keys than that, and says so.
    @Test func boundedByCapacity() {
        var t = QueryCallTable(capacity: 16)
        var o = Oracle()
        for i in 0..<1000 { Self.add(&t, &o, "q\(i)", call: true, ms: Double(i)) }
        #expect(t.count <= 16)
        #expect(!t.isExact)
    }
}
