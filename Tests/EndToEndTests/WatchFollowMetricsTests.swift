import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import LogsiftTestSupport
import Testing

/// `watch --follow … --listen`: the input metrics of `/metrics` (bytes read, events per level,
/// rotations by kind, lag) scraped from the real binary's server while it follows real files.
/// Truth: the bytes and lines each test wrote, and the rotations it performed, counted by the
/// test itself. (Lag while the reader is behind is checked on the fake file system in
/// `LogInputTests/FileFollowerCountsTests`.)
@Suite struct WatchFollowMetricsTests {
    /// A running `watch --follow PATH --listen` and its scrapes.
    final class Watch {
        let process = Process()
        let port = ExternalServices.freePort()
        let stderr: URL

        init(_ arguments: [String], dir: URL) throws {
            process.executableURL = Harness.binary
            process.arguments = ["watch", "--window", "1m", "--tz", "UTC", "--output", "json",
                                 "--listen", "127.0.0.1:\(port)"] + arguments
            process.standardOutput = FileHandle.nullDevice
            stderr = dir.appendingPathComponent("stderr")
            _ = FileManager.default.createFile(atPath: stderr.path, contents: nil)
            process.standardError = try FileHandle(forWritingTo: stderr)
            try process.run()
        }

        func stop() {
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
        }

        var said: String { (try? String(contentsOf: stderr, encoding: .utf8)) ?? "" }

        /// The last scrape that parsed.
        var last: ExpositionParser?
        var body = ""

        func scrape() async -> ExpositionParser? {
            guard let answer = try? await ExternalServices.get("http://127.0.0.1:\(port)/metrics"), answer.status == 200 else {
                return nil
            }
            body = String(decoding: answer.body, as: UTF8.self)
            last = try? ExpositionParser(body)
            return last
        }

        /// Scrapes until `condition` holds (at most `timeout` seconds); the last scrape.
        @discardableResult
        func until(timeout: TimeInterval = 60, _ condition: (ExpositionParser) -> Bool) async -> ExpositionParser? {
            _ = await ExternalServices.eventually(timeout: timeout) {
                guard let m = await scrape() else { return false }
                return condition(m)
            }
            return last
        }
    }

    static func append(_ text: String, to path: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
    }

    /// Access lines whose remote user (within the first 64 bytes) is their sequence number, so
    /// a file rewritten from the start never begins with the bytes of the one before.
    static func accessLines(_ range: Range<Int>) -> String {
        var text = ""
        for n in range {
            text += String(format: "10.0.0.1 - u%d [24/Nov/2026:10:%02d:%02d +0000] \"GET /p/%d HTTP/1.1\" %d 12 \"-\" \"t\" 0.004\n",
                           n, (n / 60) % 60, n % 60, n % 17, n % 9 == 0 ? 502 : 200)
        }
        return text
    }

    /// Rename + create, copytruncate and delete + recreate, one each then a second rename, done by
    /// the test once the watch has read everything before: `kind="replaced"` counts 3,
    /// `kind="truncated"` 1; the bytes read are exactly the bytes written to the four files; the
    /// lag is 0 once everything is read.
    @Test(.timeLimit(.minutes(3)))
    func bytesRotationsAndLagOfAFollowedFile() async throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("access.log").path
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let watch = try Watch(["--follow", log], dir: dir)
        defer { watch.stop() }
        let source = ["source": log]
        // Up, and following the (empty) file from its end.
        let started = await watch.until { $0.value("logsift_bytes_read_total", source) == 0 }
        try #require(started != nil, "no /metrics: \(watch.said)")

        var written = 0, lines = 0
        func write(_ count: Int) throws {
            let text = Self.accessLines(lines..<(lines + count))
            try Self.append(text, to: log)
            written += text.utf8.count
            lines += count
        }
        func allRead() async -> ExpositionParser? {
            await watch.until {
                $0.value("logsift_bytes_read_total", source) == Double(written)
                    && $0.value("logsift_lines_total", ["source": log, "result": "parsed"]) == Double(lines)
            }
        }
        func rotations(_ kind: String, _ m: ExpositionParser?) -> Double? {
            m?.value("logsift_follow_rotations_total", ["source": log, "kind": kind])
        }

        try write(120)
        var m = await allRead()
        #expect(m?.value("logsift_bytes_read_total", source) == Double(written), "\(watch.body)")
        #expect(m?.value("logsift_follow_lag_bytes", source) == 0)
        #expect(rotations("replaced", m) == 0 && rotations("truncated", m) == 0)

