import Foundation
import Testing

/// `watch --rules`: the live loop fires the same transitions, at the same event times, as a
/// replay computes by hand (the log and the expected times of
/// `RulesCommandTests.replayFiresExactlyInTheIncidents`, whose comment derives each one).
@Suite struct WatchRulesTests {
    @Test func liveRulesFireAtTheHandComputedTimes() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("access.log")
        var text = ""
        for i in 0..<1800 where !(900..<1000).contains(i) {
            let status = (600..<780).contains(i) && i % 5 == 0 ? 500 : 200
            let time = (1200..<1620).contains(i) && i % 10 == 0 ? "8.000" : "0.100"
            let clock = String(format: "%02d:%02d:%02d", 10 + i / 3600, i / 60 % 60, i % 60)
            text += "10.0.0.\(i % 7) - - [24/Nov/2026:\(clock) +0000] \"GET /api/items/\(i) HTTP/1.1\" \(status) 512 \"-\" \"curl/8.5\" \(time)\n"
        }
        try text.write(to: log, atomically: true, encoding: .utf8)
        let rules = dir.appendingPathComponent("rules.yml")
        try """
        rules:
          - alert: Errors
            expr: rate(status >= 500) > 0.1
            window: 1m
            for: 1m
            annotations: {summary: "5xx at {{ $value | percent }}"}
          - alert: Down
            expr: absent(1m)
          - alert: Slow
            expr: p95(request_time) > 5s
            window: 2m
            for: 2m
        """.write(to: rules, atomically: true, encoding: .utf8)
        let r = try Harness.run(["watch", "--window", "1m", "--tz", "UTC", "--rules", rules.path], stdinFile: log)
        #expect(r.status == 0, "\(r.stderr)")
        var alerts: [String] = []
        var windows = 0
        for line in r.text.split(separator: "\n") {
            let o = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            if let alert = o["alert"] {
                alerts.append("\(o["time"]!) \(alert) \(o["state"]!)")
                if alert as? String == "Errors", o["state"] as? String == "firing" {
                    #expect(o["value"] as? Double == 0.2)
                    #expect((o["annotations"] as? [String: String])?["summary"] == "5xx at 20%")
                }
            } else {
                windows += 1
            }
        }
        #expect(alerts == [
            "2026-11-24T10:10:31Z Errors pending",
            "2026-11-24T10:11:31Z Errors firing",
            "2026-11-24T10:13:26Z Errors resolved",
            "2026-11-24T10:16:00Z Down firing",
            "2026-11-24T10:16:41Z Down resolved",
            "2026-11-24T10:21:02Z Slow pending",
            "2026-11-24T10:23:02Z Slow firing",
            "2026-11-24T10:27:52Z Slow resolved",
        ])
        // The window lines still come: 30 minutes of events, one line per minute closed.
        #expect(windows >= 29, "\(windows) window lines")
    }

    @Test func aBadRuleFileStopsBeforeReading() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let rules = dir.appendingPathComponent("rules.yml")
        try "rules:\n  - alert: X\n    expr: rate(stauts >= 500) > 0.1\n    window: 1m\n".write(to: rules, atomically: true, encoding: .utf8)
        let log = dir.appendingPathComponent("a.log")
        try "".write(to: log, atomically: true, encoding: .utf8)
        let r = try Harness.run(["watch", "--rules", rules.path], stdinFile: log)
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stderr.contains("rules.yml:3:"), "\(r.stderr)")
        #expect(r.stderr.contains("stauts"), "\(r.stderr)")
    }
}
