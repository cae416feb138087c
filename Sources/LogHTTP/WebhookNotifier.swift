import Foundation
import NIOCore
import NIOPosix

/// One alert of a webhook notification, as Alertmanager's webhook receiver gets it.
public struct WebhookAlert: Sendable, Equatable {
    /// "firing" or "resolved".
    public var status: String
    public var labels: [String: String]
    public var annotations: [String: String]
    public var startsAt: Date
    /// When it resolved; nil while firing (written as Go's zero time, as Alertmanager does).
    public var endsAt: Date?
    public var generatorURL: String

    public init(status: String, labels: [String: String], annotations: [String: String], startsAt: Date,
                endsAt: Date?, generatorURL: String = "") {
        self.status = status
        self.labels = labels
        self.annotations = annotations
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.generatorURL = generatorURL
    }
}

/// Sends each alert transition to a generic webhook with Alertmanager's webhook payload
/// (version "4"), so that a receiver written for Alertmanager takes logsift's alerts as they
/// are. Each notification holds one alert, in a group of its own: `groupLabels` and
/// `commonLabels` are its labels, `groupKey` is `{}:{name="value", …}` over them.
///
/// Never blocks its caller: `send` queues (a full queue drops the oldest, counted) and requests
/// go out one at a time on a NIO event loop (`PostQueue`, the Alertmanager notifier's too). A failed request (refused,
/// timeout, 5xx) is retried after `initialBackoff`, doubling up to `maxBackoff`, `maxAttempts`
/// times in all, then dropped (counted); a 4xx answer is not retried.
public final class WebhookNotifier: Sendable {
    public struct Configuration: Sendable {
        public var endpoint: HTTPEndpoint
        /// The `receiver` field (Alertmanager's receiver name).
        public var receiver: String = "logsift"
        /// The `externalURL` field (where Alertmanager would be reached; logsift has none).
        public var externalURL: String = ""
        /// Bound on one request, connect to answer; Alertmanager's webhook default is 10 s too.
        public var timeout: TimeAmount = .seconds(10)
        public var queueCapacity: Int = 1000
        public var maxAttempts: Int = 3
        public var initialBackoff: TimeAmount = .milliseconds(500)
        public var maxBackoff: TimeAmount = .seconds(30)

        public init(endpoint: HTTPEndpoint) {
            self.endpoint = endpoint
        }
    }

    /// Counters since start (`sent` counts notifications).
    public typealias Statistics = DeliveryStatistics

    public let configuration: Configuration
    private let delivery: PostQueue<WebhookAlert>

    public init(_ configuration: Configuration, group: EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.configuration = configuration
        delivery = PostQueue(.init(endpoint: configuration.endpoint, path: configuration.endpoint.pathPrefix.isEmpty ? "/" : "",
                                   timeout: configuration.timeout, capacity: configuration.queueCapacity, maxBatchSize: 1,
                                   maxAttempts: configuration.maxAttempts, initialBackoff: configuration.initialBackoff,
                                   maxBackoff: configuration.maxBackoff, receiver: "the webhook"),
                             on: group.next(), encode: { Self.payload($0[0], configuration) })
    }

    public func send(_ alert: WebhookAlert) {
        delivery.append(alert)
        delivery.kick()
    }

    public var statistics: Statistics { delivery.statistics }

    /// Waits until nothing is queued or in flight, or `timeout` passed; true when drained.
    public func flush(timeout: Duration) async -> Bool {
        await delivery.flush(timeout: timeout)
    }

    /// Stops sending; what is still queued is dropped (flush first to deliver it).
    public func shutdown() {
        delivery.stop()
    }

    // MARK: - Payload

    /// Go's zero time, which Alertmanager writes as `endsAt` of an alert still firing.
    static let zeroTime = "0001-01-01T00:00:00Z"

    /// The labels' fingerprint as Prometheus computes it (FNV-1a 64 over the labels sorted by
    /// name, each name and value followed by the byte 0xff), 16 hex digits.
    static func fingerprint(_ labels: [String: String]) -> String {
        var hash: UInt64 = 14_695_981_039_346_656_037
        func add(_ byte: UInt8) { hash ^= UInt64(byte); hash = hash &* 1_099_511_628_211 }
        for name in labels.keys.sorted() {
            for b in name.utf8 { add(b) }
            add(0xff)
            for b in labels[name]!.utf8 { add(b) }
            add(0xff)
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// `{}:{a="1", b="2"}`: the route (the root, `{}`) and the group's labels, sorted, values
    /// quoted with `\` and `"` escaped.
    static func groupKey(_ labels: [String: String]) -> String {
        func quoted(_ s: String) -> String {
            "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                .replacingOccurrences(of: "\n", with: "\\n") + "\""
        }
        return "{}:{" + labels.keys.sorted().map { "\($0)=\(quoted(labels[$0]!))" }.joined(separator: ", ") + "}"
    }

    static func payload(_ alert: WebhookAlert, _ configuration: Configuration) -> [UInt8] {
        let object: [String: Any] = [
            "version": "4",
            "groupKey": groupKey(alert.labels),
            "truncatedAlerts": 0,
            "status": alert.status,
            "receiver": configuration.receiver,
            "groupLabels": alert.labels,
            "commonLabels": alert.labels,
            "commonAnnotations": alert.annotations,
            "externalURL": configuration.externalURL,
            "alerts": [[
                "status": alert.status,
                "labels": alert.labels,
                "annotations": alert.annotations,
                "startsAt": AlertmanagerJSON.time(alert.startsAt),
                "endsAt": alert.endsAt.map(AlertmanagerJSON.time) ?? zeroTime,
                "generatorURL": alert.generatorURL,
                "fingerprint": fingerprint(alert.labels),
            ] as [String: Any]],
        ]
        // Strings, numbers, dictionaries and arrays only: serialization cannot fail.
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return Array(data)
    }
}
