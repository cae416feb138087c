import Foundation
import LogsiftTestSupport
import Testing

/// `watch --rules --alertmanager`: a rule that fires on the input reaches a real Alertmanager
/// (Debian's `prometheus-alertmanager`, started here on loopback), with its labels, annotations
/// and start time; one that resolved is not listed as active.
@Suite struct WatchAlertmanagerTests {
    @Test(.enabled(if: ExternalServices.runnable("prometheus-alertmanager"),
                   "prometheus-alertmanager not installed (apt-get install prometheus-alertmanager; LOGSIFT_REQUIRE_SERVICES=1 makes this a failure)"),
          .timeLimit(.minutes(5)))
    func firingRuleReachesAlertmanager() async throws {
        guard let binary = ExternalServices.require("prometheus-alertmanager", package: "prometheus-alertmanager") else { return }
        let directory = try ExternalServices.temporaryDirectory("logsift-watch-alertmanager")
        defer { try? FileManager.default.removeItem(at: directory) }
        let port = ExternalServices.freePort()
        try "route:\n  receiver: blackhole\nreceivers:\n  - name: blackhole\n"
            .write(to: directory.appendingPathComponent("alertmanager.yml"), atomically: true, encoding: .utf8)
        let service = try ServiceProcess(executable: binary, arguments: [
            "--config.file=\(directory.appendingPathComponent("alertmanager.yml").path)",
            "--storage.path=\(directory.appendingPathComponent("data").path)",
            "--web.listen-address=127.0.0.1:\(port)",
            "--cluster.listen-address=",
        ], directory: directory)
        defer { service.stop() }
        let base = "http://127.0.0.1:\(port)"
        guard await ExternalServices.waitUntilReady(base + "/-/ready") else {
            Issue.record("Alertmanager did not become ready: \(service.output)")
            return
        }

        // The last 10 minutes, one request a second: from 6 minutes ago on every one is a 500,
        // so `Errors` (rate > 10% over 1m for 1m) is firing at the end; `Slow` (p95 > 5 s)
        // goes pending and back to inactive, `Calm` never holds.
        let now = Int64(Date().timeIntervalSince1970)
        let start = now - 600
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "dd/MMM/yyyy:HH:mm:ss"
        var text = ""
        for t in start..<now {
            let status = t >= now - 360 ? 500 : 200
            let stamp = formatter.string(from: Date(timeIntervalSince1970: TimeInterval(t)))
            text += "10.0.0.1 - - [\(stamp) +0000] \"GET /api/orders/\(t) HTTP/1.1\" \(status) 10 \"-\" \"curl\" 0.050\n"
        }
        let log = directory.appendingPathComponent("access.log")
        try text.write(to: log, atomically: true, encoding: .utf8)
        let rules = directory.appendingPathComponent("rules.yml")
        try """
        rules:
          - alert: Errors
            expr: rate(status >= 500) > 0.1
            window: 1m
            for: 1m
            labels: {severity: critical}
            annotations: {summary: "5xx at {{ $value | percent }}"}
          - alert: Calm
            expr: count > 1000
            window: 1m
        """.write(to: rules, atomically: true, encoding: .utf8)

        let r = try Harness.run(["watch", "--window", "1m", "--tz", "UTC", "--rules", rules.path,
                                 "--alertmanager", base], stdinFile: log)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.text.contains("\"alert\":\"Errors\",\"state\":\"firing\""), "\(r.text.suffix(2000))")

        let answer = try await ExternalServices.get(base + "/api/v2/alerts")
        #expect(answer.status == 200)
        let alerts = try JSONSerialization.jsonObject(with: answer.body) as? [[String: Any]] ?? []
        #expect(alerts.count == 1, "\(alerts)")
        let alert = try #require(alerts.first)
        #expect(alert["labels"] as? [String: String] == ["alertname": "Errors", "severity": "critical"])
        #expect((alert["annotations"] as? [String: String])?["summary"] == "5xx at 100%")
        #expect((alert["status"] as? [String: Any])?["state"] as? String == "active")
        // Pending at the first evaluation whose window [t-60, t) holds more than 10% errors: the
        // first 500 is at now-360, and 7 of 60 (> 10%) are in the window at t = now-353; the
        // rule steps every second (window / 60), so activeAt is now-353, give or take a step.
        let iso = Date.ISO8601FormatStyle(includingFractionalSeconds: false)
        let startsAt = try #require(try (alert["startsAt"] as? String).map { try iso.parse(String($0.prefix(19)) + "Z") })
        let expected = Double(now - 353)
        #expect(abs(startsAt.timeIntervalSince1970 - expected) <= 1, "startsAt \(startsAt), expected \(expected)")
    }
}
