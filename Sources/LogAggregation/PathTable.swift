/// Per-path statistics keyed by the templated path's bytes, in a table of bounded size.
///
/// Keys live in one byte arena; lookup is an open-addressing probe on a 64-bit hash, so a line
/// whose path is already known costs a hash and a compare, no allocation. When more than
/// `capacity` distinct paths arrive, the least-seen half is evicted: their requests are counted
/// in `evictedRequests`, and `evictionFloor` (the largest evicted count) bounds how much any
/// listed count may be short by. With no eviction, counts are exact.
public struct PathTable: Sendable {
    public struct Entry: Sendable {
        public var requests: UInt64 = 0
        public var serverErrors: UInt64 = 0
        public var clientErrors: UInt64 = 0
        public var bytes: UInt64 = 0
        public var latency = LatencySketch()
    }

    /// Where an entry's key is, kept apart from its statistics so a probe copies no arrays.
    struct KeyRef: Sendable {
        var hash: UInt64
        var start: Int
        var length: Int
    }

    public let capacity: Int
    var arena: [UInt8] = []
    public private(set) var entries: [Entry] = []
    var keys: [KeyRef] = []
    /// Slot -> entry index + 1 (0 = empty); size a power of two, at most half full.
    var slots: [Int32]
    public private(set) var evictedRequests: UInt64 = 0
    public private(set) var evictedPaths: UInt64 = 0
    public private(set) var evictionFloor: UInt64 = 0

    public init(capacity: Int = 5_000) {
        self.capacity = Swift.max(2, capacity)
        slots = [Int32](repeating: 0, count: 1024)
    }

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

    /// The index of `key`'s entry, creating it if new.
    @inline(__always)
    public mutating func entryIndex(_ key: UnsafeRawBufferPointer) -> Int {
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

    @inline(__always)
    func keyEquals(_ ref: KeyRef, _ key: UnsafeRawBufferPointer) -> Bool {
        key.count == 0 || arena.withUnsafeBytes { a in
            memcmp(a.baseAddress! + ref.start, key.baseAddress!, key.count) == 0
        }
    }

    @inline(never)
    mutating func insert(_ key: UnsafeRawBufferPointer, hash h: UInt64, slot: Int) -> Int {
        if entries.count >= capacity {
            evictLeastSeenHalf()
            return entryIndex(key)
        }
        let start = arena.count
        arena.append(contentsOf: key)
        entries.append(Entry())
        keys.append(KeyRef(hash: h, start: start, length: key.count))
        slots[slot] = Int32(entries.count)
        if entries.count * 2 > slots.count { rebuildSlots(size: slots.count * 2) }
        return entries.count - 1
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
        let order = entries.indices.sorted { entries[$0].requests > entries[$1].requests }
        let keep = order.prefix(capacity / 2)
        for i in order.dropFirst(capacity / 2) {
            evictedRequests += entries[i].requests
            evictedPaths += 1
            evictionFloor = Swift.max(evictionFloor, entries[i].requests)
        }
        var newArena: [UInt8] = []
        var newEntries: [Entry] = []
        var newKeys: [KeyRef] = []
        newEntries.reserveCapacity(keep.count)
        for i in keep.sorted() {
            var ref = keys[i]
            let start = newArena.count
            newArena.append(contentsOf: arena[ref.start..<(ref.start + ref.length)])
            ref.start = start
            newEntries.append(entries[i])
            newKeys.append(ref)
        }
        arena = newArena
        entries = newEntries
        keys = newKeys
        rebuildSlots(size: slots.count)
    }

    @inline(__always)
    public mutating func record(_ index: Int, status: Int, bytes: Int, latency: Double?) {
        entries[index].requests &+= 1
        if status >= 500 && status < 600 { entries[index].serverErrors &+= 1 }
        else if status >= 400 && status < 500 { entries[index].clientErrors &+= 1 }
        entries[index].bytes &+= UInt64(bytes)
        if let latency { entries[index].latency.add(latency) }
    }

    public func path(at index: Int) -> String {
        let ref = keys[index]
        return String(decoding: arena[ref.start..<(ref.start + ref.length)], as: UTF8.self)
    }

    /// Counts are exact (no path was ever evicted).
    public var isExact: Bool { evictedPaths == 0 }

    public mutating func merge(_ other: PathTable) {
        evictedRequests += other.evictedRequests
        evictedPaths += other.evictedPaths
        evictionFloor += other.evictionFloor
        for (entry, ref) in zip(other.entries, other.keys) {
            let index = other.arena.withUnsafeBytes { a in
                entryIndex(UnsafeRawBufferPointer(rebasing: a[ref.start..<(ref.start + ref.length)]))
            }
            entries[index].requests += entry.requests
            entries[index].serverErrors += entry.serverErrors
            entries[index].clientErrors += entry.clientErrors
            entries[index].bytes += entry.bytes
            entries[index].latency.merge(entry.latency)
        }
    }

    /// The `k` entries with the largest `measure`, ties broken by path text for stable output.
    public func top(_ k: Int, by measure: (Entry) -> Double) -> [(path: String, entry: Entry)] {
        entries.indices.map { (path(at: $0), entries[$0]) }
            .sorted { a, b in
                let ma = measure(a.1), mb = measure(b.1)
                return ma != mb ? ma > mb : a.0 < b.0
            }
            .prefix(k).map { ($0.0, $0.1) }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
