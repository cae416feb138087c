import Foundation
import LogAggregation
import LogParsing

/// The application-log section of a report (application logs, syslog, nginx error logs): levels
/// per bucket, the error rate, top error groups with a sample each, for nginx error logs the
/// clients and upstreams, for Apache httpd error logs the clients; docker-compose services
/// when the input had prefixes.
///
/// JSON (`json(_:top:)`), one object:
///
/// | key | value |
/// | --- | --- |
/// | `formats` | names of the formats read (`app-text`, `nginx-error`, ...) |
/// | `events` | events (a multi-line event counts once) |
/// | `levels` | `{trace, debug, info, notice, warn, error, fatal, unknown}` event counts |
/// | `error_rate` | (error + fatal) / events, 0...1 |
/// | `first_time`, `last_time` | ISO 8601 UTC of the earliest / latest event, or null |
/// | `untimed_events` | events without a readable time (in totals, in no bucket) |
/// | `continuation_lines` | lines joined to the event before them (blank lines inside a multi-line event included) |
/// | `truncated_events`, `truncated_bytes` | events over the size cap, and bytes left out |
/// | `bucket_seconds`, `bucket_widenings` | bucket width; how often it doubled to stay under the cap |
/// | `buckets` | `[{start (ISO 8601 UTC), events, error_rate, levels {...}}]` in time order |
/// | `error_groups` | top groups of WARN+ messages: `[{template, level, count, first_seen, last_seen, buckets [{start, count}], sample, sample_truncated, services [{service, count}], other_services_count}]`, most frequent first (the text report lists FATAL, then ERROR, then WARN groups) |
/// | `error_groups_exact` | false when groups were evicted (counts may then be short by up to `error_groups_eviction_floor`) |
/// | `error_groups_evicted_events` | events of evicted groups |
/// | `services` | services (docker-compose prefixes, or `[name]` / `service=` in a message's leading context): `[{service, events, errors}]` |
/// | `clients`, `upstreams` | nginx error log (clients also Apache httpd's; an upstream is the `upstream:` value up to its path, `http://10.0.0.2:8080`): `[{client|upstream, events}]`, top `top` each |
public enum ApplicationReport {
    static let levelOrder: [ApplicationLevel] = [.fatal, .error, .warn, .notice, .info, .debug, .trace, .unknown]

    // MARK: - Text

    /// The section as text lines of at most `width` columns. `errorsOnly` shows the error
    /// groups (ERROR and FATAL) with their samples and nothing else.
    public static func text(_ a: ApplicationAggregate, top: Int, width: Int, errorsOnly: Bool,
                            zone: DisplayZone = .utc) -> String {
        var out = ""
        let t = a.total
        if !errorsOnly {
            out += "Application log events  (\(a.formats.joined(separator: ", ")))\n"
            if a.firstTime <= a.lastTime {
                out += "Time range  \(zone.stamp(a.firstTime)) .. \(zone.stamp(a.lastTime))"
                out += "  (buckets of \(TimeText.width(a.bucketSeconds))"
                if a.widenings > 0 { out += ", widened \(a.widenings)× to stay within the bucket cap" }
                out += ")\n"
            }
            out += "Events      \(TextReport.count(t.events))   error rate \(TextReport.percent(t.errorRate))"
            let parts = levelOrder.filter { t.of($0) > 0 }.map { "\($0.name) \(TextReport.count(t.of($0)))" }
            if !parts.isEmpty { out += "   (" + parts.joined(separator: ", ") + ")" }
            out += "\n"
            var notes: [String] = []
            if a.untimed > 0 { notes.append("\(TextReport.count(a.untimed)) events had no readable time") }
            if a.continuationLines > 0 { notes.append("\(TextReport.count(a.continuationLines)) continuation lines joined") }
            if a.truncatedEvents > 0 { notes.append("\(TextReport.count(a.truncatedEvents)) events cut at the size cap") }
            if !notes.isEmpty { out += "            " + notes.joined(separator: "; ") + "\n" }
            bucketTable(a, zone, into: &out)
            services(a, top: top, width: width, into: &out)
            nginx(a, top: top, width: width, into: &out)
        }
        groupsSection(a, top: top, width: width, errorsOnly: errorsOnly, zone: zone, into: &out)
        return out
    }

    static let maxBucketRows = 30

    static func bucketRow(_ start: Int64, _ c: ApplicationLevelCounts, _ a: ApplicationAggregate, _ zone: DisplayZone) -> [String] {
        [zone.short(start, seconds: a.bucketSeconds < 60), TextReport.count(c.events),
         TextReport.count(c.of(.fatal)), TextReport.count(c.of(.error)), TextReport.count(c.of(.warn)),
         TextReport.count(c.of(.info) + c.of(.notice)), TextReport.count(c.of(.debug) + c.of(.trace)),
         TextReport.percent(c.errorRate)]
    }

