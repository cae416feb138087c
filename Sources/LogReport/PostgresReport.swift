import LogAggregation
import LogParsing

/// The PostgreSQL section of the report, in text and JSON, placed beside the access-log section
/// on the same time axis (bucket starts as ISO 8601 UTC via `TimeText`).
///
/// Query durations are shown and written in **milliseconds** (PostgreSQL logs them so); session
/// durations and lock waits in seconds / milliseconds as named by their keys. Percentiles come
/// from `LatencySketch` (within 1% of the true value); totals, counts and max are exact.
///
/// JSON (`json(_:top:sort:)`), keys in this order:
///
/// - `duration_unit`: `"milliseconds"`; `latency_relative_error`: 0.01; `sort`: the sort key.
/// - `time_range`: `{first, last}` ISO 8601 UTC, or null; `bucket_seconds`.
/// - `totals`: `lines` (recognised, continuations included), `events`, `truncated_events`,
///   `untimed_events`, `queries` (statements with a duration), `queries_without_duration`,
///   `duration_only_lines` (unpaired `duration:` lines), `query_duration` (a duration object),
///   `parse_steps`/`bind_steps` (`{count, total_ms}`), `severities` (`{"LOG": n, "ERROR": n, …}`),
///   `query_types` (`{"SELECT": n, …, "COPY FROM", "COPY TO", "CTE", "DDL", "TCL", "CURSOR",
///   "OTHERS"}`), `queries_by_database` (`{db: n}`).
/// - `zone_abbreviations`: lines stamped with a zone abbreviation that is ambiguous (read with
///   its common offset) or unknown (read in the `--tz` zone): `[{abbreviation, reading:
///   "ambiguous" | "unknown", offset_seconds | null, lines}]`, empty when there is none.
/// - `buckets`: `[{start, events, queries, duration, errors, connections, disconnections,
///   autovacuums, autoanalyzes, checkpoints, temp_files, lock_waits, deadlocks}]`.
/// - `top_queries`: `{exact, evicted_calls, max_count_error, items: [{fingerprint, calls,
///   calls_without_duration, total_ms, mean_ms, max_ms, p50_ms, p95_ms, p99_ms, slowest:
///   {duration_ms, time, query, parameters, database, user} | null}]}`, sorted by `sort`.
/// - `slowest_queries`: the slowest individual executions, `[{duration_ms, time, query,
///   parameters, database, user}]`.
/// - `errors`: `{count, by_sqlstate: {code: n}, templates: [{template, count, severity,
///   sqlstate, example, statement}]}`.
/// - `connections`: `{received, authorized, by_user_database: {"user@db": n}, disconnections,
///   session_seconds: {count, total, mean, p50, p95, p99, max}}`.
/// - `checkpoints`: `{started, completed, buffers_written, write_seconds, sync_seconds,
///   total_seconds}`.
/// - `maintenance`: `{autovacuums, autoanalyzes, tables: [{table, vacuums, analyzes}]}`.
/// - `temp_files`: `{count, bytes, max_bytes}`; `locks`: `{waits, wait_ms: duration object,
///   deadlocks}`: one wait per `log_lock_waits` episode of a process, lasting the time of the
///   line that ended it (`acquired`, `detected deadlock while waiting`, `failed to acquire`), or
///   the `still waiting` time when no end was logged.
///
/// A duration object is `{count, total, mean, p50, p95, p99, max}` in the unit of its key (null
/// values when the count is 0).
public enum PostgresReport {
    public enum SortKey: String, CaseIterable, Sendable {
        case total, mean, max, calls

        func measure(_ s: PostgresQueryStats) -> Double {
            switch self {
            case .total: s.duration.sum
            case .mean: s.duration.mean ?? -1
            case .max: s.duration.count > 0 ? s.duration.max : -1
            case .calls: Double(s.calls + s.unmeasured)
            }
        }
    }

    // MARK: - JSON

    static func duration(_ sketch: LatencySketch, scale: Double) -> JSONValue {
        let has = sketch.count > 0
        func v(_ x: Double?) -> JSONValue { .optional(x.map { $0 * scale }) }
        return .object([
            ("count", .number(sketch.count)), ("total", .double(sketch.sum * scale)),
            ("mean", v(sketch.mean)), ("p50", v(sketch.quantile(0.5))), ("p95", v(sketch.quantile(0.95))),
            ("p99", v(sketch.quantile(0.99))), ("max", v(has ? sketch.max : nil)),
        ])
    }

