import ArgumentParser
import Foundation
import LogAggregation
import LogInput
import LogParsing
import LogQuery
import LogReport
import LogsiftEngine

/// `--baseline START..END` or `--baseline -1d`: the query run twice, the rows joined by group.
extension QueryCommand {
    /// The baseline window as epoch seconds: a range read as --since/--until are, or the
    /// incident window moved back by a relative time (which needs --since and --until).
    static func baselineWindow(_ text: String, since: Int64?, until: Int64?, now: Int64, zone: ZoneRule) throws -> (Int64, Int64) {
        let shown = TerminalText.escaped(text)
        if let dots = text.range(of: "..") {
            let from = String(text[..<dots.lowerBound]), to = String(text[dots.upperBound...])
            guard let start = TimeBound.parse(from, now: now, zone: zone), let end = TimeBound.parse(to, now: now, zone: zone) else {
                throw ValidationError("--baseline '\(shown)': each side of .. is a time as --since takes (13:00..13:20, 2026-11-23T13:00..2026-11-23T13:20, -1d..-23h)")
            }
            guard start < end else { throw ValidationError("--baseline '\(shown)': the start must be before the end") }
            return (start, end)
        }
        guard text.hasPrefix("-"), let back = TimeBound.parse(text, now: 0, zone: .utc), back < 0 else {
            throw ValidationError("--baseline '\(shown)': give a window START..END (13:00..13:20) or how far back the same window lies (-1d, -1h, -7d)")
        }
        guard let since, let until else {
            throw ValidationError("--baseline \(shown) moves the --since/--until window back: give both (or a window, --baseline 13:00..13:20)")
        }
        return (since + back, until + back)
    }

    func runBaseline(_ parsed: Query, _ configuration: QueryConfiguration, window: (Int64, Int64), writer: LineWriter) throws {
        guard !parsed.aggregates.isEmpty else {
            throw ValidationError("--baseline compares aggregates; this query prints lines (add one, e.g. `\(TerminalText.escaped(query)) | count by path`)")
        }
        guard !count else { throw ValidationError("--count prints a line count; with --baseline use the aggregate `count`") }
        let byTime = parsed.keys.contains { if case .time = $0 { return true } else { return false } }
        if byTime && configuration.since == nil {
            throw ValidationError("--baseline with a time key (by 1m) compares bucket by bucket from the start of each window: give --since")
        }
        signal(SIGPIPE, SIG_IGN)
        // Both runs unsorted and unlimited: the join and its order come first.
        var whole = parsed
        whole.sort = []
        whole.limit = nil
        var base = configuration
        (base.since, base.until) = window
        let incident: QueryOutcome, baseline: QueryOutcome
        do {
            incident = try QueryRunner.run(whole, configuration) { _, _ in true }
            baseline = try QueryRunner.run(whole, base) { _, _ in true }
        } catch {
            throw ValidationError(pointing(error))
        }
        for note in incident.notes + baseline.notes.filter({ !incident.notes.contains($0) }) { Terminal.warn(note) }
        if incident.inWindow == 0 {
            Terminal.warn("no event in the incident window" + (incident.span.map { "; the logs read span \(TimeText.iso8601($0.lowerBound)) .. \(TimeText.iso8601($0.upperBound))" } ?? ""))
        }
        if !incident.exact || !baseline.exact { Terminal.warn("more groups than the table holds: the least seen were evicted, so counts may be short") }
        if baseline.inWindow == 0 {
            Terminal.warn("no event in the baseline window \(TimeText.iso8601(window.0)) .. \(TimeText.iso8601(window.1))")
        }
        let shift = (configuration.since ?? window.0) - window.0
        let joined = BaselineComparison.join(incident: incident.rows, baseline: baseline.rows, aggregates: parsed.aggregates, shift: shift)
        let rows: [BaselineComparison.Row]
        do {
            rows = try BaselineComparison.sorted(joined, parsed, columns: incident.columns, keys: incident.keyNames,
                                                 byTimeOnly: byTime && incident.keyNames.isEmpty)
        } catch {
            throw ValidationError(pointing(error))
        }
        _ = writer.write(Self.renderBaseline(rows, columns: incident.columns, keyNames: incident.keyNames, byTime: byTime, format))
        writer.flush()
        if let failure = writer.failure, failure != EPIPE {
            Terminal.warn("cannot write to standard output: \(String(cString: strerror(failure)))")
            throw ExitCode(ExitStatus.writeFailed)
        }
        try ExitStatus.check(incident.inputs)
    }

