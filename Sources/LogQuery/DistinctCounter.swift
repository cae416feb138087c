import LogAggregation

/// Distinct values counted in 4 KiB whatever their number: exact below 64 values, HyperLogLog
/// (4,096 registers, standard error 1.04/√4096 ≈ 1.6%) above, with the usual small-range
/// correction (linear counting) and no large-range one (64-bit hashes do not collide at log
/// scale). Merging two counters equals counting both inputs at once.
public struct DistinctCounter: Sendable, Equatable {
    /// The stated standard error of an estimate past the exact range.
    public static let standardError = 1.04 / 64.0
    static let exactLimit = 64
    static let registerBits = 12

    var exact: [UInt64] = []
    var registers: [UInt8] = []

    public init() {}

    public mutating func add(_ bytes: UnsafeRawBufferPointer) {
        add(hash: DistinctCounter.mix(KeyedTable<Counter>.hash(bytes)))
    }

    mutating func add(hash h: UInt64) {
        if registers.isEmpty {
            if exact.contains(h) { return }
            if exact.count < DistinctCounter.exactLimit { exact.append(h); return }
            registers = [UInt8](repeating: 0, count: 1 << DistinctCounter.registerBits)
            for e in exact { record(e) }
            exact = []
        }
        record(h)
    }

    mutating func record(_ h: UInt64) {
        let index = Int(h >> (64 - UInt64(DistinctCounter.registerBits)))
        let rest = h << UInt64(DistinctCounter.registerBits)
        let rank = UInt8(Swift.min(64 - DistinctCounter.registerBits, rest.leadingZeroBitCount) + 1)
        if rank > registers[index] { registers[index] = rank }
    }

    public mutating func merge(_ other: DistinctCounter) {
        if other.registers.isEmpty {
            for h in other.exact { add(hash: h) }
            return
        }
        if registers.isEmpty {
            let mine = exact
            self = other
            for h in mine { add(hash: h) }
            return
        }
        for i in registers.indices where other.registers[i] > registers[i] { registers[i] = other.registers[i] }
    }

    /// True while the count is exact (fewer than 64 distinct values so far).
    public var isExact: Bool { registers.isEmpty }

    public var estimate: Double {
        if registers.isEmpty { return Double(exact.count) }
        let m = Double(registers.count)
        var sum = 0.0
        var zeros = 0
        for r in registers {
            sum += 1 / Double(UInt64(1) << UInt64(r))
            if r == 0 { zeros += 1 }
        }
        let alpha = 0.7213 / (1 + 1.079 / m)
        let raw = alpha * m * m / sum
        if raw <= 2.5 * m, zeros > 0 { return m * log(m / Double(zeros)) }
        return raw
    }

    /// A 64-bit finaliser (splitmix64's) so that every bit of the hash is well mixed.
    static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E3779B97F4A7C15
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return z ^ (z >> 31)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
