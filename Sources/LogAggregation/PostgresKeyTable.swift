#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a `PostgresKeyTable` keeps per key: something that can be merged, and a weight that says
/// which keys to keep when the table is full.
public protocol PostgresTableValue: Sendable {
    init()
    /// How often the key was seen; the least-seen half is evicted when the table is full.
    var weight: UInt64 { get }
    mutating func merge(_ other: Self)
}

/// A bounded table keyed by bytes (query fingerprints, error templates, table names), built like
/// `PathTable`: keys in one arena, open addressing on a 64-bit hash, so a known key costs a hash
/// and a compare and no allocation. Past `capacity` keys the least-seen half is evicted; their
/// weight is counted in `evictedWeight` and `evictionFloor` bounds how much any listed count may
/// be short by. With no eviction, counts are exact and merges equal one pass.
public struct PostgresKeyTable<Value: PostgresTableValue>: Sendable {
    struct KeyRef: Sendable {
        var hash: UInt64
        var start: Int
        var length: Int
    }

    public let capacity: Int
    var arena: [UInt8] = []
    public private(set) var values: [Value] = []
    var keys: [KeyRef] = []
    var slots: [Int32]
    public private(set) var evictedKeys: UInt64 = 0
    public private(set) var evictedWeight: UInt64 = 0
    public private(set) var evictionFloor: UInt64 = 0

    public init(capacity: Int) {
        self.capacity = Swift.max(2, capacity)
        slots = [Int32](repeating: 0, count: 64)
    }

    public var count: Int { values.count }
    public var isExact: Bool { evictedKeys == 0 }

    /// The index of `key`'s value, creating it if new. Indices change only when `index` evicts.
    @inline(__always)
    public mutating func index(_ key: UnsafeRawBufferPointer) -> Int {
        let h = PathTable.hash(key)
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
            memcmp(a.baseAddress! + ref.start, key.baseAddress!, key.count) == 0
        }
    }

    @inline(never)
    mutating func insert(_ key: UnsafeRawBufferPointer, hash h: UInt64, slot: Int) -> Int {
        if values.count >= capacity {
            evictLeastSeenHalf()
            return index(key)
        }
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
        let keep = order.prefix(capacity / 2)
        for i in order.dropFirst(capacity / 2) {
            evictedWeight += values[i].weight
            evictedKeys += 1
            evictionFloor = Swift.max(evictionFloor, values[i].weight)
        }
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

    public subscript(index: Int) -> Value {
        get { values[index] }
        _modify { yield &values[index] }
    }

    public func key(at index: Int) -> String {
        let ref = keys[index]
        return String(decoding: arena[ref.start..<(ref.start + ref.length)], as: UTF8.self)
    }

    public mutating func merge(_ other: PostgresKeyTable<Value>) {
        evictedKeys += other.evictedKeys
        evictedWeight += other.evictedWeight
        evictionFloor += other.evictionFloor
        for (value, ref) in zip(other.values, other.keys) {
            let i = other.arena.withUnsafeBytes { a in
                index(UnsafeRawBufferPointer(rebasing: a[ref.start..<(ref.start + ref.length)]))
            }
            values[i].merge(value)
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

    /// Value for `key`, if present.
    public func value(for key: String) -> Value? {
        for i in values.indices where self.key(at: i) == key { return values[i] }
        return nil
    }
}

/// A plain counter for a `PostgresKeyTable`.
public struct PostgresCounter: PostgresTableValue {
    public var count: UInt64 = 0
    public init() {}
    public var weight: UInt64 { count }
    public mutating func merge(_ other: PostgresCounter) { count += other.count }
}
