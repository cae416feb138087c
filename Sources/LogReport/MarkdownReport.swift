import LogAggregation

/// The `--format markdown` report: GitHub-flavoured Markdown to paste into a ticket or chat —
/// a title, the summary, then one `##` heading per section with its tables.
///
/// Every string that is placed (most come from logs: paths, messages, statements, file names)
/// goes through `escaped`, so no input can end a table row, open a code span, emphasis, a link
/// or raw HTML, or carry a control byte. Long cells are cut (`ReportDocument.cutPath`,
/// `cutText`) so that tables stay within a ticket's width.
public enum MarkdownReport {
    public static func render(_ analysis: Analysis, options: ReportDocument.Options = ReportDocument.Options()) -> String {
        render(ReportDocument(analysis, options: options), analysis)
    }

    static func render(_ doc: ReportDocument, _ analysis: Analysis) -> String {
        var out = "# logsift report\n\n"
        for line in doc.headerLines { out += escaped(line) + "  \n" }
        out += "\n## Summary\n\n"
        summary(doc.summary, doc.zone, analysis, into: &out)
        for section in doc.sections {
            out += "\n## \(escaped(section.title))\n\n"
            for line in section.lines { out += escaped(line) + "\n\n" }
            for table in section.tables {
                if !table.title.isEmpty { out += "### \(escaped(table.title))\n\n" }
                if let note = table.note { out += "_\(escaped(note))_\n\n" }
                guard !table.rows.isEmpty else { continue }
                out += MarkdownReport.table(table.columns, table.rows.map { $0.map(cell) }, left: table.left) + "\n"
            }
        }
        return out
    }

    static func summary(_ s: ReportSummary, _ zone: DisplayZone, _ analysis: Analysis, into out: inout String) {
        if s.requests == 0 && s.applicationEvents == 0 && !(analysis.postgres.map { $0.events > 0 } ?? false) {
            out += "Nothing to summarise: no event was recognised.\n"
            return
        }
        if s.requests > 0 {
            var line = "- **Requests** \(TextReport.count(s.requests)), 4xx \(TextReport.percent(s.rate4xx)), 5xx \(TextReport.percent(s.rate5xx))"
            if let p95 = s.p95 { line += ", p95 \(TextReport.duration(p95))" }
            out += escapedKeepingBold(line) + "\n"
        }
        if analysis.postgres.map({ $0.events > 0 }) ?? false {
            var line = "- **PostgreSQL** \(TextReport.count(s.queries)) queries"
            if let p95 = s.queryP95 { line += ", p95 \(TextReport.duration(p95))" }
            out += escapedKeepingBold(line + ", \(TextReport.count(s.postgresErrors)) errors") + "\n"
        }
        if s.applicationEvents > 0 {
            let rate = Double(s.applicationErrors) / Double(s.applicationEvents)
            out += escapedKeepingBold("- **Application** \(TextReport.count(s.applicationEvents)) events, "
                + "\(TextReport.count(s.applicationErrors)) errors (\(TextReport.percent(rate)))") + "\n"
        }
        if s.requests > 0 && s.incidents.isEmpty {
            out += "- " + escaped("No incident: no run of buckets over the runbook thresholds") + "\n"
        }
        if !s.incidents.isEmpty {
            out += "\n### Incidents\n\n"
            out += escaped("Runs of \(TimeText.width(analysis.traffic.bucketSeconds)) buckets of \(s.incidentFloor)+ requests over the runbook thresholds.") + "\n\n"
            let rows = s.incidents.prefix(ReportSummary.incidentsShown).map { i in
                [i.severity, i.rule.label, ReportSummary.window(i, zone, seconds: analysis.traffic.bucketSeconds < 60),
                 ReportSummary.span(i.end - i.start), ReportSummary.peakText(i), i.wouldAlert ? "yes" : "no"].map { escaped($0) }
            }
            out += table(["severity", "rule", "window", "length", "peak", "would alert"], rows, left: [0, 1, 2, 5]) + "\n"
            if s.incidents.count > ReportSummary.incidentsShown {
                out += escaped("And \(s.incidents.count - ReportSummary.incidentsShown) more.") + "\n\n"
            }
        }
        if !s.changes.isEmpty {
            out += "\n### Biggest changes since baseline\n\n"
            for change in s.changes { out += "- " + escaped(cut(change, ReportDocument.cutText + 40)) + "\n" }
        }
        if !s.errorGroups.isEmpty {
            out += "\n### Largest error groups\n\n"
            let rows = s.errorGroups.map { g in
                [escaped(TextReport.count(g.count)), escaped(g.source), escaped(g.level.lowercased()),
                 escaped(cut(g.message, ReportDocument.cutText))]
            }
            out += table(["count", "source", "level", "message"], rows, left: [1, 2, 3]) + "\n"
        }
        if !s.slowStatements.isEmpty {
            out += "\n### Slowest statements (by mean)\n\n"
            let rows = s.slowStatements.map { q in
                [TextReport.duration(q.mean), TextReport.duration(q.max), TextReport.count(q.calls)].map { escaped($0) }
                    + [escaped(cut(q.query, ReportDocument.cutText))]
            }
            out += table(["mean", "max", "calls", "statement"], rows, left: [3]) + "\n"
        }
    }

