import LogAggregation

/// The terminal report: a header (inputs, time range, unmatched lines), then one section per
/// family of inputs on the same bucket width — access logs (per-bucket table or the worst
/// buckets, status mix, latency percentiles, top paths), PostgreSQL, application logs — and
/// the unmatched samples. Lines fit `width` columns.
public enum TextReport {
    public struct Options: Sendable {
        public var topPaths = 10
        /// Buckets beyond this many are summarised as the worst ones.
        public var maxBucketRows = 30
        public var width = 100
        /// Order of the PostgreSQL top-queries table.
        public var postgresSort: PostgresReport.SortKey = .total
        /// Application section: only the error groups.
        public var errorsOnly = false
        /// The zone times are shown in (`--tz`); UTC unless set.
        public var zone: DisplayZone = .utc
        /// With `--baseline`: the comparison, shown in the summary and after it.
        public var comparison: ReportComparison?
        public init() {}
    }

    public static func render(_ analysis: Analysis, options: Options = Options()) -> String {
        var options = options
        options.zone = displayZone(analysis, options.zone)
        var out = ""
        header(analysis, options.zone, into: &out)
        out += "\n"
        var summary = ReportSummary(analysis)
        summary.changes = options.comparison?.highlights ?? []
        self.summary(summary, analysis, options, into: &out)
        if let labels = LabelBreakdown(analysis) { out += labels.text() }
        if let comparison = options.comparison { changes(comparison.section(options.zone), into: &out) }
        let traffic = analysis.traffic
        var sections = 0
        if traffic.total.requests > 0 {
            sections += 1
            out += "\nAccess logs\n"
            requestSummary(traffic, into: &out)
            bucketTable(analysis, options, into: &out)
            statusMix(traffic, into: &out)
            if analysis.hasLatency { latencySection(traffic, into: &out) }
            topPaths(analysis, options, into: &out)
        }
        if let postgres = analysis.postgres, postgres.events > 0 {
            sections += 1
            out += PostgresReport.text(postgres, top: options.topPaths, sort: options.postgresSort, width: options.width,
                                       zone: options.zone)
        }
        if let application = analysis.application, application.events > 0 {
            sections += 1
            out += "\n"
            out += ApplicationReport.text(application, top: options.topPaths, width: options.width,
                                          errorsOnly: options.errorsOnly, zone: options.zone)
        }
        if sections == 0 { out += "\nNo event was recognised.\n" }
        samples(analysis, into: &out)
        // Each piece of input was escaped where it was placed (so columns line up); this is the
        // guard for any piece that was not.
        return TerminalText.escapedKeepingNewlines(out)
    }

    /// `zone`, labelling times with their offset when the report's times span more than one
    /// (the autumn hour that repeats would otherwise show twice under one label).
    public static func displayZone(_ analysis: Analysis, _ zone: DisplayZone) -> DisplayZone {
        guard let range = analysis.timeRange else { return zone }
        return zone.labellingOffsets(from: range.first, to: range.last)
    }

    // MARK: - Formatting helpers

