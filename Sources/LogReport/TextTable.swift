/// Columns padded to their widest cell, two spaces apart, indented by two.
public enum TextTable {
    /// Every cell is escaped for the terminal (see `TerminalText`) before it is measured.
    public static func render(_ header: [String], _ rows: [[String]], leftColumns: Set<Int> = [0]) -> String {
        let header = header.map(TerminalText.escaped)
        let rows = rows.map { $0.map(TerminalText.escaped) }
        var widths = header.map(\.count)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in TextReport.pad(c, widths[i], right: !leftColumns.contains(i)) }
                .joined(separator: "  ")
        }
        var out = "  " + line(header) + "\n"
        for row in rows { out += "  " + line(row) + "\n" }
        return out
    }
}
