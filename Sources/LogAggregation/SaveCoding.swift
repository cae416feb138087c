/// The byte layer of saved aggregates (`report --save`, see docs/save-merge.md): a writer and
/// a bounds-checked reader of little-endian integers, LEB128 varints, doubles and
/// length-prefixed byte strings and fields. The file's container (magic bytes, version,
/// checksum) is `LogArchive`'s; this layer only knows how values are laid out.
///
/// Invariant of the reader: no input makes it trap or allocate more than the bytes it was
/// given can describe — every count is checked against the bytes left before anything is
/// reserved, every length before it is sliced.
public struct SaveEncoder: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    public mutating func u8(_ v: UInt8) { bytes.append(v) }

    public mutating func bool(_ v: Bool) { bytes.append(v ? 1 : 0) }

    /// A fixed-width little-endian integer (for the container's header fields).
    public mutating func fixed32(_ v: UInt32) {
        for i in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(i)))) }
    }

    public mutating func fixed64(_ v: UInt64) {
        for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) }
    }

    /// An unsigned LEB128 varint: counts are mostly small, and a saved series is mostly counts.
    public mutating func varint(_ v: UInt64) {
        var v = v
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    public mutating func count(_ n: Int) { varint(UInt64(n)) }

    /// A signed integer, zigzag-coded so that small negative values stay short.
    public mutating func int(_ v: Int64) {
        varint(UInt64(bitPattern: (v << 1) ^ (v >> 63)))
    }

    /// The double's bit pattern (NaN, infinities and -0 kept as they are).
    public mutating func double(_ v: Double) { fixed64(v.bitPattern) }

    public mutating func bytes<C: Collection>(_ b: C) where C.Element == UInt8 {
        count(b.count)
        bytes.append(contentsOf: b)
    }

    public mutating func string(_ s: String) { bytes(Array(s.utf8)) }

    public mutating func optionalString(_ s: String?) {
        bool(s != nil)
        if let s { string(s) }
    }

    public mutating func optionalInt(_ v: Int64?) {
        bool(v != nil)
        if let v { int(v) }
    }

    /// A field: `tag`, the length of what `body` writes, then it — so a reader can check that
    /// each field holds exactly what it should.
    public mutating func field(_ tag: UInt8, _ body: (inout SaveEncoder) -> Void) {
        var inner = SaveEncoder()
        body(&inner)
        u8(tag)
        bytes(inner.bytes)
    }

    public mutating func append(raw: [UInt8]) { bytes.append(contentsOf: raw) }
}

/// Why saved bytes could not be read: what was wrong and at which byte offset.
public struct SaveDecodingError: Error, Sendable, CustomStringConvertible {
    public let offset: Int
    public let problem: String

    public init(offset: Int, problem: String) {
        self.offset = offset
        self.problem = problem
    }

    public var description: String { "\(problem) (at byte \(offset))" }
}

/// Reads what `SaveEncoder` wrote; every read checks the bytes left and throws
/// `SaveDecodingError` instead of trapping.
public struct SaveDecoder: Sendable {
    let storage: [UInt8]
    public private(set) var position: Int
    public let end: Int
    /// Added to `position` in error messages (a field's decoder reports file offsets).
    let base: Int
    /// Where the saved bucket series start: day buckets at the local midnights of the run's
    /// `--tz` (set from the save's run field before the analysis is read).
    public var calendar: BucketCalendar = .utc

    public init(_ bytes: [UInt8], base: Int = 0) {
        self.storage = bytes
        position = 0
        end = bytes.count
        self.base = base
    }

    init(bytes: [UInt8], range: Range<Int>, base: Int) {
        self.storage = bytes
        position = range.lowerBound
        end = range.upperBound
        self.base = base
    }

    public var remaining: Int { end - position }
    public var isAtEnd: Bool { position == end }

    public func error(_ problem: String) -> SaveDecodingError {
        SaveDecodingError(offset: base + position, problem: problem)
    }

