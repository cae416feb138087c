import Foundation
import Testing

/// `--tz` sets how the text report shows times: wall clock of that zone, the zone named in the
/// header, and across a daylight-saving change every label with its offset, while a 1h bucket
/// stays one hour of real time. Expected labels were computed with Python's zoneinfo:
/// `datetime.fromtimestamp(t, timezone.utc).astimezone(ZoneInfo("Europe/Berlin")).isoformat()`.
@Suite struct TimeDisplayTests {
    /// Combined-format lines at UTC instants (written with +0000, so reading does not depend on `--tz`).
    static func lines(_ stamps: [String]) -> [String] {
        stamps.map { #"10.0.0.1 - - [\#($0) +0000] "GET /a HTTP/1.1" 200 10 "-" "t""# }
    }

    func run(_ stamps: [String], _ arguments: [String]) throws -> Harness.Result {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("access.log")
        try (Self.lines(stamps).joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        return try Harness.run(["report"] + arguments + [file.path])
    }

    /// The per-bucket rows: label (date, time and offset when shown) -> requests.
    func rows(_ text: String) -> [String: String] {
        var out: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let cells = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            guard cells.count >= 3, cells[0].hasPrefix("2026-"), cells[1].contains(":") else { continue }
            if cells[2].hasPrefix("+") || cells[2].hasPrefix("-") {
                out["\(cells[0]) \(cells[1]) \(cells[2])"] = cells[3]
            } else {
                out["\(cells[0]) \(cells[1])"] = cells[2]
            }
        }
        return out
    }

    /// 25 October 2026: 00:00Z is 02:00+02:00 (CEST), 01:00Z is 02:00+01:00 (CET), 02:00Z is
    /// 03:00+01:00. The repeated 02:00 hour shows twice, told apart by its offset, each bucket
    /// holding the requests of its own real hour (2, 3, 1).
    @Test func autumnHourRepeatsWithOffsets() throws {
        let r = try run(["25/Oct/2026:00:10:00", "25/Oct/2026:00:50:00",
                         "25/Oct/2026:01:05:00", "25/Oct/2026:01:30:00", "25/Oct/2026:01:59:59",
                         "25/Oct/2026:02:00:00"], ["--bucket", "1h", "--tz", "Europe/Berlin"])
        #expect(r.status == 0, "\(r.stderr)")
        let table = rows(r.text)
        #expect(table["2026-10-25 02:00 +02:00"] == "2", "\(r.text)")
        #expect(table["2026-10-25 02:00 +01:00"] == "3", "\(r.text)")
        #expect(table["2026-10-25 03:00 +01:00"] == "1", "\(r.text)")
        #expect(r.text.contains("Time range  2026-10-25 02:10:00 +02:00 .. 2026-10-25 03:00:00 +01:00"), "\(r.text)")
        #expect(r.text.contains("times in Europe/Berlin"))
    }

    /// 29 March 2026: 00:00Z is 01:00+01:00, 01:00Z is 03:00+02:00 (02:00 never happens).
    @Test func springHourIsSkipped() throws {
        let r = try run(["29/Mar/2026:00:30:00", "29/Mar/2026:00:40:00", "29/Mar/2026:01:30:00"],
                        ["--bucket", "1h", "--tz", "Europe/Berlin"])
        #expect(r.status == 0, "\(r.stderr)")
        let table = rows(r.text)
        #expect(table == ["2026-03-29 01:00 +01:00": "2", "2026-03-29 03:00 +02:00": "1"], "\(r.text)")
    }

    /// One offset over the whole range: labels are plain wall clock (24 November: 10:00Z is
    /// 11:00+01:00), the header still names the zone and gives the offset; JSON stays in UTC.
    @Test func singleOffsetPlainLabelsAndJSONInUTC() throws {
        let stamps = ["24/Nov/2026:10:00:00", "24/Nov/2026:10:01:00"]
        let r = try run(stamps, ["--tz", "Europe/Berlin"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(rows(r.text) == ["2026-11-24 11:00": "1", "2026-11-24 11:01": "1"], "\(r.text)")
        #expect(r.text.contains("Time range  2026-11-24 11:00:00 +01:00 .. 2026-11-24 11:01:00 +01:00"))
        let utc = try run(stamps, ["--tz", "UTC"])
        #expect(rows(utc.text) == ["2026-11-24 10:00": "1", "2026-11-24 10:01": "1"], "\(utc.text)")
        #expect(utc.text.contains("times in UTC"))
        let json = try run(stamps, ["--tz", "Europe/Berlin", "--format", "json"]).json()
        let starts = (json["buckets"] as? [[String: Any]])?.compactMap { $0["start"] as? String }
        #expect(starts == ["2026-11-24T10:00:00Z", "2026-11-24T10:01:00Z"])
    }
}
