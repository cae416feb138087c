import Foundation
import LogsiftTestSupport
import PCRE2
import Testing
@testable import LogParsing

/// The record a parser reads through the byte scanner (roles resolved to groups once) must be
/// the record the same parser reads through PCRE2 alone (roles looked up by `FieldSpec`), field
/// by field, on real and fuzzed lines of every format the scanner knows.
@Suite struct AccessRecordScanTests {
    static func describe(_ outcome: MatchOutcome, _ r: AccessRecord) -> String {
        "\(outcome) time=\(String(describing: r.time)) status=\(r.status) bytes=\(r.bytes) "
            + "rt=\(String(describing: r.requestTime?.bitPattern)) urt=\(String(describing: r.upstreamTime?.bitPattern)) "
            + "path=\(String(describing: r.path)) method=\(String(describing: r.method))"
    }

    @Test func scannedRecordsEqualRegexRecords() throws {
        var rng = FuzzRNG(seed: fuzzSeed ^ 0xacce55)
        let lines = LineScannerTests.lines()
        var scannedLines = 0
        for format in LineScannerTests.formats {
            let pattern = try format.compile()
            let fast = AccessRecordParser(pattern: pattern)
            let regexOnly = AccessRecordParser(pattern: pattern, scanning: false)
            let scanner = LineScanner(try #require(pattern.layout))
            for line in lines {
                for variant in [line, Mutator.mutations(line, &rng)] {
                    let problem: String? = withExactBytes(variant) { bytes in
                        if scanner.scan(bytes) { scannedLines += 1 }
                        var a = AccessRecord(), b = AccessRecord()
                        let oa = fast.parse(bytes, into: &a)
                        let ob = regexOnly.parse(bytes, into: &b)
                        let da = Self.describe(oa, a), db = Self.describe(ob, b)
                        return da == db ? nil : "scanned: \(da)\nregex:   \(db)"
                    }
                    if let problem {
                        Issue.record("\(format.name): \(problem)\non \(FuzzCase.describe(variant))")
                        return
                    }
                }
            }
        }
        // Meaningful only when the scanner took many of the lines.
        #expect(scannedLines > 1000, "scanned \(scannedLines)")
    }

    /// The literal powers of ten the per-line decimal reader divides by are the array's values.
    @Test func powersOfTenLiteralsMatchTheTable() {
        for k in 0...18 {
            #expect(ByteParsing.powerOfTen(k) == ByteParsing.powersOfTen[k], "10^\(k)")
        }
    }

    /// `decimal`'s short-number path gives what its general path gives, on numbers whose
    /// values are known: written as digit strings of every length and dot position.
    @Test func shortDecimalsAgreeWithTheirWrittenValue() {
        var rng = FuzzRNG(seed: fuzzSeed ^ 0xdec1)
        for _ in 0..<20_000 {
            let length = 1 + rng.below(17)
            let digits = (0..<length).map { _ in UInt8(ascii: "0") + UInt8(rng.below(10)) }
            var text = digits
            var fraction = 0
            if rng.chance(80) {
                let dot = rng.below(length + 1)
                fraction = length - dot
                text.insert(UInt8(ascii: "."), at: dot)
            }
            // The truth: the integer of all digits over 10^fraction (both exact in a double).
            let whole = digits.reduce(0) { $0 * 10 + Int($1 - 48) }
            let expected = Double(whole) / ByteParsing.powersOfTen[fraction]
            let got = text.withUnsafeBytes { ByteParsing.decimal($0, 0..<text.count) }
            #expect(got == expected, "\(String(decoding: text, as: UTF8.self))")
        }
        for odd in ["", ".", "-", "-.", "1..2", "1-2", " 1", "1 ", "+1", "-0.5", "0.5e3"] {
            let bytes = Array(odd.utf8)
            let got = bytes.withUnsafeBytes { ByteParsing.decimal($0, 0..<bytes.count) }
            let expected: Double? = odd == "-0.5" ? -0.5 : nil
            #expect(got == expected, "\(odd)")
        }
    }
}
