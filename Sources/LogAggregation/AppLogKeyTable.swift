#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Counts per byte key (an upstream, a client address, a service name) in a table of bounded
/// size: the `PathTable` idea without the per-path statistics.
///
/// Keys live in one byte arena; a key already present costs a hash and a compare, no
/// allocation. Past `capacity` keys the least-counted half is evicted; `evictedCount` holds what
/// they had and `evictionFloor` bounds how much any listed count may be short by. Each key also
/// carries an `Int32` value the owner may use (the error-group table maps template -> group).
public struct AppLogKeyTable: Sendable {
    struct KeyRef: Sendable {
        var hash: UInt64
        var start: Int
        var length: Int
    }

    public let capacity: Int
    var arena: [UInt8] = []
    var keys: [KeyRef] = []
    public private(set) var counts: [UInt64] = []
    public internal(set) var values: [Int32] = []
    var slots: [Int32]
    public private(set) var evictedCount: UInt64 = 0
    public private(set) var evictedKeys: UInt64 = 0
    public private(set) var evictionFloor: UInt64 = 0

    public init(capacity: Int = 1_000) {
        self.capacity = Swift.max(2, capacity)
        slots = [Int32](repeating: 0, count: 64)
    }

    public var count: Int { keys.count }
    public var isExact: Bool { evictedKeys == 0 }

    @inline(__always)
    static func hash(_ key: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0xcbf29ce484222325
        var i = 0
        let n = key.count
        while i + 8 <= n {
            h = (h ^ key.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0x100000001b3
            h ^= h >> 29
            i += 8
        }
        while i < n {
            h = (h ^ UInt64(key[i])) &* 0x100000001b3
            i += 1
        }
        return h ^ (h >> 32)
    }

    /// The index of `key`, or nil when absent.
    @inline(__always)
    public func find(_ key: UnsafeRawBufferPointer) -> Int? {
        let h = AppLogKeyTable.hash(key)
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let e = Int(slots[slot])
            if e == 0 { return nil }
            let ref = keys[e - 1]
            if ref.hash == h && ref.length == key.count && keyEquals(ref, key) { return e - 1 }
            slot = (slot + 1) & mask
        }
    }

    /// The index of `key`, inserted with count 0 and `value` when absent (which may evict).
    @inline(__always)
    public mutating func index(_ key: UnsafeRawBufferPointer, value: Int32 = 0) -> Int {
        if let i = find(key) { return i }
        if keys.count >= capacity { evictLeastCountedHalf() }
        return insert(key, hash: AppLogKeyTable.hash(key), value: value)
    }

    /// Adds `n` to `key`'s count.
    @inline(__always)
    public mutating func add(_ key: UnsafeRawBufferPointer, _ n: UInt64 = 1) {
        let i = index(key)
        counts[i] &+= n
    }

    @inline(__always)
    public mutating func add(at index: Int, _ n: UInt64 = 1) { counts[index] &+= n }

    @inline(__always)
    func keyEquals(_ ref: KeyRef, _ key: UnsafeRawBufferPointer) -> Bool {
        key.count == 0 || arena.withUnsafeBytes { a in
            memcmp(a.baseAddress! + ref.start, key.baseAddress!, key.count) == 0
        }
    }

    @inline(never)
    mutating func insert(_ key: UnsafeRawBufferPointer, hash h: UInt64, value: Int32) -> Int {
        let start = arena.count
        arena.append(contentsOf: key)
        keys.append(KeyRef(hash: h, start: start, length: key.count))
        counts.append(0)
        values.append(value)
        if keys.count * 2 > slots.count {
            rebuildSlots(size: slots.count * 2)
        } else {
            let mask = slots.count - 1
            var slot = Int(truncatingIfNeeded: h) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(keys.count)
        }
        return keys.count - 1
    }

    mutating func rebuildSlots(size: Int) {
        slots = [Int32](repeating: 0, count: size)
        let mask = size - 1
        for (i, ref) in keys.enumerated() {
            var slot = Int(truncatingIfNeeded: ref.hash) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(i + 1)
        }
    }

    /// Forgets every key (counts included) without counting them as evicted: for caches.
    public mutating func removeAll() {
        arena.removeAll(keepingCapacity: true)
        keys.removeAll(keepingCapacity: true)
        counts.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
        for i in slots.indices { slots[i] = 0 }
    }

    mutating func evictLeastCountedHalf() {
        let order = keys.indices.sorted { counts[$0] > counts[$1] }
        let keep = order.prefix(capacity / 2)
        for i in order.dropFirst(capacity / 2) {
            evictedCount += counts[i]
            evictedKeys += 1
            evictionFloor = Swift.max(evictionFloor, counts[i])
        }
        var newArena: [UInt8] = []
        var newKeys: [KeyRef] = []
        var newCounts: [UInt64] = []
        var newValues: [Int32] = []
        for i in keep.sorted() {
            var ref = keys[i]
            let start = newArena.count
            newArena.append(contentsOf: arena[ref.start..<(ref.start + ref.length)])
            ref.start = start
            newKeys.append(ref)
            newCounts.append(counts[i])
            newValues.append(values[i])
        }
        arena = newArena
        keys = newKeys
        counts = newCounts
        values = newValues
        rebuildSlots(size: slots.count)
    }

    public func key(at index: Int) -> String {
        let ref = keys[index]
        return String(decoding: arena[ref.start..<(ref.start + ref.length)], as: UTF8.self)
    }

    public func withKey<R>(at index: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        let ref = keys[index]
        return arena.withUnsafeBytes { a in body(UnsafeRawBufferPointer(rebasing: a[ref.start..<(ref.start + ref.length)])) }
    }

    public mutating func merge(_ other: AppLogKeyTable) {
        evictedCount += other.evictedCount
        evictedKeys += other.evictedKeys
        evictionFloor += other.evictionFloor
        for i in other.keys.indices {
            let n = other.counts[i]
            other.withKey(at: i) { k in add(k, n) }
        }
    }

    /// The `k` keys with the largest counts, ties by key text.
    public func top(_ k: Int) -> [(key: String, count: UInt64)] {
        keys.indices.map { (key(at: $0), counts[$0]) }
            .sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
            .prefix(k).map { ($0.0, $0.1) }
    }
}
