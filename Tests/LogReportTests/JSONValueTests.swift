import Foundation
import Testing
@testable import LogReport

@Suite struct JSONValueTests {
    @Test func rendersValidJSONThatFoundationReadsBack() throws {
        let value = JSONValue.object([
            ("text", .string("quote \" backslash \\ newline \n tab \t bell \u{07} é 日本")),
            ("int", .int(-42)), ("big", .int(Int64.max)), ("double", .double(0.125)), ("whole", .double(3)),
            ("nan", .double(.nan)), ("null", .null), ("flag", .bool(true)),
            ("list", .array([.int(1), .array([]), .object([])])),
        ])
        for pretty in [true, false] {
            let text = value.rendered(pretty: pretty)
            let parsed = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
            #expect(parsed["text"] as? String == "quote \" backslash \\ newline \n tab \t bell \u{07} é 日本")
            #expect(parsed["int"] as? Int == -42)
            #expect(parsed["big"] as? Int64 == Int64.max)
            #expect(parsed["double"] as? Double == 0.125)
            #expect(parsed["whole"] as? Int == 3)
            #expect(parsed["nan"] is NSNull)
            #expect(parsed["flag"] as? Bool == true)
        }
    }

    @Test func keepsKeyOrder() {
        let text = JSONValue.object([("b", .int(1)), ("a", .int(2))]).rendered(pretty: false)
        #expect(text == #"{"b":1,"a":2}"#)
    }

    @Test func doublesRoundTrip() throws {
        // Any decimal of up to 15 significant digits reads back as the same double.
        for d in [0.1, 1e-7, 123456.789, 0.0337031825202294, 1e20] {
            let text = JSONValue.double(d).rendered(pretty: false)
            #expect(Double(text) == d, "\(text)")
        }
        // Digits past the 15th are binary noise as far as a report is concerned.
        #expect(JSONValue.double(0.033703182520229406).rendered(pretty: false) == "0.0337031825202294")
    }
}
