import Foundation
import LogArchive
import Testing

/// `report --save` and `merge`: the merge of the saves of two sets of logs is, byte for byte,
/// the report the same binary prints over both sets at once (the truth), in every format; the
/// per-label breakdown counts what `wc -l` and a regex over the files count; merges that cannot
/// be exact are refused; damaged, truncated, foreign and newer files are clean errors.
@Suite struct SaveMergeTests {
    static let samples = Harness.packageRoot.appendingPathComponent("samples")

    /// Writes lines `range` (0-based) of `source` to `target`.
    static func cut(_ source: URL, _ range: Range<Int>, to target: URL) throws {
        let text = try String(contentsOf: source, encoding: .utf8)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last == "" { lines.removeLast() }
        try (lines[range.clamped(to: 0..<lines.count)].joined(separator: "\n") + "\n").write(to: target, atomically: true, encoding: .utf8)
    }

    static func lineCount(_ url: URL) throws -> Int {
        try Data(contentsOf: url).reduce(0) { $0 + ($1 == 0x0a ? 1 : 0) }
    }

    /// report(a + b) == merge(save(a), save(b)) in JSON, text, Markdown and HTML. The JSON holds
    /// no per-run field (the elapsed time is not printed), so every byte is compared.
    static func expectExactMerge(_ a: String, _ b: String, options: [String] = [],
                                 sourceLocation: SourceLocation = #_sourceLocation) throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let saveA = dir.appendingPathComponent("a.lsa").path, saveB = dir.appendingPathComponent("b.lsa").path
        for (input, save) in [(a, saveA), (b, saveB)] {
            let r = try Harness.run(["report", "--tz", "UTC", "--format", "json", input, "--save", save] + options)
            #expect(!r.signalled && FileManager.default.fileExists(atPath: save), "\(input): \(r.stderr)", sourceLocation: sourceLocation)
        }
        for format in ["json", "text", "markdown", "html"] {
            let truth = try Harness.run(["report", "--tz", "UTC", "--keep-order", "--format", format, a, b] + options)
            let merged = try Harness.run(["merge", "--format", format, saveA, saveB])
            #expect(merged.status == 0, "\(merged.stderr)", sourceLocation: sourceLocation)
            #expect(!truth.stdout.isEmpty, sourceLocation: sourceLocation)
            #expect(merged.stdout == truth.stdout, "\(format): merge of \(a) and \(b) differs from their report",
                    sourceLocation: sourceLocation)
        }
    }

    /// One log cut in two by line ranges (time order), then merged.
    static func expectExactTimeSplit(_ log: URL, at line: Int, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = dir.appendingPathComponent("first.log"), second = dir.appendingPathComponent("second.log")
        try cut(log, 0..<line, to: first)
        try cut(log, line..<Int.max, to: second)
        #expect(try lineCount(first) + lineCount(second) == lineCount(log), sourceLocation: sourceLocation)
        try expectExactMerge(first.path, second.path, sourceLocation: sourceLocation)
    }

    @Test func nginxSplitByTimeMergesExactly() throws {
        try Self.expectExactTimeSplit(Self.samples.appendingPathComponent("access.log"), at: 1_500)
    }

    @Test func postgresSplitByTimeMergesExactly() throws {
        // Line 1,200 falls inside a multi-line statement: both sides see the same cut.
        try Self.expectExactTimeSplit(Self.samples.appendingPathComponent("postgresql.log"), at: 1_200)
    }

    @Test func applicationSplitByTimeMergesExactly() throws {
        try Self.expectExactTimeSplit(Self.samples.appendingPathComponent("app.log"), at: 1_500)
    }

    @Test func nginxHostsMergeExactly() throws {
        guard let corpora = Harness.corpora() else { return }
        try Self.expectExactMerge(Self.samples.appendingPathComponent("access.log").path,
                                  corpora.appendingPathComponent("elastic-examples/Common Data Formats/apache_logs/apache_logs").path)
    }

    @Test func postgresHostsMergeExactly() throws {
        guard let corpora = Harness.corpora() else { return }
        try Self.expectExactMerge(Self.samples.appendingPathComponent("postgresql.log").path,
                                  corpora.appendingPathComponent("pgbadger/t/fixtures/anonymize.log").path)
    }

    @Test func applicationHostsMergeExactly() throws {
        guard let corpora = Harness.corpora() else { return }
        try Self.expectExactMerge(corpora.appendingPathComponent("loghub/OpenSSH/OpenSSH_2k.log").path,
                                  corpora.appendingPathComponent("loghub/Zookeeper/Zookeeper_2k.log").path)
        try Self.expectExactMerge(Self.samples.appendingPathComponent("app.log").path,
                                  corpora.appendingPathComponent("lnav/test/logfile_java.0").path)
    }

    @Test func mixedFamiliesMergeExactly() throws {
        try Self.expectExactMerge(Self.samples.appendingPathComponent("access.log.1").path,
                                  Self.samples.appendingPathComponent("postgresql.log").path)
    }

    /// A merged save merges again to the same report; a save of one file renders as its report.
    /// Day buckets start at local midnight of `--tz` (23- and 25-hour days): saved with that
    /// zone, read back at the same starts, merged as one report over both logs.
    @Test func localDayBucketsSurviveASave() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = dir.appendingPathComponent("a.log"), b = dir.appendingPathComponent("b.log")
        // Requests around midnight Berlin time before and after the change to summer time.
        let line = { (t: String) in #"10.0.0.1 - - [\#(t)] "GET /a HTTP/1.1" 200 5 "-" "curl/8" 0.010"# }
        try [line("28/Mar/2026:22:30:00 +0000"), line("28/Mar/2026:23:30:00 +0000")].joined(separator: "\n").appending("\n")
            .write(to: a, atomically: true, encoding: .utf8)
        try [line("29/Mar/2026:21:30:00 +0000"), line("29/Mar/2026:22:30:00 +0000")].joined(separator: "\n").appending("\n")
            .write(to: b, atomically: true, encoding: .utf8)
        let options = ["--tz", "Europe/Berlin", "--bucket", "1d"]
        for (input, save) in [(a, "a.lsa"), (b, "b.lsa")] {
            let r = try Harness.run(["report", "--format", "json", input.path, "--save", dir.appendingPathComponent(save).path] + options)
            #expect(r.status == 0, "\(r.stderr)")
        }
        let truth = try Harness.run(["report", "--keep-order", "--format", "json", a.path, b.path] + options)
        let merged = try Harness.run(["merge", "--format", "json", dir.appendingPathComponent("a.lsa").path, dir.appendingPathComponent("b.lsa").path])
        #expect(merged.status == 0, "\(merged.stderr)")
        #expect(merged.stdout == truth.stdout)
        // Berlin days: 28 Mar from 27 Mar 23:00Z (one request), 29 Mar (23 hours) from 28 Mar
        // 23:00Z (two), 30 Mar from 29 Mar 22:00Z (one).
        #expect(merged.text.contains("2026-03-28T23:00:00Z") && merged.text.contains("2026-03-29T22:00:00Z"), "\(merged.text.prefix(600))")
    }

    @Test func mergedSaveMergesAgain() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = Self.samples.appendingPathComponent("access.log").path
        let pg = Self.samples.appendingPathComponent("postgresql.log").path
        let a = dir.appendingPathComponent("a.lsa").path, b = dir.appendingPathComponent("b.lsa").path
        let ab = dir.appendingPathComponent("ab.lsa").path
        _ = try Harness.run(["report", "--tz", "UTC", log, "--save", a])
        _ = try Harness.run(["report", "--tz", "UTC", pg, "--save", b])
        let one = try Harness.run(["merge", "--format", "json", a])
        #expect(one.stdout == (try Harness.run(["report", "--tz", "UTC", "--format", "json", log])).stdout)
        let first = try Harness.run(["merge", "--format", "json", a, b, "--save", ab])
        #expect(first.status == 0)
        let again = try Harness.run(["merge", "--format", "json", ab])
        #expect(again.status == 0 && again.stdout == first.stdout)
    }

    /// Bucket widths: 1m and 5m merge into 5m buckets (as a 5m report); 1m and 90s are refused.
    @Test func bucketWidthsMergeOnlyWhenOneDividesTheOther() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = dir.appendingPathComponent("first.log"), second = dir.appendingPathComponent("second.log")
        try Self.cut(Self.samples.appendingPathComponent("access.log"), 0..<1_500, to: first)
        try Self.cut(Self.samples.appendingPathComponent("access.log"), 1_500..<Int.max, to: second)
        let m1 = dir.appendingPathComponent("m1.lsa").path, m5 = dir.appendingPathComponent("m5.lsa").path
        let s90 = dir.appendingPathComponent("s90.lsa").path
        _ = try Harness.run(["report", "--tz", "UTC", "--bucket", "1m", first.path, "--save", m1])
        _ = try Harness.run(["report", "--tz", "UTC", "--bucket", "5m", second.path, "--save", m5])
        _ = try Harness.run(["report", "--tz", "UTC", "--bucket", "90s", second.path, "--save", s90])
        let merged = try Harness.run(["merge", "--format", "json", m1, m5])
        let truth = try Harness.run(["report", "--tz", "UTC", "--bucket", "5m", "--format", "json", first.path, second.path])
        #expect(merged.status == 0 && merged.stdout == truth.stdout)
        #expect((try merged.json())["bucket_seconds"] as? Int == 300)

        let refused = try Harness.run(["merge", m1, s90])
        #expect(refused.status == 65 && !refused.signalled && refused.stdout.isEmpty)
        #expect(refused.stderr.contains("m1.lsa") && refused.stderr.contains("does not divide") && refused.stderr.contains("90s"))
    }

    /// Per-label totals against the files themselves: lines = `wc -l`, requests = lines of the
    /// combined format, 5xx = those with a 5xx status (a regex over the file, not logsift).
    @Test func labelsBreakTotalsDownPerHost() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let web1 = Self.samples.appendingPathComponent("access.log"), web2 = Self.samples.appendingPathComponent("access.log.1")
        let s1 = dir.appendingPathComponent("web1.lsa").path, s2 = dir.appendingPathComponent("web2.lsa").path
        let single = try Harness.run(["report", "--format", "json", "--label", "host=web1", web1.path, "--save", s1])
        #expect((try single.json())["labels"] == nil, "one label value: no breakdown")
        _ = try Harness.run(["report", "--label", "host=web2", web2.path, "--save", s2])
        let merged = try Harness.run(["merge", "--format", "json", s1, s2])
        #expect(merged.status == 0)
        let labels = try #require((try merged.json())["labels"] as? [String: Any])
        #expect(labels["name"] as? String == "host")
        let items = try #require(labels["items"] as? [[String: Any]])
        #expect(items.map { $0["value"] as? String } == ["web1", "web2"])
        let pattern = try NSRegularExpression(pattern: #"^\S+ \S+ \S+ \[[^\]]+\] "(?:[^"\\]|\\.)*" (\d{3}) "#, options: .anchorsMatchLines)
        for (item, file) in zip(items, [web1, web2]) {
            let text = try String(contentsOf: file, encoding: .utf8)
            let matches = pattern.matches(in: text, range: NSRange(text.startIndex..., in: text))
            let fiveHundreds = matches.filter { (text as NSString).substring(with: $0.range(at: 1)).hasPrefix("5") }.count
            #expect(item["lines"] as? Int == (try Self.lineCount(file)))
            #expect(item["requests"] as? Int == matches.count)
            #expect(item["5xx"] as? Int == fiveHundreds)
            #expect(item["p95"] is Double)
        }
        #expect(items[0]["requests"] as? Int == 2_996, "samples/README.md: 3,000 lines, 4 of them garbage")
        for format in ["text", "markdown", "html"] {
            let out = try Harness.run(["merge", "--format", format, s1, s2]).text
            #expect(out.contains("Per host") && out.contains("web1") && out.contains("web2"), "\(format)")
        }
    }

    /// `--label-from`: one run over files of two hosts breaks its totals down per host, with
    /// the counts of the files themselves (`wc -l`, a regex over the lines), and is otherwise
    /// the report of the same files without labels.
    @Test func labelFromBreaksOneRunDownPerHost() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fm = FileManager.default
        for host in ["web1", "web2"] { try fm.createDirectory(at: dir.appendingPathComponent(host), withIntermediateDirectories: true) }
        let a1 = dir.appendingPathComponent("web1/access.log"), a2 = dir.appendingPathComponent("web2/access.log")
        let b1 = dir.appendingPathComponent("web1/access.log.1")
        try fm.copyItem(at: Self.samples.appendingPathComponent("access.log"), to: a1)
        try fm.copyItem(at: Self.samples.appendingPathComponent("access.log.1"), to: a2)
        try fm.copyItem(at: Self.samples.appendingPathComponent("access.log.1"), to: b1)

        let labelled = try Harness.run(["report", "--format", "json", "--tz", "UTC", "--label-from", "host=/(web[0-9]+)/",
                                        a1.path, a2.path, b1.path])
        #expect(labelled.status == 0, "\(labelled.stderr)")
        var json = try labelled.json()
        let labels = try #require(json["labels"] as? [String: Any])
        #expect(labels["name"] as? String == "host")
        let items = try #require(labels["items"] as? [[String: Any]])
        #expect(items.map { $0["value"] as? String } == ["web1", "web2"])
        let pattern = try NSRegularExpression(pattern: #"^\S+ \S+ \S+ \[[^\]]+\] "(?:[^"\\]|\\.)*" (\d{3}) "#, options: .anchorsMatchLines)
        for (item, files) in zip(items, [[a1, b1], [a2]]) {
            var lines = 0, requests = 0, fiveHundreds = 0
            for file in files {
                let text = try String(contentsOf: file, encoding: .utf8)
                let matches = pattern.matches(in: text, range: NSRange(text.startIndex..., in: text))
                lines += try Self.lineCount(file)
                requests += matches.count
                fiveHundreds += matches.filter { (text as NSString).substring(with: $0.range(at: 1)).hasPrefix("5") }.count
            }
            #expect(item["lines"] as? Int == lines)
            #expect(item["requests"] as? Int == requests)
            #expect(item["5xx"] as? Int == fiveHundreds)
        }
        // Without the breakdown, the report of the files in the order of their hosts.
        json["labels"] = nil
        let plain = try Harness.run(["report", "--format", "json", "--tz", "UTC", a1.path, b1.path, a2.path]).json()
        #expect(NSDictionary(dictionary: json).isEqual(to: plain))

        let unmatched = try Harness.run(["report", "--label-from", "host=/(db[0-9]+)/", a1.path])
        #expect(unmatched.status == 64 && unmatched.stderr.contains("does not match the regex") && unmatched.stderr.contains("web1/access.log"))
        let broken = try Harness.run(["report", "--label-from", "host=/(web", a1.path])
        #expect(broken.status == 64 && broken.stderr.contains("does not compile"))
        let both = try Harness.run(["report", "--label", "host=x", "--label-from", "host=(web1)", a1.path])
        #expect(both.status == 64 && both.stderr.contains("not both"))
    }

    /// Each kind of bad file is refused with its own message naming it, never a crash.
    @Test func badSaveFilesAreCleanErrors() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let good = dir.appendingPathComponent("good.lsa")
        _ = try Harness.run(["report", Self.samples.appendingPathComponent("access.log.1").path, "--save", good.path])
        let bytes = try [UInt8](Data(contentsOf: good))
        #expect(Array(bytes.prefix(8)) == SaveFile.magic)
        var newer = bytes
        newer[8] = 2
        var flipped = bytes
        flipped[bytes.count / 2] ^= 0x04
        let cases: [(String, [UInt8]?, String)] = [
            ("truncated.lsa", Array(bytes.prefix(bytes.count - 1)), "truncated"),
            ("header.lsa", Array(bytes.prefix(12)), "truncated"),
            ("newer.lsa", newer, "newer logsift"),
            ("flipped.lsa", flipped, "checksum mismatch"),
            ("foreign.lsa", Array("127.0.0.1 - - [24/Nov/2026:13:00:00 +0100] \"GET / HTTP/1.1\" 200 1\n".utf8), "not a logsift save file"),
            ("empty.lsa", [], "empty"),
            ("missing.lsa", nil, "No such file"),
        ]
        for (name, content, message) in cases {
            let url = dir.appendingPathComponent(name)
            if let content { try Data(content).write(to: url) }
            let r = try Harness.run(["merge", good.path, url.path])
            #expect(!r.signalled && r.status != 0 && r.stdout.isEmpty, "\(name)")
            #expect(r.stderr.contains(url.path) && r.stderr.contains(message), "\(name): \(r.stderr)")
        }
    }

    /// A save with all three families, truncated at ~2,500 offsets and with a byte changed at
    /// each of them, decoded in process: always an error naming the file, never a trap. Then flips with the
    /// checksum recomputed (a crafted file): the payload reader must throw or succeed, never
    /// trap. Then a sample of the same through the binary: exit status 65, the file named.
    @Test func truncatedAndCorruptedSavesFuzzed() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let save = dir.appendingPathComponent("all.lsa")
        _ = try Harness.run(["report", "--tz", "UTC"] + ["access.log.1", "postgresql.log", "app.log"].map {
            Self.samples.appendingPathComponent($0).path
        } + ["--save", save.path])
        let bytes = try [UInt8](Data(contentsOf: save))
        let saved = try SaveFile.decode(bytes, path: "all.lsa")
        #expect(saved.analysis.postgres != nil && saved.analysis.application != nil && saved.analysis.traffic.total.requests == 700)
        #expect(SaveFile.encode(saved) == bytes, "read back and written again: the same bytes")

        // Every offset in the header and the first fields, then a spread over the rest (a debug
        // build decodes a few thousand files a second on a busy machine).
        let offsets = Array(0..<min(512, bytes.count)) + Array(stride(from: 512, to: bytes.count, by: max(1, bytes.count / 2_000)))
        for n in offsets {
            #expect(throws: SaveFileError.self) { try SaveFile.decode(Array(bytes.prefix(n)), path: "cut.lsa") }
        }
        var rng = SystemRandomNumberGenerator()
        for position in offsets {
            var damaged = bytes
            damaged[position] ^= UInt8.random(in: 1...255, using: &rng)
            do {
                _ = try SaveFile.decode(damaged, path: "flip.lsa")
                Issue.record("a damaged byte at \(position) was not noticed")
            } catch {
                #expect(error.path == "flip.lsa")
            }
        }
        // Crafted: the payload changed and the checksum recomputed, so the reader itself is fuzzed.
        let payload = 20..<(bytes.count - 4)
        for position in stride(from: payload.lowerBound, to: payload.upperBound, by: max(1, payload.count / 300)) {
            var crafted = bytes
            crafted[position] ^= UInt8(1 << (position % 8))
            let crc = Self.crc32(Array(crafted[0..<payload.upperBound]))
            for k in 0..<4 { crafted[payload.upperBound + k] = UInt8(truncatingIfNeeded: crc >> (8 * UInt32(k))) }
            _ = try? SaveFile.decode(crafted, path: "crafted.lsa")
        }

        for (i, offset) in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 40)).enumerated() {
            var damaged = i % 2 == 0 ? Array(bytes.prefix(offset)) : bytes
            if i % 2 == 1 { damaged[offset] ^= 0x80 }
            let url = dir.appendingPathComponent("fuzz-\(offset).lsa")
            try Data(damaged).write(to: url)
            let r = try Harness.run(["merge", "--format", "json", url.path])
            #expect(!r.signalled && r.status == 65 && r.stdout.isEmpty, "offset \(offset): \(r.status) \(r.stderr)")
            #expect(r.stderr.contains(url.path), "offset \(offset): \(r.stderr)")
        }
    }

    /// The textbook table-driven CRC-32 (reflected polynomial 0xEDB88320), independent of the
    /// zlib call that wrote the file: it checks the trailer and lets the fuzz craft files.
    static let crcTable: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 == 1 ? (c >> 1) ^ 0xEDB8_8320 : c >> 1 }
        return c
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for b in bytes { crc = crcTable[Int((crc ^ UInt32(b)) & 0xff)] ^ (crc >> 8) }
        return ~crc
    }

    @Test func trailerIsTheCRC32OfEverythingBeforeIt() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let save = dir.appendingPathComponent("s.lsa")
        _ = try Harness.run(["report", Self.samples.appendingPathComponent("access.log.1").path, "--save", save.path])
        let bytes = try [UInt8](Data(contentsOf: save))
        let length = bytes[12..<20].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        #expect(UInt64(bytes.count) == 20 + length + 4)
        let stored = bytes[(bytes.count - 4)...].enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) }
        #expect(stored == Self.crc32(Array(bytes[0..<(bytes.count - 4)])))
    }
}

