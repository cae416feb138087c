import Foundation
import Testing
@testable import LogAggregation

/// A small deterministic generator so failures reproduce.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9e3779b97f4a7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58476d1ce4e5b9
        z = (z ^ (z >> 27)) &* 0x94d049bb133111eb
        return z ^ (z >> 31)
    }
}

/// The true quantile under the sketch's stated definition: 0-based rank floor(q·(n−1)).
func trueQuantile(_ sorted: [Double], _ q: Double) -> Double {
    sorted[Int((q * Double(sorted.count - 1)).rounded(.down))]
}

func withinBound(_ estimate: Double, _ truth: Double) -> Bool {
    if truth == 0 { return estimate == 0 }
    return abs(estimate - truth) <= LatencySketch.relativeAccuracy * truth * (1 + 1e-9)
}

@Suite struct LatencySketchTests {
    static let quantiles = [0.0, 0.01, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1.0]

    static func distributions() -> [(String, [Double])] {
        var rng = SplitMix64(state: 42)
        let lognormal = (0..<50_000).map { _ -> Double in
            let u1 = Double.random(in: Double.ulpOfOne..<1, using: &rng), u2 = Double.random(in: 0..<1, using: &rng)
            let z = sqrt(-2 * log(u1)) * cos(2 * .pi * u2)
            return (exp(-3 + 1.2 * z) * 1000).rounded() / 1000  // milliseconds, as nginx writes them
        }
        let uniform = (0..<20_000).map { _ in Double.random(in: 0.001...30, using: &rng) }
        let heavy = (0..<20_000).map { _ in 0.001 / pow(Double.random(in: 0.0001..<1, using: &rng), 1.5) }
        let withZeros = (0..<5_000).map { i in i % 3 == 0 ? 0 : Double(i % 97) / 1000 }
        return [("lognormal ms", lognormal), ("uniform", uniform), ("pareto", heavy), ("zeros", withZeros),
                ("constant", Array(repeating: 0.25, count: 1000)), ("single", [1.5]), ("two", [0.002, 9.0])]
    }

    @Test func quantilesMeetTheStatedBound() {
        for (name, values) in Self.distributions() {
            var sketch = LatencySketch()
            for v in values { sketch.add(v) }
            let sorted = values.sorted()
            #expect(sketch.count == UInt64(values.count), "\(name)")
            #expect(sketch.max == sorted.last, "\(name): max is exact")
            for q in Self.quantiles {
                let estimate = sketch.quantile(q)!
                let truth = trueQuantile(sorted, q)
                #expect(withinBound(estimate, truth), "\(name) q=\(q): estimate \(estimate), truth \(truth)")
            }
        }
    }

    @Test func mergingPartsGivesTheSameSketchAsOnePass() {
        for (name, values) in Self.distributions() {
            var whole = LatencySketch()
            for v in values { whole.add(v) }
            for parts in [2, 3, 7] {
                var merged = LatencySketch()
                for p in 0..<parts {
                    var part = LatencySketch()
                    for (i, v) in values.enumerated() where i % parts == p { part.add(v) }
                    merged.merge(part)
                }
                #expect(merged == whole || merged.quantiles == whole.quantiles, "\(name) in \(parts) parts")
                #expect(merged.mean == whole.mean, "\(name): mean independent of merge order")
            }
        }
    }

    @Test func emptySketchHasNoQuantiles() {
        let sketch = LatencySketch()
        #expect(sketch.quantile(0.5) == nil)
        #expect(sketch.mean == nil)
    }

    @Test func extremeValuesStayBounded() {
        var sketch = LatencySketch()
        sketch.add(1e-12)
        sketch.add(1e15)
        sketch.add(-1)
        #expect(sketch.count == 3)
        #expect(sketch.counts.count < 5_000)
        #expect(sketch.quantile(1) == 1e15)
    }

    /// Two values at the ends of the tracked range once made a sketch of every bucket between
    /// them (about 2,100 slots, per time bucket and per path); now they cost two pages.
    @Test func twoExtremeValuesAllocateTwoPages() {
        var sketch = LatencySketch()
        sketch.add(1e-9)
        sketch.add(1e9)
        #expect(sketch.counts.count <= 128, "\(sketch.counts.count) slots")
        #expect(sketch.quantile(0) == 1e-9 && sketch.quantile(1) == 1e9)
        var merged = LatencySketch()
        merged.merge(sketch)
        #expect(merged.counts.count <= 128 && merged == sketch)
    }

    /// However spread the values, a sketch holds at most the tracked range's buckets.
    @Test func slotCountIsBoundedByTheTrackedRange() {
        #expect(LatencySketch.index(LatencySketch.trackedRange.lowerBound) == LatencySketch.lowestIndex)
        #expect(LatencySketch.index(LatencySketch.trackedRange.upperBound) == LatencySketch.highestIndex)
        var sketch = LatencySketch()
        var v = 1e-12
        while v < 1e12 { sketch.add(v); v *= 1.005 }
        #expect(sketch.counts.count <= LatencySketch.pageCount * LatencySketch.pageSize)
        #expect(LatencySketch.pageCount * LatencySketch.pageSize <= 2_112)
    }
}

extension LatencySketch {
    var quantiles: [Double?] { LatencySketchTests.quantiles.map { quantile($0) } }
}
