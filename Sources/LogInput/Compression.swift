/// Compressed formats recognised by their magic bytes (never by the file name). gzip is
/// inflated; bzip2, xz and zstd are recognised only to say so plainly instead of reading
/// compressed bytes as text.
public enum Compression: Sendable, Equatable {
    case gzip, bzip2, xz, zstd

    /// How many leading bytes `detect` needs to tell every format apart.
    public static let sniffLength = 10

    /// The format whose magic `head` (the first bytes of an input) starts with.
    public static func detect(_ head: [UInt8]) -> Compression? {
        if head.starts(with: [0x1f, 0x8b]) { return .gzip }
        // xz: FD '7' 'z' 'X' 'Z' 00.  zstd frame: 28 B5 2F FD. Neither is valid UTF-8 text.
        if head.starts(with: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]) { return .xz }
        if head.starts(with: [0x28, 0xb5, 0x2f, 0xfd]) { return .zstd }
        // bzip2: "BZh", a block size digit, then a block's magic (π) or the end-of-stream
        // magic (√π): ten bytes, so a text line that starts with "BZh1" is not mistaken for it.
        if head.count >= 10, head.starts(with: Array("BZh".utf8)), (0x31...0x39).contains(head[3]) {
            let block = Array(head[4..<10])
            if block == [0x31, 0x41, 0x59, 0x26, 0x53, 0x59] || block == [0x17, 0x72, 0x45, 0x38, 0x50, 0x90] {
                return .bzip2
            }
        }
        return nil
    }

    public var name: String {
        switch self {
        case .gzip: return "gzip"
        case .bzip2: return "bzip2"
        case .xz: return "xz"
        case .zstd: return "zstd"
        }
    }

    /// The command that writes the decompressed bytes to standard output.
    public var decompressCommand: String {
        switch self {
        case .gzip: return "zcat"
        case .bzip2: return "bzcat"
        case .xz: return "xzcat"
        case .zstd: return "zstdcat"
        }
    }
}
