import Foundation
@testable import LogHTTP
import LogsiftTestSupport
import NIOCore
import NIOHTTP1
import Testing

/// A loopback receiver that records each POST and answers with the next status of a script
/// (then 200): a stand-in Alertmanager whose failures the test chooses.
final class RecordingReceiver: @unchecked Sendable {
    struct Post {
        var path: String
        var body: [UInt8]
        var at: Date
    }

    private let lock = NSLock()
    private var script: [Int]
    private var recorded: [Post] = []
    private(set) var server: HTTPServer!

    init(statuses: [Int] = []) {
        script = statuses
    }

    func start() async throws {
        server = try await HTTPServer.start(host: "127.0.0.1", port: 0) { [self] request in
            lock.lock()
            defer { lock.unlock() }
            recorded.append(Post(path: request.path, body: request.body, at: Date()))
            let status = script.isEmpty ? 200 : script.removeFirst()
            return HTTPServerResponse(status: HTTPResponseStatus(statusCode: status), text: "")
        }
    }

    var posts: [Post] {
        lock.lock()
        defer { lock.unlock() }
        return recorded
    }

    var endpoint: HTTPEndpoint { HTTPEndpoint(host: "127.0.0.1", port: server.port) }

    /// The alerts of one POST, decoded with JSONSerialization.
    static func alerts(_ post: Post) throws -> [[String: Any]] {
        try JSONSerialization.jsonObject(with: Data(post.body)) as? [[String: Any]] ?? []
    }
}

/// A TCP port that accepts connections (the kernel's backlog) and never answers.
final class SilentListener {
    let fd: Int32
    let port: Int
    init() {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketFD, $0, length) } }
        listen(socketFD, 16)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socketFD, $0, &length) }
        }
        fd = socketFD
        port = Int(UInt16(bigEndian: address.sin_port))
    }
    deinit { close(fd) }
}

@Suite struct AlertmanagerNotifierTests {
    static let iso = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    static func alert(_ name: String = "HighErrorRate", startsAt: Date = Date(timeIntervalSince1970: 1_764_633_600.25)) -> Alert {
        Alert(labels: ["alertname": name, "severity": "warning", "source": "access.log"],
              annotations: ["summary": "5xx at 7.5% on \"web-1\"\nsee runbook", "description": "é ✓"],
              startsAt: startsAt, generatorURL: "http://host:9145/rules#\(name)")
    }

    static func fast(_ endpoint: HTTPEndpoint) -> AlertmanagerNotifier.Configuration {
        var configuration = AlertmanagerNotifier.Configuration(endpoint: endpoint)
        configuration.timeout = .seconds(2)
        configuration.initialBackoff = .milliseconds(100)
        configuration.maxBackoff = .seconds(1)
        configuration.tickInterval = .milliseconds(50)
        // No re-send while a test runs, however long a busy machine makes it (tests of re-sends
        // set their own interval).
        configuration.resendInterval = .seconds(3600)
        return configuration
    }

    @Test func bodyIsAlertmanagersPostableAlertArray() throws {
        var resolved = Self.alert()
        resolved.endsAt = Date(timeIntervalSince1970: 1_764_634_200.5)
        let json = try JSONSerialization.jsonObject(with: Data(AlertmanagerJSON.encode([Self.alert(), resolved]))) as? [[String: Any]]
        let objects = try #require(json)
        #expect(objects.count == 2)
        #expect(Set(objects[0].keys) == ["labels", "annotations", "startsAt", "generatorURL"])
        #expect(Set(objects[1].keys) == ["labels", "annotations", "startsAt", "endsAt", "generatorURL"])
        #expect(objects[0]["labels"] as? [String: String] == Self.alert().labels)
        #expect(objects[0]["annotations"] as? [String: String] == Self.alert().annotations)
        // 1_764_633_600 s is 2025-12-02T00:00:00Z (86400 × 20424 days since 1970-01-01).
        #expect(objects[0]["startsAt"] as? String == "2025-12-02T00:00:00.250Z")
        #expect(objects[1]["endsAt"] as? String == "2025-12-02T00:10:00.500Z")
    }

