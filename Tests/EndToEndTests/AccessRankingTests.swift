import Foundation
import Testing

/// Which buckets and paths the access report ranks first, and buckets without traffic.
@Suite struct AccessRankingTests {
    static func line(_ minute: Int, second: Int = 0, path: String, status: Int, time: String) -> String {
        let h = minute / 60, m = minute % 60
        let stamp = String(format: "24/Nov/2026:%02d:%02d:%02d +0000", h, m, second)
        return #"10.0.0.1 - - [\#(stamp)] "GET \#(path) HTTP/1.1" \#(status) 100 "-" "test" \#(time)"#
    }

    /// Two hours at 180 requests a minute with one 5xx a minute, a 10-minute incident at
    /// 10:50–10:59 (15 or 16 errors of 180: 8.3–8.9%), and 15 night minutes of one failed
    /// request each (100%). One path is seen once, at 9 s; the busy path answers in 10 ms
    /// (500 ms during the incident). Truth by construction: the incident's ten minutes are the
    /// worst buckets, the lone minutes are not ranked, and the slowest path with enough
    /// requests is the busy one.
    static func incidentLog() -> String {
        var lines: [String] = []
        for night in 0..<15 {
            lines.append(line(3 * 60 + night * 2, path: "/night/\(night)", status: 500, time: "0.005"))
        }
        for minute in (10 * 60)..<(12 * 60) {
            let incident = minute >= 10 * 60 + 50 && minute < 11 * 60
            let errors = incident ? (minute % 2 == 0 ? 15 : 16) : 1
            for k in 0..<180 {
                let status = k < errors ? 503 : 200
                lines.append(line(minute, second: k / 3, path: "/api/items/SKU-\(k)", status: status,
                                  time: incident ? "0.500" : "0.010"))
            }
        }
        lines.append(line(11 * 60 + 30, second: 59, path: "/rare/once", status: 200, time: "9.000"))
        return lines.joined(separator: "\n") + "\n"
    }

    /// Rows of the text table that follows `title`, as their cells.
    static func rows(after title: String, in text: String) -> [[String]] {
        guard let range = text.range(of: title) else { return [] }
        var out: [[String]] = []
        for line in text[range.upperBound...].split(separator: "\n", omittingEmptySubsequences: false).dropFirst(2) {
            guard line.hasPrefix("  ") else { break }
            out.append(line.split(separator: " ").map(String.init))
        }
        return out
    }

    @Test func sustainedIncidentRanksFirstAndLoneRequestsDoNot() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("incident.log")
        try Self.incidentLog().write(to: log, atomically: true, encoding: .utf8)
        let result = try Harness.run(["report", log.path])
        #expect(result.status == 0, "\(result.stderr)")
        let worst = Self.rows(after: "Worst buckets by 5xx rate", in: result.text)
        let incident = Set((50..<60).map { "10:\($0)" })
        #expect(worst.count >= 10, "\(result.text)")
        #expect(Set(worst.prefix(10).map { $0[1] }) == incident, "\(worst)")
        #expect(!worst.contains { $0[1].hasPrefix("03:") }, "lone night minutes are not ranked")
        let slowBuckets = Self.rows(after: "Worst buckets by p95 latency", in: result.text)
        #expect(Set(slowBuckets.prefix(10).map { $0[1] }) == incident, "\(slowBuckets)")
        let slowPaths = Self.rows(after: "Top paths by p95 latency", in: result.text)
        #expect(slowPaths.first?.first == "/api/items/:id", "\(slowPaths)")
        #expect(!slowPaths.contains { $0.first == "/rare/once" })

        let json = try Harness.run(["report", "--format", "json", log.path]).json()
        let top = try #require(json["top_paths"] as? [String: Any])
        #expect(top["by_p95_min_requests"] as? Int == 20)
        let byP95 = try #require(top["by_p95"] as? [[String: Any]])
        #expect(byP95.map { $0["path"] as? String } == ["/api/items/:id"])
    }

    /// Traffic at 10:00–10:04 and 10:10–10:12, none between: the five silent minutes are
    /// buckets of zero in JSON and in the text table, not missing.
    @Test func minutesWithoutTrafficAreZeroBuckets() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("outage.log")
        let minutes = Array(600..<605) + Array(610..<613)
        try minutes.map { Self.line($0, path: "/a", status: 200, time: "0.010") }.joined(separator: "\n")
            .write(to: log, atomically: true, encoding: .utf8)
        let json = try Harness.run(["report", "--format", "json", log.path]).json()
        let buckets = try #require(json["buckets"] as? [[String: Any]])
        #expect(buckets.map { $0["start"] as? String } == (0..<13).map { String(format: "2026-11-24T10:%02d:00Z", $0) })
        #expect(buckets.map { $0["count"] as? Int } == [1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 1, 1, 1])
        let text = try Harness.run(["report", log.path]).text
        let table = Self.rows(after: "Per 1m", in: text)
        #expect(table.count == 13, "\(text)")
        #expect(table.first { $0[1] == "10:07" }?[2] == "0")
    }
}
