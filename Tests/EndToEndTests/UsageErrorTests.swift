import Foundation
import Testing

/// Usage errors and help: an echoed option value cannot drive the terminal, help that cannot be
/// written is an error, and values that would be silently ignored or meaningless are refused.
@Suite struct UsageErrorTests {
    /// `--help > /dev/full` exits 74 like every other command whose output is lost (the old
    /// binary exited 0 silently).
    @Test func helpThatCannotBeWrittenExits74() throws {
        let binary = Harness.binary.path
        for arguments in ["--help", "report --help", "detect --help"] {
            let out = try Harness.shell("'\(binary)' \(arguments) 2>/dev/null > /dev/full; echo \"status=$?\"")
            #expect(out == "status=74\n", "\(arguments): \(out)")
        }
        // Help that is written still exits 0.
        #expect(try Harness.run(["report", "--help"]).status == 0)
    }

    /// An ESC in an option value or an argument reaches stderr as the visible `\x1b`, never as
    /// the byte (the old binary echoed `--tz 'Europe/<ESC>[2J'` raw, clearing the screen).
    @Test func echoedValuesAreEscaped() throws {
        let esc = "\u{1b}[2J"
        let cases: [[String]] = [
            ["report", "--tz", "Europe/\(esc)", "x.log"],
            ["report", "--bucket", "5\(esc)", "x.log"],
            ["report", "--log-format", "nginx\(esc)", "x.log"],
            ["report", "--pattern", "%{IP:x\(esc)", "x.log"],
            ["report", "--pg-prefix", "%Z\(esc)", "x.log"],
            ["report", "--nginx-format", "\"$remote_addr\(esc)", "x.log"],
            ["report", "-\(esc)"],
            ["report", "--top", "x\(esc)", "x.log"],
        ]
        for arguments in cases {
            let result = try Harness.run(arguments)
            #expect(result.status == 64, "\(arguments): \(result.status)")
            #expect(!result.stderr.contains("\u{1b}"), "\(arguments): raw ESC on stderr: \(result.stderr.debugDescription)")
            #expect(result.stderr.contains("\\x1b[2J"), "\(arguments): \(result.stderr.debugDescription)")
        }
    }

    /// `--patterns DIR` that cannot be read is refused even without `--pattern` (it was ignored).
    @Test func unreadablePatternsDirectoryIsAUsageError() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let missing = dir.appendingPathComponent("no-such-patterns").path
        let sample = Harness.packageRoot.appendingPathComponent("samples/access.log").path
        let result = try Harness.run(["report", "--patterns", missing, sample])
        #expect(result.status == 64)
        #expect(result.stderr.contains("--patterns \(missing)"), "\(result.stderr)")
    }

    /// An empty `--pattern` matches nothing a report can use: refused with 64 (it was accepted).
    @Test func emptyPatternIsAUsageError() throws {
        let sample = Harness.packageRoot.appendingPathComponent("samples/access.log").path
        let result = try Harness.run(["report", "--pattern", "", sample])
        #expect(result.status == 64)
        #expect(result.stderr.contains("--pattern is empty"), "\(result.stderr)")
    }

    /// The hint for a bzip2 file names it as one shell word: a path with a space and a quote is
    /// single-quoted, its quote written `'\''` (it was pasted raw, which a shell splits).
    @Test func unsupportedCompressionHintQuotesThePath() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("my log's.bz2")
        try Data("BZh91AY&SY".utf8 + [UInt8](repeating: 0, count: 64)).write(to: file)
        let result = try Harness.run(["report", file.path])
        #expect(result.status == 1)
        let quoted = "'" + dir.path + "/my log'\\''s.bz2'"
        #expect(result.stderr.contains("use `bzcat \(quoted) | logsift report -`"), "\(result.stderr)")
        // The quoted word names the file to a shell.
        let listed = try Harness.shell("ls \(quoted)")
        #expect(listed == file.path + "\n")
    }
}
