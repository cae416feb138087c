import Foundation
import Testing
import PCRE2

/// Matches `subject` with a fresh or given match data; the subject's bytes as an array, so that
/// capture ranges can be read back.
private func match(_ regex: Regex, _ subject: [UInt8], with data: MatchData? = nil) -> (MatchOutcome, MatchData) {
    let data = data ?? MatchData(for: regex)
    let outcome = subject.withUnsafeBytes { data.match(regex, $0) }
    return (outcome, data)
}

private func match(_ regex: Regex, _ subject: String) -> (MatchOutcome, MatchData) {
    match(regex, Array(subject.utf8))
}

@Suite struct RegexTests {
    @Test func compilesAndJITs() throws {
        let regex = try Regex(#"^(\d+)\.(\d+)$"#)
        #expect(regex.pattern == #"^(\d+)\.(\d+)$"#)
        #expect(regex.captureCount == 2)
        #expect(regex.namedGroups.isEmpty)
        // Debian's and Homebrew's PCRE2 are built with the JIT on x86-64 and arm64.
        #expect(regex.isJIT)
        let (outcome, data) = match(regex, "12.345")
        #expect(outcome == .matched)
        #expect(data.range(0) == 0..<6)
        #expect(data.range(1) == 0..<2)
        #expect(data.range(2) == 3..<6)
        #expect(data.range(3) == nil)
        #expect(match(regex, "12.x").0 == .noMatch)
    }

    @Test func namedGroupsInGroupOrder() throws {
        let regex = try Regex(#"(?<zeta>\w+) (\d+) (?<alpha>\w+)(?<unused>!)?"#)
        #expect(regex.captureCount == 4)
        #expect(regex.namedGroups.map(\.name) == ["zeta", "alpha", "unused"])
        #expect(regex.namedGroups.map(\.group) == [1, 3, 4])
        #expect(try regex.captures(in: "GET 200 ok") == ["zeta": "GET", "alpha": "ok"])
        #expect(try regex.captures(in: "!!!") == nil)
    }

    @Test func duplicateNamesTakeTheGroupThatMatched() throws {
        let regex = try Regex(#"(?<v>\d+)ms|(?<v>\d+)s"#, options: .dupNames)
        #expect(regex.namedGroups.map(\.name) == ["v", "v"])
        #expect(try regex.captures(in: "12s") == ["v": "12"])
        #expect(try regex.captures(in: "340ms") == ["v": "340"])
    }

    @Test func capturesThatDoNotTakePartAreNil() throws {
        let regex = try Regex(#"(a)|(b)"#)
        let (outcome, data) = match(regex, "b")
        #expect(outcome == .matched)
        #expect(data.range(1) == nil)
        #expect(data.range(2) == 0..<1)
        #expect(data.range(99) == nil)
    }

    @Test func options() throws {
        #expect(match(try Regex("get", options: .caseless), "GET /").0 == .matched)
        #expect(match(try Regex("get"), "GET /").0 == .noMatch)
        #expect(match(try Regex("b", options: .anchored), "ab").0 == .noMatch)
        #expect(match(try Regex("^b$", options: .multiline), "a\nb\nc").0 == .matched)
        #expect(match(try Regex("a.c", options: .dotAll), "a\nc").0 == .matched)
        #expect(match(try Regex("a.c"), "a\nc").0 == .noMatch)
    }

    @Test func matchDataIsReusedAcrossSubjects() throws {
        let regex = try Regex(#"status=(\d{3})"#)
        let data = MatchData(for: regex)
        for code in 100..<600 {
            let subject = Array("x status=\(code) y".utf8)
            let (outcome, _) = match(regex, subject, with: data)
            #expect(outcome == .matched)
            #expect(data.range(1).map { String(decoding: subject[$0], as: UTF8.self) } == "\(code)")
        }
        #expect(match(regex, Array("status=".utf8), with: data).0 == .noMatch)
    }

    @Test func tooSmallMatchDataStillMatches() throws {
        let regex = try Regex("(a)(b)(c)")
        let data = MatchData(capacity: 0)
        #expect(data.pairCount == 1)
        #expect(match(regex, Array("abc".utf8), with: data).0 == .matched)
        #expect(data.range(0) == 0..<3)
        #expect(data.range(1) == nil)
    }

    @Test func emptySubject() throws {
        #expect(match(try Regex("^$"), []).0 == .matched)
        #expect(match(try Regex("x"), []).0 == .noMatch)
        #expect(try Regex("(?<all>.*)").captures(in: "") == ["all": ""])
    }

    @Test func badPatternCarriesPCRE2sMessageAndOffset() {
        #expect {
            _ = try Regex("abc(def")
        } throws: { error in
            guard let error = error as? PCRE2Error else { return false }
            return error.message == "missing closing parenthesis" && error.offset == 7
                && error.description == "missing closing parenthesis at offset 7" && error.code == 114
        }
        #expect {
            _ = try Regex("a{2,1}")
        } throws: { error in
            guard let error = error as? PCRE2Error else { return false }
            return error.message.contains("out of order") && error.offset == 5
        }
        #expect {
            _ = try Regex("(?<1bad>x)")
        } throws: { error in
            (error as? PCRE2Error)?.message.contains("subpattern name") == true
        }
    }

    /// By default patterns match bytes: a line with invalid UTF-8 still matches `[^"]*`.
    @Test func byteModeMatchesInvalidUTF8() throws {
        let quoted = try Regex(#""(?<agent>[^"]*)""#)
        let subject: [UInt8] = Array("x \"".utf8) + [0xff, 0xc3, 0x28, 0x41, 0xed, 0xa0, 0x80] + Array("\" y".utf8)
        let (outcome, data) = match(quoted, subject)
        #expect(outcome == .matched)
        #expect(data.range(1) == 3..<10)
        let dot = try Regex("^.$")
        for byte: UInt8 in [0x00, 0x41, 0x80, 0xc3, 0xff] { #expect(match(dot, [byte]).0 == .matched, "\(byte)") }
        #expect(match(dot, [0xc3, 0xa9]).0 == .noMatch)  // é is two bytes here
    }

    /// With `.utf` (PCRE2_MATCH_INVALID_UTF): invalid sequences never match, and neither the
    /// JIT nor the interpreter reads past them or crashes.
    @Test func utfModeSkipsInvalidUTF8WithoutCrashing() throws {
        let word = try Regex(#"(\w+) (\w+)"#, options: .utf)
        let subject: [UInt8] = [0xff, 0xfe, 0x20] + Array("hello world".utf8) + [0xc3, 0x28, 0xed, 0xa0, 0x80, 0xf8]
        let (outcome, data) = match(word, subject)
        #expect(outcome == .matched)
        #expect(data.range(1) == 3..<8)
        #expect(data.range(2) == 9..<14)
        let dot = try Regex("^.$", options: .utf)
        for bad: [UInt8] in [[0xff], [0x80], [0xc3], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80]] {
            #expect(match(dot, bad).0 == .noMatch, "\(bad)")
        }
        #expect(match(dot, [0xc3, 0xa9]).0 == .matched)  // é
        // Every 1- and 2-byte subject (a sample of second bytes) gives a match or no match.
        let any = try Regex(#"(?<a>\S)(?<b>.)?"#, options: .utf)
        let data2 = MatchData(for: any)
        for first in 0...255 {
            for second in stride(from: 0, through: 255, by: 15) {
                let outcome = match(any, [UInt8(first), UInt8(second)], with: data2).0
                #expect(outcome == .matched || outcome == .noMatch)
            }
        }
    }

    @Test func catastrophicBacktrackingHitsTheMatchLimitQuickly() throws {
        let regex = try Regex(#"^(a+)+$"#)
        let subject = Array(repeating: UInt8(ascii: "a"), count: 40) + [UInt8(ascii: "!")]
        let clock = ContinuousClock()
        let start = clock.now
        let (outcome, _) = match(regex, subject)
        let elapsed = clock.now - start
        #expect(outcome == .limitExceeded)
        #expect(elapsed < .seconds(1), "took \(elapsed)")
        // A lower limit gives up sooner; the same match data works again afterwards.
        let strict = MatchData(capacity: regex.captureCount, matchLimit: 1000)
        #expect(match(regex, subject, with: strict).0 == .limitExceeded)
        #expect(match(regex, Array("aaaa".utf8), with: strict).0 == .matched)
        #expect(try regex.captures(in: String(repeating: "a", count: 40) + "!") == nil)
    }

    @Test func aPatternThatKeepsHittingTheLimitGetsATighterOne() throws {
        let regex = try Regex(#"^(a+)+$"#)
        let bad = Array(repeating: UInt8(ascii: "a"), count: 40) + [UInt8(ascii: "!")]
        let matchData = MatchData(for: regex)
        #expect(matchData.currentMatchLimit == MatchData.defaultMatchLimit)
        for _ in 0..<9 { _ = match(regex, bad, with: matchData) }
        #expect(matchData.limitHits == 9)
        #expect(matchData.currentMatchLimit == MatchData.defaultMatchLimit)
        _ = match(regex, bad, with: matchData)
        #expect(matchData.currentMatchLimit == MatchData.defaultMatchLimit / 10)
        for _ in 0..<1990 { _ = match(regex, bad, with: matchData) }
        #expect(matchData.attempts == 2000)
        #expect(matchData.limitHits == 2000)
        // Three stages, then no lower: a thousandth of the default.
        #expect(matchData.currentMatchLimit == MatchData.defaultMatchLimit / 1000)
        // Lines the pattern is good for still match under the tighter limit.
        #expect(match(regex, Array("aaaa".utf8), with: matchData).0 == .matched)
    }

    @Test func aFewHardLinesAmongManyGoodOnesKeepTheFullLimit() throws {
        let regex = try Regex(#"^(a+)+$"#)
        let bad = Array(repeating: UInt8(ascii: "a"), count: 40) + [UInt8(ascii: "!")]
        let good = Array("aaaa".utf8)
        let matchData = MatchData(for: regex)
        // 20 hard lines among 100,000: 1 in 5,000, under the 1 in 1,000 that tightens.
        for i in 0..<100_000 {
            _ = match(regex, i % 5_000 == 0 ? bad : good, with: matchData)
        }
        #expect(matchData.limitHits == 20)
        #expect(matchData.currentMatchLimit == MatchData.defaultMatchLimit)
    }

    @Test func oneRegexServesManyWorkers() async throws {
        let regex = try Regex(#"id=(?<id>\d+)"#)
        let counts = await withTaskGroup(of: Int.self) { group in
            for worker in 0..<4 {
                group.addTask {
                    let data = MatchData(for: regex)
                    var matched = 0
                    for i in 0..<2000 {
                        let subject = Array("worker \(worker) id=\(i)".utf8)
                        if subject.withUnsafeBytes({ data.match(regex, $0) }) == .matched,
                           let r = data.range(1), String(decoding: subject[r], as: UTF8.self) == "\(i)" {
                            matched += 1
                        }
                    }
                    return matched
                }
            }
            return await group.reduce(0, +)
        }
        #expect(counts == 8000)
    }
}
