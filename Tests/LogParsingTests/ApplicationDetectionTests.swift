import Foundation
import PCRE2
import Testing
@testable import LogParsing

/// Detection confidence when continuation lines are not trace-shaped, and that lines of any
/// look counted as continuations do not lift garbage or other families' logs.
///
/// `rank` mirrors `FormatDetector.choose` (LogsiftEngine) with what LogParsing has: nginx's
/// built-in access formats first, then PostgreSQL, then the application formats; the most
/// recognised lines win, the earlier candidate on a tie.
@Suite struct ApplicationDetectionTests {
    static let nginx: [(String, CompiledPattern)] = NginxFormat.builtins.map { ($0.name, try! $0.compile()) }

    static func rank(_ lines: [[UInt8]]) -> [(name: String, matched: Int)] {
        let sample = lines.filter { !$0.isEmpty }
        var scored: [(name: String, matched: Int)] = nginx.map { name, pattern in
            let matchData = MatchData(for: pattern.regex)
            return (name, sample.filter { line in line.withUnsafeBytes { matchData.match(pattern.regex, $0) } == .matched }.count)
        }
        if let pg = PostgresFormat.detect(sample) { scored.append((pg.format.name, pg.matched)) }
        scored += ApplicationFormat.detect(sample).map { ($0.format.name, $0.matched) }
        return scored.enumerated().sorted { a, b in
            a.element.matched != b.element.matched ? a.element.matched > b.element.matched : a.offset < b.offset
        }.map(\.element).filter { $0.matched > 0 }
    }

    static func sample(_ text: String) -> [[UInt8]] {
        Array(appLines(text).filter { !$0.isEmpty }.prefix(200))
    }

    /// nginx error log with `PHP message:` lines (filebeat's fixture shape): every line counts.
    @Test func nginxPHPMessages() {
        let text = """
        2019/10/30 23:26:34 [error] 205860#205860: *180289 FastCGI sent in stderr: "PHP message: PHP Warning:  Declaration of A::wrap($c) should be compatible
        PHP message: PHP Warning:  Declaration of B::wrap($c) should be compatible with A::wrap($c) in /var/www/x.php on line 0
        PHP message: PHP Warning:  Declaration of C::wrap($c) should be compatible with A::wrap($c) in /var/www/x.php on line 0
        2019/11/05 14:50:44 [error] 54053#0: *3 open() "/html/adsasd" failed (2: No such file or directory), client: 127.0.0.1, server: localhost
        """
        let best = ApplicationFormat.detect(Self.sample(text)).first
        #expect(best?.format == .nginxError && best?.matched == 4)
    }

    /// One dated line does not vouch for a page of text after it: at most
    /// `detectAnyLineCap` lines of any look per event.
    @Test func anyLineContinuationsAreCapped() {
        var text = "2026-11-24 10:00:00 ERROR something happened\n"
        for i in 0..<100 { text += "plain words number \(i) of a note that is no log\n" }
        let best = ApplicationFormat.detect(Self.sample(text)).first
        #expect(best?.format == .text)
        #expect(best?.matched == 1 + ApplicationFormat.detectAnyLineCap)
    }

