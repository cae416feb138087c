import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// Real programs the tests start on loopback (Alertmanager, Prometheus), and what they need to
/// talk to them: a free port, a temporary folder, an HTTP GET that is not logsift's own code.
///
/// A test that needs a program gates itself with `.enabled(if: ExternalServices.runnable(name))`:
/// it is skipped, with the reason shown, when the program is missing, unless
/// `LOGSIFT_REQUIRE_SERVICES=1`; then it runs and fails on the missing program.
public enum ExternalServices {
    public static var required: Bool { ProcessInfo.processInfo.environment["LOGSIFT_REQUIRE_SERVICES"] == "1" }

    /// The program's path: on PATH, or in /usr/bin or /usr/sbin.
    public static func path(of program: String) -> String? {
        let env = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for dir in env.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/sbin"] {
            let candidate = dir + "/" + program
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// True when the test should run: the program is there, or it is required.
    public static func runnable(_ program: String) -> Bool {
        path(of: program) != nil || required
    }

    /// The program's path, or a recorded failure (the test runs only when required then).
    public static func require(_ program: String, package: String) -> String? {
        if let path = path(of: program) { return path }
        Issue.record("\(program) not found (LOGSIFT_REQUIRE_SERVICES=1): apt-get install \(package), or run scripts/install-deps")
        return nil
    }

    /// A TCP port free on 127.0.0.1 just now (bound to 0 and released; a race with another
    /// process taking it is possible but rare).
    public static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        precondition(fd >= 0, "socket() failed")
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        precondition(bound == 0, "bind() failed")
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    public static func temporaryDirectory(_ prefix: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(prefix)-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A GET with Foundation's URLSession (independent of logsift's NIO code): status and body.
    public static func get(_ url: String, timeout: TimeInterval = 5) async throws -> (status: Int, body: Data, contentType: String?) {
        try await request(url, method: "GET", timeout: timeout)
    }

    public static func request(_ url: String, method: String, timeout: TimeInterval = 5) async throws -> (status: Int, body: Data, contentType: String?) {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        request.timeoutInterval = timeout
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as? HTTPURLResponse
        return (http?.statusCode ?? 0, data, http?.value(forHTTPHeaderField: "Content-Type"))
    }

    /// Polls `url` until it answers 200, up to `timeout`; false if it never did.
    ///
    /// The polling runs on a thread of its own, not on Swift concurrency's pool: that pool has
    /// one thread per core, and tests that block their thread (waiting for a logsift process)
    /// can hold both for longer than the timeout. A deadline measured while starved of a
    /// thread once failed three service tests whose services had answered within 0.2 s.
    public static func waitUntilReady(_ url: String, timeout: TimeInterval = 30) async -> Bool {
        await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            Thread.detachNewThread {
                let end = Date().addingTimeInterval(timeout)
                var ready = false
                repeat {
                    if blockingGet(url, timeout: 1)?.status == 200 { ready = true; break }
                    usleep(100_000)
                } while Date() < end
                continuation.resume(returning: ready)
            }
        }
    }

    /// Tries `attempt` until it returns true, `interval` apart, for about `timeout`; whether it
    /// did. A try always follows the last sleep, so a test starved of a thread past the
    /// deadline still checks once more instead of failing on time it never had.
    public static func eventually(timeout: TimeInterval, interval: Duration = .milliseconds(200),
                                  _ attempt: () async throws -> Bool) async rethrows -> Bool {
        let end = Date().addingTimeInterval(timeout)
        while true {
            if try await attempt() { return true }
            if Date() >= end { return false }
            try? await Task.sleep(for: interval)
        }
    }

    /// A GET of `url` waiting on this thread (for threads of their own, not Swift concurrency's
    /// pool): status and body, nil when it failed.
    public static func blockingGet(_ url: String, timeout: TimeInterval) -> (status: Int, body: Data)? {
        var request = URLRequest(url: URL(string: url)!)
        request.timeoutInterval = timeout
        let done = DispatchSemaphore(value: 0)
        let answer = AnswerBox()
        URLSession.shared.dataTask(with: request) { data, response, _ in
            if let status = (response as? HTTPURLResponse)?.statusCode { answer.set((status, data ?? Data())) }
            done.signal()
        }.resume()
        // URLSession's own timeout ends the task; the extra seconds only guard against a task
        // that never calls back.
        guard done.wait(timeout: .now() + timeout + 5) == .success else { return nil }
        return answer.value
    }
}

/// An answer set by URLSession's callback thread and read after it signalled.
private final class AnswerBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: (status: Int, body: Data)?
    func set(_ value: (status: Int, body: Data)) { lock.lock(); stored = value; lock.unlock() }
    var value: (status: Int, body: Data)? { lock.lock(); defer { lock.unlock() }; return stored }
}

/// A program started by a test; `stop()` ends it (SIGTERM, then SIGKILL) and removes its folder.
public final class ServiceProcess: @unchecked Sendable {
    public let process = Process()
    public let directory: URL
    public let logFile: URL

    public init(executable: String, arguments: [String], directory: URL) throws {
        self.directory = directory
        self.logFile = directory.appendingPathComponent("output.log")
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let log = try FileHandle(forWritingTo: logFile)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    /// What the program wrote, for a failure message.
    public var output: String {
        (try? String(contentsOf: logFile, encoding: .utf8)).map { String($0.suffix(4000)) } ?? ""
    }

    public func stop() {
        if process.isRunning {
            process.terminate()
            let end = Date().addingTimeInterval(5)
            while process.isRunning && Date() < end { usleep(20_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }
}