    static func count(_ n: UInt64) -> String {
        let digits = String(n)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out += "," }
            out.append(c)
        }
        return out
    }

    static func percent(_ r: Double) -> String {
        let v = (r * 1000).rounded() / 10
        return "\(v)%"
    }

    /// Seconds shown as ms below 1 s: `12ms`, `1.25s`. Any double prints (a pattern can read
    /// `-99999999999999999999` as a request time): only values under a second in magnitude
    /// become an integer of milliseconds.
    static func duration(_ seconds: Double?) -> String {
        guard let s = seconds else { return "-" }
        if s > -1 && s < 1 { return "\(Int((s * 1000).rounded()))ms" }
        return "\((s * 100).rounded() / 100)s"
    }

    static func bytes(_ n: UInt64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var v = Double(n)
        var u = 0
        while v >= 1024 && u < units.count - 1 { v /= 1024; u += 1 }
        return u == 0 ? "\(n) B" : "\((v * 10).rounded() / 10) \(units[u])"
    }

    static func pad(_ s: String, _ width: Int, right: Bool = true) -> String {
        let n = s.count
        guard n < width else { return s }
        let fill = String(repeating: " ", count: width - n)
        return right ? fill + s : s + fill
    }

    /// Text from a log, escaped for the terminal, then shortened to `width` characters.
    static func cut(_ s: String, _ width: Int) -> String {
        let safe = TerminalText.escaped(s)
        return safe.count <= width ? safe : String(safe.prefix(max(1, width - 1))) + "…"
    }

    static func table(_ header: [String], _ rows: [[String]], leftColumns: Set<Int> = [0]) -> String {
        TextTable.render(header, rows, leftColumns: leftColumns)
    }

    // MARK: - Sections

    static func header(_ analysis: Analysis, _ zone: DisplayZone, into out: inout String) {
        let traffic = analysis.traffic
        out += "logsift report\n"
        for input in analysis.inputs {
            var line = "  \(TerminalText.escaped(input.name))  [\(input.format)]  \(count(input.lines)) lines"
            if input.unmatched > 0 { line += ", \(count(input.unmatched)) unmatched" }
            if input.overlong > 0 { line += ", \(count(input.overlong)) over the line cap (cut)" }
            if input.limitExceeded > 0 { line += ", \(count(input.limitExceeded)) hit the regex match limit" }
            out += line + "\n"
            if let guessed = input.guessedNginxFormat {
                out += "    read as --nginx-format '\(TerminalText.escaped(guessed))' (guessed from the first lines; pass your own to correct it)\n"
            }
            if let error = input.error { out += "    error: \(TerminalText.escaped(error))\n" }
        }
        if let range = analysis.timeRange {
            out += "Time range  \(zone.stamp(range.first)) .. \(zone.stamp(range.last))"
            out += "  (times in \(zone.name); buckets of \(TimeText.width(traffic.bucketSeconds))"
            if traffic.widenings > 0 { out += ", widened \(traffic.widenings)× to stay within the bucket cap" }
            out += ")\n"
        }
        let unmatchedShare = analysis.totalLines == 0 ? 0 : Double(analysis.unmatched) / Double(analysis.totalLines)
        out += "Unmatched   \(count(analysis.unmatched)) of \(count(analysis.totalLines)) lines (\(percent(unmatchedShare)))"
        if traffic.untimed > 0 { out += "; \(count(traffic.untimed)) matched lines had no readable time" }
        out += "\n"
    }

    static func requestSummary(_ traffic: TrafficAggregate, into out: inout String) {
        let total = traffic.total
        var summary = "Requests    \(count(total.requests))"
        summary += "   4xx \(percent(total.rate(ofClass: 4)))   5xx \(percent(total.rate(ofClass: 5)))"
        summary += "   bytes \(bytes(total.bytes))"
        out += summary + "\n"
    }

    static func bucketRow(_ start: Int64, _ stats: BucketStats, _ analysis: Analysis, _ zone: DisplayZone) -> [String] {
        var row = [zone.short(start, seconds: analysis.traffic.bucketSeconds < 60), count(stats.requests),
                   percent(stats.rate(ofClass: 4)), percent(stats.rate(ofClass: 5))]
        if analysis.hasLatency {
            row += [duration(stats.latency.quantile(0.5)), duration(stats.latency.quantile(0.95)),
                    duration(stats.latency.quantile(0.99)), duration(stats.latency.count > 0 ? stats.latency.max : nil)]
        }
        return row
    }

    static func bucketTable(_ analysis: Analysis, _ options: Options, into out: inout String) {
        let buckets = analysis.traffic.orderedBuckets
        guard !buckets.isEmpty else { return }
        var header = ["bucket", "requests", "4xx", "5xx"]
        if analysis.hasLatency { header += ["p50", "p95", "p99", "max"] }
        if buckets.count <= options.maxBucketRows {
            out += "\nPer \(TimeText.width(analysis.traffic.bucketSeconds))\n"
            out += table(header, buckets.map { bucketRow($0.start, $0.stats, analysis, options.zone) })
            return
        }
        let worst = options.maxBucketRows / 2
        // Ranked by volume-aware measures (see `Ranking`): a minute with one failed request
        // is not an incident.
        let floor = Ranking.minimumRequests(buckets.map(\.stats))
        out += "\nWorst buckets by 5xx rate (\(buckets.count) buckets of \(TimeText.width(analysis.traffic.bucketSeconds))"
        out += "; buckets of \(floor)+ requests, by the lower end of the rate's 95% interval)\n"
        let byErrors = buckets.filter { $0.stats.count(ofClass: 5) > 0 && $0.stats.requests >= floor }
            .map { (bucket: $0, score: Ranking.rateLowerBound($0.stats.count(ofClass: 5), of: $0.stats.requests)) }
            .sorted { ($0.score, $1.bucket.start) > ($1.score, $0.bucket.start) }.prefix(worst).map(\.bucket)
        out += byErrors.isEmpty ? "  (no 5xx in a bucket of \(floor)+ requests)\n"
            : table(header, byErrors.map { bucketRow($0.start, $0.stats, analysis, options.zone) })
        if analysis.hasLatency {
            out += "\nWorst buckets by p95 latency (buckets of \(floor)+ timed requests)\n"
            let bySlow = buckets.filter { $0.stats.latency.count >= floor }
                .sorted { ($0.stats.latency.quantile(0.95) ?? 0, $1.start) > ($1.stats.latency.quantile(0.95) ?? 0, $0.start) }
                .prefix(worst)
            out += bySlow.isEmpty ? "  (no bucket of \(floor)+ timed requests)\n"
                : table(header, bySlow.map { bucketRow($0.start, $0.stats, analysis, options.zone) })
        }
    }

    static func statusMix(_ traffic: TrafficAggregate, into out: inout String) {
        out += "\nStatus\n"
        let total = max(1, traffic.total.requests)
        var rows: [[String]] = []
        for (code, n) in traffic.statusCounts.enumerated() where n > 0 && code > 0 {
            rows.append([String(code), count(n), percent(Double(n) / Double(total))])
        }
        if traffic.statusCounts[0] > 0 {
            rows.append(["other", count(traffic.statusCounts[0]), percent(Double(traffic.statusCounts[0]) / Double(total))])
        }
        out += table(["status", "requests", "share"], rows)
    }

    static func latencySection(_ traffic: TrafficAggregate, into out: inout String) {
        let l = traffic.total.latency
        out += "\nLatency (request_time, ±\(Int(LatencySketch.relativeAccuracy * 100))%)\n"
        var rows = [["request", count(l.count), duration(l.quantile(0.5)), duration(l.quantile(0.9)),
                     duration(l.quantile(0.95)), duration(l.quantile(0.99)), duration(l.count > 0 ? l.max : nil)]]
        let u = traffic.total.upstream
        if u.count > 0 {
            rows.append(["upstream", count(u.count), duration(u.quantile(0.5)), duration(u.quantile(0.9)),
                         duration(u.quantile(0.95)), duration(u.quantile(0.99)), duration(u.max)])
        }
        out += table(["", "count", "p50", "p90", "p95", "p99", "max"], rows)
    }

    static func topPaths(_ analysis: Analysis, _ options: Options, into out: inout String) {
        let paths = analysis.traffic.paths
        guard !paths.isEmpty else { return }
        let pathWidth = max(20, options.width - (analysis.hasLatency ? 50 : 30))
        func rows(_ items: [(key: String, value: PathStats)]) -> [[String]] {
            items.map { item in
                let e = item.value
                var row = [cut(item.key, pathWidth), count(e.requests),
                           percent(e.requests == 0 ? 0 : Double(e.serverErrors) / Double(e.requests))]
                if analysis.hasLatency { row += [duration(e.latency.quantile(0.5)), duration(e.latency.quantile(0.95))] }
                return row
            }
        }
        var header = ["path", "requests", "5xx"]
        if analysis.hasLatency { header += ["p50", "p95"] }
        out += "\nTop paths by requests"
        if !paths.isExact { out += " (approximate: counts may be short by up to \(count(paths.evictionFloor)))" }
        out += "\n" + table(header, rows(paths.top(options.topPaths) { Double($0.requests) }))
        if analysis.hasLatency {
            let floor = Ranking.minimumRequests(analysis.traffic.buckets)
            out += "\nTop paths by p95 latency (paths of \(floor)+ timed requests)\n"
            let slow = analysis.traffic.slowestPaths(options.topPaths, minimumRequests: floor)
            out += slow.isEmpty ? "  (no path of \(floor)+ timed requests)\n" : table(header, rows(slow))
        }
    }

    static func samples(_ analysis: Analysis, into out: inout String) {
        guard !analysis.samples.isEmpty else { return }
        out += "\nUnmatched lines (first \(analysis.samples.count) of \(count(analysis.unmatched)))\n"
        for s in analysis.samples {
            out += "  \(TerminalText.escaped(s.input)):\(s.line): \(cut(s.text, 160))\n"
        }
    }
}
