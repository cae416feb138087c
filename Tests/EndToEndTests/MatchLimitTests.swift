import Foundation
import Testing

/// A pattern that backtracks catastrophically is counted line by line (`limit_exceeded`),
/// named in a warning, and cannot make a run take hours: the limit tightens as it keeps failing.
@Suite struct MatchLimitTests {
    @Test func linesThatHitTheLimitAreCountedReportedAndWarnedAbout() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("aaa.log")
        let bad = String(repeating: "a", count: 40) + "!\n"
        // 3,000 catastrophic lines, then 10 that the pattern matches.
        try (String(repeating: bad, count: 3000) + String(repeating: "aaaa\n", count: 10))
            .write(to: file, atomically: true, encoding: .utf8)
        let json = try Harness.run(["report", "--format", "json", "--jobs", "1", "--pattern", "^(?<path>(a+)+)$", file.path])
        let inputs = try #require(try json.json()["inputs"] as? [[String: Any]])
        #expect(inputs.first?["limit_exceeded"] as? Int == 3000)
        #expect(inputs.first?["unmatched"] as? Int == 3000)
        #expect(json.stderr.contains("3000 of 3010 lines hit PCRE2's match limit"))
        let text = try Harness.run(["report", "--jobs", "1", "--pattern", "^(?<path>(a+)+)$", file.path])
        #expect(text.text.contains("3,000 hit the regex match limit"))
    }
}
