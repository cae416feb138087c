import Foundation
import Testing

/// `--bucket 1d` with `--tz`: a day bucket is a calendar day in that zone, from local midnight
/// to local midnight — 23 hours on the day summer time starts, 25 on the day it ends — and the
/// empty days filled between two busy ones start at local midnight too. The log's times are
/// written in UTC (`+0000`), so `--tz` only places the buckets. Expected starts worked out by
/// hand from the zones' rules: Europe/Berlin is +01:00 until 2026-03-29 01:00Z, then +02:00;
/// America/New_York is -04:00 until 2026-11-01 06:00Z, then -05:00.
@Suite struct DayBucketTests {
    static let format = #"$remote_addr [$time_local] "$request" $status $body_bytes_sent $request_time"#

    /// `2026-03-28T22:30` → `10.0.0.1 [28/Mar/2026:22:30:00 +0000] …`.
    static func line(_ utc: String) -> String {
        let months = ["01": "Jan", "02": "Feb", "03": "Mar", "04": "Apr", "10": "Oct", "11": "Nov"]
        let p = utc.split(whereSeparator: { "-T".contains($0) }).map(String.init)
        return #"10.0.0.1 [\#(p[2])/\#(months[p[1]]!)/\#(p[0]):\#(p[3]):00 +0000] "GET /p HTTP/1.1" 200 10 0.100"#
    }

    static func buckets(_ times: [String], tz: String, family: String = "access") throws -> [(String, Int)] {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("access.log")
        try (times.map(line).joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        let r = try Harness.run(["report", "--format", "json", "--bucket", "1d", "--tz", tz, "--nginx-format", format, file.path])
        #expect(r.status == 0, "\(r.stderr)")
        let buckets = try #require(try r.json()["buckets"] as? [[String: Any]])
        return buckets.map { ($0["start"] as? String ?? "?", $0["count"] as? Int ?? -1) }
    }

    @Test func berlinSpringDayIs23Hours() throws {
        // 23:30 on the 28th; 00:30 and 23:30 (CEST) on the 29th; 00:30 on the 30th; 12:00 on 1 April.
        let got = try Self.buckets(["2026-03-28T22:30", "2026-03-28T23:30", "2026-03-29T21:30", "2026-03-29T22:30",
                                    "2026-04-01T10:00"], tz: "Europe/Berlin")
        let want: [(String, Int)] = [("2026-03-27T23:00:00Z", 1), ("2026-03-28T23:00:00Z", 2), ("2026-03-29T22:00:00Z", 1),
                                     ("2026-03-30T22:00:00Z", 0), ("2026-03-31T22:00:00Z", 1)]
        #expect(got.map(\.0) == want.map(\.0))
        #expect(got.map(\.1) == want.map(\.1))
    }

    @Test func newYorkAutumnDayIs25Hours() throws {
        // 23:30 EDT on 31 October; 00:30 EDT and 23:30 EST on 1 November; 00:30 EST on the 2nd.
        let got = try Self.buckets(["2026-11-01T03:30", "2026-11-01T04:30", "2026-11-02T04:30", "2026-11-02T05:30"],
                                   tz: "America/New_York")
        let want: [(String, Int)] = [("2026-10-31T04:00:00Z", 1), ("2026-11-01T04:00:00Z", 2), ("2026-11-02T05:00:00Z", 1)]
        #expect(got.map(\.0) == want.map(\.0))
        #expect(got.map(\.1) == want.map(\.1))
    }

    @Test func utcDaysStayUTCDays() throws {
        let got = try Self.buckets(["2026-03-28T22:30", "2026-03-28T23:30", "2026-03-29T00:30"], tz: "UTC")
        #expect(got.map(\.0) == ["2026-03-28T00:00:00Z", "2026-03-29T00:00:00Z"])
        #expect(got.map(\.1) == [2, 1])
    }

    @Test func hourBucketsStayHoursOfRealTime() throws {
        // Berlin's repeated autumn hour (02:00-03:00 twice on 25 October) is two 1h buckets.
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("access.log")
        try (["2026-10-25T00:30", "2026-10-25T01:30"].map(Self.line).joined(separator: "\n") + "\n")
            .write(to: file, atomically: true, encoding: .utf8)
        let r = try Harness.run(["report", "--format", "json", "--bucket", "1h", "--tz", "Europe/Berlin", "--nginx-format", Self.format, file.path])
        let starts = (try r.json()["buckets"] as? [[String: Any]])?.map { $0["start"] as? String }
        #expect(starts == ["2026-10-25T00:00:00Z", "2026-10-25T01:00:00Z"])
    }
}
