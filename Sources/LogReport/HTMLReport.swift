import LogAggregation
import LogParsing

/// The `--format html` report: one self-contained page — inline CSS, charts drawn as inline
/// SVG, no script, no font, no image, nothing fetched (a Content-Security-Policy of
/// `default-src 'none'` says so to the browser too). It reads without JavaScript, narrows to a
/// phone's width (tables scroll sideways inside their box, charts scale), and prints.
///
/// Every string from a log goes through `escaped` (control scalars shown as `\x1b`, then
/// `& < > " '` as entities). Figures a script or a test may want carry their exact value in a
/// `data-value` attribute (`id="total-requests" data-value="2996"`), the same number the JSON
/// report gives.
public enum HTMLReport {
    public static func render(_ analysis: Analysis, options: ReportDocument.Options = ReportDocument.Options()) -> String {
        let doc = ReportDocument(analysis, options: options)
        var out = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
        <title>logsift report</title>
        <style>\(css)</style>
        </head>
        <body>
        <main>
        <h1>logsift report</h1>

        """
        for line in doc.headerLines { out += "<p class=\"meta\">\(escaped(line))</p>\n" }
        summary(doc, analysis, into: &out)
        charts(analysis, doc.zone, into: &out)
        for section in doc.sections {
            out += "<section id=\"\(section.id)\">\n<h2>\(escaped(section.title))</h2>\n"
            for line in section.lines { out += "<p>\(escaped(line))</p>\n" }
            for table in section.tables { out += self.table(table) }
            out += "</section>\n"
        }
        out += "</main>\n</body>\n</html>\n"
        return out
    }

    // MARK: - Escaping

    /// `s` as HTML text or attribute value: control scalars as visible escapes (newlines too
    /// unless `keepingNewlines`), then `&`, `<`, `>`, `"`, `'` as character references.
    public static func escaped(_ s: String, keepingNewlines: Bool = false) -> String {
        let visible = keepingNewlines ? TerminalText.escapedKeepingNewlines(s) : TerminalText.escaped(s)
        var out = ""
        out.reserveCapacity(visible.utf8.count)
        for ch in visible {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(ch)
            }
        }
        return out
    }

    // MARK: - Summary and tables

    static func figure(_ id: String, _ label: String, _ text: String, value: String?) -> String {
        let data = value.map { " data-value=\"\(escaped($0))\"" } ?? ""
        return "<div><dt>\(escaped(label))</dt><dd id=\"\(id)\"\(data)>\(escaped(text))</dd></div>\n"
    }

    static func summary(_ doc: ReportDocument, _ analysis: Analysis, into out: inout String) {
        let s = doc.summary
        out += "<section id=\"summary\">\n<h2>Summary</h2>\n<dl class=\"figures\">\n"
        if s.requests > 0 {
            out += figure("total-requests", "Requests", TextReport.count(s.requests), value: String(s.requests))
            out += figure("rate-4xx", "4xx", TextReport.percent(s.rate4xx), value: JSONValue.format(s.rate4xx))
            out += figure("rate-5xx", "5xx", TextReport.percent(s.rate5xx), value: JSONValue.format(s.rate5xx))
            if let p95 = s.p95 { out += figure("p95", "p95", TextReport.duration(p95), value: JSONValue.format(p95)) }
        }
        if let postgres = analysis.postgres, postgres.events > 0 {
            out += figure("queries", "SQL queries", TextReport.count(s.queries), value: String(s.queries))
            if let p95 = s.queryP95 { out += figure("query-p95", "query p95", TextReport.duration(p95), value: JSONValue.format(p95)) }
            out += figure("postgres-errors", "SQL errors", TextReport.count(s.postgresErrors), value: String(s.postgresErrors))
        }
        if s.applicationEvents > 0 {
            out += figure("app-events", "App events", TextReport.count(s.applicationEvents), value: String(s.applicationEvents))
            out += figure("app-errors", "App errors", TextReport.count(s.applicationErrors), value: String(s.applicationErrors))
        }
        out += "</dl>\n"
        if s.requests == 0 && s.applicationEvents == 0 && !(analysis.postgres.map { $0.events > 0 } ?? false) {
            out += "<p>Nothing to summarise: no event was recognised.</p>\n"
        }
        let zone = doc.zone
        let seconds = analysis.traffic.bucketSeconds < 60
        if s.requests > 0 && s.incidents.isEmpty {
            out += "<p class=\"ok\">No incident: no run of buckets over the runbook thresholds.</p>\n"
        }
        if !s.incidents.isEmpty {
            out += table(ReportDocument.Table(
                id: "incidents", title: "Incidents",
                columns: ["severity", "rule", "window", "length", "peak", "would alert"], left: [0, 1, 2, 5],
                rows: s.incidents.prefix(ReportSummary.incidentsShown).map { i in
                    [ReportDocument.Cell(i.severity), ReportDocument.Cell(i.rule.label),
                     ReportDocument.Cell(ReportSummary.window(i, zone, seconds: seconds)),
                     ReportDocument.Cell(ReportSummary.span(i.end - i.start)), ReportDocument.Cell(ReportSummary.peakText(i), value: JSONValue.format(i.peak)),
                     ReportDocument.Cell(i.wouldAlert ? "yes" : "no")]
                },
                note: "Runs of \(TimeText.width(analysis.traffic.bucketSeconds)) buckets of \(s.incidentFloor)+ requests over the runbook thresholds"
                    + (s.incidents.count > ReportSummary.incidentsShown ? "; \(s.incidents.count - ReportSummary.incidentsShown) more not shown." : ".")))
        }
        if !s.changes.isEmpty {
            out += "<h3>Biggest changes since baseline</h3>\n<ul id=\"summary-changes\">\n"
            for change in s.changes { out += "<li>\(escaped(change))</li>\n" }
            out += "</ul>\n"
        }
        if !s.errorGroups.isEmpty {
            out += table(ReportDocument.Table(
                id: "summary-errors", title: "Largest error groups", columns: ["count", "source", "level", "message"], left: [1, 2, 3],
                rows: s.errorGroups.map { [ReportDocument.number($0.count), ReportDocument.Cell($0.source),
                                           ReportDocument.Cell($0.level.lowercased()), ReportDocument.Cell($0.message)] }))
        }
        if !s.slowStatements.isEmpty {
            out += table(ReportDocument.Table(
                id: "summary-statements", title: "Slowest statements (by mean)", columns: ["mean", "max", "calls", "statement"], left: [3],
                rows: s.slowStatements.map { [ReportDocument.seconds($0.mean), ReportDocument.seconds($0.max),
                                              ReportDocument.number($0.calls), ReportDocument.Cell($0.query)] }))
        }
        out += "</section>\n"
    }

    static func table(_ t: ReportDocument.Table) -> String {
        var out = ""
        if !t.title.isEmpty { out += "<h3>\(escaped(t.title))</h3>\n" }
        if let note = t.note { out += "<p class=\"note\">\(escaped(note))</p>\n" }
        guard !t.rows.isEmpty else { return out }
        out += "<div class=\"scroll\"><table id=\"\(t.id)\">\n<thead><tr>"
        for (i, c) in t.columns.enumerated() { out += "<th\(t.left.contains(i) ? "" : " class=\"n\"")>\(escaped(c))</th>" }
        out += "</tr></thead>\n<tbody>\n"
        for row in t.rows {
            out += "<tr>"
            for (i, c) in row.enumerated() {
                var attributes = t.left.contains(i) ? "" : " class=\"n\""
                if let v = c.value { attributes += " data-value=\"\(escaped(v))\"" }
                out += c.multiline && !c.text.isEmpty
                    ? "<td\(attributes)><pre>\(escaped(c.text, keepingNewlines: true))</pre></td>"
                    : "<td\(attributes)>\(escaped(c.text))</td>"
            }
            out += "</tr>\n"
        }
        out += "</tbody>\n</table></div>\n"
        return out
    }

    // MARK: - Charts

    static func charts(_ analysis: Analysis, _ zone: DisplayZone, into out: inout String) {
        var figures = ""
        let traffic = analysis.traffic
        if traffic.total.requests > 0 {
            let buckets = traffic.orderedBuckets
            let starts = buckets.map(\.start)
            var chart = Chart(id: "requests", title: "Requests and 5xx rate per \(TimeText.width(traffic.bucketSeconds))",
                              starts: starts, width: traffic.bucketSeconds, zone: zone)
            chart.bars([buckets.map { Double($0.stats.requests) }], classes: ["requests"], unit: "requests")
            chart.line(buckets.map { $0.stats.requests > 0 ? $0.stats.rate(ofClass: 5) : nil }, class: "rate5xx", right: true, percent: true)
            figures += chart.svg(legend: [("requests", "requests"), ("rate5xx", "5xx rate (right axis)")])
            if analysis.hasLatency {
                var latency = Chart(id: "latency", title: "Latency p50 / p95 / p99 per \(TimeText.width(traffic.bucketSeconds))",
                                    starts: starts, width: traffic.bucketSeconds, zone: zone)
                let sketches = buckets.map(\.stats.latency)
                latency.scale(sketches.compactMap { $0.quantile(0.99) }, unit: "seconds")
                for (q, name) in [(0.5, "p50"), (0.95, "p95"), (0.99, "p99")] {
                    latency.line(sketches.map { $0.count > 0 ? $0.quantile(q) : nil }, class: name, right: false, percent: false)
                }
                figures += latency.svg(legend: [("p50", "p50"), ("p95", "p95"), ("p99", "p99")])
            }
        }
        if let application = analysis.application, application.events > 0 {
            let buckets = application.orderedBuckets
            var chart = Chart(id: "levels", title: "Application errors and warnings per \(TimeText.width(application.bucketSeconds))",
                              starts: buckets.map(\.start), width: application.bucketSeconds, zone: zone)
            chart.bars([buckets.map { Double($0.counts.of(.fatal)) }, buckets.map { Double($0.counts.of(.error)) },
                        buckets.map { Double($0.counts.of(.warn)) }], classes: ["fatal", "error", "warn"], unit: "events")
            figures += chart.svg(legend: [("fatal", "fatal"), ("error", "error"), ("warn", "warn")])
        }
        if let postgres = analysis.postgres, postgres.queries > 0 {
            let buckets = postgres.orderedBuckets
            var chart = Chart(id: "query-time", title: "PostgreSQL query time per \(TimeText.width(postgres.bucketSeconds)) (sum of durations) and p95",
                              starts: buckets.map(\.start), width: postgres.bucketSeconds, zone: zone)
            chart.bars([buckets.map { $0.stats.duration.sum }], classes: ["querytime"], unit: "seconds")
            let p95 = buckets.map { $0.stats.duration.count > 0 ? $0.stats.duration.quantile(0.95) : nil }
            chart.rightScale(p95.compactMap { $0 }, unit: "seconds")
            chart.line(p95, class: "p95", right: true, percent: false)
            figures += chart.svg(legend: [("querytime", "query time"), ("p95", "p95 (right axis)")])
        }
        guard !figures.isEmpty else { return }
        out += "<section id=\"charts\">\n<h2>Charts</h2>\n" + figures + "</section>\n"
    }

    static let css = """
    :root{color-scheme:light;--fg:#1d2330;--muted:#5b6475;--line:#d9dee7;--bg:#fff;--band:#f4f6f9}
    *{box-sizing:border-box}
    body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
    main{max-width:1100px;margin:0 auto;padding:16px}
    h1{font-size:1.5em;margin:.2em 0}h2{font-size:1.25em;border-bottom:2px solid var(--line);padding-bottom:.2em;margin-top:1.6em}
    h3{font-size:1.05em;margin:1.2em 0 .4em}
    .meta,.note{color:var(--muted);margin:.2em 0}
    .ok{color:#1b6b2f}
    dl.figures{display:flex;flex-wrap:wrap;gap:8px;margin:0}
    dl.figures div{background:var(--band);border-radius:6px;padding:6px 12px;min-width:120px}
    dt{font-size:.8em;color:var(--muted)}dd{margin:0;font-size:1.3em;font-weight:600;font-variant-numeric:tabular-nums}
    .scroll{overflow-x:auto;max-width:100%}
    table{border-collapse:collapse;font-size:.9em;min-width:50%}
    th,td{border-bottom:1px solid var(--line);padding:3px 8px;text-align:left;vertical-align:top;overflow-wrap:break-word}
    th{background:var(--band);white-space:nowrap}
    .n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
    pre{margin:0;white-space:pre-wrap;overflow-wrap:anywhere;font-size:.85em;max-height:16em;overflow:auto}
    figure{margin:1em 0}figcaption{font-weight:600;margin-bottom:.3em}
    svg.chart{width:100%;height:auto;display:block;background:var(--band);border-radius:4px}
    svg text{font:11px system-ui,sans-serif;fill:var(--muted)}
    .axis{stroke:#9aa3b2;stroke-width:1}
    .requests,.querytime{fill:#5b8def}.fatal{fill:#7b1e3a}.error{fill:#d9485f}.warn{fill:#f0a33a}
    polyline{fill:none;stroke-width:1.6}
    polyline.rate5xx{stroke:#d9485f}polyline.p50{stroke:#2f9e68}polyline.p95{stroke:#e07b24}polyline.p99{stroke:#8a3ffc}
    .legend span{display:inline-block;margin-right:12px;font-size:.85em}
    .legend i{display:inline-block;width:10px;height:10px;margin-right:4px;border-radius:2px}
    i.requests,i.querytime{background:#5b8def}i.rate5xx{background:#d9485f}i.p50{background:#2f9e68}i.p95{background:#e07b24}
    i.p99{background:#8a3ffc}i.fatal{background:#7b1e3a}i.error{background:#d9485f}i.warn{background:#f0a33a}
    @media (max-width:600px){main{padding:8px}body{font-size:14px}dd{font-size:1.1em}}
    @media print{body{font-size:11px}main{max-width:none;padding:0}.scroll{overflow:visible}
    figure,table,dl{break-inside:avoid}svg.chart,dl.figures div,th{background:none}pre{max-height:none}}
    """
}
