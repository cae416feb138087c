#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import PCRE2

/// Which of PostgreSQL's log formats an input is written in.
///
/// `.stderr(prefix:)` is `log_destination = stderr` (also what the logging collector writes to
/// `postgresql-*.log`) with any `log_line_prefix`; `.csvlog` and `.jsonlog` are the structured
/// destinations. `.jsonlog` also reads the JSON wrappers of CloudNativePG (the record nested under
/// `record`, `log_time`/`user_name`/… keys) and of Google Cloud SQL exports (a stderr-style line in
/// `textPayload`). `.syslog(prefix:)` is `log_destination = syslog` as rsyslog writes it:
/// `Feb 11 13:15:39 host postgres[10819]: [7-1] <prefix>LOG:  …`, continuation parts `[7-2]`
/// with `#011` for the tab (the year, absent from the line, is the one that puts the time at most
/// a day after now: `YearlessTime`).
public enum PostgresFormat: Sendable, Equatable {
    case stderr(prefix: String)
    case csvlog
    case jsonlog
    case syslog(prefix: String)

    /// The four destinations, for detection limited to one (`--log-format postgres-syslog`).
    public enum Kind: String, Sendable, CaseIterable {
        case stderr, csvlog, jsonlog, syslog
    }

    public var kind: Kind {
        switch self {
        case .stderr: return .stderr
        case .csvlog: return .csvlog
        case .jsonlog: return .jsonlog
        case .syslog: return .syslog
        }
    }

    /// A stderr format for a `log_line_prefix` as written in postgresql.conf (`--pg-prefix`);
    /// surrounding single quotes, as pasted from the configuration line, are removed.
    public init(prefix: String) {
        var p = Substring(prefix)
        p = p.drop { $0 == " " }
        if p.hasPrefix("log_line_prefix") { p = p.dropFirst(15).drop { $0 == " " || $0 == "=" } }
        if p.hasPrefix("'") && p.count >= 2 && p.hasSuffix("'") { p = p.dropFirst().dropLast() }
        self = .stderr(prefix: String(p))
    }

    /// `postgres-stderr '%m [%p] %q%u@%d '`, `postgres-csvlog`, `postgres-jsonlog`.
    public var name: String {
        switch self {
        case .stderr(let prefix): return "postgres-stderr '\(prefix)'"
        case .csvlog: return "postgres-csvlog"
        case .jsonlog: return "postgres-jsonlog"
        case .syslog(let prefix): return "postgres-syslog '\(prefix)'"
        }
    }

    /// Prefixes tried first by `detect`, most specific first.
    public static let commonPrefixes: [String] = [
        "%m [%p] %q%u@%d ",                                   // Debian / Ubuntu default
        "%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ",    // pgBadger's recommendation
        "%t [%p]: [%l-1] user=%u,db=%d,host=%h,app=%a ",
        "%t [%p]: [%l-1] db=%d,user=%u,app=%a,client=%h ",
        "%t [%p]: db=%d,user=%u,app=%a,client=%h ",
        "%t [%p]: [%l-1] user=%u,db=%d ",
        "%t:%r:%u@%d:[%p]:",                                  // AWS RDS
        "%m:%r:%u@%d:[%p]:",
        "%m [%p] %u@%d ",
        "%m [%p] user=%u,db=%d ",
        "%m [%p] ",                                           // PostgreSQL's own default (15+)
        "%t [%p]: ",
        "%t [%p] ",
        "%m ",
        "%t ",
        "",
    ]

    /// Guesses the format of an input from its first lines: JSON objects, csvlog records, or a
    /// stderr prefix among `commonPrefixes` or inferred from the text before `LOG:  `,
    /// `ERROR:  `… ; syslog when any line is a PostgreSQL server's syslog line. `matched` is how
    /// many of `lines` the format recognises (continuation lines included); nil when none is
    /// recognised. Only formats of `kinds` are tried.
    public static func detect(_ lines: [[UInt8]], kinds: Set<Kind> = Set(Kind.allCases)) -> (format: PostgresFormat, matched: Int)? {
        let nonEmpty = lines.filter { !$0.isEmpty }
        guard !nonEmpty.isEmpty else { return nil }
        var best: (format: PostgresFormat, matched: Int, specificity: Int)? = nil
        func consider(_ format: PostgresFormat, _ specificity: Int) {
            let matched = recognised(format, lines)
            guard matched > 0 else { return }
            if best == nil || matched > best!.matched || (matched == best!.matched && specificity > best!.specificity) {
                best = (format, matched, specificity)
            }
        }
        let jsonish = nonEmpty.filter { $0.first == UInt8(ascii: "{") }.count
        if kinds.contains(.jsonlog), jsonish * 2 >= nonEmpty.count { consider(.jsonlog, 1000) }
        if kinds.contains(.csvlog), nonEmpty.contains(where: { PostgresCSV.looksLikeRecordStart($0) }) { consider(.csvlog, 1000) }
        var tried = Set<String>()
        for prefix in commonPrefixes + inferPrefixes(lines) where kinds.contains(.stderr) && tried.insert(prefix).inserted {
            consider(.stderr(prefix: prefix), prefix.count)
        }
        // syslog: the prefix is fitted to what follows the syslog header. Lines of other
        // programs count too (they are read as application syslog beside the server's).
        let syslog = PostgresSyslogParser.bodies(lines)
        if kinds.contains(.syslog), !syslog.isEmpty {
            var tried = Set<String>()
            for prefix in commonPrefixes + inferPrefixes(syslog) where tried.insert(prefix).inserted {
                consider(.syslog(prefix: prefix), prefix.count)
            }
        }
        return best.map { ($0.format, $0.matched) }
    }

