import LogMetrics
import NIOConcurrencyHelpers
import NIOCore

/// What a notifier's deliveries did since start; `counts(notifier:)` gives its
/// `logsift_notifications_*` metrics (docs/metrics.md).
public struct DeliveryStatistics: Sendable, Equatable {
    /// Items (alerts, notifications) in requests answered 2xx.
    public var sent = 0
    /// Requests that failed (each attempt counts).
    public var failedAttempts = 0
    /// Items dropped because the queue was full (the oldest goes).
    public var droppedQueueFull = 0
    /// Items dropped after `maxAttempts` failed requests.
    public var droppedAfterRetries = 0
    /// Items answered 4xx (not retried).
    public var rejected = 0
    /// Items waiting: queued, or in a request being sent or retried.
    public var queueLength = 0
    /// The last failure, for a status line.
    public var lastError: String?

    public init() {}

    /// The counters under the `notifier` label `notifier`.
    public func counts(notifier: String) -> NotifierCounts {
        NotifierCounts(notifier: notifier, sent: sent, failed: failedAttempts, dropped: [
            .init("queue_full", droppedQueueFull), .init("retries_exhausted", droppedAfterRetries), .init("rejected", rejected),
        ], queueLength: queueLength)
    }
}

/// The delivery half of the HTTP notifiers (Alertmanager, webhook): a bounded queue of items
/// POSTed one request at a time on a NIO event loop, with retries.
///
/// - `append` never blocks beyond a lock: a full queue drops its oldest item (counted).
/// - A request takes up to `maxBatchSize` items, encoded into one body.
/// - A failed request (refused, timeout, 5xx) is retried after `initialBackoff`, doubling up to
///   `maxBackoff`, `maxAttempts` times in all; then its items are dropped (counted). Items
///   appended during a backoff wait for it: they never cut it short. A 4xx answer is counted
///   as rejected and not retried.
final class PostQueue<Item: Sendable>: Sendable {
    struct Policy: Sendable {
        var endpoint: HTTPEndpoint
        /// Appended to the endpoint's path prefix.
        var path: String
        var timeout: TimeAmount
        var capacity: Int
        var maxBatchSize: Int
        var maxAttempts: Int
        var initialBackoff: TimeAmount
        var maxBackoff: TimeAmount
        /// The receiver as failures name it: "Alertmanager", "the webhook".
        var receiver: String
    }

    private struct State {
        var queue = CircularBuffer<Item>()
        /// The batch being sent, or waiting for its retry.
        var batch: [Item] = []
        var inFlight = false
        var attempt = 0
        /// While a failed batch waits for its backoff, nothing is sent before this.
        var retryNotBefore: NIODeadline?
        var statistics = DeliveryStatistics()
        var stopped = false

        mutating func updateLength() { statistics.queueLength = queue.count + batch.count }
    }

    let policy: Policy
    private let eventLoop: EventLoop
    private let encode: @Sendable ([Item]) -> [UInt8]
    private let state = NIOLockedValueBox(State())

    init(_ policy: Policy, on eventLoop: EventLoop, encode: @escaping @Sendable ([Item]) -> [UInt8]) {
        self.policy = policy
        self.eventLoop = eventLoop
        self.encode = encode
    }

    /// Queues an item; call `kick()` afterwards (outside any lock of the caller's) to send.
    func append(_ item: Item) {
        state.withLockedValue { state in
            guard !state.stopped else { return }
            if state.queue.count >= policy.capacity {
                state.queue.removeFirst()
                state.statistics.droppedQueueFull += 1
            }
            state.queue.append(item)
            state.updateLength()
        }
    }

    /// Starts a request if none is in flight or waiting for its backoff.
    func kick() {
        eventLoop.execute { [weak self] in self?.sendNext() }
    }

    var statistics: DeliveryStatistics { state.withLockedValue { $0.statistics } }

    var isIdle: Bool { state.withLockedValue { $0.queue.isEmpty && $0.batch.isEmpty && !$0.inFlight } }

    /// Waits until nothing is queued or in flight, or `timeout` passed; true when drained.
    func flush(timeout: Duration) async -> Bool {
        let clock = ContinuousClock()
        let end = clock.now.advanced(by: timeout)
        while clock.now < end {
            if isIdle { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return isIdle   // a late wake-up (a busy machine) still sees the final state
    }

    /// Stops sending; what is still queued is dropped.
    func stop() {
        state.withLockedValue { state in
            state.stopped = true
            state.queue.removeAll()
            state.batch.removeAll()
            state.updateLength()
        }
    }

    /// `initialBackoff` × 2^(attempt − 1), at most `maxBackoff`.
    func backoff(afterAttempt attempt: Int) -> TimeAmount {
        let cap = policy.maxBackoff.nanoseconds
        var delay = policy.initialBackoff.nanoseconds
        for _ in 1..<max(attempt, 1) {
            delay = delay > cap / 2 ? cap : delay * 2
        }
        return .nanoseconds(min(delay, cap))
    }

    private func sendNext() {
        let batch: [Item]? = state.withLockedValue { state in
            guard !state.stopped, !state.inFlight else { return nil }
            if let notBefore = state.retryNotBefore {
                guard NIODeadline.now() >= notBefore else { return nil }  // the scheduled retry sends it
                state.retryNotBefore = nil
            }
            if state.batch.isEmpty {
                while state.batch.count < policy.maxBatchSize, let item = state.queue.popFirst() {
                    state.batch.append(item)
                }
            }
            guard !state.batch.isEmpty else { return nil }
            state.inFlight = true
            return state.batch
        }
        guard let batch else { return }
        HTTPPost.post(to: policy.endpoint, path: policy.path, contentType: "application/json",
                      body: encode(batch), timeout: policy.timeout, on: eventLoop)
            .whenComplete { [weak self] result in self?.finished(batchOf: batch.count, result) }
    }

    private func finished(batchOf count: Int, _ result: Result<Int, Error>) {
        var retryAfter: TimeAmount?
        state.withLockedValue { state in
            state.inFlight = false
            var failure: String?
            switch result {
            case .success(let status) where (200..<300).contains(status):
                state.statistics.sent += count
                state.batch = []
                state.attempt = 0
            case .success(let status) where (400..<500).contains(status):
                state.statistics.failedAttempts += 1
                state.statistics.rejected += count
                state.statistics.lastError = "\(policy.receiver) answered \(status) (rejected, not retried)"
                state.batch = []
                state.attempt = 0
            case .success(let status):
                failure = "\(policy.receiver) answered \(status)"
            case .failure(let error):
                failure = "\(error)"
            }
            if let failure {
                state.statistics.failedAttempts += 1
                state.statistics.lastError = failure
                state.attempt += 1
                if state.attempt >= policy.maxAttempts {
                    state.statistics.droppedAfterRetries += count
                    state.batch = []
                    state.attempt = 0
                } else {
                    let wait = backoff(afterAttempt: state.attempt)
                    retryAfter = wait
                    state.retryNotBefore = NIODeadline.now() + wait
                }
            }
            state.updateLength()
        }
        if let retryAfter {
            eventLoop.scheduleTask(in: retryAfter) { [weak self] in self?.sendNext() }
        } else {
            sendNext()
        }
    }
}
