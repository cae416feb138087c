import Foundation

/// Reads another source on a thread of its own, a few chunks ahead of the consumer, so that
/// inflating a gzip file and parsing its lines run on two cores.
///
/// The consumer gets the same bytes in the same order, and the upstream error (if any) after
/// the last byte read before it. Memory is bounded: `chunkCount` chunks of `chunkSize` bytes.
public final class ReadAheadSource: ByteSource {
    /// State shared with the producer thread; the source's `deinit` cancels it.
    final class Shared: @unchecked Sendable {
        let condition = NSCondition()
        var free: [Int]
        var filled: [(index: Int, count: Int)] = []
        var finished = false
        var cancelled = false
        var error: InputError?
        let chunks: [UnsafeMutableRawBufferPointer]

        init(chunkCount: Int, chunkSize: Int) {
            chunks = (0..<chunkCount).map { _ in .allocate(byteCount: chunkSize, alignment: 64) }
            free = Array(chunks.indices)
        }

        deinit { for chunk in chunks { chunk.deallocate() } }
    }

    let shared: Shared
    var current: (index: Int, offset: Int, count: Int)?

    public init(_ upstream: ByteSource, chunkSize: Int = 1 << 20, chunkCount: Int = 4) {
        let shared = Shared(chunkCount: max(2, chunkCount), chunkSize: max(1, chunkSize))
        self.shared = shared
        let box = UncheckedBox(upstream)
        let thread = Thread {
            ReadAheadSource.produce(box.value, shared)
        }
        thread.name = "logsift-readahead"
        thread.start()
    }

    deinit {
        shared.condition.lock()
        shared.cancelled = true
        shared.condition.broadcast()
        shared.condition.unlock()
    }

    static func produce(_ upstream: ByteSource, _ shared: Shared) {
        while true {
            shared.condition.lock()
            while shared.free.isEmpty && !shared.cancelled { shared.condition.wait() }
            if shared.cancelled { shared.condition.unlock(); return }
            let index = shared.free.removeFirst()
            shared.condition.unlock()

            let chunk = shared.chunks[index]
            var count = 0
            var failure: InputError? = nil
            var ended = false
            // Fill the chunk as far as the upstream allows, so the consumer sees few, big chunks.
            while count < chunk.count {
                do {
                    let n = try upstream.read(into: UnsafeMutableRawBufferPointer(rebasing: chunk[count...]))
                    if n == 0 { ended = true; break }
                    count += n
                } catch {
                    failure = error
                    ended = true
                    break
                }
            }
            shared.condition.lock()
            if count > 0 { shared.filled.append((index, count)) } else { shared.free.append(index) }
            if ended {
                shared.finished = true
                shared.error = failure
            }
            shared.condition.broadcast()
            shared.condition.unlock()
            if ended { return }
        }
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        guard buffer.count > 0 else { return 0 }
        if current == nil {
            shared.condition.lock()
            while shared.filled.isEmpty && !shared.finished { shared.condition.wait() }
            if shared.filled.isEmpty {
                let error = shared.error
                shared.error = nil
                shared.condition.unlock()
                if let error { throw error }
                return 0
            }
            let next = shared.filled.removeFirst()
            shared.condition.unlock()
            current = (next.index, 0, next.count)
        }
        let (index, offset, count) = current!
        let n = min(buffer.count, count - offset)
        buffer.baseAddress!.copyMemory(from: shared.chunks[index].baseAddress! + offset, byteCount: n)
        if offset + n == count {
            current = nil
            shared.condition.lock()
            shared.free.append(index)
            shared.condition.broadcast()
            shared.condition.unlock()
        } else {
            current = (index, offset + n, count)
        }
        return n
    }
}

/// Carries a non-Sendable value to the one thread that will use it from then on.
struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
