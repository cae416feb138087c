/// LogParsing: how a line's bytes become fields.
///
/// Takes pattern text (grok, an nginx `log_format`), gives a `CompiledPattern`: one PCRE2 regex,
/// compiled and JIT-ed once, plus a table from field names to capture groups. Values stay byte
/// ranges of the line; the small parsers in this module read numbers and timestamps straight
/// from those bytes. It knows nothing of buckets or reports.
import PCRE2

/// How a captured value is meant to be read (grok's `:int` / `:float` suffix).
public enum FieldType: String, Sendable {
    case string, int, float
}

/// One named field of a pattern and the capture groups that can fill it (a name used twice in
/// one pattern, e.g. on both sides of an alternation, has several groups; the first that took
/// part wins).
public struct FieldSpec: Sendable, Equatable {
    public let name: String
    public let type: FieldType
    public let groups: [Int]

    public init(name: String, type: FieldType, groups: [Int]) {
        self.name = name
        self.type = type
        self.groups = groups
    }
}

/// A pattern ready to match: the regex and its field table. Immutable and shared by all workers.
public final class CompiledPattern: Sendable {
    /// The pattern as the user wrote it (grok text or nginx log_format), for messages.
    public let source: String
    public let regex: Regex
    public let fields: [FieldSpec]
    /// The byte-scanner layout of an nginx `log_format` (nil for grok patterns and formats with
    /// a fragment the scanner does not know): lines it accepts need no regex.
    public let layout: LineLayout?

    public init(source: String, regex: Regex, fields: [FieldSpec], layout: LineLayout? = nil) {
        self.source = source
        self.regex = regex
        self.fields = fields
        self.layout = layout
    }

    public func field(named name: String) -> FieldSpec? {
        fields.first { $0.name == name }
    }
}

extension MatchData {
    /// Byte range of `field` in the last matched line: the first of its groups that took part.
    @inline(__always)
    public func range(of field: FieldSpec) -> Range<Int>? {
        for group in field.groups {
            if let r = range(group) { return r }
        }
        return nil
    }
}
