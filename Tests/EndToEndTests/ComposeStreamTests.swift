import Foundation
import Testing

/// `docker compose logs | logsift report -`: each service's lines are read in that service's
/// own format, and each family gets its section.
@Suite struct ComposeStreamTests {
    /// Three services: nginx (combined), an application (ISO text), PostgreSQL (Debian prefix).
    static func composeLog() -> (text: String, requests: Int, errors500: Int, appErrors: Int, appEvents: Int, checkpoints: Int) {
        var lines: [String] = []
        var requests = 0, errors500 = 0, appErrors = 0, appEvents = 0, checkpoints = 0
        for i in 0..<600 {
            let s = i % 60
            switch i % 3 {
            case 0:
                let status = i % 9 == 0 ? 500 : 200
                lines.append("web-1    | 10.0.0.\(i % 9) - - [24/Nov/2026:10:00:\(String(format: "%02d", s)) +0000] \"GET /api/items/\(i) HTTP/1.1\" \(status) 512 \"-\" \"curl/8\"")
                requests += 1
                if status == 500 { errors500 += 1 }
            case 1:
                if i % 7 == 0 {
                    lines.append("api-1    | 2026-11-24T10:00:\(String(format: "%02d", s)).123Z ERROR order \(i) failed: timeout")
                    lines.append("api-1    |     at com.example.Orders.place(Orders.java:42)")
                    appErrors += 1
                } else {
                    lines.append("api-1    | 2026-11-24T10:00:\(String(format: "%02d", s)).123Z INFO request \(i) ok")
                }
                appEvents += 1
            default:
                lines.append("db-1     | 2026-11-24 10:00:\(String(format: "%02d", s)).123 UTC [\(100 + i % 5)] LOG:  checkpoint complete: wrote 3 buffers (0.0%); 0 WAL file(s) added, 0 removed, 0 recycled; write=0.100 s, sync=0.010 s, total=0.120 s")
                checkpoints += 1
            }
        }
        return (lines.joined(separator: "\n") + "\n", requests, errors500, appErrors, appEvents, checkpoints)
    }

    @Test func servicesAreReadInTheirOwnFormats() throws {
        let log = Self.composeLog()
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("compose.log")
        try log.text.write(to: file, atomically: true, encoding: .utf8)
        let result = try Harness.run(["report", "--format", "json", "--tz", "UTC", "-"], stdinFile: file)
        #expect(result.status == 0, "\(result.stderr)")
        // The same as a file big enough to be cut between workers: it is read whole instead.
        let asFile = try Harness.run(["report", "--format", "json", "--tz", "UTC", "--jobs", "2", "--split-bytes", "1", file.path])
        var a = try result.json(), b = try asFile.json()
        a["inputs"] = nil
        b["inputs"] = nil
        #expect(a as NSDictionary == b as NSDictionary)
        let json = try result.json()
        let input = try #require((json["inputs"] as? [[String: Any]])?.first)
        let format = input["format"] as? String ?? ""
        #expect(format.contains("web-1 nginx-combined"))
        #expect(format.contains("api-1 app-text"))
        #expect(format.contains("db-1 postgres-stderr"))
        #expect(input["unmatched"] as? Int == 0)
        let total = try #require(json["total"] as? [String: Any])
        #expect(total["requests"] as? Int == log.requests)
        #expect((total["status"] as? [String: Int])?["500"] == log.errors500)
        let app = try #require(json["application"] as? [String: Any])
        #expect(app["events"] as? Int == log.appEvents)
        #expect((app["levels"] as? [String: Int])?["error"] == log.appErrors)
        #expect(app["continuation_lines"] as? Int == log.appErrors)
        let postgres = try #require(json["postgres"] as? [String: Any])
        #expect((postgres["checkpoints"] as? [String: Any])?["completed"] as? Int == log.checkpoints)
    }

    /// lnav's compose fixtures: Flask and Redis lines, noise without a prefix; nothing is lost.
    @Test func lnavComposeFixtures() throws {
        guard let corpora = Harness.corpora() else { return }
        for name in ["logfile_docker_compose.0", "logfile_docker_compose_with_noise.0", "logfile_docker_compose_with_ts.0"] {
            let result = try Harness.run(["report", "--format", "json", corpora.appendingPathComponent("lnav/test/\(name)").path])
            let input = try #require((try result.json()["inputs"] as? [[String: Any]])?.first)
            #expect(input["unmatched"] as? Int == 0, "\(name)")
            #expect((input["format"] as? String)?.hasPrefix("docker-compose:") == true, "\(name)")
        }
    }
}