    static func cell(_ c: ReportDocument.Cell) -> String {
        escaped(c.cut.map { cut(c.text, $0) } ?? c.text)
    }

    /// `s` shortened to `limit` characters (an ellipsis marks the cut).
    static func cut(_ s: String, _ limit: Int) -> String {
        s.count <= limit ? s : String(s.prefix(Swift.max(1, limit - 1))) + "…"
    }

    /// A GitHub-flavoured table; cells must already be escaped.
    public static func table(_ columns: [String], _ rows: [[String]], left: Set<Int>) -> String {
        var out = "| " + columns.map { escaped($0) }.joined(separator: " | ") + " |\n"
        out += "|" + columns.indices.map { left.contains($0) ? " :-- " : " --: " }.joined(separator: "|") + "|\n"
        for row in rows { out += "| " + row.map { $0.isEmpty ? " " : $0 }.joined(separator: " | ") + " |\n" }
        return out
    }

    /// Characters that mean something inline in GitHub-flavoured Markdown: the escape itself,
    /// code spans, emphasis, strikethrough, links and images, raw HTML and autolinks,
    /// entities, and the table's cell separator. Each is written with a backslash before it,
    /// which CommonMark defines as the literal character for any ASCII punctuation.
    static let special: Set<Character> = ["\\", "`", "*", "_", "~", "[", "]", "<", ">", "&", "|"]
    /// Characters that open a block (heading, list, quote, setext underline) at a line's start.
    static let blockStart: Set<Character> = ["#", "-", "+", "="]

    /// `s` on one line, with control scalars (line breaks included) shown as visible escapes
    /// (`\n`, `\x1b`, see `TerminalText`) and every Markdown character escaped, so it reads as
    /// the same characters inside a table cell, a heading or a list item.
    public static func escaped(_ s: String) -> String {
        var out = ""
        let text = TerminalText.escaped(s)
        // `#`, `-`, `+`, `=` at a line's start open a heading, a list or an underline.
        if let first = text.first, blockStart.contains(first) { out.append("\\") }
        for ch in text {
            if special.contains(ch) { out.append("\\") }
            out.append(ch)
        }
        return out
    }

    /// `escaped`, leaving this module's own `**bold**` markers and a leading `- ` list marker.
    static func escapedKeepingBold(_ s: String) -> String {
        var body = Substring(s)
        var prefix = ""
        if body.hasPrefix("- ") { prefix = "- "; body = body.dropFirst(2) }
        return prefix + body.components(separatedBy: "**").map { escaped($0) }.joined(separator: "**")
    }
}
