import ArgumentParser
import Foundation
import LogAggregation
import LogInput
import LogParsing
import LogQuery
import LogReport
import LogsiftEngine

struct QueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Ask logs a question: filter on fields, aggregate by fields and time, or print the matching lines (or entries).",
        discussion: """
        A query is FILTER | AGGREGATES by KEYS | sort COLUMN [desc] | limit N, every stage optional (docs/query.md). Without aggregates the matching lines are printed, as grep would, but on fields; from several logs (web1/access.log web2/access.log app.log) in time order across them, each rotated set as one sequence (--keep-order: input after input). Every family `logsift detect` recognises is read (plain, gzip, rotated sets, stdin): access logs (status, path, request_time…), PostgreSQL (severity, sqlstate, user, database, duration_ms, query…, one event per entry with its DETAIL/STATEMENT lines), application logs (level, service, message, template, and every JSON/logfmt key). A field no input has is an error; inputs without it are named in a note. `logsift fields FILE…` lists each input's fields.

        Examples:
          logsift query 'status >= 500' access.log*
          logsift query 'status >= 500 | count by path' access.log*
          logsift query 'path ~ "^/api/orders" | count, p95(request_time), rate(status >= 500) by 1m' --since 14:00 --until 14:05 access.log*
          logsift query 'method in (POST, PUT, DELETE) | count by method, status' access.log
          logsift query 'request_time > 2s | count by path | limit 10' access.log
          logsift query 'count by 1m' --since 09:00 --until 11:00 access.log
          logsift query 'status >= 500 | count by remote_addr | limit 10' --format json access.log
          logsift query 'duration_ms > 1s | count, sum(duration_ms), p95(duration_ms) by query' postgresql.log*
          logsift query 'severity >= error | count by sqlstate, database' postgresql.log
          logsift query 'level >= error | count by service, template | sort count desc | limit 20' app.log*
          logsift query 'response_time > 5 | p95(response_time) by 5m' app.jsonl
          logsift query 'status >= 500 | count by 1m' access.log app.jsonl
          logsift query 'status >= 500 | count by path' --since 14:00 --until 14:20 --baseline -1d access.log*

        Times: --since and --until take ISO 8601 (2026-11-24T14:00:00Z; without a zone, in --tz), a time of day today (14:00), a relative time (-15m, -2h, -1d), today or yesterday. A plain file is entered by binary search to --since, and reading stops after --until (times may be 60 s out of order; more is detected and the file read whole; --full-scan reads everything). Exit status as for report: 0, 1 (an input could not be read), 64 (usage or query error, with line:column), 65 (nothing recognised), 74 (output not written).
        """
    )

    @Argument(help: "The query, e.g. 'status >= 500 | count by path'.")
    var query: String

    @Argument(help: "Logs to read (access, PostgreSQL, application); `-` for standard input (the default when stdin is a pipe).")
    var inputs: [String] = []

    @Option(name: .long, parsing: .unconditional, help: "Only events at or after this time: 2026-11-24T14:00:00Z, 14:00, -15m, yesterday, epoch seconds.")
    var since: String?

    @Option(name: .long, parsing: .unconditional, help: "Only events before this time (same forms as --since).")
    var until: String?

    @Option(name: .long, parsing: .unconditional, help: "Zone of times written without one, and of --since/--until without one: local (default), UTC, +0100, Europe/Berlin…")
    var tz: String = "local"

    @Option(name: .long, help: "Output: text (a table, or the lines), json (one object per row or line), csv.")
    var format: Output = .text

    @Flag(name: .long, help: "Print only how many lines match (queries without aggregates).")
    var count = false

    @Flag(name: .long, help: "Read inputs in the order given instead of oldest rotated file first, and print lines input after input instead of merged by time.")
    var keepOrder = false

    @Option(name: .long, parsing: .unconditional, help: "Compare with a calm window: START..END (13:00..13:20) or the --since/--until window moved back (-1d, -1h). Per group: value, baseline, change, change%, new/gone.")
    var baseline: String?

    @Flag(name: .long, help: "Read every line of every input, even where --since/--until let a plain file be seeked or a read stop early (to check or time the seek).")
    var fullScan = false

    @Option(name: .long, parsing: .unconditional, help: "Worker threads for a query over a big plain access log (aggregating, or printing lines in file order), 1-256 (default: one per core).")
    var jobs: Int?

    @Option(name: .long, parsing: .unconditional, help: "Groups an aggregate keeps at most, 2-10000000 (default 50000; a fifth with percentiles, a tenth with distinct or top). Past it the least-seen half is evicted: the output then says exact: false and how many events the evicted groups held.")
    var maxGroups: Int = GroupedAggregation.defaultMaxGroups

    /// Files at least this big are cut between workers (tests use small values).
    @Option(name: .long, parsing: .unconditional, help: .hidden)
    var splitBytes: Int = 8 << 20

    /// Bytes per chunk when the lines of a big plain log are filtered on several cores (tests use small values).
    @Option(name: .long, parsing: .unconditional, help: .hidden)
    var chunkBytes: Int = 4 << 20

    enum Output: String, ExpressibleByArgument, CaseIterable { case text, json, csv }

    func validate() throws {
        if let jobs { try OptionRange.check(jobs, in: OptionRange.jobs, option: "--jobs") }
        guard (2...10_000_000).contains(maxGroups) else { throw ValidationError("--max-groups must be 2-10000000") }
        guard splitBytes >= 1 else { throw ValidationError("--split-bytes must be at least 1") }
        guard chunkBytes >= 1 else { throw ValidationError("--chunk-bytes must be at least 1") }
    }

    func run() throws {
        let parsed: Query
        do { parsed = try QueryParser.parse(query) } catch { throw ValidationError(pointing(error)) }
        let zone = try TimeZoneOption.parse(tz)
        let now = Int64(Date().timeIntervalSince1970)
        var configuration = QueryConfiguration(inputs: [])
        for (name, value) in [("--since", since), ("--until", until)] {
            guard let value else { continue }
            guard let t = TimeBound.parse(value, now: now, zone: zone) else {
                throw ValidationError("\(name) '\(TerminalText.escaped(value))': give 2026-11-24T14:00:00Z, 14:00, -15m, today, yesterday or epoch seconds")
            }
            if name == "--since" { configuration.since = t } else { configuration.until = t }
        }
        if let s = configuration.since, let u = configuration.until, s >= u {
            throw ValidationError("--since must be before --until")
        }
        if count && !parsed.aggregates.isEmpty {
            throw ValidationError("--count counts matching lines; this query has aggregates (add `count` to them instead)")
        }
        var paths = inputs
        if paths.isEmpty {
            guard isatty(0) == 0 else {
                throw ValidationError("name the log files to read, or pipe a log in (e.g. `zcat access.log.2.gz | logsift query 'status >= 500' -`)")
            }
            paths = ["-"]
        }
        configuration.inputs = paths.map(InputSpec.init(path:))
        configuration.zone = zone
        configuration.keepOrder = keepOrder
        configuration.seek = !fullScan
        if let jobs { configuration.workers = jobs }
        configuration.splitThreshold = splitBytes
        configuration.maxGroups = maxGroups
        configuration.timeOrder = !count
        configuration.countOnly = count
        configuration.printChunkSize = chunkBytes

        if let baseline {
            let window = try QueryCommand.baselineWindow(baseline, since: configuration.since, until: configuration.until, now: now, zone: zone)
            return try runBaseline(parsed, configuration, window: window, writer: LineWriter())
        }

        // `| head`: a closed pipe is EPIPE at the next write, which stops the query quietly.
        signal(SIGPIPE, SIG_IGN)
        let several = paths.count > 1
        let terminal = isatty(1) != 0
        let writer = LineWriter()
        var wroteHeader = false
        let outcome: QueryOutcome
        do {
            outcome = try QueryRunner.run(parsed, configuration) { input, bytes in
                if count { return true }
                switch format {
                case .json:
                    var object: [(String, JSONValue)] = []
                    if several { object.append(("input", .string(input))) }
                    object.append(("line", .string(String(decoding: bytes, as: UTF8.self))))
                    return writer.write(JSONValue.object(object).rendered(pretty: false) + "\n")
                case .csv:
                    var cells = [String(decoding: bytes, as: UTF8.self)]
                    if several { cells.insert(input, at: 0) }
                    if !wroteHeader { wroteHeader = true; _ = writer.write((several ? "input,line" : "line") + "\n") }
                    return writer.write(cells.map(QueryCommand.csvQuoted).joined(separator: ",") + "\n")
                case .text:
                    if several { if !writer.write((terminal ? TerminalText.escaped(input) : input) + ":") { return false } }
                    if terminal { return writer.write(TerminalText.escaped(String(decoding: bytes, as: UTF8.self)) + "\n") }
                    return writer.write(bytes) && writer.write("\n")
                }
            }
        } catch {
            throw ValidationError(pointing(error))
        }
        for note in outcome.notes { Terminal.warn(note) }
        if configuration.since != nil || configuration.until != nil, outcome.inWindow == 0, let span = outcome.span {
            Terminal.warn("no event in the time window; the logs read span \(TimeText.iso8601(span.lowerBound)) .. \(TimeText.iso8601(span.upperBound))"
                + " (a time of day such as 14:00 means today in --tz)")
        }
        if parsed.aggregates.isEmpty {
            if count { _ = writer.write("\(outcome.matchedLines)\n") }
        } else {
            if !outcome.exact { Terminal.warn("more groups than the table holds: the least seen were evicted, so counts may be short") }
            _ = writer.write(QueryCommand.render(outcome, format))
            if !outcome.exact { _ = writer.write(QueryCommand.inexactNote(outcome, format)) }
        }
        writer.flush()
        if let failure = writer.failure, failure != EPIPE {
            Terminal.warn("cannot write to standard output: \(String(cString: strerror(failure)))")
            throw ExitCode(ExitStatus.writeFailed)
        }
        if outcome.inputs.allSatisfy({ $0.lines == 0 && $0.error == nil }) && !outcome.notes.isEmpty {
            Terminal.warn("no input could be queried")
            throw ExitCode(ExitStatus.nothingRecognised)
        }
        try ExitStatus.check(outcome.inputs)
    }

    /// The error, then the query line it is about with a caret under the column.
    func pointing(_ error: QueryError) -> String {
        let lines = query.split(separator: "\n", omittingEmptySubsequences: false)
        guard error.line >= 1, error.line <= lines.count else { return error.description }
        // A long line is shown as the 100 characters around the column.
        let scalars = Array(String(lines[error.line - 1]).unicodeScalars)
        let at = max(0, min(error.column - 1, scalars.count))
        let start = max(0, min(at - 50, scalars.count - 100))
        let end = min(scalars.count, start + 100)
        let before = start > 0 ? "…" : "", after = end < scalars.count ? "…" : ""
        let text = before + TerminalText.escaped(String(String.UnicodeScalarView(scalars[start..<end]))) + after
        let caret = String(repeating: " ", count: before.count + TerminalText.escaped(String(String.UnicodeScalarView(scalars[start..<at]))).count) + "^"
        return "\(TerminalText.escaped(error.description))\n  \(text)\n  \(caret)"
    }

    /// A CSV cell: quoted when it holds a comma, a quote or a line break.
    static func csvQuoted(_ s: String) -> String {
        s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
            ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }

    /// A number in a table: whole numbers (counts, sums of bytes) in full; others with six
    /// significant digits, and at least one decimal past the whole part.
    static func tableNumber(_ v: Double) -> String {
        guard v.isFinite, v != v.rounded() || abs(v) >= 1e15 else { return JSONValue.format(v) }
        let wholeDigits = abs(v) < 1 ? 0 : Int(log10(abs(v))) + 1
        return JSONValue.format(DecimalRounding.significant(v, digits: max(6, wholeDigits + 1)))
    }

    /// The last line of an aggregate's output when groups were evicted: `exact: false`, how
    /// many groups and events were evicted, and the table's bound. JSON: one more object;
    /// CSV: a `#` comment line; text: a line under the table.
    static func inexactNote(_ outcome: QueryOutcome, _ format: Output) -> String {
        switch format {
        case .json:
            return JSONValue.object([("exact", .bool(false)), ("evicted_groups", .number(outcome.evictedGroups)),
                                     ("evicted_events", .number(outcome.evictedEvents)),
                                     ("max_groups", .number(UInt64(outcome.groupCapacity)))]).rendered(pretty: false) + "\n"
        case .csv:
            return "# exact: false, evicted_groups: \(outcome.evictedGroups), evicted_events: \(outcome.evictedEvents), max_groups: \(outcome.groupCapacity)\n"
        case .text:
            return "exact: false (\(outcome.evictedGroups) groups holding \(outcome.evictedEvents) events evicted past \(outcome.groupCapacity) groups; counts may be short: raise --max-groups)\n"
        }
    }

    /// The rows as a table, JSON lines or CSV.
    static func render(_ outcome: QueryOutcome, _ format: Output) -> String {
        var header: [String] = []
        if outcome.groupedByTime { header.append("time") }
        header += outcome.keyNames + outcome.columns
        func cells(_ row: GroupRow) -> [String] {
            var out: [String] = []
            if outcome.groupedByTime { out.append(row.bucket.map(TimeText.iso8601) ?? "-") }
            out += row.keys
            for value in row.values {
                switch value {
                case .number(let v): out.append(format == .text ? QueryCommand.tableNumber(v) : JSONValue.format(v))
                case .none: out.append("-")
                case .list(let items): out.append(items.map { "\($0.0) (\($0.1))" }.joined(separator: ", "))
                }
            }
            return out
        }
        switch format {
        case .text:
            if outcome.rows.isEmpty { Terminal.warn("no matching event"); return "" }
            let left = Set(0..<(header.count - outcome.columns.count))
            return TextTable.render(header, outcome.rows.map(cells), leftColumns: left)
        case .csv:
            return ([header] + outcome.rows.map(cells)).map { $0.map(csvQuoted).joined(separator: ",") + "\n" }.joined()
        case .json:
            var out = ""
            for row in outcome.rows {
                var object: [(String, JSONValue)] = []
                if outcome.groupedByTime { object.append(("time", row.bucket.map { .string(TimeText.iso8601($0)) } ?? .null)) }
                for (k, v) in zip(outcome.keyNames, row.keys) { object.append((k, .string(v))) }
                for (name, value) in zip(outcome.columns, row.values) {
                    switch value {
                    case .number(let v): object.append((name, .double(v)))
                    case .none: object.append((name, .null))
                    case .list(let items):
                        object.append((name, .array(items.map { .object([("value", .string($0.0)), ("count", .number($0.1))]) })))
                    }
                }
                out += JSONValue.object(object).rendered(pretty: false) + "\n"
            }
            return out
        }
    }
}

/// Standard output in 64 KiB writes through `write(2)`; remembers the first failure (a closed
/// pipe, as `| head` makes, stops the query quietly).
final class LineWriter {
    var buffer: [UInt8] = []
    var failure: Int32?

    init() { buffer.reserveCapacity(1 << 16) }

    func write(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard failure == nil else { return false }
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 16 { flush() }
        return failure == nil
    }

    func write(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { write(UnsafeRawBufferPointer($0)) }
    }

    func flush() {
        guard failure == nil, !buffer.isEmpty else { return }
        failure = buffer.withUnsafeBytes { StandardOutput.writeAll($0) }.map { $0 == 0 ? EIO : $0 }
        buffer.removeAll(keepingCapacity: true)
    }
}