        // rename + create
        #expect(rename(log, log + ".1") == 0)
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        try write(80)
        m = await allRead()
        #expect(m?.value("logsift_bytes_read_total", source) == Double(written), "\(watch.body)")
        #expect(rotations("replaced", m) == 1)

        // copytruncate: the copy, then the cut, then new lines from offset 0
        try FileManager.default.removeItem(atPath: log + ".1")
        try FileManager.default.copyItem(atPath: log, toPath: log + ".1")
        #expect(truncate(log, 0) == 0)
        try write(50)
        m = await allRead()
        #expect(m?.value("logsift_bytes_read_total", source) == Double(written), "\(watch.body)")
        #expect(rotations("truncated", m) == 1)
        #expect(rotations("replaced", m) == 1)

        // delete + recreate
        #expect(unlink(log) == 0)
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        try write(70)
        m = await allRead()
        #expect(rotations("replaced", m) == 2)

        // rename again, nothing of the old file read yet when it goes
        try write(30)
        #expect(rename(log, log + ".2") == 0)
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        try write(40)
        m = await allRead()
        #expect(m?.value("logsift_bytes_read_total", source) == Double(written), "\(watch.body)")
        #expect(m?.value("logsift_lines_total", ["source": log, "result": "parsed"]) == Double(lines))
        #expect(rotations("replaced", m) == 3)
        #expect(rotations("truncated", m) == 1)
        #expect(m?.value("logsift_follow_lag_bytes", source) == 0)
        #expect(m?.types["logsift_bytes_read_total"] == "counter")
        #expect(m?.types["logsift_follow_rotations_total"] == "counter")
        #expect(m?.types["logsift_follow_lag_bytes"] == "gauge")
        // Access logs have no events per level: their requests per status class stand for them.
        #expect(m?.samples.contains { $0.name == "logsift_events_total" } == false)
        #expect(m?.value("logsift_requests_total", ["source": log, "status_class": "5xx"]) == Double((lines + 8) / 9))
    }

    /// A reader behind its file: a 12 MB file read `--from-start`. One loop turn reads at most
    /// 4 MiB of a file (64 reads of 64 KiB) before the metrics are updated, so the first update
    /// already has a lag; in every scrape, the bytes read plus the lag are the file's size (the
    /// truth: what the test wrote), and the lag ends at 0. The scrapes run on a thread of their
    /// own: on Swift concurrency's pool, other tests blocking both threads starved them until the
    /// file was read (seen once under the filtered suite).
    @Test(.timeLimit(.minutes(3)))
    func lagPlusBytesReadIsTheFileSizeWhileCatchingUp() async throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("access.log").path
        var text = ""
        var n = 0
        while text.utf8.count < 12_000_000 {
            text += Self.accessLines(n..<(n + 1000))
            n += 1000
        }
        try text.write(toFile: log, atomically: true, encoding: .utf8)
        let size = Double(text.utf8.count)
        let watch = try Watch(["--follow", log, "--from-start"], dir: dir)
        defer { watch.stop() }
        let url = "http://127.0.0.1:\(watch.port)/metrics"
        let scrapes = await withCheckedContinuation { (continuation: CheckedContinuation<[ExpositionParser], Never>) in
            Thread.detachNewThread {
                var scrapes: [ExpositionParser] = []
                let end = Date().addingTimeInterval(120)
                while Date() < end {
                    if let answer = ExternalServices.blockingGet(url, timeout: 2), answer.status == 200,
                       let m = try? ExpositionParser(String(decoding: answer.body, as: UTF8.self)),
                       let read = m.value("logsift_bytes_read_total", ["source": log]) {
                        scrapes.append(m)
                        if read == size { break }
                    }
                    usleep(20_000)
                }
                continuation.resume(returning: scrapes)
            }
        }
        var lags: [Double] = []
        var mismatches: [String] = []
        for m in scrapes {
            let read = m.value("logsift_bytes_read_total", ["source": log]) ?? -1
            let lag = m.value("logsift_follow_lag_bytes", ["source": log]) ?? -1
            lags.append(lag)
            if read + lag != size { mismatches.append("read \(read) + lag \(lag) != \(size)") }
        }
        #expect(scrapes.last?.value("logsift_bytes_read_total", ["source": log]) == size, "\(watch.said)")
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
        #expect(lags.contains { $0 > 0 }, "no scrape saw the reader behind: \(lags.prefix(20))")
        #expect(lags.last == 0)
        #expect(scrapes.last?.value("logsift_lines_total", ["source": log, "result": "parsed"]) == Double(n))
    }

    /// A deterministic pseudo-random sequence (SplitMix64), so the severities are mixed.
    struct Mix {
        var state: UInt64
        mutating func next(_ n: Int) -> Int {
            state &+= 0x9e3779b97f4a7c15
            var z = state
            z = (z ^ (z >> 30)) &* 0xbf58476d1ce4e5b9
            z = (z ^ (z >> 27)) &* 0x94d049bb133111eb
            return Int((z ^ (z >> 31)) % UInt64(n))
        }
    }

    /// PostgreSQL entries of every severity, some with DETAIL/STATEMENT lines (part of their
    /// entry, not events of their own); the level each severity counts under (the query
    /// language's `severity`): LOG and INFO are info, WARNING warn, FATAL and PANIC fatal.
    static func postgresLog(entries: Int, seed: UInt64) -> (text: String, levels: [String: Int]) {
        let severities: [(String, String)] = [
            ("LOG", "info"), ("LOG", "info"), ("LOG", "info"), ("INFO", "info"), ("NOTICE", "notice"),
            ("WARNING", "warn"), ("ERROR", "error"), ("FATAL", "fatal"), ("PANIC", "fatal"), ("DEBUG1", "debug"),
        ]
        var mix = Mix(state: seed)
        var text = ""
        var levels: [String: Int] = [:]
        for i in 0..<entries {
            let (severity, level) = severities[mix.next(severities.count)]
            let stamp = String(format: "2026-11-24 10:%02d:%02d.%03d UTC", (i / 60) % 60, i % 60, i % 1000)
            text += "\(stamp) [\(3000 + i % 11)] app@shop \(severity):  message \(i)\n"
            if severity == "ERROR" {
                text += "\(stamp) [\(3000 + i % 11)] app@shop DETAIL:  Key (id)=(\(i)) already exists.\n"
                text += "\(stamp) [\(3000 + i % 11)] app@shop STATEMENT:  INSERT INTO orders (id) VALUES (\(i))\n"
            }
            levels[level, default: 0] += 1
        }
        return (text, levels)
    }

    /// Application lines (log4j layout) of every level, a few with a stack trace under them.
    static func applicationLog(entries: Int, seed: UInt64) -> (text: String, levels: [String: Int]) {
        let words: [(String, String)] = [
            ("TRACE", "trace"), ("DEBUG", "debug"), ("INFO", "info"), ("INFO", "info"), ("INFO", "info"),
            ("WARN", "warn"), ("ERROR", "error"), ("FATAL", "fatal"),
        ]
        var mix = Mix(state: seed)
        var text = ""
        var levels: [String: Int] = [:]
        for i in 0..<entries {
            let (word, level) = words[mix.next(words.count)]
            let stamp = String(format: "2026-11-24 10:%02d:%02d.%03d", (i / 60) % 60, i % 60, i % 1000)
            text += "\(stamp) [worker-\(i % 5)] \(word.padding(toLength: 5, withPad: " ", startingAt: 0)) c.e.Orders - order \(i) handled\n"
            if word == "ERROR" {
                text += "java.lang.IllegalStateException: order \(i)\n\tat c.e.Orders.handle(Orders.java:42)\n"
            }
            levels[level, default: 0] += 1
        }
        return (text, levels)
    }

    /// Events per level equal the levels the test wrote. A multi-line entry ends when the next
    /// one starts, so the last entry written (an INFO/LOG, not in the truth) stays open and
    /// uncounted: exactly the first `entries` are.
    func eventsPerLevel(_ make: (Int, UInt64) -> (text: String, levels: [String: Int]), closing: String,
                        name: String) async throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent(name).path
        let (text, truth) = make(600, 0x5eed)
        let whole = text + closing
        try whole.write(toFile: log, atomically: true, encoding: .utf8)
        let watch = try Watch(["--follow", log, "--from-start"], dir: dir)
        defer { watch.stop() }
        let total = truth.values.reduce(0, +)
        let m = await watch.until {
            $0.samples.filter { $0.name == "logsift_events_total" }.reduce(0) { $0 + $1.value } >= Double(total)
        }
        try #require(m != nil, "no /metrics: \(watch.said)")
        for level in ["trace", "debug", "info", "notice", "warn", "error", "fatal", "unknown"] {
            #expect(m?.value("logsift_events_total", ["source": log, "level": level]) == Double(truth[level] ?? 0),
                    "level \(level): \(watch.body)")
        }
        #expect(m?.types["logsift_events_total"] == "counter")
        #expect(m?.value("logsift_bytes_read_total", ["source": log]) == Double(whole.utf8.count))
        #expect(m?.value("logsift_follow_lag_bytes", ["source": log]) == 0)
        #expect(m?.samples.contains { $0.name == "logsift_requests_total" } == false)
    }

    @Test(.timeLimit(.minutes(3)))
    func postgresEventsPerLevel() async throws {
        try await eventsPerLevel(Self.postgresLog, closing: "2026-11-24 11:00:00.000 UTC [9] app@shop LOG:  last entry\n",
                                 name: "postgresql.log")
    }

    @Test(.timeLimit(.minutes(3)))
    func applicationEventsPerLevel() async throws {
        try await eventsPerLevel(Self.applicationLog, closing: "2026-11-24 11:00:00.000 [main] INFO  c.e.Orders - last entry\n",
                                 name: "app.log")
    }

    /// `logsift_event_duration_seconds`: the statement durations of the last closed window of a
    /// PostgreSQL log, in seconds. 100 statements in minute 10:00 take 1, 2, …, 100 ms; the
    /// sketch's quantile q is the value of rank ⌊q · 99⌋ (0-based), within 1%; sum and count exact.
    @Test(.timeLimit(.minutes(3)))
    func postgresStatementDurations() async throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("postgresql.log").path
        var text = ""
        for i in 0..<100 {
            text += String(format: "2026-11-24 10:00:%02d.000 UTC [%d] app@shop LOG:  duration: %d.000 ms  statement: SELECT %d\n",
                           i * 60 / 100, 3000 + i, i + 1, i)
        }
        // Two later entries: the first completes (the last one stays open), closing minute 10:00.
        text += "2026-11-24 10:02:00.000 UTC [9] app@shop LOG:  later\n2026-11-24 10:03:00.000 UTC [9] app@shop LOG:  last\n"
        try text.write(toFile: log, atomically: true, encoding: .utf8)
        let watch = try Watch(["--follow", log, "--from-start"], dir: dir)
        defer { watch.stop() }
        let m = await watch.until { $0.value("logsift_event_duration_seconds_count", ["source": log]) != nil }
        try #require(m != nil, "no /metrics: \(watch.said)")
        #expect(m?.value("logsift_event_duration_seconds_count", ["source": log]) == 100, "\(watch.body)")
        #expect(m?.value("logsift_event_duration_seconds_sum", ["source": log]) == 5.05)
        #expect(m?.types["logsift_event_duration_seconds"] == "summary")
        for (q, truth) in [("0.5", 0.050), ("0.9", 0.090), ("0.95", 0.095), ("0.99", 0.099)] {
            let v = try #require(m?.value("logsift_event_duration_seconds", ["source": log, "quantile": q]), "quantile \(q): \(watch.body)")
            #expect(abs(v - truth) <= 0.01 * truth, "quantile \(q): \(v), truth \(truth)")
        }
    }

    /// promtool, Prometheus' own checker, accepts the whole exposition of a following watch
    /// (events per level, bytes, rotations, lag, lines).
    @Test(.enabled(if: ExternalServices.runnable("promtool"),
                   "promtool not installed (apt-get install prometheus; LOGSIFT_REQUIRE_SERVICES=1 makes this a failure)"),
          .timeLimit(.minutes(3)))
    func promtoolAcceptsTheFollowExposition() async throws {
        guard let promtool = ExternalServices.require("promtool", package: "prometheus") else { return }
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("postgresql.log").path
        try (Self.postgresLog(entries: 100, seed: 7).text + "2026-11-24 11:00:00.000 UTC [9] LOG:  x\n")
            .write(toFile: log, atomically: true, encoding: .utf8)
        let watch = try Watch(["--follow", log, "--from-start"], dir: dir)
        defer { watch.stop() }
        let m = await watch.until { $0.value("logsift_events_total", ["source": log, "level": "info"]) ?? 0 > 0 }
        try #require(m != nil, "no /metrics: \(watch.said)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: promtool)
        process.arguments = ["check", "metrics"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        input.fileHandleForWriting.write(Data(watch.body.utf8))
        try input.fileHandleForWriting.close()
        let said = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "promtool: \(said)\n\(watch.body)")
        #expect(said.isEmpty, "promtool found problems (lint): \(said)")
    }
}