    static func example(_ e: PostgresExample) -> JSONValue {
        .object([
            ("duration_ms", .double(e.seconds * 1000)),
            ("time", e.time.map { .string(TimeText.iso8601($0)) } ?? .null),
            ("query", .string(e.query)),
            ("parameters", e.parameters.map { .string($0) } ?? .null),
            ("database", e.database.map { .string($0) } ?? .null),
            ("user", e.user.map { .string($0) } ?? .null),
        ])
    }

    static func counters(_ table: KeyedTable<Counter>) -> JSONValue {
        .object(table.sorted { Double($0.count) }.map { ($0.key, .number($0.value.count)) })
    }

    static let severityNames: [(PostgresSeverityName, Int)] = [
        ("DEBUG", 1), ("INFO", 2), ("NOTICE", 3), ("WARNING", 4), ("LOG", 5), ("ERROR", 6), ("FATAL", 7), ("PANIC", 8),
    ]
    typealias PostgresSeverityName = String

    /// The section as JSON (keys in the type's doc comment).
    public static func json(_ a: PostgresAggregate, top: Int, sort: SortKey) -> JSONValue {
        let ms = 1000.0
        let hasTime = a.firstTime <= a.lastTime
        var severities: [(String, JSONValue)] = []
        for (name, index) in severityNames where a.severities[index] > 0 {
            severities.append((name, .number(a.severities[index])))
        }
        let types: [(String, JSONValue)] = PostgresQueryType.allCases.map { ($0.name, .number(a.queryTypes[$0.rawValue])) }
        let totals: JSONValue = .object([
            ("lines", .number(a.lines)), ("events", .number(a.events)),
            ("truncated_events", .number(a.truncatedEvents)), ("untimed_events", .number(a.untimed)),
            ("queries", .number(a.queries)), ("queries_without_duration", .number(a.unmeasuredQueries)),
            ("duration_only_lines", .number(a.durationOnly)),
            ("query_duration", duration(a.queryDuration, scale: ms)),
            ("parse_steps", .object([("count", .number(a.parseSteps.count)), ("total_ms", .double(a.parseSteps.sum * ms))])),
            ("bind_steps", .object([("count", .number(a.bindSteps.count)), ("total_ms", .double(a.bindSteps.sum * ms))])),
            ("severities", .object(severities)),
            ("query_types", .object(types)),
            ("queries_by_database", counters(a.queriesByDatabase)),
        ])
        let buckets: [JSONValue] = a.orderedBuckets.map { start, b in
            .object([
                ("start", .string(TimeText.iso8601(start))), ("events", .number(b.events)),
                ("queries", .number(b.queries)), ("duration", duration(b.duration, scale: ms)),
                ("errors", .number(b.errors)), ("connections", .number(b.connections)),
                ("disconnections", .number(b.disconnections)), ("autovacuums", .number(b.autovacuums)),
                ("autoanalyzes", .number(b.autoanalyzes)), ("checkpoints", .number(b.checkpoints)),
                ("temp_files", .number(b.tempFiles)), ("lock_waits", .number(b.lockWaits)),
                ("deadlocks", .number(b.deadlocks)),
            ])
        }
        let items: [JSONValue] = topQueries(a, top: top, sort: sort).map { fp, s in
            let d = s.duration
            func v(_ x: Double?) -> JSONValue { .optional(x.map { $0 * ms }) }
            return .object([
                ("fingerprint", .string(fp)), ("calls", .number(s.calls)),
                ("calls_without_duration", .number(s.unmeasured)),
                ("total_ms", .double(d.sum * ms)), ("mean_ms", v(d.mean)), ("max_ms", v(d.count > 0 ? d.max : nil)),
                ("p50_ms", v(d.quantile(0.5))), ("p95_ms", v(d.quantile(0.95))), ("p99_ms", v(d.quantile(0.99))),
                ("slowest", s.slowest.map(example) ?? .null),
            ])
        }
        let templates: [JSONValue] = a.errorTemplates.sorted { Double($0.count) }.prefix(top).map { t, e in
            .object([
                ("template", .string(t)), ("count", .number(e.count)), ("severity", .string(e.severity.rawValue)),
                ("sqlstate", e.sqlstate.map { .string($0) } ?? .null), ("example", .string(e.example)),
                ("statement", e.statement.map { .string($0) } ?? .null),
            ])
        }
        let tables: [JSONValue] = a.maintenance.sorted { Double($0.weight) }.prefix(top).map { t, m in
            .object([("table", .string(t)), ("vacuums", .number(m.vacuums)), ("analyzes", .number(m.analyzes))])
        }
        return .object([
            ("duration_unit", .string("milliseconds")),
            ("latency_relative_error", .double(LatencySketch.relativeAccuracy)),
            ("sort", .string(sort.rawValue)),
            ("time_range", hasTime ? .object([("first", .string(TimeText.iso8601(a.firstTime))),
                                              ("last", .string(TimeText.iso8601(a.lastTime)))]) : .null),
            ("bucket_seconds", .int(a.bucketSeconds)),
            ("totals", totals),
            ("zone_abbreviations", .array(a.doubtfulAbbreviations.map { u in
                .object([("abbreviation", .string(u.abbreviation)), ("reading", .string(u.reading.rawValue)),
                         ("offset_seconds", u.offset.map { .int(Int64($0)) } ?? .null), ("lines", .number(u.lines))])
            })),
            ("buckets", .array(buckets)),
            ("top_queries", .object([
                ("exact", .bool(a.queryTable.isExact)), ("evicted_calls", .number(a.queryTable.evictedWeight)),
                ("max_count_error", .number(a.queryTable.evictionFloor)), ("items", .array(items)),
            ])),
            ("slowest_queries", .array(a.slowestQueries.prefix(top).map(example))),
            ("errors", .object([
                ("count", .number(a.errors)), ("by_sqlstate", counters(a.errorsBySQLState)),
                ("templates", .array(templates)),
            ])),
            ("connections", .object([
                ("received", .number(a.connectionsReceived)), ("authorized", .number(a.connectionsAuthorized)),
                ("by_user_database", counters(a.connectionsByUserDatabase)),
                ("disconnections", .number(a.disconnections)),
                ("session_seconds", duration(a.sessionDuration, scale: 1)),
            ])),
            ("checkpoints", .object([
                ("started", .number(a.checkpointsStarted)), ("completed", .number(a.checkpoints)),
                ("buffers_written", .number(a.checkpointBuffers)),
                ("write_seconds", .double(Double(a.checkpointWriteMillis) / 1000)),
                ("sync_seconds", .double(Double(a.checkpointSyncMillis) / 1000)),
                ("total_seconds", .double(Double(a.checkpointTotalMillis) / 1000)),
            ])),
            ("maintenance", .object([
                ("autovacuums", .number(a.autovacuums)), ("autoanalyzes", .number(a.autoanalyzes)),
                ("tables", .array(tables)),
            ])),
            ("temp_files", .object([
                ("count", .number(a.tempFiles)), ("bytes", .number(a.tempFileBytes)), ("max_bytes", .number(a.tempFileMaxBytes)),
            ])),
            ("locks", .object([
                ("waits", .number(a.lockWaits)), ("wait_ms", duration(a.lockWaitDuration, scale: ms)),
                ("deadlocks", .number(a.deadlocks)),
            ])),
        ])
    }

