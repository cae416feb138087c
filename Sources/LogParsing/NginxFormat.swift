import PCRE2

/// Turns an nginx `log_format` string, as written in nginx.conf, into a `CompiledPattern` whose
/// fields are named after the variables (`status`, `request_time`, ...).
///
/// Each variable gets a regex fragment chosen by what nginx writes for it; unknown variables
/// become generic fields (a quoted string inside quotes, a run of non-spaces outside). Quoted
/// values may contain backslash escapes (`\"`, `\x22`). The pattern is anchored at the line's
/// start and not at its end, so extra fields appended by a newer config still match.
public struct NginxFormat: Sendable {
    public let name: String
    public let logFormat: String

    public init(name: String, logFormat: String) {
        self.name = name
        self.logFormat = logFormat
    }

    public static let combined = NginxFormat(
        name: "nginx-combined",
        logFormat: #"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent""#)
    public static let main = NginxFormat(
        name: "nginx-main",
        logFormat: combined.logFormat + #" "$http_x_forwarded_for""#)
    public static let combinedRequestTime = NginxFormat(
        name: "nginx-combined+request_time",
        logFormat: combined.logFormat + " $request_time")
    public static let combinedUpstream = NginxFormat(
        name: "nginx-combined+request_time+upstream",
        logFormat: combined.logFormat + " $request_time $upstream_response_time")
    public static let mainRequestTime = NginxFormat(
        name: "nginx-main+request_time",
        logFormat: main.logFormat + " $request_time")

    /// The default `log_format upstreaminfo` of the Kubernetes ingress-nginx controller: combined,
    /// then `$request_length` (an integer) before `$request_time`, the upstream's name, address
    /// list, lengths, times and statuses, and the request id.
    public static let ingressNginx = NginxFormat(
        name: "ingress-nginx",
        logFormat: combined.logFormat
            + " $request_length $request_time [$proxy_upstream_name] [$proxy_alternative_upstream_name]"
            + " $upstream_addr $upstream_response_length $upstream_response_time $upstream_status $req_id")

    /// Built-in formats, most specific first: detection prefers the first of equally good matches.
    public static let builtins: [NginxFormat] = [ingressNginx, combinedUpstream, mainRequestTime, combinedRequestTime, main, combined]

    enum Token: Equatable {
        case literal(String)
        case variable(String)
    }

    /// Splits the format into literal text and `$name` / `${name}` variables. nginx.conf quoting
    /// (a format pasted with its surrounding `'...'` pieces) is tolerated: single quotes that
    /// delimit config strings are removed.
    static func tokenize(_ format: String) -> [Token] {
        var text = format.trimmingWhitespace()
        if text.hasPrefix("log_format") {
            // `log_format name [escape=...] '...' '...';` — keep only the quoted pieces.
            var pieces: [String] = []
            var current: String? = nil
            for ch in text {
                if ch == "'" {
                    if let c = current { pieces.append(c); current = nil } else { current = "" }
                } else if current != nil {
                    current!.append(ch)
                }
            }
            text = pieces.joined()
        } else if text.hasPrefix("'") && text.hasSuffix("'") && text.count >= 2 {
            text = text.split(separator: "'", omittingEmptySubsequences: true)
                .filter { !$0.allSatisfy { $0 == " " || $0 == "\n" || $0 == "\t" } }.joined()
        }
        var tokens: [Token] = []
        var literal = ""
        let chars = Array(text.unicodeScalars)
        var i = 0
        func isNameChar(_ c: Unicode.Scalar) -> Bool {
            (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9") || c == "_"
        }
        while i < chars.count {
            let c = chars[i]
            if c == "$" && i + 1 < chars.count {
                var j = i + 1
                var name = ""
                if chars[j] == "{" {
                    j += 1
                    while j < chars.count && chars[j] != "}" { name.unicodeScalars.append(chars[j]); j += 1 }
                    j += 1
                } else {
                    while j < chars.count && isNameChar(chars[j]) { name.unicodeScalars.append(chars[j]); j += 1 }
                }
                if !name.isEmpty {
                    if !literal.isEmpty { tokens.append(.literal(literal)); literal = "" }
                    tokens.append(.variable(name))
                    i = j
                    continue
                }
            }
            literal.unicodeScalars.append(c)
            i += 1
        }
        if !literal.isEmpty { tokens.append(.literal(literal)) }
        return tokens
    }

    static let quotedValue = #"[^"\\]*(?:\\.[^"\\]*)*"#
    static let bracketValue = #"[^\]]*"#
    static let decimal = #"\d+(?:\.\d+)?"#
    /// A time nginx writes with millisecond precision (`$request_time`, `$upstream_*_time`):
    /// always with a dot, so an integer field (`$request_length`) is never read as a time.
    static let seconds = #"\d+\.\d+"#
    /// Per-upstream values when a request went to several: `, ` between servers, ` : ` between
    /// upstream groups, `-` for a server that gave none.
    static let upstreamTimes = #"(?:-|\d+\.\d+)(?:(?:, | : )(?:-|\d+\.\d+))*"#
    static let upstreamIntegers = #"(?:-|\d+)(?:(?:, | : )(?:-|\d+))*"#

    static let timeLocal = #"\d{1,2}/[A-Za-z]{3}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}"#
    static let timeISO8601 = #"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?"#
    /// Proxies that log a forwarded-for list: alone (`a, b, c`), or before the address, quoted
    /// (`"a, b" c`) or not (`a, b c`). The usual case first: no backtracking.
    static let remoteAddress = #"\S+(?:, \S+)*|"[^"]*" \S+|[^\s,]++(?:, [^\s,]++)+ \S+"#

    /// Where a variable stands: what nginx can write there depends on it.
    enum Context { case quoted, bracketed, bare }

    /// The regex fragment for one variable in its context.
    static func fragment(for variable: String, in context: Context) -> String {
        switch (context, variable) {
        case (.quoted, "status"): return #"\d{3}"#
        case (.quoted, _): return quotedValue
        case (_, "time_local"): return timeLocal
        case (_, "time_iso8601"): return timeISO8601
        case (.bracketed, _): return bracketValue
        case (.bare, "remote_addr"): return remoteAddress
        case (.bare, "msec"): return decimal
        case (.bare, "status"): return #"\d{3}"#
        case (.bare, "body_bytes_sent"), (.bare, "bytes_sent"), (.bare, "request_length"),
             (.bare, "connection"), (.bare, "connection_requests"), (.bare, "pid"):
            return #"\d+|-"#
        case (.bare, "request_time"):
            return "-|" + seconds
        case (.bare, "upstream_response_time"), (.bare, "upstream_connect_time"), (.bare, "upstream_header_time"):
            return upstreamTimes
        case (.bare, "upstream_status"), (.bare, "upstream_response_length"):
            return upstreamIntegers
        case (.bare, "upstream_addr"):
            return #"\S+(?:(?:, | : )\S+)*"#
        case (.bare, _): return #"\S*"#
        }
    }

    /// Escapes literal text for PCRE2: nginx writes literal text exactly as configured.
    static func escape(_ literal: String) -> String {
        var out = ""
        for ch in literal {
            if "\\^$.|?*+()[]{}/".contains(ch) { out.append("\\") }
            if ch == "\n" || ch == "\t" { out.append(ch == "\n" ? "\\n" : "\\t"); continue }
            out.append(ch)
        }
        return out
    }

    /// The regex text and the variable names, in group order.
    func regexSource() -> (pattern: String, variables: [String]) {
        let (pattern, variables, _) = layout()
        return (pattern, variables)
    }

    /// The regex, the variable names in group order, and the same sequence of literals and
    /// fragments for the byte scanner (`LineLayout`).
    func layout() -> (pattern: String, variables: [String], parts: [(literal: String?, fragment: String?)]) {
        let tokens = NginxFormat.tokenize(logFormat)
        var pattern = "^"
        var variables: [String] = []
        var parts: [(literal: String?, fragment: String?)] = []
        for (index, token) in tokens.enumerated() {
            switch token {
            case .literal(let text):
                pattern += NginxFormat.escape(text)
                parts.append((text, nil))
            case .variable(let name):
                var opener: Character? = nil
                if index > 0, case .literal(let previous) = tokens[index - 1] { opener = previous.last }
                let context: Context = opener == "\"" ? .quoted : opener == "[" ? .bracketed : .bare
                let fragment = NginxFormat.fragment(for: name, in: context)
                pattern += "(" + fragment + ")"
                variables.append(name)
                parts.append((nil, fragment))
            }
        }
        return (pattern, variables, parts)
    }

    public enum FormatError: Error, CustomStringConvertible {
        case noVariables(String)
        case regex(String, PCRE2Error)
        case unbalancedQuote(String, quote: Character, column: Int)
        public var description: String {
            switch self {
            case .noVariables(let f): return "nginx log_format has no $variables: \(f)"
            case .unbalancedQuote(let f, let quote, let column):
                return "nginx log_format: column \(column): this \(quote) has no closing \(quote)"
                    + " (quotes in a log_format come in pairs around a value): \(f)"
            case .regex(let f, let e): return "nginx log_format could not be compiled (\(e)): \(f)"
            }
        }
    }

    public func compile() throws(FormatError) -> CompiledPattern {
        if let (quote, column) = unbalancedQuote() { throw .unbalancedQuote(logFormat, quote: quote, column: column) }
        let (pattern, variables, parts) = layout()
        guard !variables.isEmpty else { throw .noVariables(logFormat) }
        let regex: Regex
        do { regex = try Regex(pattern) } catch { throw .regex(logFormat, error) }
        var fields: [FieldSpec] = []
        for (i, name) in variables.enumerated() {
            let type: FieldType
            switch name {
            case "status", "body_bytes_sent", "bytes_sent", "request_length": type = .int
            case "request_time", "msec": type = .float
            default: type = .string
            }
            if let existing = fields.firstIndex(where: { $0.name == name }) {
                fields[existing] = FieldSpec(name: name, type: type, groups: fields[existing].groups + [i + 1])
            } else {
                fields.append(FieldSpec(name: name, type: type, groups: [i + 1]))
            }
        }
        return CompiledPattern(source: logFormat, regex: regex, fields: fields, layout: LineLayout(parts))
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace || l == ";" { s.removeLast() }
        return String(s)
    }
}
