#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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

/// Scans lines with a `LineLayout`; one per worker (it holds the last line's captures). The
/// layout is copied into flat storage so that the per-line loop touches no reference counts.
public final class LineScanner {
    /// Per element: kind (0 = literal, else 1 + fragment code), then for a literal its start in
    /// `literals` and its length, for a capture its group.
    struct Step { var kind: Int32; var a: Int32; var b: Int32 }
    let steps: UnsafeMutablePointer<Step>
    let stepCount: Int
    let literals: UnsafeMutablePointer<UInt8>
    /// The fragments of the captures, in order (flat: the loop reads them without retaining).
    let codes: UnsafeMutablePointer<LineLayout.Fragment>
    /// Capture i's range is starts[i]..<ends[i]; starts[i] = -1 when unset (index 0 unused).
    let starts: UnsafeMutablePointer<Int>
    let ends: UnsafeMutablePointer<Int>
    let groupSlots: Int
    /// Per step, a literal of 1...8 bytes as one word (first byte lowest) and the mask of its
    /// bytes; mask 0 for other steps. Compared with one load instead of a loop whose exit
    /// branch is mispredicted on literals of a few bytes (` - `, `" "`).
    let literalWords: UnsafeMutablePointer<UInt64>
    let literalMasks: UnsafeMutablePointer<UInt64>

    public init(_ layout: LineLayout) {
        stepCount = layout.elements.count
        steps = .allocate(capacity: max(1, stepCount))
        var bytes: [UInt8] = []
        var fragments: [LineLayout.Fragment] = []
        for (i, element) in layout.elements.enumerated() {
            switch element {
            case .literal(let literal):
                steps[i] = Step(kind: 0, a: Int32(clamping: bytes.count), b: Int32(clamping: literal.count))
                bytes += literal
            case .capture(let fragment, let group):
                steps[i] = Step(kind: Int32(clamping: 1 + fragments.count), a: Int32(clamping: group), b: 0)
                fragments.append(fragment)
            }
        }
        literals = .allocate(capacity: max(1, bytes.count))
        literals.initialize(from: bytes, count: bytes.count)
        groupSlots = layout.groups + 1
        starts = .allocate(capacity: groupSlots)
        starts.initialize(repeating: -1, count: groupSlots)
        ends = .allocate(capacity: groupSlots)
        ends.initialize(repeating: 0, count: groupSlots)
        codes = .allocate(capacity: max(1, fragments.count))
        codes.initialize(from: fragments, count: fragments.count)
        literalWords = .allocate(capacity: max(1, stepCount))
        literalWords.initialize(repeating: 0, count: max(1, stepCount))
        literalMasks = .allocate(capacity: max(1, stepCount))
        literalMasks.initialize(repeating: 0, count: max(1, stepCount))
        for (i, element) in layout.elements.enumerated() {
            guard case .literal(let literal) = element, !literal.isEmpty, literal.count <= 8 else { continue }
            var word: UInt64 = 0
            for (j, byte) in literal.enumerated() { word |= UInt64(byte) << (8 * UInt64(j)) }
            literalWords[i] = word
            literalMasks[i] = literal.count == 8 ? ~0 : (1 << (8 * UInt64(literal.count))) - 1
        }
    }

    deinit {
        steps.deallocate()
        literals.deallocate()
        starts.deallocate()
        ends.deallocate()
        codes.deallocate()
        literalWords.deallocate()
        literalMasks.deallocate()
    }

    /// Capture ranges of the last scanned line by group number (index 0 unused), as PCRE2's
    /// ovector would give them.
    public var ranges: [Range<Int>?] {
        (0..<groupSlots).map { starts[$0] < 0 ? nil : starts[$0]..<ends[$0] }
    }

    /// Byte range of `field` in the last scanned line: the first of its groups that was set.
    @inline(__always)
    public func range(of field: FieldSpec) -> Range<Int>? {
        for group in field.groups where group < groupSlots {
            let s = starts[group]
            if s >= 0 { return s..<ends[group] }
        }
        return nil
    }

    /// Byte range of capture `group` in the last scanned line (nil: unset, or not a group).
    @inline(__always)
    public func range(group: Int) -> Range<Int>? {
        guard group >= 0, group < groupSlots else { return nil }
        let s = starts[group]
        return s >= 0 ? s..<ends[group] : nil
    }

