import Testing
@testable import LogInput

// MARK: - Test sources and the standard-library oracle (shared by the LogInput tests)

/// An in-memory input that hands out at most `chunk` bytes per read, the way a pipe or a slow
/// disk would; optionally throws once `failAt` bytes have been served.
final class ChunkedSource: ByteSource {
    let bytes: [UInt8]
    let chunk: Int
    let failAt: Int?
    var offset = 0
    private(set) var reads = 0

    init(_ bytes: [UInt8], chunk: Int, failAt: Int? = nil) {
        self.bytes = bytes
        self.chunk = max(1, chunk)
        self.failAt = failAt
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        reads += 1
        var limit = bytes.count
        if let failAt {
            if offset >= failAt { throw .readFailed(path: "memory", reason: "injected failure") }
            limit = min(limit, failAt)
        }
        let n = min(chunk, buffer.count, limit - offset)
        guard n > 0 else { return 0 }
        bytes.withUnsafeBytes { src in
            buffer.baseAddress!.copyMemory(from: src.baseAddress! + offset, byteCount: n)
        }
        offset += n
        return n
    }
}

/// What a reader handed out, copied so that it outlives the reader's buffer.
struct Framed: Equatable, CustomStringConvertible {
    var lines: [[UInt8]] = []
    var overlong = 0
    var error: InputError? = nil

    var description: String {
        let shown = lines.prefix(8).map { line in
            line.count > 40 ? "\(String(decoding: line.prefix(40), as: UTF8.self))…(\(line.count))"
                            : String(decoding: line, as: UTF8.self).debugDescription
        }
        return "\(lines.count) lines \(shown)\(lines.count > 8 ? "…" : ""), overlong \(overlong), error \(String(describing: error))"
    }
}

/// Frames `reader` to the end, checking the line number after each line.
func drain(_ reader: LineReader) -> Framed {
    var result = Framed()
    while let line = reader.nextLine() {
        result.lines.append(Array(line))
        if reader.lineNumber != result.lines.count {
            Issue.record("line number \(reader.lineNumber) after \(result.lines.count) lines")
        }
    }
    result.overlong = reader.overlongLines
    result.error = reader.error
    return result
}

func frame(_ bytes: [UInt8], chunk: Int, maxLineLength: Int = LineReader.defaultMaxLineLength,
           readSize: Int = LineReader.defaultReadSize) -> Framed {
    drain(LineReader(source: ChunkedSource(bytes, chunk: chunk), maxLineLength: maxLineLength, readSize: readSize))
}

/// The lines of `bytes` by the standard library: split on `\n`, drop one trailing `\r`, keep the
/// final piece only when it is not empty; a line longer than `maxLineLength` is cut to it.
func oracle(_ bytes: [UInt8], maxLineLength: Int = LineReader.defaultMaxLineLength) -> Framed {
    var pieces = bytes.split(separator: 0x0a, omittingEmptySubsequences: false).map(Array.init)
    if pieces.last?.isEmpty == true { pieces.removeLast() }
    var result = Framed()
    for var piece in pieces {
        if piece.last == 0x0d { piece.removeLast() }
        if piece.count > maxLineLength {
            piece = Array(piece.prefix(maxLineLength))
            result.overlong += 1
        }
        result.lines.append(piece)
    }
    return result
}

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// A small seeded generator, so a failing random input can be reproduced.
struct SplitMix64: RandomNumberGenerator {
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

/// Random log-ish text: lines of random length, some CRLF, some blank, a few odd bytes.
func randomLines(count: Int, maxLength: Int, seed: UInt64) -> [UInt8] {
    var rng = SplitMix64(seed: seed)
    var out: [UInt8] = []
    let alphabet = bytes("abcdefghijklmnopqrstuvwxyz0123456789 -/:[]\"")
    for _ in 0..<count {
        let length = Int.random(in: 0...maxLength, using: &rng)
        for _ in 0..<length {
            switch Int.random(in: 0..<100, using: &rng) {
            case 0: out.append(0x0d)
            case 1: out.append(0)
            case 2: out.append(UInt8.random(in: 0x80...0xff, using: &rng))
            default: out.append(alphabet.randomElement(using: &rng)!)
            }
        }
        if Int.random(in: 0..<5, using: &rng) == 0 { out.append(0x0d) }
        out.append(0x0a)
    }
    if Bool.random(using: &rng) { out.removeLast() }  // sometimes no final newline
    return out
}

/// Inputs whose framing has an edge to get wrong.
let framingCases: [(name: String, bytes: [UInt8])] = [
    ("empty", []),
    ("one line, no newline", bytes("hello")),
    ("one line", bytes("hello\n")),
    ("just a newline", bytes("\n")),
    ("just CR", bytes("\r")),
    ("CRLF only", bytes("\r\n")),
    ("CRLF lines", bytes("a\r\nbb\r\nccc\r\n")),
    ("CRLF, no final newline", bytes("a\r\nbb\r\nccc\r")),
    ("lone CR inside", bytes("a\rb\nc\r\rd\n\r\r\n")),
    ("blank lines", bytes("\n\n\na\n\n\nb\n\n")),
    ("trailing blank lines", bytes("x\n\n")),
    ("invalid UTF-8", [0xff, 0xfe, 0x0a, 0xc3, 0x28, 0x0a, 0xed, 0xa0, 0x80, 0x0a, 0x80]),
    ("NUL bytes", [0, 0, 0x0a, 0x61, 0, 0x62, 0x0a, 0, 0x0d, 0x0a, 0]),
    ("long lines", Array(repeating: 0x61, count: 700) + [0x0a] + Array(repeating: 0x62, count: 1300)),
    ("random short", randomLines(count: 300, maxLength: 12, seed: 1)),
    ("random long", randomLines(count: 80, maxLength: 400, seed: 2)),
]

// MARK: - Framing

@Suite struct LineReaderTests {
    @Test func framesEveryCaseOverChunkSizes1To600AndLarge() {
        let chunks = Array(1...600) + [1021, 4096, 65_536, 1 << 20]
        for (name, input) in framingCases {
            let expected = oracle(input)
            for chunk in chunks {
                let got = frame(input, chunk: chunk)
                if got != expected {
                    Issue.record("\(name), chunk \(chunk): got \(got), expected \(expected)")
                    break
                }
            }
        }
    }

