import Foundation
import Testing

/// Bad input gets a clear message naming the input, the rest is still analysed, and the exit
/// status says what happened (0 all read, 1 an input failed, 64 usage).
@Suite struct BadInputTests {
    static let goodLine = #"10.0.0.1 - - [24/Nov/2026:10:00:01 +0000] "GET /a HTTP/1.1" 200 5 "-" "curl/8" 0.010"#

    func goodLog(_ dir: URL, lines: Int = 100) throws -> URL {
        let url = dir.appendingPathComponent("good.log")
        try String(repeating: Self.goodLine + "\n", count: lines).write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    @Test func emptyFileIsAnEmptyReport() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let empty = dir.appendingPathComponent("empty.log")
        try Data().write(to: empty)
        let result = try Harness.run(["report", "--format", "json", empty.path])
        #expect(result.status == 0)
        let total = try #require(try result.json()["total"] as? [String: Any])
        #expect(total["lines"] as? Int == 0)
        #expect(total["requests"] as? Int == 0)
        let text = try Harness.run(["report", empty.path])
        #expect(text.text.contains("No event was recognised"))
    }

    @Test func missingFileIsNamedAndOthersStillCount() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let good = try goodLog(dir)
        let missing = dir.appendingPathComponent("nope.log").path
        let result = try Harness.run(["report", "--format", "json", missing, good.path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("nope.log: cannot open: No such file or directory"))
        let total = try #require(try result.json()["total"] as? [String: Any])
        #expect(total["requests"] as? Int == 100)
    }

    @Test func directoryIsNamed() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try Harness.run(["report", dir.path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("is a directory"))
    }

