import Foundation
import LogsiftTestSupport
import Testing

let applicationPackageRoot: String = Corpora.packageRoot.path

/// The corpora's path, or nil (skipped, or failed under `LOGSIFT_REQUIRE_CORPORA`).
func applicationCorpora(for test: String) -> String? { Corpora.path(for: test) }

/// Rows of a CSV file (RFC 4180 quoting), header row included.
func applicationCSV(_ text: String) -> [[String]] {
    var rows: [[String]] = []
    var row: [String] = []
    var field: [UInt8] = []
    var quoted = false
    let bytes = Array(text.utf8)
    var i = 0
    while i < bytes.count {
        let c = bytes[i]
        if quoted {
            if c == 0x22 {
                if i + 1 < bytes.count && bytes[i + 1] == 0x22 { field.append(0x22); i += 1 } else { quoted = false }
            } else { field.append(c) }
        } else if c == 0x22 {
            quoted = true
        } else if c == 0x2c {
            row.append(String(decoding: field, as: UTF8.self)); field = []
        } else if c == 0x0a || c == 0x0d {
            if c == 0x0d, i + 1 < bytes.count, bytes[i + 1] == 0x0a { i += 1 }
            row.append(String(decoding: field, as: UTF8.self)); field = []
            rows.append(row); row = []
        } else {
            field.append(c)
        }
        i += 1
    }
    if !field.isEmpty || !row.isEmpty { row.append(String(decoding: field, as: UTF8.self)); rows.append(row) }
    return rows
}
