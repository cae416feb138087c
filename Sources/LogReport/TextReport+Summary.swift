import LogAggregation

extension TextReport {
    /// The summary that opens the text report (see `ReportSummary`): a few lines that say
    /// whether the night was quiet, before the sections that say everything.
    static func summary(_ s: ReportSummary, _ analysis: Analysis, _ options: Options, into out: inout String) {
        out += "Summary\n"
        let zone = options.zone
        if s.requests == 0 && s.applicationEvents == 0 && !(analysis.postgres.map { $0.events > 0 } ?? false) {
            out += "  Nothing to summarise: no event was recognised.\n"
            return
        }
        if s.requests > 0 {
            var line = "  Requests \(count(s.requests))   4xx \(percent(s.rate4xx))   5xx \(percent(s.rate5xx))"
            if let p95 = s.p95 { line += "   p95 \(duration(p95))" }
            out += line + "\n"
        }
        if analysis.postgres.map({ $0.events > 0 }) ?? false {
            var line = "  PostgreSQL \(count(s.queries)) queries"
            if let p95 = s.queryP95 { line += ", p95 \(duration(p95))" }
            out += line + ", \(count(s.postgresErrors)) errors\n"
        }
        if s.applicationEvents > 0 {
            let rate = Double(s.applicationErrors) / Double(s.applicationEvents)
            out += "  Application \(count(s.applicationEvents)) events, \(count(s.applicationErrors)) errors (\(percent(rate)))\n"
        }
        if s.requests > 0 {
            if s.incidents.isEmpty {
                out += "  No incident: no run of buckets over the runbook thresholds (5xx > 5%\(analysis.hasLatency ? ", p95 > 5s" : ""))\n"
            } else {
                out += "  Incidents (runs of \(TimeText.width(analysis.traffic.bucketSeconds)) buckets of \(s.incidentFloor)+ requests over the runbook thresholds)\n"
                for incident in s.incidents.prefix(ReportSummary.incidentsShown) {
                    var line = "    \(incident.severity) \(incident.rule.label)  "
                    line += ReportSummary.window(incident, zone, seconds: analysis.traffic.bucketSeconds < 60)
                    line += " (\(ReportSummary.span(incident.end - incident.start)), peak \(ReportSummary.peakText(incident)))"
                    if incident.wouldAlert { line += "  would alert" }
                    out += line + "\n"
                }
                if s.incidents.count > ReportSummary.incidentsShown {
                    out += "    and \(s.incidents.count - ReportSummary.incidentsShown) more\n"
                }
            }
        }
        if !s.changes.isEmpty {
            out += "  Biggest changes since baseline\n"
            for change in s.changes { out += "    " + cut(change, max(20, options.width - 4)) + "\n" }
        }
        if !s.errorGroups.isEmpty {
            out += "  Largest error groups\n"
            for g in s.errorGroups {
                let head = "    \(count(g.count))× [\(g.source) \(g.level.lowercased())] "
                out += head + cut(g.message.replacingOccurrences(of: "\t", with: " "), max(20, options.width - head.count)) + "\n"
            }
        }
        if !s.slowStatements.isEmpty {
            out += "  Slowest statements (by mean)\n"
            for q in s.slowStatements {
                let head = "    mean \(duration(q.mean)), max \(duration(q.max)), \(count(q.calls)) calls  "
                out += head + cut(q.query, max(20, options.width - head.count)) + "\n"
            }
        }
    }
}

extension TextReport {
    /// The "Changes since baseline" section (`ReportComparison.section`) as text tables.
    static func changes(_ section: ReportDocument.Section, into out: inout String) {
        out += "\n\(section.title)\n"
        for line in section.lines { out += "  \(TerminalText.escaped(line))\n" }
        for table in section.tables {
            out += "\n"
            if !table.title.isEmpty { out += "\(table.title)\n" }
            if let note = table.note { out += "  \(note)\n" }
            guard !table.rows.isEmpty else { continue }
            out += TextTable.render(table.columns, table.rows.map { row in
                row.map { c in c.cut.map { TextReport.cut(c.text, $0) } ?? c.text }
            }, leftColumns: table.left)
        }
    }
}
