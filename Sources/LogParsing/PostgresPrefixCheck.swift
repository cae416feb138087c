extension PostgresFormat {
    /// The escapes `log_line_prefix` knows (PostgreSQL 10 to 17): `PostgresPrefixPattern` reads
    /// each of them.
    static let prefixEscapes: Set<Character> = [
        "a", "u", "d", "r", "h", "b", "p", "P", "t", "m", "s", "n", "i", "e", "c", "l", "v", "x", "Q", "q", "%",
    ]

    /// Why a `--pg-prefix` cannot be what PostgreSQL writes, with the column (from 1) of the
    /// escape at fault; nil when every `%` escape is one PostgreSQL knows. PostgreSQL itself
    /// writes nothing for an unknown escape, so such a prefix is almost always a typo.
    public static func prefixProblem(_ prefix: String) -> String? {
        let chars = Array(prefix)
        var i = 0
        while i < chars.count {
            guard chars[i] == "%" else { i += 1; continue }
            let column = i + 1
            var j = i + 1
            if j < chars.count, chars[j] == "-" { j += 1 }
            while j < chars.count, chars[j].isASCII, chars[j].isNumber { j += 1 }
            guard j < chars.count else {
                return "column \(column): the prefix ends in an unfinished % escape (write %% for a percent sign)"
            }
            guard prefixEscapes.contains(chars[j]) else {
                return "column \(column): %\(chars[j]) is not a log_line_prefix escape"
                    + " (known: %a %u %d %r %h %b %p %P %t %m %s %n %i %e %c %l %v %x %Q %q %%)"
            }
            i = j + 1
        }
        return nil
    }
}
