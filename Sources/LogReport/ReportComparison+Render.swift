import LogAggregation

/// The "Changes since baseline" section, once as format-neutral content (`ReportDocument`)
/// for the text, Markdown and HTML reports, and as the JSON report's `baseline` member.
extension ReportComparison {
    /// The section: a line naming the baseline, the headline figures, then the tables. Each
    /// table has, per measure, its value now and in the baseline, then the change of the
    /// ranking measure (absolute and relative) and the row's presence (new, gone or empty).
    public func section(_ zone: DisplayZone) -> ReportDocument.Section {
        typealias Cell = ReportDocument.Cell
        var section = ReportDocument.Section(id: "baseline", title: "Changes since baseline")
        var line = "Baseline: \(baselineInputs.count == 1 ? baselineInputs[0] : "\(baselineInputs.count) inputs"), "
            + "\(TextReport.count(baselineLines)) lines"
        if let range = baselineRange { line += ", \(zone.stamp(range.first)) .. \(zone.stamp(range.last))" }
        section.lines.append(line)
        func cell(_ v: Double?, _ unit: Unit) -> Cell { Cell(Self.value(v, unit), value: v.map(JSONValue.format)) }
        func changeCells(_ c: Change, _ unit: Unit) -> [Cell] {
            [Cell(c.change.map { Self.delta($0, unit) } ?? "-", value: c.change.map(JSONValue.format)),
             Cell(c.relative.map(Self.relative) ?? "-", value: c.relative.map(JSONValue.format))]
        }
        if !figures.isEmpty {
            section.tables.append(ReportDocument.Table(
                id: "baseline-figures", title: "", columns: ["figure", "before", "now", "change", "change %"], left: [0],
                rows: figures.map { f in
                    [Cell(f.measure.name), cell(f.change.baseline, f.measure.unit), cell(f.change.current, f.measure.unit)]
                        + changeCells(f.change, f.measure.unit)
                }))
        }
        for table in tables {
            var columns = table.keyNames
            for m in table.measures { columns += [m.name, m.name + " before"] }
            let ranked = table.measures[table.ranking]
            columns += [ranked.name + " change", "change %", "presence"]
            let long = table.keyNames.count - 1
            let rows: [[Cell]] = table.rows.map { row in
                var cells = row.keys.enumerated().map { i, k in
                    Cell(k, cut: i == long ? (table.id == "baseline-paths" ? ReportDocument.cutPath : ReportDocument.cutText) : nil)
                }
                for (m, c) in zip(table.measures, row.cells) { cells += [cell(c.current, m.unit), cell(c.baseline, m.unit)] }
                cells += changeCells(row.cells[table.ranking], ranked.unit)
                cells.append(Cell(row.presence.rawValue))
                return cells
            }
            section.tables.append(ReportDocument.Table(id: table.id, title: table.title, columns: columns,
                                                       left: Set(0..<table.keyNames.count).union([columns.count - 1]),
                                                       rows: rows, note: table.note))
        }
        return section
    }

    /// `{"value": now, "baseline": before, "change": now − before, "relative": change / |before|}`,
    /// as `query --baseline --format json` writes each column.
    static func json(_ c: Change) -> JSONValue {
        .object([("value", .optional(c.current)), ("baseline", .optional(c.baseline)),
                 ("change", .optional(c.change)), ("relative", .optional(c.relative))])
    }

    /// The JSON report's `baseline` member (see docs/json-schema.md).
    public func json() -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("inputs", .array(baselineInputs.map { .string($0) })),
            ("lines", .number(baselineLines)),
            ("time_range", baselineRange.map { .object([("first", .string(TimeText.iso8601($0.first))),
                                                        ("last", .string(TimeText.iso8601($0.last)))]) } ?? .null),
        ]
        var families: [(String, [(String, JSONValue)])] = []
        for f in figures {
            if let i = families.firstIndex(where: { $0.0 == f.family }) {
                families[i].1.append((f.measure.key, Self.json(f.change)))
            } else {
                families.append((f.family, [(f.measure.key, Self.json(f.change))]))
            }
        }
        members.append(("totals", .object(families.map { ($0.0, .object($0.1)) })))
        for table in tables {
            let keyNames: [String]
            let name: String
            switch table.id {
            case "baseline-paths": name = "paths"; keyNames = ["path"]
            case "baseline-errors": name = "error_groups"; keyNames = ["source", "level", "message"]
            default: name = "statements"; keyNames = ["query"]
            }
            members.append((name, .array(table.rows.map { row in
                var object: [(String, JSONValue)] = zip(keyNames, row.keys).map { ($0, .string($1)) }
                object.append(("presence", .string(row.presence == .both ? "both" : row.presence.rawValue)))
                for (m, c) in zip(table.measures, row.cells) { object.append((m.key, Self.json(c))) }
                return .object(object)
            })))
        }
        return .object(members)
    }
}
