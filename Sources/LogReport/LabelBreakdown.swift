import LogAggregation

/// The per-label section of a merged report (`merge` of saves made with `--label host=web1`,
/// `host=web2`, …): totals per label value — lines, requests, 5xx, p95 when request times were
/// logged, PostgreSQL and application events and errors. Shown only when the saves carry
/// more than one label value; every output (text, JSON, Markdown, HTML) takes its rows here.
public struct LabelBreakdown: Sendable {
    /// The column title: the label's name (`host`), or `label` when names differ.
    public let name: String
    public let columns: [String]
    /// Per value: the shown cells and, for JSON and HTML, the exact numbers.
    public let rows: [[(text: String, value: JSONValue)]]

    /// nil unless `analysis.labels` holds more than one value.
    public init?(_ analysis: Analysis) {
        let labels = analysis.labels
        guard labels.count > 1 else { return nil }
        let names = Set(labels.map(\.name).filter { !$0.isEmpty })
        name = names.count == 1 ? names.first! : "label"
        let requests = labels.contains { $0.requests > 0 }
        let latency = requests && analysis.hasLatency
        let events = labels.contains { $0.events > 0 }
        var columns = [name, "lines"]
        if requests { columns += ["requests", "5xx", "5xx rate"] }
        if latency { columns.append("p95") }
        if events { columns += ["events", "errors"] }
        self.columns = columns
        rows = labels.map { t in
            var row: [(text: String, value: JSONValue)] = [
                (t.value.isEmpty ? "(no label)" : t.value, .string(t.value)),
                (TextReport.count(t.lines), .number(t.lines)),
            ]
            if requests {
                row += [(TextReport.count(t.requests), .number(t.requests)), (TextReport.count(t.serverErrors), .number(t.serverErrors)),
                        (TextReport.percent(t.serverErrorRate), .double(t.serverErrorRate))]
            }
            if latency {
                let p95 = t.latency.quantile(0.95)
                row.append((TextReport.duration(p95), .optional(p95)))
            }
            if events { row += [(TextReport.count(t.events), .number(t.events)), (TextReport.count(t.errors), .number(t.errors))] }
            return row
        }
    }

    /// JSON keys of the columns.
    var keys: [String] {
        columns.enumerated().map { i, c in
            i == 0 ? "value" : (c == "5xx rate" ? "rate_5xx" : c)
        }
    }

    public var title: String { "Per \(name)" }

    /// The text report's section.
    public func text() -> String {
        "\n\(TerminalText.escaped(title))\n" + TextTable.render(columns, rows.map { $0.map(\.text) })
    }

    /// The JSON report's `labels` member: `{name, items: [{value, lines, requests, …}]}`.
    public func json() -> JSONValue {
        .object([("name", .string(name)),
                 ("items", .array(rows.map { row in .object(zip(keys, row.map(\.value)).map { ($0, $1) }) }))])
    }

    /// The Markdown and HTML reports' section.
    func section() -> ReportDocument.Section {
        var section = ReportDocument.Section(id: "labels", title: title)
        section.tables.append(ReportDocument.Table(
            id: "labels-table", title: "", columns: columns, left: [0],
            rows: rows.map { row in
                row.enumerated().map { i, cell in
                    i == 0 ? ReportDocument.Cell(cell.text, cut: ReportDocument.cutPath)
                        : ReportDocument.Cell(cell.text, value: cell.value.rendered(pretty: false))
                }
            }, note: nil))
        return section
    }
}
