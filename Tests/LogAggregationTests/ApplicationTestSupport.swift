import Foundation
import Testing

/// <root>/Tests/LogAggregationTests/ApplicationTestSupport.swift -> <root>
let applicationPackageRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
}()

/// `$LOGSIFT_CORPORA`, else `../shared/corpora` next to the package. When absent: prints
/// `SKIPPED` and returns nil, or records a failure when `LOGSIFT_REQUIRE_CORPORA` is set.
func applicationCorpora(for test: String) -> String? {
    let env = ProcessInfo.processInfo.environment
    let path = env["LOGSIFT_CORPORA"].flatMap { $0.isEmpty ? nil : $0 }
        ?? URL(fileURLWithPath: applicationPackageRoot).appendingPathComponent("../shared/corpora").standardized.path
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
        if env["LOGSIFT_REQUIRE_CORPORA"] != nil {
            Issue.record("corpora required (LOGSIFT_REQUIRE_CORPORA) but not found at \(path)")
        } else {
            print("SKIPPED: \(test): corpora not found at \(path) (set LOGSIFT_CORPORA)")
        }
        return nil
    }
    return path
}

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
