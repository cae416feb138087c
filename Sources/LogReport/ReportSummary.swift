import LogAggregation

/// What a nightly reader wants first, taken from an `Analysis` once and shown by the text,
/// Markdown and HTML reports before their sections: totals, error rate, p95, and the notable
/// things — incident runs, the largest error groups, the slowest statements.
///
/// Incidents are runs of consecutive access buckets over a runbook threshold. The thresholds
/// are the alert values of the on-call runbook quoted in `../shared/USE-CASES.md`
/// ("Critical: error rate > 10% for > 2 minutes", "Warning: P95 response time > 5s for > 5
/// minutes; error rate > 5% for > 5 minutes"); a run that lasts at least the runbook's duration
/// is marked as one that would have alerted ("for > 5 minutes": strictly longer). Only buckets with `Ranking.minimumRequests` requests
/// count (20 or more: below that one failed request alone is over 5%), as the worst-bucket
/// tables do.
public struct ReportSummary: Sendable {
    public enum Rule: Sendable, CaseIterable {
        case serverErrors, slowP95

        /// A bucket is in a run when this measure is strictly above `threshold`.
        public var threshold: Double {
            switch self {
            case .serverErrors: 0.05
            case .slowP95: 5.0
            }
        }

        /// How long the runbook lets the condition last before it warns (seconds).
        public var alertAfter: Int64 { 300 }

        public var label: String {
            switch self {
            case .serverErrors: "5xx > 5%"
            case .slowP95: "p95 > 5s"
            }
        }

        func measure(_ s: BucketStats) -> Double? {
            switch self {
            case .serverErrors: s.rate(ofClass: 5)
            case .slowP95: s.latency.quantile(0.95)
            }
        }
    }

    /// The runbook's critical level: 5xx rate above 10% for more than 2 minutes.
    public static let criticalRate = 0.10
    public static let criticalAfter: Int64 = 120

    /// Consecutive buckets over one rule's threshold.
    public struct Incident: Sendable {
        public var rule: Rule
        public var start: Int64
        /// The end of the last bucket (exclusive).
        public var end: Int64
        public var buckets: Int
        /// The highest rate (a share) or p95 (seconds) in the run.
        public var peak: Double
        public var requests: UInt64
        /// The longest stretch of the run over the critical rate (5xx runs only), in seconds.
        public var criticalSeconds: Int64 = 0

        /// `critical` when a 5xx run peaked above 10%, else `warning`.
        public var severity: String { rule == .serverErrors && peak > ReportSummary.criticalRate ? "critical" : "warning" }
        /// Whether the runbook would have alerted: over the threshold for more than 5 minutes,
        /// or over 10% 5xx for more than 2 ("for > 5 minutes": strictly longer).
        public var wouldAlert: Bool { end - start > rule.alertAfter || criticalSeconds > ReportSummary.criticalAfter }
    }

    public struct ErrorGroup: Sendable {
        public var source: String
        public var level: String
        public var count: UInt64
        public var message: String
    }

    public struct Statement: Sendable {
        public var query: String
        public var calls: UInt64
        public var mean: Double?
        public var p95: Double?
        public var max: Double?
    }

    public var requests: UInt64 = 0
    public var rate4xx = 0.0
    public var rate5xx = 0.0
    public var p95: Double?
    public var queries: UInt64 = 0
    public var queryP95: Double?
    public var postgresErrors: UInt64 = 0
    public var applicationEvents: UInt64 = 0
    public var applicationErrors: UInt64 = 0
    public var incidents: [Incident] = []
    /// The volume floor a bucket needed to count towards an incident.
    public var incidentFloor: UInt64 = 0
    public var errorGroups: [ErrorGroup] = []
    public var slowStatements: [Statement] = []
    /// With `--baseline`: the biggest changes (`ReportComparison.highlights`), else empty.
    public var changes: [String] = []

    /// How many error groups and statements the summary names.
    public static let notableCount = 3

