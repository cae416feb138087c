import Testing
import LogParsing
@testable import LogsiftEngine

@Suite struct FormatDetectorTests {
    static let combined = #"10.0.0.1 - - [24/Nov/2026:10:00:01 +0000] "GET / HTTP/1.1" 200 5 "-" "curl/8""#

    func lines(_ text: [String]) -> [[UInt8]] { text.map { Array($0.utf8) } }

    @Test func mostSpecificFormatWins() {
        let detector = FormatDetector.automatic()
        #expect(detector.choose(lines([Self.combined])).format?.name == "nginx-combined")
        #expect(detector.choose(lines([Self.combined + " 0.123"])).format?.name == "nginx-combined+request_time")
        #expect(detector.choose(lines([Self.combined + " 0.123 0.100"])).format?.name == "nginx-combined+request_time+upstream")
        #expect(detector.choose(lines([Self.combined + #" "1.2.3.4""#])).format?.name == "nginx-main")
    }

    @Test func confidenceAndRunnerUp() {
        let detector = FormatDetector.automatic()
        let choice = detector.choose(lines([Self.combined + " 0.5", Self.combined + " 0.5", "garbage", ""]))
        #expect(choice.format?.name == "nginx-combined+request_time")
        #expect(choice.sampled == 3)
        #expect(choice.matched == 2)
        #expect(choice.runnerUp?.name == "nginx-combined")
    }

    @Test func nothingRecognisedGivesNoFormat() {
        let choice = FormatDetector.automatic().choose(lines(["hello", "world"]))
        #expect(choice.format == nil)
        #expect(choice.confidence == 0)
    }

    /// Every name detection can print is accepted by `--log-format` and gives that format back:
    /// the fixed formats, and PostgreSQL stderr and syslog with each common prefix (inferred
    /// prefixes are checked end to end on real files, `SyslogStreamTests`).
    @Test func everyDetectableNameIsAccepted() {
        var names = Analyzer.namedFormats().map(\.name)
        for prefix in PostgresFormat.commonPrefixes {
            names.append(PostgresFormat.stderr(prefix: prefix).name)
            names.append(PostgresFormat.syslog(prefix: prefix).name)
        }
        names.append(PostgresFormat.syslog(prefix: "db=%d,user=%u,app=%a,client=%h ").name)
        for name in names {
            let detector = Analyzer.detector(named: name)
            #expect(detector != nil, "\(name)")
            #expect(detector?.choose([]).format?.name == name, "\(name)")
        }
        #expect(Analyzer.detector(named: "postgres-syslog") != nil)
        #expect(Analyzer.detector(named: "postgres-stderr") != nil)
        #expect(Analyzer.detector(named: "postgres-smoke") == nil)
    }

    /// A syslog sample with one line of another program: PostgreSQL syslog, not plain syslog.
    @Test func foreignSyslogLineKeepsPostgres() {
        var sample: [String] = []
        for n in 1...199 {
            sample.append("Feb 11 13:15:\(String(format: "%02d", n % 60)) host postgres[\(100 + n)]: [\(n)-1] db=x,user=y LOG:  duration: 1.0 ms  statement: SELECT \(n)")
        }
        sample.insert("Feb 11 13:15:41 host systemd[1]: Started PostgreSQL RDBMS.", at: 40)
        let choice = FormatDetector.automatic().choose(lines(sample))
        #expect(choice.format?.name == "postgres-syslog 'db=%d,user=%u '")
        #expect(choice.matched == 200)
    }

    /// `--pg-prefix` on syslog-framed lines reads them after the syslog header.
    @Test func pgPrefixFitsSyslog() {
        let syslog = lines(["Feb 11 13:15:41 host postgres[7]: [1-1] db=x,user=y LOG:  duration: 1.0 ms  statement: SELECT 1"])
        #expect(FormatDetector.postgresPrefix("db=%d,user=%u ").choose(syslog).format?.name == "postgres-syslog 'db=%d,user=%u '")
        let stderr = lines(["2026-01-01 10:00:00 UTC [7] LOG:  duration: 1.0 ms  statement: SELECT 1"])
        #expect(FormatDetector.postgresPrefix("%t [%p] ").choose(stderr).format?.name == "postgres-stderr '%t [%p] '")
        #expect(FormatDetector.postgresPrefix("%t [%p] ").choose(lines(["nothing"])).format?.name == "postgres-stderr '%t [%p] '")
    }

    /// name=value fields after a built-in are read, not dropped, and the choice says so.
    @Test func trailingFieldsAreNamedInTheChoice() {
        let line = Self.combined + " rt=0.123 urt=0.120 ust=200 rl=512"
        let choice = FormatDetector.automatic().choose(lines([line, line]))
        #expect(choice.format?.name == "nginx-combined + 4 fields (rt urt ust rl)")
        #expect(choice.confidence == 1)
        #expect(choice.runnerUp?.name == "nginx-combined")
        #expect(choice.guessedNginxFormat?.hasSuffix(" rt=$request_time urt=$upstream_response_time ust=$upstream_status rl=$request_length") == true)
        // Built-ins without a tail are chosen as before, with no guess.
        #expect(FormatDetector.automatic().choose(lines([Self.combined])).guessedNginxFormat == nil)
    }

    /// A `$time_iso8601` layout, once read as application text, is named as an nginx format.
    @Test func customNginxLayoutIsNamedNotAppText() {
        let line = #"2026-11-24T10:00:01+00:00 10.0.0.1 "GET /x HTTP/1.1" 200 512 0.033 "-" "curl/8""#
        let choice = FormatDetector.automatic().choose(lines([line, line, line]))
        #expect(choice.format?.name == "nginx-custom (inferred)")
        #expect(choice.guessedNginxFormat?.hasPrefix("$time_iso8601 $remote_addr \"$request\" $status") == true)
    }
}
