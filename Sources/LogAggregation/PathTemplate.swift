/// Groups request paths: `/api/users/42?x=1` and `/api/users/77` are both `/api/users/:id`.
///
/// The query string is already gone (the parser strips it). A whole segment becomes `:id` when it
/// is all decimal digits, a UUID (8-4-4-4-12 hex digits), all hex digits with length ≥ 8 and at
/// least one decimal digit (object ids, hashes), or a prefixed number: letters, then one or more
/// groups of `-` and digits (`SKU-123`, `ORD-2024-0001`). Other segments stay as written
/// (`v1`, `api-v2`, `item-42-large`).
public enum PathTemplate {
    /// Longest templated path kept; longer ones are cut (and still grouped by their first bytes).
    public static let maxLength = 512

    @inline(__always)
    static func isHex(_ b: UInt8) -> Bool {
        (b >= 48 && b <= 57) || (b >= 97 && b <= 102) || (b >= 65 && b <= 70)
    }

    @inline(__always)
    static func isLetter(_ b: UInt8) -> Bool {
        (b | 0x20) >= 97 && (b | 0x20) <= 122
    }

    /// `SKU-123`, `ORD-2024-0001`: letters, then groups of a dash and at least one digit.
    @inline(__always)
    static func isPrefixedNumber(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> Bool {
        var i = start
        while i < end, isLetter(bytes[i]) { i += 1 }
        guard i > start, i < end else { return false }
        while i < end {
            guard bytes[i] == UInt8(ascii: "-") else { return false }
            i += 1
            let digits = i
            while i < end, bytes[i] >= 48, bytes[i] <= 57 { i += 1 }
            guard i > digits else { return false }
        }
        return true
    }

    @inline(__always)
    static func isIdSegment(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> Bool {
        let n = end - start
        guard n > 0 else { return false }
        var allDigits = true
        var allHex = true
        var anyDigit = false
        for i in start..<end {
            let b = bytes[i]
            if b >= 48 && b <= 57 { anyDigit = true; continue }
            allDigits = false
            if isHex(b) { continue }
            guard n == 36 && b == UInt8(ascii: "-") else { return isPrefixedNumber(bytes, start, end) }
            allHex = false
        }
        if allDigits { return true }
        if allHex { return n >= 8 && anyDigit }
        // UUID: hyphens exactly at 8, 13, 18, 23 and hex elsewhere.
        guard n == 36 else { return false }
        for i in 0..<36 {
            let b = bytes[start + i]
            if i == 8 || i == 13 || i == 18 || i == 23 {
                if b != UInt8(ascii: "-") { return isPrefixedNumber(bytes, start, end) }
            } else if !isHex(b) { return isPrefixedNumber(bytes, start, end) }
        }
        return true
    }

    /// Writes the template of `path` into `out` (capacity ≥ `maxLength`); returns its length.
    @inline(__always)
    public static func write(_ bytes: UnsafeRawBufferPointer, _ path: Range<Int>, into out: UnsafeMutableRawBufferPointer) -> Int {
        var n = 0
        var segmentStart = path.lowerBound
        var i = path.lowerBound
        let limit = Swift.min(out.count, maxLength)
        while i <= path.upperBound {
            if i == path.upperBound || bytes[i] == UInt8(ascii: "/") {
                if isIdSegment(bytes, segmentStart, i) {
                    for b in ":id".utf8 where n < limit { out[n] = b; n += 1 }
                } else {
                    var k = segmentStart
                    while k < i && n < limit { out[n] = bytes[k]; n += 1; k += 1 }
                }
                if i < path.upperBound && n < limit { out[n] = UInt8(ascii: "/"); n += 1 }
                segmentStart = i + 1
            }
            i += 1
        }
        return n
    }

    /// The template of a path given as text (tests, reports).
    public static func template(_ path: String) -> String {
        var bytes = Array(path.utf8)
        let q = bytes.firstIndex { $0 == UInt8(ascii: "?") } ?? bytes.count
        bytes.removeSubrange(q...)
        var out = [UInt8](repeating: 0, count: maxLength)
        let n = bytes.withUnsafeBytes { src in
            out.withUnsafeMutableBytes { dst in write(src, 0..<src.count, into: dst) }
        }
        return String(decoding: out[0..<n], as: UTF8.self)
    }
}
