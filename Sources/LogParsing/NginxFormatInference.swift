import PCRE2

/// Guesses an nginx `log_format` from sample lines, for the two ways a custom format shows up:
/// a known format with `name=value` fields appended (`rt=0.123 urt=0.120`), and a line that is
/// plainly an access log (a quoted request line, then a status) in an order no built-in has
/// (`$time_iso8601` or `$msec` first, say). Detection only: runs on copies of the first lines,
/// never per line in steady state.
extension NginxFormat {
    /// Short names that nginx configurations commonly give to timing and upstream variables
    /// in `name=$variable` pairs, with the variable they stand for; any other name is read as
    /// a variable of its own name (`host=$host`).
    static let pairAliases: [String: String] = [
        "rt": "request_time", "request_time": "request_time",
        "urt": "upstream_response_time", "upstream_response_time": "upstream_response_time",
        "uct": "upstream_connect_time", "upstream_connect_time": "upstream_connect_time",
        "uht": "upstream_header_time", "upstream_header_time": "upstream_header_time",
        "ust": "upstream_status", "us": "upstream_status", "upstream_status": "upstream_status",
        "rl": "request_length", "request_length": "request_length",
        "ua": "upstream_addr", "upstream_addr": "upstream_addr",
    ]

    /// The fewest sample lines that must agree before a guess is made: 80% of the lines the
    /// base format matches (a few lines written before a config change may differ).
    static let agreement = 0.8

    /// `self` extended by the `name=value` fields that follow its match on most sample lines,
    /// named `<name> + N fields (a b c)`; nil when the lines have no such tail or disagree.
    public func withTrailingFields(in sample: [[UInt8]]) -> NginxFormat? {
        guard let base = try? compile() else { return nil }
        let matchData = MatchData(for: base.regex)
        // Tails by their names as written (`rt urt "host"`), with how many lines have each.
        var tails: [String: (pairs: [(name: String, quoted: Bool)], lines: Int)] = [:]
        var matched = 0
        for line in sample {
            let tail: [(name: String, quoted: Bool)]?? = line.withUnsafeBytes { raw in
                guard matchData.match(base.regex, raw) == .matched, let end = matchData.range(0)?.upperBound else { return nil }
                return .some(NginxFormat.pairs(raw, from: end))
            }
            guard let found = tail else { continue }
            matched += 1
            if let pairs = found, !pairs.isEmpty {
                let key = pairs.map { $0.quoted ? "\"\($0.name)\"" : $0.name }.joined(separator: " ")
                tails[key, default: (pairs, 0)].lines += 1
            }
        }
        // The most common tail (ties: the first name list in byte order, so the choice is stable).
        guard let (names, best) = tails.max(by: { ($0.value.lines, $1.key) < ($1.value.lines, $0.key) }),
              Double(best.lines) >= NginxFormat.agreement * Double(matched) else { return nil }
        return appending(best.pairs, names: names)
    }

    /// `self` with `name=$variable` pairs appended, named `<name> + N fields (a b "c")` after
    /// `names`, the pairs as written (quoted values as `"c"`).
    func appending(_ pairs: [(name: String, quoted: Bool)], names: String) -> NginxFormat {
        var used = Set(NginxFormat.tokenize(logFormat).compactMap { token -> String? in
            if case .variable(let name) = token { return name }
            return nil
        })
        var text = logFormat
        for pair in pairs {
            var variable = NginxFormat.pairAliases[pair.name] ?? NginxFormat.variableName(pair.name)
            while used.contains(variable) { variable += "_" }
            used.insert(variable)
            text += " \(pair.name)=" + (pair.quoted ? "\"$\(variable)\"" : "$\(variable)")
        }
        return NginxFormat(name: "\(name) + \(pairs.count) fields (\(names))", logFormat: text)
    }

    /// The format a name printed by detection stands for, when the name says all of it: a
    /// built-in name plus trailing fields (`nginx-combined + 2 fields (rt "host")`, made by
    /// `withTrailingFields(in:)`), rebuilt the same way. nil for any other name.
    public static func withTrailingFields(named name: String, bases: [NginxFormat] = builtins) -> NginxFormat? {
        guard let plus = name.firstRange(of: " + "),
              let base = bases.first(where: { $0.name == name[..<plus.lowerBound] }) else { return nil }
        let rest = name[plus.upperBound...]
        guard let open = rest.firstRange(of: " fields ("), rest.hasSuffix(")"),
              let count = Int(rest[..<open.lowerBound]), count > 0 else { return nil }
        let names = String(rest[open.upperBound..<rest.index(before: rest.endIndex)])
        let pairs = names.split(separator: " ", omittingEmptySubsequences: false).map { word -> (name: String, quoted: Bool)? in
            let quoted = word.count >= 2 && word.hasPrefix("\"") && word.hasSuffix("\"")
            let bare = quoted ? word.dropFirst().dropLast() : word
            guard !bare.isEmpty, bare.utf8.allSatisfy(isPairNameByte) else { return nil }
            return (String(bare), quoted)
        }
        guard pairs.count == count, pairs.allSatisfy({ $0 != nil }) else { return nil }
        return base.appending(pairs.map { $0! }, names: names)
    }