    /// How many of `lines` `format` recognises (headers and their continuation lines; for
    /// syslog, also the lines of other programs, which the syslog stream reads as application
    /// syslog).
    public static func recognised(_ format: PostgresFormat, _ lines: [[UInt8]]) -> Int {
        switch format {
        case .stderr(let prefix):
            guard let pattern = try? PostgresPrefixPattern(prefix: prefix) else { return 0 }
            let parser = PostgresStderrParser(pattern: pattern)
            var zone = ZoneRule.utc
            var header = PostgresHeader()
            var count = 0
            var inEvent = false
            for line in lines {
                let ok = line.withUnsafeBytes { parser.parse($0, zone: &zone, into: &header) == .matched }
                if ok { count += 1; inEvent = true } else if inEvent, line.first == 9 || line.first == 32 { count += 1 } else { inEvent = false }
            }
            return count
        case .syslog(let prefix):
            guard let pattern = try? PostgresPrefixPattern(prefix: prefix) else { return 0 }
            let parser = PostgresSyslogParser(pattern: pattern)
            var zone = ZoneRule.utc
            var header = PostgresHeader()
            var count = 0
            var inEvent = false
            for line in lines {
                let kind = line.withUnsafeBytes { parser.parse($0, zone: &zone, into: &header) }
                switch kind {
                case .header: count += 1; inEvent = true
                case .continuation: if inEvent { count += 1 }
                default:
                    inEvent = false
                    if SyslogProgram.isPostgres(line) == false { count += 1 }
                }
            }
            return count
        case .csvlog:
            var count = 0
            var open = false
            for line in lines {
                if open {
                    count += 1
                    open = PostgresCSV.quoteParity(line, open: true)
                } else if PostgresCSV.looksLikeRecordStart(line) {
                    count += 1
                    open = PostgresCSV.quoteParity(line, open: false)
                }
            }
            return count
        case .jsonlog:
            var count = 0
            for line in lines {
                var hasSeverity = false
                line.withUnsafeBytes { raw in
                    _ = PostgresJSON.scan(raw) { key, _, _ in
                        if PostgresJSON.keyIs(raw, key, "error_severity") || PostgresJSON.keyIs(raw, key, "textPayload") { hasSeverity = true }
                    }
                }
                if hasSeverity { count += 1 }
            }
            return count
        }
    }

    /// Prefixes fitted to the text before the severity of a few sample lines: a leading
    /// timestamp becomes `%m`/`%t`/`%n`, `[123]` `%p`, `[12-1]` `%l`, `key=value` a field by key
    /// name (user, db, app, client/host, …), `a@b` `%u@%d`, an IPv4 address `%h` (`%r` with
    /// its port), a SQLSTATE-like word `%e`, a bare number `%p`, then `%l`;
    /// other text is kept literally. A time, pid or number is never kept literally (a busy log
    /// samples lines of one second, whose time would then match nothing later): text with a
    /// time that no escape writes (`Feb 11 13:15:42`, syslog's) gives no prefix.
    public static func inferPrefixes(_ lines: [[UInt8]]) -> [String] {
        var result: [String] = []
        var seenShapes = Set<String>()
        let severity = try! Regex("^(.*?)(?:" + PostgresPrefixPattern.severities + "): +")
        let match = MatchData(for: severity)
        for line in lines.prefix(500) {
            let prefix: String? = line.withUnsafeBytes { raw in
                guard match.match(severity, raw) == .matched, let r = match.range(1) else { return nil }
                return String(decoding: UnsafeRawBufferPointer(rebasing: raw[r]), as: UTF8.self)
            }
            guard let prefix, let inferred = infer(prefix), seenShapes.insert(inferred).inserted else { continue }
            result.append(inferred)
            if result.count >= 4 { break }
        }
        return result
    }

