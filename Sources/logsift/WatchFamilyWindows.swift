import Foundation
import LogAggregation
import LogReport
import LogsiftEngine

/// The window line and the live view of a PostgreSQL or application input (docs/watch.md,
/// "PostgreSQL and application inputs"): events, errors, durations in milliseconds, top
/// statements (PostgreSQL) and top error templates.
extension WindowSink {
    /// The window as one JSON object.
    func familyJSON(_ w: WindowSummary, family: LogFormat.Family) -> JSONValue {
        let t = w.totals
        var fields: [(String, JSONValue)] = [
            ("start", .string(TimeText.iso8601(w.start))),
            ("end", .string(TimeText.iso8601(w.end))),
            ("source", .string(family.rawValue)),
            ("events", .number(t.requests)),
            ("errors", .number(t.serverErrors)),
        ]
        if let field = engine?.durationField {
            func quantile(_ q: Double) -> JSONValue { .optional(t.durations.quantile(q)) }
            fields.append(("duration_ms", .object([
                ("field", .string(field)), ("p50", quantile(0.5)), ("p95", quantile(0.95)), ("p99", quantile(0.99)),
            ])))
        } else {
            fields.append(("duration_ms", .null))
        }
        if family == .postgres {
            func item(_ e: QueryCallTable.Entry) -> JSONValue {
                .object([("query", .string(e.query)), ("calls", .number(e.calls)), ("total_ms", .double(e.totalMilliseconds))])
            }
            fields.append(("top_queries", .array(t.queries.topByCalls(top).map(item))))
            fields.append(("top_queries_by_time", .array(t.queries.topByTotalDuration(top).map(item))))
        }
        fields.append(("top_errors", .array(t.errorTemplates.top(top).map {
            .object([("template", .string($0.key)), ("count", .number($0.count))])
        })))
        fields.append(("unmatched", .number(t.unmatched)))
        fields.append(("late", .number(t.late)))
        if w.skippedEmptyWindows > 0 { fields.append(("skipped_empty_windows", .number(w.skippedEmptyWindows))) }
        if !followers.isEmpty {
            fields.append(("rotations", .number(followers.reduce(0) { $0 + $1.rotations })))
            fields.append(("truncations", .number(followers.reduce(0) { $0 + $1.truncations })))
        }
        return .object(fields)
    }

    /// The view's lines for the window (after its time range): every text from the log escaped,
    /// and cut to `width` columns (the terminal's) so a long statement keeps one line.
    func familyView(_ w: WindowSummary, family: LogFormat.Family, width: Int) -> String {
        let t = w.totals
        let seconds = Double(max(1, w.end - w.start))
        let rate = String(format: "%.1f", Double(t.requests) / seconds)
        let share = t.requests > 0 ? String(format: "%.2f", Double(t.serverErrors) / Double(t.requests) * 100) : "0.00"
        var text = "events \(t.requests) (\(rate)/s) · errors \(t.serverErrors) (\(share)%)"
        if let field = engine?.durationField {
            func ms(_ q: Double) -> String { t.durations.quantile(q).map { Self.milliseconds($0) } ?? "-" }
            text += " · \(TerminalText.escaped(field)) p50 \(ms(0.5)) · p95 \(ms(0.95)) · p99 \(ms(0.99))"
        }
        text += "\n"
        func cut(_ s: String, _ columns: Int) -> String {
            let room = max(10, columns)
            let e = TerminalText.escaped(s)
            return e.count <= room ? e : String(e.prefix(max(1, room - 1))) + "…"
        }
        func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s.padding(toLength: n, withPad: " ", startingAt: 0) }
        if family == .postgres {
            let byCalls = t.queries.topByCalls(top)
            if !byCalls.isEmpty {
                text += "top statements by calls:\n"
                for e in byCalls {
                    text += "  \(pad(String(e.calls), 8))\(pad(Self.milliseconds(e.totalMilliseconds), 12))\(cut(e.query, width - 22))\n"
                }
            }
            let byTime = t.queries.topByTotalDuration(top)
            if !byTime.isEmpty {
                text += "top statements by total time:\n"
                for e in byTime {
                    text += "  \(pad(String(e.calls), 8))\(pad(Self.milliseconds(e.totalMilliseconds), 12))\(cut(e.query, width - 22))\n"
                }
            }
        }
        let errors = t.errorTemplates.top(top)
        if !errors.isEmpty {
            text += "top errors:\n"
            for (template, count) in errors { text += "  \(pad(String(count), 8))\(cut(template, width - 10))\n" }
        }
        return text
    }

    static func milliseconds(_ v: Double) -> String {
        v >= 100 ? String(format: "%.0f ms", v) : String(format: "%.2f ms", v)
    }
}
