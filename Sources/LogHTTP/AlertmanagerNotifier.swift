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
/// `fire` and `resolve` take a lock for a few dictionary operations and return: the sending
/// happens on a NIO event loop.
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
        /// Alerts in requests that Alertmanager answered 2xx.
        public var sent = 0
        /// Requests that failed (each attempt counts).
        public var failedAttempts = 0
        /// Alerts dropped because the queue was full.
        public var droppedQueueFull = 0
        /// Alerts dropped after `maxAttempts` failed requests.
        public var droppedAfterRetries = 0
        /// Alerts Alertmanager answered 4xx (not retried).
        public var rejected = 0
        /// Alerts waiting (queued, or in a request being retried).
        public var queueLength = 0
        /// Alerts firing now.
        public var firing = 0
        /// The last failure, for a status line.
        public var lastError: String?
    }

    private struct Entry {
        var alert: Alert
        var lastQueued: NIODeadline
        var resolvedAt: NIODeadline?
    }

    private struct State {
        var active: [[String: String]: Entry] = [:]
        var resolved: [[String: String]: Entry] = [:]
        var queue = CircularBuffer<Alert>()
        var inFlight = false
        var retrying: [Alert] = []
        var attempt = 0
        /// While a failed batch waits for its backoff: nothing is sent before this (a new alert
        /// arriving meanwhile must not cut the wait short).
        var retryNotBefore: NIODeadline?
        var statistics = Statistics()
        var stopped = false
    }

    public let configuration: Configuration
    private let eventLoop: EventLoop
    private let state = NIOLockedValueBox(State())
    private let ticker = NIOLockedValueBox<RepeatedTask?>(nil)

    public init(_ configuration: Configuration, group: EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.configuration = configuration
        self.eventLoop = group.next()
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
                    enqueue(firingCopy(alert), in: &state)
                }
                state.active[alert.labels] = entry
                return changed
            }
            state.active[alert.labels] = Entry(alert: alert, lastQueued: now)
            state.statistics.firing = state.active.count
            enqueue(firingCopy(alert), in: &state)
            return true
        }
        if queued { kick() }
    }

    /// The alert with these labels is resolved at `endsAt`: sent now with that `endsAt`. Labels
    /// that are not firing are ignored.
    public func resolve(labels: [String: String], at endsAt: Date = Date()) {
        let now = NIODeadline.now()
        let queued: Bool = state.withLockedValue { state in
            guard !state.stopped, var entry = state.active.removeValue(forKey: labels) else { return false }
            state.statistics.firing = state.active.count
            entry.alert.endsAt = endsAt
            entry.lastQueued = now
            entry.resolvedAt = now
            state.resolved[labels] = entry
            enqueue(entry.alert, in: &state)
            return true
        }
        if queued { kick() }
    }

    public var statistics: Statistics {
        state.withLockedValue { $0.statistics }
    }

    /// Waits until nothing is queued or in flight, or `timeout` passed; true when drained.
    public func flush(timeout: Duration) async -> Bool {
        let clock = ContinuousClock()
        let end = clock.now.advanced(by: timeout)
        func idle() -> Bool { state.withLockedValue { $0.queue.isEmpty && !$0.inFlight && $0.retrying.isEmpty } }
        while clock.now < end {
            if idle() { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return idle()   // a late wake-up (a busy machine) still sees the final state
    }

    /// Stops re-sends and sending; what is still queued is dropped (flush first to deliver it).
    public func shutdown() {
        ticker.withLockedValue { $0?.cancel(); $0 = nil }
        state.withLockedValue { state in
            state.stopped = true
            state.queue.removeAll()
            state.retrying.removeAll()
            state.statistics.queueLength = 0
        }
    }

    deinit {
        ticker.withLockedValue { $0?.cancel() }
    }

    // MARK: - Queue and re-sends

    private func firingCopy(_ alert: Alert) -> Alert {
        var copy = alert
        let validFor = Double(configuration.resendInterval.nanoseconds) * 4 / 1e9
        copy.endsAt = Date().addingTimeInterval(validFor)
        return copy
    }

    private func enqueue(_ alert: Alert, in state: inout State) {
        if state.queue.count >= configuration.queueCapacity {
            state.queue.removeFirst()
            state.statistics.droppedQueueFull += 1
        }
        state.queue.append(alert)
        state.statistics.queueLength = state.queue.count + state.retrying.count
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
                enqueue(firingCopy(entry.alert), in: &state)
                any = true
            }
            for (key, entry) in state.resolved {
                if let resolvedAt = entry.resolvedAt, resolvedAt + retention <= now {
                    state.resolved[key] = nil
                } else if entry.lastQueued + resend <= now {
                    state.resolved[key]?.lastQueued = now
                    enqueue(entry.alert, in: &state)
                    any = true
                }
            }
            return any
        }
        if queued { kick() }
    }

    // MARK: - Sending (on the event loop)

    private func kick() {
        eventLoop.execute { [weak self] in self?.sendNext() }
    }

    private func sendNext() {
        let batch: [Alert]? = state.withLockedValue { state in
            guard !state.stopped, !state.inFlight else { return nil }
            if let notBefore = state.retryNotBefore {
                guard NIODeadline.now() >= notBefore else { return nil }  // the scheduled retry sends it
                state.retryNotBefore = nil
            }
            if state.retrying.isEmpty {
                var batch: [Alert] = []
                while batch.count < configuration.maxBatchSize, let alert = state.queue.popFirst() {
                    batch.append(alert)
                }
                state.retrying = batch
            }
            guard !state.retrying.isEmpty else { return nil }
            state.inFlight = true
            return state.retrying
        }
        guard let batch else { return }
        let body = AlertmanagerJSON.encode(batch)
        HTTPPost.post(to: configuration.endpoint, path: "/api/v2/alerts", contentType: "application/json",
                      body: body, timeout: configuration.timeout, on: eventLoop)
            .whenComplete { [weak self] result in self?.finished(batchOf: batch.count, result) }
    }

    private func finished(batchOf count: Int, _ result: Result<Int, Error>) {
        var retryAfter: TimeAmount?
        state.withLockedValue { state in
            state.inFlight = false
            var failure: String?
            switch result {
            case .success(let status) where (200..<300).contains(status):
                state.statistics.sent += count
                state.retrying = []
                state.attempt = 0
            case .success(let status) where (400..<500).contains(status):
                state.statistics.failedAttempts += 1
                state.statistics.rejected += count
                state.statistics.lastError = "Alertmanager answered \(status) (alerts rejected, not retried)"
                state.retrying = []
                state.attempt = 0
            case .success(let status):
                failure = "Alertmanager answered \(status)"
            case .failure(let error):
                failure = "\(error)"
            }
            if let failure {
                state.statistics.failedAttempts += 1
                state.statistics.lastError = failure
                state.attempt += 1
                if state.attempt >= configuration.maxAttempts {
                    state.statistics.droppedAfterRetries += count
                    state.retrying = []
                    state.attempt = 0
                } else {
                    let wait = backoff(afterAttempt: state.attempt)
                    retryAfter = wait
                    state.retryNotBefore = NIODeadline.now() + wait
                }
            }
            state.statistics.queueLength = state.queue.count + state.retrying.count
        }
        if let retryAfter {
            eventLoop.scheduleTask(in: retryAfter) { [weak self] in self?.sendNext() }
        } else {
            sendNext()
        }
    }

    /// `initialBackoff` × 2^(attempt − 1), at most `maxBackoff`.
    func backoff(afterAttempt attempt: Int) -> TimeAmount {
        var delay = configuration.initialBackoff.nanoseconds
        for _ in 1..<max(attempt, 1) {
            delay = delay > configuration.maxBackoff.nanoseconds / 2 ? configuration.maxBackoff.nanoseconds : delay * 2
        }
        return .nanoseconds(min(delay, configuration.maxBackoff.nanoseconds))
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
        NotifierCounts(notifier: notifier, sent: sent, failed: failedAttempts, dropped: [
            .init("queue_full", droppedQueueFull), .init("retries_exhausted", droppedAfterRetries), .init("rejected", rejected),
        ], queueLength: queueLength)
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