    static func infer(_ text: String) -> String? {
        let s = Array(text.utf8)
        var out = ""
        var i = 0
        func isDigit(_ k: Int) -> Bool { k < s.count && s[k] >= 48 && s[k] <= 57 }
        func digitsRun(_ k: Int) -> Int { var j = k; while isDigit(j) { j += 1 }; return j - k }
        while i < s.count {
            // timestamp
            if digitsRun(i) == 4, i + 19 <= s.count, s[i + 4] == UInt8(ascii: "-"), s[i + 10] == UInt8(ascii: " ") || s[i + 10] == UInt8(ascii: "T") {
                var j = i + 19
                var millis = false
                if j < s.count, s[j] == UInt8(ascii: ".") { millis = true; j += 1; while isDigit(j) { j += 1 } }
                if j < s.count, s[j] == UInt8(ascii: " ") {
                    var k = j + 1
                    while k < s.count, (s[k] >= 65 && s[k] <= 90) || s[k] == UInt8(ascii: "+") || s[k] == UInt8(ascii: "-") || isDigit(k) { k += 1 }
                    if k > j + 1 { j = k }
                } else if j < s.count, s[j] == UInt8(ascii: "Z") {
                    j += 1
                } else if j < s.count, s[j] == UInt8(ascii: "+") || s[j] == UInt8(ascii: "-"), digitsRun(j + 1) == 2 {
                    // `+01`, `+0100`, `+01:00` glued to the time.
                    j += 3
                    if j < s.count, s[j] == UInt8(ascii: ":"), digitsRun(j + 1) == 2 { j += 3 } else if digitsRun(j) == 2 { j += 2 }
                }
                out += millis ? "%m" : "%t"
                i = j
                continue
            }
            // A time of day outside a timestamp above (syslog's `Feb 11 13:15:42`): no escape.
            if digitsRun(i) == 2, i + 8 <= s.count, s[i + 2] == UInt8(ascii: ":"), digitsRun(i + 3) == 2, s[i + 5] == UInt8(ascii: ":") {
                return nil
            }
            if digitsRun(i) >= 9, i + digitsRun(i) < s.count, s[i + digitsRun(i)] == UInt8(ascii: "."), out.isEmpty {
                var j = i + digitsRun(i) + 1
                while isDigit(j) { j += 1 }
                out += "%n"
                i = j
                continue
            }
            if s[i] == UInt8(ascii: "[") || s[i] == UInt8(ascii: "<") || s[i] == UInt8(ascii: "("), digitsRun(i + 1) > 0 {
                let j = i + 1 + digitsRun(i + 1)
                let close: UInt8 = s[i] == UInt8(ascii: "[") ? UInt8(ascii: "]") : (s[i] == UInt8(ascii: "<") ? UInt8(ascii: ">") : UInt8(ascii: ")"))
                if j < s.count, s[j] == close {
                    out += String(decoding: [s[i]], as: UTF8.self) + (out.contains("%p") ? "%l" : "%p") + String(decoding: [close], as: UTF8.self)
                    i = j + 1
                    continue
                }
                if j < s.count, s[j] == UInt8(ascii: "-"), digitsRun(j + 1) > 0, j + 1 + digitsRun(j + 1) < s.count, s[j + 1 + digitsRun(j + 1)] == UInt8(ascii: "]") {
                    out += "[%l-1]"
                    i = j + 2 + digitsRun(j + 1)
                    continue
                }
            }
            // key=value
            if (s[i] >= 97 && s[i] <= 122) || s[i] == UInt8(ascii: "_") {
                var j = i
                while j < s.count, (s[j] >= 97 && s[j] <= 122) || s[j] == UInt8(ascii: "_") { j += 1 }
                if j < s.count, s[j] == UInt8(ascii: "=") {
                    let key = String(decoding: s[i..<j], as: UTF8.self)
                    var k = j + 1
                    while k < s.count, s[k] != UInt8(ascii: ","), s[k] != UInt8(ascii: " ") { k += 1 }
                    let escape: String?
                    switch key {
                    case "user", "usr", "u", "username", "user_name": escape = "%u"
                    case "db", "database", "dbname", "d": escape = "%d"
                    case "app", "appli", "application", "application_name", "a": escape = "%a"
                    case "client", "host", "remote", "h", "clienthost", "remote_host", "client_addr":
                        escape = s[(j + 1)..<k].contains(UInt8(ascii: "(")) ? "%r" : "%h"
                    case "pid": escape = "%p"
                    case "session", "sessid", "sess", "session_id", "sid": escape = "%c"
                    case "xid", "tx", "txid": escape = "%x"
                    case "vxid": escape = "%v"
                    case "sqlstate", "state", "e", "code": escape = "%e"
                    case "queryid", "query_id": escape = "%Q"
                    case "type", "backend", "backend_type": escape = "%b"
                    default: escape = nil
                    }
                    if let escape {
                        out += key + "=" + escape
                        i = k
                        continue
                    }
                }
            }
            // user@db
            if s[i] != UInt8(ascii: " ") && s[i] != UInt8(ascii: "[") && s[i] != UInt8(ascii: ":") {
                var j = i
                while j < s.count, s[j] != UInt8(ascii: " "), s[j] != UInt8(ascii: "@"), s[j] != UInt8(ascii: ":") { j += 1 }
                if j < s.count, s[j] == UInt8(ascii: "@") {
                    var k = j + 1
                    while k < s.count, s[k] != UInt8(ascii: " "), s[k] != UInt8(ascii: ":") { k += 1 }
                    out += "%u@%d"
                    i = k
                    continue
                }
            }
            // `%c`, the session id: hex start time `.` hex pid (`66a1b2c3.1f`).
            if i == 0 || !isWordByte(s[i - 1]) {
                func hexRun(_ k: Int) -> Int {
                    var j = k
                    while j < s.count, isDigit(j) || (s[j] >= 97 && s[j] <= 102) { j += 1 }
                    return j - k
                }
                let head = hexRun(i)
                if head >= 6, i + head < s.count, s[i + head] == UInt8(ascii: "."), hexRun(i + head + 1) > 0 {
                    let j = i + head + 1 + hexRun(i + head + 1)
                    if j == s.count || !isWordByte(s[j]) {
                        out += "%c"
                        i = j
                        continue
                    }
                }
            }
            // An IPv4 address standing alone: `%h`, or `%r` with its `(port)`.
            if isDigit(i), i == 0 || !isWordByte(s[i - 1]) {
                var j = i
                var parts = 0
                while parts < 4, (1...3).contains(digitsRun(j)) {
                    j += digitsRun(j)
                    parts += 1
                    if parts < 4 { guard j < s.count, s[j] == UInt8(ascii: "."), isDigit(j + 1) else { break }; j += 1 }
                }
                if parts == 4, j == s.count || !isWordByte(s[j]) {
                    if j < s.count, s[j] == UInt8(ascii: "("), isDigit(j + 1), j + 1 + digitsRun(j + 1) < s.count,
                       s[j + 1 + digitsRun(j + 1)] == UInt8(ascii: ")") {
                        out += "%r"
                        i = j + 2 + digitsRun(j + 1)
                    } else {
                        out += "%h"
                        i = j
                    }
                    continue
                }
            }
            // `%e`, a SQLSTATE standing alone: five digits or capitals, at least two digits, and
            // a capital or all zeros (`40P01`, `00000`), which no pid is.
            if i == 0 || !isWordByte(s[i - 1]), i + 5 <= s.count, i + 5 == s.count || !isWordByte(s[i + 5]),
               s[i..<(i + 5)].allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) }),
               s[i..<(i + 5)].filter({ $0 >= 48 && $0 <= 57 }).count >= 2,
               s[i..<(i + 5)].contains(where: { $0 >= 65 }) || s[i..<(i + 5)].allSatisfy({ $0 == 48 }) {
                out += "%e"
                i += 5
                continue
            }
            // A number standing alone (not part of a word, nor of a name such as `web-1`): the
            // pid first, then a line number.
            if isDigit(i), i == 0 || !isWordByte(s[i - 1]),
               !(i >= 2 && s[i - 1] == UInt8(ascii: "-") && isWordByte(s[i - 2]) && !isDigit(i - 2)) {
                let j = i + digitsRun(i)
                if j == s.count || !isWordByte(s[j]) {
                    out += out.contains("%p") ? "%l" : "%p"
                    i = j
                    continue
                }
            }
            // A word: kept whole (digits inside it are part of a name such as `pg15`).
            if isWordByte(s[i]) {
                var j = i
                while j < s.count, isWordByte(s[j]) { j += 1 }
                out += String(decoding: s[i..<j], as: UTF8.self)
                i = j
                continue
            }
            if s[i] == UInt8(ascii: "%") { out += "%%" } else { out += String(decoding: [s[i]], as: UTF8.self) }
            i += 1
        }
        return out
    }

    /// Letters, digits, `_` and bytes of multi-byte UTF-8 characters.
    static func isWordByte(_ c: UInt8) -> Bool {
        (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == UInt8(ascii: "_") || c >= 0x80
    }
}

