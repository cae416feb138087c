import Testing
import LogParsing
@testable import LogAggregation

@Suite struct TrafficAggregateTests {
    func record(time: Int64, status: Int, latency: Double) -> AccessRecord {
        var r = AccessRecord()
        r.time = time
        r.status = status
        r.bytes = 100
        r.requestTime = latency
        return r
    }

    func add(_ aggregate: inout TrafficAggregate, _ r: AccessRecord) {
        [UInt8]().withUnsafeBytes { aggregate.add(r, line: $0) }
    }

    @Test func bucketsCountByEventTime() {
        var aggregate = TrafficAggregate(bucketSeconds: 60)
        let base: Int64 = 1_795_000_020  // not a multiple of 60: the first bucket starts before it
        var truth: [Int64: UInt64] = [:]
        for i in 0..<1000 {
            let t = base + Int64(i * 7)
            add(&aggregate, record(time: t, status: i % 10 == 0 ? 503 : 200, latency: 0.01))
            truth[t - t % 60, default: 0] += 1
        }
        let buckets = aggregate.orderedBuckets
        #expect(buckets.map(\.start) == truth.keys.sorted())
        #expect(buckets.map(\.stats.requests) == truth.keys.sorted().map { truth[$0]! })
        #expect(aggregate.total.count(ofClass: 5) == 100)
        #expect(aggregate.statusCounts[503] == 100)
    }

    @Test func negativeTimesFloorDownward() {
        var aggregate = TrafficAggregate(bucketSeconds: 60)
        add(&aggregate, record(time: -1, status: 200, latency: 0.1))
        #expect(aggregate.orderedBuckets.first?.start == -60)
    }

    @Test func bucketCapWidensInsteadOfGrowing() {
        var aggregate = TrafficAggregate(bucketSeconds: 60, maxBuckets: 100)
        for i in 0..<10_000 { add(&aggregate, record(time: Int64(i * 60), status: 200, latency: 0.1)) }
        #expect(aggregate.buckets.count <= 100)
        #expect(aggregate.bucketSeconds == 60 * 128)
        #expect(aggregate.widenings == 7)
        #expect(aggregate.buckets.reduce(0) { $0 + $1.requests } == 10_000)
        for (start, _) in aggregate.orderedBuckets { #expect(start % aggregate.bucketSeconds == 0) }
    }

    @Test func mergeOfSplitInputEqualsOnePass() {
        var whole = TrafficAggregate(bucketSeconds: 60, maxBuckets: 50)
        var a = TrafficAggregate(bucketSeconds: 60, maxBuckets: 50)
        var b = TrafficAggregate(bucketSeconds: 60, maxBuckets: 50)
        for i in 0..<3000 {
            // a gets the first part (many buckets, widened); b the rest
            let r = record(time: Int64(i * 30), status: [200, 404, 500][i % 3], latency: Double(i % 50) / 100)
            add(&whole, r)
            if i < 2000 { add(&a, r) } else { add(&b, r) }
        }
        a.merge(b)
        #expect(a.bucketSeconds == whole.bucketSeconds)
        #expect(a.orderedBuckets.map(\.start) == whole.orderedBuckets.map(\.start))
        #expect(a.orderedBuckets.map(\.stats.requests) == whole.orderedBuckets.map(\.stats.requests))
        #expect(a.orderedBuckets.map { $0.stats.latency } == whole.orderedBuckets.map { $0.stats.latency })
        #expect(a.statusCounts == whole.statusCounts)
        #expect(a.total.latency == whole.total.latency)
    }

    @Test func untimedLinesCountInTotalsOnly() {
        var aggregate = TrafficAggregate()
        var r = record(time: 0, status: 200, latency: 0.1)
        r.time = nil
        add(&aggregate, r)
        #expect(aggregate.total.requests == 1)
        #expect(aggregate.untimed == 1)
        #expect(aggregate.buckets.isEmpty)
    }
}
