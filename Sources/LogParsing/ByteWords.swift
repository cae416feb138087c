/// Eight bytes of a line at a time: finding a byte in a word without a loop per byte, for the
/// per-line readers whose stretches are too short for a `memchr` call to pay.
public enum ByteWords {
    static let ones: UInt64 = 0x0101_0101_0101_0101
    static let lows: UInt64 = 0x7F7F_7F7F_7F7F_7F7F

    /// The 8 bytes at `p + offset`, the first in the lowest bits whatever the machine's order.
    @inline(__always)
    public static func load(_ p: UnsafeRawPointer, _ offset: Int) -> UInt64 {
        UInt64(littleEndian: p.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    /// 0x80 in each byte of `word` equal to `byte`, 0 elsewhere. Exact for every byte (no
    /// borrow crosses bytes), so both the lowest and the highest set bit may be used.
    @inline(__always)
    public static func matches(_ word: UInt64, _ byte: UInt8) -> UInt64 {
        let x = word ^ (ones &* UInt64(byte))
        return ~(((x & lows) &+ lows) | x | lows)
    }

    /// Index (0...7) of the first byte a non-zero `matches` mask marks.
    @inline(__always)
    public static func first(_ mask: UInt64) -> Int { mask.trailingZeroBitCount >> 3 }

    /// Index (0...7) of the last byte a non-zero `matches` mask marks.
    @inline(__always)
    public static func last(_ mask: UInt64) -> Int { (63 &- mask.leadingZeroBitCount) >> 3 }
}
