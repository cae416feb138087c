/// One notifier's delivery counts since the start, as the `logsift_notifications_*` families
/// expose them (docs/metrics.md). Each notifier (Alertmanager, webhook, exec) turns its own
/// statistics into one of these; `LogsiftMetrics.notifierFamilies` writes them all into one
/// family per name, since Prometheus rejects a scrape that repeats a family.
public struct NotifierCounts: Sendable, Equatable {
    /// The `notifier` label: `alertmanager`, `webhook`, `exec`.
    public var notifier: String
    /// Alerts delivered (an exec run that exited 0).
    public var sent: Int
    /// Attempts that failed (each retry counts; an exec run that failed or timed out).
    public var failed: Int
    /// Alerts given up, per reason (`queue_full`, `retries_exhausted`, `rejected`), in the
    /// order given; only the reasons this notifier can have.
    public var dropped: [Reason]
    /// Alerts waiting to be sent (for exec: waiting for a free run slot).
    public var queueLength: Int

    public struct Reason: Sendable, Equatable {
        public var reason: String
        public var count: Int
        public init(_ reason: String, _ count: Int) {
            self.reason = reason
            self.count = count
        }
    }

    public init(notifier: String, sent: Int, failed: Int, dropped: [Reason], queueLength: Int) {
        self.notifier = notifier
        self.sent = sent
        self.failed = failed
        self.dropped = dropped
        self.queueLength = queueLength
    }
}

extension LogsiftMetrics {
    /// The four `logsift_notifications_*` families over every notifier, one series per
    /// notifier (and reason); no family when there is no notifier.
    public static func notifierFamilies(_ notifiers: [NotifierCounts]) -> [MetricFamily] {
        guard !notifiers.isEmpty else { return [] }
        func label(_ n: NotifierCounts) -> MetricLabel { MetricLabel("notifier", n.notifier) }
        return [
            .counter(notificationsSent, help: notificationsSentHelp,
                     notifiers.map { .init(labels: [label($0)], value: Double($0.sent)) }),
            .counter(notificationsFailed, help: notificationsFailedHelp,
                     notifiers.map { .init(labels: [label($0)], value: Double($0.failed)) }),
            .counter(notificationsDropped, help: notificationsDroppedHelp, notifiers.flatMap { n in
                n.dropped.map { .init(labels: [label(n), MetricLabel("reason", $0.reason)], value: Double($0.count)) }
            }),
            .gauge(notificationQueueLength, help: notificationQueueLengthHelp,
                   notifiers.map { .init(labels: [label($0)], value: Double($0.queueLength)) }),
        ]
    }
}
