/// A byte-level scanner for nginx `log_format` layouts: the fast path in front of the format's
/// PCRE2 regex, in the spirit of Logstash's `dissect`.
///
/// The regex `NginxFormat` builds is a sequence of literals and one fragment per variable. The
/// scanner walks the same sequence over a line without backtracking: each fragment takes the
/// extent PCRE2 tries *first* (greedy runs at their longest, the first alternative, an optional
/// part when it is there), and the next element must match right after it. If every element
/// matches, that first path is the match PCRE2 returns (it explores paths in that order and the
/// pattern is anchored at the start and open at the end), so the captures are the same. If any
/// element fails, the scanner says so and the caller matches the line with PCRE2, which may
/// still find a match by backtracking (`"a, b" c` as a forwarded-for address, `$a:$b` layouts).
/// `LineScannerTests` checks scanner and regex agree on every corpus line and on fuzzed lines.
public struct LineLayout: Sendable {
    enum Element: Sendable {
        case literal([UInt8])
        case capture(Fragment, group: Int)
    }

    /// What a variable's regex fragment accepts (see `NginxFormat.fragment`).
    enum Fragment: Sendable {
        /// `[^"\\]*(?:\\.[^"\\]*)*` before a closing quote.
        case quoted
        /// `[^\]]*`
        case bracketed
        /// `\S*`
        case nonSpace
        /// `\d{3}`
        case threeDigits
        /// `\d+|-`
        case integerOrDash
        /// `-|\d+\.\d+`
        case secondsOrDash
        /// `\d+(?:\.\d+)?`
        case decimal
        /// `(?:-|\d+\.\d+)(?:(?:, | : )(?:-|\d+\.\d+))*`
        case upstreamTimes
        /// `(?:-|\d+)(?:(?:, | : )(?:-|\d+))*`
        case upstreamIntegers
        /// `\S+(?:(?:, | : )\S+)*`
        case upstreamAddress
        /// The first alternative of the remote address: `\S+(?:, \S+)*` (a line the others
        /// would take fails here and goes to PCRE2).
        case remoteAddress
        /// `\d{1,2}/[A-Za-z]{3}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}`
        case timeLocal
        /// `\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?`
        case timeISO8601

        init?(regex: String) {
            switch regex {
            case NginxFormat.quotedValue: self = .quoted
            case NginxFormat.bracketValue: self = .bracketed
            case #"\S*"#: self = .nonSpace
            case #"\d{3}"#: self = .threeDigits
            case #"\d+|-"#: self = .integerOrDash
            case "-|" + NginxFormat.seconds: self = .secondsOrDash
            case NginxFormat.decimal: self = .decimal
            case NginxFormat.upstreamTimes: self = .upstreamTimes
            case NginxFormat.upstreamIntegers: self = .upstreamIntegers
            case #"\S+(?:(?:, | : )\S+)*"#: self = .upstreamAddress
            case NginxFormat.remoteAddress: self = .remoteAddress
            case NginxFormat.timeLocal: self = .timeLocal
            case NginxFormat.timeISO8601: self = .timeISO8601
            default: return nil
            }
        }
    }

    let elements: [Element]
    let groups: Int

    /// The layout of literals and variable fragments (regex text, one capture group each, in
    /// order); nil when a fragment is one the scanner does not know (the regex alone serves).
    init?(_ parts: [(literal: String?, fragment: String?)]) {
        var elements: [Element] = []
        var group = 0
        for part in parts {
            if let literal = part.literal {
                elements.append(.literal(Array(literal.utf8)))
            } else if let regex = part.fragment {
                guard let fragment = Fragment(regex: regex) else { return nil }
                group += 1
                elements.append(.capture(fragment, group: group))
            }
        }
        self.elements = elements
        groups = group
    }
}

/// Scans lines with a `LineLayout`; one per worker (it holds the last line's captures).
public final class LineScanner {
    let elements: [LineLayout.Element]
    /// Capture ranges of the last scanned line by group number (index 0 unused), as PCRE2's
    /// ovector would give them.
    public private(set) var ranges: [Range<Int>?]

    public init(_ layout: LineLayout) {
        elements = layout.elements
        ranges = [Range<Int>?](repeating: nil, count: layout.groups + 1)
    }