    /// Small buffers force the unfinished line to be moved to the front on nearly every read, and
    /// small `maxLineLength`s cut lines, which the oracle does too.
    @Test func framesEveryCaseWithSmallBuffers() {
        let chunks = Array(1...24) + [63, 100, 257, 600, 5000]
        let sizes: [(maxLineLength: Int, readSize: Int)] = [
            (1, 1), (1, 7), (2, 1), (2, 3), (3, 1), (4, 2), (5, 5), (8, 1), (13, 4), (64, 1), (64, 3),
            (399, 1), (400, 2), (401, 3), (699, 16), (700, 1), (701, 1), (4096, 7),
            (LineReader.defaultMaxLineLength, 1), (LineReader.defaultMaxLineLength, 2),
        ]
        for (name, input) in framingCases {
            for (maxLineLength, readSize) in sizes {
                let expected = oracle(input, maxLineLength: maxLineLength)
                for chunk in chunks {
                    let got = frame(input, chunk: chunk, maxLineLength: maxLineLength, readSize: readSize)
                    if got != expected {
                        Issue.record("\(name), max \(maxLineLength), read \(readSize), chunk \(chunk): got \(got), expected \(expected)")
                        break
                    }
                }
            }
        }
    }

    @Test func specificFramings() {
        #expect(frame([], chunk: 1).lines.isEmpty)
        #expect(frame(bytes("abc"), chunk: 1).lines == [bytes("abc")])
        #expect(frame(bytes("a\r\nb\r\n"), chunk: 1).lines == [bytes("a"), bytes("b")])
        // Only one `\r` is dropped, and only right before the newline.
        #expect(frame(bytes("a\r\r\n\rb\n"), chunk: 2).lines == [bytes("a\r"), bytes("\rb")])
        #expect(frame(bytes("x\n\n"), chunk: 3).lines == [bytes("x"), []])
        #expect(frame(bytes("\n"), chunk: 3).lines == [[]])
        #expect(frame(bytes("\r"), chunk: 3).lines == [[]])
    }

    @Test func lineNumbersCountEveryLineIncludingBlankAndCut() {
        let reader = LineReader(source: ChunkedSource(bytes("one\n\nthree-is-long\nfour"), chunk: 2), maxLineLength: 5, readSize: 2)
        #expect(reader.lineNumber == 0)
        var numbered: [(Int, String)] = []
        while let line = reader.nextLine() {
            numbered.append((reader.lineNumber, String(decoding: line, as: UTF8.self)))
        }
        #expect(numbered.map(\.0) == [1, 2, 3, 4])
        #expect(numbered.map(\.1) == ["one", "", "three", "four"])
        #expect(reader.overlongLines == 1)
        #expect(reader.lineNumber == 4)
        #expect(reader.nextLine() == nil)
        #expect(reader.lineNumber == 4)
        #expect(reader.bytesRead == 23)
    }

    // MARK: Overlong lines

