import Foundation
import Testing
import Zlib
@testable import LogInput

// MARK: - Helpers: gzip data made by /bin/gzip at test time, temporary files

/// A fresh temporary directory, removed when the value is dropped.
final class TemporaryDirectory {
    let path: String
    init() {
        path = NSTemporaryDirectory() + "logsift-input-tests-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }

    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) -> String {
        let file = path + "/" + name
        _ = FileManager.default.createFile(atPath: file, contents: Data(bytes))
        return file
    }
}

/// Compresses `bytes` into one gzip member with the system's gzip.
func gzip(_ bytes: [UInt8], level: Int = 6, storeName: Bool = false) -> [UInt8] {
    let directory = TemporaryDirectory()
    let file = directory.write("data", bytes)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/gzip")
    process.arguments = [storeName ? "-N" : "-n", "-\(level)", file]
    try! process.run()
    process.waitUntilExit()
    precondition(process.terminationStatus == 0, "gzip failed")
    return Array(FileManager.default.contents(atPath: file + ".gz")!)
}

/// Everything a `GzipSource` serves when read `outputChunk` bytes at a time.
func inflateAll(_ compressed: [UInt8], inputChunk: Int, outputChunk: Int,
                inputBufferSize: Int = 256 * 1024) -> (bytes: [UInt8], error: InputError?) {
    let source = try! GzipSource(compressed: ChunkedSource(compressed, chunk: inputChunk), path: "test.gz",
                                 inputBufferSize: inputBufferSize)
    var out: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: outputChunk)
    while true {
        do {
            let n = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
            if n == 0 { return (out, nil) }
            out += buffer[0..<n]
        } catch {
            // After an error the source stays finished.
            let again = try? buffer.withUnsafeMutableBytes { try source.read(into: $0) }
            if again != 0 { Issue.record("read after \(error) gave \(String(describing: again))") }
            guard let error = error as? InputError else { fatalError("\(error)") }
            return (out, error)
        }
    }
}

/// How many bytes zlib itself gets out of `compressed` given all of it at once: the reference
/// for how far a truncated or corrupt file can be read.
func referenceInflatedCount(_ compressed: [UInt8], capacity: Int) -> Int {
    let inflater = try! Inflater()
    var output = [UInt8](repeating: 0, count: capacity + 1024)
    var position = 0, total = 0
    while position < compressed.count {
        let step: Inflater.Step
        do {
            step = try compressed.withUnsafeBytes { input in
                try output.withUnsafeMutableBytes { out in
                    try inflater.inflate(UnsafeRawBufferPointer(rebasing: input[position...]),
                                         into: UnsafeMutableRawBufferPointer(rebasing: out[total...]))
                }
            }
        } catch { break }
        position += step.consumed
        total += step.produced
        if step.memberEnded {
            guard position < compressed.count, compressed[position] == 0x1f else { break }
            inflater.reset()
        } else if step.consumed == 0 && step.produced == 0 {
            break
        }
    }
    return total
}

func frameGzip(_ compressed: [UInt8], chunk: Int, maxLineLength: Int = LineReader.defaultMaxLineLength,
               readSize: Int = LineReader.defaultReadSize) -> Framed {
    let source = try! GzipSource(compressed: ChunkedSource(compressed, chunk: chunk), path: "test.gz")
    return drain(LineReader(source: source, maxLineLength: maxLineLength, readSize: readSize))
}

// MARK: - Tests

@Suite struct GzipSourceTests {
    static let text = randomLines(count: 400, maxLength: 120, seed: 11)

    @Test func singleMemberOverChunkSizes() {
        let plain = Self.text
        let compressed = gzip(plain)
        let expected = oracle(plain)
        for chunk in Array(1...100) + [1000, 4096, 1 << 20] {
            let got = frameGzip(compressed, chunk: chunk)
            if got != expected {
                Issue.record("chunk \(chunk): \(got)")
                break
            }
        }
        // Small output reads and a small compressed buffer too.
        for (outputChunk, inputBufferSize) in [(1, 1), (3, 2), (7, 16), (100, 3), (4096, 1), (4096, 1 << 18)] {
            for inputChunk in [1, 5, 64, 10_000] {
                let got = inflateAll(compressed, inputChunk: inputChunk, outputChunk: outputChunk, inputBufferSize: inputBufferSize)
                #expect(got.error == nil)
                #expect(got.bytes == plain, "out \(outputChunk) in \(inputChunk) buffer \(inputBufferSize)")
            }
        }
    }

