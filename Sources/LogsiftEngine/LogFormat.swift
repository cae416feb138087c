import LogParsing

/// A format an input can be read in, from any family, as detection or the user chose it.
public enum LogFormat: Sendable {
    /// An access log matched by one pattern (nginx log_format or grok).
    case access(name: String, pattern: CompiledPattern)

    /// The families: inputs of one family aggregate into one report section.
    public enum Family: String, Sendable, CaseIterable {
        case access
    }

    public var name: String {
        switch self {
        case .access(let name, _): return name
        }
    }

    public var family: Family {
        switch self {
        case .access: return .access
        }
    }

    /// Whether every event is one line, so a file can be cut at any line between workers.
    public var isLineOriented: Bool {
        switch self {
        case .access: return true
        }
    }
}
