import LogAggregation

/// The report as format-neutral content — headings, lines and tables of plain strings — for
/// the Markdown and HTML sinks, which escape every string they place (each may come from a
/// log). Built once from an `Analysis`; the charts of the HTML report read the analysis itself.
public struct ReportDocument: Sendable {
    public struct Cell: Sendable {
        /// What is shown (unescaped).
        public var text: String
        /// The exact number behind `text` (`12345` for `12,345`), for HTML `data-value`.
        public var value: String?
        /// Text from a log that may hold line breaks (a stack trace): kept as lines in HTML,
        /// shown with visible `\n` in Markdown.
        public var multiline = false
        /// Markdown cuts a cell of log text to this many characters to keep a ticket's width.
        public var cut: Int?

        public init(_ text: String, value: String? = nil, multiline: Bool = false, cut: Int? = nil) {
            self.text = text
            self.value = value
            self.multiline = multiline
            self.cut = cut
        }
    }

    public struct Table: Sendable {
        public var id: String
        public var title: String
        public var columns: [String]
        /// Columns aligned left (the others are numbers, aligned right).
        public var left: Set<Int>
        public var rows: [[Cell]]
        public var note: String?
    }

    public struct Section: Sendable {
        public var id: String
        public var title: String
        public var lines: [String] = []
        public var tables: [Table] = []
    }

    public struct Options: Sendable {
        public var top = 10
        public var zone: DisplayZone = .utc
        public var postgresSort: PostgresReport.SortKey = .total
        /// Buckets beyond this many are listed as the worst ones (all of them are charted).
        public var maxBucketRows = 30
        /// With `--baseline`: the comparison, shown in the summary and as the first section.
        public var comparison: ReportComparison?
        public init() {}
    }

    public var headerLines: [String] = []
    public var zone: DisplayZone
    public var summary: ReportSummary
    public var sections: [Section] = []

    /// How many characters of a path, message or statement a Markdown cell keeps.
    public static let cutPath = 70
    public static let cutText = 100

    static func number(_ n: UInt64) -> Cell { Cell(TextReport.count(n), value: String(n)) }
    /// Values are written as the JSON report writes them (`JSONValue.format`), so a page's
    /// `data-value` and the JSON agree to the digit.
    static func seconds(_ s: Double?) -> Cell { Cell(TextReport.duration(s), value: s.map(JSONValue.format)) }
    static func share(_ r: Double) -> Cell { Cell(TextReport.percent(r), value: JSONValue.format(r)) }

    public init(_ analysis: Analysis, options: Options = Options()) {
        zone = TextReport.displayZone(analysis, options.zone)
        summary = ReportSummary(analysis)
        let traffic = analysis.traffic
        if let range = analysis.timeRange {
            var line = "\(zone.stamp(range.first)) .. \(zone.stamp(range.last)), times in \(zone.name), buckets of \(TimeText.width(traffic.bucketSeconds))"
            if traffic.widenings > 0 { line += " (widened \(traffic.widenings)× to stay within the bucket cap)" }
            headerLines.append(line)
        }
        let unmatchedShare = analysis.totalLines == 0 ? 0 : Double(analysis.unmatched) / Double(analysis.totalLines)
        headerLines.append("\(TextReport.count(analysis.unmatched)) of \(TextReport.count(analysis.totalLines)) lines unmatched (\(TextReport.percent(unmatchedShare)))")

        var inputs = Section(id: "inputs", title: "Inputs")
        inputs.tables.append(Table(id: "inputs-table", title: "", columns: ["input", "format", "lines", "unmatched", "error"],
                                   left: [0, 1, 4], rows: analysis.inputs.map {
            [Cell($0.name), Cell($0.format), Self.number($0.lines), Self.number($0.unmatched),
             Cell($0.error ?? "", cut: Self.cutText)]
        }))
        sections.append(inputs)
        if let labels = LabelBreakdown(analysis) { sections.append(labels.section()) }
        if traffic.total.requests > 0 { sections.append(accessSection(analysis, options)) }
        if let postgres = analysis.postgres, postgres.events > 0 { sections.append(Self.postgresSection(postgres, options)) }
        if let application = analysis.application, application.events > 0 {
            sections.append(applicationSection(application, options))
        }
        if !analysis.samples.isEmpty {
            var section = Section(id: "unmatched", title: "Unmatched lines")
            section.tables.append(Table(id: "unmatched-table", title: "First \(analysis.samples.count) of \(TextReport.count(analysis.unmatched))",
                                        columns: ["input", "line", "text"], left: [0, 2], rows: analysis.samples.map {
                [Cell($0.input, cut: Self.cutPath), Self.number(UInt64($0.line)), Cell($0.text, cut: Self.cutText)]
            }))
            sections.append(section)
        }
        if let comparison = options.comparison {
            summary.changes = comparison.highlights
            sections.insert(comparison.section(zone), at: 0)
        }
    }

