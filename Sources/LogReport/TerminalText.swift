/// Text from a log made safe for a terminal.
///
/// A log line is attacker-controlled: an `ESC ] 0 ; … BEL` in a request path retitles the
/// reader's terminal, `ESC [ 2 J` clears it, a C1 `CSI` (U+009B) does the same on terminals
/// that decode 8-bit controls, and bidi overrides (U+202E) make text read differently from
/// what it is. Every such scalar is shown as a visible escape: `\x1b`, `\x9b`, `\u{202E}`.
/// Printable text — including backslashes, which are left as they are — is unchanged, so
/// escaping twice gives the same result as escaping once.
public enum TerminalText {
    /// `s` with every control scalar escaped, newlines included.
    public static func escaped(_ s: String) -> String {
        escaped(s, keepingNewlines: false)
    }

    /// `s` with every control scalar escaped except `\n`: for a whole report, whose own line
    /// breaks must stay, as the last guard after each piece of input was escaped on its own.
    public static func escapedKeepingNewlines(_ s: String) -> String {
        escaped(s, keepingNewlines: true)
    }

    static func needsEscape(_ v: UInt32) -> Bool {
        v < 0x20 || (0x7f...0x9f).contains(v) || (0x202a...0x202e).contains(v) || (0x2066...0x2069).contains(v)
    }

    static func escaped(_ s: String, keepingNewlines: Bool) -> String {
        guard s.unicodeScalars.contains(where: { needsEscape($0.value) && !(keepingNewlines && $0 == "\n") }) else {
            return s
        }
        var out = String.UnicodeScalarView()
        for scalar in s.unicodeScalars {
            let v = scalar.value
            if !needsEscape(v) || (keepingNewlines && scalar == "\n") {
                out.append(scalar)
                continue
            }
            let text: String
            switch scalar {
            case "\t": text = "\\t"
            case "\n": text = "\\n"
            case "\r": text = "\\r"
            default:
                if v <= 0xff {
                    let hex = String(v, radix: 16)
                    text = "\\x" + (hex.count < 2 ? "0" : "") + hex
                } else {
                    text = "\\u{" + String(v, radix: 16, uppercase: true) + "}"
                }
            }
            out.append(contentsOf: text.unicodeScalars)
        }
        return String(out)
    }
}
