import Foundation
import LogParsing
import LogsiftTestSupport
import PCRE2
import Testing

/// The byte scanner in front of nginx formats must give exactly what PCRE2 gives: whenever it
/// accepts a line, the regex matches that line too, with every capture at the same bytes. (A
/// line the scanner refuses goes to PCRE2, so refusing is always safe; accepting wrongly is not.)
@Suite struct LineScannerTests {
    /// Built-in formats and custom layouts that use every fragment the scanner knows.
    static let formats: [NginxFormat] = NginxFormat.builtins + [
        NginxFormat(name: "iso", logFormat: #"$remote_addr [$time_iso8601] "$request" $status $body_bytes_sent $request_time"#),
        NginxFormat(name: "iso-bare", logFormat: #"$time_iso8601 $remote_addr "$request" $status $bytes_sent "$http_user_agent""#),
        NginxFormat(name: "msec", logFormat: #"$msec $remote_addr $request_length "$request" $status $upstream_addr $upstream_status $upstream_connect_time"#),
        NginxFormat(name: "colons", logFormat: #"$remote_addr:$remote_port [$time_local] "$request" $status"#),
        NginxFormat(name: "quoted-status", logFormat: #"$remote_addr "$status" "$request" "$request_time""#),
        NginxFormat(name: "tabs", logFormat: "$remote_addr\t$time_local\t$request\t$status\t$request_time"),
    ]

    /// Lines in those shapes, edge cases included: forwarded-for lists, escaped quotes, `-`,
    /// comma and ` : ` upstream lists, ISO times with and without fraction and zone.
    static let handWritten: [String] = [
        #"203.0.113.7 - - [24/Nov/2026:10:00:00 +0100] "GET /api/v1/users/42?x=1 HTTP/1.1" 200 512 "-" "curl/8.0" 0.123"#,
        #"203.0.113.7 - alice [4/Nov/2026:10:00:00 -0500] "POST /login HTTP/2.0" 302 0 "https://a/" "Mozilla \"quoted\" agent" 1.000 0.998"#,
        #"10.0.0.1, 10.0.0.2 - - [24/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 1 "-" "-""#,
        #""10.0.0.1, 10.0.0.2" 10.0.0.3 - - [24/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 1 "-" "-""#,
        #"10.0.0.1, 10.0.0.2 10.0.0.3 - - [24/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 1 "-" "-""#,
        #"::1 - - [24/Nov/2026:10:00:00 +0000] "-" 400 0 "-" "-" 0.000 -"#,
        #"::1 - - [24/Nov/2026:10:00:00 +0000] "\x16\x03\x01" 400 157 "-" "-" 0.001 -"#,
        #"1.2.3.4 - - [24/Nov/2026:10:00:00 +0000] "GET /a HTTP/1.1" 502 10 "-" "ua" 3.001 1.000, 2.000 : 0.001"#,
        #"1.2.3.4 - - [24/Nov/2026:10:00:00 +0000] "GET /a HTTP/1.1" 200 10 "-" "ua" 0.5 0.4"#,
        #"1.2.3.4 - - [24/Nov/2026:10:00:00 +0000] "GET /a HTTP/1.1" 200 - "-" "ua" - -"#,
        #"1.2.3.4 - - [24/Nov/2026:10:00:00 +0000] "GET /a HTTP/1.1" 200 10 "-" "trailing backslash \\" 0.5"#,
        #"1.2.3.4 - - [24/Nov/2026:10:00:00 +0000] "GET /a HTTP/1.1" 200 10 "-" "ua" "10.1.1.1" 0.5"#,
        #"1.2.3.4 [2026-11-24T10:00:00+01:00] "GET / HTTP/1.1" 200 5 0.010"#,
        #"1.2.3.4 [2026-11-24T10:00:00.123Z] "GET / HTTP/1.1" 200 5 0.010"#,
        #"1.2.3.4 [2026-11-24T10:00:00+0100] "GET / HTTP/1.1" 200 5 0.010"#,
        #"1.2.3.4 [2026-11-24T10:00:00] "GET / HTTP/1.1" 200 5 0.010"#,
        #"2026-11-24T10:00:00+01:00 1.2.3.4 "GET / HTTP/1.1" 200 5 "ua""#,
        #"2026-11-24T10:00:00+01:2 1.2.3.4 "GET / HTTP/1.1" 200 5 "ua""#,
        #"1732442400.123 1.2.3.4 120 "GET / HTTP/1.1" 200 10.0.0.1:80, 10.0.0.2:80 : 10.0.0.3:80 200, 502 0.001, -"#,
        #"1732442400 1.2.3.4 - "GET / HTTP/1.1" 200 unix:/tmp/s - -"#,
        #"1.2.3.4:5555 [24/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200"#,
        #"1.2.3.4 "200" "GET / HTTP/1.1" "0.5""#,
        "1.2.3.4\t24/Nov/2026:10:00:00 +0000\tGET / HTTP/1.1\t200\t0.5",
        #"192.168.0.1 - - [24/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 10 "-" "ua" 0.5 extra fields here"#,
        "",
        "-",
    ]

    /// The lines to compare: hand-written ones, the package's samples and the corpora's access
    /// logs (filebeat, ingress-nginx, lnav, goaccess), each also mutated.
    static func lines() -> [[UInt8]] {
        var lines = handWritten.map { Array($0.utf8) }
        let root = Corpora.packageRoot
        lines += RobustnessCorpus.lines(root.appendingPathComponent("samples/access.log"), limit: 3000)
        lines += RobustnessCorpus.lines(root.appendingPathComponent("samples/access.log.2.gz"), limit: 3000)
        for path in ["elastic-beats/filebeat/module/nginx/access/test/test.log",
                     "elastic-beats/filebeat/module/nginx/ingress_controller/test/test.log",
                     "lnav/test/logfile_access_log.0", "lnav/test/logfile_access_log.1",
                     "lnav/test/logfile_shop_access_log.0", "lnav/test/logfile_bad_access_log.0",
                     "goaccess/.github/workflows/build-test.access.log"] {
            lines += RobustnessCorpus.lines(relative: path, limit: 3000)
        }
        return lines
    }

    /// Whether scanner and regex agree on `line`; a description of the difference when not.
    static func disagreement(_ line: [UInt8], _ scanner: LineScanner, _ pattern: CompiledPattern,
                             _ match: MatchData, groups: Int) -> String? {
        withExactBytes(line) { bytes in
            guard scanner.scan(bytes) else { return nil }
            let outcome = match.match(pattern.regex, bytes)
            guard outcome == .matched else { return "scanner accepted, regex says \(outcome)" }
            for group in 1...groups where match.range(group) != scanner.ranges[group] {
                return "group \(group): regex \(String(describing: match.range(group))), scanner \(String(describing: scanner.ranges[group]))"
            }
            return nil
        }
    }

    @Test func everyFormatHasALayout() throws {
        for format in Self.formats {
            let pattern = try format.compile()
            #expect(pattern.layout != nil, "\(format.name)")
        }
    }

    @Test func scannerAgreesWithTheRegexOnRealAndFuzzedLines() throws {
        let lines = Self.lines()
        #expect(lines.count > 500, "corpora lines found: \(lines.count)")
        var rng = FuzzRNG(seed: fuzzSeed)
        var accepted = 0, compared = 0
        for format in Self.formats {
            let pattern = try format.compile()
            let layout = try #require(pattern.layout)
            let scanner = LineScanner(layout)
            let match = MatchData(for: pattern.regex)
            let groups = pattern.fields.flatMap(\.groups).max() ?? 0
            for line in lines {
                for variant in [line, Mutator.mutations(line, &rng), Mutator.mutations(line, &rng, max: 8)] {
                    compared += 1
                    if let problem = Self.disagreement(variant, scanner, pattern, match, groups: groups) {
                        Issue.record("\(format.name): \(problem) on \(FuzzCase.describe(variant))")
                        return
                    }
                    if withExactBytes(variant, { scanner.scan($0) }) { accepted += 1 }
                }
            }
        }
        // The comparison means something only if the scanner accepted many lines.
        #expect(accepted > compared / 20, "accepted \(accepted) of \(compared)")
    }

    /// Lines built field by field from every fragment's alphabet (digits, dots, dashes, commas,
    /// colons, quotes, backslashes, brackets, spaces), so the scanner's edge cases are reached
    /// far more often than mutations of real lines reach them.
    @Test func scannerAgreesWithTheRegexOnSynthesizedFields() throws {
        var rng = FuzzRNG(seed: fuzzSeed ^ 0x5ca7)
        let alphabet: [String] = ["0", "1", "9", ".", "-", ",", ", ", " : ", ":", "\"", "\\", "\\\"", "[", "]", " ",
                                  "\t", "a", "Z", "T", "+", "/", "Nov", "2026", "10", "\u{0b}", "\r", "\u{85}", "é"]
        func field() -> String {
            (0..<rng.below(7)).map { _ in rng.pick(alphabet) }.joined()
        }
        var accepted = 0
        for format in Self.formats {
            let pattern = try format.compile()
            let scanner = LineScanner(try #require(pattern.layout))
            let match = MatchData(for: pattern.regex)
            let groups = pattern.fields.flatMap(\.groups).max() ?? 0
            // A line of the format: its literals kept, each variable replaced by a made-up value,
            // sometimes a well-formed one.
            for _ in 0..<4000 {
                var line = format.logFormat
                while let dollar = line.firstIndex(of: "$") {
                    var end = line.index(after: dollar)
                    if end < line.endIndex, line[end] == "{" {
                        end = line[end...].firstIndex(of: "}").map { line.index(after: $0) } ?? line.endIndex
                    } else {
                        while end < line.endIndex, line[end].isLetter || line[end].isNumber || line[end] == "_" { end = line.index(after: end) }
                    }
                    let name = String(line[dollar..<end])
                    let value: String
                    if rng.chance(85) {
                        switch name {
                        case "$time_local": value = rng.pick(["24/Nov/2026:10:00:00 +0100", "4/Nov/2026:10:00:00 -0000", "24/Nov/2026:10:00:0 +0100"])
                        case "$time_iso8601": value = rng.pick(["2026-11-24T10:00:00+01:00", "2026-11-24T10:00:00.5Z", "2026-11-24T10:00:00+0100", "2026-11-24T10:00:00+01:0"])
                        case "$status": value = rng.pick(["200", "50", "5000"])
                        default: value = rng.pick(["-", "0.001", "12", "1.0, 2.0", "1.0 : -", "a b", "x"])
                        }
                    } else {
                        value = field()
                    }
                    line.replaceSubrange(dollar..<end, with: value)
                }
                let bytes = Array(line.utf8)
                if let problem = Self.disagreement(bytes, scanner, pattern, match, groups: groups) {
                    Issue.record("\(format.name): \(problem) on \(FuzzCase.describe(bytes))")
                    return
                }
                if withExactBytes(bytes, { scanner.scan($0) }) { accepted += 1 }
            }
        }
        #expect(accepted > 1000, "accepted \(accepted)")
    }

    /// Clean lines of the built-in formats are all taken by the scanner: the fast path is used.
    @Test func cleanLinesNeedNoRegex() throws {
        let pattern = try NginxFormat.combinedUpstream.compile()
        let scanner = LineScanner(try #require(pattern.layout))
        for line in [Self.handWritten[1]] + Self.handWritten[7...9] {
            #expect(withExactBytes(Array(line.utf8)) { scanner.scan($0) }, "\(line)")
        }
        let timed = LineScanner(try #require(try NginxFormat.combinedRequestTime.compile().layout))
        #expect(withExactBytes(Array(Self.handWritten[0].utf8)) { timed.scan($0) })
        // A quoted forwarded-for list before the address is the regex's (second alternative).
        #expect(!withExactBytes(Array(Self.handWritten[3].utf8)) { scanner.scan($0) })
    }
}
