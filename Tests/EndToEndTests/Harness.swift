import Foundation
import LogsiftTestSupport
import Testing

/// Runs the real `logsift` binary and finds the shared third-party corpora.
enum Harness {
    static var packageRoot: URL { Corpora.packageRoot }

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

    /// The corpora folder, or nil (skipped, or failed under `LOGSIFT_REQUIRE_CORPORA`).
    static func corpora(_ test: String = #function) -> URL? { Corpora.root(for: test) }

    struct Result {
        var status: Int32
        var stdout: Data
        var stderr: String
        /// True when the process died of a signal (`status` is then the signal's number).
        var signalled = false
        var text: String { String(decoding: stdout, as: UTF8.self) }
        func json() throws -> [String: Any] {
            try #require(try JSONSerialization.jsonObject(with: stdout) as? [String: Any])
        }
    }

    /// Runs logsift (or another copy of it, `executable`) with `arguments`; standard input comes
    /// from `stdinFile` (or is empty). Standard error goes through a file, so neither stream can
    /// block the other.
    static func run(_ arguments: [String], stdinFile: URL? = nil, executable: URL? = nil) throws -> Result {
        let process = Process()
        process.executableURL = executable ?? binary
        process.arguments = arguments
        let out = Pipe()
        let errURL = FileManager.default.temporaryDirectory.appendingPathComponent("logsift-stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
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
        return Result(status: process.terminationStatus, stdout: stdoutData, stderr: stderrText,
                      signalled: process.terminationReason == .uncaughtSignal)
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
