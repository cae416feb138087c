import ArgumentParser
import Foundation
import LogAggregation
import LogInput
import LogParsing
import LogQuery
import LogReport
import LogHTTP
import LogRules
import LogsiftEngine

struct WatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Follow logs live: rolling windows of requests, 5xx share, latency percentiles and top paths (PostgreSQL and application logs: events, errors, duration percentiles, top statements and error templates).",
        discussion: """
        Reads standard input (`tail -F access.log | logsift watch`) or follows files itself (`--follow`), through rename and copytruncate rotation. Windows are cut on the lines' own times; a stalled input still closes them on the wall clock. When standard output is not a terminal, one JSON object per line is written each time a window closes (every `--every`, default the window width), flushed at once; on a terminal a compact view is redrawn at most once a second. Ctrl-C or SIGTERM closes the open windows, prints them and exits 130 or 143. See docs/watch.md.

        Examples:
          tail -F /var/log/nginx/access.log | logsift watch
          tail -F /var/log/nginx/access.log | logsift watch --rules samples/alerts.yml
          tail -F /var/log/postgresql/postgresql-16-main.log | logsift watch --rules samples/alerts.yml
          tail -F /var/log/postgresql/postgresql-16-main.log | logsift watch --window 5m --every 1m --top 10 > pg-windows.jsonl
          logsift watch --follow access.log --rules alerts.yml --alertmanager http://127.0.0.1:9093
          logsift watch --follow access.log --rules alerts.yml --alerts-file alerts.jsonl
          logsift watch --follow access.log --rules alerts.yml --exec /usr/local/bin/page --exec-arg ops
          logsift watch --follow access.log --rules alerts.yml --webhook http://127.0.0.1:8080/alerts
          logsift watch --follow access.log --listen 127.0.0.1:9145
          logsift watch --follow /var/log/nginx/access.log
          logsift watch --follow access.log --window 5m --every 10s > windows.jsonl
          logsift watch --follow access.log --state /var/lib/logsift/state.json
          logsift watch --from-start --follow access.log --late 2m
        """
    )

    @Option(name: .long, parsing: .upToNextOption, help: "Files to follow (instead of standard input); a file may not exist yet.")
    var follow: [String] = []

    @Flag(name: .long, help: "Read what the followed files already hold (default: start at their end).")
    var fromStart = false

    @Option(name: .long, help: "Keep each followed file's identity and offset in this file (written atomically) and resume there.")
    var state: String?

    @Option(name: .long, parsing: .unconditional, help: "Window width: 30s, 1m, 5m…")
    var window: String = "1m"

    @Option(name: .long, parsing: .unconditional, help: "How often a window closes (a divisor of --window; default: the window width).")
    var every: String?

    @Option(name: .long, parsing: .unconditional, help: "How late (in event time) a line may come and still land in its window; later lines are counted as late.")
    var late: String = "5s"

    @Option(name: .long, parsing: .unconditional, help: "How many top paths, statements (PostgreSQL) and error templates (PostgreSQL, application) each window lists (0-1000).")
    var top: Int = 5

    @Option(name: .long, help: "Alert rule files (YAML, see `logsift rules check`): transitions are written as they happen (JSON lines when piped, in the view on a terminal).")
    var rules: [String] = []

    @Option(name: .long, help: "Append each transition of --rules to this file as one JSON line (the object written on standard output), written through at once.")
    var alertsFile: String?

    @Option(name: .long, help: "Run this program (no shell; looked up in PATH) once per transition of --rules, its JSON line on the program's standard input.")
    var exec: String?

    @Option(name: .long, help: "An argument for --exec's program (repeat for several, in order).")
    var execArg: [String] = []

    @Option(name: .long, parsing: .unconditional, help: "Kill an --exec run that lasts longer than this (default 10s).")
    var execTimeout: String = "10s"

    @Option(name: .long, parsing: .unconditional, help: "At most this many --exec runs at once (1-64, default 4).")
    var execMax: Int = 4

    @Option(name: .long, parsing: .unconditional, help: "Transitions waiting for an --exec run beyond --exec-max (0-100000, default 100); more are dropped and counted.")
    var execQueue: Int = 100

    @Option(name: .long, help: "POST each firing and resolved alert of --rules to this URL (http://host:port/path) with Alertmanager's webhook payload.")
    var webhook: String?

    @Option(name: .long, help: "Send firing and resolved alerts of --rules to this Alertmanager (http://host:9093), as Prometheus does.")
    var alertmanager: String?

    @Option(name: .long, help: "Serve Prometheus metrics at http://HOST:PORT/metrics (e.g. 127.0.0.1:9145); see docs/metrics.md.")
    var listen: String?

    @Option(name: .long, help: "Output: auto (a live view on a terminal, JSON lines otherwise), json, view.")
    var output: Output = .auto

    @Option(name: .long, help: "An nginx log_format string as written in nginx.conf.")
    var nginxFormat: String?

    @Option(name: .long, help: "Read the input in this format instead of detecting it (a name `logsift detect` prints, e.g. nginx-combined).")
    var logFormat: String?

    @Option(name: .long, parsing: .unconditional, help: "The zone of times written without one: local (default), UTC, +0100, Europe/Berlin…")
    var tz: String = "local"

    enum Output: String, ExpressibleByArgument, CaseIterable { case auto, json, view }

    /// `--late` in seconds; zero (`0`, `0s`) is allowed, unlike a window width.
    var lateSeconds: Int64? {
        var digits = Substring(late)
        if let unit = digits.last, "smhd".contains(unit) { digits = digits.dropLast() }
        if !digits.isEmpty, digits.allSatisfy({ $0 == "0" }) { return 0 }
        return Duration.seconds(late)
    }

    func seconds(_ text: String, _ option: String) throws -> Int64 {
        guard let s = Duration.seconds(text), s > 0 else {
            throw ValidationError("\(option) '\(text)': give a duration such as 10s, 1m, 5m or 1h")
        }
        return s
    }

    func validate() throws {
        let width = try seconds(window, "--window")
        if let every {
            let step = try seconds(every, "--every")
            guard step <= width, width % step == 0 else {
                throw ValidationError("--every \(every) must divide --window \(window) (e.g. --window 1m --every 10s)")
            }
            guard width / step <= 1000 else {
                throw ValidationError("--every \(every): at most 1000 closes per window (--window \(window))")
            }
        }
        guard lateSeconds != nil else {
            throw ValidationError("--late '\(late)': give a duration such as 0s, 5s or 1m")
        }
        guard (0...1000).contains(top) else { throw ValidationError("--top \(top): give 0 to 1000") }
        _ = try TimeZoneOption.parse(tz)
        if nginxFormat != nil && logFormat != nil { throw ValidationError("give at most one of --nginx-format and --log-format") }
        if let logFormat, Analyzer.detector(named: logFormat) == nil {
            throw ValidationError("--log-format '\(logFormat)' is not a format logsift knows; one of: \(Analyzer.formatNamesHelp)")
        }
        if Set(follow).count < follow.count {
            throw ValidationError("--follow names a file twice: each file is followed once")
        }
        for path in follow {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                throw ValidationError("--follow \(path): is a directory; name the log files inside it")
            }
        }
        if rules.isEmpty && (alertsFile != nil || exec != nil || webhook != nil) {
            throw ValidationError("--alerts-file, --exec and --webhook apply to --rules FILE")
        }
        if exec == nil && !execArg.isEmpty { throw ValidationError("--exec-arg needs --exec PROGRAM") }
        if exec?.isEmpty == true { throw ValidationError("--exec: give a program (a path, or a name found in PATH)") }
        _ = try seconds(execTimeout, "--exec-timeout")
        guard (1...64).contains(execMax) else { throw ValidationError("--exec-max \(execMax): give 1 to 64") }
        guard (0...100_000).contains(execQueue) else { throw ValidationError("--exec-queue \(execQueue): give 0 to 100000") }
        if follow.isEmpty && (state != nil || fromStart) {
            throw ValidationError("--state and --from-start apply to --follow FILE…")
        }
    }

    func run() throws {
        Interruption.install()
        let width = try seconds(window, "--window")
        var windows = WindowConfiguration(windowSeconds: width, paneSeconds: try every.map { try seconds($0, "--every") } ?? width,
                                          lateSeconds: lateSeconds ?? 0)
        windows.pathCapacity = 1000
        var format: LogFormat? = nil
        if let nginxFormat {
            let custom = NginxFormat(name: "nginx-custom", logFormat: nginxFormat)
            do { format = .access(name: custom.name, pattern: try custom.compile()) } catch {
                throw ValidationError("--nginx-format: \(error)")
            }
        }
        if let logFormat, let detector = Analyzer.detector(named: logFormat) {
            format = detector.candidates.first
        }

        let clock = SystemFollowClock()
        let fileSystem = SystemFollowFileSystem()
        let saved = try state.flatMap { path -> FollowState? in
            do { return try FollowState.load(path) } catch { throw ValidationError("--state: \(error)") }
        }
        var followers: [FileFollower] = []
        var feeds: [LineFeed] = []
        if follow.isEmpty {
            guard isatty(0) == 0 else {
                throw ValidationError("pipe a log in (`tail -F access.log | logsift watch`) or name files with --follow")
            }
            feeds = [StreamFeed(descriptor: 0, name: "<stdin>")]
        } else {
            for path in follow {
                let follower = FileFollower(path: path, fileSystem: fileSystem, startAtEnd: !fromStart,
                                            resume: saved?.entry(for: path))
                followers.append(follower)
                feeds.append(follower)
            }
        }

        let live = output == .view || (output == .auto && isatty(1) == 1)
        let sink: WindowSink = live ? LiveView(top: top) : JSONLinesSink(top: top)
        var observers: [WatchObserver] = [sink]
        var forwarder: AlertmanagerForwarder?
        if let alertmanager {
            switch HTTPEndpoint.parse(alertmanager) {
            case .success(let endpoint): forwarder = AlertmanagerForwarder(endpoint: endpoint, source: follow.first ?? "<stdin>")
            case .failure(let error): throw ValidationError("--alertmanager \(TerminalText.escaped(alertmanager)): \(error)")
            }
        }
        var alertsFileWriter: AlertsFile?
        if let alertsFile {
            do { alertsFileWriter = try AlertsFile(path: alertsFile) } catch {
                Terminal.warn("\(error)")
                throw ExitCode(ExitStatus.writeFailed)
            }
        }
        var execNotifier: ExecNotifier?
        if let exec {
            execNotifier = ExecNotifier(argv: [exec] + execArg, timeout: Double(try seconds(execTimeout, "--exec-timeout")),
                                        maxRunning: execMax, queueCapacity: execQueue)
        }
        var webhookForwarder: WebhookForwarder?
        if let webhook {
            switch HTTPEndpoint.parse(webhook) {
            case .success(let endpoint): webhookForwarder = WebhookForwarder(endpoint: endpoint)
            case .failure(let error): throw ValidationError("--webhook \(TerminalText.escaped(webhook)): \(error)")
            }
        }
        var ruleObserver: RuleObserver?
        var loadedRules: [AlertRule] = []
        if !rules.isEmpty {
            let loaded = try RulesCommand.load(rules)
            loadedRules = loaded
            let observer = RuleObserver(rules: loaded) { transitions in
                sink.alerts(transitions)
                forwarder?.forward(transitions)
                alertsFileWriter?.append(transitions)
                execNotifier?.submit(transitions)
                webhookForwarder?.forward(transitions)
            }
            observers.append(observer)
            ruleObserver = observer
        }
        var metrics: MetricsObserver?
        var server: MetricsServer?
        if let listen {
            let address: ListenAddress
            switch ListenAddress.parse(listen) {
            case .success(let a): address = a
            case .failure(let error): throw ValidationError("--listen: \(error)")
            }
            let observer = MetricsObserver(source: follow.first ?? "<stdin>")
            observer.rules = ruleObserver
            observer.forwarder = forwarder
            observer.webhook = webhookForwarder
            observer.exec = execNotifier
            do { server = try startMetricsServer(address, registry: observer.registry) } catch {
                Terminal.warn("--listen \(TerminalText.escaped(listen)): cannot serve there: \(error)")
                throw ExitCode(ExitStatus.inputFailed)
            }
            observers.append(observer)
            metrics = observer
        }
        let engine = WatchEngine(format: format, zone: try TimeZoneOption.parse(tz), windows: windows, observers: observers)
        engine.rules = loadedRules
        sink.engine = engine
        metrics?.engine = engine
        metrics?.feeds = feeds
        sink.followers = followers
        var lastSaved: Int64 = 0
        var savedState: FollowState? = nil
        var stateFailure: Error? = nil
        func saveState() {
            guard let state, stateFailure == nil else { return }
            let current = FollowState(files: followers.compactMap(\.stateEntry))
            guard current != savedState else { return }  // nothing moved: no write, no fsync
            do { try current.save(state); savedState = current } catch { stateFailure = error }
        }
        let loop = WatchLoop(feeds: feeds, engine: engine, clock: clock) { now in
            sink.afterTurn(nowMilliseconds: now)
            metrics?.tick(nowMilliseconds: now)
            // State every second at most: a restart re-reads at most that much.
            if now - lastSaved >= 1000 { saveState(); lastSaved = now }
        }
        loop.run()
        saveState()
        sink.finish()
        forwarder?.finish(seconds: 30)
        webhookForwarder?.finish(seconds: 30)
        if let execNotifier { execNotifier.report(finished: execNotifier.finish(seconds: 30)) }
        if let server { stopMetricsServer(server) }
        if let failure = sink.writeFailure {
            Terminal.warn("cannot write to standard output: \(failure)")
            throw ExitCode(ExitStatus.writeFailed)
        }
        if let failure = alertsFileWriter?.failure {
            Terminal.warn(failure)
            throw ExitCode(ExitStatus.writeFailed)
        }
        if let stateFailure { Terminal.warn("\(stateFailure)"); throw ExitCode(ExitStatus.inputFailed) }
        if let failure = engine.failure {
            Terminal.warn("\(feeds.first?.name ?? "input"): \(failure)")
            throw ExitCode(ExitStatus.nothingRecognised)
        }
        if let stream = feeds.first as? StreamFeed, let error = stream.error {
            Terminal.warn(error)
            throw ExitCode(ExitStatus.inputFailed)
        }
        if let signal = Interruption.signal { throw ExitCode(128 + signal) }
    }
}

