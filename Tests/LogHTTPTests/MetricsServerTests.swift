import Foundation
import LogHTTP
import LogMetrics
import LogsiftTestSupport
import Testing

@Suite struct MetricsServerTests {
    /// Families as the watch loop would set them; the values are the truth the tests read back.
    static func sampleFamilies(lines: Double) -> [MetricFamily] {
        [
            .counter(LogsiftMetrics.linesTotal, help: LogsiftMetrics.linesHelp, [
                .init(labels: [MetricLabel("source", "access.log"), MetricLabel("result", "parsed")], value: lines),
                .init(labels: [MetricLabel("source", "access.log"), MetricLabel("result", "unmatched")], value: 17),
                .init(labels: [MetricLabel("source", "C:\\logs\\\"odd\"\nname"), MetricLabel("result", "parsed")], value: 5),
            ]),
            .counter(LogsiftMetrics.requestsTotal, help: LogsiftMetrics.requestsHelp, [
                .init(labels: [MetricLabel("source", "access.log"), MetricLabel("status_class", "2xx")], value: 1100),
                .init(labels: [MetricLabel("source", "access.log"), MetricLabel("status_class", "5xx")], value: 134),
            ]),
            .summary(LogsiftMetrics.requestDuration, help: LogsiftMetrics.requestDurationHelp, [
                .init(labels: [MetricLabel("source", "access.log")],
                      quantiles: [.init(0.5, 0.012), .init(0.9, 0.2), .init(0.95, 0.25), .init(0.99, 1.5)],
                      sum: 61.75, count: 1234),
            ]),
            .gauge(LogsiftMetrics.alerts, help: LogsiftMetrics.alertsHelp, [
                .init(labels: [MetricLabel("alertname", "HighErrorRate"), MetricLabel("state", "firing")], value: 1),
            ]),
        ]
    }

