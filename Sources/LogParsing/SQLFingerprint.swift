/// The fingerprint of a SQL statement: the statement with its literal values taken out, so that
/// every execution of "the same query" with different values shares one key.
///
/// Example: `SELECT * FROM t WHERE id IN (1, 2, 3) AND name = 'O''Brien' -- hot path`
/// becomes `select * from t where id in (...) and name = ?`.
///
/// Rules, applied in one pass over the bytes:
/// - Comments are removed: `-- …` to the end of the line and `/* … */` (nested too).
/// - Whitespace runs become one space; none is kept after `(` or before `)` `,` `;`, none at the
///   ends; trailing `;` are dropped.
/// - Unquoted words are lowercased (ASCII); `"Quoted identifiers"` are kept as written.
/// - Literals become `?`: numbers (`42`, `-7` after an operator or `(`/`,`, `1.5e3`, `.5`,
///   `0x1F`), strings `'…'` (with `''`), escape strings `E'…'` (with `\'`), `B'…'` `X'…'` `N'…'`
///   `U&'…'`, dollar-quoted strings `$$…$$` / `$tag$…$tag$`, the booleans `true`/`false`, and
///   parameters `$1`, `$2`… . Text already normalized stays as it is (`?`, `in (...)`, and
///   pgBadger's `?.?` becomes `?`), so pgBadger's normalized queries map onto fingerprints.
/// - `IN (?, ?, …)`, a list of literals only, becomes `in (...)` whatever its length.
/// - `VALUES (…), (…), …`: each row becomes `(...)` and repeated rows collapse into one, so a
///   multi-row insert of any row count has one fingerprint.
///
/// Differences with pgBadger's `normalize_query`: pgBadger keeps `VALUES` rows (with `?`), keeps
/// the whitespace before `(`/`,` as written, keeps a trailing `;`, drops a leading `BEGIN;`, and
/// turns `= NULL` into `= ?`; logsift leaves `null` alone.
///
/// The fingerprint is cut at `maxLength` bytes.
public enum SQLFingerprint {
    public static let maxLength = 4096

    /// Normalizes `text` (see the type's rules).
    public static func normalize(_ text: String) -> String {
        normalize(Array(text.utf8))
    }

    public static func normalize(_ bytes: [UInt8]) -> String {
        bytes.withUnsafeBytes { src in
            withUnsafeTemporaryAllocation(byteCount: maxLength, alignment: 1) { out in
                let n = write(src, 0..<src.count, into: out)
                return String(decoding: UnsafeRawBufferPointer(rebasing: out[0..<n]), as: UTF8.self)
            }
        }
    }

