/// PCRE2: the one Swift module that imports CPCRE2 and owns its pointers.
///
/// Takes a pattern string, gives a compiled, JIT-compiled `Regex` that is shared read-only between
/// threads, and a per-worker `MatchData` that matches byte ranges in place without allocating.
/// It knows nothing about grok or logs.
import CPCRE2

/// An error reported by PCRE2, carrying the library's own message.
public struct PCRE2Error: Error, CustomStringConvertible, Sendable {
    public let code: Int32
    /// Byte offset into the pattern where compilation failed, when PCRE2 gives one.
    public let offset: Int?
    public let message: String

    init(code: Int32, offset: Int? = nil) {
        self.code = code
        self.offset = offset
        self.message = PCRE2Error.libraryMessage(code)
    }

    static func libraryMessage(_ code: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 256)
        let length = buffer.withUnsafeMutableBufferPointer {
            pcre2_get_error_message_8(Int32(code), $0.baseAddress, $0.count)
        }
        guard length > 0 else { return "PCRE2 error \(code)" }
        return String(decoding: buffer[0..<Int(length)], as: UTF8.self)
    }

    public var description: String {
        if let offset { return "\(message) at offset \(offset)" }
        return message
    }
}

/// A compiled pattern. Immutable after `init`, so one instance serves every worker thread;
/// each worker brings its own `MatchData`.
public final class Regex: @unchecked Sendable {
    public struct Options: OptionSet, Sendable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }
        public static let caseless = Options(rawValue: PCRE2_CASELESS)
        public static let anchored = Options(rawValue: PCRE2_ANCHORED)
        public static let multiline = Options(rawValue: PCRE2_MULTILINE)
        public static let dotAll = Options(rawValue: PCRE2_DOTALL)
        public static let dupNames = Options(rawValue: PCRE2_DUPNAMES)
        /// Treat subject and pattern as UTF-8 (classes then match characters, not bytes). Off by
        /// default: logs are bytes, and a line with invalid UTF-8 must still match `[^"]*`. With it
        /// on, invalid sequences in a subject never match but cannot crash (PCRE2_MATCH_INVALID_UTF).
        public static let utf = Options(rawValue: PCRE2_UTF | PCRE2_MATCH_INVALID_UTF)
    }

    let code: OpaquePointer
    public let pattern: String
    /// Number of capture groups (group 0, the whole match, not counted).
    public let captureCount: Int
    /// Named groups in the order of their group numbers.
    public let namedGroups: [(name: String, group: Int)]
    /// Whether the JIT compiled this pattern; matching falls back to the interpreter if not.
    public let isJIT: Bool

    public init(_ pattern: String, options: Options = []) throws(PCRE2Error) {
        var errorCode: Int32 = 0
        var errorOffset: Int = 0
        let compiled = pattern.utf8.withContiguousStorageIfAvailable { bytes in
            pcre2_compile_8(bytes.baseAddress, bytes.count, options.rawValue,
                            &errorCode, &errorOffset, nil)
        } ?? {
            var copy = Array(pattern.utf8)
            return pcre2_compile_8(&copy, copy.count, options.rawValue,
                                   &errorCode, &errorOffset, nil)
        }()
        guard let compiled else { throw PCRE2Error(code: errorCode, offset: errorOffset) }
        self.code = compiled
        self.pattern = pattern
        self.isJIT = pcre2_jit_compile_8(compiled, PCRE2_JIT_COMPLETE) == 0

        var count: UInt32 = 0
        pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_CAPTURECOUNT), &count)
        self.captureCount = Int(count)
        self.namedGroups = Regex.readNameTable(compiled)
    }

    private static func readNameTable(_ code: OpaquePointer) -> [(name: String, group: Int)] {
        var nameCount: UInt32 = 0
        var entrySize: UInt32 = 0
        var table: UnsafePointer<UInt8>? = nil
        pcre2_pattern_info_8(code, UInt32(PCRE2_INFO_NAMECOUNT), &nameCount)
        pcre2_pattern_info_8(code, UInt32(PCRE2_INFO_NAMEENTRYSIZE), &entrySize)
        pcre2_pattern_info_8(code, UInt32(PCRE2_INFO_NAMETABLE), &table)
        guard let table, nameCount > 0 else { return [] }
        var result: [(String, Int)] = []
        for i in 0..<Int(nameCount) {
            let entry = table + i * Int(entrySize)
            let group = Int(entry[0]) << 8 | Int(entry[1])
            let nameStart = entry + 2
            var length = 0
            while length < Int(entrySize) - 2, nameStart[length] != 0 { length += 1 }
            let name = String(decoding: UnsafeBufferPointer(start: nameStart, count: length), as: UTF8.self)
            result.append((name, group))
        }
        return result.sorted { $0.1 < $1.1 }
    }

    deinit { pcre2_code_free_8(code) }
}

