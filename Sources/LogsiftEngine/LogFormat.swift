import LogParsing

/// A format an input can be read in, from any family, as detection or the user chose it.
public enum LogFormat: Sendable {
    /// An access log matched by one pattern (nginx log_format or grok).
    case access(name: String, pattern: CompiledPattern)
    /// A PostgreSQL server log (stderr with a log_line_prefix, csvlog, jsonlog).
    case postgres(PostgresFormat)
    /// An application log, syslog, or nginx error log.
    case application(ApplicationFormat)

    /// The families: inputs of one family aggregate into one report section.
    public enum Family: String, Sendable, CaseIterable {
        case access, postgres, application
    }

    public var name: String {
        switch self {
        case .access(let name, _): return name
        case .postgres(let format): return format.name
        case .application(let format): return format.name
        }
    }

    public var family: Family {
        switch self {
        case .access: return .access
        case .postgres: return .postgres
        case .application: return .application
        }
    }

    /// The PCRE2 pattern of an access format; nil for the other families.
    public var accessRegex: String? {
        if case .access(_, let pattern) = self { return pattern.regex.pattern }
        return nil
    }

    /// Whether every event is one line, so a file can be cut at any line between workers.
    /// Multi-line families (a statement and its DETAIL lines, a stack trace) are read whole.
    public var isLineOriented: Bool { Families.entry(for: self).isLineOriented }
}
