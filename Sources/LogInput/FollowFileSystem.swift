#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file known by what it is, not by its name: a rename keeps it, a new file at the same
/// path is another one.
public struct FileIdentity: Codable, Equatable, Hashable, Sendable {
    public var device: UInt64
    public var inode: UInt64

    public init(device: UInt64, inode: UInt64) {
        self.device = device
        self.inode = inode
    }
}

/// A file a follower holds open: it stays readable after being renamed or deleted.
public protocol FollowedFile: AnyObject {
    var identity: FileIdentity { get }
    /// Its current size, or nil when it cannot be known.
    func size() -> Int?
    /// Reads up to `buffer.count` bytes at `offset`: 0 at the end, -1 on an error.
    func read(at offset: Int, into buffer: UnsafeMutableRawBufferPointer) -> Int
}

/// What a follower asks of the file system; injected so rotation tests run on a fake one.
public protocol FollowFileSystem: AnyObject {
    /// Opens the regular file at `path`, or nil when there is none (yet).
    func open(_ path: String) -> FollowedFile?
    /// The identity of the file now at `path`, or nil when there is none.
    func identity(of path: String) -> FileIdentity?
}

/// Time for the follow loop and the windows; injected so tests step it instead of sleeping.
public protocol FollowClock: AnyObject {
    /// Wall-clock time in milliseconds since 1970.
    var nowMilliseconds: Int64 { get }
    /// Waits up to `milliseconds` (less when a stop is requested); true when a stop was requested.
    func wait(milliseconds: Int64) -> Bool
}

/// The real file system, through `open`/`fstat`/`pread`.
public final class SystemFollowFileSystem: FollowFileSystem {
    public init() {}

    public func open(_ path: String) -> FollowedFile? {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { close(fd); return nil }
        return SystemFollowedFile(fd: fd, identity: FileIdentity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino)))
    }

    public func identity(of path: String) -> FileIdentity? {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return FileIdentity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
    }
}

final class SystemFollowedFile: FollowedFile {
    let fd: Int32
    let identity: FileIdentity

    init(fd: Int32, identity: FileIdentity) {
        self.fd = fd
        self.identity = identity
    }

    deinit { close(fd) }

    func size() -> Int? {
        var info = stat()
        return fstat(fd, &info) == 0 ? Int(info.st_size) : nil
    }

    func read(at offset: Int, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        while true {
            let n = pread(fd, buffer.baseAddress, buffer.count, off_t(offset))
            if n < 0 && errno == EINTR { continue }
            return n
        }
    }
}

/// The system clock; waits end early on SIGINT/SIGTERM (see `Interruption`).
public final class SystemFollowClock: FollowClock {
    public init() {}

    public var nowMilliseconds: Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
    }

    public func wait(milliseconds: Int64) -> Bool {
        Interruption.sleep(milliseconds: Int32(clamping: max(0, milliseconds)))
    }
}