/// The outcome of one match attempt.
public enum MatchOutcome: Equatable, Sendable {
    case matched
    case noMatch
    /// The match or depth limit, or the JIT stack, ran out: the pattern backtracks too much on
    /// this subject. The caller counts the line and moves on.
    case limitExceeded
    case error(Int32)
}

/// Per-worker scratch for matching: PCRE2 match data, a match context with limits, and a JIT
/// stack. Not thread-safe; create one per worker and reuse it for every line.
public final class MatchData {
    /// PCRE2's own default: with the JIT it lets one line of a pathological pattern cost at most
    /// a few milliseconds (measured: about 13 ms), and real patterns such as Logstash's BRO_FILES
    /// need more than a million steps on long lines.
    public static let defaultMatchLimit: UInt32 = 10_000_000
    public static let defaultDepthLimit: UInt32 = 100_000

    let data: OpaquePointer
    let context: OpaquePointer
    let jitStack: OpaquePointer?
    let ovector: UnsafeMutablePointer<Int>
    public let pairCount: Int
    /// `[attempts, limit hits, next stage's hit count, current match limit]`, behind a pointer
    /// so counting on the per-line path costs no exclusivity check.
    let budget: UnsafeMutablePointer<UInt64>

    /// How the match limit tightens when a pattern keeps running out of it: once `10^k` lines
    /// (k = 1, 2, 3: up to `lastStageHits`) have hit the limit, and they are at least 1 in 1,000 of the lines tried,
    /// the limit drops tenfold, down to a thousandth of the default. A pattern that backtracks
    /// catastrophically on every line (`(a+)+$`, about 70 ms a line at the default) then costs
    /// about 0.07 ms a line after the first thousand, so a 300 MB file takes minutes, not days;
    /// a good pattern with a few hard lines (under 1 in 1,000) keeps the full limit. The stage
    /// sizes are powers of ten chosen for that arithmetic, not fitted to any data.
    static let lastStageHits: UInt64 = 1000
    static let tighteningShare: UInt64 = 1000
    /// PCRE2_UNSET (~0 as size_t) as Swift sees a size_t: an Int of all one bits.
    static let unset = Int(bitPattern: UInt.max)

    public init(capacity groups: Int, matchLimit: UInt32 = MatchData.defaultMatchLimit,
                depthLimit: UInt32 = MatchData.defaultDepthLimit) {
        guard let data = pcre2_match_data_create_8(UInt32(groups + 1), nil),
              let context = pcre2_match_context_create_8(nil) else {
            fatalError("PCRE2 could not allocate match data")
        }
        self.data = data
        self.context = context
        pcre2_set_match_limit_8(context, matchLimit)
        pcre2_set_depth_limit_8(context, depthLimit)
        jitStack = pcre2_jit_stack_create_8(32 * 1024, 1024 * 1024, nil)
        if let jitStack { pcre2_jit_stack_assign_8(context, nil, UnsafeMutableRawPointer(jitStack)) }
        ovector = pcre2_get_ovector_pointer_8(data)
        pairCount = Int(pcre2_get_ovector_count_8(data))
        budget = .allocate(capacity: 4)
        budget.initialize(repeating: 0, count: 4)
        budget[2] = 10
        budget[3] = UInt64(matchLimit)
    }

