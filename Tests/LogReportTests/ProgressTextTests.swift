import Testing
@testable import LogReport

/// The progress line's wording, against figures worked out by hand.
@Suite struct ProgressTextTests {
    @Test func knownTotalGivesShareRateAndTimeLeft() {
        // 50 MB of 200 MB in 2 s: 25%, 25 MB/s, 150 MB left at 25 MB/s = 6 s.
        #expect(ProgressText.line(bytes: 50_000_000, total: 200_000_000, seconds: 2)
            == "reading 50.0 MB of 200.0 MB (25%), 25.0 MB/s, about 0:06 left")
        // 1 GB of 9 GB in 10 s: 100 MB/s, 8,000 MB left = 80 s = 1:20.
        #expect(ProgressText.line(bytes: 1_000_000_000, total: 9_000_000_000, seconds: 10)
            == "reading 1000 MB of 9000 MB (11%), 100.0 MB/s, about 1:20 left")
    }

    @Test func unknownTotalGivesBytesAndRate() {
        #expect(ProgressText.line(bytes: 1_234_567, total: nil, seconds: 0.5) == "reading 1.2 MB, 2.5 MB/s")
    }

    @Test func neverMoreThanDoneNorWiderThanAsked() {
        // Planning reads a little more than the file sizes: the share stops at 100%.
        #expect(ProgressText.line(bytes: 110, total: 100, seconds: 1).contains("(100%)"))
        #expect(ProgressText.line(bytes: 50_000_000, total: 200_000_000, seconds: 2, width: 20).count == 20)
        #expect(ProgressText.clock(3723) == "1:02:03")
    }
}
