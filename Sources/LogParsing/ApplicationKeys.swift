/// The keys of a JSON-lines or logfmt event line, in place: each top-level key with its value's
/// range (inside the quotes for a string, still escaped) and whether it was quoted. The same
/// scanners the line parser uses (`skipString`, `skipValue`); no allocation.
public enum ApplicationKeys {
    /// Calls `visit` for each key of the line `b` (from its body start) in `format`; formats
    /// without keys visit nothing.
    @inline(__always)
    public static func scan(_ b: UnsafeRawBufferPointer, format: ApplicationFormat,
                            _ visit: (_ key: Range<Int>, _ value: Range<Int>, _ quoted: Bool) -> Void) {
        let (body, _) = ApplicationLineParser.bodyStart(b)
        var end = b.count
        // Only the first line: continuation lines are no keys.
        if let nl = b[body...].firstIndex(of: 10) { end = nl }
        switch format {
        case .jsonLines: scanJSON(b, body, end, visit)
        case .logfmt: scanLogfmt(b, body, end, visit)
        default: return
        }
    }

    static func scanJSON(_ b: UnsafeRawBufferPointer, _ body: Int, _ end: Int,
                         _ visit: (Range<Int>, Range<Int>, Bool) -> Void) {
        var i = body
        while i < end, ApplicationLineParser.isSpace(b[i]) { i += 1 }
        guard i < end, b[i] == 0x7b else { return }
        i += 1
        while i < end {
            while i < end, b[i] == 0x20 || b[i] == 0x2c || b[i] == 0x09 { i += 1 }
            guard i < end, b[i] == 0x22 else { return }
            let keyEnd = ApplicationLineParser.skipString(b, i, end)
            guard keyEnd - 1 > i else { return }
            let key = (i + 1)..<(keyEnd - 1)
            i = keyEnd
            while i < end, b[i] == 0x20 { i += 1 }
            guard i < end, b[i] == 0x3a else { return }
            i += 1
            while i < end, b[i] == 0x20 { i += 1 }
            let valueStart = i
            let valueEnd = ApplicationLineParser.skipValue(b, i, end)
            i = valueEnd
            let quoted = valueStart < end && b[valueStart] == 0x22
            let value = quoted ? (valueStart + 1)..<Swift.max(valueStart + 1, valueEnd - 1) : valueStart..<valueEnd
            visit(key, value, quoted)
        }
    }

    static func scanLogfmt(_ b: UnsafeRawBufferPointer, _ body: Int, _ end: Int,
                           _ visit: (Range<Int>, Range<Int>, Bool) -> Void) {
        var i = body
        while i < end {
            while i < end, b[i] == 0x20 { i += 1 }
            guard i < end else { return }
            let keyStart = i
            while i < end, b[i] != 0x3d, b[i] != 0x20, b[i] != 0x22 { i += 1 }
            guard i < end, b[i] == 0x3d, i > keyStart else {
                // A word that is no pair (a bare message tail): skip it.
                while i < end, b[i] != 0x20 { i += 1 }
                continue
            }
            let key = keyStart..<i
            i += 1
            if i < end, b[i] == 0x22 {
                let e = ApplicationLineParser.skipString(b, i, end)
                visit(key, (i + 1)..<Swift.max(i + 1, e - 1), true)
                i = e
            } else {
                let vs = i
                while i < end, b[i] != 0x20 { i += 1 }
                visit(key, vs..<i, false)
            }
        }
    }
}