/// Where closed windows go: JSON lines or the live view. Also the engine's observer.
class WindowSink: WatchObserver {
    let top: Int
    weak var engine: WatchEngine?
    var followers: [FileFollower] = []
    var writeFailure: String?

    init(top: Int) { self.top = top }

    func bind(source: String, schema: FieldSchema) {}
    func event<Event: FieldValues>(_ event: Event, time: Int64) {}
    func windowClosed(_ window: WindowSummary) {}
    func afterTurn(nowMilliseconds: Int64) {}
    func finish() {}
    /// Alert transitions of `--rules`, as they happen.
    func alerts(_ transitions: [AlertTransition]) {}

    func write(_ text: String) {
        guard writeFailure == nil else { return }
        var text = text
        let failure = text.withUTF8 { StandardOutput.writeAll(UnsafeRawBufferPointer($0)) }
        if let failure {
            writeFailure = failure == 0 ? "nothing written" : String(cString: strerror(failure))
            Interruption.request(SIGPIPE)  // stop reading: nothing more can be shown
        }
    }

    /// The window as one JSON object (see docs/watch.md).
    func json(_ w: WindowSummary) -> JSONValue {
        let t = w.totals
        func quantile(_ q: Double) -> JSONValue { .optional(t.latency.quantile(q)) }
        if let family = engine?.family, family != .access { return familyJSON(w, family: family) }
        var fields: [(String, JSONValue)] = [
            ("start", .string(TimeText.iso8601(w.start))),
            ("end", .string(TimeText.iso8601(w.end))),
            ("requests", .number(t.requests)),
            ("status_5xx", .number(t.serverErrors)),
            ("share_5xx", .optional(w.serverErrorShare)),
            ("request_time", .object([("p50", quantile(0.5)), ("p95", quantile(0.95)), ("p99", quantile(0.99))])),
            ("top_paths", .array(t.paths.top(top).map { .object([("path", .string($0.key)), ("requests", .number($0.count))]) })),
            ("unmatched", .number(t.unmatched)),
            ("late", .number(t.late)),
        ]
        if w.skippedEmptyWindows > 0 { fields.append(("skipped_empty_windows", .number(w.skippedEmptyWindows))) }
        if !followers.isEmpty {
            fields.append(("rotations", .number(followers.reduce(0) { $0 + $1.rotations })))
            fields.append(("truncations", .number(followers.reduce(0) { $0 + $1.truncations })))
        }
        return .object(fields)
    }
}

