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

    /// The arithmetic path gives what the C library's `%.*g` and `strtod` give (the truth here),
    /// or declines: on random magnitudes, powers of ten and their neighbours, and decimal ties.
    @Test func arithmeticRoundingEqualsTheCLibrary() {
        var rng = SystemRandomNumberGenerator()
        var values: [Double] = [0.125, 2.5, 0.45, 1.005, 9.995, 99.95, 0.0005, 1e-7, 123456789.5, 0.1 + 0.2]
        for k in -30...30 {
            let p = pow(10.0, Double(k))
            values += [p, p.nextUp, p.nextDown, -p, 9.5 * p, 9.96 * p, 0.5 * p]
        }
        for _ in 0..<200_000 {
            values.append((Bool.random(using: &rng) ? 1 : -1) * pow(10, Double.random(in: -12...14, using: &rng)))
        }
        var taken = 0
        for value in values {
            for digits in 1...17 {
                let truth = DecimalRounding.printed(value, digits: digits)
                if let fast = DecimalRounding.scaled(value, digits: digits) {
                    taken += 1
                    if fast != truth {
                        Issue.record("\(value) to \(digits) digits: \(fast), the C library \(truth)")
                        return
                    }
                }
                #expect(DecimalRounding.significant(value, digits: digits) == truth)
            }
        }
        #expect(taken > values.count * 10, "the arithmetic path is the common one (\(taken) of \(values.count * 17))")
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
