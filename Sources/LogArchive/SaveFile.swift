/// LogArchive: the `.lsa` file — saved aggregates of one `report` run (or of a `merge`).
///
/// Takes an `Analysis` with how it was made (zone, sample limit), gives bytes, and back. The
/// layout (all integers little-endian; see docs/save-merge.md):
///
///     offset 0   8 bytes  magic  89 4C 53 41 0D 0A 1A 0A  ("\x89LSA\r\n\x1a\n")
///            8   4 bytes  format version (1)
///           12   8 bytes  payload length n
///           20   n bytes  payload: tagged, length-prefixed fields (see `SaveEncoder.field`)
///         20+n   4 bytes  CRC-32 (zlib) of bytes 0 ..< 20+n
///
/// The magic's first byte is not ASCII and it holds CR LF, SUB and LF, so a text file, a log
/// or a file mangled by a line-ending conversion is never taken for a save. Reading checks, in
/// this order: the magic, the version, the length (a truncated or extended file), the checksum
/// (any damaged byte), then the payload field by field. Every failure is a `SaveFileError`
/// naming the file; no input traps. It does not know files' paths beyond naming them in
/// errors, nor how to merge (LogsiftEngine does).
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LogAggregation
import LogParsing
import Zlib

/// One saved run: the analysis and what is needed to merge and show it as its report did.
public struct SavedAnalysis: Sendable {
    public var analysis: Analysis
    /// The `--tz` the run was given (`local`, `UTC`, `Europe/Berlin`): merge shows times in it
    /// unless told otherwise.
    public var zone: String
    /// The run's `--samples`: a merge keeps at most the smallest of these.
    public var sampleLimit: Int

    public init(analysis: Analysis, zone: String, sampleLimit: Int) {
        self.analysis = analysis
        self.zone = zone
        self.sampleLimit = sampleLimit
    }
}

/// Why a save file could not be read or merged; `description` names the file.
public struct SaveFileError: Error, Sendable, CustomStringConvertible {
    public let path: String
    public let problem: String

    public init(path: String, problem: String) {
        self.path = path
        self.problem = problem
    }

    public var description: String { "\(path): \(problem)" }
}

public enum SaveFile {
    public static let magic: [UInt8] = [0x89, 0x4C, 0x53, 0x41, 0x0D, 0x0A, 0x1A, 0x0A]
    /// The format this logsift writes and the newest it reads. Bump it for any change of the
    /// payload's layout: an older logsift then refuses the file instead of misreading it.
    public static let version: UInt32 = 1
    static let headerSize = 20
    static let trailerSize = 4

    public static func encode(_ saved: SavedAnalysis) -> [UInt8] {
        var payload = SaveEncoder()
        payload.field(1) { e in
            e.string(saved.zone)
            e.count(saved.sampleLimit)
        }
        payload.field(2) { saved.analysis.encode(into: &$0) }
        var out = SaveEncoder()
        out.append(raw: magic)
        out.fixed32(version)
        out.fixed64(UInt64(payload.bytes.count))
        out.append(raw: payload.bytes)
        let crc = CRC32.checksum(out.bytes)
        out.fixed32(crc)
        return out.bytes
    }

