import Foundation
import Testing

/// The real binary on third-party access logs, compared with what those projects expect.
@Suite struct AccessCorporaTests {
    func report(_ arguments: [String]) throws -> [String: Any] {
        let result = try Harness.run(["report", "--format", "json", "--top", "1000"] + arguments)
        #expect(result.status == 0, "\(result.stderr)")
        return try result.json()
    }

    /// Filebeat's nginx fixture and its golden events: every line, including those whose first
    /// field is a forwarded-for list (alone, or quoted or bare before the address: lines 1, 3, 5
    /// and 6), gives the same status codes, bytes and times.
    @Test func filebeatNginxAccessFixture() throws {
        guard let corpora = Harness.corpora() else { return }
        let dir = corpora.appendingPathComponent("elastic-beats/filebeat/module/nginx/access/test")
        let expected = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: dir.appendingPathComponent("test.log-expected.json"))) as? [[String: Any]])
        let json = try report([dir.appendingPathComponent("test.log").path])
        let total = try #require(json["total"] as? [String: Any])
        let samples = try #require(json["unmatched_samples"] as? [[String: Any]])
        #expect(samples.isEmpty, "\(samples)")
        #expect(total["requests"] as? Int == expected.count)
        var statuses: [String: Int] = [:]
        for e in expected { statuses[String(e["http.response.status_code"] as! Int), default: 0] += 1 }
        #expect(total["status"] as? [String: Int] == statuses)
        #expect(total["bytes"] as? Int == expected.reduce(0) { $0 + ($1["http.response.body.bytes"] as? Int ?? 0) })
        let times = expected.compactMap { ($0["@timestamp"] as? String)?.replacingOccurrences(of: ".000Z", with: "Z") }.sorted()
        let range = try #require(json["time_range"] as? [String: String])
        #expect(range["first"] == times.first)
        #expect(range["last"] == times.last)
    }

    /// Filebeat's ingress-nginx fixture: read in the controller's default format, so the request
    /// time is the field after `$request_length` (the p50 was once 89 s, a request length).
    /// Truth: the request times cut out of each line here, after the user agent's closing quote.
    @Test func filebeatIngressControllerFixture() throws {
        guard let corpora = Harness.corpora() else { return }
        let file = corpora.appendingPathComponent("elastic-beats/filebeat/module/nginx/ingress_controller/test/test.log")
        let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n")
        let times = lines.map { line -> Double in
            let afterAgent = line.split(separator: "\"", omittingEmptySubsequences: false)[6]
            return Double(afterAgent.split(separator: " ")[1])!
        }.sorted()
        let detected = try Harness.run(["detect", file.path])
        #expect(detected.text.contains("ingress-nginx"), "\(detected.text)")
        let json = try report([file.path])
        #expect((json["inputs"] as? [[String: Any]])?.first?["format"] as? String == "ingress-nginx")
        let total = try #require(json["total"] as? [String: Any])
        #expect(total["requests"] as? Int == lines.count)
        #expect(total["unmatched"] as? Int == 0)
        let latency = try #require(total["latency"] as? [String: Any])
        for (name, q) in [("p50", 0.5), ("p99", 0.99)] {
            let truth = times[Int((q * Double(times.count - 1)).rounded(.down))]
            let value = try #require(latency[name] as? Double)
            #expect(abs(value - truth) <= 0.01 * truth, "\(name): \(value) vs \(truth)")
        }
        #expect(latency["max"] as? Double == times.last)
    }

    /// Elastic's apache_logs sample (10,000 combined lines, line 8899 cut short): status counts
    /// against a count made here by splitting each line on its quotes.
    @Test func apacheLogsStatusCounts() throws {
        guard let corpora = Harness.corpora() else { return }
        let file = corpora.appendingPathComponent("elastic-examples/Common Data Formats/apache_logs/apache_logs")
        var truth: [String: Int] = [:]
        var unparsable: [Int] = []
        let text = try String(contentsOf: file, encoding: .utf8)
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where !line.isEmpty {
            let parts = line.split(separator: "\"", omittingEmptySubsequences: false)
            // A complete combined line has six quotes and ends with the user agent's closing one.
            guard parts.count == 7, line.hasSuffix("\""), let status = parts[2].split(separator: " ").first.map(String.init), Int(status) != nil else {
                unparsable.append(index + 1)
                continue
            }
            truth[status, default: 0] += 1
        }
        let json = try report([file.path])
        let total = try #require(json["total"] as? [String: Any])
        #expect(total["lines"] as? Int == 10_000)
        #expect(total["status"] as? [String: Int] == truth)
        #expect(unparsable == [8899])
        #expect((json["unmatched_samples"] as? [[String: Any]])?.map { $0["line"] as? Int } == [8899])
        #expect((json["inputs"] as? [[String: Any]])?.first?["format"] as? String == "nginx-combined")
    }

    /// lnav's access-log fixtures: a clean one, and one with a line missing its ident fields.
    @Test func lnavAccessLogs() throws {
        guard let corpora = Harness.corpora() else { return }
        let dir = corpora.appendingPathComponent("lnav/test")
        let clean = try report([dir.appendingPathComponent("logfile_access_log.0").path])
        #expect((clean["total"] as? [String: Any])?["requests"] as? Int == 3)
        #expect((clean["total"] as? [String: Any])?["status"] as? [String: Int] == ["200": 2, "404": 1])
        let bad = try report([dir.appendingPathComponent("logfile_bad_access_log.0").path])
        #expect((bad["total"] as? [String: Any])?["requests"] as? Int == 2)
        #expect((bad["unmatched_samples"] as? [[String: Any]])?.map { $0["line"] as? Int } == [2])
    }

    /// goaccess's VCOMBINED lines (`vhost:port` before combined) through --nginx-format.
    @Test func goaccessVirtualHostLines() throws {
        guard let corpora = Harness.corpora() else { return }
        let file = corpora.appendingPathComponent("goaccess/.github/workflows/build-test.access.log")
        let format = #"$host:$server_port $remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent""#
        let json = try report(["--nginx-format", format, file.path])
        let total = try #require(json["total"] as? [String: Any])
        #expect(total["requests"] as? Int == 4)
        #expect(total["status"] as? [String: Int] == ["200": 3, "408": 1])
        let paths = ((json["top_paths"] as? [String: Any])?["by_count"] as? [[String: Any]])?.compactMap { $0["path"] as? String }
        #expect(Set(paths ?? []) == ["/"])  // OPTIONS * and "-" have no path
    }
}
