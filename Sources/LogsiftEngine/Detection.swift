import LogInput
import LogParsing

/// What `logsift detect` says about one input.
public struct Detection: Sendable {
    public let input: String
    public let choice: FormatDetector.Choice?
    /// Why the input could not be read, if it could not.
    public let error: String?
    /// The format as `report` names it in its inputs: the chosen format's name, or for a
    /// docker-compose stream each service's (`docker-compose: web-1 nginx-combined, ...`).
    public var formatName: String?

    init(input: String, choice: FormatDetector.Choice?, error: String?, formatName: String? = nil) {
        self.input = input
        self.choice = choice
        self.error = error
        self.formatName = formatName ?? choice?.format?.name
    }
}

extension Analyzer {
    /// Detects the format of each input from its first lines, as `report` would.
    public static func detect(_ inputs: [InputSpec], maxLineLength: Int = LineReader.defaultMaxLineLength) -> [Detection] {
        let detector = FormatDetector.automatic()
        return inputs.map { input in
            do {
                let reader = LineReader(source: try input.open(), maxLineLength: maxLineLength, readSize: 64 * 1024)
                let lines = FormatDetector.sniff(reader)
                if lines.isEmpty, let error = reader.error { return Detection(input: input.displayName, choice: nil, error: error.description) }
                if ComposeStream.looksLikeCompose(lines) {
                    // Read as `report` reads it: each service in its own format.
                    let compose = ComposeStream.detect(lines, detector)
                    let sampled = lines.filter { !$0.isEmpty }.count
                    return Detection(input: input.displayName,
                                     choice: FormatDetector.Choice(format: nil, matched: compose.matched, sampled: sampled, runnerUp: nil),
                                     error: reader.error?.description, formatName: compose.summary)
                }
                return Detection(input: input.displayName, choice: detector.choose(lines), error: reader.error?.description)
            } catch {
                return Detection(input: input.displayName, choice: nil, error: "\(error)")
            }
        }
    }

    /// The formats `--log-format` accepts under their own name, with the format. PostgreSQL
    /// stderr and syslog are named with their prefix as well (see `detector(named:)`).
    public static func namedFormats() -> [LogFormat] {
        FormatDetector.automatic().candidates + FormatDetector.namedFamilyFormats()
    }

    /// Why a name that detection prints cannot be passed to `--log-format`, and what to pass
    /// instead: a layout guessed from the lines, or a docker-compose stream's summary. nil for
    /// other names.
    public static func unnamableFormatHint(_ name: String) -> String? {
        if name.hasPrefix(NginxFormat.inferredName) {
            return "'\(NginxFormat.inferredName)' is a layout guessed from the lines, not a name: pass the guess as --nginx-format '<log_format>' (`logsift detect FILE` prints the guess), or leave out --log-format to guess it again"
        }
        if name.hasPrefix(ComposeStream.summaryPrefix) {
            return "'\(ComposeStream.summaryPrefix)...' names a docker-compose stream, whose services are detected one by one: leave out --log-format"
        }
        return nil
    }

    /// What `--log-format` accepts, as a usage line.
    public static let formatNamesHelp = (namedFormats().map(\.name)
        + ["postgres-stderr", "postgres-stderr '<log_line_prefix>'", "postgres-syslog", "postgres-syslog '<log_line_prefix>'"])
        .joined(separator: ", ")

    /// The detector for a format named as `logsift detect` prints it (`--log-format`): every
    /// name in `namedFormats()`, `postgres-stderr '<prefix>'` and `postgres-syslog '<prefix>'`,
    /// and `postgres-stderr` / `postgres-syslog` alone (the prefix then detected from the
    /// lines), and a built-in nginx name with trailing fields (`nginx-combined + 2 fields (rt
    /// urt)`). nil for any other name.
    public static func detector(named name: String) -> FormatDetector? {
        if let format = namedFormats().first(where: { $0.name == name }) { return .fixed(format) }
        if let extended = NginxFormat.withTrailingFields(named: name), let pattern = try? extended.compile() {
            return .fixed(.access(name: extended.name, pattern: pattern))
        }
        for kind in [PostgresFormat.Kind.stderr, .syslog] {
            let family = "postgres-\(kind.rawValue)"
            if name == family { return .postgres(kind) }
            guard name.hasPrefix(family + " '"), name.hasSuffix("'") else { continue }
            let prefix = String(name.dropFirst(family.count + 2).dropLast())
            guard (try? PostgresPrefixPattern(prefix: prefix)) != nil else { return nil }
            return .fixed(.postgres(kind == .stderr ? .stderr(prefix: prefix) : .syslog(prefix: prefix)))
        }
        return nil
    }
}

extension FormatDetector {
    /// Formats of the self-detecting families that can also be named outright.
    static func namedFamilyFormats() -> [LogFormat] {
        Families.all.flatMap { $0.namedFormats }
    }
}