    /// Matches tried so far with this match data.
    public var attempts: UInt64 { budget[0] }
    /// Matches that ran out of the match, depth or JIT-stack limit.
    public var limitHits: UInt64 { budget[1] }
    /// The match limit now in force (lower than the one given once a pattern keeps hitting it).
    public var currentMatchLimit: UInt32 { UInt32(budget[3]) }

    /// Called when a match ran out of its limit: counts it and tightens the limit by a stage
    /// when the pattern keeps doing so (see `lastStageHits`).
    func recordLimitHit() {
        budget[1] += 1
        let hits = budget[1]
        guard hits >= budget[2], budget[2] <= MatchData.lastStageHits,
              hits &* MatchData.tighteningShare >= budget[0] else { return }
        budget[2] *= 10
        budget[3] = max(1, budget[3] / 10)
        pcre2_set_match_limit_8(context, UInt32(budget[3]))
    }

    public convenience init(for regex: Regex) {
        self.init(capacity: regex.captureCount)
    }

    deinit {
        budget.deallocate()
        if let jitStack { pcre2_jit_stack_free_8(jitStack) }
        pcre2_match_context_free_8(context)
        pcre2_match_data_free_8(data)
    }

    /// Matches `regex` against `subject` in place. Capture ranges are valid until the next call.
    @inline(__always)
    public func match(_ regex: Regex, _ subject: UnsafeRawBufferPointer) -> MatchOutcome {
        let base = subject.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? Regex.emptySubject
        budget[0] &+= 1
        let rc: Int32
        if regex.isJIT {
            rc = pcre2_jit_match_8(regex.code, base, subject.count, 0, 0, data, context)
        } else {
            rc = pcre2_match_8(regex.code, base, subject.count, 0, 0, data, context)
        }
        if rc >= 0 { return .matched }
        switch rc {
        case PCRE2_ERROR_NOMATCH, PCRE2_ERROR_PARTIAL: return .noMatch
        case PCRE2_ERROR_MATCHLIMIT, PCRE2_ERROR_DEPTHLIMIT, PCRE2_ERROR_HEAPLIMIT, PCRE2_ERROR_JIT_STACKLIMIT:
            recordLimitHit()
            return .limitExceeded
        default: return .error(rc)
        }
    }

    /// Byte range of capture group `group` within the last subject, or nil if it did not take part.
    @inline(__always)
    public func range(_ group: Int) -> Range<Int>? {
        guard group < pairCount else { return nil }
        let start = ovector[2 * group]
        guard start != MatchData.unset else { return nil }
        return start..<ovector[2 * group + 1]
    }
}

extension Regex {
    nonisolated(unsafe) static let emptySubject: UnsafePointer<UInt8> = {
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
        p.pointee = 0
        return UnsafePointer(p)
    }()

    /// Convenience for tests and the `patterns test` command: match a string and return the text
    /// of every named group that took part.
    public func captures(in text: String) throws(PCRE2Error) -> [String: String]? {
        let matchData = MatchData(for: self)
        var bytes = Array(text.utf8)
        let outcome = bytes.withUnsafeMutableBytes { matchData.match(self, UnsafeRawBufferPointer($0)) }
        switch outcome {
        case .matched: break
        case .noMatch, .limitExceeded: return nil
        case .error(let code): throw PCRE2Error(code: code)
        }
        var result: [String: String] = [:]
        for (name, group) in namedGroups {
            guard result[name] == nil, let r = matchData.range(group) else { continue }
            result[name] = String(decoding: bytes[r], as: UTF8.self)
        }
        bytes.removeAll()
        return result
    }
}
