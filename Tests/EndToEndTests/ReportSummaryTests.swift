import Foundation
import Testing

/// The summary that opens the text report: totals and the incident runs over the runbook
/// thresholds of USE-CASES.md (5xx > 5%, critical above 10% for > 2 minutes, p95 > 5 s),
/// checked on a generated log whose every bucket is known by construction.
@Suite struct ReportSummaryTests {
    static let format = #"$remote_addr [$time_local] "$request" $status $body_bytes_sent $request_time"#

    /// 40 requests a minute from 10:00 to 10:09 (request_time 0.1 s), then 2 at 10:10.
    /// 500s: 1 at 10:01 (2.5%), 5 at 10:03, 10:04 and 10:05 (12.5%), 2 at 10:07 (exactly 5%,
    /// not over), 3 at 10:08 (7.5%); 10:09 is all 6 s requests; 10:10 has 2 of 2 failing but
    /// is under the volume floor (20: the median bucket is 40).
    static func lines() -> [String] {
        var out: [String] = []
        let failing = [1: 1, 3: 5, 4: 5, 5: 5, 7: 2, 8: 3, 10: 2]
        for minute in 0...10 {
            for k in 0..<(minute == 10 ? 2 : 40) {
                let status = k < failing[minute, default: 0] ? 500 : 200
                let time = minute == 9 ? "6.000" : "0.100"
                out.append(#"10.0.0.1 [24/Nov/2026:10:\#(minute < 10 ? "0" : "")\#(minute):\#(k < 10 ? "0" : "")\#(k) +0000] "GET /p HTTP/1.1" \#(status) 10 \#(time)"#)
            }
        }
        return out
    }

    @Test func incidentsFromRunbookThresholds() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("access.log")
        try (Self.lines().joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        let r = try Harness.run(["report", "--tz", "UTC", "--nginx-format", Self.format, file.path])
        #expect(r.status == 0, "\(r.stderr)")
        let text = r.text
        let summary = text.components(separatedBy: "\nSummary\n").last?.components(separatedBy: "\nAccess logs\n").first ?? ""
        // 402 requests; 5xx 1 + 15 + 2 + 3 + 2 = 23.
        #expect(summary.contains("  Requests 402   "), "\(summary)")
        let incidents = summary.split(separator: "\n").filter { $0.hasPrefix("    critical") || $0.hasPrefix("    warning") }.map(String.init)
        #expect(incidents.count == 3, "\(summary)")
        #expect(incidents.first == "    critical 5xx > 5%  2026-11-24 10:03 .. 10:06 (3m, peak 12.5%)  would alert")
        #expect(incidents.dropFirst().first == "    warning 5xx > 5%  2026-11-24 10:08 .. 10:09 (1m, peak 7.5%)")
        // p95 of 40 requests of 6 s, within the sketch's 1%.
        #expect(incidents.last?.hasPrefix("    warning p95 > 5s  2026-11-24 10:09 .. 10:10 (1m, peak ") == true, "\(incidents)")
        // The sections follow the summary unchanged.
        #expect(text.range(of: "\nSummary\n")!.lowerBound < text.range(of: "\nAccess logs\n")!.lowerBound)
    }
}
