import Dispatch
import Foundation
import LogAggregation
import LogHTTP
import LogInput
import LogMetrics
import LogParsing
import LogQuery
import LogRules
import LogsiftEngine

/// `watch --listen HOST:PORT`: what the watch has read, served at `/metrics` in the Prometheus
/// text format (names in docs/metrics.md). Counters count every line, request and event since
/// the start; the request-time summary is the last closed window's; `logsift_alerts` has the
/// rules' pending and firing alerts as Prometheus' `ALERTS` has them; per input, the bytes read
/// and, per followed file, its rotations and the bytes not read yet. The registry is replaced as
/// a whole at each window close and at most once a second otherwise, so a scrape never sees half
/// an update; the followers are asked then, on the loop's thread (one fstat per file).
final class MetricsObserver: WatchObserver {
    let registry = MetricsRegistry()
    let source: String
    weak var engine: WatchEngine?
    /// The inputs the loop polls: their bytes, and the followed files' rotations and lag.
    var feeds: [LineFeed] = []
    var rules: RuleObserver?
    var forwarder: AlertmanagerForwarder?
    var webhook: WebhookForwarder?
    var exec: ExecNotifier?
    /// Access logs count requests per status class; PostgreSQL and application logs count
    /// events per level (their status class is their level). Nil until the format is known.
    var family: String?
    /// Requests per status class 1xx…5xx (index 1…5) and other (0), since the start.
    var classes = [UInt64](repeating: 0, count: 6)
    var statusSlot = -1
    /// Events per `ApplicationLevel` (by raw value; `unknown` for an event without a level).
    var levels = [UInt64](repeating: 0, count: ApplicationLevel.allCases.count)
    var levelSlot = -1
    var countsLevels = false
    var newest: Int64?
    let started = Date().timeIntervalSince1970

    init(source: String) {
        self.source = source
        publish()
    }

    func bind(source family: String, schema: FieldSchema) {
        self.family = family
        countsLevels = family != LogFormat.Family.access.rawValue
        if countsLevels {
            levelSlot = (schema.field(named: "severity") ?? schema.field(named: "level"))?.slot ?? -1
        } else {
            statusSlot = schema.field(named: "status")?.slot ?? -1
        }
    }

    func event<Event: FieldValues>(_ event: Event, time: Int64) {
        if countsLevels {
            levels[Int((event.level(levelSlot) ?? .unknown).rawValue)] &+= 1
        } else {
            let status = event.number(statusSlot).map { Int($0) } ?? 0
            classes[(100..<600).contains(status) ? status / 100 : 0] &+= 1
        }
        if time > (newest ?? .min) { newest = time }
    }

    var lastWindow: WindowSummary?
    var publishedAt: Int64 = 0

    func windowClosed(_ window: WindowSummary) {
        lastWindow = window
        publish()
    }

    /// Called by the watch loop after each turn: counters published at least once a second.
    func tick(nowMilliseconds: Int64) {
        guard nowMilliseconds - publishedAt >= 1000 else { return }
        publishedAt = nowMilliseconds
        publish()
    }

