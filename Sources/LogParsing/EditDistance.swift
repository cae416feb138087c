/// How far apart two names are, for "did you mean …?" in messages about options, nginx
/// variables and query fields.
public enum EditDistance {
    /// Levenshtein distance between `a` and `b`, or `limit + 1` as soon as it must exceed `limit`.
    public static func between(_ a: String, _ b: String, limit: Int) -> Int {
        let a = Array(a.utf8), b = Array(b.utf8)
        if abs(a.count - b.count) > limit { return limit + 1 }
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            var rowMin = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                rowMin = min(rowMin, current[j])
            }
            if rowMin > limit { return limit + 1 }
            swap(&previous, &current)
        }
        return previous[b.count]
    }

    /// The candidate nearest to `name` when it is at most `limit` edits away (ties: the first
    /// in alphabetical order), else nil.
    public static func closest<S: Sequence>(to name: String, among candidates: S, limit: Int = 2) -> String?
    where S.Element == String {
        var best: (name: String, distance: Int)?
        for candidate in candidates where candidate != name {
            let d = between(name, candidate, limit: limit)
            guard d <= limit else { continue }
            if let b = best, d > b.distance || (d == b.distance && candidate > b.name) { continue }
            best = (candidate, d)
        }
        return best?.name
    }
}