/// Severity of a PostgreSQL message, including the secondary lines that belong to the message
/// before them (DETAIL, HINT, CONTEXT, STATEMENT, QUERY, LOCATION).
public enum PostgresSeverity: UInt8, Sendable {
    case unknown, debug, info, notice, warning, log, error, fatal, panic
    case detail, hint, context, statement, query, location

    /// A line that continues the previous message rather than starting one.
    public var isSecondary: Bool { rawValue >= PostgresSeverity.detail.rawValue }
    public var isError: Bool { self == .error || self == .fatal || self == .panic }

    /// Reads `LOG`, `ERROR`, `DEBUG2`… (also `WARN`, `ERR`), any case.
    @inline(__always)
    public static func read(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> PostgresSeverity {
        let n = range.count
        guard n >= 3 else { return .unknown }
        var key: UInt64 = 0
        for i in range.prefix(8) { key = key << 8 | UInt64(bytes[i] & 0xDF) }
        switch n {
        case 3: return key == 0x4C4F47 ? .log : (key == 0x455252 ? .error : .unknown)
        case 4: return key == 0x494E464F ? .info : (key == 0x48494E54 ? .hint : (key == 0x5741524E ? .warning : .unknown))
        case 5:
            if key == 0x4552524F52 { return .error }
            if key == 0x464154414C { return .fatal }
            if key == 0x50414E4943 { return .panic }
            if key == 0x5155455259 { return .query }
            if key == 0x4445425547 { return .debug }
            return .unknown
        case 6:
            if key == 0x4E4F54494345 { return .notice }
            if key == 0x44455441494C { return .detail }
            if bytes[range.lowerBound] & 0xDF == UInt8(ascii: "D") { return .debug }  // DEBUG1-5
            return .unknown
        case 7:
            if key == 0x5741524E494E47 { return .warning }
            if key == 0x434F4E54455854 { return .context }
            return .unknown
        case 8: return key == 0x4C4F434154494F4E ? .location : .unknown
        case 9: return key == 0x53544154454D454E ? .statement : .unknown
        default: return .unknown
        }
    }
}

/// The fields of one message header, as byte ranges of the line (or of the processor's buffer).
public struct PostgresHeader {
    public var time: Int64?
    /// Process id, -1 when the format has none.
    public var pid: Int = -1
    public var user: Range<Int>?
    public var database: Range<Int>?
    public var host: Range<Int>?
    public var application: Range<Int>?
    public var sqlstate: Range<Int>?
    public var severity: PostgresSeverity = .unknown
    /// The message after `SEVERITY:  `.
    public var message: Range<Int> = 0..<0
    /// The line has a time but an impossible one (31 February, 25:61, `+9999`, year 0): it is
    /// no event, but unmatched and sampled.
    public var timeUnreadable = false
    public init() {}
}

/// A `log_line_prefix` translated into a PCRE2 pattern that also takes the severity, compiled
/// once and shared by all workers.
///
/// Escapes: `%a` application, `%u` user, `%d` database, `%r` host(port), `%h` host, `%b` backend
/// type, `%p` pid, `%P` leader pid, `%t`/`%m`/`%s` timestamps (with optional zone), `%n` epoch,
/// `%i` command tag, `%e` SQLSTATE, `%c` session id, `%l` line number, `%v` vxid, `%x` xid,
/// `%Q` query id, `%%`; `%q` makes the rest of the prefix optional (non-session processes stop
/// there); a padding width (`%-10u`) is allowed. The prefix need not contain a time or pid.
public final class PostgresPrefixPattern: Sendable {
    public static let severities =
        "LOG|ERROR|FATAL|PANIC|WARNING|NOTICE|INFO|DEBUG[1-5]?|DETAIL|HINT|CONTEXT|STATEMENT|QUERY|LOCATION"
    static let timePattern = "\\d{4}-\\d\\d-\\d\\d[ T]\\d\\d:\\d\\d:\\d\\d(?:\\.\\d+)?(?: ?(?:[A-Za-z][A-Za-z0-9_/+-]{0,30}|[+-]\\d\\d(?::?\\d\\d)?))?"

    public let prefix: String
    public let regex: Regex
    let timeGroup: Int?, epochGroup: Int?, pidGroup: Int?, userGroup: Int?, databaseGroup: Int?
    let hostGroup: Int?, applicationGroup: Int?, sqlstateGroup: Int?, severityGroup: Int

