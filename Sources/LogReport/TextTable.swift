/// Columns padded to their widest cell, two spaces apart, indented by two.
public enum TextTable {
    public static func render(_ header: [String], _ rows: [[String]], leftColumns: Set<Int> = [0]) -> String {
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