    func accessSection(_ analysis: Analysis, _ options: Options) -> Section {
        let traffic = analysis.traffic
        let total = traffic.total
        var section = Section(id: "access", title: "Access logs")
        section.lines.append("\(TextReport.count(total.requests)) requests, 4xx \(TextReport.percent(total.rate(ofClass: 4))), "
            + "5xx \(TextReport.percent(total.rate(ofClass: 5))), \(TextReport.bytes(total.bytes))")
        var columns = ["bucket", "requests", "4xx", "5xx"]
        if analysis.hasLatency { columns += ["p50", "p95", "p99", "max"] }
        func row(_ start: Int64, _ s: BucketStats) -> [Cell] {
            var cells = [Cell(zone.short(start, seconds: traffic.bucketSeconds < 60)), Self.number(s.requests),
                         Self.share(s.rate(ofClass: 4)), Self.share(s.rate(ofClass: 5))]
            if analysis.hasLatency {
                cells += [Self.seconds(s.latency.quantile(0.5)), Self.seconds(s.latency.quantile(0.95)),
                          Self.seconds(s.latency.quantile(0.99)), Self.seconds(s.latency.count > 0 ? s.latency.max : nil)]
            }
            return cells
        }
        let buckets = traffic.orderedBuckets
        if buckets.count <= options.maxBucketRows {
            section.tables.append(Table(id: "buckets", title: "Per \(TimeText.width(traffic.bucketSeconds))", columns: columns,
                                        left: [0], rows: buckets.map { row($0.start, $0.stats) }))
        } else {
            let floor = Ranking.minimumRequests(buckets.map(\.stats))
            let worst = buckets.filter { $0.stats.count(ofClass: 5) > 0 && $0.stats.requests >= floor }
                .map { (bucket: $0, score: Ranking.rateLowerBound($0.stats.count(ofClass: 5), of: $0.stats.requests)) }
                .sorted { ($0.score, $1.bucket.start) > ($1.score, $0.bucket.start) }.prefix(options.maxBucketRows / 2).map(\.bucket)
            section.tables.append(Table(id: "buckets", title: "Worst buckets by 5xx rate (of \(buckets.count) buckets of \(TimeText.width(traffic.bucketSeconds)); \(floor)+ requests)",
                                        columns: columns, left: [0], rows: worst.map { row($0.start, $0.stats) },
                                        note: worst.isEmpty ? "No 5xx in a bucket of \(floor)+ requests." : nil))
        }
        var status: [[Cell]] = []
        let all = Swift.max(1, total.requests)
        for (code, n) in traffic.statusCounts.enumerated() where n > 0 && code > 0 {
            status.append([Cell(String(code)), Self.number(n), Self.share(Double(n) / Double(all))])
        }
        if traffic.statusCounts[0] > 0 {
            status.append([Cell("other"), Self.number(traffic.statusCounts[0]), Self.share(Double(traffic.statusCounts[0]) / Double(all))])
        }
        section.tables.append(Table(id: "status", title: "Status", columns: ["status", "requests", "share"], left: [0], rows: status))
        if analysis.hasLatency {
            let l = total.latency
            section.tables.append(Table(id: "latency", title: "Latency (request_time, ±\(Int(LatencySketch.relativeAccuracy * 100))%)",
                                        columns: ["count", "p50", "p90", "p95", "p99", "max"], left: [], rows: [[
                Self.number(l.count), Self.seconds(l.quantile(0.5)), Self.seconds(l.quantile(0.9)), Self.seconds(l.quantile(0.95)),
                Self.seconds(l.quantile(0.99)), Self.seconds(l.count > 0 ? l.max : nil)]]))
        }
        var pathColumns = ["path", "requests", "5xx"]
        if analysis.hasLatency { pathColumns += ["p50", "p95"] }
        func pathRows(_ items: [(key: String, value: PathStats)]) -> [[Cell]] {
            items.map { item in
                let e = item.value
                var cells = [Cell(item.key, cut: Self.cutPath), Self.number(e.requests),
                             Self.share(e.requests == 0 ? 0 : Double(e.serverErrors) / Double(e.requests))]
                if analysis.hasLatency { cells += [Self.seconds(e.latency.quantile(0.5)), Self.seconds(e.latency.quantile(0.95))] }
                return cells
            }
        }
        let paths = traffic.paths
        if !paths.isEmpty {
            section.tables.append(Table(id: "top-paths", title: "Top paths by requests", columns: pathColumns, left: [0],
                                        rows: pathRows(paths.top(options.top) { Double($0.requests) }),
                                        note: paths.isExact ? nil : "Approximate: counts may be short by up to \(TextReport.count(paths.evictionFloor))."))
            if analysis.hasLatency {
                let floor = Ranking.minimumRequests(traffic.buckets)
                let slow = traffic.slowestPaths(options.top, minimumRequests: floor)
                section.tables.append(Table(id: "slow-paths", title: "Top paths by p95 latency (\(floor)+ timed requests)",
                                            columns: pathColumns, left: [0], rows: pathRows(slow),
                                            note: slow.isEmpty ? "No path of \(floor)+ timed requests." : nil))
            }
        }
        return section
    }