    /// The `top` fingerprints by `sort` (ties by fingerprint text).
    public static func topQueries(_ a: PostgresAggregate, top: Int, sort: SortKey) -> [(String, PostgresQueryStats)] {
        a.queryTable.sorted(by: sort.measure).prefix(top).map { ($0.key, $0.value) }
    }

    // MARK: - Text

    static func count(_ n: UInt64) -> String { TextReport.count(n) }

    /// `+08:00`, `-06:00`, `+05:30`.
    static func offsetText(_ seconds: Int) -> String {
        let m = abs(seconds) / 60
        return (seconds < 0 ? "-" : "+") + TimeText.two(Int64(m / 60)) + ":" + TimeText.two(Int64(m % 60))
    }

    /// Milliseconds for a terminal: `0.42ms`, `12.3ms`, `1,234ms`, `12.5s`, `-`.
    static func ms(_ seconds: Double?) -> String {
        guard let s = seconds else { return "-" }
        let m = s * 1000
        if m < 1 { return "\((m * 100).rounded() / 100)ms" }
        if m < 100 { return "\((m * 10).rounded() / 10)ms" }
        if m < 10_000 { return "\(count(UInt64(m.rounded())))ms" }
        return "\((s * 10).rounded() / 10)s"
    }

    static func bytes(_ n: UInt64) -> String { TextReport.bytes(n) }

    static func cut(_ s: String, _ width: Int) -> String {
        let flat = TerminalText.escaped(s.split(whereSeparator: { $0 == "\n" || $0 == "\t" }).joined(separator: " "))
        return flat.count <= width ? flat : String(flat.prefix(max(1, width - 1))) + "…"
    }

