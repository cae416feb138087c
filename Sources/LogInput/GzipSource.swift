import Zlib

/// Inflates a gzip stream from another source, member after member, so that concatenated
/// (multi-member) files read as one. A stream that ends inside a member throws
/// `InputError.truncatedGzip` after every byte before that point has been served.
public final class GzipSource: ByteSource {
    let compressed: ByteSource
    let path: String
    let inflater: Inflater
    let input: UnsafeMutableRawBufferPointer
    var inputStart = 0
    var inputEnd = 0
    var inputExhausted = false
    var inMember = false
    var finished = false
    var decompressed = 0

    public static let magic: [UInt8] = [0x1f, 0x8b]

    public init(compressed: ByteSource, path: String, inputBufferSize: Int = 256 * 1024) throws(InputError) {
        self.compressed = compressed
        self.path = path
        do {
            inflater = try Inflater()
        } catch {
            throw .corruptGzip(path: path, decompressedBytes: 0, reason: error.message)
        }
        input = .allocate(byteCount: inputBufferSize, alignment: 16)
    }

    deinit { input.deallocate() }

    /// Refills the compressed buffer; returns false at the end of the compressed input.
    private func refill() throws(InputError) -> Bool {
        if inputStart < inputEnd { return true }
        if inputExhausted { return false }
        inputStart = 0
        inputEnd = try compressed.read(into: input)
        if inputEnd == 0 { inputExhausted = true; return false }
        return true
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        guard !finished, buffer.count > 0 else { return 0 }
        while true {
            guard try refill() else {
                if inMember {
                    // zlib may still hold output decoded from the last input (a long match that
                    // did not fit the caller's buffer): serve it before reporting the truncation.
                    let step = try inflate(UnsafeRawBufferPointer(rebasing: input[inputEnd..<inputEnd]), into: buffer)
                    decompressed += step.produced
                    if step.memberEnded { inMember = false }
                    if step.produced > 0 { return step.produced }
                    if !inMember { continue }
                }
                finished = true
                // A stop request ends the input early on purpose: not a truncated file.
                if inMember && !Interruption.isRequested { throw .truncatedGzip(path: path, decompressedBytes: decompressed) }
                return 0
            }
            if !inMember {
                // A new member must start with the gzip magic; anything else is trailing garbage.
                if input[inputStart] != GzipSource.magic[0] {
                    if input[inputStart] == 0 && allZero() { finished = true; return 0 }  // tar-style zero padding
                    finished = true
                    throw .corruptGzip(path: path, decompressedBytes: decompressed, reason: "trailing bytes that are not gzip")
                }
                inflater.reset()
                inMember = true
            }
            let step = try inflate(UnsafeRawBufferPointer(rebasing: input[inputStart..<inputEnd]), into: buffer)
            inputStart += step.consumed
            decompressed += step.produced
            if step.memberEnded { inMember = false }
            if step.produced > 0 { return step.produced }
            if step.consumed == 0 && !step.memberEnded {
                // zlib wants more input than is buffered: move the tail forward and read more.
                let gotMore = inputExhausted ? false : try readMore()
                if !gotMore {
                    finished = true
                    if Interruption.isRequested { return 0 }
                    throw .truncatedGzip(path: path, decompressedBytes: decompressed)
                }
            }
        }
    }

    private func inflate(_ compressed: UnsafeRawBufferPointer, into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Inflater.Step {
        do {
            return try inflater.inflate(compressed, into: buffer)
        } catch {
            finished = true
            throw .corruptGzip(path: path, decompressedBytes: decompressed, reason: error.message)
        }
    }

    private func allZero() -> Bool {
        for i in inputStart..<inputEnd where input[i] != 0 { return false }
        return true
    }

    /// Appends more compressed bytes behind the unconsumed ones; false at the end of input.
    private func readMore() throws(InputError) -> Bool {
        let pending = inputEnd - inputStart
        if inputStart > 0 {
            input.baseAddress!.copyMemory(from: input.baseAddress! + inputStart, byteCount: pending)
            inputStart = 0
            inputEnd = pending
        }
        guard inputEnd < input.count else { return false }
        let n = try compressed.read(into: UnsafeMutableRawBufferPointer(rebasing: input[inputEnd...]))
        if n == 0 { inputExhausted = true; return false }
        inputEnd += n
        return true
    }
}
