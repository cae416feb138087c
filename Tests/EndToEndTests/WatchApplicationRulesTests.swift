import Foundation
import Testing

/// `watch --rules` on a JSON-lines application log: the keys that only the rules name
/// (`response_time`, `status`) are bound when the format is chosen, so the rules see them, and
/// fire at the times worked out by hand below (the same as `rules test`, the replay).
@Suite struct WatchApplicationRulesTests {
    @Test func rulesReadKeysOnlyTheyName() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // One event a second from 10:00:00 (second 0) to 10:09:59: response_time 3.0 in seconds
        // 180..<300, else 0.1; status 503 in seconds 420..<440, else 200.
        var text = ""
        for i in 0..<600 {
            let stamp = String(format: "2026-11-24T10:%02d:%02dZ", i / 60, i % 60)
            let rt = (180..<300).contains(i) ? "3.0" : "0.1"
            let status = (420..<440).contains(i) ? 503 : 200
            text += "{\"ts\":\"\(stamp)\",\"level\":\"info\",\"service\":\"api\",\"msg\":\"request done\",\"response_time\":\(rt),\"status\":\(status)}\n"
        }
        let log = dir.appendingPathComponent("app.jsonl")
        try text.write(to: log, atomically: true, encoding: .utf8)
        let rules = dir.appendingPathComponent("rules.yml")
        try """
        rules:
          - alert: Slow
            source: application
            expr: p95(response_time) > 2s
            window: 1m
          - alert: Errors
            source: application
            expr: count(status >= 500) > 10
            window: 1m
        """.write(to: rules, atomically: true, encoding: .utf8)

        let r = try Harness.run(["watch", "--window", "1m", "--tz", "UTC", "--rules", rules.path], stdinFile: log)
        #expect(r.status == 0, "\(r.stderr)")
        var transitions: [String] = []
        for line in r.text.split(separator: "\n") {
            let o = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            if let alert = o["alert"] { transitions.append("\(o["time"]!) \(alert) \(o["state"]!)") }
        }
        // Rules step every second over [t - 60 s, t). Slow: p95 of 60 values is the value of
        // rank ⌊0.95 · 59⌋ = 56 (0-based), slow once 4 of the 60 are: t = 184 (10:03:04); it
        // resolves when at most 3 are, 360 − t ≤ 3: t = 357 (10:05:57). Errors: t − 420 > 10
        // at t = 431 (10:07:11); resolved when 500 − t ≤ 10: t = 490 (10:08:10).
        #expect(transitions == [
            "2026-11-24T10:03:04Z Slow firing",
            "2026-11-24T10:05:57Z Slow resolved",
            "2026-11-24T10:07:11Z Errors firing",
            "2026-11-24T10:08:10Z Errors resolved",
        ], "\(r.stderr)")
    }
}
