import Foundation
import Testing

/// `--tz` and timestamps through the real binary: offsets written with a leading dash, IANA zone
/// names across daylight-saving changes, PostgreSQL zone abbreviations, impossible timestamps.
/// Expected UTC instants are computed with Python's zoneinfo or by hand (in the comments).
@Suite struct TimeZoneTests {
    func report(_ lines: [String], _ arguments: [String]) throws -> (Harness.Result, [String: Any]?) {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("t.log")
        try (lines.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        let result = try Harness.run(["report"] + arguments + [file.path])
        let json = arguments.contains("json") ? try? JSONSerialization.jsonObject(with: result.stdout) as? [String: Any] : nil
        return (result, json)
    }

    func timeRange(_ json: [String: Any]?) -> [String]? {
        guard let range = json?["time_range"] as? [String: Any] else { return nil }
        return [range["first"] as? String ?? "?", range["last"] as? String ?? "?"]
    }

    static let app = ["2026-11-24 10:00:00 ERROR boom", "2026-11-24 10:05:00 INFO ok"]

    /// The README's own example: `--tz -05:30` (and `--tz=-05:30`) is a value, not an option.
    @Test func offsetWithLeadingDash() throws {
        for arguments in [["--tz", "-05:30"], ["--tz=-05:30"]] {
            let (result, json) = try report(Self.app, ["--format", "json"] + arguments)
            #expect(result.status == 0, "\(arguments) \(result.stderr)")
            // 10:00 at -05:30 is 15:30Z.
            #expect(timeRange(json) == ["2026-11-24T15:30:00Z", "2026-11-24T15:35:00Z"], "\(arguments)")
        }
    }

    @Test func ianaZonesAcrossDaylightSavingChanges() throws {
        // Berlin, 29 March 2026: 01:30 CET = 00:30Z, 03:30 CEST = 01:30Z.
        let (berlin, berlinJSON) = try report(["2026-03-29 01:30:00 INFO a", "2026-03-29 03:30:00 INFO b"],
                                              ["--format", "json", "--tz", "Europe/Berlin"])
        #expect(berlin.status == 0, "\(berlin.stderr)")
        #expect(timeRange(berlinJSON) == ["2026-03-29T00:30:00Z", "2026-03-29T01:30:00Z"])
        // New York, 1 November 2026: 00:30 EDT = 04:30Z, 02:30 EST = 07:30Z.
        let (newYork, newYorkJSON) = try report(["2026-11-01 00:30:00 INFO a", "2026-11-01 02:30:00 INFO b"],
                                                ["--format", "json", "--tz", "America/New_York"])
        #expect(newYork.status == 0, "\(newYork.stderr)")
        #expect(timeRange(newYorkJSON) == ["2026-11-01T04:30:00Z", "2026-11-01T07:30:00Z"])
        let (unknown, _) = try report(Self.app, ["--tz", "Nowhere/Special"])
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("zoneinfo"))
    }