    public init(prefix: String) throws(PCRE2Error) {
        self.prefix = prefix
        var pattern = "^"
        var used = Set<Character>()
        var optionalOpen = false
        var chars = Array(prefix)
        // A prefix ending in a space or not: the severity may follow after any whitespace.
        while let last = chars.last, last == " " { chars.removeLast() }
        var i = 0
        func capture(_ role: Character, _ name: String, _ body: String) -> String {
            if used.insert(role).inserted { return "(?<\(name)>\(body))" }
            return "(?:\(body))"
        }
        while i < chars.count {
            let c = chars[i]
            if c != "%" || i + 1 >= chars.count {
                pattern += PostgresPrefixPattern.escape(c)
                i += 1
                continue
            }
            i += 1
            var padded = false
            if chars[i] == "-" || chars[i].isNumber {
                padded = true
                if chars[i] == "-" { i += 1 }
                while i < chars.count, chars[i].isNumber { i += 1 }
                guard i < chars.count else { break }
            }
            let e = chars[i]
            i += 1
            var piece: String
            switch e {
            case "a": piece = capture("a", "app", ".*?")
            case "u": piece = capture("u", "user", ".*?")
            case "d": piece = capture("d", "db", ".*?")
            case "b": piece = ".*?"
            case "r": piece = capture("h", "host", "[^\\s(]*?") + "(?:\\(\\d*\\))?"
            case "h": piece = capture("h", "host", ".*?")
            case "p": piece = capture("p", "pid", "\\d+")
            case "P": piece = "\\d*"
            case "t", "m": piece = capture("t", "time", PostgresPrefixPattern.timePattern)
            case "s": piece = "(?:" + PostgresPrefixPattern.timePattern + ")"
            case "n": piece = capture("n", "epoch", "\\d+(?:\\.\\d+)?")
            case "i": piece = ".*?"
            case "e": piece = capture("e", "sqlstate", "[0-9A-Z]{5}")
            case "c": piece = "[0-9a-f]+\\.[0-9a-f]+"
            case "l": piece = "\\d+"
            case "v": piece = "[0-9/-]*"
            case "x": piece = "\\d*"
            case "Q": piece = "-?\\d*"
            case "%": piece = "%"
            case "q":
                if !optionalOpen { pattern += "(?:"; optionalOpen = true }
                continue
            default: piece = PostgresPrefixPattern.escape("%") + PostgresPrefixPattern.escape(e)
            }
            pattern += padded ? " *" + piece + " *" : piece
        }
        if optionalOpen { pattern += ")?" }
        pattern += "\\s*(?<severity>" + PostgresPrefixPattern.severities + "): +"
        let regex = try Regex(pattern)
        self.regex = regex
        func group(_ name: String) -> Int? { regex.namedGroups.first { $0.name == name }?.group }
        timeGroup = group("time"); epochGroup = group("epoch"); pidGroup = group("pid")
        userGroup = group("user"); databaseGroup = group("db"); hostGroup = group("host")
        applicationGroup = group("app"); sqlstateGroup = group("sqlstate"); severityGroup = group("severity")!
    }

    static func escape(_ c: Character) -> String {
        "\\^$.|?*+()[]{}/".contains(c) ? "\\" + String(c) : (c == "\t" ? "\\t" : String(c))
    }
}

/// Matches stderr lines against a prefix pattern. One per worker: it owns the match data.
public final class PostgresStderrParser {
    public let pattern: PostgresPrefixPattern
    let matchData: MatchData
    var zoneCache = PostgresTime.ZoneCache()

    public init(pattern: PostgresPrefixPattern) {
        self.pattern = pattern
        self.matchData = MatchData(for: pattern.regex)
    }

    /// The ambiguous and unknown zone abbreviations of the lines parsed since the last call.
    public func takeDoubtfulAbbreviations() -> [AbbreviationUse] { zoneCache.takeDoubtful() }

    /// Matches a header line; on success fills `header` with ranges of `line`.
    @inline(__always)
    public func parse(_ line: UnsafeRawBufferPointer, zone: inout ZoneRule, into header: inout PostgresHeader) -> MatchOutcome {
        let outcome = matchData.match(pattern.regex, line)
        guard outcome == .matched else { return outcome }
        header = PostgresHeader()
        let p = pattern
        if let g = p.timeGroup, let r = matchData.range(g) {
            header.time = PostgresTime.parse(line, r, zone: &zone, cache: &zoneCache)
            header.timeUnreadable = header.time == nil
        } else if let g = p.epochGroup, let r = matchData.range(g), let v = ByteParsing.decimal(line, r) {
            // `decimal` stays below 10^18 in magnitude: the conversion cannot trap.
            header.time = ByteParsing.epochRange.contains(Int64(v)) ? Int64(v) : nil
            header.timeUnreadable = header.time == nil
        }
        if let g = p.pidGroup, let r = matchData.range(g) { header.pid = ByteParsing.integer(line, r) ?? -1 }
        if let g = p.userGroup { header.user = matchData.range(g) }
        if let g = p.databaseGroup { header.database = matchData.range(g) }
        if let g = p.hostGroup { header.host = matchData.range(g) }
        if let g = p.applicationGroup { header.application = matchData.range(g) }
        if let g = p.sqlstateGroup { header.sqlstate = matchData.range(g) }
        if let r = matchData.range(p.severityGroup) { header.severity = PostgresSeverity.read(line, r) }
        header.message = (matchData.range(0)?.upperBound ?? 0)..<line.count
        return .matched
    }
}

/// Reads syslog-wrapped lines: the syslog header (`Feb 11 13:15:39 host postgres[10819]: [7-1] `
/// or an ISO 8601 time instead of the BSD one), then either the prefix and severity (part 1) or a
/// continuation part. One per worker: it owns the match data.
public final class PostgresSyslogParser {
    public enum Line: Equatable {
        /// A message start; `header` ranges are in `line`.
        case header
        /// Part 2… of a message that is text: its text, and whether it starts a new line
        /// (`#011` = tab) rather than continuing a line that syslog split at its length limit
        /// (PostgreSQL cuts before a space, which the next part keeps: joined as is). A later
        /// part carrying the prefix and DETAIL/HINT/CONTEXT/STATEMENT/QUERY is a `.header`.
        case continuation(text: Range<Int>, newLine: Bool)
        case noMatch
        case limitExceeded
    }

