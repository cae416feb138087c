/// LogInput: where bytes come from, and how they become lines.
///
/// Takes paths (or `-` for stdin), gives `LineReader`s that hand out each line as a byte range in
/// one reusable buffer. Gzip is detected by its magic bytes and inflated on the fly, members one
/// after another. Rotated sets are put oldest first. It knows nothing of log formats.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Something that fills a caller's buffer with the next bytes of one input.
public protocol ByteSource: AnyObject {
    /// Reads at most `buffer.count` bytes; returns 0 only at the end of the input.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int
}

/// What went wrong with one input, named for the user.
public enum InputError: Error, CustomStringConvertible, Equatable, Sendable {
    case cannotOpen(path: String, reason: String)
    case isDirectory(path: String)
    case readFailed(path: String, reason: String)
    /// The gzip stream stopped before its end; everything before that point was still read.
    case truncatedGzip(path: String, decompressedBytes: Int)
    case corruptGzip(path: String, decompressedBytes: Int, reason: String)
    /// Compressed in a format logsift does not inflate (bzip2, xz, zstd): not read as text.
    case unsupportedCompression(path: String, format: String, command: String)
    /// The file shrank below the size it had when opened, or its bytes were rewritten in place,
    /// while it was being read: what was counted may mix old and new content.
    case changedDuringRun(path: String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason):
            return "\(path): cannot open: \(reason)"
        case .isDirectory(let path):
            return "\(path): is a directory; name the log files inside it (e.g. \(path)/access.log*)"
        case .readFailed(let path, let reason):
            return "\(path): read failed: \(reason)"
        case .truncatedGzip(let path, let bytes):
            return "\(path): gzip data ends early (truncated file?); analysed the \(bytes) decompressed bytes before that point"
        case .corruptGzip(let path, let bytes, let reason):
            return "\(path): corrupt gzip data (\(reason)) after \(bytes) decompressed bytes; analysed what came before"
        case .unsupportedCompression(let path, let format, let command):
            let shown = path == "<stdin>" ? "FILE" : shellQuoted(path)
            return "\(path): \(format) compression not supported: use `\(command) \(shown) | logsift report -`"
        case .changedDuringRun(let path):
            return "\(path): changed during the run: it was truncated or rewritten; its figures are partial"
        }
    }

    /// True when the input was partly read and its lines up to the error still count.
    public var isPartial: Bool {
        switch self {
        case .truncatedGzip, .corruptGzip, .changedDuringRun: return true
        default: return false
        }
    }
}

/// `text` as one shell word: unchanged when it holds only bytes no shell treats specially,
/// else in single quotes, each `'` written as `'\''`.
func shellQuoted(_ text: String) -> String {
    let plain = !text.isEmpty && text.utf8.allSatisfy { b in
        (b >= 97 && b <= 122) || (b >= 65 && b <= 90) || (b >= 48 && b <= 57) || "/._-+,:@%=".utf8.contains(b)
    }
    if plain { return text }
    var quoted = "'"
    for c in text { quoted += c == "'" ? "'\\''" : String(c) }
    return quoted + "'"
}

func systemError() -> String {
    String(cString: strerror(errno))
}

/// A file opened once by path, then known by its descriptor: every part of it (the byte ranges
/// cut for workers, the probes that place the cuts) is read through this one descriptor, so a
/// file renamed and replaced while logsift runs cannot be read half old, half new.
///
/// A regular file is read with `pread` at explicit offsets (any number of `FileSource`s share
/// the descriptor); anything else — a FIFO, `<(zcat f.gz)`, `/dev/stdin`, a character device —
/// is a stream: read once, front to back, never seeked or split.
public final class OpenedFile: Sendable {
    public let path: String
    let fd: Int32
    /// True for regular files (seekable, splittable); false for streams.
    public let isRegular: Bool
    /// Size in bytes when the file was opened (0 for streams).
    public let size: Int
    /// Modification and status-change times when the file was opened.
    let modified: timespec
    let statusChanged: timespec
    /// The first bytes when the file was opened (up to `headLength`): a file whose times moved
    /// on tells an append (same head, bigger) from a rewrite in place (other head) by them.
    let head: [UInt8]
    static let headLength = 4096