    static func postgresSection(_ a: PostgresAggregate, _ options: Options) -> Section {
        var section = Section(id: "postgres", title: "PostgreSQL")
        let d = a.queryDuration
        section.lines.append("\(TextReport.count(a.events)) events, \(TextReport.count(a.queries)) queries with a duration: total "
            + "\(TextReport.duration(d.sum)), p50 \(TextReport.duration(d.quantile(0.5))), p95 \(TextReport.duration(d.quantile(0.95))), "
            + "p99 \(TextReport.duration(d.quantile(0.99))), max \(TextReport.duration(d.count > 0 ? d.max : nil))")
        if a.errors > 0 { section.lines.append("\(TextReport.count(a.errors)) errors") }
        let columns = ["calls", "total", "mean", "p95", "max", "query"]
        func rows(_ items: [(String, PostgresQueryStats)]) -> [[Cell]] {
            items.map { fp, s in
                [number(s.calls + s.unmeasured), seconds(s.duration.sum), seconds(s.duration.mean),
                 seconds(s.duration.quantile(0.95)), seconds(s.duration.count > 0 ? s.duration.max : nil), Cell(fp, cut: cutText)]
            }
        }
        let exact = a.queryTable.isExact ? nil : "Approximate: \(TextReport.count(a.queryTable.evictedKeys)) rare fingerprints evicted."
        section.tables.append(Table(id: "top-queries", title: "Top queries by \(options.postgresSort.rawValue) time", columns: columns,
                                    left: [5], rows: rows(PostgresReport.topQueries(a, top: options.top, sort: options.postgresSort)), note: exact))
        let slowest = PostgresReport.topQueries(a, top: options.top, sort: .mean).filter { $0.1.duration.count > 0 }
        section.tables.append(Table(id: "slow-queries", title: "Slowest queries by mean time", columns: columns,
                                    left: [5], rows: rows(slowest), note: exact))
        let errors = a.errorTemplates.sorted { Double($0.count) }.prefix(options.top)
        if !errors.isEmpty {
            section.tables.append(Table(id: "postgres-errors", title: "Errors", columns: ["count", "level", "state", "message", "statement"],
                                        left: [1, 2, 3, 4], rows: errors.map { t, e in
                [number(e.count), Cell(e.severity.rawValue), Cell(e.sqlstate ?? ""), Cell(t, cut: cutText),
                 Cell(e.statement ?? "", multiline: true, cut: cutText)]
            }))
        }
        return section
    }

    func applicationSection(_ a: ApplicationAggregate, _ options: Options) -> Section {
        var section = Section(id: "application", title: "Application logs")
        let t = a.total
        var line = "\(TextReport.count(t.events)) events, error rate \(TextReport.percent(t.errorRate))"
        let parts = ApplicationReport.levelOrder.filter { t.of($0) > 0 }.map { "\($0.name) \(TextReport.count(t.of($0)))" }
        if !parts.isEmpty { line += " (" + parts.joined(separator: ", ") + ")" }
        section.lines.append(line)
        let groups = a.groups.top(options.top, bySeverity: true)
        section.tables.append(Table(
            id: "error-groups", title: "Error groups (fatal, then error, then warn)",
            columns: ["count", "level", "first seen", "last seen", "message", "sample"], left: [1, 2, 3, 4, 5],
            rows: groups.map { g in
                let seen = g.firstSeen <= g.lastSeen
                return [Self.number(g.count), Cell(g.level.name), Cell(seen ? zone.short(g.firstSeen, seconds: true) : "-"),
                        Cell(seen ? zone.short(g.lastSeen, seconds: true) : "-"), Cell(g.template, cut: Self.cutText),
                        Cell(g.sampleText, multiline: true, cut: Self.cutText)]
            },
            note: a.groups.isExact ? nil : "Approximate: counts may be short by up to \(TextReport.count(a.groups.evictionFloor))."))
        return section
    }
}
