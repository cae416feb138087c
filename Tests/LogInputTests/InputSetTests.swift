import Testing
@testable import LogInput
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

private func ordered(_ paths: [String]) -> [String] {
    InputSet.oldestFirst(paths.map(InputSpec.init(path:))).map(\.path)
}

/// The lines of `path` read through one `LineReader` per byte range, concatenated.
private func linesByRange(_ spec: InputSpec, _ ranges: [Range<Int>], readSize: Int = 7) throws -> [[UInt8]] {
    var lines: [[UInt8]] = []
    for range in ranges {
        let framed = drain(LineReader(source: try spec.open(range: range), maxLineLength: 1 << 20, readSize: readSize))
        #expect(framed.error == nil)
        lines += framed.lines
    }
    return lines
}

@Suite struct InputSetTests {
    // MARK: Rotation order

    @Test func numberedRotationsOldestFirst() {
        let named = ["access.log", "access.log.1", "access.log.2.gz", "access.log.10.gz"]
        let expected = ["access.log.10.gz", "access.log.2.gz", "access.log.1", "access.log"]
        #expect(ordered(named) == expected)
        #expect(ordered(named.reversed()) == expected)
        #expect(ordered(["access.log.1", "access.log.10.gz", "access.log", "access.log.2.gz"]) == expected)
        // Other compressors' suffixes count as the same generation.
        #expect(ordered(["m.log", "m.log.1.zst", "m.log.3.bz2", "m.log.2.xz"]) == ["m.log.3.bz2", "m.log.2.xz", "m.log.1.zst", "m.log"])
        // Numbers compare as numbers, not as text.
        #expect(ordered(["x.log.9", "x.log.10", "x.log.100"]) == ["x.log.100", "x.log.10", "x.log.9"])
    }

