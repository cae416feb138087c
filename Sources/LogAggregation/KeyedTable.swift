#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a `KeyedTable` keeps per key: something that merges, and a weight that says which keys
/// to keep when the table is full.
public protocol KeyedValue: Sendable {
    init()
    /// How often the key was seen; the least-seen half is evicted when the table is full.
    var weight: UInt64 { get }
    mutating func merge(_ other: Self)
}

/// A table keyed by bytes (path templates, query fingerprints, error templates, client
/// addresses) whose memory is bounded.
///
/// Keys live in one byte arena; lookup is an open-addressing probe on a 64-bit hash, so a key
/// already present costs a hash and a compare, and no allocation. Past `capacity` keys the
/// least-seen half is evicted: their weight is counted in `evictedWeight`, and `evictionFloor`
/// bounds how much any listed count may be short by: a key evicted and seen again restarts
/// from zero, losing at most the largest weight evicted in that round, so the floor is the sum
/// over rounds (and over merged tables) of each round's largest evicted weight. With no
/// eviction, counts are exact and merging tables of disjoint inputs equals one pass over both;
/// with eviction, which keys survive depends on the order and split of the input (see
/// docs/json-schema.md, "Split-dependent fields").
public struct KeyedTable<Value: KeyedValue>: Sendable {
    /// Where a key is, kept apart from its value so a probe copies no arrays.
    struct KeyRef: Sendable {
        var hash: UInt64
        var start: Int
        var length: Int
    }

    public let capacity: Int
    var arena: [UInt8] = []
    public internal(set) var values: [Value] = []
    var keys: [KeyRef] = []
    /// Slot -> key index + 1 (0 = empty); size a power of two, at most half full.
    var slots: [Int32]
    public internal(set) var evictedKeys: UInt64 = 0
    public internal(set) var evictedWeight: UInt64 = 0
    public internal(set) var evictionFloor: UInt64 = 0

    /// Bytes of keys kept at most: past them the least-seen half is evicted, as past `capacity`
    /// keys (so long keys cannot grow the arena without bound).
    public let maxKeyBytes: Int

    public init(capacity: Int, maxKeyBytes: Int = Int.max) {
        self.capacity = Swift.max(2, capacity)
        self.maxKeyBytes = maxKeyBytes
        slots = [Int32](repeating: 0, count: 64)
    }

    public var count: Int { values.count }
    public var isEmpty: Bool { values.isEmpty }
    /// Counts are exact: no key was ever evicted.
    public var isExact: Bool { evictedKeys == 0 }

    @inline(__always)
    public static func hash(_ key: UnsafeRawBufferPointer) -> UInt64 {
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
        let h = KeyedTable.hash(key)
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

    /// The index of `key`'s value, created empty if new. Indices change only when this evicts.
    @inline(__always)
    public mutating func index(_ key: UnsafeRawBufferPointer) -> Int {
        let h = KeyedTable.hash(key)
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let e = Int(slots[slot])
            if e == 0 { break }
            let ref = keys[e - 1]
            if ref.hash == h && ref.length == key.count && keyEquals(ref, key) { return e - 1 }
            slot = (slot + 1) & mask
        }
        return insert(key, hash: h, slot: slot)
    }

    public mutating func index(_ key: String) -> Int {
        var k = key
        return k.withUTF8 { index(UnsafeRawBufferPointer($0)) }
    }

    @inline(__always)
    func keyEquals(_ ref: KeyRef, _ key: UnsafeRawBufferPointer) -> Bool {
        key.count == 0 || arena.withUnsafeBytes { a in
            KeyedTable.equal(a.baseAddress! + ref.start, key.baseAddress!, key.count)
        }
    }

    /// Whether `n` bytes at `a` and `b` are equal: eight at a time, inline (keys are paths and
    /// templates of tens of bytes, where a call to `memcmp` costs more than the compare).
    @inline(__always)
    static func equal(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ n: Int) -> Bool {
        var i = 0
        while i &+ 8 <= n {
            if a.loadUnaligned(fromByteOffset: i, as: UInt64.self) != b.loadUnaligned(fromByteOffset: i, as: UInt64.self) { return false }
            i &+= 8
        }
        while i < n {
            if a.load(fromByteOffset: i, as: UInt8.self) != b.load(fromByteOffset: i, as: UInt8.self) { return false }
            i &+= 1
        }
        return true
    }