/// One JSON object per closed window, one per line, written at once; alert transitions as
/// `{"alert": …}` lines between them (the form of `rules test --format json`).
final class JSONLinesSink: WindowSink {
    override func windowClosed(_ window: WindowSummary) {
        write(json(window).rendered(pretty: false) + "\n")
    }

    override func alerts(_ transitions: [AlertTransition]) {
        write(transitions.map { RulesTestCommand.json($0).rendered(pretty: false) + "\n" }.joined())
    }
}

/// The terminal view: the last closed window and the lines read so far, redrawn at most once a
/// second. Every text from a log goes through `TerminalText.escaped`.
final class LiveView: WindowSink {
    var last: WindowSummary?
    var drawnAt: Int64 = 0
    var dirty = true

    /// The latest transition of each alert (rule and labels), newest last, at most 20.
    var alertLines: [(key: String, line: String)] = []

    override func windowClosed(_ window: WindowSummary) {
        last = window
        dirty = true
    }

    override func alerts(_ transitions: [AlertTransition]) {
        for t in transitions {
            let key = t.rule + "\u{0}" + t.labels.map { $0.name + "=" + $0.value }.joined(separator: ",")
            alertLines.removeAll { $0.key == key }
            let labels = t.labels.filter { $0.name != "alertname" }.map { "\($0.name)=\($0.value)" }.joined(separator: " ")
            let value = t.value.map(AlertTemplate.number) ?? "-"
            alertLines.append((key, "\(TimeText.iso8601(t.time)) \(t.event) \(t.rule) \(labels) value \(value)"))
        }
        if alertLines.count > 20 { alertLines.removeFirst(alertLines.count - 20) }
        dirty = true
    }

