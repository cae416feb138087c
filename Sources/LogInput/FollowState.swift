import Foundation

/// Where each followed file was left, saved so that a restart resumes there: the file's
/// identity (device, inode, a hash of its first bytes) and the end of the last line handed out.
/// Written atomically: a temporary file in the same directory, then `rename`.
public struct FollowState: Codable, Equatable, Sendable {
    public struct Entry: Codable, Equatable, Sendable {
        public var path: String
        public var identity: FileIdentity
        public var offset: Int
        public var headLength: Int
        public var headHash: UInt64

        public init(path: String, identity: FileIdentity, offset: Int, headLength: Int, headHash: UInt64) {
            self.path = path
            self.identity = identity
            self.offset = offset
            self.headLength = headLength
            self.headHash = headHash
        }
    }

    public var version = 1
    public var files: [Entry] = []

    public init(files: [Entry] = []) { self.files = files }

    public func entry(for path: String) -> Entry? { files.first { $0.path == path } }

    /// Reads a state file; nil when there is none; an error naming the file when it is unreadable.
    public static func load(_ path: String) throws -> FollowState? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            return try JSONDecoder().decode(FollowState.self, from: data)
        } catch {
            throw FollowStateError(message: "\(path): not a logsift state file (\(error)); remove it to start afresh")
        }
    }

    /// Writes the state to a temporary file beside `path`, flushes it, and renames it over `path`.
    public func save(_ path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(self)
        let temporary = path + ".tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw FollowStateError(message: "\(temporary): cannot create: \(String(cString: strerror(errno)))")
        }
        var failure: Int32 = 0
        data.withUnsafeBytes { bytes in
            var done = 0
            while done < bytes.count {
                let n = write(fd, bytes.baseAddress! + done, bytes.count - done)
                if n > 0 { done += n } else if n < 0 && errno == EINTR { continue } else { failure = n < 0 ? errno : EIO; break }
            }
        }
        if failure == 0 && fsync(fd) != 0 { failure = errno }
        close(fd)
        if failure == 0 && rename(temporary, path) != 0 { failure = errno }
        if failure != 0 {
            unlink(temporary)
            throw FollowStateError(message: "\(path): cannot write the state: \(String(cString: strerror(failure)))")
        }
    }
}

public struct FollowStateError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
