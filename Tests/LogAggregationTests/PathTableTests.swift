import Testing
@testable import LogAggregation

@Suite struct PathTableTests {
    func add(_ table: inout PathTable, _ path: String, times: Int = 1, status: Int = 200) {
        var bytes = Array(path.utf8)
        for _ in 0..<times {
            let index = bytes.withUnsafeBytes { table.index($0) }
            table[index].record(status: status, bytes: 10, latency: 0.1)
        }
        bytes.removeAll()
    }

    func counts(_ table: PathTable) -> [String: UInt64] {
        Dictionary(uniqueKeysWithValues: table.values.indices.map { (table.key(at: $0), table[$0].requests) })
    }

    @Test func countsAreExactBelowCapacity() {
        var table = PathTable(capacity: 1000)
        var truth: [String: UInt64] = [:]
        for i in 0..<5000 {
            let path = "/p/\(i % 300)x"
            add(&table, path)
            truth[path, default: 0] += 1
        }
        #expect(table.isExact)
        #expect(counts(table) == truth)
    }

    @Test func evictionKeepsHeavyHittersAndCountsWhatItDropped() {
        var table = PathTable(capacity: 100)
        for i in 0..<10 { add(&table, "/hot/\(i)x", times: 1000) }
        for i in 0..<5000 { add(&table, "/cold/\(i)x") }
        #expect(!table.isExact)
        let c = counts(table)
        for i in 0..<10 { #expect(c["/hot/\(i)x"] == 1000) }
        let total = c.values.reduce(0, +) + table.evictedWeight
        #expect(total == 15_000)
        #expect(table.count <= 100)
    }

    @Test func mergeAddsCounts() {
        var a = PathTable(capacity: 5_000), b = PathTable(capacity: 5_000), whole = PathTable(capacity: 5_000)
        for i in 0..<2000 {
            let path = "/m/\(i % 37)x"
            if i % 2 == 0 { add(&a, path, status: 500) } else { add(&b, path, status: 500) }
            add(&whole, path, status: 500)
        }
        a.merge(b)
        #expect(counts(a) == counts(whole))
        #expect(a.values.map { $0.serverErrors }.reduce(0, +) == 2000)
    }

    @Test func emptyKeyIsAKey() {
        var table = PathTable(capacity: 5_000)
        add(&table, "", times: 3)
        #expect(counts(table) == ["": 3])
    }

    /// A key evicted twice at weight 4 (each round's largest eviction) and seen twice more is
    /// listed at 2 of its true 10: the bound must be 8, the sum of the rounds' largest
    /// evictions, not 4, the largest single one.
    @Test func maxCountErrorCoversAKeyEvictedInSeveralRounds() {
        var table = KeyedTable<Counter>(capacity: 4)
        func add(_ key: String, _ n: UInt64) { var k = key; k.withUTF8 { table.add(UnsafeRawBufferPointer($0), n) } }
        add("c", 10); add("d", 10); add("a", 4); add("b", 1)
        add("e", 1)   // evicts a (4) and b (1)
        add("a", 4)
        add("f", 1)   // evicts a (4) and e (1)
        add("a", 2)
        let listed = table.value(for: "a")?.count ?? 0
        #expect(listed == 2)
        #expect(10 - listed <= table.evictionFloor, "floor \(table.evictionFloor)")
        #expect(table.evictionFloor == 8)
    }
}
