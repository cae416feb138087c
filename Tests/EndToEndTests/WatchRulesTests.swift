import Foundation
import Testing

/// `watch --rules`: the live loop fires the same transitions, at the same event times, as the
/// replay (`IncidentFixture`: a log with known incidents and hand-derived transition times).
@Suite struct WatchRulesTests {
    @Test func liveRulesFireAtTheHandComputedTimes() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (log, rules) = try IncidentFixture.write(in: dir)
        let r = try Harness.run(["watch", "--window", "1m", "--tz", "UTC", "--rules", rules.path], stdinFile: log)
        #expect(r.status == 0, "\(r.stderr)")
        var alerts: [String] = []
        var windows = 0
        for line in r.text.split(separator: "\n") {
            let o = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            if let alert = o["alert"] {
                alerts.append("\(o["time"]!) \(alert) \(o["state"]!)")
                if alert as? String == "Errors", o["state"] as? String == "firing" {
                    #expect(o["value"] as? Double == 0.2)
                    #expect((o["annotations"] as? [String: String])?["summary"] == "5xx at 20%")
                }
            } else {
                windows += 1
            }
        }
        #expect(alerts == IncidentFixture.transitions)
        // The window lines still come: 30 minutes of events, one line per minute closed.
        #expect(windows >= 29, "\(windows) window lines")
    }

    @Test func aBadRuleFileStopsBeforeReading() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let rules = dir.appendingPathComponent("rules.yml")
        try "rules:\n  - alert: X\n    expr: rate(stauts >= 500) > 0.1\n    window: 1m\n".write(to: rules, atomically: true, encoding: .utf8)
        let log = dir.appendingPathComponent("a.log")
        try "".write(to: log, atomically: true, encoding: .utf8)
        let r = try Harness.run(["watch", "--rules", rules.path], stdinFile: log)
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stderr.contains("rules.yml:3:"), "\(r.stderr)")
        #expect(r.stderr.contains("stauts"), "\(r.stderr)")
    }

    /// A PostgreSQL log piped in (`RulesCommandTests.postgresIncidentLog`: 30 LOG lines and 2
    /// ERRORs a minute, plus 15 FATAL connection errors a minute from 10:05 to 10:08): the
    /// sample DBConnectionErrors rule fires and resolves at the times worked out by hand there,
    /// the access rules of the file (ServiceDown's absent included) stay silent, and each
    /// minute's window counts its events and errors as written.
    @Test func postgresInputFeedsTheRules() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("postgresql.log")
        try RulesCommandTests.postgresIncidentLog().write(to: log, atomically: true, encoding: .utf8)
        let r = try Harness.run(["watch", "--window", "1m", "--tz", "UTC", "--rules", RulesCommandTests.sampleRules], stdinFile: log)
        #expect(r.status == 0, "\(r.stderr)")
        var alerts: [String] = []
        var windows = 0
        for line in r.text.split(separator: "\n") {
            let o = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            if let alert = o["alert"] {
                alerts.append("\(o["time"]!) \(alert) \(o["state"]!)")
                continue
            }
            windows += 1
            let start = try #require(o["start"] as? String)
            let minute = Int(start.dropFirst(14).prefix(2)) ?? -1
            let burst = (5...7).contains(minute) ? 15 : 0
            #expect(o["source"] as? String == "postgres")
            #expect(o["events"] as? Int == 32 + burst, "\(line)")
            #expect(o["errors"] as? Int == 2 + burst, "\(line)")
        }
        #expect(alerts == ["2026-11-24T10:05:41Z DBConnectionErrors firing", "2026-11-24T10:08:17Z DBConnectionErrors resolved"])
        #expect(windows >= 29, "\(windows) window lines")
        #expect(r.stderr.contains("rule ServiceDown (source access) reads no input of this watch (postgres)"), "\(r.stderr)")
    }
}