extension SaveMergeTests {
    /// More path templates than the path table holds (5,000): the saves evicted, and the merge
    /// says so as the report does (`exact: false`, evicted requests added up), while every
    /// count outside the bounded table (totals, buckets) still equals the report's.
    @Test func evictedPathTablesAreMarkedNotExact() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // 9,000 distinct word paths (no id to template away), 12,000 lines per file.
        var generator = SaveTestRandom(seed: 7)
        let letters = Array("ghijklmnopqrstuvwxyz")
        let paths = (0..<9_000).map { _ in "/w/" + String((0..<7).map { _ in letters[Int(generator.next() % 20)] }) }
        var files: [String] = []
        for (n, hour) in [(1, 12), (2, 13)] {
            var text = ""
            for i in 0..<12_000 {
                let s = i / 4
                let path = i % 3 == 0 ? paths[0] : paths[Int(generator.next() % 9_000)]
                let status = generator.next() % 4 == 0 ? 500 : 200
                text += "10.0.0.1 - - [24/Nov/2026:\(hour):\(String(format: "%02d:%02d", s / 60, s % 60)) +0000] \"GET \(path) HTTP/1.1\" \(status) 100 \"-\" \"x\" 0.0\(10 + generator.next() % 90)\n"
            }
            let url = dir.appendingPathComponent("e\(n).log")
            try text.write(to: url, atomically: true, encoding: .utf8)
            files.append(url.path)
        }
        var evicted = 0
        var saves: [String] = []
        for file in files {
            let save = file + ".lsa"
            let r = try Harness.run(["report", "--format", "json", file, "--save", save])
            let top = try #require((try r.json())["top_paths"] as? [String: Any])
            #expect(top["exact"] as? Bool == false)
            evicted += try #require(top["evicted_requests"] as? Int)
            saves.append(save)
        }
        let merged = try Harness.run(["merge", "--format", "json"] + saves).json()
        let truth = try Harness.run(["report", "--keep-order", "--format", "json"] + files).json()
        let top = try #require(merged["top_paths"] as? [String: Any])
        #expect(top["exact"] as? Bool == false)
        #expect(top["evicted_requests"] as? Int == evicted)
        #expect((truth["top_paths"] as? [String: Any])?["exact"] as? Bool == false)
        #expect((merged["total"] as? NSDictionary) == (truth["total"] as? NSDictionary))
        #expect((merged["buckets"] as? NSArray) == (truth["buckets"] as? NSArray))
        #expect((merged["total"] as? [String: Any])?["requests"] as? Int == 24_000)
    }
}

/// A small deterministic generator for test data (SplitMix64).
private struct SaveTestRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
