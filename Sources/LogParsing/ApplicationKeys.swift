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
        while let member = ApplicationLineParser.nextJSONMember(b, &i, end) {
            visit(member.key, member.value, member.quoted)
        }
    }

    static func scanLogfmt(_ b: UnsafeRawBufferPointer, _ body: Int, _ end: Int,
                           _ visit: (Range<Int>, Range<Int>, Bool) -> Void) {
        var i = body
        while true {
            switch ApplicationLineParser.nextLogfmtToken(b, &i, end) {
            case .pair(let key, let value, let quoted): visit(key, value, quoted)
            // A word that is no pair (a bare message tail): skip it.
            case .word: while i < end, b[i] != 0x20 { i += 1 }
            case .end: return
            }
        }
    }
}
