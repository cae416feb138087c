import Foundation
import Testing
@testable import LogInput

/// A regular file is read as it was when opened: up to its size then. A file truncated or
/// rewritten in place while it is read is an error on that input; one that grows by appending
/// (a live log) is not, and the appended bytes are not read.
@Suite struct FileSourceTests {
    /// 100 lines of 10 bytes ("line 0001\n" ...): 1,000 bytes.
    static let original = (1...100).map { String(format: "line %04d\n", $0) }.joined()
    /// 300 lines of 10 bytes, none of which appears in `original`.
    static let other = (1...300).map { String(format: "next %04d\n", $0) }.joined()

    /// Reads `path` through one source: 400 bytes, then `change`, then the rest. Returns the
    /// bytes served and the error that ended the read, if any.
    static func readAcross(_ path: String, change: () throws -> Void) throws -> (bytes: [UInt8], error: InputError?) {
        let source = FileSource(file: try OpenedFile(path: path))
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 100)
        while true {
            if bytes.count == 400 { try change() }
            let read: Result<Int, InputError> = chunk.withUnsafeMutableBytes { buffer in
                do throws(InputError) { return .success(try source.read(into: buffer)) } catch { return .failure(error) }
            }
            switch read {
            case .success(0): return (bytes, nil)
            case .success(let n): bytes += chunk[0..<n]
            case .failure(let caught): return (bytes, caught)
            }
        }
    }

    static func withFile(_ body: (String) throws -> Void) throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("logsift-filesource-\(UUID().uuidString).log").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try original.write(toFile: path, atomically: false, encoding: .utf8)
        try body(path)
    }

    /// `truncate -s 0 f; head -30 other >> f` after 400 bytes: the read meets the end of the
    /// file at 300 bytes, before the 1,000 planned, and reports the change.
    @Test func truncation_midReadIsAnError() throws {
        try Self.withFile { path in
            let result = try Self.readAcross(path) {
                #expect(truncate(path, 0) == 0)
                let handle = FileHandle(forWritingAtPath: path)!
                handle.seekToEndOfFile()
                handle.write(Data(Self.other.utf8.prefix(300)))
                handle.closeFile()
            }
            #expect(result.error == .changedDuringRun(path: path))
            #expect(result.error?.isPartial == true)
            #expect(result.error?.description == "\(path): changed during the run: it was truncated or rewritten; its figures are partial")
            #expect(result.bytes.count == 400)
        }
    }

    /// `cat other > f` (3,000 bytes over 1,000) after 400 bytes: the file is bigger than
    /// planned, but its first bytes are other ones: a rewrite, reported once the 1,000 planned
    /// bytes are read (the old read went on to 3,000 bytes, old and new mixed).
    @Test func rewriteInPlace_biggerIsAnError() throws {
        try Self.withFile { path in
            let result = try Self.readAcross(path) {
                try Self.other.write(toFile: path, atomically: false, encoding: .utf8)
            }
            #expect(result.error == .changedDuringRun(path: path))
            #expect(result.bytes.count == 1000)
        }
    }

    /// 200 lines appended after 400 bytes: no error, and exactly the 1,000 bytes the file had
    /// when opened are read, unchanged.
    @Test func append_midReadIsNotAnErrorAndIsNotRead() throws {
        try Self.withFile { path in
            let result = try Self.readAcross(path) {
                let handle = FileHandle(forWritingAtPath: path)!
                handle.seekToEndOfFile()
                handle.write(Data(Self.other.utf8.prefix(2000)))
                handle.closeFile()
            }
            #expect(result.error == nil)
            #expect(result.bytes == Array(Self.original.utf8))
        }
    }
}
