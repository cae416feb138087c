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

    @Test func controlCharactersCannotReachTheTerminal() {
        #expect("a\u{1b}[31mb\u{7}".replacingControlCharacters() == "a?[31mb?")
    }

    @Test func cutKeepsWidth() {
        #expect(TextReport.cut("abcdef", 4) == "abc…")
        #expect(TextReport.cut("abc", 4) == "abc")
    }
}