    @inline(__always) static func isIdent(_ b: UInt8) -> Bool {
        (b >= 97 && b <= 122) || (b >= 65 && b <= 90) || (b >= 48 && b <= 57) || b == 95 || b >= 0x80 || b == 36
    }
    @inline(__always) static func isDigit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }
    @inline(__always) static func isSpace(_ b: UInt8) -> Bool { b == 32 || b == 9 || b == 10 || b == 13 || b == 12 }

    /// Writes the fingerprint of `src[range]` into `out` and returns its length (≤ `out.count`).
    /// Allocates nothing.
    public static func write(_ src: UnsafeRawBufferPointer, _ range: Range<Int>,
                             into out: UnsafeMutableRawBufferPointer) -> Int {
        var w = Writer(out: out)
        var i = range.lowerBound
        let end = range.upperBound
        var pendingSpace = false
        // Kind of the last token written: 0 none, 1 word/number/placeholder/`)`, 2 operator or `(`/`,`.
        var lastKind = 0
        // Start of the last word written (to recognise `in` and `values`).
        var lastWordStart = -1
        var lastWordEnd = -1
        // Open parentheses in the output: positions, and whether each opened a list after IN/VALUES.
        var stackPos: (Int, Int, Int, Int, Int, Int, Int, Int) = (0, 0, 0, 0, 0, 0, 0, 0)
        var stackKind: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0, 0, 0)
        var depth = 0
        // Output position just after the last collapsed `values (...)` row, or -1.
        var valuesEnd = -1

        @inline(__always) func space() {
            if pendingSpace && w.n > 0 && w.last != UInt8(ascii: "(") { w.put(32) }
            pendingSpace = false
        }
        func placeholder() {
            space()
            w.put(UInt8(ascii: "?"))
            lastKind = 1
        }

        while i < end {
            let b = src[i]
            if isSpace(b) { pendingSpace = true; i += 1; continue }
            // Comments
            if b == UInt8(ascii: "-"), i + 1 < end, src[i + 1] == UInt8(ascii: "-") {
                while i < end, src[i] != 10 { i += 1 }
                pendingSpace = true
                continue
            }
            if b == UInt8(ascii: "/"), i + 1 < end, src[i + 1] == UInt8(ascii: "*") {
                var level = 1
                i += 2
                while i < end, level > 0 {
                    if src[i] == UInt8(ascii: "*"), i + 1 < end, src[i + 1] == UInt8(ascii: "/") { level -= 1; i += 2 }
                    else if src[i] == UInt8(ascii: "/"), i + 1 < end, src[i + 1] == UInt8(ascii: "*") { level += 1; i += 2 }
                    else { i += 1 }
                }
                pendingSpace = true
                continue
            }
            // Strings
            if b == UInt8(ascii: "'") {
                i = skipString(src, i, end, backslash: false)
                placeholder()
                continue
            }
            if b == UInt8(ascii: "\"") {
                space()
                w.put(b)
                i += 1
                while i < end {
                    let c = src[i]
                    w.put(c)
                    i += 1
                    if c == UInt8(ascii: "\"") {
                        if i < end, src[i] == UInt8(ascii: "\"") { w.put(src[i]); i += 1 } else { break }
                    }
                }
                lastKind = 1
                continue
            }
            if b == UInt8(ascii: "$") {
                // $1 parameter
                if i + 1 < end, isDigit(src[i + 1]) {
                    i += 1
                    while i < end, isDigit(src[i]) { i += 1 }
                    placeholder()
                    continue
                }
                // $tag$ ... $tag$
                var j = i + 1
                while j < end, src[j] != UInt8(ascii: "$"), isIdent(src[j]) { j += 1 }
                if j < end, src[j] == UInt8(ascii: "$") {
                    let tag = i..<(j + 1)
                    var k = j + 1
                    var found = end
                    while k + tag.count <= end {
                        if src[k] == UInt8(ascii: "$") {
                            var same = true
                            for t in 0..<tag.count where src[k + t] != src[tag.lowerBound + t] { same = false; break }
                            if same { found = k + tag.count; break }
                        }
                        k += 1
                    }
                    i = found
                    placeholder()
                    continue
                }
            }
            // Numbers (not inside a word)
            let startsNumber = isDigit(b) || (b == UInt8(ascii: ".") && i + 1 < end && isDigit(src[i + 1]))
            let unaryMinus = b == UInt8(ascii: "-") && i + 1 < end && (isDigit(src[i + 1]) || src[i + 1] == UInt8(ascii: ".")) && lastKind != 1
            if startsNumber || unaryMinus {
                if unaryMinus { i += 1 }
                if i + 1 < end, src[i] == UInt8(ascii: "0"), src[i + 1] | 0x20 == UInt8(ascii: "x") {
                    i += 2
                    while i < end, isIdent(src[i]) { i += 1 }
                } else {
                    while i < end, isDigit(src[i]) || src[i] == UInt8(ascii: ".") { i += 1 }
                    if i < end, src[i] | 0x20 == UInt8(ascii: "e") {
                        var j = i + 1
                        if j < end, src[j] == UInt8(ascii: "+") || src[j] == UInt8(ascii: "-") { j += 1 }
                        if j < end, isDigit(src[j]) {
                            i = j
                            while i < end, isDigit(src[i]) { i += 1 }
                        }
                    }
                }
                placeholder()
                continue
            }
            // Words
            if isIdent(b) {
                var j = i
                while j < end, isIdent(src[j]) { j += 1 }
                let length = j - i
                // String prefixes: E'..', B'..', X'..', N'..', U&'..'
                if j < end, src[j] == UInt8(ascii: "'"), length == 1 {
                    let p = b | 0x20
                    if p == UInt8(ascii: "e") || p == UInt8(ascii: "b") || p == UInt8(ascii: "x") || p == UInt8(ascii: "n") {
                        i = skipString(src, j, end, backslash: p == UInt8(ascii: "e"))
                        placeholder()
                        continue
                    }
                }
                if length == 1, b | 0x20 == UInt8(ascii: "u"), j + 1 < end, src[j] == UInt8(ascii: "&"), src[j + 1] == UInt8(ascii: "'") {
                    i = skipString(src, j + 1, end, backslash: false)
                    placeholder()
                    continue
                }
                if isKeyword(src, i, length, "true") || isKeyword(src, i, length, "false") {
                    i = j
                    placeholder()
                    continue
                }
                space()
                lastWordStart = w.n
                while i < j {
                    let c = src[i]
                    w.put(c >= 65 && c <= 90 ? c | 0x20 : c)
                    i += 1
                }
                lastWordEnd = w.n
                lastKind = 1
                continue
            }
            // `?.?` (pgBadger's form of a decimal) is one placeholder.
            if b == UInt8(ascii: "."), i + 1 < end, src[i + 1] == UInt8(ascii: "?"), w.n > 0, w.last == UInt8(ascii: "?") {
                i += 2
                continue
            }
            // Punctuation and operators
            switch b {
            case UInt8(ascii: "("):
                space()
                // A list opened right after `in` or `values` may collapse.
                var kind: UInt8 = 0
                if lastWordEnd >= 0, lastWordEnd + 1 >= w.n, lastWordEnd <= w.n {
                    if w.equals(lastWordStart, "in") { kind = 1 } else if w.equals(lastWordStart, "values") { kind = 2 }
                }
                if kind == 0, valuesEnd >= 0, w.onlyCommaSpace(from: valuesEnd) { kind = 3 }
                if depth < 8 {
                    withUnsafeMutableBytes(of: &stackPos) { $0.storeBytes(of: w.n, toByteOffset: depth * 8, as: Int.self) }
                    withUnsafeMutableBytes(of: &stackKind) { $0[depth] = kind }
                }
                depth += 1
                w.put(b)
                lastKind = 2
            case UInt8(ascii: ")"):
                pendingSpace = false
                if depth > 0 {
                    depth -= 1
                    if depth < 8 {
                        let open = withUnsafeBytes(of: &stackPos) { $0.load(fromByteOffset: depth * 8, as: Int.self) }
                        let kind = withUnsafeBytes(of: &stackKind) { $0[depth] }
                        if kind == 1, w.onlyLiterals(from: open + 1) {
                            w.n = open
                            w.putString("(...)")
                            lastKind = 1
                            i += 1
                            continue
                        }
                        if kind == 2 {
                            w.n = open
                            w.putString("(...)")
                            valuesEnd = w.n
                            lastKind = 1
                            i += 1
                            continue
                        }
                        // A repeated row collapses only if nothing but literals came since the
                        // previous one (an operator in it reset `valuesEnd` to -1).
                        if kind == 3, valuesEnd >= 0, valuesEnd <= w.n {
                            w.n = valuesEnd
                            lastKind = 1
                            i += 1
                            continue
                        }
                    }
                }
                w.put(b)
                lastKind = 1
            case UInt8(ascii: ","), UInt8(ascii: ";"):
                pendingSpace = false
                w.put(b)
                lastKind = 2
            default:
                space()
                w.put(b)
                lastKind = 2
            }
            if b != UInt8(ascii: ",") && b != UInt8(ascii: ")") && b != UInt8(ascii: "(") && !isSpace(b) {
                valuesEnd = -1
            }
            i += 1
        }
        // Trailing `;` and spaces.
        while w.n > 0, w.last == UInt8(ascii: ";") || w.last == 32 { w.n -= 1 }
        return w.n
    }

    @inline(__always)
    static func isKeyword(_ src: UnsafeRawBufferPointer, _ at: Int, _ length: Int, _ word: StaticString) -> Bool {
        guard length == word.utf8CodeUnitCount else { return false }
        let p = word.utf8Start
        for k in 0..<length where src[at + k] | 0x20 != p[k] { return false }
        return true
    }

    /// Index just past the string literal opening at `at` (a `'`).
    @inline(__always)
    static func skipString(_ src: UnsafeRawBufferPointer, _ at: Int, _ end: Int, backslash: Bool) -> Int {
        var i = at + 1
        while i < end {
            let c = src[i]
            if backslash && c == UInt8(ascii: "\\") { i += 2; continue }
            if c == UInt8(ascii: "'") {
                if i + 1 < end, src[i + 1] == UInt8(ascii: "'") { i += 2; continue }
                return i + 1
            }
            i += 1
        }
        return end
    }

    struct Writer {
        let out: UnsafeMutableRawBufferPointer
        var n = 0
        init(out: UnsafeMutableRawBufferPointer) { self.out = out }
        @inline(__always) mutating func put(_ b: UInt8) {
            if n < out.count { out[n] = b; n += 1 }
        }
        mutating func putString(_ s: StaticString) {
            let p = s.utf8Start
            for k in 0..<s.utf8CodeUnitCount { put(p[k]) }
        }
        var last: UInt8 { out[n - 1] }
        func equals(_ at: Int, _ s: StaticString) -> Bool {
            let count = s.utf8CodeUnitCount
            guard at >= 0, at + count <= n else { return false }
            // the word must end right there (optionally followed by one space)
            guard at + count == n || (at + count + 1 == n && out[n - 1] == 32) else { return false }
            let p = s.utf8Start
            for k in 0..<count where out[at + k] != p[k] { return false }
            return true
        }
        /// Only `?`, `,`, spaces and `.` were written since `from`.
        func onlyLiterals(from: Int) -> Bool {
            guard from < n else { return false }
            for k in from..<n {
                let c = out[k]
                if c != UInt8(ascii: "?") && c != UInt8(ascii: ",") && c != 32 && c != UInt8(ascii: ".") { return false }
            }
            return true
        }
        func onlyCommaSpace(from: Int) -> Bool {
            guard from < n, from >= 0 else { return false }
            var comma = false
            for k in from..<n {
                let c = out[k]
                if c == UInt8(ascii: ",") { comma = true } else if c != 32 { return false }
            }
            return comma
        }
    }
}
