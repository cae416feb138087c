import Testing
@testable import LogReport

@Suite struct TerminalTextTests {
    @Test func c0ControlsAndDeleteBecomeHexEscapes() {
        #expect(TerminalText.escaped("a\u{1b}[31mb\u{7}") == "a\\x1b[31mb\\x07")
        #expect(TerminalText.escaped("\u{0}\u{7f}") == "\\x00\\x7f")
        #expect(TerminalText.escaped("a\tb\r\nc") == "a\\tb\\r\\nc")
    }

    @Test func c1ControlsAndBidiOverridesAreEscaped() {
        // U+009B is CSI on terminals that decode 8-bit controls; U+202E reverses what follows.
        #expect(TerminalText.escaped("x\u{9b}2J") == "x\\x9b2J")
        #expect(TerminalText.escaped("a\u{202e}gpj.exe") == "a\\u{202E}gpj.exe")
        #expect(TerminalText.escaped("\u{2066}x\u{2069}") == "\\u{2066}x\\u{2069}")
    }

    @Test func printableTextIsUnchangedAndEscapingIsIdempotent() {
        let plain = "GET /ünïcode?q=a\\\\b 日本 200"
        #expect(TerminalText.escaped(plain) == plain)
        let once = TerminalText.escaped("/x\u{1b}]0;pwned\u{7}\u{1b}[2J")
        #expect(TerminalText.escaped(once) == once)
        #expect(!once.unicodeScalars.contains { $0.value < 0x20 })
    }

    @Test func aWholeReportKeepsItsLineBreaks() {
        #expect(TerminalText.escapedKeepingNewlines("a\u{1b}\nb\n") == "a\\x1b\nb\n")
    }
}