    static func bucketTable(_ a: ApplicationAggregate, _ zone: DisplayZone, into out: inout String) {
        let buckets = a.orderedBuckets
        guard !buckets.isEmpty else { return }
        let header = ["bucket", "events", "fatal", "error", "warn", "info", "debug", "err%"]
        if buckets.count <= maxBucketRows {
            out += "\nPer \(TimeText.width(a.bucketSeconds))\n"
            out += TextReport.table(header, buckets.map { bucketRow($0.start, $0.counts, a, zone) })
        } else {
            out += "\nWorst buckets by error events (\(buckets.count) buckets of \(TimeText.width(a.bucketSeconds)))\n"
            let worst = buckets.filter { $0.counts.errors > 0 }
                .sorted { ($0.counts.errors, $1.start) > ($1.counts.errors, $0.start) }
                .prefix(maxBucketRows / 2)
            out += worst.isEmpty ? "  (no errors)\n"
                : TextReport.table(header, worst.sorted { $0.start < $1.start }.map { bucketRow($0.start, $0.counts, a, zone) })
        }
    }

    static func services(_ a: ApplicationAggregate, top: Int, width: Int, into out: inout String) {
        guard a.services.count > 0 else { return }
        out += "\nServices\n"
        let rows = a.services.top(top).map { item -> [String] in
            let e = serviceErrors(a, item.key)
            return [TextReport.cut(item.key, max(12, width - 40)), TextReport.count(item.count), TextReport.count(e),
                    TextReport.percent(item.count == 0 ? 0 : Double(e) / Double(item.count))]
        }
        out += TextReport.table(["service", "events", "errors", "err%"], rows)
    }

    static func serviceErrors(_ a: ApplicationAggregate, _ name: String) -> UInt64 {
        let bytes = Array(name.utf8)
        return bytes.withUnsafeBytes { k in a.serviceErrors.find(k).map { a.serviceErrors[$0].count } ?? 0 }
    }

    static func nginx(_ a: ApplicationAggregate, top: Int, width: Int, into out: inout String) {
        if a.clients.count > 0 {
            out += "\nTop clients (nginx / Apache error log)"
            if !a.clients.isExact { out += " (approximate)" }
            out += "\n" + TextReport.table(["client", "events"], a.clients.top(top).map {
                [TextReport.cut($0.key, max(16, width - 20)), TextReport.count($0.count)]
            })
        }
        if a.upstreams.count > 0 {
            out += "\nTop upstreams (nginx error log)"
            if !a.upstreams.isExact { out += " (approximate)" }
            out += "\n" + TextReport.table(["upstream", "events"], a.upstreams.top(top).map {
                [TextReport.cut($0.key, max(16, width - 20)), TextReport.count($0.count)]
            })
        }
    }

    static func groupsSection(_ a: ApplicationAggregate, top: Int, width: Int, errorsOnly: Bool, zone: DisplayZone,
                              into out: inout String) {
        let groups = a.groups.top(top, bySeverity: true) { errorsOnly ? $0.isError : true }
        out += errorsOnly ? "Top error groups (error, fatal)" : "\nTop error groups (fatal, then error, then warn)"
        if !a.groups.isExact {
            out += " (approximate: counts may be short by up to \(TextReport.count(a.groups.evictionFloor)))"
        }
        out += "\n"
        guard !groups.isEmpty else {
            out += "  (none)\n"
            return
        }
        let sampleLines = errorsOnly ? 12 : 4
        for (i, g) in groups.enumerated() {
            var line = "\(i + 1). [\(g.level.name)] \(TextReport.count(g.count))×"
            if g.firstSeen <= g.lastSeen {
                line += "  \(zone.short(g.firstSeen, seconds: true)) .. \(zone.short(g.lastSeen, seconds: true))"
            }
            // The busiest bucket (the JSON has every bucket), as much of it as the width allows.
            if g.bucketStarts.count > 1, let peak = g.bucketCounts.indices.max(by: { g.bucketCounts[$0] < g.bucketCounts[$1] }) {
                let short = "  peak \(TextReport.count(g.bucketCounts[peak]))/\(TimeText.width(a.bucketSeconds))"
                    + " at \(zone.short(g.bucketStarts[peak], seconds: a.bucketSeconds < 60))"
                let long = short + " in \(g.bucketStarts.count) buckets"
                if line.count + long.count <= width { line += long } else if line.count + short.count <= width { line += short }
            }
            out += line + "\n"
            if let services = servicesText(g, width: width) { out += services + "\n" }
            out += "   " + TextReport.cut(g.template.replacingOccurrences(of: "\t", with: " "), max(20, width - 3)) + "\n"
            let lines = g.sampleText.split(separator: "\n", omittingEmptySubsequences: false)
            for (k, l) in lines.prefix(sampleLines).enumerated() {
                out += (k == 0 ? "   e.g. " : "        ") + TextReport.cut(String(l).replacingOccurrences(of: "\t", with: "    "), max(20, width - 8)) + "\n"
            }
            if lines.count > sampleLines { out += "        … \(lines.count - sampleLines) more lines\n" }
        }
    }

