import Foundation
import Testing

/// Where the tests find the package and the shared third-party corpora.
///
/// The corpora are `LOGSIFT_CORPORA` (when set and not empty), else `../shared/corpora` beside
/// the package. A test that needs them and does not find them prints `SKIPPED: <test id>: …` and
/// passes (`make test` counts those lines: "N passed, N failed, N skipped"), unless
/// `LOGSIFT_REQUIRE_CORPORA` is set (as `.ci/run` does): then it fails.
public enum Corpora {
    /// <root>/Tests/Support/Corpora.swift -> <root>
    public static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The corpora folder if it exists, saying nothing either way.
    public static func locate() -> URL? {
        let env = ProcessInfo.processInfo.environment
        let url = env["LOGSIFT_CORPORA"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            ?? packageRoot.deletingLastPathComponent().appendingPathComponent("shared/corpora").standardized
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue ? url : nil
    }

    /// The corpora folder for a test that needs it: nil when absent, after printing that `test`
    /// was skipped, or recording a failure when `LOGSIFT_REQUIRE_CORPORA` is set.
    public static func root(for test: String = #function) -> URL? {
        if let url = locate() { return url }
        let expected = ProcessInfo.processInfo.environment["LOGSIFT_CORPORA"] ?? "../shared/corpora"
        if ProcessInfo.processInfo.environment["LOGSIFT_REQUIRE_CORPORA"] != nil {
            Issue.record("corpora required (LOGSIFT_REQUIRE_CORPORA) but not found at \(expected)")
        } else {
            // Named by the running test's id (unique, whatever helper asks), so that
            // `scripts/run-tests` counts each skipped test once.
            let name = Test.current.map { "\($0.id)" } ?? test
            print("SKIPPED: \(name): third-party corpora not found at \(expected) (set LOGSIFT_CORPORA)")
        }
        return nil
    }

    /// `root(for:)` as a path.
    public static func path(for test: String = #function) -> String? {
        root(for: test)?.path
    }

    /// A file's bytes, decompressed through `gzip -dc` / `bzip2 -dc` for `.gz` / `.bz2`.
    public static func data(_ url: URL) throws -> Data {
        let tool: String
        switch url.pathExtension {
        case "bz2": tool = "bzip2"
        case "gz": tool = "gzip"
        default: return try Data(contentsOf: url)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool, "-dc", url.path]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return data
    }
}