/// `detect` names a compose stream as `report` reads it, and `docker compose logs -t` output
/// (the daemon's timestamp before each service's own line) is read in each service's format.
@Suite struct ComposeDetectionTests {
    /// The compose log of `ComposeStreamTests` with `-t` timestamps, the api service writing
    /// JSON lines.
    static func timestamped() -> (text: String, requests: Int, appEvents: Int, appErrors: Int, checkpoints: Int) {
        var lines: [String] = []
        var requests = 0, appEvents = 0, appErrors = 0, checkpoints = 0
        for i in 0..<300 {
            let s = String(format: "%02d", i % 60)
            let daemon = "2026-11-24T10:00:\(s).\(String(format: "%09d", i * 1_000_003 % 1_000_000_000))Z"
            switch i % 3 {
            case 0:
                lines.append("web-1  | \(daemon) 10.0.0.\(i % 9) - - [24/Nov/2026:10:00:\(s) +0000] \"GET /api/items/\(i) HTTP/1.1\" 200 512 \"-\" \"curl/8\"")
                requests += 1
            case 1:
                let level = i % 4 == 1 ? "error" : "info"
                lines.append("api-1  | \(daemon) {\"ts\":\"2026-11-24T10:00:\(s)Z\",\"level\":\"\(level)\",\"msg\":\"request \(i)\"}")
                appEvents += 1
                if level == "error" { appErrors += 1 }
            default:
                lines.append("db-1   | \(daemon) 2026-11-24 10:00:\(s).123 UTC [\(100 + i % 5)] LOG:  checkpoint complete: wrote 3 buffers (0.0%); 0 WAL file(s) added, 0 removed, 0 recycled; write=0.100 s, sync=0.010 s, total=0.120 s")
                checkpoints += 1
            }
        }
        return (lines.joined(separator: "\n") + "\n", requests, appEvents, appErrors, checkpoints)
    }

    @Test func timestampedStreamIsReadPerService() throws {
        let log = Self.timestamped()
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("compose-t.log")
        try log.text.write(to: file, atomically: true, encoding: .utf8)
        let result = try Harness.run(["report", "--format", "json", "--tz", "UTC", file.path])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try result.json()
        let input = try #require((json["inputs"] as? [[String: Any]])?.first)
        let format = input["format"] as? String ?? ""
        #expect(format.contains("web-1 nginx-combined"), "\(format)")
        #expect(format.contains("api-1 app-jsonl"), "\(format)")
        #expect(format.contains("db-1 postgres-stderr"), "\(format)")
        #expect(input["unmatched"] as? Int == 0)
        #expect((json["total"] as? [String: Any])?["requests"] as? Int == log.requests)
        let app = try #require(json["application"] as? [String: Any])
        #expect(app["events"] as? Int == log.appEvents)
        #expect((app["levels"] as? [String: Int])?["error"] == log.appErrors)
        let postgres = try #require(json["postgres"] as? [String: Any])
        #expect((postgres["checkpoints"] as? [String: Any])?["completed"] as? Int == log.checkpoints)
    }

    /// lnav's compose fixture with `-t` timestamps reads as the one without (the same lines
    /// behind the timestamps), every event timed by the daemon's clock.
    @Test func lnavTimestampedFixtureReadsAsThePlainOne() throws {
        guard let corpora = Harness.corpora() else { return }
        func application(_ name: String) throws -> [String: Any] {
            let result = try Harness.run(["report", "--format", "json", corpora.appendingPathComponent("lnav/test/\(name)").path])
            return try #require(try result.json()["application"] as? [String: Any])
        }
        let plain = try application("logfile_docker_compose.0")
        let stamped = try application("logfile_docker_compose_with_ts.0")
        for key in ["events", "continuation_lines"] {
            #expect(stamped[key] as? Int == plain[key] as? Int, "\(key)")
        }
        #expect((stamped["levels"] as? [String: Int]) == (plain["levels"] as? [String: Int]))
        #expect(stamped["untimed_events"] as? Int == 0)
        // The first and last lines' daemon times.
        #expect(stamped["first_time"] as? String == "2024-04-25T05:32:35Z")
        #expect(stamped["last_time"] as? String == "2024-04-25T05:54:43Z")
    }

    @Test func detectNamesTheFormatReportReads() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let plain = dir.appendingPathComponent("compose.log")
        try ComposeStreamTests.composeLog().text.write(to: plain, atomically: true, encoding: .utf8)
        let stamped = dir.appendingPathComponent("compose-t.log")
        try Self.timestamped().text.write(to: stamped, atomically: true, encoding: .utf8)
        var files = [plain.path, stamped.path]
        if let corpora = Harness.corpora() {
            files.append(corpora.appendingPathComponent("lnav/test/logfile_docker_compose.0").path)
        }
        for file in files {
            let detect = try Harness.run(["detect", "--format", "json", file])
            #expect(detect.status == 0, "\(detect.stderr)")
            let detected = try #require(try JSONSerialization.jsonObject(with: detect.stdout) as? [[String: Any]]).first
            let report = try Harness.run(["report", "--format", "json", "--tz", "UTC", file])
            let input = try #require((try report.json()["inputs"] as? [[String: Any]])?.first)
            let name = detected?["format"] as? String
            #expect(name?.hasPrefix("docker-compose: ") == true, "\(file): \(name ?? "nil")")
            #expect(name == input["format"] as? String, "\(file)")
        }
    }
}