    /// Reads bytes written by `encode`; `path` only names the file in errors.
    public static func decode(_ bytes: [UInt8], path: String) throws(SaveFileError) -> SavedAnalysis {
        func fail(_ problem: String) -> SaveFileError { SaveFileError(path: path, problem: problem) }
        guard !bytes.isEmpty else { throw fail("empty: not a save file (written by `logsift report --save`)") }
        guard bytes.count >= magic.count, Array(bytes[0..<magic.count]) == magic else {
            if bytes.count < magic.count, bytes == Array(magic.prefix(bytes.count)) {
                throw fail("truncated: only \(bytes.count) bytes, cut inside the header; save it again")
            }
            throw fail("not a logsift save file (it does not start with the .lsa magic bytes); "
                + "give files written by `logsift report --save` or `logsift merge --save`")
        }
        var header = SaveDecoder(bytes)
        do {
            _ = try header.fixed64()
            let version = try header.fixed32()
            guard version <= SaveFile.version else {
                throw fail("written by a newer logsift (save format version \(version); this logsift reads up to "
                    + "version \(SaveFile.version)): merge it with that logsift or a later one")
            }
            guard version >= 1 else { throw fail("save format version 0 does not exist: the file is damaged") }
            let length = try header.fixed64()
            let expected = UInt64(headerSize) + UInt64(trailerSize)
            guard length <= UInt64(Int.max) - expected, UInt64(bytes.count) == length + expected else {
                let promised = length > UInt64(Int.max) - expected ? "more than fits in memory" : "\(length + expected) bytes"
                if UInt64(bytes.count) < length &+ expected || length > UInt64(Int.max) - expected {
                    throw fail("truncated: the file has \(bytes.count) bytes, its header promises \(promised); "
                        + "it was cut short (copied or written incompletely): save it again")
                }
                throw fail("has \(UInt64(bytes.count) - length - expected) bytes after its end: the file is damaged")
            }
        } catch let error as SaveFileError {
            throw error
        } catch {
            throw fail("truncated: the file has \(bytes.count) bytes, cut inside the header; save it again")
        }
        let end = bytes.count - trailerSize
        let stored = UInt32(bytes[end]) | UInt32(bytes[end + 1]) << 8 | UInt32(bytes[end + 2]) << 16 | UInt32(bytes[end + 3]) << 24
        let computed = bytes.withUnsafeBytes { CRC32.checksum(UnsafeRawBufferPointer(rebasing: $0[0..<end])) }
        guard stored == computed else {
            throw fail("checksum mismatch (stored CRC-32 \(hex(stored)), computed \(hex(computed))): the file is damaged; save it again")
        }
        do {
            var d = SaveDecoder(Array(bytes[headerSize..<end]), base: headerSize)
            let (zone, sampleLimit) = try d.field(1, "run") { (d: inout SaveDecoder) throws(SaveDecodingError) in
                (try d.string(), try d.int(upTo: 1_000_000))
            }
            d.calendar = BucketCalendar(zone: ZoneRule.parse(zone) ?? .utc)
            let analysis = try d.field(2, "analysis") { (d: inout SaveDecoder) throws(SaveDecodingError) in try Analysis(decoding: &d) }
            guard d.isAtEnd else { throw d.error("\(d.remaining) bytes after the last field") }
            return SavedAnalysis(analysis: analysis, zone: zone, sampleLimit: sampleLimit)
        } catch {
            throw fail("damaged: \(error) although its checksum matches; save it again")
        }
    }

    static func hex(_ v: UInt32) -> String {
        let digits = String(v, radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }

    /// Reads and decodes the file at `path`.
    public static func read(_ path: String) throws(SaveFileError) -> SavedAnalysis {
        try decode(try contents(path), path: path)
    }

    /// The bytes of a regular file (`read(2)` until its end).
    static func contents(_ path: String) throws(SaveFileError) -> [UInt8] {
        func fail(_ what: String, _ code: Int32) -> SaveFileError {
            SaveFileError(path: path, problem: "cannot \(what): \(String(cString: strerror(code)))")
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw fail("open it", errno) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw fail("read its size", errno) }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw SaveFileError(path: path, problem: "not a regular file: give a .lsa file written by `logsift report --save`")
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(info.st_size))
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { readBytes(fd, $0) }
            if n > 0 { bytes.append(contentsOf: chunk[0..<n]); continue }
            if n == 0 { return bytes }
            if errno == EINTR { continue }
            throw fail("read it", errno)
        }
    }
}

/// `read(2)`, named apart from `SaveFile.read`.
private func readBytes(_ fd: Int32, _ buffer: UnsafeMutableRawBufferPointer) -> Int {
    read(fd, buffer.baseAddress, buffer.count)
}
