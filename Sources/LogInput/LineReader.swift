#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Frames one source into lines inside one reusable buffer.
///
/// A line handed out by `nextLine()` is a byte range of the internal buffer without its `\n`
/// (and without a `\r` before it); it stays valid until the next call. The buffer is allocated
/// once: nothing is allocated per line. A line longer than `maxLineLength` is handed out cut to
/// that length, the rest of it skipped, and counted in `overlongLines`. A read error ends the
/// input after the lines before it; it is kept in `error` for the caller to report.
public final class LineReader {
    public static let defaultMaxLineLength = 1 << 20
    public static let defaultReadSize = 256 * 1024

    let source: ByteSource
    let buffer: UnsafeMutableRawBufferPointer
    let maxLineLength: Int
    var start = 0
    var end = 0
    /// Where the newline search resumes: bytes in start..<scanned hold no newline.
    var scanned = 0
    var atEOF = false
    var skippingOverlong = false

    /// Lines handed out so far; the current line's 1-based number.
    public private(set) var lineNumber = 0
    public private(set) var overlongLines = 0
    public private(set) var bytesRead = 0
    public private(set) var error: InputError?

    public init(source: ByteSource, maxLineLength: Int = LineReader.defaultMaxLineLength,
                readSize: Int = LineReader.defaultReadSize) {
        self.source = source
        self.maxLineLength = max(1, maxLineLength)
        // One byte beyond maxLineLength so that a line of exactly that length can wait for its
        // `\r\n` before being judged overlong.
        buffer = .allocate(byteCount: self.maxLineLength + 1 + max(1, readSize), alignment: 64)
    }

    deinit { buffer.deallocate() }

    /// The next line, or nil at the end of the input.
    @inline(__always)
    public func nextLine() -> UnsafeRawBufferPointer? {
        while true {
            if let newline = findNewline() {
                let lineStart = start
                start = newline + 1
                scanned = start
                if skippingOverlong {
                    skippingOverlong = false
                    continue
                }
                return makeLine(lineStart, newline)
            }
            scanned = end
            if skippingOverlong {
                start = end
                scanned = end
            } else if end - start > maxLineLength + 1 {
                // Even without one `\r` before its newline, this line is longer than allowed.
                let lineStart = start
                start += maxLineLength
                skippingOverlong = true
                overlongLines += 1
                lineNumber += 1
                return UnsafeRawBufferPointer(rebasing: buffer[lineStart..<(lineStart + maxLineLength)])
            }
            if atEOF {
                guard start < end, !skippingOverlong else { return nil }
                let lineStart = start
                start = end
                return makeLine(lineStart, end)
            }
            fill()
        }
    }

    @inline(__always)
    private func findNewline() -> Int? {
        guard scanned < end else { return nil }
        let base = buffer.baseAddress!
        guard let hit = memchr(base + scanned, 0x0a, end - scanned) else { return nil }
        return base.distance(to: UnsafeMutableRawPointer(hit))
    }

    @inline(__always)
    private func makeLine(_ lineStart: Int, _ lineEnd: Int) -> UnsafeRawBufferPointer {
        lineNumber += 1
        var stop = lineEnd
        if stop > lineStart && buffer[stop - 1] == 0x0d { stop -= 1 }
        if stop - lineStart > maxLineLength {
            // The whole line arrived in one read: cut it here, as if it had arrived in pieces.
            stop = lineStart + maxLineLength
            overlongLines += 1
        }
        return UnsafeRawBufferPointer(rebasing: buffer[lineStart..<stop])
    }

    /// Moves the unfinished line to the front and reads behind it.
    private func fill() {
        let pending = end - start
        if start > 0 {
            if pending > 0 { buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + start, byteCount: pending) }
            scanned -= start
            start = 0
            end = pending
        }
        do {
            let n = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[end...]))
            if n == 0 { atEOF = true }
            end += n
            bytesRead += n
        } catch {
            self.error = error
            atEOF = true
        }
    }
}
