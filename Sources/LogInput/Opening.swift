#if canImport(Glibc)
import Glibc
#endif

extension InputSpec {
    /// Opens the input (or a line-aligned byte range of a plain file) as a byte source,
    /// inflating it when its first bytes are the gzip magic. `file`, when given, is the input
    /// already opened (by planning): it is read through that descriptor, never reopened by path.
    public func open(range: Range<Int>? = nil, file: OpenedFile? = nil) throws(InputError) -> ByteSource {
        let raw: ByteSource
        if isStdin {
            raw = FileSource(descriptor: 0, name: displayName)
        } else if let file {
            raw = FileSource(file: file, range: range)
        } else {
            raw = FileSource(file: try OpenedFile(path: path), range: range)
        }
        if range != nil { return raw }
        let head = try Self.readHead(raw)
        let sniffed = PrefixedSource(prefix: head, rest: raw)
        switch Compression.detect(head) {
        case .gzip?:
            return try GzipSource(compressed: sniffed, path: displayName)
        case let other?:
            throw .unsupportedCompression(path: displayName, format: other.name, command: other.decompressCommand)
        case nil:
            return sniffed
        }
    }

    /// The first `Compression.sniffLength` bytes (fewer at the end of a short input); a stream
    /// may hand them out a few at a time.
    private static func readHead(_ source: ByteSource) throws(InputError) -> [UInt8] {
        var head = [UInt8](repeating: 0, count: Compression.sniffLength)
        var have = 0
        while have < head.count {
            let n = try read(source, into: &head, at: have)
            if n == 0 { break }
            have += n
        }
        head.removeLast(head.count - have)
        return head
    }

    private static func read(_ source: ByteSource, into bytes: inout [UInt8], at offset: Int) throws(InputError) -> Int {
        var result: Result<Int, InputError> = .success(0)
        bytes.withUnsafeMutableBytes { buffer in
            do throws(InputError) {
                result = .success(try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[offset...])))
            } catch {
                result = .failure(error)
            }
        }
        return try result.get()
    }

    /// Whether the input is a plain (not gzip) regular file, and its size: such files can be
    /// split between workers.
    public func splittableSize() -> Int? {
        openForSplitting(minimumSize: 1)?.size
    }

    /// The input opened, when it is a plain (not compressed) regular file of at least `minimumSize`
    /// bytes: every part of it is then read through this one descriptor. Nil for standard
    /// input, streams, gzip, small or unreadable files (those are read whole, opened later).
    public func openForSplitting(minimumSize: Int) -> OpenedFile? {
        // stat first: most inputs are too small or not regular, and need no descriptor now.
        guard !isStdin, let pathSize = FileSource.regularFileSize(path), pathSize >= max(1, minimumSize),
              let file = try? OpenedFile(path: path), file.isRegular, file.size >= max(1, minimumSize) else { return nil }
        // Compressed files are read whole, through their decoder (or refused): never cut.
        guard let head = try? Self.readHead(FileSource(file: file, range: 0..<min(Compression.sniffLength, file.size))),
              Compression.detect(head) == nil else { return nil }
        return file
    }

    /// Splits a plain file into up to `parts` line-aligned ranges of roughly equal size.
    public func lineAlignedRanges(size: Int, parts: Int) -> [Range<Int>] {
        guard parts > 1, size > 0, let file = try? OpenedFile(path: path) else { return [0..<size] }
        return file.lineAlignedRanges(size: size, parts: parts)
    }
}

extension OpenedFile {
    /// Splits the first `size` bytes of this regular file into up to `parts` line-aligned ranges
    /// of roughly equal size.
    public func lineAlignedRanges(size: Int, parts: Int) -> [Range<Int>] {
        guard parts > 1, size > 0, isRegular else { return [0..<size] }
        var cuts = [0]
        var probe = [UInt8](repeating: 0, count: 64 * 1024)
        for k in 1..<parts {
            var position = max(size * k / parts, cuts.last!)
            var found: Int? = nil
            while found == nil && position < size {
                let n = probe.withUnsafeMutableBytes { buffer in
                    pread(fd, buffer.baseAddress, buffer.count, off_t(position))
                }
                guard n > 0 else { break }
                if let i = probe[0..<n].firstIndex(of: 0x0a) { found = position + i + 1 } else { position += n }
            }
            guard let cut = found, cut < size, cut > cuts.last! else { continue }
            cuts.append(cut)
        }
        cuts.append(size)
        return zip(cuts, cuts.dropFirst()).map { $0..<$1 }
    }
}
