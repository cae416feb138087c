/// Turns a log message into its template: the variable parts masked as `<*>`, so that messages
/// written by the same logging call group together.
///
/// ```
/// Connection to 10.0.0.7:5432 timed out after 30s (attempt 3)
/// Connection to <*> timed out after <*> (attempt <*>)
/// ```
///
/// The rules are general, not tuned to any one log:
/// - a quoted single word (`"..."`, `'...'` after a separator) becomes `"<*>"`; quoted text
///   with spaces is read word by word; day and month names next to a date (`Fri Jun 17`) are masked;
/// - a word made only of hex digits and `.:-/` that holds a digit (IPv4, IPv6, host:port, UUID,
///   dates, times, versions) becomes `<*>`; so does a URL (`scheme://...`), an absolute path
///   (`/a/b`), an email address, and a `0x` hex number;
/// - any other word is cut at `=:,;()[]{}<>|` and each piece that holds a digit (`42`, `12ms`,
///   `blk_-160`, `node-7`, `a3f9…`) becomes `<*>`, as does one with a run of 8 or more hex
///   letters (`req-abcdefab`: an id that happens to draw no digit); other pieces are kept;
/// - masks separated only by spaces collapse into one, so lists of varying length still group.
///
/// It works on bytes into a caller's buffer (`write`), allocating nothing; the output is cut at
/// `maxLength` bytes.
public enum ErrorTemplate {
    public static let maxLength = 512
    static let mask: [UInt8] = Array("<*>".utf8)

    /// Writes the template of `bytes[range]` into `out` (at least `maxLength` bytes) and returns
    /// its length.
    public static func write(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>,
                             into out: UnsafeMutableRawBufferPointer) -> Int {
        var w = Writer(out: out, limit: Swift.min(out.count, maxLength))
        var i = range.lowerBound
        let end = range.upperBound
        while i < end && !w.full {
            let b = bytes[i]
            if isSpace(b) {
                w.space()
                i += 1
                while i < end, isSpace(bytes[i]) { i += 1 }
                continue
            }
            // A quoted single word after a separator (not an apostrophe inside a word):
            // `unknown column 'email'`. Quoted text with spaces is read word by word.
            if b == 0x22 || b == 0x27 || b == 0x60 {
                let prev = i > range.lowerBound ? bytes[i - 1] : 0x20
                if !isWordByte(prev), let close = closingQuote(bytes, i + 1, end, b), close > i + 1 {
                    w.byte(b); w.mask(); w.byte(b)
                    i = close + 1
                    continue
                }
            }
            // One whitespace-delimited word.
            var j = i
            while j < end, !isSpace(bytes[j]) { j += 1 }
            if j - i == 3, isDateName(bytes, i), nextWordIsDateLike(bytes, j, end) {
                w.mask()
            } else {
                word(bytes, i, j, &w)
            }
            i = j
        }
        return w.count
    }

    /// The template of a message, as text (for tests and reports).
    public static func template(_ message: String) -> String {
        var bytes = Array(message.utf8)
        if bytes.isEmpty { bytes = [] }
        return bytes.withUnsafeBytes { raw in
            withUnsafeTemporaryAllocation(byteCount: maxLength, alignment: 8) { out in
                let n = write(raw, 0..<raw.count, into: out)
                return String(decoding: UnsafeRawBufferPointer(rebasing: out[0..<n]), as: UTF8.self)
            }
        }
    }

    // MARK: - Words

    @inline(__always)
    static func word(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int, _ w: inout Writer) {
        // Trailing punctuation that ends a sentence or list item stays outside the word.
        var core = end
        while core > start, isTrailer(bytes[core - 1]) { core -= 1 }
        var lead = start
        while lead < core, isLeader(bytes[lead]) { lead += 1 }
        if lead < core, wholeVariable(bytes, lead, core) {
            for k in start..<lead { w.byte(bytes[k]) }
            w.mask()
            for k in core..<end { w.byte(bytes[k]) }
            return
        }
        // A bracketed address followed by more: `[2001:db8::1]:443`, `[10.0.0.1]`.
        var i = start
        if lead > start, bytes[lead - 1] == 0x5b {
            var m = lead
            while m < core, bytes[m] != 0x5d { m += 1 }
            if m < core, m > lead, wholeVariable(bytes, lead, m) {
                for k in start..<lead { w.byte(bytes[k]) }
                w.mask()
                i = m
            }
        }
        // Pieces between delimiters.
        while i < end {
            let b = bytes[i]
            if isDelimiter(b) {
                w.byte(b)
                i += 1
                continue
            }
            var j = i
            var digit = false
            while j < end, !isDelimiter(bytes[j]) {
                if bytes[j] >= 0x30 && bytes[j] <= 0x39 { digit = true }
                j += 1
            }
            if digit || hasHexRun(bytes, i, j) {
                w.mask()
            } else {
                for k in i..<j { w.byte(bytes[k]) }
            }
            i = j
        }
    }