    /// Byte range of `field` in the last scanned line: the first of its groups that was set.
    @inline(__always)
    public func range(of field: FieldSpec) -> Range<Int>? {
        for group in field.groups where group < ranges.count {
            if let r = ranges[group] { return r }
        }
        return nil
    }

    /// Scans `line`; true when every element matched (then `ranges` holds the captures).
    /// False says nothing about the line: match it with the regex.
    public func scan(_ line: UnsafeRawBufferPointer) -> Bool {
        guard let base = line.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return false }
        let b = UnsafeBufferPointer(start: base, count: line.count)
        let end = b.count
        var i = 0
        for element in elements {
            switch element {
            case .literal(let bytes):
                guard end - i >= bytes.count else { return false }
                for byte in bytes {
                    guard b[i] == byte else { return false }
                    i += 1
                }
            case .capture(let fragment, let group):
                guard let next = LineScanner.extent(of: fragment, b, from: i, end: end) else { return false }
                ranges[group] = i..<next
                i = next
            }
        }
        return true
    }

    @inline(__always)
    static func isSpace(_ c: UInt8) -> Bool {
        // PCRE2's \s without Unicode properties: space, \t, \n, \v, \f, \r.
        c == 0x20 || (c >= 0x09 && c <= 0x0D)
    }

    @inline(__always)
    static func isDigit(_ c: UInt8) -> Bool { c &- UInt8(ascii: "0") < 10 }

    @inline(__always)
    static func digits(_ b: UnsafeBufferPointer<UInt8>, _ i: Int, _ end: Int) -> Int {
        var j = i
        while j < end, isDigit(b[j]) { j += 1 }
        return j
    }

    /// `\d+\.\d+` from `i`: its end, or nil.
    @inline(__always)
    static func seconds(_ b: UnsafeBufferPointer<UInt8>, _ i: Int, _ end: Int) -> Int? {
        let whole = digits(b, i, end)
        guard whole > i, whole < end, b[whole] == UInt8(ascii: ".") else { return nil }
        let fraction = digits(b, whole + 1, end)
        return fraction > whole + 1 ? fraction : nil
    }

    /// A separator of per-upstream values, `, ` or ` : `, at `i`: its end, or nil.
    @inline(__always)
    static func upstreamSeparator(_ b: UnsafeBufferPointer<UInt8>, _ i: Int, _ end: Int) -> Int? {
        if i + 1 < end, b[i] == UInt8(ascii: ","), b[i + 1] == 0x20 { return i + 2 }
        if i + 2 < end, b[i] == 0x20, b[i + 1] == UInt8(ascii: ":"), b[i + 2] == 0x20 { return i + 3 }
        return nil
    }

    /// Where the first path of PCRE2's search leaves `fragment` started at `i`, or nil when that
    /// path fails inside the fragment.
    static func extent(of fragment: LineLayout.Fragment, _ b: UnsafeBufferPointer<UInt8>, from i: Int, end: Int) -> Int? {
        switch fragment {
        case .quoted:
            var j = i
            while j < end {
                let c = b[j]
                if c == UInt8(ascii: "\"") { return j }
                if c == UInt8(ascii: "\\") {
                    // `\\.`: `.` is any byte but a newline; a carriage return is left to PCRE2,
                    // whose newline convention decides whether `.` takes it.
                    // (and so are the other bytes a newline convention may include).
                    guard j + 1 < end else { return nil }
                    let n = b[j + 1]
                    guard n != 0x0A, n != 0x0B, n != 0x0C, n != 0x0D, n != 0x85 else { return nil }
                    j += 2
                } else {
                    j += 1
                }
            }
            return j
        case .bracketed:
            var j = i
            while j < end, b[j] != UInt8(ascii: "]") { j += 1 }
            return j
        case .nonSpace:
            var j = i
            while j < end, !isSpace(b[j]) { j += 1 }
            return j
        case .threeDigits:
            guard end - i >= 3, isDigit(b[i]), isDigit(b[i + 1]), isDigit(b[i + 2]) else { return nil }
            return i + 3
        case .integerOrDash:
            let j = digits(b, i, end)
            if j > i { return j }
            return i < end && b[i] == UInt8(ascii: "-") ? i + 1 : nil
        case .secondsOrDash:
            if i < end, b[i] == UInt8(ascii: "-") { return i + 1 }
            return seconds(b, i, end)
        case .decimal:
            let whole = digits(b, i, end)
            guard whole > i else { return nil }
            if whole < end, b[whole] == UInt8(ascii: ".") {
                let fraction = digits(b, whole + 1, end)
                if fraction > whole + 1 { return fraction }
            }
            return whole
        case .upstreamTimes, .upstreamIntegers:
            let isTimes = fragment.isUpstreamTimes
            func item(_ k: Int) -> Int? {
                if k < end, b[k] == UInt8(ascii: "-") { return k + 1 }
                if isTimes { return seconds(b, k, end) }
                let j = digits(b, k, end)
                return j > k ? j : nil
            }
            guard var j = item(i) else { return nil }
            while let s = upstreamSeparator(b, j, end), let k = item(s) { j = k }
            return j
        case .upstreamAddress, .remoteAddress:
            func token(_ k: Int) -> Int? {
                var j = k
                while j < end, !isSpace(b[j]) { j += 1 }
                return j > k ? j : nil
            }
            guard var j = token(i) else { return nil }
            if case .upstreamAddress = fragment {
                while let s = upstreamSeparator(b, j, end), let k = token(s) { j = k }
            } else {
                while j + 1 < end, b[j] == UInt8(ascii: ","), b[j + 1] == 0x20, let k = token(j + 2) { j = k }
            }
            return j
        case .timeLocal:
            // d/Mon/yyyy:hh:mm:ss +zzzz, the day one or two digits (two taken when there).
            var j = i
            guard j < end, isDigit(b[j]) else { return nil }
            j += 1
            if j < end, isDigit(b[j]) { j += 1 }
            guard end - j >= 24, b[j] == UInt8(ascii: "/") else { return nil }
            for k in 1...3 where !isLetter(b[j + k]) { return nil }
            guard b[j + 4] == UInt8(ascii: "/") else { return nil }
            for k in 5...8 where !isDigit(b[j + k]) { return nil }
            for (k, c) in [(9, ":"), (12, ":"), (15, ":"), (18, " ")] as [(Int, Unicode.Scalar)] where b[j + k] != UInt8(ascii: c) { return nil }
            for k in [10, 11, 13, 14, 16, 17, 20, 21, 22, 23] where !isDigit(b[j + k]) { return nil }
            guard b[j + 19] == UInt8(ascii: "+") || b[j + 19] == UInt8(ascii: "-") else { return nil }
            return j + 24
        case .timeISO8601:
            // yyyy-mm-ddThh:mm:ss, then an optional fraction and an optional zone.
            guard end - i >= 19 else { return nil }
            for k in [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18] where !isDigit(b[i + k]) { return nil }
            for (k, c) in [(4, "-"), (7, "-"), (10, "T"), (13, ":"), (16, ":")] as [(Int, Unicode.Scalar)] where b[i + k] != UInt8(ascii: c) { return nil }
            var j = i + 19
            if j < end, b[j] == UInt8(ascii: ".") {
                let f = digits(b, j + 1, end)
                if f > j + 1 { j = f }
            }
            if j < end, b[j] == UInt8(ascii: "Z") { return j + 1 }
            if j < end, b[j] == UInt8(ascii: "+") || b[j] == UInt8(ascii: "-") {
                // [+-]\d\d:?\d\d, the colon taken first when there.
                let h = j + 1
                if h + 1 < end, isDigit(b[h]), isDigit(b[h + 1]) {
                    let m = h + 2
                    if m + 2 < end, b[m] == UInt8(ascii: ":"), isDigit(b[m + 1]), isDigit(b[m + 2]) { return m + 3 }
                    if m + 1 < end, isDigit(b[m]), isDigit(b[m + 1]) { return m + 2 }
                }
            }
            return j
        }
    }

    @inline(__always)
    static func isLetter(_ c: UInt8) -> Bool { (c | 0x20) &- UInt8(ascii: "a") < 26 }
}

extension LineLayout.Fragment {
    var isUpstreamTimes: Bool {
        if case .upstreamTimes = self { return true }
        return false
    }
}
