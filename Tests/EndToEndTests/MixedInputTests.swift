import Foundation
import Testing

/// One run over an nginx access log, a PostgreSQL log and application logs: each input gets its
/// own detected format and section, on one bucket width, and nothing is lost.
@Suite struct MixedInputTests {
    @Test func eachFamilyGetsItsSection() throws {
        guard let corpora = Harness.corpora() else { return }
        let access = Harness.packageRoot.appendingPathComponent("samples/access.log").path
        let postgres = corpora.appendingPathComponent("lnav/test/logfile_postgres.0").path
        let nginxError = corpora.appendingPathComponent("elastic-beats/filebeat/module/nginx/error/test/error.log").path
        let java = corpora.appendingPathComponent("lnav/test/logfile_java.0").path
        let result = try Harness.run(["report", "--format", "json", "--bucket", "1h", "--tz", "UTC", access, postgres, nginxError, java])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try result.json()
        let inputs = try #require(json["inputs"] as? [[String: Any]])
        let formats = Dictionary(uniqueKeysWithValues: inputs.map { (URL(fileURLWithPath: $0["name"] as! String).lastPathComponent, $0["format"] as! String) })
        #expect(formats["access.log"] == "nginx-combined+request_time+upstream")
        #expect(formats["logfile_postgres.0"]?.hasPrefix("postgres-stderr") == true)
        #expect(formats["error.log"] == "nginx-error")
        #expect(formats["logfile_java.0"] == "app-text")
        for input in inputs where (input["name"] as! String) != access {
            #expect(input["unmatched"] as? Int == 0, "\(input["name"]!)")
        }
        #expect(json["postgres"] is [String: Any])
        #expect(json["application"] is [String: Any])
        #expect(((json["total"] as? [String: Any])?["requests"] as? Int) == 2996)

        let text = try Harness.run(["report", "--bucket", "1h", "--tz", "UTC", access, postgres, nginxError, java])
        #expect(text.status == 0)
        let report = text.text
        // The section headings (the summary above them names PostgreSQL too).
        let accessAt = try #require(report.range(of: "\nAccess logs\n"))
        let postgresAt = try #require(report.range(of: "\nPostgreSQL\n"))
        #expect(accessAt.lowerBound < postgresAt.lowerBound)
        #expect(report.contains("nginx-error"))
    }

    @Test func postgresQueriesThroughTheCommandLine() throws {
        guard let corpora = Harness.corpora() else { return }
        let file = corpora.appendingPathComponent("pgbadger/t/fixtures/light.postgres.log.bz2")
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Harness.shell("bzip2 -dc '\(file.path)' > '\(dir.path)/light.postgres.log'")
        let result = try Harness.run(["report", "--format", "json", "--sort", "calls", dir.path + "/light.postgres.log"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try result.json()
        let postgres = try #require(json["postgres"] as? [String: Any])
        let totals = try #require(postgres["totals"] as? [String: Any])
        #expect(totals["queries"] as? Int == 629, "pgBadger counts 629 queries in light.postgres.log")
        #expect((json["inputs"] as? [[String: Any]])?.first?["unmatched"] as? Int == 0)
    }

    /// pgBadger's pg_rawcsv.log: 12 of its 14 lines are PostgreSQL stderr, 2 are pg_ctl output
    /// (`pg_ctl: could not start server`, `Examine the log output.`). app-text read all 14 only
    /// by joining the pg_ctl lines to a PostgreSQL line as text, and won: no PostgreSQL
    /// section. Truth by grep: 12 lines with a PostgreSQL severity, 3 ERROR or FATAL lines (the errors).
    @Test func postgresWithAFewForeignLinesIsPostgres() throws {
        guard let corpora = Harness.corpora() else { return }
        let path = corpora.appendingPathComponent("pgbadger/t/fixtures/pg_rawcsv.log").path
        let severity = try Harness.shell("grep -cE '^[0-9-]+ [0-9:.]+ [A-Z]+ \\[[0-9]+\\] [^ ]* ?(LOG|FATAL|ERROR|DETAIL|STATEMENT):  ' '\(path)'")
        let errors = try Harness.shell("grep -cE ' (ERROR|FATAL):  ' '\(path)'")
        #expect(severity.trimmingCharacters(in: .whitespacesAndNewlines) == "12")
        #expect(errors.trimmingCharacters(in: .whitespacesAndNewlines) == "3")
        let detect = try Harness.run(["detect", path])
        #expect(detect.text.contains("postgres-stderr '%m [%p] %q%u@%d '  86% (12/14)"), "\(detect.text)")
        let json = try Harness.run(["report", "--format", "json", path]).json()
        let postgres = try #require(json["postgres"] as? [String: Any], "no PostgreSQL section")
        #expect((postgres["errors"] as? [String: Any])?["count"] as? Int == 3)
        #expect((json["inputs"] as? [[String: Any]])?.first?["unmatched"] as? Int == 2)
    }
}