    @Test func multiMemberEmptyMemberAndAMemberPerLine() {
        let a = bytes("first member line 1\nfirst member line 2\n")
        let b = bytes("second member, no final newline")
        let c = Self.text
        let cases: [(String, [UInt8], [UInt8])] = [
            ("cat a.gz b.gz", gzip(a) + gzip(b), a + b),
            ("empty member", gzip([]), []),
            ("empty members around", gzip([]) + gzip(a) + gzip([]) + gzip([]) + gzip(c) + gzip([]), a + c),
            ("line split across members", gzip(bytes("half a li")) + gzip(bytes("ne\nrest\n"), level: 1), bytes("half a line\nrest\n")),
            ("header with a file name and time", gzip(a, storeName: true) + gzip(b, storeName: true), a + b),
            ("stored (level 1) and best (9)", gzip(c, level: 1) + gzip(a, level: 9), c + a),
        ]
        let lines = (0..<60).map { bytes("line \($0) of the member-per-line file\r\n") }
        let perLine = ("member per line", lines.map { gzip($0) }.reduce([], +), lines.reduce([], +))
        for (name, compressed, plain) in cases + [perLine] {
            let expected = oracle(plain)
            for chunk in Array(1...100) + [777, 1 << 20] {
                let got = frameGzip(compressed, chunk: chunk)
                if got != expected {
                    Issue.record("\(name), chunk \(chunk): \(got), expected \(expected)")
                    break
                }
            }
            for outputChunk in [1, 2, 13, 65_536] {
                let got = inflateAll(compressed, inputChunk: 3, outputChunk: outputChunk)
                #expect(got.bytes == plain && got.error == nil, "\(name), output chunk \(outputChunk)")
            }
        }
    }