    @Test func garbageBytesAreCountedAndSampled() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var rng = SystemRandomNumberGenerator()
        var bytes = [UInt8]()
        for _ in 0..<200_000 { bytes.append(UInt8.random(in: 0...255, using: &rng)) }
        let garbage = dir.appendingPathComponent("garbage.bin")
        try Data(bytes).write(to: garbage)
        let result = try Harness.run(["report", "--format", "json", garbage.path])
        #expect(result.status == 65, "nothing recognised: 65, report still printed")
        let json = try result.json()
        let total = try #require(json["total"] as? [String: Any])
        let newlines = bytes.filter { $0 == 0x0a }.count
        let lines = total["lines"] as? Int ?? -1
        #expect(lines == newlines || lines == newlines + 1)
        #expect(total["requests"] as? Int == 0)
        #expect((json["unmatched_samples"] as? [Any])?.isEmpty == false)
        let text = try Harness.run(["report", garbage.path])
        #expect(text.status == 65)
        #expect(text.text.contains("Unmatched lines"))
    }

    @Test func invalidUTF8InsideAMatchingLineStillCounts() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var data = Data(#"10.0.0.1 - - [24/Nov/2026:10:00:01 +0000] "GET /caf"#.utf8)
        data.append(contentsOf: [0xC3, 0x28, 0xFF])
        data.append(Data(#" HTTP/1.1" 200 5 "-" "agent"#.utf8))
        data.append(contentsOf: [0xFE])
        data.append(Data("\" 0.5\n".utf8))
        let url = dir.appendingPathComponent("utf8.log")
        try data.write(to: url)
        let result = try Harness.run(["report", "--format", "json", url.path])
        #expect(result.status == 0)
        let total = try #require(try result.json()["total"] as? [String: Any])
        #expect(total["requests"] as? Int == 1)
    }

    @Test func tenMegabyteLineIsCutCountedAndTheRestIsRead() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("huge.log")
        var text = String(repeating: Self.goodLine + "\n", count: 10)
        text += String(repeating: "x", count: 10 << 20) + "\n"
        text += String(repeating: Self.goodLine + "\n", count: 10)
        try text.write(to: url, atomically: true, encoding: .utf8)
        let result = try Harness.run(["report", "--format", "json", url.path])
        #expect(result.status == 0)
        let json = try result.json()
        let total = try #require(json["total"] as? [String: Any])
        #expect(total["requests"] as? Int == 20)
        #expect(total["lines"] as? Int == 21)
        let input = try #require((json["inputs"] as? [[String: Any]])?.first)
        #expect(input["overlong_lines"] as? Int == 1)
        #expect(input["unmatched"] as? Int == 1)
    }

    @Test func truncatedGzipReportsWhatItReadAndFails() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let good = try goodLog(dir, lines: 50_000)
        try Harness.shell("gzip -c '\(good.path)' > '\(dir.path)/full.gz'")
        let size = try FileManager.default.attributesOfItem(atPath: dir.path + "/full.gz")[.size] as! Int
        try Harness.shell("head -c \(size / 2) '\(dir.path)/full.gz' > '\(dir.path)/cut.gz'")
        // Independent count of what the first half decompresses to.
        let counted = try Harness.shell("""
            python3 -c "import zlib,sys; d=zlib.decompressobj(31).decompress(open('\(dir.path)/cut.gz','rb').read()); print(d.count(b'\\\\n'), len(d))"
            """).split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        let result = try Harness.run(["report", "--format", "json", dir.path + "/cut.gz"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("cut.gz: gzip data ends early"))
        let total = try #require(try result.json()["total"] as? [String: Any])
        #expect(total["requests"] as? Int == counted[0])
        #expect(counted[0] > 1000 && counted[0] < 50_000)
    }

    /// A format the user names is used even when the first 200 lines do not match it.
    @Test func chosenFormatHoldsPastUnmatchedStart() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("late.log")
        try (String(repeating: "banner line\n", count: 300) + Self.goodLine + "\n").write(to: url, atomically: true, encoding: .utf8)
        let result = try Harness.run(["report", "--format", "json", "--log-format", "nginx-combined+request_time", url.path])
        let total = try #require(try result.json()["total"] as? [String: Any])
        #expect(total["requests"] as? Int == 1)
        #expect(total["unmatched"] as? Int == 300)
    }

    /// Absurd byte counts in both halves of a split file merge without trapping.
    @Test func hugeByteCountsMergeAcrossWorkers() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("huge-bytes.log")
        let line = #"10.0.0.1 - - [24/Nov/2026:00:00:00 +0000] "GET /x HTTP/1.1" 200 999999999999999999 "-" "curl" 0.100"#
        try String(repeating: line + "\n", count: 40).write(to: url, atomically: true, encoding: .utf8)
        let result = try Harness.run(["report", "--format", "json", "--jobs", "2", "--split-bytes", "1", url.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect((try result.json()["total"] as? [String: Any])?["requests"] as? Int == 40)
    }

    /// Detection samples at most about 2 MiB, however long the lines.
    @Test func longLinesDoNotBloatDetection() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("long.log")
        let long = String(repeating: "y", count: 1 << 20)
        try String(repeating: long + "\n", count: 60).write(to: url, atomically: true, encoding: .utf8)
        let result = try Harness.run(["report", "--format", "json", url.path])
        #expect(result.status == 65, "no line is recognised")
        #expect((try result.json()["total"] as? [String: Any])?["lines"] as? Int == 60)
    }

    @Test func usageErrorsExit64() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let good = try goodLog(dir)
        let badFormat = try Harness.run(["report", "--nginx-format", "no variables here", good.path])
        #expect(badFormat.status == 64)
        #expect(badFormat.stderr.contains("no $variables"))
        let badBucket = try Harness.run(["report", "--bucket", "5 minutes", good.path])
        #expect(badBucket.status == 64)
        #expect(badBucket.stderr.contains("--bucket"))
    }

    /// A pattern can read any number as a request time: a huge negative one once trapped while
    /// the text report turned it into milliseconds.
    @Test func hugeNegativeLatencyThroughAPatternDoesNotTrap() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("numbers.log")
        // The only value, so it is also the maximum the report prints.
        try "-999999999999999999\n".write(to: log, atomically: true, encoding: .utf8)
        let result = try Harness.run(["report", "--pattern", "%{NUMBER:request_time}", log.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.text.contains("Latency"), "\(result.text)")
        let json = try Harness.run(["report", "--format", "json", "--pattern", "%{NUMBER:request_time}", log.path])
        #expect(json.status == 0)
        #expect(((try json.json()["total"] as? [String: Any])?["latency"] as? [String: Any])?["max"] as? Double == -1e18)
    }
}
