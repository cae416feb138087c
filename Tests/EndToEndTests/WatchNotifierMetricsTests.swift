import Foundation
import LogHTTP
import LogsiftTestSupport
import Testing

/// `watch --listen` with `--webhook` and `--exec`: the `logsift_notifications_*` families count
/// each notifier's deliveries, failed attempts, drops and queue under its own `notifier` label,
/// as they do the Alertmanager notifier's. Truth: `IncidentFixture`'s hand-derived transitions
/// (8, of which 6 firing or resolved) and receivers written here to fail a known number of times.
@Suite struct WatchNotifierMetricsTests {
    static func metric(_ text: String, _ name: String, _ labels: String) -> Double? {
        WatchMetricsTests.metric(text, name, labels)
    }

    /// Starts `watch` on a pipe with `arguments` and `--listen`; the log is written and the pipe
    /// kept open, so the process stays up to be scraped.
    static func start(_ arguments: [String], log: URL, port: Int) throws -> (Process, Pipe) {
        let process = Process()
        process.executableURL = Harness.binary
        process.arguments = ["watch", "--window", "1m", "--tz", "UTC", "--listen", "127.0.0.1:\(port)"] + arguments
        let input = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        input.fileHandleForWriting.write(try Data(contentsOf: log))
        return (process, input)
    }

    /// Scrapes until `done` holds for the body (at most 40 s); the last body.
    static func scrape(port: Int, until done: (String) -> Bool) async throws -> String {
        var body = ""
        _ = await ExternalServices.eventually(timeout: 40) {
            guard let answer = try? await ExternalServices.get("http://127.0.0.1:\(port)/metrics"),
                  answer.status == 200 else { return false }
            body = String(decoding: answer.body, as: UTF8.self)
            return done(body)
        }
        return body
    }

    /// The webhook answers 503 to its first two requests, then 200. Six notifications; the
    /// first is tried three times (503, 503, 200: 0.5 s and 1 s of backoff): 6 sent, 2 failed
    /// attempts, nothing dropped, nothing waiting.
    @Test(.timeLimit(.minutes(2))) func webhookCountersFollowAReceiverThatFailsTwice() async throws {
        let answered = Received()
        let server = try await HTTPServer.start(host: "127.0.0.1", port: 0) { request in
            answered.add(request.path, request.body)
            return answered.all.count <= 2 ? HTTPServerResponse(status: .serviceUnavailable, text: "busy")
                                           : HTTPServerResponse(status: .ok, text: "")
        }
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (log, rules) = try IncidentFixture.write(in: dir)
        let port = ExternalServices.freePort()
        let (process, input) = try Self.start(["--rules", rules.path, "--webhook", "http://127.0.0.1:\(server.port)/hook"],
                                              log: log, port: port)
        defer { if process.isRunning { process.terminate() }; process.waitUntilExit() }
        let webhook = "notifier=\"webhook\""
        let body = try await Self.scrape(port: port) { Self.metric($0, "logsift_notifications_sent_total", webhook) == 6 }
        #expect(Self.metric(body, "logsift_notifications_sent_total", webhook) == 6, "\(body)")
        #expect(Self.metric(body, "logsift_notifications_failed_total", webhook) == 2)
        for reason in ["queue_full", "retries_exhausted", "rejected"] {
            #expect(Self.metric(body, "logsift_notifications_dropped_total", "\(webhook),reason=\"\(reason)\"") == 0)
        }
        #expect(Self.metric(body, "logsift_notification_queue_length", webhook) == 0)
        #expect(answered.all.count == 8)
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        await server.shutdown()
        #expect(process.terminationStatus == 0)
    }

    /// One run at a time, a queue of 5, a program that waits for the test's "go" file: of the 8
    /// transitions, 1 runs, 5 wait and 2 are dropped. After "go" the program fails its first two
    /// runs (exit 1) and succeeds after: 4 sent, 2 failed, 2 dropped, queue empty. Both the
    /// webhook and exec series sit in one family each (no name repeated in the exposition).
    @Test(.timeLimit(.minutes(2))) func execCountersShowTheQueueThenTheRuns() async throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (log, rules) = try IncidentFixture.write(in: dir)
        let go = dir.appendingPathComponent("go").path
        let runs = dir.appendingPathComponent("runs").path
        let program = try WatchNotifierTests.script("""
            #!/bin/sh
            cat > /dev/null
            while [ ! -f "$1" ]; do sleep 0.05; done
            echo run >> "$2"
            [ "$(wc -l < "$2")" -gt 2 ]
            """, in: dir, name: "notify.sh")
        let port = ExternalServices.freePort()
        let deadPort = ExternalServices.freePort()
        let (process, input) = try Self.start(["--rules", rules.path, "--exec", program.path, "--exec-arg", go, "--exec-arg", runs,
                                               "--exec-max", "1", "--exec-queue", "5", "--exec-timeout", "60s",
                                               "--webhook", "http://127.0.0.1:\(deadPort)/"], log: log, port: port)
        defer { if process.isRunning { process.terminate() }; process.waitUntilExit() }
        let exec = "notifier=\"exec\""
        let dropped = "logsift_notifications_dropped_total"
        let waiting = try await Self.scrape(port: port) {
            Self.metric($0, dropped, "\(exec),reason=\"queue_full\"") == 2 && Self.metric($0, "logsift_notification_queue_length", exec) == 5
        }
        #expect(Self.metric(waiting, dropped, "\(exec),reason=\"queue_full\"") == 2, "\(waiting)")
        #expect(Self.metric(waiting, "logsift_notification_queue_length", exec) == 5)
        #expect(Self.metric(waiting, "logsift_notifications_sent_total", exec) == 0)
        #expect(Self.metric(waiting, "logsift_notifications_failed_total", exec) == 0)
        for name in ["logsift_notifications_sent_total", "logsift_notifications_failed_total", dropped, "logsift_notification_queue_length"] {
            #expect(waiting.components(separatedBy: "# TYPE \(name) ").count == 2, "\(name) once")
        }
        // The dead webhook is there too, under its own label.
        #expect(Self.metric(waiting, "logsift_notifications_sent_total", "notifier=\"webhook\"") == 0)

        _ = FileManager.default.createFile(atPath: go, contents: nil)
        let body = try await Self.scrape(port: port) {
            (Self.metric($0, "logsift_notifications_sent_total", exec) ?? 0) + (Self.metric($0, "logsift_notifications_failed_total", exec) ?? 0) == 6
        }
        #expect(Self.metric(body, "logsift_notifications_sent_total", exec) == 4, "\(body)")
        #expect(Self.metric(body, "logsift_notifications_failed_total", exec) == 2)
        #expect(Self.metric(body, dropped, "\(exec),reason=\"queue_full\"") == 2)
        #expect(Self.metric(body, "logsift_notification_queue_length", exec) == 0)
        #expect(try String(contentsOfFile: runs, encoding: .utf8).split(separator: "\n").count == 6)
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }
}
