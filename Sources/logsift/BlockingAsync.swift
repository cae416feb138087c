import Dispatch

/// Runs `body` (an async call of the SwiftNIO parts: flushing a notifier, starting or stopping
/// the /metrics server) from the synchronous command and waits for its result. Called from the
/// main thread, never from a concurrency task, so the wait cannot starve the task it waits for.
func blocking<T: Sendable>(_ body: @escaping @Sendable () async -> T) -> T {
    let slot = BlockingSlot<T>()
    let done = DispatchSemaphore(value: 0)
    Task {
        slot.value = await body()
        done.signal()
    }
    done.wait()
    return slot.value!
}

/// Where `blocking` keeps the result: written by the task before it signals, read after the wait.
final class BlockingSlot<T>: @unchecked Sendable {
    var value: T?
}
