import LogInput
import LogParsing
import PCRE2

/// Chooses the pattern for an input from its first lines.
public struct FormatDetector: Sendable {
    /// How many non-blank lines are tried.
    public static let sampleLines = 200

    public struct Candidate: Sendable {
        public let name: String
        public let pattern: CompiledPattern
    }

    public struct Choice: Sendable {
        public let candidate: Candidate?
        public let matched: Int
        public let sampled: Int
        public let runnerUp: (name: String, matched: Int)?
        public var confidence: Double { sampled == 0 ? 0 : Double(matched) / Double(sampled) }
    }

    public let candidates: [Candidate]

    public init(candidates: [Candidate]) {
        self.candidates = candidates
    }

    /// nginx's built-in formats, most specific first.
    public static func nginxBuiltins() -> FormatDetector {
        FormatDetector(candidates: NginxFormat.builtins.map {
            // The built-in formats are fixed text: they always compile.
            Candidate(name: $0.name, pattern: try! $0.compile())
        })
    }

    /// Picks the candidate matching the most sample lines; the earlier (more specific) one wins
    /// a tie. No candidate matching any line gives a choice without candidate.
    public func choose(_ lines: [[UInt8]]) -> Choice {
        let sample = lines.filter { !$0.isEmpty }
        var scores: [(Int, Int)] = []
        for (index, candidate) in candidates.enumerated() {
            let matchData = MatchData(for: candidate.pattern.regex)
            var hits = 0
            for line in sample {
                let outcome = line.withUnsafeBytes { matchData.match(candidate.pattern.regex, $0) }
                if outcome == .matched { hits += 1 }
            }
            scores.append((index, hits))
        }
        let ranked = scores.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
        guard let best = ranked.first, best.1 > 0 else {
            return Choice(candidate: nil, matched: 0, sampled: sample.count, runnerUp: nil)
        }
        let runner = ranked.dropFirst().first { candidates[$0.0].name != candidates[best.0].name }
        return Choice(candidate: candidates[best.0], matched: best.1, sampled: sample.count,
                      runnerUp: runner.map { (candidates[$0.0].name, $0.1) })
    }

    /// Reads up to `sampleLines` lines of `reader` as copies (detection only, never per line in
    /// steady state).
    static func sniff(_ reader: LineReader) -> [[UInt8]] {
        var lines: [[UInt8]] = []
        while lines.count < sampleLines, let line = reader.nextLine() {
            lines.append(Array(line))
        }
        return lines
    }
}
