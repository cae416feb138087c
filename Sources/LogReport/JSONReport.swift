import LogAggregation

/// The `--format json` report. Its schema is documented in `docs/json-schema.md`; keys are only
/// ever added, never renamed or removed, within one `schema` version.
public enum JSONReport {
    public static let schema = "logsift.report/1"
    public static let quantiles: [(String, Double)] = [("p50", 0.50), ("p90", 0.90), ("p95", 0.95), ("p99", 0.99)]

    public struct Options: Sendable {
        public var topPaths = 20
        public var postgresSort: PostgresReport.SortKey = .total
        /// With `--baseline`: written as the `baseline` member.
        public var comparison: ReportComparison?
        public init() {}
    }

    public static func render(_ analysis: Analysis, options: Options = Options()) -> String {
        value(analysis, options: options).rendered() + "\n"
    }

    static func latency(_ sketch: LatencySketch) -> JSONValue {
        var members: [(String, JSONValue)] = [("count", .number(sketch.count))]
        for (name, q) in quantiles { members.append((name, .optional(sketch.quantile(q)))) }
        members.append(("max", .optional(sketch.count > 0 ? sketch.max : nil)))
        members.append(("mean", .optional(sketch.mean)))
        return .object(members)
    }

    static func classes(_ stats: BucketStats) -> JSONValue {
        .object([("1xx", .number(stats.classes.1)), ("2xx", .number(stats.classes.2)),
                 ("3xx", .number(stats.classes.3)), ("4xx", .number(stats.classes.4)),
                 ("5xx", .number(stats.classes.5)), ("other", .number(stats.classes.0))])
    }

    public static func value(_ analysis: Analysis, options: Options = Options()) -> JSONValue {
        let traffic = analysis.traffic
        let total = traffic.total
        let inputs: [JSONValue] = analysis.inputs.map { input in
            .object([("name", .string(input.name)), ("format", .string(input.format)),
                     ("lines", .number(input.lines)), ("matched", .number(input.matched)),
                     ("unmatched", .number(input.unmatched)), ("blank", .number(input.blank)),
                     ("limit_exceeded", .number(input.limitExceeded)),
                     ("overlong_lines", .number(input.overlong)), ("bytes_read", .number(input.bytesRead)),
                     ("error", input.error.map { .string($0) } ?? .null)])
        }
        var status: [(String, JSONValue)] = []
        for (code, n) in traffic.statusCounts.enumerated() where n > 0 && code > 0 {
            status.append((String(code), .number(n)))
        }
        if traffic.statusCounts[0] > 0 { status.append(("other", .number(traffic.statusCounts[0]))) }

        let range = analysis.timeRange
        let buckets: [JSONValue] = traffic.orderedBuckets.map { start, stats in
            var members: [(String, JSONValue)] = [
                ("start", .string(TimeText.iso8601(start))), ("count", .number(stats.requests)),
                ("classes", classes(stats)), ("rate_4xx", .double(stats.rate(ofClass: 4))),
                ("rate_5xx", .double(stats.rate(ofClass: 5))), ("bytes", .number(stats.bytes)),
            ]
            if analysis.hasLatency { members.append(("latency", latency(stats.latency))) }
            return .object(members)
        }
        func pathObject(_ item: (key: String, value: PathStats)) -> JSONValue {
            let e = item.value
            var members: [(String, JSONValue)] = [
                ("path", .string(item.key)), ("count", .number(e.requests)),
                ("rate_4xx", .double(e.requests == 0 ? 0 : Double(e.clientErrors) / Double(e.requests))),
                ("rate_5xx", .double(e.requests == 0 ? 0 : Double(e.serverErrors) / Double(e.requests))),
                ("bytes", .number(e.bytes)),
            ]
            if analysis.hasLatency { members.append(("latency", latency(e.latency))) }
            return .object(members)
        }
        var topPaths: [(String, JSONValue)] = [
            ("exact", .bool(traffic.paths.isExact)),
            ("evicted_requests", .number(traffic.paths.evictedWeight)),
            ("max_count_error", .number(traffic.paths.evictionFloor)),
            ("by_count", .array(traffic.paths.top(options.topPaths) { Double($0.requests) }.map(pathObject))),
        ]
        if analysis.hasLatency {
            let floor = Ranking.minimumRequests(traffic.buckets)
            topPaths.append(("by_p95_min_requests", .number(floor)))
            topPaths.append(("by_p95", .array(traffic.slowestPaths(options.topPaths, minimumRequests: floor).map(pathObject))))
        }
        let samples: [JSONValue] = analysis.samples.map {
            .object([("input", .string($0.input)), ("line", .number($0.line)), ("text", .string($0.text))])
        }
        var totalMembers: [(String, JSONValue)] = [
            ("lines", .number(analysis.totalLines)), ("events", .number(analysis.matched)),
            ("requests", .number(total.requests)), ("unmatched", .number(analysis.unmatched)),
            ("untimed", .number(traffic.untimed)), ("bytes", .number(total.bytes)),
            ("status", .object(status)), ("classes", classes(total)),
            ("rate_4xx", .double(total.rate(ofClass: 4))), ("rate_5xx", .double(total.rate(ofClass: 5))),
        ]
        if analysis.hasLatency {
            totalMembers.append(("latency", latency(total.latency)))
            if total.upstream.count > 0 { totalMembers.append(("upstream_latency", latency(total.upstream))) }
        }
        var members: [(String, JSONValue)] = [
            ("schema", .string(schema)),
            ("inputs", .array(inputs)),
            ("time_range", range.map { .object([("first", .string(TimeText.iso8601($0.first))),
                                                 ("last", .string(TimeText.iso8601($0.last)))]) } ?? .null),
            ("bucket_seconds", .int(traffic.bucketSeconds)),
            ("latency_unit", .string("seconds")),
            ("latency_relative_error", .double(LatencySketch.relativeAccuracy)),
            ("total", .object(totalMembers)),
            ("unmatched_samples", .array(samples)),
            ("buckets", .array(buckets)),
            ("top_paths", .object(topPaths)),
            ("postgres", analysis.postgres.map { PostgresReport.json($0, top: options.topPaths, sort: options.postgresSort) } ?? .null),
            ("application", analysis.application.map { ApplicationReport.json($0, top: options.topPaths) } ?? .null),
        ]
        if let labels = LabelBreakdown(analysis) { members.append(("labels", labels.json())) }
        if let comparison = options.comparison { members.append(("baseline", comparison.json())) }
        return .object(members)
    }
}
