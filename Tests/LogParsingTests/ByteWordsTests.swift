import LogsiftTestSupport
import Testing
@testable import LogParsing

/// The word-at-a-time searches agree with a byte-by-byte search, and the request-line readers
/// built on them agree with the plain loops they replaced.
@Suite struct ByteWordsTests {
    @Test func matchesMarksExactlyTheEqualBytes() {
        var rng = FuzzRNG(seed: fuzzSeed ^ 0xb17e)
        let specials: [UInt8] = [0x00, 0x20, 0x21, 0x22, 0x23, 0x2F, 0x3F, 0x7F, 0x80, 0xA0, 0xFF]
        for _ in 0..<50_000 {
            let bytes = (0..<8).map { _ in rng.chance(50) ? rng.pick(specials) : UInt8(rng.below(256)) }
            let target = rng.pick(specials)
            let mask = bytes.withUnsafeBytes { ByteWords.matches(ByteWords.load($0.baseAddress!, 0), target) }
            let expected = bytes.enumerated().reduce(UInt64(0)) { $1.element == target ? $0 | (0x80 << (8 * UInt64($1.offset))) : $0 }
            #expect(mask == expected, "\(bytes) \(target)")
            if let firstIndex = bytes.firstIndex(of: target), let lastIndex = bytes.lastIndex(of: target) {
                #expect(ByteWords.first(mask) == firstIndex && ByteWords.last(mask) == lastIndex)
            }
        }
    }

    /// The loops `stripQuery` and the protocol search of `split` had before they read words.
    static func referenceStrip(_ b: [UInt8], _ r: Range<Int>) -> Range<Int> {
        var i = r.lowerBound
        while i < r.upperBound, b[i] != UInt8(ascii: "?"), b[i] != UInt8(ascii: "#") { i += 1 }
        return r.lowerBound..<i
    }

    static func referenceSplit(_ b: [UInt8], _ range: Range<Int>) -> (method: Range<Int>?, path: Range<Int>?) {
        var i = range.lowerBound
        let end = range.upperBound
        while i < end, b[i] >= UInt8(ascii: "A"), b[i] <= UInt8(ascii: "Z") { i += 1 }
        guard i > range.lowerBound, i + 1 < end, b[i] == UInt8(ascii: " ") else { return (nil, nil) }
        let method = range.lowerBound..<i
        i += 1
        var targetEnd = end
        var j = end - 1
        while j > i, b[j] != UInt8(ascii: " ") { j -= 1 }
        if j > i { targetEnd = j }
        var targetStart = i
        if b[targetStart] != UInt8(ascii: "/") {
            var k = targetStart
            while k + 2 < targetEnd, !(b[k] == UInt8(ascii: ":") && b[k + 1] == UInt8(ascii: "/") && b[k + 2] == UInt8(ascii: "/")) { k += 1 }
            guard k + 2 < targetEnd else { return (method, nil) }
            k += 3
            while k < targetEnd, b[k] != UInt8(ascii: "/") { k += 1 }
            guard k < targetEnd else { return (method, nil) }
            targetStart = k
        }
        return (method, referenceStrip(b, targetStart..<targetEnd))
    }

    @Test func requestLinesReadAsByTheByteLoops() {
        var rng = FuzzRNG(seed: fuzzSeed ^ 0x5e9)
        let pieces = ["GET", "POST", " ", "/", "/api", "/v1/users/42", "?", "#", "q=1", "&", "HTTP/1.1", "HTTP/2.0",
                      "http://", "host", ":8080", "é", "a b", "  ", "x", "0123456789"]
        var compared = 0
        for _ in 0..<30_000 {
            var text = rng.chance(80) ? rng.pick(["GET ", "POST ", "HEAD "]) : ""
            for _ in 0..<rng.below(12) { text += rng.pick(pieces) }
            if rng.chance(60) { text += rng.pick([" HTTP/1.1", " HTTP/2.0", ""]) }
            // The request inside a quoted field of a line: bytes before and after the range.
            let line = Array("1.2.3.4 \"".utf8) + Array(text.utf8) + Array("\" 200".utf8)
            let range = 9..<(9 + text.utf8.count)
            var record = AccessRecord()
            line.withUnsafeBytes { RequestLine.split($0, range, into: &record) }
            let expected = Self.referenceSplit(line, range)
            #expect(record.method == expected.method && record.path == expected.path, "\(text)")
            let stripped = line.withUnsafeBytes { RequestLine.stripQuery($0, range) }
            #expect(stripped == Self.referenceStrip(line, range), "\(text)")
            compared += 1
        }
        #expect(compared == 30_000)
    }
}
