import Foundation
import Testing

/// `detect`, `patterns` and the samples/ demo through the real binary.
@Suite struct CommandTests {
    @Test func detectNamesFormatConfidenceAndRunnerUp() throws {
        let samples = Harness.packageRoot.appendingPathComponent("samples")
        let result = try Harness.run(["detect", "--format", "json",
                                      samples.appendingPathComponent("access.log").path,
                                      samples.appendingPathComponent("access.log.2.gz").path])
        #expect(result.status == 0)
        let items = try #require(try JSONSerialization.jsonObject(with: result.stdout) as? [[String: Any]])
        #expect(items.count == 2)
        for item in items {
            #expect(item["format"] as? String == "nginx-combined+request_time+upstream")
            #expect(item["confidence"] as? Double ?? 0 > 0.95)
            #expect((item["runner_up"] as? [String: Any])?["format"] as? String == "nginx-combined+request_time")
        }
        let text = try Harness.run(["detect", samples.appendingPathComponent("access.log").path, "/nonexistent/x.log"])
        #expect(text.status == 1)
        #expect(text.text.contains("nginx-combined+request_time+upstream"))
        #expect(text.text.contains("/nonexistent/x.log: cannot open"))
    }

    /// Every loghub and PostgreSQL fixture goes to its own family: Java/Python logs with a
    /// `,mmm` fraction are not csvlog records, and csvlog files are.
    @Test func detectionAcrossFamilies() throws {
        guard let corpora = Harness.corpora() else { return }
        let expectations: [(String, String)] = [
            ("loghub/Hadoop/Hadoop_2k.log", "app-text"),
            ("loghub/Zookeeper/Zookeeper_2k.log", "app-text"),
            ("loghub/Windows/Windows_2k.log", "app-text"),
            ("loghub/Apache/Apache_2k.log", "apache-error"),
            ("loghub/OpenSSH/OpenSSH_2k.log", "syslog-rfc3164"),
            ("pgbadger/t/fixtures/anonymize.log", "postgres-csvlog"),
            ("elastic-beats/filebeat/module/postgresql/log/test/postgresql-13-error-code.csv.log", "postgres-csvlog"),
            ("lnav/test/logfile_postgres.0", "postgres-stderr '%m [%p] %q%u@%d '"),
            ("elastic-beats/filebeat/module/nginx/error/test/error.log", "nginx-error"),
            ("elastic-examples/Common Data Formats/apache_logs/apache_logs", "nginx-combined"),
        ]
        let result = try Harness.run(["detect", "--format", "json"] + expectations.map { corpora.appendingPathComponent($0.0).path })
        let items = try #require(try JSONSerialization.jsonObject(with: result.stdout) as? [[String: Any]])
        for ((file, expected), item) in zip(expectations, items) {
            #expect(item["format"] as? String == expected, "\(file)")
        }
    }

    @Test func patternsTestPrintsTypedFields() throws {
        let ok = try Harness.run(["patterns", "test", "%{IPORHOST:client} %{NUMBER:bytes:int}", "10.0.0.1 512"])
        #expect(ok.status == 0)
        #expect(ok.text == "client = 10.0.0.1\nbytes = 512\n")
        let miss = try Harness.run(["patterns", "test", "%{INT:n}", "abc"])
        #expect(miss.status == 1)
        #expect(miss.text == "no match\n")
        let bad = try Harness.run(["patterns", "test", "%{NO_SUCH_PATTERN}", "x"])
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("NO_SUCH_PATTERN"))
    }

    /// The samples tell the story their README promises: a 5xx burst and a latency spike.
    @Test func samplesShowTheBurst() throws {
        let samples = Harness.packageRoot.appendingPathComponent("samples")
        let inputs = ["access.log", "access.log.1", "access.log.2.gz"].map { samples.appendingPathComponent($0).path }
        let result = try Harness.run(["report", "--format", "json", "--bucket", "5m"] + inputs)
        #expect(result.status == 0)
        let json = try result.json()
        let names = (json["inputs"] as? [[String: Any]])?.compactMap { ($0["name"] as? String).map { URL(fileURLWithPath: $0).lastPathComponent } }
        #expect(names == ["access.log.2.gz", "access.log.1", "access.log"])
        let buckets = try #require(json["buckets"] as? [[String: Any]])
        let worst = try #require(buckets.max { ($0["rate_5xx"] as? Double ?? 0) < ($1["rate_5xx"] as? Double ?? 0) })
        #expect(worst["rate_5xx"] as? Double ?? 0 > 0.2)
        // Truth written by the generator for the live file, 300 s buckets.
        let truth = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: samples.appendingPathComponent("truth/access.log.json"))) as? [String: Any])
        let truthBuckets = try #require(truth["buckets"] as? [[String: Any]])
        let byStart = Dictionary(uniqueKeysWithValues: buckets.map { ($0["start"] as! String, $0) })
        for tb in truthBuckets {
            let start = tb["start"] as! String
            // The rotated files end before the live one starts, so its buckets are its own.
            #expect(byStart[start]?["count"] as? Int == tb["count"] as? Int, "bucket \(start)")
        }
        let text = try Harness.run(["report"] + inputs)
        #expect(text.text.contains("Worst buckets by 5xx rate"))
        #expect(text.text.contains("Unmatched lines"))
    }
}
