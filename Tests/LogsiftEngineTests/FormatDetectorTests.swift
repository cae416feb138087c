import Testing
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
