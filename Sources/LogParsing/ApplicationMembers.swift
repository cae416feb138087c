/// The one reading of a JSON member and of a logfmt pair, shared by the line parser (which looks
/// for the time, level and message), the event-start check of JSON lines, and `ApplicationKeys`
/// (which lists every key for queries), so they cannot disagree on where a key or a value starts and ends.
extension ApplicationLineParser {
    /// One `"key": value` member of a JSON object, in place.
    struct JSONMember {
        /// Inside the key's quotes, still escaped.
        var key: Range<Int>
        /// The value: inside the quotes for a string (still escaped), else its bytes.
        var value: Range<Int>
        /// Where the value starts (its opening quote or brace for a string or object).
        var valueStart: Int
        /// Just past the value (past its closing quote or brace).
        var valueEnd: Int
        var quoted: Bool
    }

    /// Reads the member at `i`, skipping the separators before it, and moves `i` past its value;
    /// nil at the end of the object or on bytes that are no member (the caller stops there).
    @inline(__always)
    static func nextJSONMember(_ b: UnsafeRawBufferPointer, _ i: inout Int, _ end: Int) -> JSONMember? {
        while i < end, b[i] == 0x20 || b[i] == 0x2c || b[i] == 0x09 { i += 1 }
        guard i < end, b[i] == 0x22 else { return nil }
        let keyEnd = skipString(b, i, end)
        guard keyEnd >= i + 2, b[keyEnd - 1] == 0x22 else { return nil }
        let key = (i + 1)..<(keyEnd - 1)
        i = keyEnd
        while i < end, b[i] == 0x20 { i += 1 }
        guard i < end, b[i] == 0x3a else { return nil }
        i += 1
        while i < end, b[i] == 0x20 { i += 1 }
        let valueStart = i
        let valueEnd = skipValue(b, i, end)
        i = valueEnd
        let quoted = valueStart < end && b[valueStart] == 0x22
        let value = quoted ? (valueStart + 1)..<Swift.max(valueStart + 1, valueEnd - 1) : valueStart..<valueEnd
        return JSONMember(key: key, value: value, valueStart: valueStart, valueEnd: valueEnd, quoted: quoted)
    }

    /// What comes next in a logfmt line.
    enum LogfmtToken {
        case pair(key: Range<Int>, value: Range<Int>, quoted: Bool)
        /// A word that is no `key=value` pair; `i` is left inside it.
        case word
        case end
    }

    /// Reads the pair at `i`, skipping the spaces before it, and moves `i` past its value.
    @inline(__always)
    static func nextLogfmtToken(_ b: UnsafeRawBufferPointer, _ i: inout Int, _ end: Int) -> LogfmtToken {
        while i < end, b[i] == 0x20 { i += 1 }
        guard i < end else { return .end }
        let keyStart = i
        while i < end, b[i] != 0x3d, b[i] != 0x20, b[i] != 0x22 { i += 1 }
        guard i < end, b[i] == 0x3d, i > keyStart else { return .word }
        let key = keyStart..<i
        i += 1
        if i < end, b[i] == 0x22 {
            let e = skipString(b, i, end)
            defer { i = e }
            return .pair(key: key, value: (i + 1)..<Swift.max(i + 1, e - 1), quoted: true)
        }
        let valueStart = i
        while i < end, b[i] != 0x20 { i += 1 }
        return .pair(key: key, value: valueStart..<i, quoted: false)
    }
}
