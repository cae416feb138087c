import Foundation
import Testing

/// Minutes without a line between the first and the last are shown as zeros in every section,
/// not only for access logs: a database or application that went quiet must be visible.
@Suite struct SilentBucketTests {
    @Test func postgresAndApplicationSectionsListSilentMinutes() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let pg = dir.appendingPathComponent("postgresql.log")
        try """
        2026-12-02 00:00:01.000 UTC [11] LOG:  duration: 5.000 ms  statement: select 1
        2026-12-02 00:04:01.000 UTC [11] LOG:  duration: 5.000 ms  statement: select 1

        """.write(to: pg, atomically: true, encoding: .utf8)
        let app = dir.appendingPathComponent("app.log")
        try "2026-12-02T00:00:01.000Z ERROR x\n2026-12-02T00:03:01.000Z ERROR x\n".write(to: app, atomically: true, encoding: .utf8)
        let result = try Harness.run(["report", "--format", "json", "--tz", "UTC", pg.path, app.path])
        let json = try result.json()
        let pgBuckets = try #require((json["postgres"] as? [String: Any])?["buckets"] as? [[String: Any]])
        #expect(pgBuckets.map { $0["events"] as? Int } == [1, 0, 0, 0, 1])
        let appBuckets = try #require((json["application"] as? [String: Any])?["buckets"] as? [[String: Any]])
        #expect(appBuckets.count == 4)
        let text = try Harness.run(["report", "--tz", "UTC", pg.path, app.path]).text
        #expect(text.contains("2026-12-02 00:02        0"))
    }
}
