import ArgumentParser
import Foundation
import LogReport

/// `report -o FILE`: the report written atomically — to a temporary file next to FILE, flushed
/// to disk, then renamed over FILE — so a reader (a web server, a mail job) never sees half a
/// report and a failed run leaves the previous one in place. Any failure is said on stderr,
/// the temporary file is removed, and the run exits 74.
enum ReportFile {
    static func write(_ text: String, to path: String) throws {
        try write(bytes: Array(text.utf8), to: path)
    }

    /// `bytes` written atomically to `path`; `what` names them in the error (`the save file`).
    static func write(bytes: [UInt8], to path: String, what: String = "the report") throws {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        let temporary = directory + "/." + url.lastPathComponent + ".logsift-\(getpid()).tmp"
        func fail(_ step: String, _ code: Int32) throws -> Never {
            unlink(temporary)
            Terminal.warn("cannot write \(what) to \(path): \(step): \(String(cString: strerror(code))); "
                + "check that the folder exists and is writable and that the disk has room")
            throw ExitCode(ExitStatus.writeFailed)
        }
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { try fail("creating \(temporary)", errno) }
        var failure: Int32? = bytes.withUnsafeBufferPointer { bytes in
            var offset = 0
            while offset < bytes.count {
                let n = Foundation.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if n > 0 { offset += n; continue }
                if n < 0 && errno == EINTR { continue }
                return n < 0 ? errno : EIO
            }
            return nil
        }
        if failure == nil, fsync(fd) != 0 { failure = errno }
        if close(fd) != 0, failure == nil { failure = errno }
        if let failure { try fail("writing", failure) }
        guard rename(temporary, path) == 0 else { try fail("renaming \(temporary) to it", errno) }
    }
}
