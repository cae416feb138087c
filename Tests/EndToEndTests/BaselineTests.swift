import Foundation
import Testing

/// `--baseline`: per group the incident value, the baseline value and the change, checked
/// against counts the generator below knows (written by path, window and minute), never
/// against logsift's own output.
@Suite struct BaselineTests {
    /// Lines per path: (incident count, baseline count, incident request_time, baseline request_time).
    static let plan: [(path: String, incident: Int, baseline: Int, rtIncident: Double, rtBaseline: Double)] = [
        ("/a", 30, 10, 0.5, 0.125), ("/b", 5, 20, 0.25, 0.25), ("/c", 7, 0, 0.5, 0),
        ("/d", 0, 4, 0, 1.0), ("/e", 3, 3, 0.75, 0.75),
    ]
    static let incidentStart: Int64 = 1_795_525_200  // 2026-11-24T13:00:00Z
    static let baselineStart: Int64 = incidentStart - 86400

    static func stamp(_ t: Int64) -> String {
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: TimeInterval(t)))
        return String(format: "%02d/%@/%04d:%02d:%02d:%02d +0000", c.day!, months[c.month! - 1], c.year!, c.hour!, c.minute!, c.second!)
    }

    /// The log, and the truth per (window, path, 10-minute bucket index) of counts.
    static func log() -> (text: String, buckets: [String: Int]) {
        var lines: [(Int64, String)] = []
        var buckets: [String: Int] = [:]
        for entry in plan {
            for (window, start, n, rt) in [("incident", incidentStart, entry.incident, entry.rtIncident), ("baseline", baselineStart, entry.baseline, entry.rtBaseline)] {
                for i in 0..<n {
                    // Spread over the 20 minutes: 37 s apart, wrapping.
                    let t = start + Int64(i * 37 % 1200)
                    lines.append((t, "10.0.0.\(i) - - [\(stamp(t))] \"GET \(entry.path) HTTP/1.1\" 200 10 \"-\" \"t/1\" \(rt)"))
                    buckets["\(window) \(entry.path) \((t - start) / 600)", default: 0] += 1
                }
            }
            // Noise an hour later on both days: outside both windows.
            for start in [incidentStart, baselineStart] {
                lines.append((start + 3600, "10.0.9.9 - - [\(stamp(start + 3600))] \"GET \(entry.path) HTTP/1.1\" 200 10 \"-\" \"t/1\" 9.0"))
            }
        }
        lines.sort { $0.0 < $1.0 }
        return (lines.map { $0.1 + "\n" }.joined(), buckets)
    }

    static func run(_ extra: [String], query: String = "count, avg(request_time) by path", format: String = "json") throws -> (Harness.Result, URL) {
        let dir = try Harness.temporaryDirectory()
        let file = dir.appendingPathComponent("access.log")
        try log().text.write(to: file, atomically: false, encoding: .utf8)
        let result = try Harness.run(["query", query, "--tz", "UTC", "--format", format,
                                      "--since", "2026-11-24T13:00:00Z", "--until", "2026-11-24T13:20:00Z"] + extra + [file.path])
        return (result, dir)
    }

    @Test(arguments: [["--baseline", "-1d"], ["--baseline", "2026-11-23T13:00:00Z..2026-11-23T13:20:00Z"]])
    func perPathValueBaselineAndChange(_ option: [String]) throws {
        let (result, dir) = try Self.run(option)
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(result.status == 0, "\(result.stderr)")
        let rows = try QueryCommandTests.jsonLines(result)
        // Order: by |count change|, largest first: /a 20, /b 15, /c 7, /d 4, /e 0.
        #expect(rows.map { $0["path"] as? String } == ["/a", "/b", "/c", "/d", "/e"])
        for row in rows {
            let path = try #require(row["path"] as? String)
            let p = try #require(Self.plan.first { $0.path == path })
            let count = try #require(row["count"] as? [String: Any])
            #expect(count["value"] as? Double == Double(p.incident), "\(path)")
            #expect(count["baseline"] as? Double == Double(p.baseline), "\(path)")
            #expect(count["change"] as? Double == Double(p.incident - p.baseline), "\(path)")
            if p.baseline == 0 {
                #expect(count["relative"] is NSNull, "\(path)")
            } else {
                #expect(count["relative"] as? Double == Double(p.incident - p.baseline) / Double(p.baseline), "\(path)")
            }
            let avg = try #require(row["avg(request_time)"] as? [String: Any])
            if p.incident > 0 { #expect(avg["value"] as? Double == p.rtIncident, "\(path)") } else { #expect(avg["value"] is NSNull) }
            if p.baseline > 0 { #expect(avg["baseline"] as? Double == p.rtBaseline, "\(path)") } else { #expect(avg["baseline"] is NSNull) }
            let presence = p.baseline == 0 ? "new" : p.incident == 0 ? "gone" : "both"
            #expect(row["presence"] as? String == presence, "\(path)")
        }
    }

    /// `by 10m`: each bucket of the incident next to the bucket as far into the baseline window.
    @Test func timeBucketsCompareTheSameOffsetInEachWindow() throws {
        let (result, dir) = try Self.run(["--baseline", "-1d"], query: "path = \"/a\" | count by 10m")
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(result.status == 0, "\(result.stderr)")
        let rows = try QueryCommandTests.jsonLines(result)
        let truth = Self.log().buckets
        #expect(rows.count == 2)
        for (i, row) in rows.enumerated() {
            let count = try #require(row["count"] as? [String: Any])
            #expect(row["time"] as? String == (i == 0 ? "2026-11-24T13:00:00Z" : "2026-11-24T13:10:00Z"))
            #expect(count["value"] as? Double == Double(truth["incident /a \(i)"] ?? 0))
            #expect(count["baseline"] as? Double == Double(truth["baseline /a \(i)"] ?? 0))
        }
    }

    @Test func textAndCSVShowTheSameFigures() throws {
        let (text, dir) = try Self.run(["--baseline", "-1d"], query: "count by path", format: "text")
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(text.status == 0, "\(text.stderr)")
        let lines = text.text.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        #expect(lines.first == ["path", "count", "count:baseline", "count:change", "count:change%", "presence"])
        #expect(lines.dropFirst().first == ["/a", "30", "10", "+20", "+200%"])
        #expect(lines.contains(["/c", "7", "0", "+7", "-", "new"]))
        #expect(lines.contains(["/d", "0", "4", "-4", "-100%", "gone"]))
        let (csv, dir2) = try Self.run(["--baseline", "-1d"], query: "count by path", format: "csv")
        defer { try? FileManager.default.removeItem(at: dir2) }
        let rows = csv.text.split(separator: "\n").map(String.init)
        #expect(rows.first == "path,count,count:baseline,count:change,count:relative,presence")
        #expect(rows.dropFirst().first == "/a,30,10,20,2,")
        #expect(rows.contains("/b,5,20,-15,-0.75,"))
    }

    @Test(arguments: [
        (["--baseline", "-1d"], "status >= 500", "compares aggregates"),
        (["--baseline", "13:00-13:20"], "count", "START..END"),
        (["--baseline", "13:20..13:00"], "count", "before the end"),
        (["--baseline", "yesterday..x"], "count", "each side of .."),
    ])
    func mistakesAreUsageErrors(_ option: [String], _ query: String, _ message: String) throws {
        let (result, dir) = try Self.run(option, query: query, format: "text")
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(result.status == 64)
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }

    @Test func relativeBaselineNeedsAWindow() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("access.log")
        try Self.log().text.write(to: file, atomically: false, encoding: .utf8)
        let result = try Harness.run(["query", "count by path", "--baseline", "-1d", file.path])
        #expect(result.status == 64)
        #expect(result.stderr.contains("give both"), "\(result.stderr)")
    }
}