    /// Cut anywhere, a gzip file gives back every byte zlib can decode from what is there, then
    /// `truncatedGzip` with that count; the lines before the cut are intact.
    @Test func truncatedGzipDeliversWhatCameBefore() {
        let plain = Self.text + bytes("last line\n")
        let member = gzip(plain)
        let compressed = gzip(bytes("member one\n")) + member
        let firstLength = compressed.count - member.count
        var cuts = Array(stride(from: 1, to: compressed.count, by: 89))
        cuts += Array((compressed.count - 12)..<compressed.count)  // inside the trailer
        cuts += [firstLength - 1, firstLength + 1, firstLength + 2, firstLength + 10]  // around the member boundary
        for cut in cuts {
            let truncated = Array(compressed.prefix(cut))
            let reference = referenceInflatedCount(truncated, capacity: plain.count + 11)
            for (inputChunk, outputChunk) in [(1, 1), (1, 4096), (7, 3), (64, 100), (4096, 1), (1 << 20, 1 << 20)] {
                let got = inflateAll(truncated, inputChunk: inputChunk, outputChunk: outputChunk)
                let whole = bytes("member one\n") + plain
                #expect(got.bytes == Array(whole.prefix(got.bytes.count)), "cut \(cut)")
                #expect(got.bytes.count == reference, "cut \(cut), chunks \(inputChunk)/\(outputChunk)")
                #expect(got.error == .truncatedGzip(path: "test.gz", decompressedBytes: got.bytes.count),
                        "cut \(cut), chunks \(inputChunk)/\(outputChunk)")
            }
            // Through a line reader: the lines before the cut come out; the error is kept.
            for chunk in [1, 13, 4096] {
                let got = frameGzip(truncated, chunk: chunk, maxLineLength: 200, readSize: 64)
                let whole = bytes("member one\n") + plain
                let expected = oracle(Array(whole.prefix(reference)), maxLineLength: 200)
                #expect(got.lines == expected.lines, "cut \(cut), chunk \(chunk)")
                #expect(got.error == .truncatedGzip(path: "test.gz", decompressedBytes: reference))
                #expect(got.error?.isPartial == true)
            }
        }
    }

    @Test func truncatedInsideTheTrailerStillServesAllData() {
        let plain = Self.text
        let compressed = gzip(plain)
        for dropped in 1...8 {
            let got = inflateAll(Array(compressed.dropLast(dropped)), inputChunk: 5, outputChunk: 333)
            #expect(got.bytes == plain)
            #expect(got.error == .truncatedGzip(path: "test.gz", decompressedBytes: plain.count))
        }
    }

    @Test func corruptBytesInTheMiddle() {
        let plain = Self.text
        let compressed = gzip(plain)
        // The CRC of the trailer no longer matches: every byte was served, then the error.
        var badCRC = compressed
        badCRC[badCRC.count - 8] ^= 0xff
        for chunk in [1, 100, 1 << 20] {
            let got = frameGzip(badCRC, chunk: chunk)
            #expect(got.lines == oracle(plain).lines)
            guard case .corruptGzip(let path, let count, let reason)? = got.error else {
                Issue.record("chunk \(chunk): \(String(describing: got.error))")
                continue
            }
            #expect(path == "test.gz" && count == plain.count)
            #expect(reason.contains("check"), "zlib's own message, got \(reason)")
        }
        // A run of 0xff in the middle of the deflate data is not a valid code.
        var badData = compressed
        for i in (compressed.count / 2)..<(compressed.count / 2 + 16) { badData[i] = 0xff }
        let reference = referenceInflatedCount(badData, capacity: plain.count)
        for chunk in [1, 3, 100, 1 << 20] {
            for outputChunk in [1, 50, 1 << 16] {
                let got = inflateAll(badData, inputChunk: chunk, outputChunk: outputChunk)
                // Bytes decoded from before the damage are intact; after it zlib may decode
                // some garbage before it notices. How many bytes come out must not depend on
                // how the input or output was chunked.
                #expect(Array(got.bytes.prefix(100)) == Array(plain.prefix(100)))
                #expect(got.bytes.count == reference, "chunk \(chunk), output \(outputChunk)")
                #expect(reference < plain.count)
                guard case .corruptGzip(_, let count, _)? = got.error else {
                    Issue.record("chunk \(chunk): \(String(describing: got.error))")
                    continue
                }
                #expect(count == got.bytes.count)
                #expect(got.error?.isPartial == true)
            }
        }
        // A bad header (compression method 7) fails before any byte.
        var badHeader = compressed
        badHeader[2] = 7
        let got = inflateAll(badHeader, inputChunk: 10, outputChunk: 100)
        #expect(got.bytes.isEmpty)
        if case .corruptGzip(_, let count, _)? = got.error { #expect(count == 0) } else { Issue.record("\(String(describing: got.error))") }
    }

    @Test func trailingBytesAfterTheLastMember() {
        let plain = bytes("one\ntwo\n")
        let compressed = gzip(plain)
        for chunk in [1, 2, 1000] {
            // Garbage: the lines are all there, then an error that says what happened.
            let got = frameGzip(compressed + bytes("garbage\n"), chunk: chunk)
            #expect(got.lines == [bytes("one"), bytes("two")])
            #expect(got.error == .corruptGzip(path: "test.gz", decompressedBytes: plain.count, reason: "trailing bytes that are not gzip"))
            // Garbage that starts like a gzip magic byte is still corrupt, not a crash.
            let magicLike = frameGzip(compressed + [0x1f, 0x00, 0x00, 0x00, 0x01, 0x02], chunk: chunk)
            #expect(magicLike.lines == [bytes("one"), bytes("two")])
            #expect(magicLike.error?.isPartial == true)
            // Zero padding (as tar and some copy tools leave it) is not an error.
            let padded = frameGzip(compressed + [UInt8](repeating: 0, count: 512), chunk: chunk)
            #expect(padded.lines == [bytes("one"), bytes("two")])
            #expect(padded.error == nil)
        }
    }

    @Test func emptyCompressedInputIsEmpty() {
        let got = inflateAll([], inputChunk: 1, outputChunk: 10)
        #expect(got.bytes.isEmpty && got.error == nil)
    }

    // MARK: Opening by magic bytes

    @Test func openDetectsGzipByMagicBytesNotName() throws {
        let directory = TemporaryDirectory()
        let plain = bytes("GET /a 200\nGET /b 404\n")
        let gzipNamedLog = directory.write("access.log", gzip(plain))
        let textNamedGz = directory.write("access.log.1.gz", plain)
        let oneByte = directory.write("one-byte.log", [0x1f])
        let empty = directory.write("empty.log", [])
        let gzipMagicOnly = directory.write("magic.log", GzipSource.magic)

        for path in [gzipNamedLog, textNamedGz] {
            let source = try InputSpec(path: path).open()
            #expect(drain(LineReader(source: source, readSize: 3)) == oracle(plain), "\(path)")
        }
        #expect(try InputSpec(path: gzipNamedLog).open() is GzipSource)
        #expect(!(try InputSpec(path: textNamedGz).open() is GzipSource))
        #expect(drain(LineReader(source: try InputSpec(path: oneByte).open())).lines == [[0x1f]])
        #expect(drain(LineReader(source: try InputSpec(path: empty).open())).lines.isEmpty)
        let magicOnly = drain(LineReader(source: try InputSpec(path: gzipMagicOnly).open()))
        #expect(magicOnly.lines.isEmpty)
        #expect(magicOnly.error == .truncatedGzip(path: gzipMagicOnly, decompressedBytes: 0))

        // Splitting between workers is for plain files only.
        #expect(InputSpec(path: gzipNamedLog).splittableSize() == nil)
        #expect(InputSpec(path: textNamedGz).splittableSize() == plain.count)
        #expect(InputSpec(path: empty).splittableSize() == nil)
        #expect(InputSpec(path: oneByte).splittableSize() == 1)
        #expect(InputSpec(path: "-").splittableSize() == nil)
    }

    @Test func truncatedGzipFileNamesThePath() throws {
        let directory = TemporaryDirectory()
        let plain = Self.text
        let compressed = gzip(plain)
        let path = directory.write("cut.log.gz", Array(compressed.prefix(compressed.count / 2)))
        let reader = LineReader(source: try InputSpec(path: path).open())
        let got = drain(reader)
        guard case .truncatedGzip(let errorPath, let count)? = got.error else {
            Issue.record("\(String(describing: got.error))")
            return
        }
        #expect(errorPath == path)
        #expect(count > 0 && count < plain.count)
        #expect(got.lines == oracle(Array(plain.prefix(count))).lines)
        #expect(got.error!.description.contains(path))
        #expect(got.error!.description.contains("\(count)"))
    }
}

/// Compression formats told apart by magic bytes only.
@Suite struct CompressionTests {
    @Test func magicBytesNameTheFormat() {
        #expect(Compression.detect([0x1f, 0x8b, 8, 0]) == .gzip)
        #expect(Compression.detect([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0, 4]) == .xz)
        #expect(Compression.detect([0x28, 0xb5, 0x2f, 0xfd, 0x24, 0]) == .zstd)
        #expect(Compression.detect(Array("BZh9".utf8) + [0x31, 0x41, 0x59, 0x26, 0x53, 0x59]) == .bzip2)
        #expect(Compression.detect(Array("BZh9".utf8) + [0x17, 0x72, 0x45, 0x38, 0x50, 0x90]) == .bzip2)
    }

    /// Text that happens to start like a magic is text.
    @Test func textIsNotTakenForCompression() {
        #expect(Compression.detect(Array("BZh1 started the job".utf8)) == nil)
        #expect(Compression.detect(Array("BZh".utf8)) == nil)
        #expect(Compression.detect(Array("2026-11-24 ok".utf8)) == nil)
        #expect(Compression.detect([0x1f]) == nil)
        #expect(Compression.detect([]) == nil)
    }
}
