/// Splits query text into tokens, each with its line and column.
struct QueryLexer {
    enum Kind: Equatable, Sendable {
        /// A name or bare word: `status`, `path`, `POST`, `error`, `http_x_forwarded_for`.
        case word(String)
        /// A number with an optional unit written against it: `500`, `2s`, `1.5MB`, `08006`.
        case number(text: String, unit: String)
        /// A double- or single-quoted string, escapes decoded.
        case string(String)
        /// An operator or punctuation: `= != < <= > >= ~ !~ ( ) , |`.
        case symbol(String)
        case end
    }

    struct Token: Equatable, Sendable {
        var kind: Kind
        var line: Int
        var column: Int
        /// The token as written, for messages.
        var text: String
    }

    static func tokens(_ source: String) throws(QueryError) -> [Token] {
        let chars = Array(source.unicodeScalars)
        var tokens: [Token] = []
        var i = 0, line = 1, lineStart = 0
        // Bare words take paths too: `path = /health`.
        func isNameStart(_ c: Unicode.Scalar) -> Bool {
            (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c == "_" || c == "@" || c == "/"
        }
        func isNameChar(_ c: Unicode.Scalar) -> Bool {
            isNameStart(c) || (c >= "0" && c <= "9") || c == "." || c == "-"
        }
        func isDigit(_ c: Unicode.Scalar) -> Bool { c >= "0" && c <= "9" }
        while i < chars.count {
            let c = chars[i]
            let column = i - lineStart + 1
            if c == "\n" { line += 1; i += 1; lineStart = i; continue }
            if c == " " || c == "\t" || c == "\r" { i += 1; continue }
            let start = i
            if c == "\"" || c == "'" {
                var value = String.UnicodeScalarView()
                i += 1
                var closed = false
                while i < chars.count {
                    let d = chars[i]
                    if d == c { closed = true; i += 1; break }
                    if d == "\\", i + 1 < chars.count {
                        let e = chars[i + 1]
                        switch e {
                        case "n": value.append("\n")
                        case "t": value.append("\t")
                        case "\\", "\"", "'": value.append(e)
                        default: value.append("\\"); value.append(e)  // kept for regexes: \d, \.
                        }
                        i += 2
                        continue
                    }
                    if d == "\n" { break }
                    value.append(d)
                    i += 1
                }
                guard closed else {
                    throw QueryError(line: line, column: column, message: "this string has no closing \(c)")
                }
                tokens.append(Token(kind: .string(String(value)), line: line, column: column,
                                    text: String(String.UnicodeScalarView(chars[start..<i]))))
                continue
            }
            if isDigit(c) || ((c == "." || c == "-") && i + 1 < chars.count && isDigit(chars[i + 1])) {
                if c == "-" { i += 1 }
                while i < chars.count, isDigit(chars[i]) || chars[i] == "." { i += 1 }
                let numberEnd = i
                // A unit, or the rest of a code that starts with digits (57P03, 1a2b).
                while i < chars.count, isNameChar(chars[i]), chars[i] != "." { i += 1 }
                let text = String(String.UnicodeScalarView(chars[start..<numberEnd]))
                let unit = String(String.UnicodeScalarView(chars[numberEnd..<i]))
                tokens.append(Token(kind: .number(text: text, unit: unit), line: line, column: column,
                                    text: text + unit))
                continue
            }
            if isNameStart(c) {
                while i < chars.count, isNameChar(chars[i]) { i += 1 }
                let word = String(String.UnicodeScalarView(chars[start..<i]))
                tokens.append(Token(kind: .word(word), line: line, column: column, text: word))
                continue
            }
            let two = i + 1 < chars.count ? String(String.UnicodeScalarView([c, chars[i + 1]])) : ""
            if ["!=", "<=", ">=", "!~", "=="].contains(two) {
                tokens.append(Token(kind: .symbol(two == "==" ? "=" : two), line: line, column: column, text: two))
                i += 2
                continue
            }
            if "=<>~(),|".unicodeScalars.contains(c) {
                tokens.append(Token(kind: .symbol(String(c)), line: line, column: column, text: String(c)))
                i += 1
                continue
            }
            throw QueryError(line: line, column: column,
                             message: "unexpected character '\(c.escaped(asASCII: true))'")
        }
        tokens.append(Token(kind: .end, line: line, column: chars.count - lineStart + 1, text: "end of query"))
        return tokens
    }
}
