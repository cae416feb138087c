#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import Foundation

/// A request to stop reading (SIGINT, SIGTERM), seen by every reader of a stream.
///
/// `install(signals:)` ignores the signals' default action and watches them with dispatch
/// sources; the first one delivered records its number and makes a wake pipe readable. A
/// stream read waits in `poll` on both its descriptor and that pipe, so a reader blocked on a
/// quiet pipe (`tail -f f | logsift report -`) returns end-of-input at once, without a timeout
/// to tune; a regular file stops at its next read. What was read before stays counted: the
/// command reports it and exits 128 + the signal's number.
public enum Interruption {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var received: Int32 = 0
    nonisolated(unsafe) private static var pipeFDs: (read: Int32, write: Int32) = (-1, -1)
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []

    /// The signal that asked to stop, or nil while none has.
    public static var signal: Int32? {
        lock.lock(); defer { lock.unlock() }
        return received == 0 ? nil : received
    }

    /// True once a stop was requested.
    public static var isRequested: Bool { signal != nil }

    /// The descriptor that becomes readable when a stop is requested (-1 before `install`).
    public static var wakeDescriptor: Int32 {
        lock.lock(); defer { lock.unlock() }
        return pipeFDs.read
    }

    /// Watches `signals` (once per process; later calls add nothing).
    public static func install(signals: [Int32] = [SIGINT, SIGTERM]) {
        lock.lock(); defer { lock.unlock() }
        guard sources.isEmpty else { return }
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return }
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        pipeFDs = (fds[0], fds[1])
        for number in signals {
            Glibc.signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                request(number)
                // A second Ctrl-C while the report is written ends the process at once.
                for other in signals { Glibc.signal(other, SIG_DFL) }
            }
            source.resume()
            sources.append(source)
        }
    }

    /// Records a stop request as if `number` had been delivered (also used by tests).
    public static func request(_ number: Int32) {
        lock.lock(); defer { lock.unlock() }
        guard received == 0 else { return }
        received = number
        if pipeFDs.write >= 0 {
            var byte: UInt8 = 1
            _ = write(pipeFDs.write, &byte, 1)  // never drained: every later poll sees it
        }
    }

    /// Waits until `fd` is readable (true) or a stop is requested (false). Without `install`
    /// it returns true at once and the caller's read blocks as usual.
    public static func waitReadable(_ fd: Int32) -> Bool {
        let wake = wakeDescriptor
        guard wake >= 0 else { return true }
        var fds = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: wake, events: Int16(POLLIN), revents: 0)]
        while true {
            let n = poll(&fds, 2, -1)
            if n < 0 && errno == EINTR { continue }
            if fds[1].revents != 0 { return false }
            return true  // readable, hung up, or an error the read itself will report
        }
    }

    /// Waits up to `milliseconds` for a stop request; true when one came. Followers sleep here
    /// between polls of their files, so a signal ends the wait at once.
    public static func sleep(milliseconds: Int32) -> Bool {
        let wake = wakeDescriptor
        if wake < 0 {
            usleep(useconds_t(max(0, milliseconds)) * 1000)
            return isRequested
        }
        var fds = [pollfd(fd: wake, events: Int16(POLLIN), revents: 0)]
        let n = poll(&fds, 1, milliseconds)
        return n > 0 || isRequested
    }
}
