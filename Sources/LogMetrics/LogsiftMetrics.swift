/// The names `logsift watch` exposes (docs/metrics.md is the user's copy of this list). One place
/// for the names, so the watch loop, the docs and the tests agree.
///
/// Label names: `source` (an input's name: a file path or `<stdin>`), `result`, `status_class`
/// (`1xx`...`5xx`, `other`), `level` (`ApplicationLevel` names), `kind` (`replaced`,
/// `truncated`), `alertname`, `alertstate`, `notifier`, `reason`.
public enum LogsiftMetrics {
    public static let linesTotal = "logsift_lines_total"
    public static let linesHelp = "Lines read per source; result is parsed or unmatched."
    public static let requestsTotal = "logsift_requests_total"
    public static let requestsHelp = "Access-log requests per source and status class."
    public static let requestDuration = "logsift_request_duration_seconds"
    public static let requestDurationHelp = "Request time of access-log lines over the last window, seconds."
    public static let eventDuration = "logsift_event_duration_seconds"
    public static let eventDurationHelp = "Durations of PostgreSQL statements (duration: N ms) or of an application log's duration key, over the last window, seconds."
    public static let lastEventTime = "logsift_last_event_timestamp_seconds"
    public static let lastEventTimeHelp = "Event time of the newest event per source, Unix seconds."
    public static let alerts = "logsift_alerts"
    public static let alertsHelp = "Alerts per rule and state (pending or firing), 1 while in that state, as Prometheus' ALERTS."
    public static let notificationsSent = "logsift_notifications_sent_total"
    public static let notificationsSentHelp = "Alerts delivered to a notifier."
    public static let notificationsFailed = "logsift_notifications_failed_total"
    public static let notificationsFailedHelp = "Delivery attempts that failed (connection, timeout, non-2xx answer)."
    public static let notificationsDropped = "logsift_notifications_dropped_total"
    public static let notificationsDroppedHelp = "Alerts dropped: queue full, retries exhausted, or rejected (4xx); reason says which."
    public static let notificationQueueLength = "logsift_notification_queue_length"
    public static let notificationQueueLengthHelp = "Alerts waiting to be sent."
    public static let bytesRead = "logsift_bytes_read_total"
    public static let bytesReadHelp = "Bytes read per input (a followed file or stdin) since logsift started."
    public static let eventsTotal = "logsift_events_total"
    public static let eventsHelp = "PostgreSQL and application events per source and level (trace, debug, info, notice, warn, error, fatal, unknown)."
    public static let followRotations = "logsift_follow_rotations_total"
    public static let followRotationsHelp = "Rotations of a followed file: kind is replaced (a new file at the path) or truncated (copytruncate)."
    public static let followLag = "logsift_follow_lag_bytes"
    public static let followLagHelp = "Bytes of a followed file not read yet (its size minus logsift's offset)."
    public static let startTime = "logsift_start_time_seconds"
    public static let startTimeHelp = "Start time of the logsift process, Unix seconds."

    /// The quantiles of `logsift_request_duration_seconds`, the same as the report's p50/p90/p95/p99.
    public static let durationQuantiles: [Double] = [0.5, 0.9, 0.95, 0.99]
}
