import Foundation

/// How many bytes every `FileSource` of the process has read so far: the figure behind
/// `report`'s progress line.
///
/// Counted per read call (one buffer, 256 KiB by default), never per line, so the cost is one
/// uncontended lock per buffer. The bytes are those taken from the file or stream itself: for a
/// gzip input the compressed bytes consumed, which is what its size on disk is comparable to.
/// Planning reads the first bytes of big plain files to detect their format once more than
/// the workers do; that few tens of KiB per such file is counted too.
public enum InputProgress {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var total = 0

    /// Adds `n` bytes read.
    @inline(__always)
    public static func add(_ n: Int) {
        lock.lock(); total &+= n; lock.unlock()
    }

    /// Bytes read since the process started.
    public static var bytesRead: Int {
        lock.lock(); defer { lock.unlock() }
        return total
    }
}