    static let headerPattern = try! Regex(
        "^(?:(?<bsd>[A-Z][a-z]{2} +\\d{1,2} \\d\\d:\\d\\d:\\d\\d)|(?<iso>\\d{4}-\\d\\d-\\d\\dT[0-9:.]+(?:Z|[+-]\\d\\d:?\\d\\d)?)) "
        + "\\S+ [^\\s\\[]+\\[(?<pid>\\d+)\\]: \\[\\d+-(?<part>\\d+)\\] ")
    public let inner: PostgresStderrParser
    let match = MatchData(for: PostgresSyslogParser.headerPattern)
    let bsd: Int, iso: Int, pid: Int, part: Int
    var zoneCache = PostgresTime.ZoneCache()
    /// Places BSD syslog times (they carry no year) at most a day after its reference (now, by
    /// default), as for application syslog.
    public var yearlessTime: YearlessTime

    public init(pattern: PostgresPrefixPattern, referenceTime: Int64? = nil) {
        inner = PostgresStderrParser(pattern: pattern)
        func group(_ name: String) -> Int { PostgresSyslogParser.headerPattern.namedGroups.first { $0.name == name }!.group }
        bsd = group("bsd"); iso = group("iso"); pid = group("pid"); part = group("part")
        yearlessTime = YearlessTime(reference: referenceTime)
    }

    /// The text after the syslog header of the first part of each syslog line among `lines`.
    static func bodies(_ lines: [[UInt8]]) -> [[UInt8]] {
        let match = MatchData(for: headerPattern)
        var result: [[UInt8]] = []
        for line in lines {
            line.withUnsafeBytes { raw in
                guard match.match(headerPattern, raw) == .matched, let end = match.range(0)?.upperBound else { return }
                result.append(Array(raw[end...]))
            }
        }
        return result
    }

    @inline(__always)
    public func parse(_ line: UnsafeRawBufferPointer, zone: inout ZoneRule, into header: inout PostgresHeader) -> Line {
        switch match.match(PostgresSyslogParser.headerPattern, line) {
        case .matched: break
        case .limitExceeded: return .limitExceeded
        default: return .noMatch
        }
        guard let end = match.range(0)?.upperBound else { return .noMatch }
        // Part 2… (`[7-2]`): PostgreSQL sends a message with its DETAIL/HINT/CONTEXT/STATEMENT
        // lines to syslog as one sequence number, split at each newline. A line of the message
        // text starts with the tab PostgreSQL indents it with (`#011`); a DETAIL… line starts
        // with the prefix again and is read below like a header; anything else is the rest of
        // a line cut at syslog's length limit.
        let isLaterPart: Bool
        if let r = match.range(part), !(r.count == 1 && line[r.lowerBound] == UInt8(ascii: "1")) {
            if end + 4 <= line.count, line[end] == UInt8(ascii: "#"), line[end + 1] == UInt8(ascii: "0"),
               line[end + 2] == UInt8(ascii: "1"), line[end + 3] == UInt8(ascii: "1") {
                return .continuation(text: (end + 4)..<line.count, newLine: true)
            }
            isLaterPart = true
        } else {
            isLaterPart = false
        }
        let body = UnsafeRawBufferPointer(rebasing: line[end...])
        var time: Int64? = nil
        var syslogTimeUnreadable = false
        if let r = match.range(bsd), let m = ByteParsing.month(line[r.lowerBound], line[r.lowerBound + 1], line[r.lowerBound + 2]) {
            var i = r.lowerBound + 3
            while line[i] == 32 { i += 1 }
            var day = 0
            while line[i] != 32 { day = day * 10 + Int(line[i] - 48); i += 1 }
            i += 1
            if let hh = ByteParsing.digits(line, i, 2), let mm = ByteParsing.digits(line, i + 3, 2), let ss = ByteParsing.digits(line, i + 6, 2),
               hh < 24, mm < 60, ss <= 60 {
                time = yearlessTime.epoch(month: m, day: day, secondsOfDay: hh * 3600 + mm * 60 + ss, zone: &zone)
            }
            syslogTimeUnreadable = time == nil
        } else if let r = match.range(iso) {
            time = ByteParsing.iso8601(line, r, defaultOffset: 0)
            syslogTimeUnreadable = time == nil
        }
        let syslogPid = match.range(pid).flatMap { ByteParsing.integer(line, $0) } ?? -1
        switch inner.parse(body, zone: &zone, into: &header) {
        case .matched:
            if isLaterPart && !header.severity.isSecondary { return .continuation(text: end..<line.count, newLine: false) }
        case .limitExceeded: return .limitExceeded
        default:
            if isLaterPart { return .continuation(text: end..<line.count, newLine: false) }
            return .noMatch
        }
        // Ranges of the body, moved to the line's coordinates.
        func shift(_ r: Range<Int>?) -> Range<Int>? { r.map { ($0.lowerBound + end)..<($0.upperBound + end) } }
        header.user = shift(header.user)
        header.database = shift(header.database)
        header.host = shift(header.host)
        header.application = shift(header.application)
        header.sqlstate = shift(header.sqlstate)
        header.message = shift(header.message)!
        if header.time == nil && !header.timeUnreadable {
            header.time = time
            header.timeUnreadable = syslogTimeUnreadable
        }
        if header.pid < 0 { header.pid = syslogPid }
        return .header
    }
}

/// PostgreSQL timestamps: `2024-06-27 00:00:07 CEST`, `2024-06-27 00:00:07.369 +05`,
/// `2020-05-02T13:00:20.382318Z`, or without zone (read with the input's `ZoneRule`). Nil for an
/// impossible date, time or offset.
public enum PostgresTime {
    /// The last zone abbreviation seen and its offset, so a line costs a compare, not a lookup;
    /// and the lines stamped with ambiguous or unknown abbreviations, for a warning.
    public struct ZoneCache: Sendable {
        var key: UInt64 = 0
        var offset: Int? = nil
        var current: AbbreviationUse? = nil
        var doubtful: [AbbreviationUse] = []
        public init() {}

