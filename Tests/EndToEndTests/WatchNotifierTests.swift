import Foundation
import Testing

/// `watch --rules` notifiers other than Alertmanager: `--alerts-file`, `--exec`, `--webhook`.
/// The truth is `IncidentFixture.transitions` (hand-derived times of each transition).
@Suite struct WatchNotifierTests {
    static func alertLines(_ text: String) -> [String] {
        text.split(separator: "\n").map(String.init).filter { $0.hasPrefix("{\"time\"") }
    }

    static func summary(_ line: String) throws -> String {
        let o = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        return "\(o["time"]!) \(o["alert"]!) \(o["state"]!)"
    }

    @Test func alertsFileHoldsEachTransitionAsStandardOutputWritesIt() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (log, rules) = try IncidentFixture.write(in: dir)
        let file = dir.appendingPathComponent("alerts.jsonl")
        // An existing line stays: the file is appended to.
        try "{\"earlier\":1}\n".write(to: file, atomically: true, encoding: .utf8)
        let r = try Harness.run(["watch", "--window", "1m", "--tz", "UTC", "--rules", rules.path,
                                 "--alerts-file", file.path], stdinFile: log)
        #expect(r.status == 0, "\(r.stderr)")
        let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines.first == "{\"earlier\":1}")
        let appended = Array(lines.dropFirst())
        #expect(try appended.map(Self.summary) == IncidentFixture.transitions)
        #expect(appended == Self.alertLines(r.text))
    }

    @Test func aFailingAlertsFileIsAnErrorButReadingGoesOn() throws {
        guard FileManager.default.fileExists(atPath: "/dev/full") else { return }
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (log, rules) = try IncidentFixture.write(in: dir)
        let r = try Harness.run(["watch", "--window", "1m", "--tz", "UTC", "--rules", rules.path,
                                 "--alerts-file", "/dev/full"], stdinFile: log)
        #expect(r.status == 74, "\(r.stderr)")
        #expect(r.stderr.contains("--alerts-file /dev/full"), "\(r.stderr)")
        // Standard output still has every transition: the failure did not stop reading.
        #expect(try Self.alertLines(r.text).map(Self.summary) == IncidentFixture.transitions)
    }

    @Test func anAlertsFileThatCannotBeOpenedStopsBeforeReading() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (log, rules) = try IncidentFixture.write(in: dir)
        let r = try Harness.run(["watch", "--rules", rules.path, "--alerts-file", dir.path + "/no/such/dir/a.jsonl"], stdinFile: log)
        #expect(r.status == 74, "\(r.stderr)")
        #expect(r.stderr.contains("cannot open"), "\(r.stderr)")
        #expect(r.text.isEmpty)
    }

    static func script(_ text: String, in dir: URL, name: String) throws -> URL {
        let url = dir.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
        return url
    }

    /// Each transition reaches the program once, on its stdin, with the arguments as given:
    /// shell syntax in an argument stays text (no shell), and a space does not split it.
    @Test func execRunsTheProgramOncePerTransitionWithItsJSONOnStdin() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (log, rules) = try IncidentFixture.write(in: dir)
        let out = dir.appendingPathComponent("received.jsonl")
        let argsFile = dir.appendingPathComponent("args.txt")
        let program = try Self.script("#!/bin/sh\ncat >> \"$1\"\nprintf '%s|%s\\n' \"$2\" \"$#\" >> \"$3\"\n", in: dir, name: "notify.sh")
        let tricky = "a b; touch \(dir.path)/pwned $(id)"
        let r = try Harness.run(["watch", "--window", "1m", "--tz", "UTC", "--rules", rules.path,
                                 "--exec", program.path, "--exec-arg", out.path, "--exec-arg", tricky,
                                 "--exec-arg", argsFile.path, "--exec-max", "1"], stdinFile: log)
        #expect(r.status == 0, "\(r.stderr)")
        let received = try String(contentsOf: out, encoding: .utf8).split(separator: "\n").map(String.init)
        // One at a time (--exec-max 1), so in order: exactly the lines of standard output.
        #expect(try received.map(Self.summary) == IncidentFixture.transitions)
        #expect(received == Self.alertLines(r.text))
        let args = try String(contentsOf: argsFile, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(args == Array(repeating: tricky + "|3", count: IncidentFixture.transitions.count))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("pwned").path))
        #expect(r.stderr.isEmpty, "\(r.stderr)")
    }

    /// A program that outlives --exec-timeout is killed; with one run at a time and two
    /// waiting, the other transitions are dropped. Reading is not held up: the run lasts about
    /// three timeouts (12 s), not eight sleeps of 30 s.
    @Test(.timeLimit(.minutes(1))) func execTimeoutKillsAndAFullQueueDrops() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (log, rules) = try IncidentFixture.write(in: dir)
        let started = dir.appendingPathComponent("started")
        let program = try Self.script("#!/bin/sh\necho run >> \"$1\"\nsleep 30\necho survived >> \"$1\"\n", in: dir, name: "slow.sh")
        let clock = ContinuousClock()
        let begin = clock.now
        let r = try Harness.run(["watch", "--window", "1m", "--tz", "UTC", "--rules", rules.path,
                                 "--exec", program.path, "--exec-arg", started.path,
                                 "--exec-timeout", "4s", "--exec-max", "1", "--exec-queue", "2"], stdinFile: log)
        let elapsed = clock.now - begin
        #expect(r.status == 0, "\(r.stderr)")
        #expect(elapsed < .seconds(40), "\(elapsed)")
        // Standard output has every transition all the same.
        #expect(try Self.alertLines(r.text).map(Self.summary) == IncidentFixture.transitions)
        // 8 transitions: 1 running + 2 queued ran and were killed; 5 dropped.
        #expect(r.stderr.contains("3 runs, 0 succeeded, 0 failed, 3 timed out, 5 dropped"), "\(r.stderr)")
        // The sleep was killed with its shell (process group): nothing wrote "survived".
        Thread.sleep(forTimeInterval: 0.2)
        let lines = try String(contentsOf: started, encoding: .utf8).split(separator: "\n")
        #expect(lines == ["run", "run", "run"])
    }

    @Test func execOfAMissingProgramIsCountedAndSaid() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (log, rules) = try IncidentFixture.write(in: dir)
        let r = try Harness.run(["watch", "--window", "1m", "--tz", "UTC", "--rules", rules.path,
                                 "--exec", dir.path + "/no-such-program"], stdinFile: log)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("0 runs, 0 succeeded, 8 failed"), "\(r.stderr)")
        #expect(r.stderr.contains("No such file"), "\(r.stderr)")
        #expect(try Self.alertLines(r.text).map(Self.summary) == IncidentFixture.transitions)
    }
}
