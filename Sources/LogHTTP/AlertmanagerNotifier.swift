import Foundation
import LogMetrics
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// An alert as Alertmanager's API v2 takes it (`postableAlert`): labels identify it (two alerts
/// with the same labels are the same alert), annotations describe it.
public struct Alert: Sendable, Equatable {
    /// Must hold `alertname`; Alertmanager rejects an alert without labels.
    public var labels: [String: String]
    public var annotations: [String: String]
    public var startsAt: Date
    /// Set when the alert is resolved. While it fires, the notifier sends an `endsAt` in the
    /// future instead (see `AlertmanagerNotifier.Configuration.resendInterval`).
    public var endsAt: Date?
    public var generatorURL: String?

    public init(labels: [String: String], annotations: [String: String] = [:], startsAt: Date,
                endsAt: Date? = nil, generatorURL: String? = nil) {
        self.labels = labels
        self.annotations = annotations
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.generatorURL = generatorURL
    }
}

/// Sends alerts to an Alertmanager (`POST /api/v2/alerts`, a JSON array), the way Prometheus
/// does, without ever blocking its caller.
///
/// - `fire(_:)` sends a new or changed alert at once, then again every `resendInterval` while
///   it fires, each time with `endsAt` = now + 4 × `resendInterval` (so that Alertmanager
///   resolves it by itself if logsift dies, as it does for Prometheus).
/// - `resolve(labels:at:)` sends the alert with its `endsAt`, then again every `resendInterval`
///   for `resolvedRetention` (an Alertmanager that missed it, or restarted, still learns).
/// - Alerts wait in a queue of `queueCapacity`; when it is full the oldest is dropped (counted).
///   One request is in flight at a time, with up to `maxBatchSize` alerts.
/// - A failed request (connection refused, timeout, 5xx) is retried after `initialBackoff`,
///   doubling up to `maxBackoff`, `maxAttempts` times in all; then its alerts are dropped
///   (counted; a firing alert goes out again at its next resend). A 4xx answer is not retried.
///
/// `fire` and `resolve` take a lock for a few dictionary operations and return: the queue and
/// its requests are a `PostQueue`, the webhook's too.
public final class AlertmanagerNotifier: Sendable {
    public struct Configuration: Sendable {
        public var endpoint: HTTPEndpoint
        /// Bound on one request, connect to answer. Prometheus' default: 10 s.
        public var timeout: TimeAmount = .seconds(10)
        /// Prometheus' `--rules.alert.resend-delay` default: 1 minute.
        public var resendInterval: TimeAmount = .minutes(1)
        /// How long a resolved alert keeps being re-sent. Prometheus: 15 minutes.
        public var resolvedRetention: TimeAmount = .minutes(15)
        /// Prometheus' `--alertmanager.notification-queue-capacity` default: 10000.
        public var queueCapacity: Int = 10_000
        /// Prometheus' batch size: 64 alerts per request.
        public var maxBatchSize: Int = 64
        public var maxAttempts: Int = 3
        public var initialBackoff: TimeAmount = .milliseconds(500)
        public var maxBackoff: TimeAmount = .seconds(30)
        /// How often due re-sends are looked for.
        public var tickInterval: TimeAmount = .seconds(1)

        public init(endpoint: HTTPEndpoint) {
            self.endpoint = endpoint
        }
    }

    /// Counters since start; `metricFamilies(notifier:)` turns them into logsift's metrics.
    public struct Statistics: Sendable, Equatable {
        public var delivery: DeliveryStatistics
        /// Alerts firing now.
        public var firing = 0

        /// Alerts in requests that Alertmanager answered 2xx.
        public var sent: Int { delivery.sent }
        /// Requests that failed (each attempt counts).
        public var failedAttempts: Int { delivery.failedAttempts }
        /// Alerts dropped because the queue was full.
        public var droppedQueueFull: Int { delivery.droppedQueueFull }
        /// Alerts dropped after `maxAttempts` failed requests.
        public var droppedAfterRetries: Int { delivery.droppedAfterRetries }
        /// Alerts Alertmanager answered 4xx (not retried).
        public var rejected: Int { delivery.rejected }
        /// Alerts waiting (queued, or in a request being retried).
        public var queueLength: Int { delivery.queueLength }
        /// The last failure, for a status line.
        public var lastError: String? { delivery.lastError }
    }

    private struct Entry {
        var alert: Alert
        var lastQueued: NIODeadline
        var resolvedAt: NIODeadline?
    }

    /// The alerts to re-send; the queue and its requests are `delivery`'s.
    private struct State {
        var active: [[String: String]: Entry] = [:]
        var resolved: [[String: String]: Entry] = [:]
        var stopped = false
    }

    public let configuration: Configuration
    private let delivery: PostQueue<Alert>
    private let state = NIOLockedValueBox(State())
    private let ticker = NIOLockedValueBox<RepeatedTask?>(nil)

    public init(_ configuration: Configuration, group: EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.configuration = configuration
        let eventLoop = group.next()
        delivery = PostQueue(.init(endpoint: configuration.endpoint, path: "/api/v2/alerts", timeout: configuration.timeout,
                                   capacity: configuration.queueCapacity, maxBatchSize: configuration.maxBatchSize,
                                   maxAttempts: configuration.maxAttempts, initialBackoff: configuration.initialBackoff,
                                   maxBackoff: configuration.maxBackoff, receiver: "Alertmanager"),
                             on: eventLoop, encode: AlertmanagerJSON.encode)
        let task = eventLoop.scheduleRepeatedTask(initialDelay: configuration.tickInterval,
                                                  delay: configuration.tickInterval) { [weak self] _ in
            self?.tick()
        }
        ticker.withLockedValue { $0 = task }
    }

