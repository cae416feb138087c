import Dispatch
import Foundation
import LogHTTP
import LogReport
import LogRules

/// `watch --alerts-file FILE`: each transition of `--rules` appended to FILE as one JSON line
/// (the object written on standard output), written through at once so that another process
/// tailing FILE sees it without delay. A failed write is remembered (said on stderr and exit 74
/// at the end); reading goes on, the later transitions are still attempted.
final class AlertsFile {
    let path: String
    private let descriptor: Int32
    private(set) var failure: String?
    private(set) var written = 0

    /// Opens (creating, mode 0644) FILE for appending; throws a message naming the file.
    init(path: String) throws {
        self.path = path
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw AlertsFileError(message: "--alerts-file \(path): cannot open: \(String(cString: strerror(errno)))") }
        descriptor = fd
    }

    deinit { close(descriptor) }

    func append(_ transitions: [AlertTransition]) {
        for t in transitions {
            var line = RulesTestCommand.json(t).rendered(pretty: false) + "\n"
            let error: Int32? = line.withUTF8 { bytes in
                var offset = 0
                while offset < bytes.count {
                    let n = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                    if n < 0 {
                        if errno == EINTR { continue }
                        return errno
                    }
                    if n == 0 { return EIO }
                    offset += n
                }
                return nil
            }
            if let error {
                if failure == nil { failure = "cannot write to --alerts-file \(path): \(String(cString: strerror(error)))" }
            } else {
                written += 1
            }
        }
    }
}

struct AlertsFileError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// `watch --exec PROGRAM [--exec-arg ARG]…`: PROGRAM runs once per transition of `--rules`,
/// started directly with that argv (posix_spawnp: looked up in PATH, never through a shell),
/// the transition's JSON line on its standard input, its standard output and error going to
/// logsift's standard error (standard output carries logsift's own JSON lines).
///
/// - At most `maxRunning` run at once; further transitions wait in a queue of `queueCapacity`,
///   and when it is full the new one is dropped (counted).
/// - A run that lasts longer than `timeout` is killed (SIGKILL to its process group, so what it
///   started goes too) and counted.
/// - `submit` takes a lock, appends and returns: runs happen on their own threads, so a slow
///   program never holds up reading.
final class ExecNotifier: @unchecked Sendable {
    struct Statistics: Equatable {
        var started = 0
        var succeeded = 0
        /// Exited with a non-zero status, killed by a signal, or could not be started.
        var failed = 0
        var timedOut = 0
        var dropped = 0
        /// Transitions waiting for a free run slot.
        var queueLength = 0
        var lastError: String?
    }

    let argv: [String]
    let timeout: Double
    let maxRunning: Int
    let queueCapacity: Int

    private let lock = NSLock()
    private static let spawnLock = NSLock()
    private var queue: [[UInt8]] = []
    private var queueHead = 0
    private var running = 0
    private var stats = Statistics()

    init(argv: [String], timeout: Double, maxRunning: Int, queueCapacity: Int) {
        self.argv = argv
        self.timeout = timeout
        self.maxRunning = maxRunning
        self.queueCapacity = queueCapacity
        // A program that exits without reading its input must not kill logsift (EPIPE instead).
        signal(SIGPIPE, SIG_IGN)
    }

    var statistics: Statistics {
        lock.withLock {
            var s = stats
            s.queueLength = queue.count - queueHead
            return s
        }
    }

    func submit(_ transitions: [AlertTransition]) {
        for t in transitions {
            let payload = Array((RulesTestCommand.json(t).rendered(pretty: false) + "\n").utf8)
            let startNow: Bool = lock.withLock {
                if running < maxRunning {
                    running += 1
                    return true
                }
                if queue.count - queueHead >= queueCapacity {
                    stats.dropped += 1
                    stats.lastError = "queue full (\(queueCapacity) waiting)"
                    return false
                }
                queue.append(payload)
                return false
            }
            if startNow { start(payload) }
        }
    }

    private func start(_ payload: [UInt8]) {
        Thread.detachNewThread { [self] in
            var next: [UInt8]? = payload
            while let current = next {
                let outcome = run(current)
                next = lock.withLock {
                    record(outcome)
                    guard queueHead < queue.count else {
                        running -= 1
                        queue.removeAll(keepingCapacity: true)
                        queueHead = 0
                        return nil
                    }
                    let item = queue[queueHead]
                    queueHead += 1
                    return item
                }
            }
        }
    }

    private enum Outcome { case success, failure(String), timedOut, notStarted(String) }

    private func record(_ outcome: Outcome) {
        switch outcome {
        case .success: stats.started += 1; stats.succeeded += 1
        case .failure(let why): stats.started += 1; stats.failed += 1; stats.lastError = why
        case .timedOut:
            stats.started += 1; stats.timedOut += 1
            stats.lastError = "killed after \(AlertTemplate.number(timeout)) s"
        case .notStarted(let why): stats.failed += 1; stats.lastError = why
        }
    }