    static func table(_ header: [String], _ rows: [[String]], left: Set<Int> = [0]) -> String {
        var widths = header.map(\.count)
        for row in rows { for (i, c) in row.enumerated() { widths[i] = max(widths[i], c.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in
                let fill = String(repeating: " ", count: max(0, widths[i] - c.count))
                return left.contains(i) ? c + fill : fill + c
            }.joined(separator: "  ")
        }
        return ([line(header)] + rows.map(line)).map { $0.replacingTrailingSpaces() }.joined(separator: "\n") + "\n"
    }

    /// The section as text for a terminal `width` columns wide.
    public static func text(_ a: PostgresAggregate, top: Int, sort: SortKey, width: Int, zone: DisplayZone = .utc) -> String {
        var out = "\nPostgreSQL\n"
        if a.firstTime <= a.lastTime {
            out += "  \(zone.stamp(a.firstTime)) to \(zone.stamp(a.lastTime)), buckets of \(TimeText.width(a.bucketSeconds))\n"
        }
        out += "  \(count(a.events)) events from \(count(a.lines)) lines; \(count(a.queries)) queries with a duration\n"
        out += "  query time: total \(ms(a.queryDuration.sum)), p50 \(ms(a.queryDuration.quantile(0.5))), p95 \(ms(a.queryDuration.quantile(0.95))), "
            + "p99 \(ms(a.queryDuration.quantile(0.99))), max \(ms(a.queryDuration.count > 0 ? a.queryDuration.max : nil))\n"
        if a.unmeasuredQueries > 0 { out += "  \(count(a.unmeasuredQueries)) statements logged without a duration\n" }
        if a.truncatedEvents > 0 { out += "  \(count(a.truncatedEvents)) events longer than the cap were cut\n" }
        if a.untimed > 0 { out += "  \(count(a.untimed)) events without a readable time (in totals, in no bucket)\n" }
        for u in a.doubtfulAbbreviations {
            let name = TerminalText.escaped(u.abbreviation)
            if let offset = u.offset {
                out += "  warning: \(count(u.lines)) \(u.lines == 1 ? "line" : "lines") stamped \(name): read as UTC\(offsetText(offset)), but other zones use \(name) too;"
                    + " name the zone that wrote the log with --tz (an IANA name such as Asia/Shanghai)\n"
            } else {
                out += "  warning: \(count(u.lines)) \(u.lines == 1 ? "line" : "lines") stamped \(name) (a zone abbreviation logsift does not know): read in the --tz zone;"
                    + " name the zone that wrote the log with --tz (an IANA name such as Africa/Lagos)\n"
            }
        }

        // Every bucket, silent ones as zeros (an outage shows), or the 30 busiest by query
        // count when there are more.
        let all = a.orderedBuckets
        let active = all.filter { $0.stats.events > 0 }
        if !active.isEmpty {
            let shown = all.count <= 30 ? all
                : Array(active.sorted { $0.stats.queries != $1.stats.queries ? $0.stats.queries > $1.stats.queries : $0.start < $1.start }
                    .prefix(30)).sorted { $0.start < $1.start }
            out += all.count <= 30 ? "\n  Per \(TimeText.width(a.bucketSeconds))\n" : "\n  Busiest 30 of \(active.count) buckets\n"
            let rows = shown.map { start, b in
                [zone.short(start, seconds: a.bucketSeconds < 60), count(b.queries), ms(b.duration.quantile(0.5)),
                 ms(b.duration.quantile(0.95)), ms(b.duration.quantile(0.99)), count(b.errors), count(b.connections)]
            }
            out += indent(table(["time", "queries", "p50", "p95", "p99", "errors", "conn"], rows))
        }

        let queries = topQueries(a, top: top, sort: sort)
        if !queries.isEmpty {
            out += "\n  Top \(queries.count) queries by \(sort.rawValue) time\(sort == .calls ? "" : "")"
                + (a.queryTable.isExact ? "" : " (approximate: \(count(a.queryTable.evictedKeys)) rare fingerprints evicted)") + "\n"
            let header = ["calls", "total", "mean", "p50", "p95", "p99", "max", "query"]
            var rows = queries.map { fp, s in
                [count(s.calls + s.unmeasured), ms(s.duration.sum), ms(s.duration.mean), ms(s.duration.quantile(0.5)),
                 ms(s.duration.quantile(0.95)), ms(s.duration.quantile(0.99)), ms(s.duration.count > 0 ? s.duration.max : nil), fp]
            }
            // The query gets what the numeric columns leave of the width (2 indent + 2 per gap).
            let numeric = (0..<7).map { i in rows.map { $0[i].count }.reduce(header[i].count, max) }.reduce(0, +)
            let room = max(20, width - 2 - numeric - 2 * 7)
            for i in rows.indices { rows[i][7] = cut(rows[i][7], room) }
            out += indent(table(header, rows, left: [7]))
            if let (fp, s) = queries.first, let e = s.slowest {
                out += "  Slowest run of the first: \(ms(e.seconds))" + (e.time.map { " at " + zone.stamp($0) } ?? "") + "\n"
                out += "    " + cut(e.query, max(20, width - 4)) + "\n"
                if let p = e.parameters { out += "    parameters: " + cut(p, max(20, width - 16)) + "\n" }
                _ = fp
            }
        }

        if a.errors > 0 || a.severities[Int(PostgresSeverity.warning.rawValue)] > 0 {
            out += "\n  Errors: \(count(a.errors))"
            let states = a.errorsBySQLState.sorted { Double($0.count) }.prefix(5)
            if !states.isEmpty { out += " (SQLSTATE " + states.map { "\($0.key) \(count($0.value.count))" }.joined(separator: ", ") + ")" }
            out += "\n"
            let rows = a.errorTemplates.sorted { Double($0.count) }.prefix(top).map { t, e in
                [count(e.count), e.severity.rawValue, e.sqlstate ?? "", cut(t, max(20, width - 30))]
            }
            if !rows.isEmpty { out += indent(table(["count", "level", "state", "message"], rows, left: [1, 2, 3])) }
        }

        if a.connectionsReceived + a.connectionsAuthorized + a.disconnections > 0 {
            out += "\n  Connections: \(count(a.connectionsReceived)) received, \(count(a.connectionsAuthorized)) authorized; "
                + "\(count(a.disconnections)) sessions ended"
            if a.sessionDuration.count > 0 {
                let s = a.sessionDuration
                out += ", session p50 \(seconds(s.quantile(0.5))), p95 \(seconds(s.quantile(0.95))), max \(seconds(s.max))"
            }
            out += "\n"
            let users = a.connectionsByUserDatabase.sorted { Double($0.count) }.prefix(5)
            if !users.isEmpty { out += "    " + users.map { "\($0.key) \(count($0.value.count))" }.joined(separator: ", ") + "\n" }
        }
        if a.checkpoints + a.checkpointsStarted > 0 {
            out += "\n  Checkpoints: \(count(a.checkpoints)) completed, \(count(a.checkpointBuffers)) buffers written; "
                + "write \(seconds(Double(a.checkpointWriteMillis) / 1000)), sync \(seconds(Double(a.checkpointSyncMillis) / 1000)), "
                + "total \(seconds(Double(a.checkpointTotalMillis) / 1000))\n"
        }
        if a.autovacuums + a.autoanalyzes > 0 {
            out += "\n  Autovacuum: \(count(a.autovacuums)) vacuums, \(count(a.autoanalyzes)) analyzes\n"
            let rows = a.maintenance.sorted { Double($0.weight) }.prefix(top).map { t, m in
                [cut(t, max(20, width - 24)), count(m.vacuums), count(m.analyzes)]
            }
            out += indent(table(["table", "vacuums", "analyzes"], rows))
        }
        if a.tempFiles > 0 {
            out += "\n  Temporary files: \(count(a.tempFiles)), \(bytes(a.tempFileBytes)) in all, largest \(bytes(a.tempFileMaxBytes))\n"
        }
        if a.lockWaits + a.deadlocks > 0 {
            out += "\n  Locks: \(count(a.lockWaits)) waits (p95 \(ms(a.lockWaitDuration.quantile(0.95))), max "
                + "\(ms(a.lockWaitDuration.count > 0 ? a.lockWaitDuration.max : nil))), \(count(a.deadlocks)) deadlocks\n"
        }
        return out
    }

    static func seconds(_ s: Double?) -> String {
        guard let s else { return "-" }
        if s < 1 { return ms(s) }
        if s < 60 { return "\((s * 10).rounded() / 10)s" }
        if s < 3600 { return "\((s / 6).rounded() / 10)min" }
        return "\((s / 360).rounded() / 10)h"
    }

    static func indent(_ s: String) -> String {
        s.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : "  " + $0 }.joined(separator: "\n")
    }
}

extension String {
    fileprivate func replacingTrailingSpaces() -> String {
        var s = Substring(self)
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
