import Foundation
import LogAggregation
import Testing

/// `LatencySketch.subtract`, as a rolling window uses it: after adding slices A and B and
/// subtracting B, quantiles are those of A's values (sorted here, exactly), within 1 %.
@Suite struct LatencySketchWindowTests {
    @Test func subtractingASliceLeavesTheOthers() {
        var a = LatencySketch(), b = LatencySketch(), window = LatencySketch()
        var kept: [Double] = []
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Double {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Double(seed >> 11) / Double(1 << 53)
        }
        for i in 0..<5000 {
            // A: 1 ms … 10 s, some zeros; B: 20 s … 60 s (so subtracting B moves every high quantile).
            let v = i % 50 == 0 ? 0 : 0.001 * pow(10, 4 * next())
            a.add(v); window.add(v); kept.append(v)
            let w = 20 + 40 * next()
            b.add(w); window.add(w)
        }
        window.subtract(b)
        kept.sort()
        #expect(window.count == 5000)
        #expect(window.zeroCount == a.zeroCount)
        for q in [0.01, 0.5, 0.9, 0.95, 0.99] {
            let exact = kept[Int((q * Double(kept.count - 1)).rounded(.down))]
            let got = window.quantile(q)!
            #expect(abs(got - exact) <= 0.01 * exact, "q \(q): \(got) vs \(exact)")
            #expect(got == a.quantile(q))
        }
        window.subtract(a)
        #expect(window.count == 0 && window.quantile(0.5) == nil)
        // Empty again: min and max are reset, not stale.
        window.add(0.5)
        #expect(window.min == 0.5 && window.max == 0.5)
    }
}