    /// `   services: payments 30, orders 12, … 3 more` (the most frequent first), or nil when the
    /// group's events named no service.
    static func servicesText(_ g: ApplicationErrorGroup, width: Int) -> String? {
        let services = g.servicesByCount
        guard !services.isEmpty else { return nil }
        var line = "   services:"
        var shown = 0
        for s in services {
            let part = " \(TerminalText.escaped(s.nameText)) \(TextReport.count(s.count))"
            if shown > 0 && line.count + part.count + 12 > width { break }
            line += (shown > 0 ? "," : "") + part
            shown += 1
        }
        let more = services.count - shown + (g.otherServices > 0 ? 1 : 0)
        if more > 0 { line += ", … \(more) more" }
        return line
    }

    // MARK: - JSON

    static func levels(_ c: ApplicationLevelCounts) -> JSONValue {
        var members: [(String, JSONValue)] = []
        for level in [ApplicationLevel.trace, .debug, .info, .notice, .warn, .error, .fatal, .unknown] {
            members.append((level.name, JSONValue.number(c.of(level))))
        }
        return .object(members)
    }

    static func time(_ t: Int64, valid: Bool) -> JSONValue { valid ? .string(TimeText.iso8601(t)) : .null }

    /// The section as JSON; keys are described on the type.
    public static func json(_ a: ApplicationAggregate, top: Int) -> JSONValue {
        let hasTime = a.firstTime <= a.lastTime
        let buckets: [JSONValue] = a.orderedBuckets.map { b in
            .object([("start", .string(TimeText.iso8601(b.start))), ("events", .number(b.counts.events)),
                     ("error_rate", .double(b.counts.errorRate)), ("levels", levels(b.counts))])
        }
        let groups: [JSONValue] = a.groups.top(top).map { g in
            let seen = g.firstSeen <= g.lastSeen
            return .object([
                ("template", .string(g.template)), ("level", .string(g.level.name)), ("count", .number(g.count)),
                ("first_seen", time(g.firstSeen, valid: seen)), ("last_seen", time(g.lastSeen, valid: seen)),
                ("buckets", .array(zip(g.bucketStarts, g.bucketCounts).map {
                    .object([("start", .string(TimeText.iso8601($0.0))), ("count", .number($0.1))])
                })),
                ("sample", .string(g.sampleText)), ("sample_truncated", .bool(g.sampleTruncated)),
                ("services", .array(g.servicesByCount.map {
                    .object([("service", .string($0.nameText)), ("count", .number($0.count))])
                })),
                ("other_services_count", .number(g.otherServices)),
            ])
        }
        let services: [JSONValue] = a.services.top(top).map {
            .object([("service", .string($0.key)), ("events", .number($0.count)),
                     ("errors", .number(serviceErrors(a, $0.key)))])
        }
        return .object([
            ("formats", .array(a.formats.map { .string($0) })),
            ("events", .number(a.events)),
            ("levels", levels(a.total)),
            ("error_rate", .double(a.errorRate)),
            ("first_time", time(a.firstTime, valid: hasTime)),
            ("last_time", time(a.lastTime, valid: hasTime)),
            ("untimed_events", .number(a.untimed)),
            ("continuation_lines", .number(a.continuationLines)),
            ("truncated_events", .number(a.truncatedEvents)),
            ("truncated_bytes", .number(a.truncatedBytes)),
            ("bucket_seconds", .int(a.bucketSeconds)),
            ("bucket_widenings", .number(a.widenings)),
            ("buckets", .array(buckets)),
            ("error_groups", .array(groups)),
            ("error_groups_exact", .bool(a.groups.isExact)),
            ("error_groups_eviction_floor", .number(a.groups.evictionFloor)),
            ("error_groups_evicted_events", .number(a.groups.evictedEvents)),
            ("services", .array(services)),
            ("clients", .array(a.clients.top(top).map { .object([("client", .string($0.key)), ("events", .number($0.count))]) })),
            ("upstreams", .array(a.upstreams.top(top).map { .object([("upstream", .string($0.key)), ("events", .number($0.count))]) })),
        ])
    }
}
