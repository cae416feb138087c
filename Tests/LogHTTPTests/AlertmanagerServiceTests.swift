import Foundation
import LogHTTP
import LogsiftTestSupport
import Testing

/// logsift's alerts in a real Alertmanager (Debian's `prometheus-alertmanager`), started on
/// loopback by the test with a minimal configuration and a temporary storage path.
@Suite struct AlertmanagerServiceTests {
    @Test(.enabled(if: ExternalServices.runnable("prometheus-alertmanager"),
                   "prometheus-alertmanager not installed (apt-get install prometheus-alertmanager; LOGSIFT_REQUIRE_SERVICES=1 makes this a failure)"),
          .timeLimit(.minutes(5)))
    func alertmanagerReceivesFiringAndResolvedAlerts() async throws {
        guard let binary = ExternalServices.require("prometheus-alertmanager", package: "prometheus-alertmanager") else { return }
        let directory = try ExternalServices.temporaryDirectory("logsift-alertmanager")
        let port = ExternalServices.freePort()
        let config = """
        route:
          receiver: blackhole
        receivers:
          - name: blackhole

        """
        try config.write(to: directory.appendingPathComponent("alertmanager.yml"), atomically: true, encoding: .utf8)
        let service = try ServiceProcess(executable: binary, arguments: [
            "--config.file=\(directory.appendingPathComponent("alertmanager.yml").path)",
            "--storage.path=\(directory.appendingPathComponent("data").path)",
            "--web.listen-address=127.0.0.1:\(port)",
            "--cluster.listen-address=",   // no gossip port: a single instance
        ], directory: directory)
        defer { service.stop() }
        let base = "http://127.0.0.1:\(port)"
        guard await ExternalServices.waitUntilReady(base + "/-/ready") else {
            Issue.record("Alertmanager did not become ready: \(service.output)")
            return
        }

        let notifier = AlertmanagerNotifier(.init(endpoint: try HTTPEndpoint.parse(base).get()))
        defer { notifier.shutdown() }
        let startsAt = Date().addingTimeInterval(-120).rounded(toMilliseconds: ())
        let labels = ["alertname": "HighErrorRate", "severity": "warning", "source": "access.log"]
        let annotations = ["summary": "5xx at 7.5% on \"web-1\"\nsee the runbook", "description": "é ✓ \\ backslash"]
        let beforeFire = Date()
        notifier.fire(Alert(labels: labels, annotations: annotations, startsAt: startsAt,
                            generatorURL: "http://127.0.0.1:9145/rules#HighErrorRate"))
        // A second alert that stays firing: the resolution must take only the first one away.
        let other = ["alertname": "ServiceDown", "source": "app.log"]
        notifier.fire(Alert(labels: other, startsAt: startsAt))
        let afterFire = Date()
        #expect(await notifier.flush(timeout: .seconds(60)))
        #expect(notifier.statistics.sent == 2, "\(notifier.statistics)")

        func alerts() async throws -> [[String: Any]] {
            let answer = try await ExternalServices.get(base + "/api/v2/alerts")
            #expect(answer.status == 200)
            return try JSONSerialization.jsonObject(with: answer.body) as? [[String: Any]] ?? []
        }
        let iso = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        let firing = try await alerts()
        #expect(firing.count == 2, "\(firing)")
        if let alert = firing.first(where: { ($0["labels"] as? [String: String])?["alertname"] == "HighErrorRate" }) {
            #expect(alert["labels"] as? [String: String] == labels)
            #expect(alert["annotations"] as? [String: String] == annotations)
            #expect(alert["generatorURL"] as? String == "http://127.0.0.1:9145/rules#HighErrorRate")
            #expect((alert["status"] as? [String: Any])?["state"] as? String == "active")
            let started = try (alert["startsAt"] as? String).map { try iso.parse($0) }
            #expect(started.map { abs($0.timeIntervalSince(startsAt)) < 0.001 } == true)
            // endsAt: four resend intervals (default 1 minute) after `fire` queued it.
            let ends = try #require(try (alert["endsAt"] as? String).map { try iso.parse($0) })
            #expect(ends.timeIntervalSince(beforeFire) >= 240 - 0.001 && ends.timeIntervalSince(afterFire) <= 240 + 0.001,
                    "endsAt \(ends) not 240 s after \(beforeFire)")
        }

        // Resolved now: Alertmanager keeps it only as resolved, so its API of current alerts
        // no longer lists it.
        let endsAt = Date().addingTimeInterval(-1).rounded(toMilliseconds: ())
        notifier.resolve(labels: labels, at: endsAt)
        #expect(await notifier.flush(timeout: .seconds(60)))
        #expect(notifier.statistics.sent == 3)
        let after = try await alerts()
        #expect(after.compactMap { $0["labels"] as? [String: String] } == [other], "\(after)")
        // ...and with the filters that show every alert (silenced, inhibited, unprocessed),
        // it is still not there.
        let all = try await ExternalServices.get(base + "/api/v2/alerts?active=true&silenced=true&inhibited=true&unprocessed=true")
        let allAlerts = try JSONSerialization.jsonObject(with: all.body) as? [[String: Any]] ?? []
        #expect(allAlerts.count == 1)
    }
}

extension Date {
    /// This time cut to whole milliseconds (what the ISO 8601 text carries).
    func rounded(toMilliseconds: Void) -> Date {
        Date(timeIntervalSince1970: (timeIntervalSince1970 * 1000).rounded(.down) / 1000)
    }
}
