import Foundation
import Testing

/// Every numeric option is range-checked: a value outside its range is a usage error (64) that
/// names the option and the range, never a trap, an abort or gigabytes of memory.
@Suite struct OptionTests {
    static let sample = Harness.packageRoot.appendingPathComponent("samples/access.log.1").path

    /// The values of issue 7 that trapped (SIGILL), aborted (SIGABRT) or took gigabytes, and
    /// the message each must now give.
    @Test func outOfRangeValuesAreUsageErrorsNamingTheRange() throws {
        let cases: [([String], String)] = [
            (["--bucket", "2562047788015216h"], "--bucket '2562047788015216h': at most 366d"),
            (["--bucket", "99999999999999999999999999s"], "at most 366d"),
            (["--bucket", "367d"], "at most 366d"),
            (["--max-line-length", "9223372036854775807"], "--max-line-length 9223372036854775807: must be between 16 and 67108864"),
            (["--max-line-length", "32212254720"], "--max-line-length 32212254720: must be between 16 and 67108864"),
            (["--max-line-length", "15"], "must be between 16 and 67108864"),
            (["--jobs", "1000000"], "--jobs 1000000: must be between 1 and 256"),
            (["--jobs", "0"], "--jobs 0: must be between 1 and 256"),
            (["--jobs", "-3"], "--jobs -3: must be between 1 and 256"),
            (["--samples", "100000000"], "--samples 100000000: must be between 0 and 10000"),
            (["--top", "-1"], "--top -1: must be between 0 and 1000000"),
            (["--top", "9223372036854775807"], "--top 9223372036854775807: must be between 0 and 1000000"),
        ]
        for (options, message) in cases {
            let result = try Harness.run(["report"] + options + [Self.sample])
            #expect(!result.signalled && result.status == 64, "\(options): status \(result.status)")
            #expect(result.stderr.contains(message), "\(options): \(result.stderr)")
            #expect(result.stdout.isEmpty, "\(options): nothing is reported")
        }
    }

    @Test func negativeOrZeroBucketSaysBucketWidthMustBePositive() throws {
        for width in ["-1m", "0m", "0", "-5"] {
            let result = try Harness.run(["report", "--bucket", width, Self.sample])
            #expect(result.status == 64)
            #expect(result.stderr.contains("bucket width must be positive"), "\(width): \(result.stderr)")
        }
        let garbage = try Harness.run(["report", "--bucket", "5 minutes", Self.sample])
        #expect(garbage.status == 64)
        #expect(garbage.stderr.contains("give a width such as 30s, 1m, 5m, 1h or 1d"))
    }

    @Test func edgesOfTheRangesAreAccepted() throws {
        let result = try Harness.run(["report", "--format", "json", "--bucket", "366d", "--jobs", "256", "--top", "1000000",
                                      "--samples", "0", "--max-line-length", "67108864", Self.sample])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try result.json()
        #expect(json["bucket_seconds"] as? Int == 366 * 86_400)
        // Lines cut to 16 bytes are recognised by nothing (65), but the value is accepted.
        let shortest = try Harness.run(["report", "--max-line-length", "16", "--top", "0", "--bucket", "1s", "--jobs", "1", Self.sample])
        #expect(!shortest.signalled && shortest.status == 65, "\(shortest.status) \(shortest.stderr)")
    }

    /// `-dash.log` was read as the short flags `-d -a -s -h …` and printed help with exit 0.
    /// Now it is refused with the way to name such a file; after `--` the file is read.
    @Test func fileNamedLikeAnOptionIsReadAfterDoubleDash() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.copyItem(atPath: Self.sample, toPath: dir.appendingPathComponent("-dash.log").path)
        let binary = Harness.binary.path
        let refused = try Harness.shell("cd '\(dir.path)' && '\(binary)' report -dash.log 2>&1; echo \"status=$?\"")
        #expect(refused.contains("status=64"), "\(refused)")
        #expect(refused.contains("logsift report -- -dash.log"))
        #expect(!refused.contains("USAGE:") && !refused.contains("OVERVIEW"), "no help text: \(refused)")
        let read = try Harness.shell("cd '\(dir.path)' && '\(binary)' report --format json -- -dash.log")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(read.utf8)) as? [String: Any])
        // samples/access.log.1 holds 700 lines (samples/truth/access.log.1.json).
        #expect((json["total"] as? [String: Any])?["lines"] as? Int == 700)
    }
}