    /// The alert fires (again): sent now if it is new or changed, else at its next resend.
    public func fire(_ alert: Alert) {
        let now = NIODeadline.now()
        let queued: Bool = state.withLockedValue { state in
            guard !state.stopped else { return false }
            state.resolved[alert.labels] = nil
            if var entry = state.active[alert.labels] {
                let changed = entry.alert != alert
                entry.alert = alert
                if changed {
                    entry.lastQueued = now
                    delivery.append(firingCopy(alert))
                }
                state.active[alert.labels] = entry
                return changed
            }
            state.active[alert.labels] = Entry(alert: alert, lastQueued: now)
            delivery.append(firingCopy(alert))
            return true
        }
        if queued { delivery.kick() }
    }

    /// The alert with these labels is resolved at `endsAt`: sent now with that `endsAt`. Labels
    /// that are not firing are ignored.
    public func resolve(labels: [String: String], at endsAt: Date = Date()) {
        let now = NIODeadline.now()
        let queued: Bool = state.withLockedValue { state in
            guard !state.stopped, var entry = state.active.removeValue(forKey: labels) else { return false }
            entry.alert.endsAt = endsAt
            entry.lastQueued = now
            entry.resolvedAt = now
            state.resolved[labels] = entry
            delivery.append(entry.alert)
            return true
        }
        if queued { delivery.kick() }
    }

    public var statistics: Statistics {
        let firing = state.withLockedValue { $0.active.count }
        return Statistics(delivery: delivery.statistics, firing: firing)
    }

    /// Waits until nothing is queued or in flight, or `timeout` passed; true when drained.
    public func flush(timeout: Duration) async -> Bool {
        await delivery.flush(timeout: timeout)
    }

    /// Stops re-sends and sending; what is still queued is dropped (flush first to deliver it).
    public func shutdown() {
        ticker.withLockedValue { $0?.cancel(); $0 = nil }
        state.withLockedValue { $0.stopped = true }
        delivery.stop()
    }

    deinit {
        ticker.withLockedValue { $0?.cancel() }
    }

    /// `initialBackoff` × 2^(attempt − 1), at most `maxBackoff`.
    func backoff(afterAttempt attempt: Int) -> TimeAmount {
        delivery.backoff(afterAttempt: attempt)
    }

    // MARK: - Re-sends

    private func firingCopy(_ alert: Alert) -> Alert {
        var copy = alert
        let validFor = Double(configuration.resendInterval.nanoseconds) * 4 / 1e9
        copy.endsAt = Date().addingTimeInterval(validFor)
        return copy
    }

    private func tick() {
        let now = NIODeadline.now()
        let resend = configuration.resendInterval
        let retention = configuration.resolvedRetention
        let queued: Bool = state.withLockedValue { state in
            guard !state.stopped else { return false }
            var any = false
            for (key, entry) in state.active where entry.lastQueued + resend <= now {
                state.active[key]?.lastQueued = now
                delivery.append(firingCopy(entry.alert))
                any = true
            }
            for (key, entry) in state.resolved {
                if let resolvedAt = entry.resolvedAt, resolvedAt + retention <= now {
                    state.resolved[key] = nil
                } else if entry.lastQueued + resend <= now {
                    state.resolved[key]?.lastQueued = now
                    delivery.append(entry.alert)
                    any = true
                }
            }
            return any
        }
        if queued { delivery.kick() }
    }
}

extension AlertmanagerNotifier.Statistics {
    /// The notifier's counters as logsift's `logsift_notifications_*` families (docs/metrics.md),
    /// labelled `notifier="<name>"`.
    public func metricFamilies(notifier: String) -> [MetricFamily] {
        LogsiftMetrics.notifierFamilies([counts(notifier: notifier)])
    }

    /// The counters under the `notifier` label `notifier`.
    public func counts(notifier: String) -> NotifierCounts {
        delivery.counts(notifier: notifier)
    }
}

/// The request body: a JSON array of `postableAlert` objects.
enum AlertmanagerJSON {
    /// RFC 3339 in UTC with milliseconds, the instant rounded to the nearest millisecond (a
    /// formatter that truncates turns 12.123, stored as 12.12299…, into 12.122).
    static func time(_ date: Date) -> String {
        let ms = (date.timeIntervalSince1970 * 1000).rounded()
        guard ms.isFinite, abs(ms) < 2.5e14 else { return "1970-01-01T00:00:00.000Z" }
        let total = Int64(ms)
        var seconds = time_t(total >= 0 ? total / 1000 : (total - 999) / 1000)
        let fraction = Int(total - Int64(seconds) * 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
                      Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), fraction)
    }

    static func encode(_ alerts: [Alert]) -> [UInt8] {
        let objects: [[String: Any]] = alerts.map { alert in
            var object: [String: Any] = [
                "labels": alert.labels,
                "annotations": alert.annotations,
                "startsAt": time(alert.startsAt),
            ]
            if let endsAt = alert.endsAt { object["endsAt"] = time(endsAt) }
            if let url = alert.generatorURL { object["generatorURL"] = url }
            return object
        }
        // Only strings, dictionaries and arrays: serialization cannot fail.
        let data = (try? JSONSerialization.data(withJSONObject: objects, options: [.sortedKeys])) ?? Data("[]".utf8)
        return Array(data)
    }
}