    /// Waits until nothing runs or waits, at most `seconds`; then drops what still waits
    /// (counted) and waits for the runs in progress, which end by their timeout. True when
    /// every queued transition was run.
    func finish(seconds: Double) -> Bool {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            if lock.withLock({ running == 0 }) { return true }
            usleep(10_000)
        }
        lock.withLock {
            stats.dropped += queue.count - queueHead
            queue.removeAll()
            queueHead = 0
        }
        while lock.withLock({ running > 0 }) { usleep(10_000) }
        return false
    }

    /// One run: spawn, feed the payload, wait with the deadline.
    private func run(_ payload: [UInt8]) -> Outcome {
        let deadline = Date().addingTimeInterval(timeout)
        var fds: [Int32] = [0, 0]
        // Pipe creation and spawning hold one lock: a program spawned on another thread between
        // pipe() and FD_CLOEXEC would inherit this pipe's write end, and this program would
        // then never see the end of its input.
        Self.spawnLock.lock()
        guard pipe(&fds) == 0 else {
            Self.spawnLock.unlock()
            return .notStarted("pipe: \(String(cString: strerror(errno)))")
        }
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        Self.spawnLock.unlock()
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[0], 0)
        posix_spawn_file_actions_adddup2(&actions, 2, 1)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Its own process group (killed as one on timeout), default SIGPIPE/SIGINT/SIGTERM.
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        sigaddset(&defaults, SIGINT)
        sigaddset(&defaults, SIGTERM)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF))

        let cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { for p in cArgs { free(p) } }
        var pid: pid_t = 0
        Self.spawnLock.lock()
        let spawned = posix_spawnp(&pid, argv[0], &actions, &attributes, cArgs, environ)
        Self.spawnLock.unlock()
        close(fds[0])
        guard spawned == 0 else {
            close(fds[1])
            return .notStarted("cannot run \(argv[0]): \(String(cString: strerror(spawned)))")
        }

        // Feed stdin without blocking past the deadline (a program that does not read).
        _ = fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK)
        var offset = 0
        payload.withUnsafeBytes { bytes in
            while offset < bytes.count && Date() < deadline {
                let n = write(fds[1], bytes.baseAddress! + offset, bytes.count - offset)
                if n > 0 { offset += n; continue }
                if n < 0 && (errno == EAGAIN || errno == EINTR) {
                    var p = pollfd(fd: fds[1], events: Int16(POLLOUT), revents: 0)
                    _ = poll(&p, 1, 50)
                    continue
                }
                break   // EPIPE: it closed its input; its exit status tells the rest
            }
        }
        close(fds[1])

        var status: Int32 = 0
        while true {
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid { break }
            if r < 0 && errno != EINTR { return .failure("waitpid: \(String(cString: strerror(errno)))") }
            if Date() >= deadline {
                kill(-pid, SIGKILL)
                kill(pid, SIGKILL)
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                return .timedOut
            }
            usleep(5_000)
        }
        let signalNumber = status & 0x7f
        if signalNumber != 0 { return .failure("\(argv[0]) killed by signal \(signalNumber)") }
        let code = (status >> 8) & 0xff
        return code == 0 ? .success : .failure("\(argv[0]) exited with status \(code)")
    }
}

extension ExecNotifier {
    /// Says on stderr what did not go well (nothing when every run succeeded).
    func report(finished: Bool) {
        let s = statistics
        guard !finished || s.failed > 0 || s.timedOut > 0 || s.dropped > 0 else { return }
        var text = "exec \(TerminalText.escaped(argv[0])): \(s.started) runs, \(s.succeeded) succeeded, \(s.failed) failed, "
            + "\(s.timedOut) timed out, \(s.dropped) dropped (queue full)"
        if !finished { text += "; the queue was dropped at exit" }
        if let e = s.lastError { text += " (last: \(TerminalText.escaped(e)))" }
        Terminal.warn(text)
    }
}

/// `watch --webhook URL`: firing and resolved transitions (not pending: Alertmanager sends
/// neither) go to the URL with Alertmanager's webhook payload; the notifier queues and sends
/// on its own event loop, so a slow or dead receiver never holds up reading.
final class WebhookForwarder {
    let notifier: WebhookNotifier

    init(endpoint: HTTPEndpoint) {
        notifier = WebhookNotifier(.init(endpoint: endpoint))
    }

    func forward(_ transitions: [AlertTransition]) {
        for t in transitions where t.event == "firing" || t.event == "resolved" {
            var annotations: [String: String] = [:]
            for a in t.annotations { annotations[a.name] = a.value }
            if let v = t.value { annotations["value"] = AlertTemplate.number(v) }
            notifier.send(WebhookAlert(
                status: t.event, labels: AlertmanagerForwarder.labels(t), annotations: annotations,
                startsAt: Date(timeIntervalSince1970: TimeInterval(t.activeAt)),
                endsAt: t.event == "resolved" ? Date(timeIntervalSince1970: TimeInterval(t.time)) : nil))
        }
    }

    /// Waits (at most `seconds`) for what is queued; says on stderr what was not delivered.
    func finish(seconds: Int) {
        let notifier = self.notifier
        let delivered = blocking { await notifier.flush(timeout: .seconds(seconds)) }
        let s = notifier.statistics
        if !delivered || s.failedAttempts > 0 || s.droppedAfterRetries > 0 || s.droppedQueueFull > 0 {
            let dropped = s.droppedAfterRetries + s.droppedQueueFull + s.rejected + (delivered ? 0 : s.queueLength)
            Terminal.warn("webhook \(notifier.configuration.endpoint): \(s.sent) notifications sent, \(s.failedAttempts) failed attempts, "
                + "\(dropped) dropped" + (s.lastError.map { " (last error: \(TerminalText.escaped($0)))" } ?? ""))
        }
        notifier.shutdown()
    }
}