    override func afterTurn(nowMilliseconds: Int64) {
        guard nowMilliseconds - drawnAt >= 1000 else { return }
        drawnAt = nowMilliseconds
        draw()
    }

    override func finish() {
        draw()
    }

    func draw() {
        var text = "\u{1b}[H\u{1b}[2J"
        let format = engine?.formatName.map(TerminalText.escaped) ?? "detecting…"
        text += "logsift watch · \(format) · lines \(engine?.linesRead ?? 0) · unmatched \(engine?.unmatched ?? 0) · late \(engine?.late ?? 0)\n"
        if !followers.isEmpty {
            text += "rotations \(followers.reduce(0) { $0 + $1.rotations }) · truncations \(followers.reduce(0) { $0 + $1.truncations })\n"
        }
        guard let w = last else {
            write(text + "waiting for the first window to close…\n")
            return
        }
        if let family = engine?.family, family != .access {
            text += "\(TimeText.iso8601(w.start)) – \(TimeText.iso8601(w.end))\n" + familyView(w, family: family, width: Terminal.width())
            if !alertLines.isEmpty {
                text += "alerts:\n"
                for a in alertLines { text += "  \(TerminalText.escaped(a.line))\n" }
            }
            write(text)
            return
        }
        let t = w.totals
        let seconds = Double(max(1, w.end - w.start))
        func ms(_ q: Double) -> String { t.latency.quantile(q).map { String(format: "%.0f ms", $0 * 1000) } ?? "-" }
        text += "\(TimeText.iso8601(w.start)) – \(TimeText.iso8601(w.end))\n"
        let rate = String(format: "%.1f", Double(t.requests) / seconds)
        let share = String(format: "%.2f", (w.serverErrorShare ?? 0) * 100)
        text += "requests \(t.requests) (\(rate)/s) · 5xx \(share)% · p50 \(ms(0.5)) · p95 \(ms(0.95)) · p99 \(ms(0.99))\n"
        for (path, count) in t.paths.top(top) {
            text += "  \(String(count).padding(toLength: 8, withPad: " ", startingAt: 0)) \(TerminalText.escaped(path))\n"
        }
        if !alertLines.isEmpty {
            text += "alerts:\n"
            for a in alertLines { text += "  \(TerminalText.escaped(a.line))\n" }
        }
        write(text)
    }
}