    @inline(never)
    mutating func insert(_ key: UnsafeRawBufferPointer, hash h: UInt64, slot: Int) -> Int {
        if values.count >= capacity || (values.count > 1 && arena.count + key.count > maxKeyBytes) {
            evictLeastSeenHalf()
            // The evicted half freed at least one key and half the bytes; a key past the byte
            // bound by itself is still kept (one key, whatever its length: the line's cap).
            let mask = slots.count - 1
            var free = Int(truncatingIfNeeded: h) & mask
            while slots[free] != 0 { free = (free + 1) & mask }
            return append(key, hash: h, slot: free)
        }
        return append(key, hash: h, slot: slot)
    }

    @inline(__always)
    mutating func append(_ key: UnsafeRawBufferPointer, hash h: UInt64, slot: Int) -> Int {
        let start = arena.count
        arena.append(contentsOf: key)
        values.append(Value())
        keys.append(KeyRef(hash: h, start: start, length: key.count))
        slots[slot] = Int32(values.count)
        if values.count * 2 > slots.count { rebuildSlots(size: slots.count * 2) }
        return values.count - 1
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

    mutating func evictLeastSeenHalf() {
        let order = values.indices.sorted { values[$0].weight > values[$1].weight }
        // Half of the keys there are (the table is full by count, or by key bytes).
        let keepCount = Swift.min(capacity / 2, values.count / 2)
        let keep = order.prefix(keepCount)
        var roundFloor: UInt64 = 0
        for i in order.dropFirst(keepCount) {
            evictedWeight &+= values[i].weight
            evictedKeys += 1
            roundFloor = Swift.max(roundFloor, values[i].weight)
        }
        evictionFloor &+= roundFloor
        var newArena: [UInt8] = []
        var newValues: [Value] = []
        var newKeys: [KeyRef] = []
        for i in keep.sorted() {
            var ref = keys[i]
            let start = newArena.count
            newArena.append(contentsOf: arena[ref.start..<(ref.start + ref.length)])
            ref.start = start
            newValues.append(values[i])
            newKeys.append(ref)
        }
        arena = newArena
        values = newValues
        keys = newKeys
        rebuildSlots(size: slots.count)
    }

    /// Forgets every key without counting them as evicted (for caches).
    public mutating func removeAll() {
        arena.removeAll(keepingCapacity: true)
        keys.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
        for i in slots.indices { slots[i] = 0 }
    }

    public subscript(index: Int) -> Value {
        get { values[index] }
        _modify { yield &values[index] }
    }

    public func key(at index: Int) -> String {
        let ref = keys[index]
        return String(decoding: arena[ref.start..<(ref.start + ref.length)], as: UTF8.self)
    }

    public func withKey<R>(at index: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        let ref = keys[index]
        return arena.withUnsafeBytes { a in body(UnsafeRawBufferPointer(rebasing: a[ref.start..<(ref.start + ref.length)])) }
    }

    public mutating func merge(_ other: KeyedTable<Value>) {
        evictedKeys += other.evictedKeys
        evictedWeight += other.evictedWeight
        evictionFloor += other.evictionFloor
        for i in other.values.indices {
            let mine = other.withKey(at: i) { index($0) }
            values[mine].merge(other.values[i])
        }
    }

    /// All entries, largest `measure` first, ties broken by key for stable output.
    public func sorted(by measure: (Value) -> Double) -> [(key: String, value: Value)] {
        values.indices.map { (key(at: $0), values[$0]) }
            .sorted { a, b in
                let ma = measure(a.1), mb = measure(b.1)
                return ma != mb ? ma > mb : a.0 < b.0
            }
            .map { ($0.0, $0.1) }
    }

    /// The `k` entries with the largest `measure`, ties broken by key.
    public func top(_ k: Int, by measure: (Value) -> Double) -> [(key: String, value: Value)] {
        Array(sorted(by: measure).prefix(k))
    }

    /// Value for `key`, if present.
    public func value(for key: String) -> Value? {
        var k = key
        return k.withUTF8 { find(UnsafeRawBufferPointer($0)) }.map { values[$0] }
    }
}

/// A plain counter, with an optional tag the owner may use (the error-group cache maps a
/// template to its group's index).
public struct Counter: KeyedValue {
    public var count: UInt64 = 0
    public var tag: Int32 = 0
    public init() {}
    public var weight: UInt64 { count }
    public mutating func merge(_ other: Counter) { count += other.count }
}

extension KeyedTable where Value == Counter {
    /// Adds `n` to `key`'s count.
    @inline(__always)
    public mutating func add(_ key: UnsafeRawBufferPointer, _ n: UInt64 = 1) {
        let i = index(key)
        values[i].count &+= n
    }

    /// The `k` keys with the largest counts, ties by key bytes.
    public func top(_ k: Int) -> [(key: String, count: UInt64)] { rankedTop(k) }
}