    @Test func servesMetricsHealthAndErrors() async throws {
        let registry = MetricsRegistry()
        registry.set(Self.sampleFamilies(lines: 1217))
        let server = try await MetricsServer.start(host: "127.0.0.1", port: 0, registry: registry)
        defer { Task { await server.shutdown() } }
        #expect(server.port > 0)
        let base = "http://127.0.0.1:\(server.port)"

        let metrics = try await ExternalServices.get(base + "/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.contentType == "text/plain; version=0.0.4; charset=utf-8")
        let parsed = try ExpositionParser(String(decoding: metrics.body, as: UTF8.self))
        #expect(parsed.value("logsift_lines_total", ["source": "access.log", "result": "parsed"]) == 1217)
        #expect(parsed.value("logsift_lines_total", ["source": "C:\\logs\\\"odd\"\nname", "result": "parsed"]) == 5)
        #expect(parsed.value("logsift_request_duration_seconds", ["source": "access.log", "quantile": "0.95"]) == 0.25)
        #expect(parsed.value("logsift_request_duration_seconds_count", ["source": "access.log"]) == 1234)
        #expect(parsed.types["logsift_request_duration_seconds"] == "summary")
        let expectedSamples = 12   // 3 lines + 2 requests + (4 quantiles + sum + count) + 1 alert
        #expect(parsed.samples.count == expectedSamples)

        // The next scrape sees the caller's update.
        registry.set(Self.sampleFamilies(lines: 1300))
        let again = try ExpositionParser(String(decoding: try await ExternalServices.get(base + "/metrics").body, as: UTF8.self))
        #expect(again.value("logsift_lines_total", ["source": "access.log", "result": "parsed"]) == 1300)

        let healthy = try await ExternalServices.get(base + "/-/healthy")
        #expect(healthy.status == 200)
        #expect(String(decoding: healthy.body, as: UTF8.self) == "OK\n")
        #expect(try await ExternalServices.get(base + "/nothing").status == 404)
        #expect(try await ExternalServices.request(base + "/metrics", method: "POST").status == 405)
    }

    @Test func listenAddressesParse() throws {
        #expect(try ListenAddress.parse("127.0.0.1:9145").get() == ListenAddress(host: "127.0.0.1", port: 9145))
        #expect(try ListenAddress.parse("[::1]:9145").get() == ListenAddress(host: "::1", port: 9145))
        #expect(try ListenAddress.parse(":9145").get() == ListenAddress(host: "0.0.0.0", port: 9145))
        for bad in ["9145", "host:", "host:65536", "host:x"] {
            if case .success = ListenAddress.parse(bad) { Issue.record("\(bad) accepted") }
        }
    }

    /// A real Prometheus scrapes the server on loopback; its query API returns what the
    /// registry held (label escaping included, as Prometheus unescapes it).
    @Test(.enabled(if: ExternalServices.runnable("prometheus"),
                   "prometheus not installed (apt-get install prometheus; LOGSIFT_REQUIRE_SERVICES=1 makes this a failure)"),
          .timeLimit(.minutes(2)))
    func prometheusScrapesTheEndpoint() async throws {
        guard let prometheus = ExternalServices.require("prometheus", package: "prometheus") else { return }
        let registry = MetricsRegistry()
        registry.set(Self.sampleFamilies(lines: 1217))
        let server = try await MetricsServer.start(host: "127.0.0.1", port: 0, registry: registry)
        let directory = try ExternalServices.temporaryDirectory("logsift-prometheus")
        let promPort = ExternalServices.freePort()
        let config = """
        global:
          scrape_interval: 1s
          evaluation_interval: 1s
        scrape_configs:
          - job_name: logsift
            scrape_interval: 1s
            static_configs:
              - targets: ['127.0.0.1:\(server.port)']

        """
        try config.write(to: directory.appendingPathComponent("prometheus.yml"), atomically: true, encoding: .utf8)
        let service = try ServiceProcess(executable: prometheus, arguments: [
            "--config.file=\(directory.appendingPathComponent("prometheus.yml").path)",
            "--storage.tsdb.path=\(directory.appendingPathComponent("data").path)",
            "--web.listen-address=127.0.0.1:\(promPort)",
        ], directory: directory)
        defer { service.stop() }
        let base = "http://127.0.0.1:\(promPort)"
        guard await ExternalServices.waitUntilReady(base + "/-/ready") else {
            Issue.record("Prometheus did not become ready: \(service.output)")
            await server.shutdown()
            return
        }

        func query(_ expr: String) async throws -> [(labels: [String: String], value: Double)] {
            let encoded = expr.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let answer = try await ExternalServices.get(base + "/api/v1/query?query=" + encoded)
            let json = try JSONSerialization.jsonObject(with: answer.body) as? [String: Any]
            let data = json?["data"] as? [String: Any]
            let result = data?["result"] as? [[String: Any]] ?? []
            return result.compactMap { item in
                guard let metric = item["metric"] as? [String: String], let pair = item["value"] as? [Any],
                      pair.count == 2, let text = pair[1] as? String, let value = Double(text) else { return nil }
                return (metric, value)
            }
        }

        // Scrapes every second: wait until one has landed (at most 30 s).
        var up: [(labels: [String: String], value: Double)] = []
        for _ in 0..<300 {
            up = try await query("logsift_lines_total")
            if up.count == 3 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(up.count == 3, "Prometheus never stored a scrape: \(service.output)")
        func find(_ rows: [(labels: [String: String], value: Double)], _ match: [String: String]) -> Double? {
            rows.first { row in match.allSatisfy { row.labels[$0.key] == $0.value } }?.value
        }
        #expect(find(up, ["source": "access.log", "result": "parsed"]) == 1217)
        #expect(find(up, ["source": "access.log", "result": "unmatched"]) == 17)
        #expect(find(up, ["source": "C:\\logs\\\"odd\"\nname", "result": "parsed"]) == 5)
        #expect(up.allSatisfy { $0.labels["job"] == "logsift" })
        let p95 = try await query("logsift_request_duration_seconds{quantile=\"0.95\"}")
        #expect(p95.count == 1 && p95.first?.value == 0.25)
        let errors = try await query("logsift_requests_total{status_class=\"5xx\"}")
        #expect(errors.first?.value == 134)
        let firing = try await query("logsift_alerts{alertname=\"HighErrorRate\",state=\"firing\"}")
        #expect(firing.first?.value == 1)
        let health = try await query("up{job=\"logsift\"}")
        #expect(health.first?.value == 1, "Prometheus' own view of the target: scrape succeeded")

        await server.shutdown()
    }
}