    func publish() {
        let window = lastWindow
        let source = MetricLabel("source", self.source)
        var families: [MetricFamily] = [
            .gauge(LogsiftMetrics.startTime, help: LogsiftMetrics.startTimeHelp, [.init(value: started)]),
            .counter(LogsiftMetrics.linesTotal, help: LogsiftMetrics.linesHelp, [
                .init(labels: [source, MetricLabel("result", "parsed")],
                      value: Double((engine?.linesRead ?? 0) - (engine?.unmatched ?? 0))),
                .init(labels: [source, MetricLabel("result", "unmatched")], value: Double(engine?.unmatched ?? 0)),
            ]),
        ]
        if countsLevels {
            families.append(.counter(LogsiftMetrics.eventsTotal, help: LogsiftMetrics.eventsHelp, ApplicationLevel.allCases.map { level in
                .init(labels: [source, MetricLabel("level", level.name)], value: Double(levels[Int(level.rawValue)]))
            }))
        } else if family != nil {
            families.append(.counter(LogsiftMetrics.requestsTotal, help: LogsiftMetrics.requestsHelp, (0..<6).map { k in
                .init(labels: [source, MetricLabel("status_class", k == 0 ? "other" : "\(k)xx")], value: Double(classes[k]))
            }))
        }
        families += inputFamilies
        if let newest {
            families.append(.gauge(LogsiftMetrics.lastEventTime, help: LogsiftMetrics.lastEventTimeHelp,
                                   [.init(labels: [source], value: Double(newest))]))
        }
        if let window, countsLevels {
            // The pane keeps milliseconds (the report's unit for statements); Prometheus, seconds.
            let sketch = window.totals.durations
            if sketch.count > 0 {
                let quantiles = LogsiftMetrics.durationQuantiles.compactMap { q in
                    sketch.quantile(q).map { MetricFamily.Quantile(q, DecimalRounding.shortest($0 / 1000, within: 1e-9)) }
                }
                families.append(.summary(LogsiftMetrics.eventDuration, help: LogsiftMetrics.eventDurationHelp, [
                    .init(labels: [source], quantiles: quantiles, sum: sketch.sum / 1000, count: sketch.count),
                ]))
            }
        } else if let window {
            let sketch = window.totals.latency
            let quantiles = LogsiftMetrics.durationQuantiles.compactMap { q in sketch.quantile(q).map { MetricFamily.Quantile(q, $0) } }
            families.append(.summary(LogsiftMetrics.requestDuration, help: LogsiftMetrics.requestDurationHelp, [
                .init(labels: [source], quantiles: quantiles, sum: sketch.sum, count: sketch.count),
            ]))
        }
        if let rules {
            let points = rules.evaluator.active().map { a in
                MetricFamily.Point(labels: a.labels.map { MetricLabel($0.name, $0.value) } + [MetricLabel("alertstate", a.state.rawValue)],
                                   value: 1)
            }
            families.append(.gauge(LogsiftMetrics.alerts, help: LogsiftMetrics.alertsHelp, points))
        }
        families += LogsiftMetrics.notifierFamilies(notifierCounts)
        registry.set(families)
    }
}

extension MetricsObserver {
    /// Bytes read per input; per followed file, its rotations by kind and the bytes not read yet.
    var inputFamilies: [MetricFamily] {
        var families: [MetricFamily] = [
            .counter(LogsiftMetrics.bytesRead, help: LogsiftMetrics.bytesReadHelp, feeds.map { feed in
                .init(labels: [MetricLabel("source", feed.name)], value: Double(feed.bytesRead))
            }),
        ]
        let followers = feeds.compactMap { $0 as? FileFollower }
        guard !followers.isEmpty else { return families }
        families.append(.counter(LogsiftMetrics.followRotations, help: LogsiftMetrics.followRotationsHelp, followers.flatMap { f in
            [MetricFamily.Point(labels: [MetricLabel("source", f.path), MetricLabel("kind", "replaced")], value: Double(f.rotations)),
             MetricFamily.Point(labels: [MetricLabel("source", f.path), MetricLabel("kind", "truncated")], value: Double(f.truncations))]
        }))
        families.append(.gauge(LogsiftMetrics.followLag, help: LogsiftMetrics.followLagHelp, followers.compactMap { f in
            f.lagBytes.map { MetricFamily.Point(labels: [MetricLabel("source", f.path)], value: Double($0)) }
        }))
        return families
    }

    /// Each configured notifier's counts, under the `notifier` label.
    var notifierCounts: [NotifierCounts] {
        var counts: [NotifierCounts] = []
        if let forwarder { counts.append(forwarder.notifier.statistics.counts(notifier: "alertmanager")) }
        if let webhook { counts.append(webhook.notifier.statistics.counts(notifier: "webhook")) }
        if let exec { counts.append(exec.statistics.counts) }
        return counts
    }
}

extension ExecNotifier.Statistics {
    /// `notifier="exec"`: a run that exited 0 is sent; one that failed, could not start or was
    /// killed at its timeout is a failed attempt (there are no retries); the only drop is a
    /// full queue (what still waits at exit is dropped too, after the last scrape).
    var counts: NotifierCounts {
        NotifierCounts(notifier: "exec", sent: succeeded, failed: failed + timedOut,
                       dropped: [.init("queue_full", dropped)], queueLength: queueLength)
    }
}

/// Starts the `/metrics` server on `address` (blocking until it listens or fails).
func startMetricsServer(_ address: ListenAddress, registry: MetricsRegistry) throws -> MetricsServer {
    try blocking { () async -> Result<MetricsServer, Error> in
        do { return .success(try await MetricsServer.start(host: address.host, port: address.port, registry: registry)) }
        catch { return .failure(error) }
    }.get()
}

/// Stops the server (blocking until it has).
func stopMetricsServer(_ server: MetricsServer) {
    blocking { await server.shutdown() }
}
