import LogInput

/// An in-memory file system with inodes: a renamed or deleted file stays readable through a
/// handle opened before, as on POSIX. Rotation tests drive it step by step; nothing sleeps.
final class FakeFollowFileSystem: FollowFileSystem {
    final class Node {
        let inode: UInt64
        var bytes: [UInt8] = []
        init(inode: UInt64) { self.inode = inode }
    }

    final class Handle: FollowedFile {
        let node: Node
        init(node: Node) { self.node = node }
        var identity: FileIdentity { FileIdentity(device: 1, inode: node.inode) }
        func size() -> Int? { node.bytes.count }
        func read(at offset: Int, into buffer: UnsafeMutableRawBufferPointer) -> Int {
            guard offset < node.bytes.count else { return 0 }
            let n = min(buffer.count, node.bytes.count - offset)
            node.bytes.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + offset, byteCount: n) }
            return n
        }
    }

    var paths: [String: Node] = [:]
    var nextInode: UInt64 = 100

    func open(_ path: String) -> FollowedFile? { paths[path].map(Handle.init(node:)) }
    func identity(of path: String) -> FileIdentity? { paths[path].map { FileIdentity(device: 1, inode: $0.inode) } }

    func create(_ path: String) {
        nextInode += 1
        paths[path] = Node(inode: nextInode)
    }

    func append(_ path: String, _ text: String) {
        if paths[path] == nil { create(path) }
        paths[path]!.bytes += Array(text.utf8)
    }

    func rename(_ from: String, _ to: String) {
        paths[to] = paths[from]
        paths[from] = nil
    }

    func remove(_ path: String) { paths[path] = nil }

    /// copytruncate: a copy under `copy`, then the original cut to zero bytes.
    func copyTruncate(_ path: String, copy: String) {
        create(copy)
        paths[copy]!.bytes = paths[path]!.bytes
        paths[path]!.bytes = []
    }
}

/// A clock that moves only when told.
final class ManualClock: FollowClock {
    var nowMilliseconds: Int64
    init(_ start: Int64 = 1_800_000_000_000) { nowMilliseconds = start }
    func wait(milliseconds: Int64) -> Bool {
        nowMilliseconds += milliseconds
        return false
    }
}
