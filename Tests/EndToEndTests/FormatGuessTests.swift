import Foundation
import Testing

/// nginx logs in a layout no built-in has exactly: read through a guessed log_format that
/// `detect` and `report` show, instead of losing fields or falling to application text.
@Suite struct FormatGuessTests {
    static let combined = #"10.0.0.1 - - [24/Nov/2026:10:00:%02d +0000] "GET /api/items/SKU-%d HTTP/1.1" %d 5 "-" "curl/8""#

    /// `combined` + `rt=… urt=… ust=… rl=…`: 100 lines with request times 0.010…1.000 s
    /// (the i-th is i × 10 ms) and upstream times 5 ms less. Truth by construction: p50 is
    /// the value of rank 49, 0.500 s; upstream p50 0.495 s; max 1.000 s.
    @Test func trailingFieldsAreReadAsLatencies() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("timed.log")
        let lines = (1...100).map { i in
            String(format: Self.combined, i % 60, i, 200) + String(format: " rt=%.3f urt=%.3f ust=200 rl=512", Double(i) / 100, Double(i) / 100 - 0.005)
        }
        try lines.joined(separator: "\n").write(to: log, atomically: true, encoding: .utf8)
        let detect = try Harness.run(["detect", log.path])
        #expect(detect.text.contains("nginx-combined + 4 fields (rt urt ust rl)"), "\(detect.text)")
        #expect(detect.text.contains("rt=$request_time urt=$upstream_response_time"))
        let json = try Harness.run(["report", "--format", "json", log.path]).json()
        let total = try #require(json["total"] as? [String: Any])
        let latency = try #require(total["latency"] as? [String: Any], "no latency: \(total)")
        #expect(abs((latency["p50"] as? Double ?? 0) - 0.5) <= 0.005)
        #expect(latency["max"] as? Double == 1.0)
        let upstream = try #require(total["upstream_latency"] as? [String: Any])
        #expect(abs((upstream["p50"] as? Double ?? 0) - 0.495) <= 0.00495)
        let text = try Harness.run(["report", log.path]).text
        #expect(text.contains("read as --nginx-format '"), "\(text)")
    }

    /// A `$msec`-first layout is read as an nginx log (once: application text, no requests).
    @Test func msecLayoutIsReadAsAccessLog() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("msec.log")
        // 1795514400 is 2026-11-24T10:00:00Z; one request a second, every fifth a 502.
        let lines = (0..<50).map { i in
            "\(1_795_514_400 + i).250 10.0.0.\(i % 7) \"GET /x HTTP/1.1\" \(i % 5 == 0 ? 502 : 200) 17 0.0\(10 + i % 80) \"-\" \"curl\""
        }
        try lines.joined(separator: "\n").write(to: log, atomically: true, encoding: .utf8)
        let json = try Harness.run(["report", "--format", "json", log.path]).json()
        #expect((json["inputs"] as? [[String: Any]])?.first?["format"] as? String == "nginx-custom (inferred)")
        let total = try #require(json["total"] as? [String: Any])
        #expect(total["requests"] as? Int == 50)
        #expect(total["status"] as? [String: Int] == ["200": 40, "502": 10])
        #expect((json["time_range"] as? [String: String])?["first"] == "2026-11-24T10:00:00Z")
    }
}
