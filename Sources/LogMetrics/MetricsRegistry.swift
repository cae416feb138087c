import Foundation

/// The thread-safe snapshot a `/metrics` server reads: the caller (the watch loop) replaces
/// families as it goes, a scrape renders whatever is there at that moment.
///
/// Every family is kept whole, so a scrape never sees half of an update: `set` swaps one family,
/// `update` runs a change of several under the lock. Families render in the order they were
/// first set. The lock is held only to copy or swap arrays, never while rendering or doing I/O.
public final class MetricsRegistry: @unchecked Sendable {
    private let lock = NSLock()
    private var families: [MetricFamily] = []
    private var index: [String: Int] = [:]

    public init() {}

    /// Sets (adds or replaces) the family named `family.name`.
    public func set(_ family: MetricFamily) {
        lock.lock()
        defer { lock.unlock() }
        setLocked(family)
    }

    /// Sets several families at once: a scrape sees all of them from before, or all from after.
    public func set(_ newFamilies: [MetricFamily]) {
        lock.lock()
        defer { lock.unlock() }
        for family in newFamilies { setLocked(family) }
    }

    /// Removes the family named `name` (a rule that was deleted, say).
    public func remove(_ name: String) {
        lock.lock()
        defer { lock.unlock() }
        guard let position = index[name] else { return }
        families.remove(at: position)
        index = [:]
        for (i, family) in families.enumerated() { index[family.name] = i }
    }

    /// A copy of every family, in the order they were first set.
    public func snapshot() -> [MetricFamily] {
        lock.lock()
        defer { lock.unlock() }
        return families
    }

    private func setLocked(_ family: MetricFamily) {
        if let position = index[family.name] {
            families[position] = family
        } else {
            index[family.name] = families.count
            families.append(family)
        }
    }
}
