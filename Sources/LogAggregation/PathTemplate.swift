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

    /// Whether the segment `start..<end`, whose bytes were classified while scanning it, is an id.
    @inline(__always)
    static func isIdSegment(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int,
                            allDigits: Bool, allHex: Bool, anyDigit: Bool) -> Bool {
        let n = end - start
        guard n > 0 else { return false }
        if allDigits { return true }
        if allHex { return n >= 8 && anyDigit }
        return (n == 36 && isUUID(bytes, start)) || isPrefixedNumber(bytes, start, end)
    }

    /// UUID: hyphens exactly at 8, 13, 18, 23 and hex elsewhere.
    @inline(__always)
    static func isUUID(_ bytes: UnsafeRawBufferPointer, _ start: Int) -> Bool {
        for i in 0..<36 {
            let b = bytes[start + i]
            if i == 8 || i == 13 || i == 18 || i == 23 {
                if b != UInt8(ascii: "-") { return false }
            } else if !isHex(b) { return false }
        }
        return true
    }

    @inline(__always)
    static func classify(_ b: UInt8, _ allDigits: inout Bool, _ allHex: inout Bool, _ anyDigit: inout Bool) {
        if b &- 48 < 10 { anyDigit = true; return }
        allDigits = false
        if !isHex(b) { allHex = false }
    }

    /// Paths of at most this many bytes take `writeShort`: a template is at most three times as
    /// long as its path (a one-byte id segment becomes `:id`), so theirs fits `maxLength`
    /// without a bound check per byte.
    static let shortPathLimit = maxLength / 3

    /// Writes the template of `path` into `out` (capacity ≥ `maxLength`); returns its length.
    @inline(__always)
    public static func write(_ bytes: UnsafeRawBufferPointer, _ path: Range<Int>, into out: UnsafeMutableRawBufferPointer) -> Int {
        if path.count <= shortPathLimit, out.count >= maxLength, path.lowerBound >= 0, path.upperBound <= bytes.count,
           let from = bytes.baseAddress, let to = out.baseAddress {
            return writeShort(from.assumingMemoryBound(to: UInt8.self), path,
                              into: to.assumingMemoryBound(to: UInt8.self))
        }
        return writeBounded(bytes, path, into: out)
    }

    /// `writeBounded` for a path of at most `shortPathLimit` bytes into room for `maxLength`:
    /// one pass per segment that copies each byte as it classifies it, then overwrites the copy
    /// with `:id` when the segment is one. A segment without a dash is neither a UUID nor a
    /// prefixed number, so those checks run only on segments that have one.
    @inline(__always)
    static func writeShort(_ bytes: UnsafePointer<UInt8>, _ path: Range<Int>, into out: UnsafeMutablePointer<UInt8>) -> Int {
        var n = 0
        var i = path.lowerBound
        let end = path.upperBound
        while true {
            let segmentStart = i
            let outStart = n
            // Each byte's class as 0/1 arithmetic, not branches: which class comes next in a
            // path is not predictable, and a mispredicted branch per byte costs more than the
            // few instructions here.
            var allDigits: UInt32 = 1, allHex: UInt32 = 1, anyDigit: UInt32 = 0, anyDash: UInt32 = 0
            while i < end {
                let b = bytes[i]
                if b == UInt8(ascii: "/") { break }
                out[n] = b
                n &+= 1
                i &+= 1
                // 1 when the byte is in range (unsigned compare by the sign of a subtraction).
                let digit = (UInt32(b &- 48) &- 10) >> 31
                let hexLetter = (UInt32((b | 0x20) &- 97) &- 6) >> 31
                let dash = (UInt32(b ^ UInt8(ascii: "-")) &- 1) >> 31
                allDigits &= digit
                allHex &= digit | hexLetter
                anyDigit |= digit
                anyDash |= dash
            }
            let length = i &- segmentStart
            if length > 0 {
                let raw = UnsafeRawBufferPointer(start: bytes, count: end)
                let isId = allDigits != 0 || (allHex != 0 ? (length >= 8 && anyDigit != 0)
                    : anyDash != 0 && ((length == 36 && isUUID(raw, segmentStart)) || isPrefixedNumber(raw, segmentStart, i)))
                if isId {
                    out[outStart] = UInt8(ascii: ":")
                    out[outStart &+ 1] = UInt8(ascii: "i")
                    out[outStart &+ 2] = UInt8(ascii: "d")
                    n = outStart &+ 3
                }
            }
            guard i < end else { break }
            out[n] = UInt8(ascii: "/")
            n &+= 1
            i &+= 1
        }
        return n
    }

    /// Writes the template of `path` into `out`, cut at `out.count` or `maxLength` bytes;
    /// returns its length. Each segment is read once: found, classified and then copied whole
    /// (or written `:id`).
    @inline(__always)
    static func writeBounded(_ bytes: UnsafeRawBufferPointer, _ path: Range<Int>, into out: UnsafeMutableRawBufferPointer) -> Int {
        var n = 0
        var segmentStart = path.lowerBound
        let end = path.upperBound
        let limit = Swift.min(out.count, maxLength)
        while true {
            var i = segmentStart
            var allDigits = true, allHex = true, anyDigit = false
            while i < end {
                let b = bytes[i]
                if b == UInt8(ascii: "/") { break }
                classify(b, &allDigits, &allHex, &anyDigit)
                i += 1
            }
            if isIdSegment(bytes, segmentStart, i, allDigits: allDigits, allHex: allHex, anyDigit: anyDigit) {
                if n < limit { out[n] = UInt8(ascii: ":"); n += 1 }
                if n < limit { out[n] = UInt8(ascii: "i"); n += 1 }
                if n < limit { out[n] = UInt8(ascii: "d"); n += 1 }
            } else {
                let count = Swift.min(i - segmentStart, limit - n)
                if count > 0, let from = bytes.baseAddress, let to = out.baseAddress {
                    (to + n).copyMemory(from: from + segmentStart, byteCount: count)
                    n += count
                }
            }
            guard i < end else { break }
            if n < limit { out[n] = UInt8(ascii: "/"); n += 1 }
            segmentStart = i + 1
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
