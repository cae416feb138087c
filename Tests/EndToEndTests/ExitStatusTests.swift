import Foundation
import Testing

/// The exit status tells a script what happened (README, "Exit status"): 0 all read,
/// 1 an input failed, 64 usage, 65 an input had no recognised line, 74 the report could not be
/// written.
@Suite struct ExitStatusTests {
    static let sample = Harness.packageRoot.appendingPathComponent("samples/access.log").path

    /// `> /dev/full`: every write fails with ENOSPC. The report must not be lost silently.
    @Test func writeErrorOnStandardOutputIsReportedWith74() throws {
        let binary = Harness.binary.path
        for arguments in ["report '\(Self.sample)'", "report --format json '\(Self.sample)'",
                          "report --bucket 1d '\(Self.sample).1'", "detect '\(Self.sample)'", "patterns list"] {
            let out = try Harness.shell("'\(binary)' \(arguments) 2>&1 > /dev/full; echo \"status=$?\"")
            #expect(out.contains("status=74"), "\(arguments): \(out)")
            #expect(out.contains("cannot write the report to standard output: No space left on device"), "\(arguments): \(out)")
            // Standard error full too: the message is lost, the status still says it.
            let both = try Harness.shell("'\(binary)' \(arguments) > /dev/full 2>&1; echo \"status=$?\"")
            #expect(both == "status=74\n", "\(arguments): \(both)")
        }
    }

    /// A file in which no line is recognised: the report is still printed, the reason is said,
    /// and the status is 65 so that a cron job notices. Blank-only and empty files stay 0.
    @Test func nothingRecognisedExits65AndStillReports() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let prose = dir.appendingPathComponent("prose.txt")
        try "hello\nthis is not a log\n\nat all\n".write(to: prose, atomically: true, encoding: .utf8)
        let result = try Harness.run(["report", "--format", "json", prose.path])
        #expect(result.status == 65)
        #expect(result.stderr.contains("prose.txt: none of its 3 lines was recognised"), "\(result.stderr)")
        let total = try #require(try result.json()["total"] as? [String: Any])
        #expect(total["lines"] as? Int == 4)
        #expect(total["unmatched"] as? Int == 3)

        // With a recognised input beside it, the unrecognised one still sets 65.
        let mixed = try Harness.run(["report", "--format", "json", Self.sample, prose.path])
        #expect(mixed.status == 65)

        let blank = dir.appendingPathComponent("blank.log")
        try "\n\n\n".write(to: blank, atomically: true, encoding: .utf8)
        #expect(try Harness.run(["report", blank.path]).status == 0)

        // A read failure (1) takes precedence over 65.
        let missing = try Harness.run(["report", prose.path, dir.appendingPathComponent("nope.log").path])
        #expect(missing.status == 1)
    }

    /// bzip2, xz and zstd files are recognised by their magic bytes (whatever their names) and
    /// refused plainly with the command that would read them; the other inputs are still
    /// analysed and the status is 1. Compressed bytes are never counted as text lines.
    @Test func unsupportedCompressionIsNamedAndTheRestAnalysed() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var tools: [(name: String, tool: String, cat: String)] = [("bzip2", "bzip2", "bzcat"), ("xz", "xz", "xzcat")]
        if (try? Harness.shell("command -v zstd")) != nil { tools.append(("zstd", "zstd -q", "zstdcat")) }
        let sampleOne = Self.sample + ".1"  // 700 lines, all requests (samples/truth/access.log.1.json)
        for (name, tool, cat) in tools {
            // Named without a compression suffix, and big enough to be split between workers
            // if it were taken for text.
            let packed = dir.appendingPathComponent("packed-\(name).log")
            try Harness.shell("\(tool) -c '\(Self.sample)' > '\(packed.path)'")
            let result = try Harness.run(["report", "--format", "json", "--jobs", "2", "--split-bytes", "1", packed.path, sampleOne])
            #expect(result.status == 1, "\(name): \(result.stderr)")
            #expect(result.stderr.contains("\(packed.path): \(name) compression not supported: use `\(cat) \(packed.path) | logsift report -`"),
                    "\(name): \(result.stderr)")
            let total = try #require(try result.json()["total"] as? [String: Any])
            #expect(total["lines"] as? Int == 700, "\(name): only the plain file's lines")
            #expect(total["unmatched"] as? Int == 0, "\(name)")
        }
    }
}