    @Test func endpointsParse() throws {
        #expect(try HTTPEndpoint.parse("http://127.0.0.1:9093").get() == HTTPEndpoint(host: "127.0.0.1", port: 9093))
        #expect(try HTTPEndpoint.parse("http://am.internal/alertmanager/").get()
                == HTTPEndpoint(host: "am.internal", port: 80, pathPrefix: "/alertmanager"))
        #expect(try HTTPEndpoint.parse("http://[::1]:9093").get() == HTTPEndpoint(host: "::1", port: 9093))
        for bad in ["https://am:9093", "am:9093", "http://:9093", "http://am:0", "http://am:x", "http://[::1"] {
            if case .success = HTTPEndpoint.parse(bad) { Issue.record("\(bad) accepted") }
        }
    }

    @Test func backoffDoublesUpToTheCap() {
        var configuration = AlertmanagerNotifier.Configuration(endpoint: HTTPEndpoint(host: "127.0.0.1", port: 1))
        configuration.initialBackoff = .milliseconds(500)
        configuration.maxBackoff = .seconds(3)
        let notifier = AlertmanagerNotifier(configuration)
        defer { notifier.shutdown() }
        let delays: [TimeAmount] = (1...6).map { notifier.backoff(afterAttempt: $0) }
        let expected: [TimeAmount] = [.milliseconds(500), .seconds(1), .seconds(2), .seconds(3), .seconds(3), .seconds(3)]
        #expect(delays == expected)
    }

    /// Two 503 answers, then 200: the same body three times, spaced by the backoff (100 ms, then
    /// 200 ms), counted as two failed attempts and one alert sent.
    @Test func retriesWithBackoffUntilAccepted() async throws {
        let receiver = RecordingReceiver(statuses: [503, 503])
        try await receiver.start()
        let notifier = AlertmanagerNotifier(Self.fast(receiver.endpoint))
        notifier.fire(Self.alert())
        #expect(await notifier.flush(timeout: .seconds(60)))
        let posts = receiver.posts
        #expect(posts.count == 3)
        #expect(posts.allSatisfy { $0.path == "/api/v2/alerts" })
        if posts.count == 3 {
            #expect(posts[0].body == posts[1].body && posts[1].body == posts[2].body)
            #expect(posts[1].at.timeIntervalSince(posts[0].at) >= 0.1)
            #expect(posts[2].at.timeIntervalSince(posts[1].at) >= 0.2)
        }
        let statistics = notifier.statistics
        #expect(statistics.sent == 1 && statistics.failedAttempts == 2 && statistics.droppedAfterRetries == 0)
        #expect(statistics.lastError == "Alertmanager answered 503")
        notifier.shutdown()
        await receiver.server.shutdown()
    }

    /// A new alert fired while a failed batch waits for its backoff does not cut the wait short:
    /// the second POST comes at least the backoff (here 1 s) after the failed one.
    @Test func aNewAlertDoesNotCutTheBackoffShort() async throws {
        let receiver = RecordingReceiver(statuses: [503])
        try await receiver.start()
        var configuration = Self.fast(receiver.endpoint)
        configuration.initialBackoff = .seconds(1)
        let notifier = AlertmanagerNotifier(configuration)
        notifier.fire(Self.alert("First"))
        // Wait for the failed POST, then fire another alert during the backoff.
        _ = await ExternalServices.eventually(timeout: 30, interval: .milliseconds(10)) { !receiver.posts.isEmpty }
        notifier.fire(Self.alert("Second"))
        #expect(await notifier.flush(timeout: .seconds(60)))
        let posts = receiver.posts
        #expect(posts.count >= 2)
        if posts.count >= 2 {
            #expect(posts[1].at.timeIntervalSince(posts[0].at) >= 1.0, "retry after \(posts[1].at.timeIntervalSince(posts[0].at)) s")
        }
        #expect(notifier.statistics.sent == 2)
        notifier.shutdown()
        await receiver.server.shutdown()
    }

    /// A 400 is not retried: one POST, the alert counted as rejected.
    @Test func clientErrorsAreNotRetried() async throws {
        let receiver = RecordingReceiver(statuses: [400])
        try await receiver.start()
        let notifier = AlertmanagerNotifier(Self.fast(receiver.endpoint))
        notifier.fire(Self.alert())
        #expect(await notifier.flush(timeout: .seconds(60)))
        #expect(receiver.posts.count == 1)
        #expect(notifier.statistics.rejected == 1 && notifier.statistics.sent == 0)
        notifier.shutdown()
        await receiver.server.shutdown()
    }

    /// While firing, the alert goes out again every resend interval with `endsAt` four intervals
    /// ahead; once resolved, it goes out with the given `endsAt`, and is re-sent until the
    /// retention is over. Checked on the receiver's clock (the NIO side), with only lower bounds
    /// on gaps, so a busy machine (the whole suite in parallel) does not make it fail.
    @Test func resendsWhileFiringAndSendsResolution() async throws {
        let receiver = RecordingReceiver()
        try await receiver.start()
        var configuration = Self.fast(receiver.endpoint)
        configuration.resendInterval = .milliseconds(300)
        configuration.resolvedRetention = .milliseconds(800)
        configuration.maxBatchSize = 1   // one alert per post: posts classify by their endsAt
        let notifier = AlertmanagerNotifier(configuration)
        let alert = Self.alert()
        notifier.fire(alert)
        notifier.fire(alert)   // the same alert again: not sent twice
        let end = Date(timeIntervalSince1970: 1_764_637_200)
        let endText = "2025-12-02T01:00:00.000Z"
        func endsAt(_ post: RecordingReceiver.Post) throws -> String? {
            try RecordingReceiver.alerts(post).first?["endsAt"] as? String
        }
        // Wait for three firing posts (at most 60 s).
        for _ in 0..<600 where receiver.posts.count < 3 { try await Task.sleep(for: .milliseconds(100)) }
        notifier.resolve(labels: alert.labels, at: end)
        notifier.resolve(labels: ["alertname": "NeverFired"])   // not firing: nothing sent
        let resolvedAt = Date()
        // Wait until the retention is surely over, then a while more: no post after that.
        while Date().timeIntervalSince(resolvedAt) < 2 { try await Task.sleep(for: .milliseconds(100)) }
        let settled = receiver.posts
        try await Task.sleep(for: .milliseconds(700))
        let posts = receiver.posts
        #expect(posts.count == settled.count, "posts after the retention ended")

        let firing = try posts.filter { try endsAt($0) != endText }
        let resolved = try posts.filter { try endsAt($0) == endText }
        #expect(firing.count >= 3)
        // The k-th re-send comes k intervals after the first send: measured on arrival, so one
        // post delayed in transit (a loaded machine) may shorten a gap, never the run of them.
        for (k, post) in firing.enumerated() {
            #expect(post.at.timeIntervalSince(firing[0].at) >= Double(k) * 0.3 - 0.15, "re-sent before the interval")
        }
        for post in firing {
            let sent = try #require(try RecordingReceiver.alerts(post).first)
            #expect(sent["labels"] as? [String: String] == alert.labels)
            let ends = try Self.iso.parse(try #require(sent["endsAt"] as? String))
            let ahead = ends.timeIntervalSince(post.at)
            #expect(ahead > 0 && ahead <= 1.21, "endsAt \(ahead) s after sending, expected at most 4 × 0.3 s")
        }
        // At resolution, then every 300 ms while the 800 ms retention lasts: 2 or 3 posts (3
        // when the ticks come on time), all after the last firing one.
        #expect((2...3).contains(resolved.count), "\(resolved.count) resolved posts")
        if let lastFiring = firing.last, let firstResolved = resolved.first {
            #expect(firstResolved.at >= lastFiring.at)
        }
        for (k, post) in resolved.enumerated() {
            #expect(post.at.timeIntervalSince(resolved[0].at) >= Double(k) * 0.3 - 0.15)
        }
        #expect(notifier.statistics.firing == 0)
        notifier.shutdown()
        await receiver.server.shutdown()
    }

    /// Nothing listens: `fire` returns at once, every attempt fails, then the alert is dropped
    /// and counted.
    @Test func deadReceiverNeverBlocksAndIsCounted() async throws {
        let port = ExternalServices.freePort()   // released: connections are refused
        let notifier = AlertmanagerNotifier(Self.fast(HTTPEndpoint(host: "127.0.0.1", port: port)))
        let clock = ContinuousClock()
        let took = clock.measure { notifier.fire(Self.alert()) }
        #expect(took < .milliseconds(500), "fire waited \(took); a request alone may take 2 s")
        #expect(await notifier.flush(timeout: .seconds(60)))
        let statistics = notifier.statistics
        #expect(statistics.failedAttempts == 3 && statistics.droppedAfterRetries == 1 && statistics.sent == 0)
        #expect(statistics.lastError != nil)
        notifier.shutdown()
    }

    /// A receiver that accepts and never answers: each attempt ends at the timeout.
    @Test func silentReceiverTimesOut() async throws {
        let listener = SilentListener()
        var configuration = Self.fast(HTTPEndpoint(host: "127.0.0.1", port: listener.port))
        configuration.timeout = .milliseconds(300)
        configuration.maxAttempts = 2
        let notifier = AlertmanagerNotifier(configuration)
        let start = Date()
        notifier.fire(Self.alert())
        #expect(await notifier.flush(timeout: .seconds(60)))
        let elapsed = Date().timeIntervalSince(start)
        #expect(elapsed >= 0.7, "two timeouts of 0.3 s and a backoff of 0.1 s, took \(elapsed)")
        #expect(notifier.statistics.failedAttempts == 2 && notifier.statistics.droppedAfterRetries == 1)
        #expect(notifier.statistics.lastError == "timedOut")
        notifier.shutdown()
        withExtendedLifetime(listener) {}
    }

    /// A queue of 5 with one alert in its retry slot: of 20 alerts fired while the receiver is
    /// down, 14 or 15 are dropped (15 when none had left the queue yet), and dropped + waiting = 20.
    @Test func queueIsBoundedAndDropsAreCounted() async throws {
        let port = ExternalServices.freePort()
        var configuration = Self.fast(HTTPEndpoint(host: "127.0.0.1", port: port))
        configuration.queueCapacity = 5
        configuration.maxBatchSize = 1
        configuration.initialBackoff = .seconds(30)   // the first alert sits in its retry slot,
        configuration.maxAttempts = 1000              // for good
        let notifier = AlertmanagerNotifier(configuration)
        for i in 0..<20 { notifier.fire(Self.alert("Alert\(i)")) }
        try await Task.sleep(for: .milliseconds(300))
        let statistics = notifier.statistics
        #expect((14...15).contains(statistics.droppedQueueFull), "\(statistics)")
        #expect(statistics.droppedQueueFull + statistics.queueLength == 20, "\(statistics)")
        #expect(statistics.firing == 20)
        let families = statistics.metricFamilies(notifier: "alertmanager")
        #expect(families.map(\.name).contains("logsift_notifications_dropped_total"))
        notifier.shutdown()
    }
}
