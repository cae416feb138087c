import Foundation
import LogsiftTestSupport
import Testing

/// `watch --follow` through 100 real rotations of a real file written by a separate process
/// (Python) at a high rate: rename + create, copytruncate and delete + recreate, mixed. Truth:
/// the writer's own count of the lines it wrote, each carrying its sequence number.
///
/// What makes it fair to every follower, not only to logsift:
/// - the writer does the copy and the truncation itself, one after the other, writing nothing
///   between them (as logrotate's copytruncate hopes the application does; a line written
///   between the copy and the cut is in neither file, lost by any tool). Lines written after
///   logsift's last read and before the cut are in the copy at PATH.1: logsift must read them
///   from there (the follower's rule for copytruncate).
/// - a new file appears with its first lines, and the writer rotates only once the watch holds
///   the current file open (/proc/PID/fd): a file that exists only between two looks at the
///   path cannot be followed by path, by any tool (real rotation is minutes apart). Between
///   rotations the writer writes `gap` seconds at `rate`, so the watch may still be reading
///   the old file when it goes: a renamed or deleted file is drained through its descriptor, a
///   copy-truncated one's unread tail is read from the copy.
@Suite struct WatchRotationTests {
    static let writer = """
        import os, sys, time
        path, done, pid = sys.argv[1], sys.argv[2], int(sys.argv[3])
        rotations, gap, rate = int(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6])
        settle = 0.2
        n = 0
        kinds = {"rename": 0, "copytruncate": 0, "recreate": 0}
        f = open(path, "a")
        written = 0
        def batch(count=100):
            # The sequence number is the remote user (in the first 64 bytes, so a file rewritten
            # from the start never looks the same) and picks status and path. Every line goes
            # through here: `written` is the bytes of all files together (ASCII).
            global n, written
            stamp = time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime())
            lines = []
            for _ in range(count):
                status = 500 if n % 10 == 0 else 200
                lines.append(f'10.0.0.1 - u{n} [{stamp}] "GET /s{n % 997} HTTP/1.1" {status} 1 "-" "w" 0.001\\n')
                n += 1
            text = "".join(lines)
            written += len(text)
            return text
        def write_for(seconds):
            # `rate` lines a second in batches of 100, each batch one write (flush).
            start, sent = time.monotonic(), 0
            while True:
                elapsed = time.monotonic() - start
                if elapsed >= seconds:
                    return
                if sent > elapsed * rate:
                    time.sleep(min(sent / rate - elapsed, seconds - elapsed))
                    continue
                f.write(batch())
                f.flush()
                sent += 100
                note_if_held()
        def reader_holds_current_file():
            # The watch has the file now at `path` open (it found it and read its first lines).
            st = os.stat(path)
            for fd in os.listdir(f"/proc/{pid}/fd"):
                try:
                    o = os.stat(f"/proc/{pid}/fd/{fd}")
                except OSError:
                    continue
                if (o.st_dev, o.st_ino) == (st.st_dev, st.st_ino):
                    return True
            return False
        held_at = None
        def note_if_held():
            global held_at
            if held_at is None and reader_holds_current_file():
                held_at = time.monotonic()
        def new_file():
            # A new file appears with its first lines (written, then renamed into place).
            with open(path + ".new", "w") as g:
                g.write(batch())
            os.rename(path + ".new", path)
            return open(path, "a")
        for r in range(rotations):
            write_for(gap)
            kind = ("rename", "copytruncate", "recreate")[r % 3]
            # rename and recreate: the watch has the file open (it drains it through its
            # descriptor, read or not). copytruncate: it has had it open for `settle` seconds,
            # so it has read from it (it reads right after opening): a file cut before its
            # reader ever read it looks, to any reader, like a file that was always empty.
            deadline = time.monotonic() + 30
            while held_at is None or (kind == "copytruncate" and time.monotonic() - held_at < settle):
                if time.monotonic() > deadline:
                    sys.exit(f"rotation {r}: the watch did not open the current file within 30 s")
                time.sleep(0.005)
                note_if_held()
            held_at = None if kind != "copytruncate" else held_at
            kinds[kind] += 1
            if kind == "rename":
                os.rename(path, path + ".1")
                f.close()
                f = new_file()
            elif kind == "copytruncate":
                f.flush()
                with open(path, "rb") as src, open(path + ".1.tmp", "wb") as dst:
                    dst.write(src.read())
                os.replace(path + ".1.tmp", path + ".1")   # a new file: a reader of the old .1 keeps its bytes
                os.truncate(path, 0)                       # f is O_APPEND: its next line goes to offset 0
            else:
                os.unlink(path)
                f.close()
                f = new_file()
        write_for(gap)
        f.close()
        open(done, "w").write(f"{n} {kinds['rename']} {kinds['copytruncate']} {kinds['recreate']} {written}")
        """

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3"), "needs /usr/bin/python3"),
          .timeLimit(.minutes(3)))
    func followCountsEveryLineOnceThroughAHundredMixedRotations() async throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("access.log").path
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let script = dir.appendingPathComponent("writer.py")
        try Self.writer.write(to: script, atomically: true, encoding: .utf8)

        let port = ExternalServices.freePort()
        let watch = Process()
        watch.executableURL = Harness.binary
        watch.arguments = ["watch", "--follow", log, "--window", "1m", "--top", "1000", "--output", "json", "--tz", "UTC",
                           "--listen", "127.0.0.1:\(port)"]
        let output = Pipe()
        watch.standardOutput = output
        let errURL = dir.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        watch.standardError = try FileHandle(forWritingTo: errURL)
        // Read standard output as it comes (a full pipe would stop the watch).
        let box = WatchCommandTests.LineBox()
        let readable = output.fileHandleForReading
        let reader = Thread {
            var data = Data()
            while true {
                let chunk = readable.availableData
                if chunk.isEmpty { break }
                data.append(chunk)
                box.set(data)
            }
        }
        try watch.run()
        reader.start()
        defer { if watch.isRunning { watch.terminate() }; watch.waitUntilExit() }
        try await Task.sleep(nanoseconds: 500_000_000)  // `watch` starts at the end of the (empty) file

        // 100 rotations, 0.15 s of writing at 20,000 lines a second between them: about 300,000
        // lines in 15 s and more (a debug build reads some 40,000 lines a second of one core).
        let done = dir.appendingPathComponent("done").path
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        python.arguments = [script.path, log, done, "\(watch.processIdentifier)", "100", "0.15", "20000"]
        try python.run()
        python.waitUntilExit()
        #expect(python.terminationStatus == 0)
        let counts = try String(contentsOfFile: done, encoding: .utf8).split(separator: " ").compactMap { Int($0) }
        try #require(counts.count == 5)
        let total = counts[0]
        #expect(counts[1...3] == [34, 33, 33])
        #expect(total > 50_000, "the writer wrote \(total) lines")

        // Wait (at most 60 s) until /metrics says every line was read, then stop the watch.
        var metrics = ""
        _ = await ExternalServices.eventually(timeout: 60) {
            guard let answer = try? await ExternalServices.get("http://127.0.0.1:\(port)/metrics"), answer.status == 200 else { return false }
            metrics = String(decoding: answer.body, as: UTF8.self)
            guard let parsed = WatchMetricsTests.metric(metrics, "logsift_lines_total", "result=\"parsed\"") else { return false }
            return parsed >= Double(total)
        }
        // The same counts in /metrics: every byte the writer wrote read once, the rotations by
        // kind (rename and recreate both put a new file at the path), and nothing left unread.
        #expect(WatchMetricsTests.metric(metrics, "logsift_bytes_read_total", "source=") == Double(counts[4]))
        #expect(WatchMetricsTests.metric(metrics, "logsift_follow_rotations_total", "kind=\"replaced\"") == 67)
        #expect(WatchMetricsTests.metric(metrics, "logsift_follow_rotations_total", "kind=\"truncated\"") == 33)
        #expect(WatchMetricsTests.metric(metrics, "logsift_follow_lag_bytes", "source=") == 0)
        kill(watch.processIdentifier, SIGTERM)
        watch.waitUntilExit()
        #expect(watch.terminationStatus == 143)
        while reader.isExecuting { try await Task.sleep(nanoseconds: 20_000_000) }
        let data = box.get()
        let stderr = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
        let windows = try WatchCommandTests.windows(data).filter { $0["requests"] != nil }
        let requests = windows.reduce(0) { $0 + ($1["requests"] as? Int ?? 0) }
        let late = windows.reduce(0) { $0 + ($1["late"] as? Int ?? 0) }
        #expect(requests == total, "read \(requests) of \(total); stderr: \(stderr)")
        #expect(late == 0)
        #expect(windows.reduce(0) { $0 + ($1["unmatched"] as? Int ?? 0) } == 0)
        #expect(windows.reduce(0) { $0 + ($1["status_5xx"] as? Int ?? 0) } == (total + 9) / 10)
        // Per path /s0 … /s996 (sequence mod 997), summed over the windows: a line lost and
        // another read twice cancel in the total, not here unless 997 apart.
        var perPath: [String: Int] = [:]
        for w in windows {
            for p in w["top_paths"] as? [[String: Any]] ?? [] {
                perPath[p["path"] as? String ?? "?", default: 0] += p["requests"] as? Int ?? 0
            }
        }
        var expected: [String: Int] = [:]
        for r in 0..<997 { expected["/s\(r)"] = total / 997 + (r < total % 997 ? 1 : 0) }
        #expect(perPath == expected, "\(perPath.filter { expected[$0.key] != $0.value }.prefix(5))")
        // rename and recreate are rotations (a new file at the path); copytruncate a truncation.
        #expect(windows.last?["rotations"] as? Int == 67)
        #expect(windows.last?["truncations"] as? Int == 33)
    }
}
