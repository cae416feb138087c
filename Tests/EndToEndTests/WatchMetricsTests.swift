import Foundation
import LogsiftTestSupport
import Testing

/// `watch --listen`: while the watch runs on a pipe, `/metrics` counts exactly the lines and
/// requests written so far (by status class). (A real Prometheus scraping the same server is
/// tested in `LogHTTPTests/MetricsServerTests`.)
@Suite struct WatchMetricsTests {
    static func metric(_ text: String, _ name: String, _ labels: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(name + "{") && line.contains(labels) {
            return line.split(separator: " ").last.flatMap { Double($0) }
        }
        return nil
    }

    @Test(.timeLimit(.minutes(3)))
    func metricsCountWhatWasWritten() async throws {
        let port = ExternalServices.freePort()
        let process = Process()
        process.executableURL = Harness.binary
        process.arguments = ["watch", "--window", "1m", "--tz", "UTC", "--listen", "127.0.0.1:\(port)"]
        let input = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        // 300 requests, every tenth a 503, one a second from 10:00:00; two garbage lines.
        var text = ""
        for i in 0..<300 {
            let status = i % 10 == 0 ? 503 : 200
            text += String(format: "10.0.0.1 - - [24/Nov/2026:10:%02d:%02d +0000] \"GET /a/%d HTTP/1.1\" %d 5 \"-\" \"c\" 0.010\n",
                           i / 60, i % 60, i, status)
        }
        text += "garbage one\ngarbage two\n"
        input.fileHandleForWriting.write(Data(text.utf8))

        let url = "http://127.0.0.1:\(port)/metrics"
        var body = ""
        _ = await ExternalServices.eventually(timeout: 60) {
            guard let answer = try? await ExternalServices.get(url), answer.status == 200 else { return false }
            body = String(decoding: answer.body, as: UTF8.self)
            return Self.metric(body, "logsift_requests_total", "status_class=\"2xx\"") == 270
        }
        #expect(Self.metric(body, "logsift_requests_total", "status_class=\"2xx\"") == 270, "\(body)")
        #expect(Self.metric(body, "logsift_requests_total", "status_class=\"5xx\"") == 30)
        #expect(Self.metric(body, "logsift_lines_total", "result=\"unmatched\"") == 2)
        #expect(Self.metric(body, "logsift_bytes_read_total", "source=\"<stdin>\"") == Double(text.utf8.count))
        #expect(Self.metric(body, "logsift_last_event_timestamp_seconds", "source=") == Double(1_795_514_699))  // 2026-11-24T10:04:59Z
        input.fileHandleForWriting.closeFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }
}
