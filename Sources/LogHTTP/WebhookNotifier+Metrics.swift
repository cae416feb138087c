import LogMetrics

extension WebhookNotifier.Statistics {
    /// The counters under the `notifier` label `notifier` (`logsift_notifications_*`, as the
    /// Alertmanager notifier's).
    public func counts(notifier: String) -> NotifierCounts {
        NotifierCounts(notifier: notifier, sent: sent, failed: failedAttempts, dropped: [
            .init("queue_full", droppedQueueFull), .init("retries_exhausted", droppedAfterRetries), .init("rejected", rejected),
        ], queueLength: queueLength)
    }
}