        /// The ambiguous and unknown abbreviations read since the last call, with line counts.
        public mutating func takeDoubtful() -> [AbbreviationUse] {
            settle()
            defer { doubtful = [] }
            return doubtful
        }

        mutating func settle() {
            if let use = current, use.lines > 0 { AbbreviationUse.merge([use], into: &doubtful) }
            current?.lines = 0
        }
    }

    @inline(__always)
    public static func parse(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, zone: inout ZoneRule,
                             cache: inout ZoneCache) -> Int64? {
        let s = range.lowerBound
        guard range.count >= 19 else { return nil }
        var i = s + 19
        if i < range.upperBound, bytes[i] == UInt8(ascii: ".") {
            i += 1
            while i < range.upperBound, bytes[i] >= 48, bytes[i] <= 57 { i += 1 }
        }
        guard let naive = ByteParsing.iso8601(bytes, s..<i, defaultOffset: 0) else { return nil }
        var j = i
        if j < range.upperBound, bytes[j] == UInt8(ascii: " ") { j += 1 }
        guard j < range.upperBound else { return zone.epoch(fromNaive: naive) }
        let z = bytes[j]
        if z == UInt8(ascii: "Z") { return naive }
        if z == UInt8(ascii: "+") || z == UInt8(ascii: "-") {
            // A written offset must be possible: `+9999` makes the time unreadable.
            guard let offset = ZoneRule.offset(bytes, j..<range.upperBound) else { return nil }
            return ByteParsing.epoch(naive: naive, offset: offset)
        }
        // A zone name: looked up once per distinct name (the `--tz` zone's own first).
        var key: UInt64 = 0
        let n = range.upperBound - j
        for k in j..<min(range.upperBound, j + 8) { key = key << 8 | UInt64(bytes[k]) }
        if key != cache.key || n > 8 {
            cache.settle()
            cache.key = key
            let name = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[j..<range.upperBound]), as: UTF8.self)
            let (offset, reading) = zone.read(abbreviation: name)
            cache.offset = offset
            cache.current = reading == .ambiguous || reading == .unknown
                ? AbbreviationUse(abbreviation: name, reading: reading, offset: offset, lines: 0) : nil
        }
        if cache.current != nil { cache.current!.lines &+= 1 }
        if let offset = cache.offset { return ByteParsing.epoch(naive: naive, offset: offset) }
        return zone.epoch(fromNaive: naive)
    }
}

/// csvlog records: field splitting and the quote state that tells whether a record goes on.
public enum PostgresCSV {
    /// Column numbers of csvlog (PostgreSQL 9.0+; later versions add columns at the end).
    public enum Column {
        public static let time = 0, user = 1, database = 2, pid = 3, host = 4, severity = 11, sqlstate = 12
        public static let message = 13, detail = 14, hint = 15, internalQuery = 16, context = 18
        public static let query = 19, application = 22
    }

    /// `2024-06-27 00:00:07.369 CEST,` at the start of a line.
    public static func looksLikeRecordStart(_ line: [UInt8]) -> Bool {
        line.withUnsafeBytes { looksLikeRecordStart($0) }
    }

    @inline(__always)
    public static func looksLikeRecordStart(_ b: UnsafeRawBufferPointer) -> Bool {
        var s = 0
        if b.count > 0, b[0] == UInt8(ascii: "\"") { s = 1 }
        guard b.count > s + 20, b[s + 4] == UInt8(ascii: "-"), b[s + 7] == UInt8(ascii: "-"), b[s + 10] == UInt8(ascii: " "),
              b[s + 13] == UInt8(ascii: ":"), b[s] >= 48, b[s] <= 57 else { return false }
        var i = s + 19
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            while i < b.count, b[i] >= 48, b[i] <= 57 { i += 1 }
        }
        // csvlog writes the time with its zone (`… 12:00:00.123 UTC`), then the user name field,
        // quoted or empty. `2015-07-29 17:41:44,747 - INFO …` (a Python log line) is not a record.
        guard i < b.count, b[i] == UInt8(ascii: " ") else { return false }
        i += 1
        let zoneStart = i
        while i < b.count, i < s + 64, b[i] != UInt8(ascii: ","), b[i] != UInt8(ascii: "\""), b[i] != UInt8(ascii: " ") { i += 1 }
        guard i > zoneStart else { return false }
        if s == 1 { guard i < b.count, b[i] == UInt8(ascii: "\"") else { return false }; i += 1 }
        guard i + 1 < b.count, b[i] == UInt8(ascii: ",") else { return false }
        return b[i + 1] == UInt8(ascii: "\"") || b[i + 1] == UInt8(ascii: ",")
    }

    /// Whether a record is still inside a quoted field after `line`, given the state before it.
    public static func quoteParity(_ line: [UInt8], open: Bool) -> Bool {
        line.withUnsafeBytes { quoteParity($0, open: open) }
    }

    @inline(__always)
    public static func quoteParity(_ b: UnsafeRawBufferPointer, open: Bool) -> Bool {
        var open = open
        for c in b where c == UInt8(ascii: "\"") { open.toggle() }
        return open
    }

    /// Splits a complete record into at most `fields.count` field ranges (quotes included; see
    /// `unquote`). Returns the number of fields.
    @inline(__always)
    public static func split(_ b: UnsafeRawBufferPointer, _ range: Range<Int>, into fields: UnsafeMutableBufferPointer<Range<Int>>) -> Int {
        var count = 0
        var i = range.lowerBound
        var start = i
        var quoted = false
        while i < range.upperBound {
            let c = b[i]
            if c == UInt8(ascii: "\"") { quoted.toggle() } else if c == UInt8(ascii: ","), !quoted {
                if count < fields.count { fields[count] = start..<i }
                count += 1
                start = i + 1
            }
            i += 1
        }
        if count < fields.count { fields[count] = start..<range.upperBound }
        return min(count + 1, fields.count)
    }

    /// Copies a field's value without its quotes, `""` read as `"`; returns bytes written.
    @inline(__always)
    public static func unquote(_ b: UnsafeRawBufferPointer, _ range: Range<Int>, into out: UnsafeMutablePointer<UInt8>, capacity: Int) -> Int {
        var i = range.lowerBound
        var end = range.upperBound
        if range.count >= 2, b[i] == UInt8(ascii: "\""), b[end - 1] == UInt8(ascii: "\"") { i += 1; end -= 1 }
        var n = 0
        while i < end, n < capacity {
            let c = b[i]
            out[n] = c
            n += 1
            i += (c == UInt8(ascii: "\"") && i + 1 < end && b[i + 1] == UInt8(ascii: "\"")) ? 2 : 1
        }
        return n
    }
}

