import Foundation
import Testing

/// Runs the real `logsift` binary and finds the shared third-party corpora.
enum Harness {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The built executable: `LOGSIFT_BINARY`, else next to the test bundle, else `.build/debug`.
    static let binary: URL = {
        if let path = ProcessInfo.processInfo.environment["LOGSIFT_BINARY"] { return URL(fileURLWithPath: path) }
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            let candidate = bundle.bundleURL.deletingLastPathComponent().appendingPathComponent("logsift")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        let argv0 = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for dir in [argv0, argv0.deletingLastPathComponent()] {
            let candidate = dir.appendingPathComponent("logsift")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return packageRoot.appendingPathComponent(".build/debug/logsift")
    }()

    /// `LOGSIFT_CORPORA`, defaulting to `../shared/corpora` beside the package; nil when absent
    /// (tests then say they were skipped), unless `LOGSIFT_REQUIRE_CORPORA` is set (CI).
    static func corpora() -> URL? {
        let env = ProcessInfo.processInfo.environment
        let url = env["LOGSIFT_CORPORA"].map { URL(fileURLWithPath: $0) }
            ?? packageRoot.deletingLastPathComponent().appendingPathComponent("shared/corpora")
        if FileManager.default.fileExists(atPath: url.path) { return url }
        if env["LOGSIFT_REQUIRE_CORPORA"] != nil {
            Issue.record("corpora required but missing at \(url.path)")
        } else {
            print("SKIPPED: third-party corpora not found at \(url.path) (set LOGSIFT_CORPORA)")
        }
        return nil
    }

    struct Result {
        var status: Int32
        var stdout: Data
        var stderr: String
        var text: String { String(decoding: stdout, as: UTF8.self) }
        func json() throws -> [String: Any] {
            try #require(try JSONSerialization.jsonObject(with: stdout) as? [String: Any])
        }
    }

    /// Runs logsift with `arguments`; standard input comes from `stdinFile` (or is empty).
    /// Standard error goes through a file, so neither stream can block the other.
    static func run(_ arguments: [String], stdinFile: URL? = nil) throws -> Result {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        let out = Pipe()
        let errURL = FileManager.default.temporaryDirectory.appendingPathComponent("logsift-stderr-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errURL) }
        let errHandle = try FileHandle(forWritingTo: errURL)
        process.standardOutput = out
        process.standardError = errHandle
        process.standardInput = try stdinFile.map { try FileHandle(forReadingFrom: $0) } ?? FileHandle.nullDevice
        try process.run()
        let stdoutData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try errHandle.close()
        let stderrText = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
        return Result(status: process.terminationStatus, stdout: stdoutData, stderr: stderrText)
    }

    /// A fresh temporary directory for one test.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("logsift-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Runs a shell command line (gzip, python3) for test fixtures.
    @discardableResult
    static func shell(_ command: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw NSError(domain: "shell", code: Int(process.terminationStatus),
                          userInfo: [NSLocalizedDescriptionKey: "failed: \(command)"])
        }
        return String(decoding: data, as: UTF8.self)
    }
}