    /// Scans `line`; true when every element matched (then `range(of:)` gives the captures).
    /// False says nothing about the line: match it with the regex.
    public func scan(_ line: UnsafeRawBufferPointer) -> Bool {
        guard let base = line.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return false }
        let b = UnsafeBufferPointer(start: base, count: line.count)
        let end = b.count
        var i = 0
        for k in 0..<stepCount {
            let step = steps[k]
            if step.kind == 0 {
                let n = Int(step.b)
                guard end - i >= n else { return false }
                let mask = literalMasks[k]
                if mask != 0 && end - i >= 8 {
                    let word = ByteWords.load(UnsafeRawPointer(base), i)
                    if (word ^ literalWords[k]) & mask != 0 { return false }
                } else {
                    let literal = literals + Int(step.a)
                    for j in 0..<n where b[i &+ j] != literal[j] { return false }
                }
                i &+= n
            } else {
                guard let next = LineScanner.extent(of: codes[Int(step.kind) &- 1], b, from: i, end: end) else { return false }
                let group = Int(step.a)
                starts[group] = i
                ends[group] = next
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
    /// path fails inside the fragment. Inlined into `scan`'s loop: one call per field cost more
    /// than most fields' own work.
    @inline(__always)
    static func extent(of fragment: LineLayout.Fragment, _ b: UnsafeBufferPointer<UInt8>, from i: Int, end: Int) -> Int? {
        switch fragment {
        case .quoted:
            // The closing quote is the first `"` not escaped: find quotes with memchr, and look
            // for a backslash only in the stretch before each.
            guard let base = b.baseAddress else { return nil }
            var j = i
            while j < end {
                let quote = memchr(base + j, 0x22, end - j).map { UnsafePointer<UInt8>($0.assumingMemoryBound(to: UInt8.self)) - base } ?? end
                guard let slash = memchr(base + j, 0x5C, quote - j) else { return quote }
                var k = UnsafePointer<UInt8>(slash.assumingMemoryBound(to: UInt8.self)) - base
                // From the first backslash on, byte by byte: `\.` pairs, up to the first bare quote.
                while k < end {
                    let c = b[k]
                    if c == 0x22 { return k }
                    if c == 0x5C {
                        // `\.`: `.` is any byte but a newline; a carriage return is left to
                        // PCRE2, whose newline convention decides whether `.` takes it (and so
                        // are the other bytes a newline convention may include).
                        guard k + 1 < end else { return nil }
                        let n = b[k + 1]
                        guard n != 0x0A, n != 0x0B, n != 0x0C, n != 0x0D, n != 0x85 else { return nil }
                        k += 2
                    } else {
                        k += 1
                    }
                }
                j = k
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
        case .upstreamTimes:
            guard var j = upstreamItem(b, i, end, times: true) else { return nil }
            while let s = upstreamSeparator(b, j, end), let k = upstreamItem(b, s, end, times: true) { j = k }
            return j
        case .upstreamIntegers:
            guard var j = upstreamItem(b, i, end, times: false) else { return nil }
            while let s = upstreamSeparator(b, j, end), let k = upstreamItem(b, s, end, times: false) { j = k }
            return j
        case .upstreamAddress:
            guard var j = token(b, i, end) else { return nil }
            while let s = upstreamSeparator(b, j, end), let k = token(b, s, end) { j = k }
            return j
        case .remoteAddress:
            guard var j = token(b, i, end) else { return nil }
            while j + 1 < end, b[j] == UInt8(ascii: ","), b[j + 1] == 0x20, let k = token(b, j + 2, end) { j = k }
            return j
        case .timeLocal:
            // d/Mon/yyyy:hh:mm:ss +zzzz, the day one or two digits (two taken when there).
            var j = i
            guard j < end, isDigit(b[j]) else { return nil }
            j += 1
            if j < end, isDigit(b[j]) { j += 1 }
            guard end - j >= 24, let base = b.baseAddress else { return nil }
            // Fixed offsets from a pointer: no overflow check per byte (24 bytes are there).
            let p = base + j
            guard p[0] == UInt8(ascii: "/"), isLetter(p[1]), isLetter(p[2]), isLetter(p[3]),
                  p[4] == UInt8(ascii: "/"), isDigit(p[5]), isDigit(p[6]), isDigit(p[7]), isDigit(p[8]),
                  p[9] == UInt8(ascii: ":"), isDigit(p[10]), isDigit(p[11]),
                  p[12] == UInt8(ascii: ":"), isDigit(p[13]), isDigit(p[14]),
                  p[15] == UInt8(ascii: ":"), isDigit(p[16]), isDigit(p[17]),
                  p[18] == 0x20, p[19] == UInt8(ascii: "+") || p[19] == UInt8(ascii: "-"),
                  isDigit(p[20]), isDigit(p[21]), isDigit(p[22]), isDigit(p[23]) else { return nil }
            return j &+ 24
        case .timeISO8601:
            // yyyy-mm-ddThh:mm:ss, then an optional fraction and an optional zone.
            guard end - i >= 19, let base = b.baseAddress else { return nil }
            let p = base + i
            guard isDigit(p[0]), isDigit(p[1]), isDigit(p[2]), isDigit(p[3]),
                  p[4] == UInt8(ascii: "-"), isDigit(p[5]), isDigit(p[6]),
                  p[7] == UInt8(ascii: "-"), isDigit(p[8]), isDigit(p[9]),
                  p[10] == UInt8(ascii: "T"), isDigit(p[11]), isDigit(p[12]),
                  p[13] == UInt8(ascii: ":"), isDigit(p[14]), isDigit(p[15]),
                  p[16] == UInt8(ascii: ":"), isDigit(p[17]), isDigit(p[18]) else { return nil }
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

    /// `-` or a value (`\d+\.\d+` for times, `\d+` otherwise) at `k`: its end, or nil.
    @inline(__always)
    static func upstreamItem(_ b: UnsafeBufferPointer<UInt8>, _ k: Int, _ end: Int, times: Bool) -> Int? {
        if k < end, b[k] == UInt8(ascii: "-") { return k + 1 }
        if times { return seconds(b, k, end) }
        let j = digits(b, k, end)
        return j > k ? j : nil
    }

    /// `\S+` at `k`: its end, or nil.
    @inline(__always)
    static func token(_ b: UnsafeBufferPointer<UInt8>, _ k: Int, _ end: Int) -> Int? {
        var j = k
        while j < end, !isSpace(b[j]) { j += 1 }
        return j > k ? j : nil
    }

    @inline(__always)
    static func isLetter(_ c: UInt8) -> Bool { (c | 0x20) &- UInt8(ascii: "a") < 26 }
}