    public init(_ analysis: Analysis) {
        let traffic = analysis.traffic
        requests = traffic.total.requests
        rate4xx = traffic.total.rate(ofClass: 4)
        rate5xx = traffic.total.rate(ofClass: 5)
        if analysis.hasLatency { p95 = traffic.total.latency.quantile(0.95) }
        if requests > 0 {
            let buckets = traffic.orderedBuckets
            incidentFloor = Ranking.minimumRequests(buckets.map(\.stats))
            for rule in Rule.allCases where rule != .slowP95 || analysis.hasLatency {
                incidents += Self.runs(rule, buckets, width: traffic.bucketSeconds, floor: incidentFloor)
            }
            incidents.sort { ($0.start, $0.rule == .slowP95 ? 1 : 0) < ($1.start, $1.rule == .slowP95 ? 1 : 0) }
        }
        if let postgres = analysis.postgres, postgres.events > 0 {
            queries = postgres.queries
            queryP95 = postgres.queryDuration.quantile(0.95)
            postgresErrors = postgres.errors
            slowStatements = PostgresReport.topQueries(postgres, top: Self.notableCount, sort: .mean)
                .filter { $0.1.duration.count > 0 }
                .map { Statement(query: $0.0, calls: $0.1.calls + $0.1.unmeasured, mean: $0.1.duration.mean,
                                 p95: $0.1.duration.quantile(0.95), max: $0.1.duration.max) }
            errorGroups += postgres.errorTemplates.sorted { Double($0.count) }.prefix(Self.notableCount).map {
                ErrorGroup(source: "PostgreSQL", level: $0.value.severity.rawValue, count: $0.value.count, message: $0.key)
            }
        }
        if let application = analysis.application, application.events > 0 {
            applicationEvents = application.events
            applicationErrors = application.total.errors
            errorGroups += application.groups.top(Self.notableCount) { $0.isError }.map {
                ErrorGroup(source: "application", level: $0.level.name, count: $0.count, message: $0.template)
            }
        }
        errorGroups = Array(errorGroups.sorted { $0.count > $1.count }.prefix(Self.notableCount))
    }

    /// Runs of consecutive buckets (silent ones break a run) over `rule`'s threshold.
    static func runs(_ rule: Rule, _ buckets: [(start: Int64, stats: BucketStats)], width: Int64, floor: UInt64) -> [Incident] {
        var out: [Incident] = []
        var current: Incident?
        var criticalStart: Int64?
        for (start, stats) in buckets {
            let volume = rule == .slowP95 ? stats.latency.count : stats.requests
            if volume >= floor, let value = rule.measure(stats), value > rule.threshold {
                if rule == .serverErrors && value > criticalRate {
                    if criticalStart == nil || current?.end != start { criticalStart = start }
                } else {
                    criticalStart = nil
                }
                defer {
                    if let c = criticalStart, var run = current {
                        run.criticalSeconds = Swift.max(run.criticalSeconds, start &+ width &- c)
                        current = run
                    }
                }
                if var run = current, run.end == start {
                    run.end = start &+ width
                    run.buckets += 1
                    run.peak = Swift.max(run.peak, value)
                    run.requests += stats.requests
                    current = run
                } else {
                    if let run = current { out.append(run) }
                    current = Incident(rule: rule, start: start, end: start &+ width, buckets: 1, peak: value, requests: stats.requests)
                }
            } else {
                criticalStart = nil
                if let run = current { out.append(run) }
                current = nil
            }
        }
        if let run = current { out.append(run) }
        return out
    }

    /// How many incidents the summary lists; the rest are counted.
    public static let incidentsShown = 10

    /// `3m`, `1h 5m`, `45s`: how long a run lasted.
    public static func span(_ seconds: Int64) -> String {
        if seconds % 3600 == 0 { return "\(seconds / 3600)h" }
        if seconds >= 3600 && seconds % 60 == 0 { return "\(seconds / 3600)h \(seconds % 3600 / 60)m" }
        if seconds % 60 == 0 { return "\(seconds / 60)m" }
        return "\(seconds)s"
    }

    /// A peak as the rule measures it: `23.5%` or `6.2s`.
    public static func peakText(_ incident: Incident) -> String {
        incident.rule == .slowP95 ? TextReport.duration(incident.peak) : TextReport.percent(incident.peak)
    }

    /// `2026-11-24 10:05 .. 10:08` (the end's date only when it differs).
    public static func window(_ incident: Incident, _ zone: DisplayZone, seconds: Bool) -> String {
        let start = zone.short(incident.start, seconds: seconds)
        let end = zone.short(incident.end, seconds: seconds)
        return start.prefix(11) == end.prefix(11) ? "\(start) .. \(end.dropFirst(11))" : "\(start) .. \(end)"
    }
}