    /// The `name=value` pairs making up all of `line` from `start` (each after one space;
    /// values bare or double-quoted), or nil when anything else is there.
    static func pairs(_ line: UnsafeRawBufferPointer, from start: Int) -> [(name: String, quoted: Bool)]? {
        var out: [(name: String, quoted: Bool)] = []
        var i = start
        var end = line.count
        while end > i, line[end - 1] == UInt8(ascii: " ") || line[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        while i < end {
            guard line[i] == UInt8(ascii: " ") else { return nil }
            i += 1
            let nameStart = i
            while i < end, isPairNameByte(line[i]) { i += 1 }
            guard i > nameStart, i < end, line[i] == UInt8(ascii: "=") else { return nil }
            let name = String(decoding: UnsafeRawBufferPointer(rebasing: line[nameStart..<i]), as: UTF8.self)
            i += 1
            var quoted = false
            if i < end, line[i] == UInt8(ascii: "\"") {
                quoted = true
                i += 1
                while i < end, line[i] != UInt8(ascii: "\"") { i += line[i] == UInt8(ascii: "\\") ? 2 : 1 }
                guard i < end else { return nil }
                i += 1
            } else {
                while i < end, line[i] != UInt8(ascii: " ") { i += 1 }
            }
            out.append((name, quoted))
        }
        return out
    }

    static func isPairNameByte(_ b: UInt8) -> Bool {
        (b >= 97 && b <= 122) || (b >= 65 && b <= 90) || (b >= 48 && b <= 57)
            || b == UInt8(ascii: "_") || b == UInt8(ascii: "-") || b == UInt8(ascii: ".")
    }

    /// A variable name for a field name: other bytes than letters, digits and `_` become `_`.
    static func variableName(_ name: String) -> String {
        String(name.unicodeScalars.map { c -> Character in
            (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9") || c == "_" ? Character(c) : "_"
        })
    }

    /// A `log_format` read off the shape of the sample's first access-looking line: a quoted
    /// request line (`"GET /x HTTP/1.1"`) followed by a status, and a time (`$time_local`,
    /// `$time_iso8601` or `$msec`) somewhere. Named `nginx-custom (inferred)`; nil when no line
    /// has that shape or the guess matches fewer than 80% of the sample.
    public static func inferred(from sample: [[UInt8]]) -> NginxFormat? {
        for line in sample.prefix(20) {
            guard let format = inferredFormat(String(decoding: line, as: UTF8.self)) else { continue }
            let guess = NginxFormat(name: inferredName, logFormat: format)
            guard let pattern = try? guess.compile() else { return nil }
            let matchData = MatchData(for: pattern.regex)
            let hits = sample.filter { l in l.withUnsafeBytes { matchData.match(pattern.regex, $0) == .matched } }.count
            return Double(hits) >= agreement * Double(sample.count) ? guess : nil
        }
        return nil
    }

    /// The name of every layout guessed by `inferred(from:)`.
    public static let inferredName = "nginx-custom (inferred)"

    enum Piece { case quoted(String), bracketed(String), bare(String) }

    /// Splits a line at single spaces into quoted, bracketed and bare pieces; nil if it has
    /// runs of spaces or an unclosed quote or bracket (a layout we would only guess at).
    static func pieces(_ line: String) -> [Piece]? {
        var out: [Piece] = []
        var chars = Substring(line)
        while let first = chars.first {
            if first == "\"" {
                var i = chars.index(after: chars.startIndex)
                while i < chars.endIndex, chars[i] != "\"" {
                    if chars[i] == "\\" { i = chars.index(after: i); guard i < chars.endIndex else { return nil } }
                    i = chars.index(after: i)
                }
                guard i < chars.endIndex else { return nil }
                out.append(.quoted(String(chars[chars.index(after: chars.startIndex)..<i])))
                chars = chars[chars.index(after: i)...]
            } else if first == "[" {
                guard let close = chars.firstIndex(of: "]") else { return nil }
                out.append(.bracketed(String(chars[chars.index(after: chars.startIndex)..<close])))
                chars = chars[chars.index(after: close)...]
            } else {
                let end = chars.firstIndex(of: " ") ?? chars.endIndex
                out.append(.bare(String(chars[..<end])))
                chars = chars[end...]
            }
            if chars.isEmpty { break }
            guard chars.first == " " else { return nil }
            chars = chars.dropFirst()
            if chars.first == " " || chars.isEmpty { return nil }
        }
        return out
    }

    /// Shapes of values, fixed text: they always compile.
    static let requestShape = try! Regex(#"^[A-Z]+ \S+(?: HTTP/[0-9.]+)?$"#)
    static let timeLocalShape = try! Regex(#"^\d{1,2}/[A-Za-z]{3}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}$"#)
    static let isoShape = try! Regex(#"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?$"#)
    static let msecShape = try! Regex(#"^\d{9,10}\.\d{3}$"#)
    static let statusShape = try! Regex(#"^\d{3}$"#)
    static let bytesShape = try! Regex(#"^(?:\d+|-)$"#)
    static let secondsShape = try! Regex(#"^(?:\d+\.\d+|-)$"#)
    static let addressShape = try! Regex(#"^[0-9A-Fa-f.:]*[.:][0-9A-Fa-f.:]*$"#)

    static func matches(_ text: String, _ regex: Regex) -> Bool {
        let matchData = MatchData(for: regex)
        var text = text
        return text.withUTF8 { matchData.match(regex, UnsafeRawBufferPointer($0)) == .matched }
    }

    static func inferredFormat(_ line: String) -> String? {
        guard let pieces = pieces(line) else { return nil }
        var parts: [String] = []
        var seen = Set<String>()
        var hasTime = false, hasRequest = false, afterRequest = false
        var quotedAfterRequest = 0, secondsAfterStatus = 0, generic = 0
        /// `$name`, or a generic `$fieldN` when the name is taken.
        func variable(_ name: String?) -> String {
            var n = name ?? ""
            if n.isEmpty || seen.contains(n) { generic += 1; n = "field\(generic)" }
            seen.insert(n)
            return "$" + n
        }
        for piece in pieces {
            switch piece {
            case .quoted(let c):
                if !hasRequest, matches(c, requestShape) {
                    hasRequest = true
                    parts.append("\"" + variable("request") + "\"")
                } else if hasRequest {
                    quotedAfterRequest += 1
                    let known = ["http_referer", "http_user_agent", "http_x_forwarded_for"]
                    parts.append("\"" + variable(quotedAfterRequest <= known.count ? known[quotedAfterRequest - 1] : nil) + "\"")
                } else {
                    parts.append("\"" + variable(nil) + "\"")
                }
            case .bracketed(let c):
                let name: String?
                if matches(c, timeLocalShape) { name = "time_local" }
                else if matches(c, isoShape) { name = "time_iso8601" }
                else { name = nil }
                if name != nil { hasTime = true }
                parts.append("[" + variable(name) + "]")
            case .bare(let c):
                if hasRequest && !afterRequest {
                    // What follows the request line is its status, or this is no access log.
                    guard matches(c, statusShape) else { return nil }
                    afterRequest = true
                    parts.append(variable("status"))
                } else if afterRequest && !seen.contains("body_bytes_sent") && matches(c, bytesShape) {
                    parts.append(variable("body_bytes_sent"))
                } else if matches(c, isoShape) {
                    hasTime = true
                    parts.append(variable("time_iso8601"))
                } else if matches(c, msecShape) {
                    hasTime = true
                    parts.append(variable("msec"))
                } else if afterRequest && secondsAfterStatus < 2 && matches(c, secondsShape) {
                    secondsAfterStatus += 1
                    parts.append(variable(secondsAfterStatus == 1 ? "request_time" : "upstream_response_time"))
                } else if !hasRequest && !seen.contains("remote_addr") && matches(c, addressShape) {
                    parts.append(variable("remote_addr"))
                } else if parts.suffix(2) == ["$remote_addr", "-"] {
                    parts.append(variable("remote_user"))  // `$remote_addr - $remote_user`
                } else if c == "-" {
                    parts.append("-")
                } else {
                    parts.append(variable(nil))
                }
            }
        }
        guard hasRequest, afterRequest, hasTime else { return nil }
        return parts.joined(separator: " ")
    }
}
