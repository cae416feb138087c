import LogInput
import LogParsing
import PCRE2

/// Chooses the pattern for an input from its first lines.
public struct FormatDetector: Sendable {
    /// How many non-blank lines are tried.
    public static let sampleLines = 200

    public struct Choice: Sendable {
        public let format: LogFormat?
        public let matched: Int
        public let sampled: Int
        public let runnerUp: (name: String, matched: Int)?
        /// The nginx `log_format` logsift read the input with when it guessed one (a built-in
        /// with `name=value` fields appended, or a custom layout): what to pass to
        /// `--nginx-format` to read it so on purpose, or to correct.
        public var guessedNginxFormat: String? = nil
        public var confidence: Double { sampled == 0 ? 0 : Double(matched) / Double(sampled) }
    }

    /// Fixed candidates, tried in order (earlier wins a tie).
    public let candidates: [LogFormat]
    /// Whether the families that detect their own formats (PostgreSQL, application) take part.
    public let detectFamilies: Bool
    /// PostgreSQL formats of these kinds are detected (their prefix fitted to the lines) beside
    /// the candidates: `--log-format postgres-syslog` names the kind and leaves the prefix open.
    public let postgresKinds: Set<PostgresFormat.Kind>

    public init(candidates: [LogFormat], detectFamilies: Bool = false, postgresKinds: Set<PostgresFormat.Kind> = []) {
        self.candidates = candidates
        self.detectFamilies = detectFamilies
        self.postgresKinds = postgresKinds
    }

    /// Every format logsift knows: nginx's built-ins, most specific first, and the families.
    public static func automatic() -> FormatDetector {
        // The built-in nginx formats are fixed text: they always compile.
        FormatDetector(candidates: NginxFormat.builtins.map { .access(name: $0.name, pattern: try! $0.compile()) },
                       detectFamilies: true)
    }

    /// A single format chosen by the user.
    public static func fixed(_ format: LogFormat) -> FormatDetector {
        FormatDetector(candidates: [format], detectFamilies: false)
    }

    /// A `log_line_prefix` given by the user (`--pg-prefix`): after stderr's prefix, or after a
    /// syslog header, whichever the first lines are written in (stderr when neither matches).
    public static func postgresPrefix(_ prefix: String) -> FormatDetector {
        FormatDetector(candidates: [.postgres(.stderr(prefix: prefix)), .postgres(.syslog(prefix: prefix))])
    }

    /// A PostgreSQL destination named without a prefix (`--log-format postgres-syslog`): the
    /// prefix is detected from the first lines (an empty prefix when none fits).
    public static func postgres(_ kind: PostgresFormat.Kind) -> FormatDetector {
        let fallback: PostgresFormat
        switch kind {
        case .stderr: fallback = .stderr(prefix: "")
        case .syslog: fallback = .syslog(prefix: "")
        case .csvlog: fallback = .csvlog
        case .jsonlog: fallback = .jsonlog
        }
        return FormatDetector(candidates: [.postgres(fallback)], postgresKinds: [kind])
    }

    /// How many sample lines a fixed candidate matches (its family says).
    static func score(_ format: LogFormat, _ sample: [[UInt8]]) -> Int {
        Families.entry(for: format).score(format, sample)
    }

    /// Picks the format recognising the most sample lines; on a tie the earlier candidate wins
    /// (fixed candidates come first, most specific first). No format recognising any line gives
    /// a choice without format.
    public func choose(_ lines: [[UInt8]]) -> Choice {
        let sample = lines.filter { !$0.isEmpty }
        var scored: [(format: LogFormat, hits: Int)] = []
        if !postgresKinds.isEmpty, let postgres = PostgresFormat.detect(sample, kinds: postgresKinds) {
            scored.append((.postgres(postgres.format), postgres.matched))
        }
        scored += candidates.map { ($0, FormatDetector.score($0, sample)) }
        var guessed: [String: String] = [:]
        if detectFamilies {
            // What each family finds by itself, after the fixed candidates, in registry order.
            for found in FormatDetector.familyCandidates(sample) {
                scored.append((found.format, found.hits))
                if let logFormat = found.guessedNginxFormat { guessed[found.format.name] = logFormat }
            }
        }
        let ranked = scored.enumerated().sorted { a, b in
            a.element.hits != b.element.hits ? a.element.hits > b.element.hits : a.offset < b.offset
        }.map(\.element)
        // A format the user chose is used even when the first lines do not match it: the one
        // that matches most, else the first.
        if !detectFamilies {
            let best = ranked.first { $0.hits > 0 } ?? (candidates[0], 0)
            return Choice(format: best.format, matched: best.hits, sampled: sample.count, runnerUp: nil)
        }
        guard var best = ranked.first, best.hits > 0 else {
            return Choice(format: nil, matched: 0, sampled: sample.count, runnerUp: nil)
        }
        // A format that joins any line (app-text) can lead only by taking lines it has no shape
        // for — `pg_ctl: could not start server` among PostgreSQL lines — as text. A specific
        // family (PostgreSQL, nginx) that reads at least as many lines as it recognises by
        // shape is the better reading.
        if let shaped = Families.entry(for: best.format).shapedHits(best.format, sample) {
            let generalFamily = best.format.family
            if let specific = ranked.first(where: { candidate in
                candidate.format.family != generalFamily && candidate.hits > 0 && candidate.hits >= shaped
            }) {
                best = specific
            }
        }
        let runner = ranked.first { $0.format.name != best.format.name && $0.hits > 0 }
        var choice = Choice(format: best.format, matched: best.hits, sampled: sample.count,
                            runnerUp: runner.map { ($0.format.name, $0.hits) })
        choice.guessedNginxFormat = guessed[best.format.name]
        if detectFamilies, let extended = Families.entry(for: best.format).refined(best.format, sample) {
            choice = Choice(format: extended.format, matched: extended.hits, sampled: sample.count,
                            runnerUp: (best.format.name, best.hits), guessedNginxFormat: extended.guessedNginxFormat)
        }
        return choice
    }

    /// Candidates from the families that detect their own formats, with their scores, in
    /// registry order: a custom nginx layout (right after the built-ins), PostgreSQL, then
    /// application logs, whose plain-text format is the most general.
    static func familyCandidates(_ sample: [[UInt8]]) -> [DetectedFormat] {
        Families.all.flatMap { $0.detect(sample) }
    }

    /// Bytes of sample kept at most (plus the line that crosses it): a file of 1 MiB lines is
    /// sampled on a few lines, not 200 MiB of them.
    public static let sampleBytes = 2 << 20

    /// Reads up to `sampleLines` lines (and about `sampleBytes`) of `reader` as copies:
    /// detection only, never per line in steady state.
    static func sniff(_ reader: LineReader) -> [[UInt8]] {
        var lines: [[UInt8]] = []
        var bytes = 0
        while lines.count < sampleLines, bytes < sampleBytes, let line = reader.nextLine() {
            lines.append(Array(line))
            bytes += line.count
        }
        return lines
    }
}
