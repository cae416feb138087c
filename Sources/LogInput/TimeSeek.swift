#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds where a time window starts in a plain file by binary search on byte offsets, so that a
/// 10-minute window of a 2 GB log reads a few megabytes instead of the whole file.
///
/// It takes an opened regular file and a function that reads a line's time (the input's own
/// decoder: the seek knows no log format), and gives the offset of a line start from which to
/// read. Lines are framed exactly as `LineReader` frames them (`\n`, a `\r` before it dropped,
/// cut to `maxLineLength`), so a probe reads the same time the full read would.
///
/// Invariant relied on — *times are ordered up to `tolerance`*: a line is never followed by a
/// line more than `tolerance` seconds older. Then every line before a line of time
/// `t < since - tolerance` is before `since`, and every line after one of time
/// `t >= until + tolerance` is at or after `until`. Before the search, evenly spaced probes check
/// the invariant; when it fails, `ordered` is false and the offset is 0 (read everything).
/// Lines without a time are never in a window, so skipping them is always right.
public final class TimeSeek {
    /// Seconds of disorder tolerated. nginx writes `$time_local` when a request ends, so lines
    /// of concurrent requests are out of order by up to the longest request; 60 s is nginx's
    /// default `proxy_read_timeout`, which bounds most request durations (chosen from nginx's
    /// defaults, not from a data set).
    public static let defaultTolerance: Int64 = 60
    /// Below this many bytes between the bounds of the search, the reader reads on instead of
    /// probing again: 64 KiB is a quarter of one LineReader read, less than a probe could save.
    public static let defaultLinearSpan = 64 * 1024
    /// Bytes a probe reads first: one page holds many log lines (a longer line is read again
    /// up to the line cap).
    public static let probeReadSize = 4096
    /// Evenly spaced probes that check the order before searching.
    public static let orderProbes = 16

    public struct Result: Sendable, Equatable {
        /// A line start: every line before it is before the window (or 0).
        public var offset: Int
        /// False when the probes found times going back by more than the tolerance: `offset` is
        /// then 0 and `disorder` says where.
        public var ordered: Bool
        public var disorder: String?
        /// Bytes read by the probes.
        public var bytesRead: Int
        public var probes: Int
    }

    let file: OpenedFile
    let maxLineLength: Int
    let time: (UnsafeRawBufferPointer) -> Int64?
    /// Stop a probe after this many bytes without a timed line (the probe then knows nothing,
    /// which keeps the search on the safe side).
    let probeLimit: Int
    var bytesRead = 0
    var probes = 0
    var chunk: [UInt8]
    var line: [UInt8]

    public init(file: OpenedFile, maxLineLength: Int = LineReader.defaultMaxLineLength,
                time: @escaping (UnsafeRawBufferPointer) -> Int64?) {
        self.file = file
        self.maxLineLength = max(1, maxLineLength)
        self.time = time
        self.probeLimit = 4 * (self.maxLineLength + 2)
        self.chunk = [UInt8](repeating: 0, count: TimeSeek.probeReadSize)
        self.line = [UInt8](repeating: 0, count: TimeSeek.probeReadSize)
    }

    /// The offset to read from for events at or after `since` (nil: only check the order, so
    /// that a read may stop after `until`; the offset is then 0).
    public func start(since: Int64?, tolerance: Int64 = TimeSeek.defaultTolerance,
                               linearSpan: Int = TimeSeek.defaultLinearSpan) -> Result {
        let size = file.size
        // Check the order: probes at evenly spaced offsets must not go back by more than the
        // tolerance (a concatenation of two logs, a shuffled file, another day appended).
        var highest = Int64.min
        var previousStart = -1
        for k in 0..<TimeSeek.orderProbes {
            guard let (lineStart, t) = firstTimedLine(from: size * k / TimeSeek.orderProbes),
                  lineStart > previousStart else { continue }
            previousStart = lineStart
            if highest != .min, t < highest - tolerance {
                return Result(offset: 0, ordered: false,
                              disorder: "the line at byte \(lineStart) is \(highest - t) s older than one before it",
                              bytesRead: bytesRead, probes: probes)
            }
            highest = max(highest, t)
        }
        guard let since else { return Result(offset: 0, ordered: true, disorder: nil, bytesRead: bytesRead, probes: probes) }
        let target = since.subtractingReportingOverflow(tolerance).overflow ? Int64.min : since - tolerance
        var lo = 0, hi = size
        while hi - lo > max(1, linearSpan) {
            let mid = lo + (hi - lo) / 2
            if let (lineStart, t) = firstTimedLine(from: mid), t < target {
                lo = lineStart
            } else {
                // At or past the target, or nothing known: the window may start before `mid`.
                hi = mid
            }
        }
        return Result(offset: lo, ordered: true, disorder: nil, bytesRead: bytesRead, probes: probes)
    }

