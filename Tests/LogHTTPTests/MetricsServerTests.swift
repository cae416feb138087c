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

    /// Bytes that are not HTTP get a 400 and a closed connection; a body over the cap a 413;
    /// the server goes on answering scrapes.
    @Test func malformedRequestsAreRefusedAndTheServerLivesOn() async throws {
        let registry = MetricsRegistry()
        registry.set(.gauge("logsift_test", help: "t", [.init(value: 3)]))
        let server = try await MetricsServer.start(host: "127.0.0.1", port: 0, registry: registry)
        for garbage in ["\u{00}\u{FF}garbage\r\n\r\n", "GET /metrics HTTP/9.9 extra\r\n\r\n",
                        "POST /metrics HTTP/1.1\r\nContent-Length: 5000\r\n\r\n" + String(repeating: "x", count: 5000)] {
            let start = Date()
            let answer = try RawHTTP.exchange(port: server.port, Array(garbage.utf8))
            let elapsed = Date().timeIntervalSince(start)
            #expect(elapsed < 4, "the server closes after refusing (\(elapsed) s): \(garbage.prefix(20).debugDescription)")
            #expect(answer.hasPrefix("HTTP/1.1 4"), "\(garbage.prefix(20).debugDescription) -> \(answer.prefix(40).debugDescription)")
        }
        let metrics = try await ExternalServices.get("http://127.0.0.1:\(server.port)/metrics")
        #expect(try ExpositionParser(String(decoding: metrics.body, as: UTF8.self)).value("logsift_test") == 3)
        await server.shutdown()
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
          .timeLimit(.minutes(5)))
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

/// Writes bytes on a plain socket and reads the answer until the server closes (or 5 s pass).
enum RawHTTP {
    static func exchange(port: Int, _ bytes: [UInt8]) throws -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return "connect failed" }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var answer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            answer += chunk[0..<n]
        }
        return String(decoding: answer, as: UTF8.self)
    }
}