    /// Per aggregate `c`: columns `c`, `c:baseline`, `c:change`, `c:change%` (text) or
    /// `c:relative` (CSV, a ratio), then `presence` (new, gone or empty); JSON nests them.
    static func renderBaseline(_ rows: [BaselineComparison.Row], columns: [String], keyNames: [String], byTime: Bool, _ format: Output) -> String {
        func number(_ value: GroupRow.Value) -> String {
            switch value {
            case .number(let v): return format == .text ? tableNumber(v) : JSONValue.format(v)
            case .none: return "-"
            case .list(let items): return items.map { "\($0.0) (\($0.1))" }.joined(separator: ", ")
            }
        }
        func signed(_ v: Double?) -> String {
            guard let v else { return "-" }
            let text = format == .text ? tableNumber(v) : JSONValue.format(v)
            return format == .text && v > 0 ? "+" + text : text
        }
        func percent(_ r: Double?) -> String {
            guard let r else { return "-" }
            let p = DecimalRounding.significant(r * 100, digits: 3)
            return (p > 0 ? "+" : "") + JSONValue.format(p) + "%"
        }
        var header: [String] = byTime ? ["time"] : []
        header += keyNames
        for c in columns { header += [c, c + ":baseline", c + ":change", c + (format == .text ? ":change%" : ":relative")] }
        header.append("presence")
        func cells(_ row: BaselineComparison.Row) -> [String] {
            var out: [String] = byTime ? [row.bucket.map(TimeText.iso8601) ?? "-"] : []
            out += row.keys
            for cell in row.cells {
                out += [number(cell.incident), number(cell.baseline), signed(cell.change),
                        format == .text ? percent(cell.relative) : cell.relative.map(JSONValue.format) ?? "-"]
            }
            out.append(row.presence.rawValue)
            return out
        }
        switch format {
        case .text:
            if rows.isEmpty { Terminal.warn("no matching event in either window"); return "" }
            let left: Set<Int> = Set(0..<(header.count - 4 * columns.count - 1)).union([header.count - 1])
            return TextTable.render(header, rows.map(cells), leftColumns: left)
        case .csv:
            return ([header] + rows.map(cells)).map { $0.map(csvQuoted).joined(separator: ",") + "\n" }.joined()
        case .json:
            func json(_ value: GroupRow.Value) -> JSONValue {
                switch value {
                case .number(let v): return .double(v)
                case .none: return .null
                case .list(let items): return .array(items.map { .object([("value", .string($0.0)), ("count", .number($0.1))]) })
                }
            }
            var out = ""
            for row in rows {
                var object: [(String, JSONValue)] = []
                if byTime { object.append(("time", row.bucket.map { .string(TimeText.iso8601($0)) } ?? .null)) }
                for (k, v) in zip(keyNames, row.keys) { object.append((k, .string(v))) }
                for (name, cell) in zip(columns, row.cells) {
                    object.append((name, .object([("value", json(cell.incident)), ("baseline", json(cell.baseline)),
                                                  ("change", cell.change.map { .double($0) } ?? .null),
                                                  ("relative", cell.relative.map { .double($0) } ?? .null)])))
                }
                object.append(("presence", .string(row.presence == .both ? "both" : row.presence.rawValue)))
                out += JSONValue.object(object).rendered(pretty: false) + "\n"
            }
            return out
        }
    }
}