    public init(path: String) throws(InputError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .cannotOpen(path: path, reason: systemError()) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let reason = systemError()
            close(fd)
            throw .cannotOpen(path: path, reason: reason)
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            close(fd)
            throw .isDirectory(path: path)
        }
        self.path = path
        self.fd = fd
        self.isRegular = (info.st_mode & S_IFMT) == S_IFREG
        self.size = isRegular ? Int(info.st_size) : 0
        self.modified = info.st_mtim
        self.statusChanged = info.st_ctim
        self.head = isRegular ? Self.readHead(fd: fd, count: min(size, Self.headLength)) : []
    }

    deinit { close(fd) }

    private static func readHead(fd: Int32, count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, 0) }
        bytes.removeLast(count - max(0, n))
        return bytes
    }

    /// Whether the file was truncated or rewritten in place since it was opened. Growth by
    /// appending (a live log being written: bigger, same first bytes) is not a change: the
    /// bytes planned at opening are still the ones read.
    public func changedSinceOpening() -> Bool {
        guard isRegular else { return false }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return true }
        if Int(info.st_size) < size { return true }
        let sameTimes = info.st_mtim.tv_sec == modified.tv_sec && info.st_mtim.tv_nsec == modified.tv_nsec
            && info.st_ctim.tv_sec == statusChanged.tv_sec && info.st_ctim.tv_nsec == statusChanged.tv_nsec
        if sameTimes && Int(info.st_size) == size { return false }
        return Self.readHead(fd: fd, count: head.count) != head
    }
}

/// Reads an opened file (optionally a byte range of a regular one, for splitting it between
/// workers) or a descriptor it does not own, such as standard input.
public final class FileSource: ByteSource {
    public let path: String
    /// Keeps the descriptor open while this source reads it (nil for borrowed descriptors).
    let file: OpenedFile?
    let fd: Int32
    /// `pread` at `offset` (regular files) rather than `read` (streams).
    let positioned: Bool
    var offset: Int
    let end: Int?
    /// Whether the file was checked for changes on reaching `end` (done once).
    var verified = false

    /// Reads `range` of `file` (the whole file when nil; a stream is always read whole).
    public init(file: OpenedFile, range: Range<Int>? = nil) {
        self.path = file.path
        self.file = file
        self.fd = file.fd
        self.positioned = file.isRegular
        self.offset = file.isRegular ? range?.lowerBound ?? 0 : 0
        // A regular file is read up to its size when opened: bytes appended since are not read.
        self.end = file.isRegular ? range?.upperBound ?? file.size : nil
        #if os(Linux)
        if positioned { _ = posix_fadvise(fd, off_t(offset), 0, POSIX_FADV_SEQUENTIAL) }
        #endif
    }

    /// Opens `path` for reading the bytes in `range` (the whole file when nil).
    public convenience init(path: String, range: Range<Int>? = nil) throws(InputError) {
        self.init(file: try OpenedFile(path: path), range: range)
    }

    /// Reads standard input (or another descriptor it does not own) as a stream.
    public init(descriptor: Int32, name: String) {
        self.path = name
        self.file = nil
        self.fd = descriptor
        self.positioned = false
        self.offset = 0
        self.end = nil
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        var want = buffer.count
        if let end { want = min(want, end - offset) }
        guard want > 0 else {
            // At the planned end: a file that shrank or was rewritten meanwhile gave mixed bytes.
            if buffer.count > 0, let file, !verified {
                verified = true
                if file.changedSinceOpening() { throw .changedDuringRun(path: path) }
            }
            return 0
        }
        // A stop was requested (SIGINT/SIGTERM): end here; what was read so far is reported.
        if Interruption.isRequested { return 0 }
        while true {
            if !positioned && !Interruption.waitReadable(fd) { return 0 }
            let n = positioned
                ? pread(fd, buffer.baseAddress, want, off_t(offset))
                : Glibc.read(fd, buffer.baseAddress, want)
            // The file ends before its planned end: it was truncated since it was opened.
            if n == 0 && positioned { throw .changedDuringRun(path: path) }
            if n >= 0 { offset += n; InputProgress.add(n); return n }
            if errno == EINTR { continue }
            throw .readFailed(path: path, reason: systemError())
        }
    }

    /// Size of a regular file in bytes, or nil for pipes and other streams.
    public static func regularFileSize(_ path: String) -> Int? {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int(info.st_size)
    }
}

/// Serves a few bytes read ahead (to sniff the format) before the rest of its source.
final class PrefixedSource: ByteSource {
    var prefix: [UInt8]
    var prefixOffset = 0
    let rest: ByteSource

    init(prefix: [UInt8], rest: ByteSource) {
        self.prefix = prefix
        self.rest = rest
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        if prefixOffset < prefix.count {
            let n = min(buffer.count, prefix.count - prefixOffset)
            prefix.withUnsafeBytes { src in
                buffer.baseAddress!.copyMemory(from: src.baseAddress! + prefixOffset, byteCount: n)
            }
            prefixOffset += n
            return n
        }
        return try rest.read(into: buffer)
    }
}
