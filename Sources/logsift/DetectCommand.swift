import ArgumentParser
import LogInput
import LogReport
import LogsiftEngine

struct DetectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detect",
        abstract: "Say which format each input is in, how sure logsift is, and the runner-up.",
        discussion: """
        Reads the first 200 lines of each input (gzip too; `-` for standard input) and tries every format logsift knows. Confidence is the share of those lines the chosen format recognises.

        Examples:
          logsift detect app.log access.log postgresql.log error.log
          logsift detect --format json /var/log/nginx/access.log.2.gz
        """
    )

    @Argument(help: "Inputs to look at; `-` for standard input.")
    var inputs: [String]

    @Option(name: .long, help: "Output format: text, json.")
    var format: Format = .text

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    func run() throws {
        let detections = Analyzer.detect(inputs.map(InputSpec.init(path:)))
        switch format {
        case .json:
            let items: [JSONValue] = detections.map { d in
                .object([
                    ("input", .string(d.input)),
                    ("format", d.formatName.map { .string($0) } ?? .null),
                    ("confidence", d.choice.map { .double($0.confidence) } ?? .null),
                    ("matched", .number(d.choice?.matched ?? 0)),
                    ("sampled", .number(d.choice?.sampled ?? 0)),
                    ("runner_up", d.choice?.runnerUp.map { r in
                        .object([("format", .string(r.name)), ("matched", .number(r.matched))]) } ?? .null),
                    ("error", d.error.map { .string($0) } ?? .null),
                    ("guessed_nginx_format", d.choice?.guessedNginxFormat.map { .string($0) } ?? .null),
                    // The PCRE2 pattern an access format is matched with (Benchmarks/ times the
                    // same regex in a C loop; users can test it with other tools).
                    ("regex", d.choice?.format?.accessRegex.map { .string($0) } ?? .null),
                ])
            }
            try StandardOutput.write(JSONValue.array(items).rendered() + "\n")
        case .text:
            var rows: [[String]] = []
            for d in detections {
                let choice = d.choice
                let percent = choice.map { "\(Int(($0.confidence * 100).rounded()))% (\($0.matched)/\($0.sampled))" } ?? "-"
                let runner = choice?.runnerUp.map { "\($0.name) (\($0.matched))" } ?? "-"
                rows.append([d.input, d.formatName ?? "unknown", percent, runner])
                if let error = d.error { rows.append(["  error: \(error)", "", "", ""]) }
            }
            var out = TextTable.render(["input", "format", "confidence", "runner-up"], rows, leftColumns: [0, 1, 2, 3])
            // Guessed nginx log_formats (their names are logsift's own), to paste into
            // --nginx-format or to correct.
            var guesses: [(name: String, format: String)] = []
            for d in detections {
                if let name = d.choice?.format?.name, let guessed = d.choice?.guessedNginxFormat,
                   !guesses.contains(where: { $0.format == guessed }) { guesses.append((name, guessed)) }
            }
            if !guesses.isEmpty { out += "\nGuessed nginx log_format (read so; pass your own with --nginx-format to correct it):\n" }
            for g in guesses { out += "  \(g.name): --nginx-format '\(TerminalText.escaped(g.format))'\n" }
            try StandardOutput.write(out)
        }
        if detections.contains(where: { $0.error != nil }) { throw ExitCode(1) }
    }
}