    /// The first line starting at or after `offset` that has a time: its start and time.
    func firstTimedLine(from offset: Int) -> (Int, Int64)? {
        probes += 1
        let size = file.size
        // The first line start at or after `offset`.
        var position: Int
        if offset <= 0 {
            position = 0
        } else {
            guard let newline = nextNewline(from: offset - 1, limit: probeLimit) else { return nil }
            position = newline + 1
        }
        let stop = min(size, position + probeLimit)
        while position < stop {
            // One read serves every line that ends inside it; a line longer than the read is
            // read again from its start, up to the cap (enough to see a `\r\n` end).
            var n = readFully(into: &line, count: min(line.count, size - position), at: position)
            guard n > 0 else { return nil }
            let want = min(maxLineLength + 2, size - position)
            if n < want, !line[0..<n].contains(0x0a) {
                line += [UInt8](repeating: 0, count: want - line.count)
                n += readFully(into: &line, count: want - n, at: position + n, skipping: n)
            }
            var lineStart = 0
            while lineStart < n {
                var end: Int
                let next: Int
                var whole = true
                if let i = line[lineStart..<n].firstIndex(of: 0x0a) {
                    end = i
                    next = i + 1
                } else if position + n >= size {
                    end = n
                    next = n
                } else if lineStart > 0 {
                    break  // read again from this line's start
                } else {
                    // Longer than the cap: LineReader hands out its first maxLineLength bytes.
                    end = maxLineLength
                    whole = false
                    guard let newline = nextNewline(from: position + n, limit: probeLimit) else { return nil }
                    next = newline + 1 - position
                }
                // As LineReader: a whole line loses a `\r` before its end, then is cut to the cap.
                if whole, end > lineStart, line[end - 1] == 0x0d { end -= 1 }
                end = min(end, lineStart + maxLineLength)
                let t = line.withUnsafeBytes { time(UnsafeRawBufferPointer(rebasing: $0[lineStart..<end])) }
                if let t { return (position + lineStart, t) }
                lineStart = next
            }
            position += lineStart
        }
        return nil
    }

    /// Offset of the first `\n` at or after `offset`, looking at most `limit` bytes.
    func nextNewline(from offset: Int, limit: Int) -> Int? {
        var position = offset
        let stop = min(file.size, offset + limit)
        while position < stop {
            let n = readFully(into: &chunk, count: min(chunk.count, stop - position), at: position)
            guard n > 0 else { return nil }
            if let i = chunk[0..<n].firstIndex(of: 0x0a) { return position + i }
            position += n
        }
        return nil
    }

    /// Reads `count` bytes at `offset` of the file into `buffer` from index `skipping`.
    func readFully(into buffer: inout [UInt8], count: Int, at offset: Int, skipping: Int = 0) -> Int {
        var have = 0
        while have < count {
            let n = buffer.withUnsafeMutableBytes { b in
                pread(file.fd, b.baseAddress! + skipping + have, count - have, off_t(offset + have))
            }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            have += n
        }
        bytesRead += have
        return have
    }
}

/// Watches the times of one input as it is read front to back: says when the rest of the input
/// is past the window (`until + tolerance`), and notices times going back by more than the
/// tolerance, after which nothing may be skipped.
public struct TimeOrderWatch: Sendable {
    public let until: Int64?
    public let tolerance: Int64
    public private(set) var highest = Int64.min
    /// Where (1-based line number of the input) times first went back by more than the tolerance.
    public private(set) var disorderAt: UInt64?
    public private(set) var seen: UInt64 = 0

    public init(until: Int64?, tolerance: Int64 = TimeSeek.defaultTolerance) {
        self.until = until
        self.tolerance = tolerance
    }

    /// Records the time of the next timed line (numbered `line`); false when the input can stop
    /// here: this line and every later one are at or after `until`.
    public mutating func observe(_ t: Int64, line: UInt64) -> Bool {
        seen += 1
        if highest != .min, t < highest - tolerance, disorderAt == nil { disorderAt = line }
        highest = max(highest, t)
        guard let until, disorderAt == nil else { return true }
        return t - tolerance < until
    }
}

extension InputSet {
    /// The name of the rotated set a path belongs to (`access.log` for `access.log.2.gz`).
    public static func rotationBase(_ path: String) -> String { rotationKey(path).0 }
}