    @Test func lineOfExactlyMaxLengthIsNotOverlong() {
        for maxLineLength in [1, 2, 5, 64] {
            let exact = Array(repeating: UInt8(0x61), count: maxLineLength)
            for tail in [bytes("\n"), bytes("\r\n"), bytes(""), bytes("\r")] {
                let input = exact + tail + bytes("next\n")
                for readSize in [1, 2, 3, 100] {
                    for chunk in [1, 2, maxLineLength, maxLineLength + 1, 1000] {
                        let got = frame(input, chunk: chunk, maxLineLength: maxLineLength, readSize: readSize)
                        let expected = oracle(input, maxLineLength: maxLineLength)
                        #expect(got == expected, "max \(maxLineLength) tail \(tail) read \(readSize) chunk \(chunk)")
                    }
                }
            }
        }
        // And at the default size.
        let exact = Array(repeating: UInt8(0x62), count: LineReader.defaultMaxLineLength)
        for chunk in [4096, 1 << 20] {
            let got = frame(exact + bytes("\r\nafter\n"), chunk: chunk)
            #expect(got.overlong == 0)
            #expect(got.lines.count == 2 && got.lines[0] == exact && got.lines[1] == bytes("after"))
        }
    }

    @Test func overlongLineIsCutCountedAndTheNextLinesAreIntact() {
        let long = Array(repeating: UInt8(ascii: "x"), count: 50) + bytes("TAIL")
        let input = bytes("first\n") + long + bytes("\nsecond\r\n") + long + bytes("\r\nthird")
        for chunk in [1, 3, 10, 54, 55, 1000] {
            for readSize in [1, 4, 16, 64] {
                let got = frame(input, chunk: chunk, maxLineLength: 10, readSize: readSize)
                #expect(got.lines == [bytes("first"), Array(long.prefix(10)), bytes("second"), Array(long.prefix(10)), bytes("third")],
                        "chunk \(chunk) read \(readSize)")
                #expect(got.overlong == 2)
            }
        }
    }

    @Test func overlongFinalLineWithoutNewline() {
        let got = frame(bytes("ok\n0123456789abc"), chunk: 4, maxLineLength: 8, readSize: 4)
        #expect(got.lines == [bytes("ok"), bytes("01234567")])
        #expect(got.overlong == 1)
    }

    @Test func tenMegabyteLineWithDefaultSettings() {
        var input = bytes("before\n")
        input += Array(repeating: UInt8(ascii: "z"), count: 10 * 1024 * 1024)
        input += bytes("\nafter\n")
        for chunk in [65_536, 1 << 20, input.count] {
            let reader = LineReader(source: ChunkedSource(input, chunk: chunk))
            #expect(reader.nextLine().map(Array.init) == bytes("before"))
            let cut = reader.nextLine()
            #expect(cut?.count == LineReader.defaultMaxLineLength)
            #expect(cut?.allSatisfy { $0 == UInt8(ascii: "z") } == true)
            #expect(reader.lineNumber == 2)
            #expect(reader.nextLine().map(Array.init) == bytes("after"))
            #expect(reader.lineNumber == 3)
            #expect(reader.nextLine() == nil)
            #expect(reader.overlongLines == 1)
            #expect(reader.bytesRead == input.count)
        }
    }

    // MARK: Errors and buffer reuse

    @Test func sourceThatThrowsMidwayKeepsTheLinesBefore() {
        let input = bytes("alpha\nbeta\ngamma\ndelta\n")
        for failAt in 0...input.count {
            for chunk in [1, 2, 5, 100] {
                let reader = LineReader(source: ChunkedSource(input, chunk: chunk, failAt: failAt), maxLineLength: 8, readSize: 3)
                let got = drain(reader)
                // The bytes before the failure frame as if the input ended there.
                let expected = oracle(Array(input.prefix(failAt)), maxLineLength: 8)
                #expect(got.lines == expected.lines, "fail at \(failAt), chunk \(chunk)")
                #expect(got.error == .readFailed(path: "memory", reason: "injected failure"))
                #expect(got.error?.isPartial == false)
                #expect(reader.bytesRead == failAt)
            }
        }
    }

    @Test func readsStopAtTheEnd() {
        let source = ChunkedSource(bytes("a\nb\n"), chunk: 1)
        let reader = LineReader(source: source)
        _ = drain(reader)
        let reads = source.reads
        #expect(reader.nextLine() == nil)
        #expect(reader.nextLine() == nil)
        #expect(source.reads == reads)
    }

    /// Lines are ranges of one buffer allocated up front, never copies.
    @Test func linesPointIntoOneReusedBuffer() {
        let input = randomLines(count: 2000, maxLength: 80, seed: 7)
        let reader = LineReader(source: ChunkedSource(input, chunk: 333), maxLineLength: 128, readSize: 256)
        var low = UInt.max, high = UInt.min
        var count = 0
        while let line = reader.nextLine() {
            count += 1
            guard let base = line.baseAddress else { continue }
            low = min(low, UInt(bitPattern: base))
            high = max(high, UInt(bitPattern: base + line.count))
        }
        #expect(count == oracle(input).lines.count)
        #expect(high - low <= 128 + 1 + 256)
    }
}
