import Foundation
import Testing
@testable import LogReport

/// Numbers print as a person would write them: no binary noise from unit conversions or sums.
@Suite struct JSONNumberTests {
    @Test func binaryNoiseIsNotPrinted() {
        #expect(JSONValue.format(2.6670000000000003) == "2.667")
        #expect(JSONValue.format(1000.1520000000002) == "1000.152")
        #expect(JSONValue.format(0.1 + 0.2) == "0.3")
        #expect(JSONValue.format(2.667 * 1000 / 1000) == "2.667")
        #expect(JSONValue.format(1.0000000000000002) == "1")
    }

    @Test func realDigitsAreKept() {
        #expect(JSONValue.format(0.125) == "0.125")
        #expect(JSONValue.format(123456.789012) == "123456.789012")
        #expect(JSONValue.format(1e-7) == "1e-07")
        #expect(JSONValue.format(-3) == "-3")
        #expect(JSONValue.format(.nan) == "null")
        // What prints reads back as a JSON number.
        for v in [1e-7, 2.5e20, 0.30000000000000004, 12345.678] {
            let text = JSONValue.format(v)
            #expect((try? JSONSerialization.jsonObject(with: Data("[\(text)]".utf8))) != nil, "\(text)")
        }
    }
}
