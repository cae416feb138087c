import Foundation

/// A 30-minute access log with incidents known by construction, the rules that watch it, and
/// when each rule goes pending, firing and resolved — derived by hand in the comment of
/// `RulesCommandTests.replayFiresExactlyInTheIncidents`. Shared by the replay (`rules test`)
/// and the live loop (`watch --rules`), which must agree.
enum IncidentFixture {
    /// One request a second from 10:00:00, none from 900 s to 1000 s; every fifth a 500 between
    /// 600 s and 780 s; every tenth takes 8 s between 1200 s and 1620 s.
    static func write(in dir: URL) throws -> (log: URL, rules: URL) {
        let log = dir.appendingPathComponent("access.log")
        var text = ""
        for i in 0..<1800 where !(900..<1000).contains(i) {
            let status = (600..<780).contains(i) && i % 5 == 0 ? 500 : 200
            let time = (1200..<1620).contains(i) && i % 10 == 0 ? "8.000" : "0.100"
            let clock = String(format: "%02d:%02d:%02d", 10 + i / 3600, i / 60 % 60, i % 60)
            text += "10.0.0.\(i % 7) - - [24/Nov/2026:\(clock) +0000] \"GET /api/items/\(i) HTTP/1.1\" \(status) 512 \"-\" \"curl/8.5\" \(time)\n"
        }
        try text.write(to: log, atomically: true, encoding: .utf8)
        let rules = dir.appendingPathComponent("rules.yml")
        try """
        rules:
          - alert: Errors
            expr: rate(status >= 500) > 0.1
            window: 1m
            for: 1m
            annotations: {summary: "5xx at {{ $value | percent }}"}
          - alert: Down
            expr: absent(1m)
          - alert: Slow
            expr: p95(request_time) > 5s
            window: 2m
            for: 2m
        """.write(to: rules, atomically: true, encoding: .utf8)
        return (log, rules)
    }

    /// "time alert state" of every transition, in order.
    static let transitions = [
        "2026-11-24T10:10:31Z Errors pending",
        "2026-11-24T10:11:31Z Errors firing",
        "2026-11-24T10:13:26Z Errors resolved",
        "2026-11-24T10:16:00Z Down firing",
        "2026-11-24T10:16:41Z Down resolved",
        "2026-11-24T10:21:02Z Slow pending",
        "2026-11-24T10:23:02Z Slow firing",
        "2026-11-24T10:27:52Z Slow resolved",
    ]
}
