import Foundation
import Testing

/// `logsift watch` run as a real process. Truth: what each test's generator wrote, counted
/// here independently of logsift.
@Suite struct WatchCommandTests {
    /// 2026-12-01T10:00:00Z.
    static let base = 1_796_119_200

    struct Written {
        var text = ""
        /// Per minute since `base`: requests, 5xx, unmatched, request times, path counts.
        var requests: [Int: Int] = [:]
        var errors: [Int: Int] = [:]
        var unmatched: [Int: Int] = [:]
        var times: [Int: [Double]] = [:]
        var paths: [Int: [String: Int]] = [:]
    }

    static func stamp(_ t: Int) -> String {
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "01/Dec/2026:\(two(t / 3600 % 24)):\(two(t / 60 % 60)):\(two(t % 60)) +0000"
    }

    /// Ten minutes of lines, a few per second, every 13th a 5xx, every 97th garbage.
    static func generate() -> Written {
        var w = Written()
        var newest = base
        for i in 0..<2400 {
            if i % 97 == 50 {
                w.text += "garbage line \(i) \u{1b}[31m\n"
                w.unmatched[(newest - base) / 60, default: 0] += 1
                continue
            }
            let t = base + i / 4
            newest = t
            let minute = (t - base) / 60
            let status = i % 13 == 0 ? 502 : 200
            let path = "/p\(i % 7 == 0 ? 1 : i % 3 + 2)"
            let seconds = Double(i % 500 + 1) / 1000
            w.text += "10.0.0.\(i % 200) - - [\(stamp(t))] \"GET \(path)?q=\(i) HTTP/1.1\" \(status) 100 \"-\" \"t\" \(String(format: "%.3f", seconds))\n"
            w.requests[minute, default: 0] += 1
            if status >= 500 { w.errors[minute, default: 0] += 1 }
            w.times[minute, default: []].append(seconds)
            w.paths[minute, default: [:]][path, default: 0] += 1
        }
        return w
    }

    static func windows(_ data: Data) throws -> [[String: Any]] {
        try String(decoding: data, as: UTF8.self).split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    @Test func jsonLinesMatchTheLinesWritten() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let written = Self.generate()
        let input = dir.appendingPathComponent("access.log")
        try written.text.write(to: input, atomically: true, encoding: .utf8)
        let result = try Harness.run(["watch", "--window", "1m", "--tz", "UTC"], stdinFile: input)
        #expect(result.status == 0, "\(result.stderr)")
        let windows = try Self.windows(result.stdout)
        #expect(windows.count == 10)
        for (minute, window) in windows.enumerated() {
            #expect(window["start"] as? String == "2026-12-01T10:\(minute == 0 ? "00" : minute < 10 ? "0\(minute)" : "\(minute)"):00Z")
            #expect(window["requests"] as? Int == written.requests[minute])
            #expect(window["status_5xx"] as? Int == written.errors[minute])
            #expect(window["unmatched"] as? Int == written.unmatched[minute, default: 0])
            let share = try #require(window["share_5xx"] as? Double)
            #expect(abs(share - Double(written.errors[minute]!) / Double(written.requests[minute]!)) < 1e-9)
            // p95: within the sketch's 1% (2% allowed) of the value at rank ⌈0.95·n⌉.
            let sorted = written.times[minute]!.sorted()
            let truth = sorted[Int((0.95 * Double(sorted.count)).rounded(.up)) - 1]
            let p95 = try #require((window["request_time"] as? [String: Any])?["p95"] as? Double)
            #expect(abs(p95 - truth) <= truth * 0.02, "minute \(minute): \(p95) vs \(truth)")
            let top = try #require(window["top_paths"] as? [[String: Any]])
            // The most requested path, ties by path text.
            let best = written.paths[minute]!.min { ($1.value, $0.key) < ($0.value, $1.key) }!
            #expect(top.first?["path"] as? String == best.key)
            #expect(top.first?["requests"] as? Int == best.value)
        }
    }

