/// A measure now and in a baseline, and how it moved: the one convention behind
/// `query --baseline` (per group of a query) and `report --baseline` (per figure, path, error
/// group and statement).
///
/// `change` is current − baseline and `relative` is change / |baseline|, each only when both
/// sides are numbers (and, for `relative`, the baseline is not 0). Rows of changes are ordered
/// by `orderSize`: largest absolute change first, and a row that is new or gone where no
/// change can be computed before all of them, as the most changed.
public struct Change: Sendable, Equatable {
    /// Whether a key is in both runs, only in the current one (`new`) or only in the baseline.
    public enum Presence: String, Sendable { case both = "", new, gone }

    public var current: Double?
    public var baseline: Double?

    public init(current: Double?, baseline: Double?) {
        self.current = current
        self.baseline = baseline
    }

    public var change: Double? { Self.difference(current, baseline)?.change }
    public var relative: Double? { Self.difference(current, baseline)?.relative }

    /// `a − b` and `(a − b) / |b|` (nil when `b` is 0), when both are numbers.
    public static func difference(_ a: Double?, _ b: Double?) -> (change: Double, relative: Double?)? {
        guard let a, let b else { return nil }
        return (a - b, b == 0 ? nil : (a - b) / Swift.abs(b))
    }

    /// The sort weight of a row whose ranking measure moved by `change`: its magnitude; with no
    /// change, `.infinity` for a key new or gone (most changed) and -1 for one in both runs.
    public static func orderSize(_ change: Double?, _ presence: Presence) -> Double {
        if let change { return Swift.abs(change) }
        return presence == .both ? -1 : .infinity
    }
}
