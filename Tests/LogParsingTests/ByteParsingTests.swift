import Foundation
import Testing
@testable import LogParsing

func withBytes<T>(_ text: String, _ body: (UnsafeRawBufferPointer, Range<Int>) -> T) -> T {
    let bytes = Array(text.utf8)
    return bytes.withUnsafeBytes { body($0, 0..<$0.count) }
}

/// Epoch seconds computed by Foundation's calendar: the independent truth for the byte parsers.
func foundationEpoch(_ y: Int, _ mo: Int, _ d: Int, _ h: Int, _ mi: Int, _ s: Int, offset: Int) -> Int64 {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(secondsFromGMT: offset)!
    let date = calendar.date(from: DateComponents(year: y, month: mo, day: d, hour: h, minute: mi, second: s))!
    return Int64(date.timeIntervalSince1970)
}

@Suite struct ByteParsingTests {
    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    @Test func timeLocalAgreesWithFoundation() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let y = Int.random(in: 1970...2100, using: &rng), mo = Int.random(in: 1...12, using: &rng)
            let d = Int.random(in: 1...28, using: &rng), h = Int.random(in: 0...23, using: &rng)
            let mi = Int.random(in: 0...59, using: &rng), s = Int.random(in: 0...59, using: &rng)
            let offsetMinutes = [0, 60, -300, 330, 545, -720, 840].randomElement(using: &rng)!
            let sign = offsetMinutes < 0 ? "-" : "+"
            let zone = String(format: "%@%02d%02d", sign, abs(offsetMinutes) / 60, abs(offsetMinutes) % 60)
            let text = String(format: "%02d/%@/%04d:%02d:%02d:%02d ", d, Self.months[mo - 1], y, h, mi, s) + zone
            let parsed = withBytes(text) { ByteParsing.timeLocal($0, $1) }
            #expect(parsed == foundationEpoch(y, mo, d, h, mi, s, offset: offsetMinutes * 60), "\(text)")
        }
    }

    @Test func iso8601Forms() {
        let truth = foundationEpoch(2026, 11, 24, 10, 5, 7, offset: 0)
        #expect(withBytes("2026-11-24T10:05:07Z") { ByteParsing.iso8601($0, $1) } == truth)
        #expect(withBytes("2026-11-24T11:05:07+01:00") { ByteParsing.iso8601($0, $1) } == truth)
        #expect(withBytes("2026-11-24 05:05:07.123-0500") { ByteParsing.iso8601($0, $1) } == truth)
        #expect(withBytes("2026-11-24T10:05:07,5") { ByteParsing.iso8601($0, $1) } == truth)
        #expect(withBytes("2026-11-24T12:05:07") { ByteParsing.iso8601($0, $1, defaultOffset: 7200) } == truth)
        #expect(withBytes("2026-13-24T10:05:07Z") { ByteParsing.iso8601($0, $1) } == nil)
        #expect(withBytes("1795514707.123") { ByteParsing.timestamp($0, $1) } == 1_795_514_707)
    }

    @Test func decimals() {
        #expect(withBytes("0.123") { ByteParsing.decimal($0, $1) } == 0.123)
        #expect(withBytes("12") { ByteParsing.decimal($0, $1) } == 12)
        #expect(withBytes("0.000") { ByteParsing.decimal($0, $1) } == 0)
        #expect(withBytes("-") { ByteParsing.decimal($0, $1) } == nil)
        #expect(withBytes("1.2.3") { ByteParsing.decimal($0, $1) } == nil)
        #expect(withBytes("") { ByteParsing.decimal($0, $1) } == nil)
        for _ in 0..<1000 {
            let millis = Int.random(in: 0...999_999)
            let text = String(format: "%d.%03d", millis / 1000, millis % 1000)
            #expect(withBytes(text) { ByteParsing.decimal($0, $1) } == Double(text)!, "\(text)")
        }
    }

    @Test func integers() {
        #expect(withBytes("200") { ByteParsing.integer($0, $1) } == 200)
        #expect(withBytes("-") { ByteParsing.integer($0, $1) } == nil)
        #expect(withBytes("12a") { ByteParsing.integer($0, $1) } == nil)
        #expect(withBytes(String(repeating: "9", count: 40)) { ByteParsing.integer($0, $1) } == nil)
    }

    @Test func upstreamLists() {
        #expect(withBytes("0.010, 0.020") { ByteParsing.upstreamTime($0, $1) } == 0.030)
        #expect(withBytes("0.010 : 0.5") { ByteParsing.upstreamTime($0, $1) } == 0.51)
        #expect(withBytes("-") { ByteParsing.upstreamTime($0, $1) } == nil)
        #expect(withBytes("0.250") { ByteParsing.upstreamTime($0, $1) } == 0.25)
    }

    @Test func requestLines() {
        func split(_ text: String) -> (String?, String?) {
            let bytes = Array(text.utf8)
            return bytes.withUnsafeBytes { raw in
                var record = AccessRecord()
                RequestLine.split(raw, 0..<raw.count, into: &record)
                let method = record.method.map { String(decoding: raw[$0], as: UTF8.self) }
                let path = record.path.map { String(decoding: raw[$0], as: UTF8.self) }
                return (method, path)
            }
        }
        #expect(split("GET /a/b?c=1 HTTP/1.1") == ("GET", "/a/b"))
        #expect(split("POST /x HTTP/2.0") == ("POST", "/x"))
        #expect(split("GET /no-protocol") == ("GET", "/no-protocol"))
        #expect(split("GET http://example.com:80/abs?q HTTP/1.1") == ("GET", "/abs"))
        #expect(split("-") == (nil, nil))
        #expect(split("\\x16\\x03\\x01\\x00") == (nil, nil))
        #expect(split("GET /with space in path HTTP/1.1") == ("GET", "/with space in path"))
    }
}