/// A minimal JSON reader for one log object per line: it visits every `"key": value` pair at any
/// depth (so nested wrappers such as CloudNativePG's `record` need no special case) and decodes
/// string values in place into a caller's buffer.
public enum PostgresJSON {
    /// Calls `visit(keyRange, valueRange, isString)` for each member whose value is a string or a
    /// number/literal (string ranges exclude the quotes and are still escaped). Returns false when
    /// the line is not a JSON object.
    @inline(__always)
    public static func scan(_ b: UnsafeRawBufferPointer, _ visit: (Range<Int>, Range<Int>, Bool) -> Void) -> Bool {
        var i = 0
        let n = b.count
        while i < n, b[i] == 32 || b[i] == 9 { i += 1 }
        guard i < n, b[i] == UInt8(ascii: "{") else { return false }
        i += 1
        var pendingKey: Range<Int>? = nil
        var expectKey = true
        while i < n {
            let c = b[i]
            switch c {
            case UInt8(ascii: "\""):
                let start = i + 1
                var j = start
                while j < n, b[j] != UInt8(ascii: "\"") { j += b[j] == UInt8(ascii: "\\") ? 2 : 1 }
                let r = start..<min(j, n)
                i = j + 1
                if expectKey {
                    pendingKey = r
                } else if let k = pendingKey {
                    visit(k, r, true)
                    pendingKey = nil
                }
            case UInt8(ascii: ":"):
                expectKey = false
                i += 1
            case UInt8(ascii: ","), UInt8(ascii: "{"):
                expectKey = true
                pendingKey = c == UInt8(ascii: "{") ? nil : pendingKey
                i += 1
            case UInt8(ascii: "["):
                // Arrays of scalars are skipped; objects inside are visited.
                expectKey = false
                pendingKey = nil
                i += 1
            case UInt8(ascii: "]"), UInt8(ascii: "}"), 32, 9, 13:
                i += 1
            default:
                let start = i
                while i < n, b[i] != UInt8(ascii: ","), b[i] != UInt8(ascii: "}"), b[i] != UInt8(ascii: "]"), b[i] != 32 { i += 1 }
                if !expectKey, let k = pendingKey { visit(k, start..<i, false) }
                pendingKey = nil
            }
        }
        return true
    }

    @inline(__always)
    public static func keyIs(_ b: UnsafeRawBufferPointer, _ key: Range<Int>, _ name: StaticString) -> Bool {
        guard key.count == name.utf8CodeUnitCount else { return false }
        let p = name.utf8Start
        var k = 0
        for i in key { if b[i] != p[k] { return false }; k += 1 }
        return true
    }

    /// Decodes the escaped string `range` into `out`; returns bytes written.
    @inline(__always)
    public static func unescape(_ b: UnsafeRawBufferPointer, _ range: Range<Int>, into out: UnsafeMutablePointer<UInt8>, capacity: Int) -> Int {
        var i = range.lowerBound
        var n = 0
        while i < range.upperBound, n + 4 <= capacity {
            let c = b[i]
            if c != UInt8(ascii: "\\") || i + 1 >= range.upperBound { out[n] = c; n += 1; i += 1; continue }
            let e = b[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "n"): out[n] = 10; n += 1
            case UInt8(ascii: "t"): out[n] = 9; n += 1
            case UInt8(ascii: "r"): out[n] = 13; n += 1
            case UInt8(ascii: "b"): out[n] = 8; n += 1
            case UInt8(ascii: "f"): out[n] = 12; n += 1
            case UInt8(ascii: "u"):
                var v: UInt32 = 0
                var k = 0
                while k < 4, i < range.upperBound {
                    let h = b[i]
                    let d: UInt32 = h >= 48 && h <= 57 ? UInt32(h - 48) : UInt32((h | 0x20) &- 87)
                    v = v << 4 | (d & 0xF)
                    i += 1; k += 1
                }
                if v < 0x80 { out[n] = UInt8(v); n += 1 }
                else if v < 0x800 { out[n] = UInt8(0xC0 | v >> 6); out[n + 1] = UInt8(0x80 | v & 0x3F); n += 2 }
                else { out[n] = UInt8(0xE0 | v >> 12); out[n + 1] = UInt8(0x80 | (v >> 6) & 0x3F); out[n + 2] = UInt8(0x80 | v & 0x3F); n += 3 }
            default: out[n] = e; n += 1
            }
        }
        return n
    }
}
