import Testing
@testable import LogReport

@Suite struct TextReportTests {
    @Test func numberFormatting() {
        #expect(TextReport.count(0) == "0")
        #expect(TextReport.count(1234567) == "1,234,567")
        #expect(TextReport.percent(0.0456) == "4.6%")
        #expect(TextReport.duration(0.0123) == "12ms")
        #expect(TextReport.duration(2.345) == "2.35s")
        #expect(TextReport.duration(nil) == "-")
        #expect(TextReport.bytes(512) == "512 B")
        #expect(TextReport.bytes(3 * 1024 * 1024) == "3.0 MiB")
    }

    @Test func tablesAlignColumns() {
        let table = TextTable.render(["name", "n"], [["a", "1"], ["long name", "12345"]])
        let lines = table.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(Set(lines.map(\.count)).count == 1)
        #expect(lines[2] == "  long name  12345")
    }

    @Test func cutEscapesBeforeItShortens() {
        #expect(TextReport.cut("/x\u{1b}]0;pwned\u{7}", 40) == "/x\\x1b]0;pwned\\x07")
        #expect(TextReport.cut("\u{1b}[2Jabc", 6) == "\\x1b[…")
    }

    @Test func tableCellsAreEscapedAndMeasuredEscaped() {
        let table = TextTable.render(["path", "n"], [["/a\u{1b}[2J", "1"], ["/bbbbbbbbbb", "2"]])
        #expect(!table.unicodeScalars.contains { $0.value == 0x1b })
        let lines = table.split(separator: "\n")
        #expect(Set(lines.map(\.count)).count == 1)
    }

    @Test func cutKeepsWidth() {
        #expect(TextReport.cut("abcdef", 4) == "abc…")
        #expect(TextReport.cut("abc", 4) == "abc")
    }
}