    /// Random text lines: no format above 0.5 confidence.
    @Test func randomTextIsNotALog() {
        var rng = SplitMix(seed: 42)
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,:;-_/[]()=\"'#*".utf8)
        for round in 0..<20 {
            var lines: [[UInt8]] = []
            for _ in 0..<200 {
                let n = Int(rng.next() % 120)
                lines.append((0..<n).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] })
            }
            // Some rounds carry a few dated lines among the noise.
            if round % 2 == 1 {
                for k in stride(from: 0, to: 200, by: 50) { lines[k] = Array("2026-11-24 10:00:0\(k / 50) INFO noise".utf8) }
            }
            let sample = lines.filter { !$0.isEmpty }
            for candidate in Self.rank(sample) {
                let confidence = Double(candidate.matched) / Double(sample.count)
                #expect(confidence <= 0.5, "round \(round): \(candidate.name) \(candidate.matched)/\(sample.count)")
            }
        }
        // Prose.
        let prose = String(repeating: "It was the best of times, it was the worst of times.\nIt was the age of wisdom.\n", count: 50)
        #expect(Self.rank(Self.sample(prose)).isEmpty)
    }

    /// An nginx access log stays nginx: the application formats recognise none of it.
    @Test func accessLogStaysNginx() {
        var text = ""
        for i in 0..<50 {
            text += "10.0.0.\(i) - - [24/Nov/2026:10:00:\(10 + i % 50) +0000] \"GET /api/orders/\(i) HTTP/1.1\" 200 512 \"-\" \"curl/8.0\"\n"
        }
        let ranked = Self.rank(Self.sample(text))
        #expect(ranked.first?.name.hasPrefix("nginx-") == true, "\(ranked)")
        #expect(ApplicationFormat.detect(Self.sample(text)).isEmpty)
    }

    /// The detection table over loghub's and lnav's test logs, and the filebeat nginx error
    /// fixture: the family-level answer `logsift detect` gives, with expectations where the
    /// format is one logsift reads.
    @Test func corporaTable() throws {
        guard let corpora = applicationCorpora(for: "corporaTable") else { return }
        let fm = FileManager.default
        var files: [String] = []
        for dir in try fm.contentsOfDirectory(atPath: "\(corpora)/loghub").sorted() {
            let path = "loghub/\(dir)/\(dir)_2k.log"
            if fm.fileExists(atPath: "\(corpora)/\(path)") { files.append(path) }
        }
        files += try fm.contentsOfDirectory(atPath: "\(corpora)/lnav/test").sorted()
            .filter { $0.hasPrefix("logfile_") }.map { "lnav/test/\($0)" }
        files.append("elastic-beats/filebeat/module/nginx/error/test/error.log")
        let expected: [String: String] = [
            "loghub/Apache/Apache_2k.log": "apache-error", "loghub/Linux/Linux_2k.log": "syslog-rfc3164",
            "loghub/OpenSSH/OpenSSH_2k.log": "syslog-rfc3164", "loghub/Spark/Spark_2k.log": "app-text",
            "lnav/test/logfile_glog.0": "app-text", "lnav/test/logfile_java.0": "app-text",
            "lnav/test/logfile_laravel.1": "app-text", "lnav/test/logfile_zap_console.0": "app-text",
            "lnav/test/logfile_json.json": "app-jsonl", "lnav/test/logfile_logfmt.0": "app-logfmt",
            "lnav/test/logfile_syslog.0": "syslog-rfc3164", "lnav/test/logfile_access_log.0": "nginx-combined",
            "lnav/test/logfile_shop_access_log.0": "nginx-main",
            "elastic-beats/filebeat/module/nginx/error/test/error.log": "nginx-error",
        ]
        // Logs whose application-family confidence must be full (every sampled line an event
        // or joined to one).
        let full: Set<String> = ["loghub/Apache/Apache_2k.log", "lnav/test/logfile_glog.0", "lnav/test/logfile_laravel.1",
                                 "lnav/test/logfile_zap_console.0", "elastic-beats/filebeat/module/nginx/error/test/error.log"]
        var table = "file | format | confidence | runner-up\n"
        for file in files {
            guard let data = fm.contents(atPath: "\(corpora)/\(file)") else { continue }
            let lines = Self.sample(String(decoding: data, as: UTF8.self))
            let ranked = Self.rank(lines)
            let best = ranked.first
            let runner = ranked.dropFirst().first { $0.name != best?.name }
            let confidence = lines.isEmpty ? 0 : Double(best?.matched ?? 0) / Double(lines.count)
            table += "\(file) | \(best?.name ?? "unknown") | \(Int((confidence * 100).rounded()))% (\(best?.matched ?? 0)/\(lines.count))"
            table += " | \(runner.map { "\($0.name) (\($0.matched))" } ?? "-")\n"
            if let want = expected[file] { #expect(best?.name == want, "\(file): \(ranked.prefix(3))") }
            if full.contains(file) { #expect(confidence == 1, "\(file): \(ranked.prefix(3))") }
        }
        print(table, terminator: "")
    }
}

/// A small deterministic generator (SplitMix64) for reproducible random text.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
