import Foundation
import Testing
@testable import LogAggregation

@Suite struct DecimalRoundingTests {
    @Test func significantDigits() {
        #expect(DecimalRounding.significant(2.6670000000000003, digits: 15) == 2.667)
        #expect(DecimalRounding.significant(1000.1520000000002, digits: 15) == 1000.152)
        #expect(DecimalRounding.significant(0.123456, digits: 3) == 0.123)
        #expect(DecimalRounding.significant(98765, digits: 2) == 99000)
        #expect(DecimalRounding.significant(-0.000123456, digits: 2) == -0.00012)
        #expect(DecimalRounding.significant(0, digits: 3) == 0)
        #expect(DecimalRounding.significant(.infinity, digits: 3) == .infinity)
        #expect(DecimalRounding.significant(1.5, digits: 99) == 1.5)
    }

    @Test func shortestWithinARelativeDistance() {
        #expect(DecimalRounding.shortest(0.123456, within: 1e-4) == 0.12346)
        #expect(DecimalRounding.shortest(0.1 + 0.2, within: 1e-15) == 0.3)
        #expect(DecimalRounding.shortest(2.0, within: 1e-4) == 2)
    }

    /// Every quantile the sketch prints has at most 5 significant digits and still meets the
    /// 1% guarantee against the exact order statistic.
    @Test func sketchQuantilesAreShortAndKeepTheirBound() {
        var generator = SystemRandomNumberGenerator()
        var values: [Double] = []
        var sketch = LatencySketch()
        for _ in 0..<20_000 {
            let value = pow(10, Double.random(in: -6...3, using: &generator))
            values.append(value)
            sketch.add(value)
        }
        values.sort()
        for q in stride(from: 0.01, through: 0.99, by: 0.01) {
            let estimate = sketch.quantile(q)!
            let truth = values[Int((q * Double(values.count - 1)).rounded(.down))]
            #expect(abs(estimate - truth) <= LatencySketch.relativeAccuracy * truth, "q=\(q)")
            #expect(DecimalRounding.significant(estimate, digits: 5) == estimate, "q=\(q) \(estimate)")
        }
    }
}
