import Foundation
import Testing

/// `--format markdown` on inputs whose paths, messages and file name hold every character that
/// could break a GitHub-flavoured table or its formatting. The tables are parsed here with an
/// independent GFM row splitter (a backslash escapes the next character, an unescaped `|`
/// separates cells): every row has its header's column count, no raw control byte is left,
/// and each path reads back, once unescaped, as the path in the log (control bytes shown as
/// `\x1b`), with the count the log was generated with.
@Suite struct MarkdownReportTests {
    /// Paths and how many requests each gets.
    static let paths: [(String, Int)] = [
        ("/a|b", 5), ("/code`x`", 4), ("/*star*_under_", 3), ("/<script>&amp;", 2), ("/esc\u{1b}[31mred", 1), (#"/back\|slash"#, 6),
    ]

    /// Cells of a GFM table row: split on unescaped pipes, leading and trailing pipe dropped.
    static func cells(_ line: String) -> [String] {
        var cells: [String] = []
        var current = ""
        var escaped = false
        for ch in line {
            if escaped { current.append("\\"); current.append(ch); escaped = false; continue }
            if ch == "\\" { escaped = true; continue }
            if ch == "|" { cells.append(current); current = ""; continue }
            current.append(ch)
        }
        cells.append(current)
        // `| a | b |` gives "", " a ", " b ", "".
        return Array(cells.dropFirst().dropLast()).map { $0.trimmingCharacters(in: .whitespaces) }
    }

    /// A cell's text with CommonMark backslash escapes of ASCII punctuation removed.
    static func unescaped(_ cell: String) -> String {
        var out = ""
        var escaped = false
        for ch in cell {
            if escaped { if !(ch.isASCII && ch.isPunctuation || ch.isASCII && ch.isSymbol) { out.append("\\") }; out.append(ch); escaped = false; continue }
            if ch == "\\" { escaped = true; continue }
            out.append(ch)
        }
        return out
    }

    @Test func tablesKeepTheirShapeWhateverTheInput() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var lines: [String] = []
        var k = 0
        for (path, n) in Self.paths {
            for _ in 0..<n {
                lines.append(#"10.0.0.1 - - [24/Nov/2026:10:00:\#(k < 10 ? "0" : "")\#(k) +0000] "GET \#(path) HTTP/1.1" 200 10 "-" "t""#)
                k += 1
            }
        }
        let access = dir.appendingPathComponent("we|ird`*_<b>\nname.log")
        try (lines.joined(separator: "\n") + "\n").write(to: access, atomically: true, encoding: .utf8)
        let app = dir.appendingPathComponent("app.log")
        try "2026-11-24 10:00:00 ERROR pay | fail `x` *y* _z_ <b>\u{7}\n2026-11-24 10:00:01 ERROR pay | fail `x` *y* _z_ <b>\u{7}\n"
            .write(to: app, atomically: true, encoding: .utf8)
        let r = try Harness.run(["report", "--format", "markdown", access.path, app.path])
        #expect(r.status == 0, "\(r.stderr)")
        let text = r.text
        // No control byte but the line breaks.
        #expect(!text.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" || (0x7f...0x9f).contains($0.value) })

        // Every table: header, delimiter row, body rows, all with the header's cell count.
        var tables: [[[String]]] = []
        var current: [[String]] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.hasPrefix("|") {
                #expect(line.hasSuffix("|"), "\(line)")
                current.append(Self.cells(line))
            } else if !current.isEmpty {
                tables.append(current)
                current = []
            }
        }
        if !current.isEmpty { tables.append(current) }
        #expect(tables.count >= 5)
        for table in tables {
            let width = table[0].count
            #expect(table.count >= 3)
            #expect(table[1].allSatisfy { $0 == ":--" || $0 == "--:" }, "\(table[1])")
            for row in table { #expect(row.count == width, "\(row) in table \(table[0])") }
        }

        // The top paths table holds each path as logged, with its count.
        let top = try #require(tables.first { $0[0].first == "path" && $0[0].contains("requests") })
        var found: [String: String] = [:]
        for row in top.dropFirst(2) { found[Self.unescaped(row[0])] = row[1] }
        for (path, n) in Self.paths {
            let visible = path.replacingOccurrences(of: "\u{1b}", with: #"\x1b"#)
            #expect(found[visible] == String(n), "\(visible) in \(found)")
        }
        // The file name (with its line break) and the error message read back whole.
        let inputs = try #require(tables.first { $0[0].first == "input" })
        #expect(inputs.contains { Self.unescaped($0[0]).hasSuffix(#"we|ird`*_<b>\nname.log"#) }, "\(inputs)")
        let groups = try #require(tables.first { $0[0] == ["count", "source", "level", "message"] })
        #expect(groups.count == 3)
        // The group's template masks the back-quoted value (`<*>`), as ErrorTemplate does.
        #expect(Self.unescaped(groups[2][3]) == #"pay | fail `<*>` *y* _z_ <b>\x07"#, "\(groups[2])")
        #expect(groups[2][0] == "2")
    }
}
