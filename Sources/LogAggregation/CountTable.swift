#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A `KeyedTable` of plain counts, as a type of its own: its methods are compiled here for
/// `Counter`, so a caller in another module (the watch panes count every line's path) calls
/// specialized code instead of the generic table's, which looks up type metadata per call.
public struct CountTable: Sendable {
    var table: KeyedTable<Counter>

    public init(capacity: Int) { table = KeyedTable(capacity: capacity) }

    public var count: Int { table.count }
    public var isEmpty: Bool { table.isEmpty }
    /// Counts are exact: no key was ever evicted.
    public var isExact: Bool { table.isExact }
    public var evictedKeys: UInt64 { table.evictedKeys }

    /// Adds `n` to `key`'s count.
    public mutating func add(_ key: UnsafeRawBufferPointer, _ n: UInt64 = 1) { table.add(key, n) }

    /// Forgets every key without counting them as evicted.
    public mutating func removeAll() { table.removeAll() }

    public mutating func merge(_ other: CountTable) { table.merge(other.table) }

    /// The `k` keys with the largest counts, ties by key text.
    public func top(_ k: Int) -> [(key: String, count: UInt64)] { table.top(k) }
}

extension KeyedTable where Value == Counter {
    /// The `k` keys with the largest counts, ties by key bytes (for UTF-8, code point order);
    /// one pass keeping the best `k`, and a `String` made only for those (a window's top paths
    /// sorted every path's text before).
    func rankedTop(_ k: Int) -> [(key: String, count: UInt64)] {
        guard k > 0, !values.isEmpty else { return [] }
        return arena.withUnsafeBytes { a -> [(key: String, count: UInt64)] in
            func precedes(_ x: Int, _ y: Int) -> Bool {
                let cx = values[x].count, cy = values[y].count
                if cx != cy { return cx > cy }
                let kx = keys[x], ky = keys[y]
                let n = Swift.min(kx.length, ky.length)
                let c = n == 0 ? 0 : memcmp(a.baseAddress! + kx.start, a.baseAddress! + ky.start, n)
                return c != 0 ? c < 0 : kx.length < ky.length
            }
            return Ranking.best(k, of: values.indices, by: precedes).map { i in
                let ref = keys[i]
                let bytes = UnsafeRawBufferPointer(rebasing: a[ref.start..<(ref.start + ref.length)])
                return (String(decoding: bytes, as: UTF8.self), values[i].count)
            }
        }
    }
}
