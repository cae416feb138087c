import Foundation
import LogHTTP
import LogsiftTestSupport
import Testing

/// `watch --rules --webhook URL`: each firing and resolved transition of `IncidentFixture`
/// reaches a loopback receiver started here, with Alertmanager's webhook payload whose fields
/// match the hand-derived transition; a dead receiver neither blocks nor crashes the watch.
@Suite struct WatchWebhookTests {
    /// FNV-1a 64 written out for the test: offset basis 0xcbf29ce484222325, prime 0x100000001b3,
    /// over the labels sorted by name, each name and value followed by 0xff (Prometheus' rule).
    static func fnv(_ labels: [String: String]) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for (name, value) in labels.sorted(by: { $0.key < $1.key }) {
            for b in Array(name.utf8) + [0xff] + Array(value.utf8) + [0xff] { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        }
        return String(format: "%016llx", h)
    }

    @Test(.timeLimit(.minutes(2))) func webhookPayloadMatchesEachTransition() async throws {
        let received = Received()
        let server = try await HTTPServer.start(host: "127.0.0.1", port: 0) { request in
            received.add(request.path, request.body)
            return HTTPServerResponse(status: .ok, text: "")
        }
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (log, rules) = try IncidentFixture.write(in: dir)
        let r = try Harness.run(["watch", "--window", "1m", "--tz", "UTC", "--rules", rules.path,
                                 "--webhook", "http://127.0.0.1:\(server.port)/hooks/logsift"], stdinFile: log)
        await server.shutdown()
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.isEmpty, "\(r.stderr)")

        // Hand-derived (IncidentFixture): firing and resolved only, startsAt = when the alert
        // became active (pending, or firing without `for`), endsAt = when it resolved.
        let expected: [(alert: String, status: String, startsAt: String, endsAt: String)] = [
            ("Errors", "firing", "2026-11-24T10:10:31.000Z", "0001-01-01T00:00:00Z"),
            ("Errors", "resolved", "2026-11-24T10:10:31.000Z", "2026-11-24T10:13:26.000Z"),
            ("Down", "firing", "2026-11-24T10:16:00.000Z", "0001-01-01T00:00:00Z"),
            ("Down", "resolved", "2026-11-24T10:16:00.000Z", "2026-11-24T10:16:41.000Z"),
            ("Slow", "firing", "2026-11-24T10:21:02.000Z", "0001-01-01T00:00:00Z"),
            ("Slow", "resolved", "2026-11-24T10:21:02.000Z", "2026-11-24T10:27:52.000Z"),
        ]
        let requests = received.all
        try #require(requests.count == expected.count, "\(requests.count) requests")
        for (request, want) in zip(requests, expected) {
            #expect(request.path == "/hooks/logsift")
            let o = try #require(try JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any])
            let labels = ["alertname": want.alert]
            #expect(o["version"] as? String == "4")
            #expect(o["status"] as? String == want.status)
            #expect(o["receiver"] as? String == "logsift")
            #expect(o["groupKey"] as? String == "{}:{alertname=\"\(want.alert)\"}")
            #expect(o["groupLabels"] as? [String: String] == labels)
            #expect(o["commonLabels"] as? [String: String] == labels)
            #expect(o["externalURL"] as? String == "")
            #expect(o["truncatedAlerts"] as? Int == 0)
            let alerts = try #require(o["alerts"] as? [[String: Any]])
            try #require(alerts.count == 1)
            let a = alerts[0]
            #expect(a["status"] as? String == want.status)
            #expect(a["labels"] as? [String: String] == labels)
            #expect(a["startsAt"] as? String == want.startsAt, "\(want)")
            #expect(a["endsAt"] as? String == want.endsAt, "\(want)")
            #expect(a["generatorURL"] as? String == "")
            #expect(a["fingerprint"] as? String == Self.fnv(labels))
            #expect(o["commonAnnotations"] as? [String: String] == a["annotations"] as? [String: String])
            if want.alert == "Errors" && want.status == "firing" {
                #expect(a["annotations"] as? [String: String] == ["summary": "5xx at 20%", "value": "0.2"])
            }
        }
        // Standard output is unchanged by the webhook: every transition, pending included.
        #expect(try WatchNotifierTests.alertLines(r.text).map(WatchNotifierTests.summary) == IncidentFixture.transitions)
    }

    /// Nothing listens: each notification is tried 3 times (0.5 s, then 1 s apart) and dropped;
    /// the watch still reads everything, exits 0 and says so on stderr.
    @Test(.timeLimit(.minutes(2))) func aDeadReceiverIsCountedAndSaid() throws {
        let port = ExternalServices.freePort()
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (log, rules) = try IncidentFixture.write(in: dir)
        let clock = ContinuousClock()
        let begin = clock.now
        let r = try Harness.run(["watch", "--window", "1m", "--tz", "UTC", "--rules", rules.path,
                                 "--webhook", "http://127.0.0.1:\(port)/"], stdinFile: log)
        let elapsed = clock.now - begin
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try WatchNotifierTests.alertLines(r.text).map(WatchNotifierTests.summary) == IncidentFixture.transitions)
        // 6 notifications × 3 attempts; each waits 1.5 s of backoff: about 9 s, bounded by 30 s.
        #expect(r.stderr.contains("0 notifications sent, 18 failed attempts, 6 dropped"), "\(r.stderr)")
        #expect(elapsed < .seconds(45), "\(elapsed)")
    }
}

/// What the loopback receiver got, in order.
final class Received: @unchecked Sendable {
    private let lock = NSLock()
    private var requests: [(path: String, body: [UInt8])] = []
    func add(_ path: String, _ body: [UInt8]) { lock.withLock { requests.append((path, body)) } }
    var all: [(path: String, body: [UInt8])] { lock.withLock { requests } }
}
