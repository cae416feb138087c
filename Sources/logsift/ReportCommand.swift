import ArgumentParser
import Foundation
import LogAggregation
import LogInput
import LogParsing
import LogReport
import LogsiftEngine

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Summarise logs per time bucket: requests, status mix, latency percentiles and top paths; slow SQL, errors and connections; log levels and error groups.",
        discussion: """
        Inputs may be plain or gzip files (detected by content, multi-member too) and rotated sets, which are read oldest first (access.log.2.gz, access.log.1, access.log). `-` reads standard input. Each input's format is detected from its first lines (see `logsift detect`): nginx access and error logs, PostgreSQL logs, application logs. Each family gets its own section on one bucket width.

        Examples:
          logsift report /var/log/nginx/access.log*
          zcat access.log.3.gz | logsift report -
          logsift report --bucket 5m --format json access.log > summary.json
          logsift report --format markdown access.log*
          logsift report --format html -o nightly.html /var/log/nginx/access.log* /var/log/postgresql/*.log*
          logsift report --tz Europe/Berlin --bucket 1h access.log
          logsift report --sort mean --top 20 postgresql.log*
          logsift report --pg-prefix '%m [%p] %q%u@%d ' postgresql.log
          logsift report --tz Asia/Shanghai postgresql.log
          logsift report --errors app.log*
          logsift report --save web1-2026-11-30.lsa --label host=web1 access.log*
          logsift report access.log --baseline access.log.1           # what changed since yesterday
          logsift report access.log --baseline web1-2026-11-29.lsa
          logsift report access.log --baseline a.log.1 --baseline a.log.2.gz --format html -o diff.html
          docker compose logs --no-color --since 24h | logsift report -
          logsift report --pattern '%{HTTPD_COMBINEDLOG}' access.log
          logsift report --nginx-format '$remote_addr [$time_local] "$request" $status $body_bytes_sent $request_time' access.log

        `--baseline FILE` (repeatable) reads a second set of logs with the same options and adds "Changes since baseline": volume, error rates and p95, paths whose p95 or 5xx rate moved, error groups new or grown, PostgreSQL statements new or slower.

        On a terminal, a run longer than a second shows a progress line on stderr (bytes read, share done, MB/s, time left); `--no-progress` turns it off. It is never shown when stderr is not a terminal.

        Ctrl-C (SIGINT) or SIGTERM stops reading and prints the report of what was read, e.g. for `tail -f access.log | logsift report -`; the exit status is then 130 or 143.

        Exit status: 0 when every input was read; 1 when an input could not be read, ended early, changed during the run or is compressed with bzip2/xz/zstd (the report still covers everything that was read); 65 when an input was read but none of its lines was recognised; 64 for a usage or pattern error; 74 when the report could not be written.
        """
    )

    @Argument(help: "Log files to read; `-` for standard input (the default when stdin is a pipe).")
    var inputs: [String] = []

    @Option(name: .long, help: "Output format: text, json, markdown (a ticket or chat), html (one self-contained page with charts).")
    var format: OutputFormat = .text

    @Option(name: [.customShort("o"), .long], help: "Write the report to this file (atomically: a temporary file renamed over it) instead of standard output.")
    var output: String?

    @Option(name: .long, parsing: .unconditional, help: "Time bucket width, e.g. 30s, 1m, 5m, 1h.")
    var bucket: String = "1m"

    @Option(name: .long, help: "An nginx log_format string as written in nginx.conf.")
    var nginxFormat: String?

    @Option(name: .long, help: "Read every input in this format instead of detecting it: a name `logsift detect` prints, e.g. nginx-combined, or postgres-syslog (prefix detected).")
    var logFormat: String?

    /// `.unconditional`: `--tz -05:30` is a value, not an unknown option.
    @Option(name: .long, parsing: .unconditional,
            help: "The zone that wrote the logs: local (the default), UTC, +0100, -05:30, CET, or an IANA name such as Europe/Berlin (its own abbreviations, e.g. CST of Asia/Shanghai, take precedence). Times written without a zone are read in it, and the text report shows times in it (JSON stays in UTC).")
    var tz: String = "local"

    @Option(name: .long, help: "A grok pattern for every input, e.g. '%{NGINX_ACCESS_COMBINED}' or '%{IP:remote_addr} .. %{NUMBER:request_time:float}'.")
    var pattern: String?

    @OptionGroup var library: PatternsCommand.Library

    @Option(name: .long, help: "A PostgreSQL log_line_prefix as written in postgresql.conf, e.g. '%m [%p] %q%u@%d ' (after the syslog header on syslog input).")
    var pgPrefix: String?

    @Option(name: .long, help: "Order of the top PostgreSQL queries: total, mean, max, calls.")
    var sort: PostgresReport.SortKey = .total

    @Flag(name: .long, help: "Application logs: show only the error groups, with samples.")
    var errors = false

    @Option(name: .long, parsing: .unconditional, help: "How many top paths, queries and error groups to list (0-1000000).")
    var top: Int = 10

    @Option(name: .long, parsing: .unconditional, help: "Worker threads, 1-256 (default: one per core).")
    var jobs: Int?

    @Option(name: .long, parsing: .unconditional, help: "Lines longer than this many bytes (16 to 64 MiB) are cut to it (and counted).")
    var maxLineLength: Int = LineReader.defaultMaxLineLength

    @Option(name: .long, parsing: .unconditional, help: "How many unmatched lines to show (0-10000).")
    var samples: Int = 10

    @Flag(name: .long, help: "Read inputs in the order given instead of oldest rotated file first.")
    var keepOrder = false

    @Option(name: .long, help: "Also save the aggregates (not the lines) to this file, e.g. web1-2026-11-30.lsa, for `logsift merge` (hosts, days): written atomically, checksummed; the report is still printed (or written with -o).")
    var save: String?

    @Option(name: .long, help: "A label for every input of this run, stored with --save, e.g. host=web1: a merge of saves with different values breaks its totals down per value.")
    var label: String?

    @Option(name: .long, help: ArgumentHelp("A label for each input taken from its path, NAME=REGEX: the regex's first group (or its whole match) is the value, e.g. --label-from 'host=/logs/([^/]+)/'. The report breaks its totals down per value, and --save keeps them for merges.", valueName: "name=regex"))
    var labelFrom: String?

    @Option(name: .long, help: ArgumentHelp("A log file to compare with (repeat for several: --baseline a.log.1 --baseline a.log.2.gz); read with the same options as the inputs.", valueName: "file"))
    var baseline: [String] = []

    @Flag(name: .long, help: "Do not show the progress line on stderr (it is only shown on a terminal).")
    var noProgress = false

    /// Files at least this big are cut between workers (tests use small values).
    @Option(name: .long, parsing: .unconditional, help: .hidden)
    var splitBytes: Int = 8 << 20

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
        case text, json, markdown, html
    }

    func validate() throws {
        try checkRanges()
        guard Duration.seconds(bucket) != nil else {
            throw ValidationError("--bucket '\(bucket)': give a width such as 30s, 1m, 5m or 1h")
        }
        _ = try TimeZoneOption.parse(tz)
        if let logFormat, let hint = Analyzer.unnamableFormatHint(logFormat) {
            throw ValidationError("--log-format: \(hint)")
        }
        if let logFormat, Analyzer.detector(named: logFormat) == nil {
            throw ValidationError("--log-format '\(logFormat)' is not a format logsift knows; one of: \(Analyzer.formatNamesHelp)")
        }
        if output == "" {
            throw ValidationError("-o/--output is empty: give the file to write the report to, e.g. -o nightly.html")
        }
        _ = try labelOption()
        if label != nil && labelFrom != nil {
            throw ValidationError("give --label or --label-from, not both")
        }
        if let labelFrom = try labelFromOption() { try labelFrom.check(inputs.isEmpty ? ["-"] : inputs) }
        if save == "" {
            throw ValidationError("--save is empty: give the file to save the aggregates to, e.g. --save web1-2026-11-30.lsa")
        }
        if pattern == "" {
            throw ValidationError("--pattern is empty: give a grok pattern, e.g. '%{NGINX_ACCESS_COMBINED}'")
        }
        try Self.checkBaseline(baseline)
        // Every --patterns directory must be readable even when no --pattern uses it.
        _ = try library.load()
        if [nginxFormat != nil, pattern != nil, logFormat != nil, pgPrefix != nil].filter({ $0 }).count > 1 {
            throw ValidationError("give at most one of --nginx-format, --pattern, --pg-prefix and --log-format")
        }
    }

    func run() throws {
        var paths = inputs
        if paths.isEmpty {
            guard isatty(0) == 0 else {
                throw ValidationError("name the log files to read, or pipe a log in (e.g. `zcat access.log.2.gz | logsift report -`)")
            }
            paths = ["-"]
        }
        // Ctrl-C or SIGTERM ends reading; the report covers what was read (exit 130/143).
        Interruption.install()
        var configuration = AnalysisConfiguration(inputs: paths.map(InputSpec.init(path:)))
        configuration.bucketSeconds = Duration.seconds(bucket)!
        if let jobs { configuration.workers = max(1, jobs) }
        configuration.maxLineLength = maxLineLength
        configuration.sampleLimit = samples
        configuration.keepOrder = keepOrder
        configuration.splitThreshold = max(1, splitBytes)
        configuration.zone = try TimeZoneOption.parse(tz)
        if let pgPrefix, case .stderr(let prefix) = PostgresFormat(prefix: pgPrefix) {
            if let problem = PostgresFormat.prefixProblem(prefix) {
                throw ValidationError("--pg-prefix '\(prefix)': \(problem)")
            }
            configuration.format = .detector(.postgresPrefix(prefix))
        }
        if let logFormat, let detector = Analyzer.detector(named: logFormat) {
            configuration.format = .detector(detector)
        }
        if let pattern {
            do {
                configuration.format = .fixed(.access(name: "grok", pattern: try GrokCompiler.compile(pattern, library: try library.load())))
            } catch let error as GrokError {
                throw ValidationError("--pattern: \(error)")
            }
        }
        if let nginxFormat {
            let custom = NginxFormat(name: "nginx-custom", logFormat: nginxFormat)
            do {
                configuration.format = .fixed(.access(name: custom.name, pattern: try custom.compile()))
                for warning in custom.unknownVariableWarnings { Terminal.warn("--nginx-format: \(warning)") }
            } catch {
                throw ValidationError("--nginx-format: \(error)")
            }
        }

        let progress = ProgressLine.start(paths + baseline.filter { !$0.hasSuffix(".lsa") }, enabled: !noProgress)
        var analysis = try labelFromOption().map { try Self.labelled(configuration, by: $0, zone: tz) } ?? Analyzer.run(configuration)
        let baselineAnalysis = try Self.baselineAnalysis(baseline, configuration)
        progress?.stop()
        if let label = try labelOption() { analysis.labels = [LabelTotals(name: label.name, value: label.value, analysis: analysis)] }
        let comparison = baselineAnalysis.map { ReportComparison(current: analysis, baseline: $0, top: top) }
        let text = ReportOutput(format: format, top: top, sort: sort, errorsOnly: errors,
                                zone: DisplayZone(configuration.zone), toFile: output != nil,
                                comparison: comparison).render(analysis)
        if let save { try SaveOutput.write(analysis, zone: tz, sampleLimit: samples, to: save) }
        if let output { try ReportFile.write(text, to: output) } else { try StandardOutput.write(text) }
        for input in analysis.inputs where input.limitExceeded > 0 && input.limitExceeded * 100 >= input.lines {
            Terminal.warn("\(input.name): \(input.limitExceeded) of \(input.lines) lines hit PCRE2's match limit "
                + "(counted as unmatched): the pattern backtracks too much on them; anchor it, or replace nested "
                + "quantifiers such as (a+)+ and .*.* with possessive or atomic forms")
        }
        if let signal = Interruption.signal { throw ExitCode(128 + signal) }
        try ExitStatus.check(analysis.inputs + (baselineAnalysis?.inputs ?? []))
    }
}

enum Duration {
    /// Seconds in `30s`, `5m`, `1h`, `1d` (a bare number is seconds).
    static func seconds(_ text: String) -> Int64? {
        try? BucketWidth.seconds(text).get()
    }
}

enum Terminal {
    static func width() -> Int {
        var size = winsize()
        if ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 20 { return Int(size.ws_col) }
        if let columns = ProcessInfo.processInfo.environment["COLUMNS"], let n = Int(columns), n > 20 { return n }
        return 100
    }

    static func warn(_ message: String) {
        // write(2), whose failure (stderr full or closed) is ignored; FileHandle.write traps on it.
        var line = "logsift: \(TerminalText.escaped(message))\n"
        line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    }
}

extension PostgresReport.SortKey: ExpressibleByArgument {}
