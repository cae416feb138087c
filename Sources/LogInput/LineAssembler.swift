#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Cuts bytes that arrive in pieces into lines, holding a partial last line until its newline.
///
/// One buffer, allocated once: `maxLineLength` bytes for the line being assembled plus one
/// read. A line is lent to the caller's closure without its `\n` (or `\r\n`) and only for the
/// call. A line longer than `maxLineLength` is handed out cut to that length and the rest of it
/// skipped (`overlongLines`).
public final class LineAssembler {
    let maxLineLength: Int
    public let readSize: Int
    var buffer: UnsafeMutableRawBufferPointer
    /// Bytes of the line not yet ended, at the front of `buffer`.
    public private(set) var pendingCount = 0
    var skippingOverlong = false
    public private(set) var linesHandedOut: UInt64 = 0
    public private(set) var overlongLines = 0
    /// Bytes `fill` wrote, since the start: counted once per read, not per line.
    public private(set) var bytesTaken: UInt64 = 0

    public init(maxLineLength: Int = LineReader.defaultMaxLineLength, readSize: Int = 64 * 1024) {
        self.maxLineLength = max(1, maxLineLength)
        self.readSize = max(1, readSize)
        buffer = .allocate(byteCount: self.maxLineLength + self.readSize, alignment: 64)
    }

    deinit { buffer.deallocate() }

    /// Lets `fill` write up to `readSize` bytes after the held ones, then hands out every
    /// complete line; returns what `fill` returned (bytes written, 0 at an end, -1 on error).
    @discardableResult
    public func append(_ fill: (UnsafeMutableRawBufferPointer) -> Int, _ deliver: (UnsafeRawBufferPointer) -> Void) -> Int {
        let n = fill(UnsafeMutableRawBufferPointer(rebasing: buffer[pendingCount..<(pendingCount + readSize)]))
        if n > 0 {
            frame(newBytes: n, deliver)
            // After the lines are handed out: a reader of the count during `deliver` (a metrics
            // update at a window close) sees the bytes before this read, as a follower's offset.
            bytesTaken &+= UInt64(n)
        }
        return n
    }

    func frame(newBytes: Int, _ deliver: (UnsafeRawBufferPointer) -> Void) {
        let raw = buffer
        let end = pendingCount + newBytes
        var start = 0
        var i = pendingCount
        let base = raw.baseAddress!
        while i < end, let found = memchr(base + i, 0x0a, end - i) {
            i = base.distance(to: found)
            if skippingOverlong {
                skippingOverlong = false
            } else {
                var lineEnd = i
                if lineEnd > start && raw[lineEnd - 1] == 0x0d { lineEnd -= 1 }
                linesHandedOut += 1
                deliver(UnsafeRawBufferPointer(rebasing: raw[start..<lineEnd]))
            }
            start = i + 1
            i += 1
        }
        var rest = end - start
        if rest >= maxLineLength {
            // No newline within the longest line allowed: hand out its start, skip the rest.
            if !skippingOverlong {
                linesHandedOut += 1
                overlongLines += 1
                deliver(UnsafeRawBufferPointer(rebasing: raw[start..<(start + maxLineLength)]))
            }
            skippingOverlong = true
            rest = 0
        }
        if rest > 0 && start > 0 {
            raw.baseAddress!.copyMemory(from: raw.baseAddress! + start, byteCount: rest)
        }
        pendingCount = rest
    }

    /// Hands out the held bytes as a line: their input ended (rotated away, truncated, closed).
    public func flush(_ deliver: (UnsafeRawBufferPointer) -> Void) {
        if pendingCount > 0 && !skippingOverlong {
            linesHandedOut += 1
            deliver(UnsafeRawBufferPointer(rebasing: buffer[0..<pendingCount]))
        }
        pendingCount = 0
        skippingOverlong = false
    }
}

/// Something a watch loop polls for new lines: a followed file, standard input.
public protocol LineFeed: AnyObject {
    var name: String { get }
    /// Hands out the complete lines that arrived; true when bytes came (poll again before waiting).
    func poll(maxReads: Int, _ deliver: (UnsafeRawBufferPointer) -> Void) -> Bool
    /// True once the input has ended for good (a pipe closed); a followed file never ends.
    var ended: Bool { get }
    /// Bytes read from the input since the feed was made (a followed file's bytes before
    /// where following started are not counted).
    var bytesRead: UInt64 { get }
}

/// Standard input (or another stream descriptor) read without blocking the watch loop: a poll
/// says whether bytes wait, and only then is it read. At its end the partial last line is
/// handed out and `ended` turns true.
public final class StreamFeed: LineFeed {
    public let name: String
    let fd: Int32
    let lines: LineAssembler
    public private(set) var ended = false
    public private(set) var error: String?

    public init(descriptor: Int32, name: String, maxLineLength: Int = LineReader.defaultMaxLineLength) {
        self.fd = descriptor
        self.name = name
        lines = LineAssembler(maxLineLength: maxLineLength)
    }

    public var linesRead: UInt64 { lines.linesHandedOut }
    public var bytesRead: UInt64 { lines.bytesTaken }

    public func poll(maxReads: Int, _ deliver: (UnsafeRawBufferPointer) -> Void) -> Bool {
        guard !ended else { return false }
        var progressed = false
        for _ in 0..<max(1, maxReads) {
            var probe = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = Glibc.poll(&probe, 1, 0)
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0 else { break }
            let n = lines.append({ buffer in
                while true {
                    let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
                    if n < 0 && errno == EINTR { continue }
                    return n
                }
            }, deliver)
            if n < 0 { error = "\(name): read failed: \(String(cString: strerror(errno)))" }
            if n <= 0 {
                lines.flush(deliver)
                ended = true
                return true
            }
            progressed = true
        }
        return progressed
    }
}