    mutating func need(_ n: Int) throws(SaveDecodingError) {
        guard n >= 0, n <= remaining else { throw error("the data ends early (\(n) bytes needed, \(remaining) left)") }
    }

    public mutating func u8() throws(SaveDecodingError) -> UInt8 {
        try need(1)
        position += 1
        return storage[position - 1]
    }

    public mutating func bool() throws(SaveDecodingError) -> Bool {
        switch try u8() {
        case 0: return false
        case 1: return true
        default: throw error("a flag is neither 0 nor 1")
        }
    }

    public mutating func fixed32() throws(SaveDecodingError) -> UInt32 {
        try need(4)
        var v: UInt32 = 0
        for i in 0..<4 { v |= UInt32(storage[position + i]) << (8 * UInt32(i)) }
        position += 4
        return v
    }

    public mutating func fixed64() throws(SaveDecodingError) -> UInt64 {
        try need(8)
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(storage[position + i]) << (8 * UInt64(i)) }
        position += 8
        return v
    }

    public mutating func varint() throws(SaveDecodingError) -> UInt64 {
        var v: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try u8()
            guard shift < 64, shift < 63 || b <= 1 else { throw error("a number is longer than 64 bits") }
            v |= UInt64(b & 0x7f) << shift
            if b < 0x80 { return v }
            shift += 7
        }
    }

    public mutating func int() throws(SaveDecodingError) -> Int64 {
        let z = try varint()
        return Int64(bitPattern: z >> 1) ^ -Int64(bitPattern: z & 1)
    }

    /// A non-negative number that must fit an `Int` and be at most `limit`.
    public mutating func int(upTo limit: Int) throws(SaveDecodingError) -> Int {
        let v = try varint()
        guard v <= UInt64(limit) else { throw error("a number is \(v), more than the \(limit) allowed here") }
        return Int(v)
    }

    /// An element count: at most what the bytes left can hold at `minimumSize` bytes each.
    public mutating func count(minimumSize: Int = 1) throws(SaveDecodingError) -> Int {
        let v = try varint()
        guard v <= UInt64(remaining / Swift.max(1, minimumSize)) else {
            throw error("a count of \(v) does not fit the \(remaining) bytes left")
        }
        return Int(v)
    }

    public mutating func double() throws(SaveDecodingError) -> Double {
        Double(bitPattern: try fixed64())
    }

    public mutating func bytes() throws(SaveDecodingError) -> [UInt8] {
        let n = try count()
        position += n
        return Array(storage[(position - n)..<position])
    }

    public mutating func string() throws(SaveDecodingError) -> String {
        String(decoding: try bytes(), as: UTF8.self)
    }

    public mutating func optionalString() throws(SaveDecodingError) -> String? {
        try bool() ? try string() : nil
    }

    public mutating func optionalInt() throws(SaveDecodingError) -> Int64? {
        try bool() ? try int() : nil
    }

    /// Reads a field written by `SaveEncoder.field`: its tag must be `tag`, and `body` must
    /// read all of it, no more and no less.
    public mutating func field<T>(_ tag: UInt8, _ what: String,
                                  _ body: (inout SaveDecoder) throws(SaveDecodingError) -> T) throws(SaveDecodingError) -> T {
        let found = try u8()
        guard found == tag else { throw error("expected the \(what) field (tag \(tag)), found tag \(found)") }
        let n = try count()
        var inner = SaveDecoder(bytes: storage, range: position..<(position + n), base: base)
        inner.calendar = calendar
        position += n
        let value = try body(&inner)
        guard inner.isAtEnd else { throw inner.error("the \(what) field has \(inner.remaining) bytes left over") }
        return value
    }
}

/// A value that can be saved and read back exactly (see `SaveEncoder`).
public protocol SaveCodable {
    func encode(into e: inout SaveEncoder)
    init(decoding d: inout SaveDecoder) throws(SaveDecodingError)
}