    /// Access logs whose times carry no zone are read in `--tz` too (they were read as UTC
    /// whatever `--tz` said). Berlin, 29 March 2026: 01:30 CET = 00:30Z, 03:30 CEST = 01:30Z.
    @Test func accessLogTimesWithoutZoneFollowTz() throws {
        let lines = [#"1.2.3.4 [2026-03-29T01:30:00] "GET / HTTP/1.1" 200 5"#, #"1.2.3.4 [2026-03-29T03:30:00] "GET / HTTP/1.1" 200 5"#]
        let (result, json) = try report(lines, ["--format", "json", "--tz", "Europe/Berlin",
                                                "--nginx-format", #"$remote_addr [$time_iso8601] "$request" $status $body_bytes_sent"#])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(timeRange(json) == ["2026-03-29T00:30:00Z", "2026-03-29T01:30:00Z"])
    }

    static let shanghai = [
        "2026-12-02 06:22:01.375 CST [123] LOG:  duration: 12.000 ms  statement: SELECT 1",
        "2026-12-02 06:23:01.375 CST [123] LOG:  duration: 12.000 ms  statement: SELECT 1",
        "2026-12-02 06:24:01.375 XYZT [123] LOG:  duration: 12.000 ms  statement: SELECT 2",
    ]

    /// log_timezone = 'Asia/Shanghai': CST is +08 (06:22:01 CST = 22:22:01Z the day before).
    @Test func postgresAbbreviationsReadInTheZoneThatWroteTheLog() throws {
        let (named, namedJSON) = try report(Self.shanghai, ["--format", "json", "--tz", "Asia/Shanghai"])
        #expect(named.status == 0, "\(named.stderr)")
        // XYZT is unknown, read in Asia/Shanghai: 06:24:01 = 22:24:01Z.
        #expect(timeRange(namedJSON) == ["2026-12-01T22:22:01Z", "2026-12-01T22:24:01Z"])
        let namedNotes = (namedJSON?["postgres"] as? [String: Any])?["zone_abbreviations"] as? [[String: Any]]
        #expect(namedNotes?.count == 1)
        #expect(namedNotes?.first?["abbreviation"] as? String == "XYZT")
        #expect(namedNotes?.first?["lines"] as? Int == 1)

        let (plain, plainJSON) = try report(Self.shanghai, ["--format", "json", "--tz", "UTC"])
        let notes = (plainJSON?["postgres"] as? [String: Any])?["zone_abbreviations"] as? [[String: Any]] ?? []
        #expect(plain.status == 0)
        #expect(notes.map { $0["abbreviation"] as? String } == ["CST", "XYZT"])
        #expect(notes.map { $0["reading"] as? String } == ["ambiguous", "unknown"])
        #expect(notes.map { $0["lines"] as? Int } == [2, 1])
        #expect(notes.first?["offset_seconds"] as? Int == -21600)
        let (text, _) = try report(Self.shanghai, ["--tz", "UTC"])
        #expect(text.text.contains("warning: 2 lines stamped CST: read as UTC-06:00"))
        #expect(text.text.contains("warning: 1 line stamped XYZT"))
    }

    /// The default `--tz local` is the machine's zone, whose abbreviations are its own too:
    /// on a machine set to Asia/Shanghai (`TZ`), CST is +08:00 with no warning.
    @Test func machineZoneAbbreviationsAreItsOwn() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("pg.log")
        try (Self.shanghai.prefix(2).joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        let out = try Harness.shell("TZ=Asia/Shanghai '\(Harness.binary.path)' report --format json '\(file.path)'")
        let json = try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any]
        #expect(timeRange(json) == ["2026-12-01T22:22:01Z", "2026-12-01T22:23:01Z"])
        #expect(((json?["postgres"] as? [String: Any])?["zone_abbreviations"] as? [Any])?.isEmpty == true)
    }

    /// 31 February, 25:61:61, a +9999 zone and year 0 are unmatched and sampled, not moved to
    /// another day; every time in the JSON has a four-digit year.
    @Test func impossibleTimestampsAreUnmatchedAndSampled() throws {
        let lines = [
            #"1.2.3.4 - - [24/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "-""#,
            #"1.2.3.4 - - [31/Feb/2026:10:00:00 +0000] "GET /feb HTTP/1.1" 200 5 "-" "-""#,
            #"1.2.3.4 - - [24/Nov/2026:25:61:61 +0000] "GET /hour HTTP/1.1" 200 5 "-" "-""#,
            #"1.2.3.4 - - [24/Nov/2026:10:00:00 +9999] "GET /zone HTTP/1.1" 200 5 "-" "-""#,
            #"1.2.3.4 - - [00/Jan/0000:00:00:00 +0000] "GET /year HTTP/1.1" 200 5 "-" "-""#,
        ]
        let (result, json) = try report(lines, ["--format", "json"])
        #expect(result.status == 0)
        #expect(timeRange(json) == ["2026-11-24T10:00:00Z", "2026-11-24T10:00:00Z"])
        let input = (json?["inputs"] as? [[String: Any]])?.first
        #expect(input?["unmatched"] as? Int == 4)
        let samples = (json?["unmatched_samples"] as? [[String: Any]] ?? []).map { $0["line"] as? Int }
        #expect(samples == [2, 3, 4, 5])
        #expect(!result.text.contains("\"-1-"))
    }

    /// `ts=9223372036854775808` (one past `Int64.max`) once wrapped to a negative time and
    /// trapped in the report; absurd epochs are now no time and the line is unmatched.
    @Test func absurdEpochIsUnmatchedNotATrap() throws {
        let lines = ["ts=1796192521 level=info msg=ok", "ts=9223372036854775808 level=error msg=x",
                     "ts=99999999999999999999 level=error msg=y", "ts=1796192581 level=info msg=ok"]
        for format in ["text", "json"] {
            let (result, json) = try report(lines, ["--format", format, "--tz", "UTC"])
            #expect(result.status == 0, "\(format): \(result.stderr)")
            if format == "json" {
                #expect((json?["inputs"] as? [[String: Any]])?.first?["unmatched"] as? Int == 2)
                #expect(timeRange(json) == ["2026-12-02T06:22:01Z", "2026-12-02T06:23:01Z"])
            }
        }
    }
}
