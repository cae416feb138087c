import Foundation
@testable import LogHTTP
import Testing

/// The webhook payload's derived fields against published values: FNV-1a 64's offset basis is
/// the hash of nothing (0xcbf29ce484222325); a label set's hash was computed with Python.
@Suite struct WebhookPayloadTests {
    @Test func fingerprintIsFNV1a64OverSortedLabels() {
        #expect(WebhookNotifier.fingerprint([:]) == "cbf29ce484222325")
        // Computed with Python over b"alertname\xffHighErrorRate\xffseverity\xffpage\xff".
        #expect(WebhookNotifier.fingerprint(["severity": "page", "alertname": "HighErrorRate"]) == "3eacacedc5464f06")
        // Order of insertion does not matter; a changed value does.
        #expect(WebhookNotifier.fingerprint(["b": "2", "a": "1"]) == WebhookNotifier.fingerprint(["a": "1", "b": "2"]))
        #expect(WebhookNotifier.fingerprint(["a": "1"]) != WebhookNotifier.fingerprint(["a": "2"]))
        // A separator between name and value: "ab"="" and "a"="b" differ.
        #expect(WebhookNotifier.fingerprint(["ab": ""]) != WebhookNotifier.fingerprint(["a": "b"]))
    }

    @Test func groupKeyQuotesValuesAndSortsNames() {
        #expect(WebhookNotifier.groupKey(["severity": "page", "alertname": "X"]) == "{}:{alertname=\"X\", severity=\"page\"}")
        #expect(WebhookNotifier.groupKey(["alertname": "a\"b\\c"]) == "{}:{alertname=\"a\\\"b\\\\c\"}")
    }

    @Test func firingAlertEndsAtGoZeroTime() throws {
        let endpoint = HTTPEndpoint(host: "127.0.0.1", port: 1)
        let alert = WebhookAlert(status: "firing", labels: ["alertname": "X"], annotations: ["summary": "s"],
                                 startsAt: Date(timeIntervalSince1970: 1_764_000_000.5), endsAt: nil)
        let body = WebhookNotifier.payload(alert, .init(endpoint: endpoint))
        let o = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
        let a = try #require((o["alerts"] as? [[String: Any]])?.first)
        // 1764000000 s = 2025-11-24T16:00:00Z (20416 days × 86400 + 57600).
        #expect(a["startsAt"] as? String == "2025-11-24T16:00:00.500Z")
        #expect(a["endsAt"] as? String == "0001-01-01T00:00:00Z")
        #expect(o["commonAnnotations"] as? [String: String] == ["summary": "s"])
    }
}