    /// A window is written when it closes, while the input is still open.
    @Test func aWindowIsWrittenWhenItClosesNotAtTheEnd() throws {
        let process = Process()
        process.executableURL = Harness.binary
        process.arguments = ["watch", "--window", "10s", "--late", "0s", "--output", "json"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() }; process.waitUntilExit() }
        var text = ""
        for s in 0..<10 { text += "10.0.0.1 - - [\(Self.stamp(Self.base + s))] \"GET /a HTTP/1.1\" 200 1 \"-\" \"t\"\n" }
        text += "10.0.0.1 - - [\(Self.stamp(Self.base + 10))] \"GET /b HTTP/1.1\" 500 1 \"-\" \"t\"\n"
        input.fileHandleForWriting.write(Data(text.utf8))
        // Read the first line with the pipe still open; give up after 20 s.
        let got = DispatchSemaphore(value: 0)
        let box = LineBox()
        DispatchQueue.global().async {
            var data = Data()
            while !data.contains(0x0a) {
                let chunk = output.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                data.append(chunk)
            }
            box.set(data)
            got.signal()
        }
        #expect(got.wait(timeout: .now() + 20) == .success)
        let first = try #require(try Self.windows(box.get()).first)
        #expect(first["requests"] as? Int == 10)
        #expect(first["status_5xx"] as? Int == 0)
        #expect(process.isRunning)
        kill(process.processIdentifier, SIGINT)
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
        #expect(process.terminationStatus == 130)
    }

    final class LineBox: @unchecked Sendable {
        private let lock = NSLock()
        private var data = Data()
        func set(_ d: Data) { lock.lock(); data = d; lock.unlock() }
        func get() -> Data { lock.lock(); defer { lock.unlock() }; return data }
    }

    // Rotation with a real writer process: WatchRotationTests (100 mixed rotations).

    static func accessLines(_ range: Range<Int>, path: String = "/s") -> String {
        range.map { "10.0.0.1 - - [\(stamp(base + $0))] \"GET \(path)\($0) HTTP/1.1\" 200 1 \"-\" \"t\"\n" }.joined()
    }

    /// Runs `watch` over `arguments` until its output has settled, then SIGTERM; its windows.
    static func runUntilQuiet(_ arguments: [String], seconds: Double = 2.5) throws -> (Int32, Data) {
        let process = Process()
        process.executableURL = Harness.binary
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        Thread.sleep(forTimeInterval: seconds)
        kill(process.processIdentifier, SIGTERM)
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, data)
    }

    /// `--state` keeps where the first run stopped: the second run reads only what came after.
    @Test func stateResumesWhereTheLastRunStopped() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("access.log")
        let state = dir.appendingPathComponent("state.json").path
        try Self.accessLines(0..<300).write(to: log, atomically: false, encoding: .utf8)
        let first = try Self.runUntilQuiet(["watch", "--follow", log.path, "--from-start", "--state", state, "--output", "json", "--tz", "UTC"])
        #expect(first.0 == 143)
        #expect(try Self.windows(first.1).reduce(0) { $0 + ($1["requests"] as! Int) } == 300)
        let saved = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: state))) as? [String: Any])
        let entry = try #require((saved["files"] as? [[String: Any]])?.first)
        #expect(entry["offset"] as? Int == Self.accessLines(0..<300).utf8.count)
        let handle = try FileHandle(forWritingTo: log)
        handle.seekToEndOfFile()
        handle.write(Data(Self.accessLines(300..<420).utf8))
        try handle.close()
        // --from-start again: the state wins for a file it knows.
        let second = try Self.runUntilQuiet(["watch", "--follow", log.path, "--from-start", "--state", state, "--output", "json", "--tz", "UTC"])
        #expect(second.0 == 143)
        #expect(try Self.windows(second.1).reduce(0) { $0 + ($1["requests"] as! Int) } == 120)
    }

    /// The live view escapes what comes from the log: no escape sequence of a path reaches the terminal.
    @Test func liveViewIsTerminalSafe() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("access.log")
        try Self.accessLines(0..<50, path: "/x\u{1b}]0;owned\u{07}\u{1b}[2J").write(to: input, atomically: true, encoding: .utf8)
        let result = try Harness.run(["watch", "--output", "view", "--window", "10s", "--tz", "UTC"], stdinFile: input)
        #expect(result.status == 0)
        let text = result.text
        #expect(text.contains("requests 10"))
        #expect(!text.contains("\u{1b}]0;"))
        #expect(!text.contains("\u{07}"))
        // Only the view's own clear-screen sequences, one per redraw.
        #expect(text.components(separatedBy: "\u{1b}[2J").count == text.components(separatedBy: "\u{1b}[H").count)
    }
}