    /// Whether a piece without digits holds an id written in letters only: a run of 8 or more
    /// hex letters between `-_./` or the piece's ends (`req-abcdefab`, `deadbeefcafe`). Random
    /// 8-digit hex ids draw no digit once in about 2,600: a million requests make hundreds of them.
    @inline(__always)
    static func hasHexRun(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> Bool {
        guard end - start >= 8 else { return false }
        var run = 0
        var hex = true
        for k in start...end {
            let c: UInt8 = k < end ? bytes[k] : 0x2d
            if c == 0x2d || c == 0x5f || c == 0x2e || c == 0x2f {
                if hex && run >= 8 { return true }
                run = 0
                hex = true
            } else {
                run += 1
                if !((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66) { hex = false }
            }
        }
        return false
    }

    /// A word that is one variable as a whole.
    @inline(__always)
    static func wholeVariable(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> Bool {
        let n = end - start
        let first = bytes[start]
        // Absolute path with at least two segments, or a home path.
        if first == 0x2f, n > 1 {
            var k = start + 1
            while k < end { if bytes[k] == 0x2f { return true }; k += 1 }
        }
        // 0x hex.
        if n > 2, first == 0x30, bytes[start + 1] | 0x20 == 0x78 { return true }
        var digit = false
        var hexish = true
        var separators = false
        var at = false
        var dotAfterAt = false
        var scheme = false
        var timeLetters = false
        var colon = false
        var k = start
        while k < end {
            let c = bytes[k]
            if c >= 0x30 && c <= 0x39 { digit = true }
            else if c == 0x2e || c == 0x3a || c == 0x2d || c == 0x2f {
                separators = true
                if c == 0x3a { colon = true }
                if c == 0x2e && at { dotAfterAt = true }
                if c == 0x3a, k + 2 < end, bytes[k + 1] == 0x2f, bytes[k + 2] == 0x2f, k > start { scheme = true }
            } else if (c | 0x20) >= 0x61 && (c | 0x20) <= 0x66 {
                // a-f: still hex
            } else if c == 0x54 || c == 0x5a || c == 0x2b {
                // `T`, `Z`, `+` of an ISO 8601 timestamp (checked below: needs a `:`).
                timeLetters = true
            } else {
                hexish = false
                if c == 0x40 { at = true }
            }
            k += 1
        }
        if scheme { return true }
        if hostName(bytes, start, end) { return true }
        if at && dotAfterAt && bytes[start] != 0x40 { return true }
        if timeLetters && !colon { return false }
        return digit && hexish && (separators || n >= 8)
    }

    /// A lower-case DNS name of three or more labels, optionally with `:port`:
    /// `db-3.eu.example.com`, `proxy.cse.cuhk.edu.hk:5070`. (Class names have capitals.)
    @inline(__always)
    static func hostName(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> Bool {
        var dots = 0
        var labelLetters = true
        var labelLength = 0
        var k = start
        while k < end {
            let c = bytes[k]
            if c == 0x2e {
                guard labelLength > 0 else { return false }
                dots += 1
                labelLength = 0
                labelLetters = true
            } else if c == 0x3a {
                // A port must follow.
                guard k + 1 < end else { return false }
                for p in (k + 1)..<end where !(bytes[p] >= 0x30 && bytes[p] <= 0x39) { return false }
                break
            } else if c >= 0x61 && c <= 0x7a {
                labelLength += 1
            } else if (c >= 0x30 && c <= 0x39) || c == 0x2d {
                labelLength += 1
                labelLetters = false
            } else {
                return false
            }
            k += 1
        }
        return dots >= 2 && labelLetters && labelLength >= 2 && labelLength <= 6
    }

    /// `Mon`...`Sun`, `Jan`...`Dec` (capitalised or upper case).
    @inline(__always)
    static func isDateName(_ bytes: UnsafeRawBufferPointer, _ at: Int) -> Bool {
        let key = (UInt32(bytes[at] | 0x20) << 16) | (UInt32(bytes[at + 1] | 0x20) << 8) | UInt32(bytes[at + 2] | 0x20)
        guard bytes[at] >= 0x41 && bytes[at] <= 0x5a else { return false }
        switch key {
        case 0x6d6f6e, 0x747565, 0x776564, 0x746875, 0x667269, 0x736174, 0x73756e: return true
        case 0x6a616e, 0x666562, 0x6d6172, 0x617072, 0x6d6179, 0x6a756e, 0x6a756c, 0x617567,
             0x736570, 0x6f6374, 0x6e6f76, 0x646563: return true
        default: return false
        }
    }

    /// The next word starts with a digit or is itself a day or month name (`Fri Jun 17`).
    @inline(__always)
    static func nextWordIsDateLike(_ bytes: UnsafeRawBufferPointer, _ from: Int, _ end: Int) -> Bool {
        var k = from
        while k < end, isSpace(bytes[k]) { k += 1 }
        guard k < end else { return false }
        if bytes[k] >= 0x30 && bytes[k] <= 0x39 { return true }
        if k + 3 <= end, (k + 3 == end || isSpace(bytes[k + 3])), isDateName(bytes, k) { return true }
        return false
    }

    @inline(__always)
    static func closingQuote(_ bytes: UnsafeRawBufferPointer, _ from: Int, _ end: Int, _ q: UInt8) -> Int? {
        var k = from
        while k < end {
            let c = bytes[k]
            if isSpace(c) { return nil }
            if c == 0x5c { k += 2; continue }
            if c == q {
                // The closing quote must end a word (followed by a separator or the end).
                if k + 1 >= end || !isWordByte(bytes[k + 1]) { return k }
            }
            k += 1
        }
        return nil
    }

    @inline(__always) static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0a || b == 0x0d }
    @inline(__always) static func isWordByte(_ b: UInt8) -> Bool {
        (b | 0x20 >= 0x61 && b | 0x20 <= 0x7a) || (b >= 0x30 && b <= 0x39) || b == 0x5f || b >= 0x80
    }
    @inline(__always) static func isDelimiter(_ b: UInt8) -> Bool {
        switch b {
        case 0x3d, 0x3a, 0x2c, 0x3b, 0x28, 0x29, 0x5b, 0x5d, 0x7b, 0x7d, 0x3c, 0x3e, 0x7c, 0x22, 0x27: return true
        default: return false
        }
    }
    @inline(__always) static func isTrailer(_ b: UInt8) -> Bool {
        b == 0x2c || b == 0x3b || b == 0x29 || b == 0x5d || b == 0x7d || b == 0x2e || b == 0x3a || b == 0x22 || b == 0x27
    }
    @inline(__always) static func isLeader(_ b: UInt8) -> Bool {
        b == 0x28 || b == 0x5b || b == 0x7b || b == 0x3c || b == 0x22 || b == 0x27 || b == 0x3d
    }

    /// Appends to the caller's buffer, collapsing masks separated only by spaces.
    struct Writer {
        let out: UnsafeMutableRawBufferPointer
        let limit: Int
        var count = 0
        /// Output length right after the last mask, when only spaces followed it.
        var afterMask = -1
        var pendingSpace = false

        init(out: UnsafeMutableRawBufferPointer, limit: Int) {
            self.out = out
            self.limit = limit
        }

        var full: Bool { count >= limit }

        @inline(__always) mutating func space() {
            if count > 0 { pendingSpace = true }
        }

        @inline(__always) mutating func flushSpace() {
            if pendingSpace {
                pendingSpace = false
                raw(0x20)
            }
        }

        @inline(__always) mutating func raw(_ b: UInt8) {
            guard count < limit else { return }
            out[count] = b
            count += 1
        }

        @inline(__always) mutating func byte(_ b: UInt8) {
            flushSpace()
            raw(b)
            afterMask = -1
        }

        @inline(__always) mutating func mask() {
            if afterMask == count {
                pendingSpace = false
                return
            }
            flushSpace()
            raw(0x3c); raw(0x2a); raw(0x3e)
            afterMask = count
        }
    }
}
