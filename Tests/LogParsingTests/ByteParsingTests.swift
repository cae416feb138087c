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

/// Impossible timestamps are no time at all: the parsers give nil instead of normalising them
/// into another day (31 February into 3 March, 25:61:61 into the next day).
@Suite struct ImpossibleTimestampTests {
    @Test func timeLocalRejectsImpossibleFields() {
        for text in ["31/Feb/2026:10:00:00 +0000", "29/Feb/2025:10:00:00 +0000", "31/Apr/2026:10:00:00 +0000",
                     "00/Jan/2026:10:00:00 +0000", "24/Nov/2026:25:61:61 +0000", "24/Nov/2026:24:00:00 +0000",
                     "24/Nov/2026:10:60:00 +0000", "24/Nov/2026:10:00:61 +0000", "24/Nov/2026:10:00:00 +9999",
                     "24/Nov/2026:10:00:00 +1500", "24/Nov/2026:10:00:00 -0060", "00/Jan/0000:00:00:00 +0000",
                     "01/Jan/0001:00:00:00 +0100", "24/Nov/2026:10:00:00 junk"] {
            #expect(withBytes(text) { ByteParsing.timeLocal($0, $1) } == nil, "\(text)")
        }
        #expect(withBytes("29/Feb/2024:10:00:00 +0000") { ByteParsing.timeLocal($0, $1) } == foundationEpoch(2024, 2, 29, 10, 0, 0, offset: 0))
        #expect(withBytes("29/Feb/2000:10:00:00 +0000") { ByteParsing.timeLocal($0, $1) } == foundationEpoch(2000, 2, 29, 10, 0, 0, offset: 0))
        #expect(withBytes("29/Feb/1900:10:00:00 +0000") { ByteParsing.timeLocal($0, $1) } == nil)
        #expect(withBytes("24/Nov/2026:10:00:00 +1400") { ByteParsing.timeLocal($0, $1) } == foundationEpoch(2026, 11, 24, 10, 0, 0, offset: 14 * 3600))
    }

    @Test func iso8601RejectsImpossibleFieldsAndYearsOutsideFourDigits() {
        for text in ["2026-02-31T10:00:00Z", "2026-11-24T25:61:61Z", "2026-11-24T10:00:00+99:99", "2026-11-24T10:00:00+9999",
                     "0000-01-01T00:00:00Z", "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-00:01", "2026-00-10T10:00:00Z"] {
            #expect(withBytes(text) { ByteParsing.iso8601($0, $1) } == nil, "\(text)")
            #expect(withBytes(text) { ByteParsing.timestamp($0, $1) } == nil, "\(text)")
        }
        // The edges of what is accepted. 0001-01-01 in the proleptic Gregorian calendar (Python's
        // `datetime(1, 1, 1, tzinfo=timezone.utc).timestamp()`; Foundation's calendar is Julian
        // before 1582); 9999-12-31T23:59:59 from Foundation.
        #expect(withBytes("0001-01-01T00:00:00Z") { ByteParsing.iso8601($0, $1) } == -62_135_596_800)
        #expect(withBytes("9999-12-31T23:59:59Z") { ByteParsing.iso8601($0, $1) } == foundationEpoch(9999, 12, 31, 23, 59, 59, offset: 0))
    }

    @Test func absurdEpochsAreRejected() {
        #expect(withBytes("99999999999999999") { ByteParsing.timestamp($0, $1) } == nil)
        #expect(withBytes("253402300800") { ByteParsing.timestamp($0, $1) } == nil)   // 10000-01-01T00:00:00Z
        #expect(withBytes("253402300799") { ByteParsing.timestamp($0, $1) } == 253402300799)
    }

    /// `isValidDate` against Foundation's calendar (Gregorian from 1582 on), every day of years
    /// with each leap rule; before 1582 by hand: year 4 is a leap year, year 100 is not.
    @Test func validDatesAgreeWithFoundation() {
        #expect(ByteParsing.isValidDate(year: 4, month: 2, day: 29))
        #expect(!ByteParsing.isValidDate(year: 100, month: 2, day: 29))
        #expect(!ByteParsing.isValidDate(year: 0, month: 1, day: 1) && !ByteParsing.isValidDate(year: 10000, month: 1, day: 1))
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0)!
        for year in [1600, 1700, 1900, 2000, 2023, 2024, 2100, 9999] {
            for month in 1...12 {
                let date = calendar.date(from: DateComponents(year: year, month: month, day: 1))!
                let days = calendar.range(of: .day, in: .month, for: date)!.count
                for day in 0...32 {
                    #expect(ByteParsing.isValidDate(year: year, month: month, day: day) == (1...days).contains(day), "\(year)-\(month)-\(day)")
                }
            }
        }
    }
}