    @Test func datedRotationsOldestFirst() {
        #expect(ordered(["access.log", "access.log-20261123.gz", "access.log-20261122.gz", "access.log-20261124"])
                == ["access.log-20261122.gz", "access.log-20261123.gz", "access.log-20261124", "access.log"])
        // An hour stamp after the date.
        #expect(ordered(["app.log-2026112401.gz", "app.log", "app.log-2026112323.gz"])
                == ["app.log-2026112323.gz", "app.log-2026112401.gz", "app.log"])
    }

    /// As documented: numbered generations, then dated ones, then the live file.
    @Test func numberedBeforeDatedBeforeCurrent() {
        #expect(ordered(["app.log", "app.log-20261123.gz", "app.log.1", "app.log.2.gz"])
                == ["app.log.2.gz", "app.log.1", "app.log-20261123.gz", "app.log"])
    }

    @Test func differentLogsKeepTheOrderFirstNamed() {
        let named = ["b.log.1", "a.log", "b.log", "a.log.2.gz", "a.log.1", "b.log.3.gz"]
        #expect(ordered(named) == ["b.log.3.gz", "b.log.1", "b.log", "a.log.2.gz", "a.log.1", "a.log"])
        // Same file names in different directories are different logs.
        #expect(ordered(["/srv/b/access.log", "/srv/a/access.log.1", "/srv/b/access.log.1", "/srv/a/access.log"])
                == ["/srv/b/access.log.1", "/srv/b/access.log", "/srv/a/access.log.1", "/srv/a/access.log"])
    }

    @Test func stdinAndUnrelatedNamesStayPut() {
        #expect(ordered(["-"]) == ["-"])
        #expect(ordered(["x.log", "-", "x.log.1"]) == ["x.log.1", "x.log", "-"])
        #expect(ordered(["-", "x.log", "x.log.1"]) == ["-", "x.log.1", "x.log"])
        // Names that only look a little like rotations.
        #expect(ordered(["notes.txt", "version-1.2", "data.csv"]) == ["notes.txt", "version-1.2", "data.csv"])
        #expect(ordered([]) == [])
        // The same path twice stays twice, in order.
        #expect(ordered(["y.log", "y.log.1", "y.log"]) == ["y.log.1", "y.log", "y.log"])
        #expect(InputSpec(path: "-").isStdin && InputSpec(path: "-").displayName == "<stdin>")
        #expect(!InputSpec(path: "a.log").isStdin && InputSpec(path: "a.log").displayName == "a.log")
    }

    // MARK: Line-aligned ranges

    static let files: [(name: String, bytes: [UInt8])] = [
        ("final newline", randomLines(count: 500, maxLength: 90, seed: 21) + bytes("\n")),
        ("no final newline", randomLines(count: 500, maxLength: 90, seed: 22) + bytes("end")),
        ("one huge line", Array(repeating: UInt8(ascii: "h"), count: 300_000) + bytes("\n")),
        ("one huge line, no newline", Array(repeating: UInt8(ascii: "h"), count: 300_000)),
        ("huge line in the middle", bytes("a\nb\n") + Array(repeating: UInt8(ascii: "m"), count: 200_000) + bytes("\nc\nd")),
        ("CRLF", bytes(String(repeating: "GET / 200\r\n", count: 3000))),
        ("blank lines", [UInt8](repeating: 0x0a, count: 1000)),
        ("one byte", bytes("x")),
        ("one newline", bytes("\n")),
        ("two lines", bytes("a\nb\n")),
        ("three short", bytes("a\nb\nc")),
    ]

    @Test func lineAlignedRangesCoverTheFileAndFrameTheSameLines() throws {
        let directory = TemporaryDirectory()
        for (index, (name, content)) in Self.files.enumerated() {
            let path = directory.write("file\(index).log", content)
            let spec = InputSpec(path: path)
            let size = try #require(spec.splittableSize(), "\(name)")
            #expect(size == content.count)
            let whole = oracle(content, maxLineLength: 1 << 20).lines
            for parts in 1...8 {
                let ranges = spec.lineAlignedRanges(size: size, parts: parts)
                #expect(!ranges.isEmpty && ranges.count <= parts, "\(name), \(parts) parts")
                #expect(ranges.first?.lowerBound == 0 && ranges.last?.upperBound == size, "\(name), \(parts) parts")
                for (a, b) in zip(ranges, ranges.dropFirst()) {
                    #expect(a.upperBound == b.lowerBound, "\(name): ranges must touch")
                    #expect(!a.isEmpty && !b.isEmpty, "\(name): no empty range")
                    #expect(content[b.lowerBound - 1] == 0x0a, "\(name), \(parts) parts: a cut at \(b.lowerBound) does not follow a newline")
                }
                let framed = try linesByRange(spec, ranges)
                #expect(framed == whole, "\(name), \(parts) parts: \(ranges)")
            }
        }
    }

    @Test func evenFileSplitsEvenly() throws {
        let directory = TemporaryDirectory()
        let content = bytes(String(repeating: "0123456789abcde\n", count: 4096))  // 64 KiB
        let path = directory.write("even.log", content)
        let ranges = InputSpec(path: path).lineAlignedRanges(size: content.count, parts: 4)
        #expect(ranges.count == 4)
        for range in ranges { #expect(abs(range.count - content.count / 4) <= 16) }
    }

    @Test func rangesOfAnEmptyOrMissingFile() {
        let directory = TemporaryDirectory()
        let empty = directory.write("empty.log", [])
        #expect(InputSpec(path: empty).lineAlignedRanges(size: 0, parts: 4) == [0..<0])
        #expect(InputSpec(path: directory.path + "/missing").lineAlignedRanges(size: 100, parts: 3) == [0..<100])
        #expect(InputSpec(path: empty).splittableSize() == nil)
        #expect(InputSpec(path: directory.path + "/missing").splittableSize() == nil)
        #expect(InputSpec(path: directory.path).splittableSize() == nil)
    }

    // MARK: Errors

    @Test func missingFileAndDirectoryNameThePath() throws {
        let directory = TemporaryDirectory()
        let missing = directory.path + "/no-such.log"
        #expect(throws: InputError.cannotOpen(path: missing, reason: "No such file or directory")) {
            _ = try InputSpec(path: missing).open()
        }
        #expect(throws: InputError.isDirectory(path: directory.path)) {
            _ = try InputSpec(path: directory.path).open()
        }
        #expect(throws: InputError.isDirectory(path: directory.path)) {
            _ = try FileSource(path: directory.path, range: 0..<10)
        }
        let errors: [InputError] = [
            .cannotOpen(path: missing, reason: "No such file or directory"),
            .isDirectory(path: directory.path),
            .readFailed(path: missing, reason: "I/O error"),
            .truncatedGzip(path: missing, decompressedBytes: 42),
            .corruptGzip(path: missing, decompressedBytes: 7, reason: "invalid distance too far back"),
        ]
        for error in errors {
            let path = if case .isDirectory = error { directory.path } else { missing }
            #expect(error.description.hasPrefix(path + ": "), "\(error)")
        }
        #expect(errors.map(\.isPartial) == [false, false, false, true, true])
        #expect(errors[0].description.contains("No such file"))
        #expect(errors[3].description.contains("42"))
        #expect(errors[4].description.contains("invalid distance too far back") && errors[4].description.contains("7"))
    }

    /// Standard input is read through a descriptor the source does not own (and cannot `pread`).
    @Test func descriptorSourceReadsAPipe() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let text = bytes("from a pipe\nsecond\n")
        #expect(text.withUnsafeBytes { write(fds[1], $0.baseAddress, $0.count) } == text.count)
        close(fds[1])
        let source = FileSource(descriptor: fds[0], name: "<stdin>")
        #expect(drain(LineReader(source: source, readSize: 4)).lines == [bytes("from a pipe"), bytes("second")])
        #expect(source.path == "<stdin>")
        close(fds[0])
    }

    @Test func fileSourceReadsItsRangeOnly() throws {
        let directory = TemporaryDirectory()
        let path = directory.write("r.log", bytes("0123456789"))
        let source = try FileSource(path: path, range: 3..<7)
        var buffer = [UInt8](repeating: 0, count: 3)
        var got: [UInt8] = []
        while true {
            let n = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
            if n == 0 { break }
            got += buffer[0..<n]
        }
        #expect(got == bytes("3456"))
        #expect(FileSource.regularFileSize(path) == 10)
        #expect(FileSource.regularFileSize(directory.path) == nil)
    }
}
