import ArgumentParser
import LogArchive
import LogReport
import LogsiftEngine

struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Merge saved aggregates (report --save) of hosts or days into one report, exactly.",
        discussion: """
        Each FILE is a .lsa file written by `logsift report --save` (or by `logsift merge --save`). The merged report is the one `logsift report` would print over all their logs at once, byte for byte (tables that evicted rare keys say so, as in the report). Saves made with different --bucket widths merge when every width divides the widest (1m and 5m give 5m buckets); otherwise the merge is refused. Saves with different --label values (host=web1, host=web2) get a per-label breakdown of their totals.

        Examples:
          logsift report --save web1-2026-11-30.lsa --label host=web1 /var/log/nginx/access.log*
          logsift merge web1-*.lsa web2-*.lsa --format html -o fleet.html
          logsift merge --format json day-*.lsa --save week.lsa

        Exit status: 0 when merged; 1 when a file could not be read; 65 when a file is not a save, is truncated, damaged or from a newer logsift, or the saves cannot be merged (bucket widths); 64 for a usage error; 74 when the report or the merged save could not be written.
        """
    )

    @Argument(help: "Saved aggregates (.lsa) to merge, in the order their inputs are listed.")
    var files: [String] = []

    @Option(name: .long, help: "Output format: text, json, markdown (a ticket or chat), html (one self-contained page with charts).")
    var format: ReportCommand.OutputFormat = .text

    @Option(name: [.customShort("o"), .long], help: "Write the report to this file (atomically) instead of standard output.")
    var output: String?

    @Option(name: .long, parsing: .unconditional, help: "The zone times are shown in (local, UTC, +0100, Europe/Berlin); default: the --tz the saves were made with when they agree, else local time.")
    var tz: String?

    @Option(name: .long, help: "Order of the top PostgreSQL queries: total, mean, max, calls.")
    var sort: PostgresReport.SortKey = .total

    @Flag(name: .long, help: "Application logs: show only the error groups, with samples.")
    var errors = false

    @Option(name: .long, parsing: .unconditional, help: "How many top paths, queries and error groups to list (0-1000000).")
    var top: Int = 10

    @Option(name: .long, help: "Also save the merged aggregates to this file (to merge again later).")
    var save: String?

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("name the saved aggregates to merge, e.g. `logsift merge web1-*.lsa web2-*.lsa`") }
        guard (0...1_000_000).contains(top) else { throw ValidationError("--top \(top): give 0 to 1000000") }
        if let tz { _ = try TimeZoneOption.parse(tz) }
        if output == "" { throw ValidationError("-o/--output is empty: give the file to write the report to, e.g. -o fleet.html") }
        if save == "" { throw ValidationError("--save is empty: give the file to save the merged aggregates to, e.g. --save week.lsa") }
    }

    func run() throws {
        let (merged, savedZone) = try SaveInput.merged(files)
        let zoneText = tz ?? savedZone ?? "local"
        // A save from another machine may name a zone this one does not know: show UTC then.
        let zone = (try? TimeZoneOption.parse(zoneText)).map(DisplayZone.init) ?? .utc
        if tz == nil, (try? TimeZoneOption.parse(zoneText)) == nil {
            Terminal.warn("the saves were made with --tz \(zoneText), which this machine does not know: times are shown in UTC (give --tz)")
        }
        let text = ReportOutput(format: format, top: top, sort: sort, errorsOnly: errors, zone: zone,
                                toFile: output != nil).render(merged.analysis)
        if let save {
            try SaveOutput.write(merged.analysis, zone: zoneText, sampleLimit: merged.sampleLimit, to: save)
        }
        if let output { try ReportFile.write(text, to: output) } else { try StandardOutput.write(text) }
    }
}
