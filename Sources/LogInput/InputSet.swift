/// One input named by the user: a file path, or `-` for standard input.
public struct InputSpec: Sendable, Hashable {
    public let path: String
    public var isStdin: Bool { path == "-" }
    public var displayName: String { isStdin ? "<stdin>" : path }
    public init(path: String) { self.path = path }
}

public enum InputSet {
    /// Puts inputs in the order a rotated set was written: for each log, `name.N(.gz)` from the
    /// highest N down, then dated `name-YYYYMMDD(.gz)` oldest first, then `name` itself. Logs with
    /// different base names keep the order in which the user first named them.
    public static func oldestFirst(_ inputs: [InputSpec]) -> [InputSpec] {
        var firstSeen: [String: Int] = [:]
        let keyed = inputs.enumerated().map { index, input -> (base: String, generation: Generation, index: Int, input: InputSpec) in
            let (base, generation) = rotationKey(input.path)
            if firstSeen[base] == nil { firstSeen[base] = index }
            return (base, generation, index, input)
        }
        return keyed.sorted { a, b in
            if a.base != b.base { return firstSeen[a.base]! < firstSeen[b.base]! }
            if a.generation != b.generation { return a.generation < b.generation }
            return a.index < b.index
        }.map(\.input)
    }

    /// How old a file is within its rotated set; smaller is older. The case order is the
    /// order documented on `oldestFirst` (synthesized `Comparable` compares cases first).
    enum Generation: Comparable {
        case numbered(negatedNumber: Int)
        case dated(String)
        case current
    }

    static func rotationKey(_ path: String) -> (String, Generation) {
        var name = Substring(path)
        for suffix in [".gz", ".bz2", ".xz", ".zst"] where name.hasSuffix(suffix) {
            name = name.dropLast(suffix.count)
            break
        }
        if let dot = name.lastIndex(of: "."), let n = Int(name[name.index(after: dot)...]), n >= 0,
           name.distance(from: dot, to: name.endIndex) <= 5 {
            return (String(name[..<dot]), .numbered(negatedNumber: -n))
        }
        if let dash = name.lastIndex(of: "-") {
            let stamp = name[name.index(after: dash)...]
            if stamp.count >= 8, stamp.count <= 14, stamp.allSatisfy(\.isNumber) {
                return (String(name[..<dash]), .dated(String(stamp)))
            }
        }
        return (String(name), .current)
    }
}
