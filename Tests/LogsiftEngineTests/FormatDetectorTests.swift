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
}
