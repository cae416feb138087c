import LogAggregation
import LogInput
import LogParsing

// The log families, registered in one place.
//
// A family (nginx access logs, PostgreSQL, application logs) is one type conforming to
// `LogFamily`, in its own file under `Families/`: how its formats are detected from sample
// lines, how its lines decode to query events, where a parallel worker may cut one of its
// files, which processor builds its part of `report`, and which section of the analysis that
// processor fills. The engine (`FormatDetector`, `EventBoundary`, `Worker`, `ComposeStream`,
// `QueryRunner`, `RuleReplay`, `FieldInventory`, `WatchEngine`) calls through this registry.
//
// To add a family:
//   1. add `Families/<Name>Family.swift` with a type conforming to `LogFamily` (its decoder,
//      processor and boundary rule may live beside it in that folder);
//   2. append it to the list in `Families.forEach` below (the only list; `Families.all` is
//      derived from it; earlier families win detection ties);
//   3. add its case to `LogFormat` and `LogFormat.Family` (the format value it is read in) and
//      its aggregate to `Sections` and `Analysis` (the report's data model), and render it in
//      LogReport.
// `FamilyRegistryTests` checks that every `LogFormat.Family` is registered exactly once.

/// A log family: detection, query decoding, event boundaries and the default report of the
/// inputs of one kind, called by the engine through `Families`, once per input (never per
/// line). Requirements that take a `LogFormat` are only called with formats of this family.
protocol LogFamily {
    /// The concrete query decoder, so reading loops are compiled for it (`Families.visit`).
    associatedtype Decoder: QueryEventDecoder

    /// The family's tag in `LogFormat.Family`.
    static var family: LogFormat.Family { get }

    /// Whether every event is one line, so a file can be cut at any line between workers.
    static var isLineOriented: Bool { get }

    /// Formats of this family that can be named outright with `--log-format` besides the
    /// detector's fixed candidates.
    static var namedFormats: [LogFormat] { get }

    /// How many lines of `sample` (non-blank) `format` recognises.
    static func score(_ format: LogFormat, _ sample: [[UInt8]]) -> Int

    /// The formats this family finds in `sample` by itself (beyond the detector's fixed
    /// candidates), with their scores, in order of preference.
    static func detect(_ sample: [[UInt8]]) -> [DetectedFormat]

    /// A better reading of `sample` than `format`, which detection chose (nginx built-ins
    /// extended by trailing `name=value` fields); nil to keep it.
    static func refined(_ format: LogFormat, _ sample: [[UInt8]]) -> DetectedFormat?

    /// For a format that joins any line to the event before it (plain application text): how
    /// many lines of `sample` it recognises by their shape alone. nil for other formats.
    static func shapedHits(_ format: LogFormat, _ sample: [[UInt8]]) -> Int?

    /// The decoder of query events for inputs in `format`.
    static func queryDecoder(for format: LogFormat, zone: ZoneRule) -> Decoder

    /// Which lines of inputs in `format` start an event owing nothing to the lines before
    /// (where a worker may cut the file); nil when such files are read whole.
    static func eventStart(for format: LogFormat, zone: ZoneRule, sample: [[UInt8]]) -> (any EventStartRule)?

    /// Reads one input (already opened, its first lines `sniffed`) into `worker`'s processor
    /// of this family, made on first use and reused for every input of the family.
    static func report(_ format: LogFormat, worker: Worker, reader: LineReader, sniffed: [[UInt8]],
                       unit: WorkUnit, result: inout UnitResult)

    /// A processor of its own for one docker-compose service whose lines are in `format`.
    static func composeRoute(_ format: LogFormat, configuration: AnalysisConfiguration, service: String) -> ComposeStream.Route

    /// The analysis section that `processor` (this family's, as `report` or `composeRoute`
    /// made it) built; empty for a processor of another family.
    static func section(of processor: any LineProcessor) -> Sections
}

extension LogFamily {
    static var namedFormats: [LogFormat] { [] }
    static func detect(_ sample: [[UInt8]]) -> [DetectedFormat] { [] }
    static func refined(_ format: LogFormat, _ sample: [[UInt8]]) -> DetectedFormat? { nil }
    static func shapedHits(_ format: LogFormat, _ sample: [[UInt8]]) -> Int? { nil }
}

/// A format found in sample lines, with how many lines it recognises and, for a guessed nginx
/// layout, the `log_format` line to pass to `--nginx-format`.
struct DetectedFormat {
    let format: LogFormat
    let hits: Int
    var guessedNginxFormat: String? = nil
}

/// Something done with each registered family, as its concrete type (see `Families.forEach`).
protocol FamilyVisitor {
    mutating func visit<F: LogFamily>(_ family: F.Type)
}

/// Something done with a decoder of any family (see `Families.visit`).
protocol QueryDecoderVisitor {
    mutating func visit<D: QueryEventDecoder>(_ decoder: D)
}

enum Families {
    /// The registered families, in order of preference (detection ties go to the earlier):
    /// the one list of them.
    static func forEach<V: FamilyVisitor>(_ visitor: inout V) {
        visitor.visit(AccessFamily.self)
        visitor.visit(PostgresFamily.self)
        visitor.visit(ApplicationFamily.self)
    }

    /// The registered families, in the order of `forEach`.
    static var all: [any LogFamily.Type] {
        struct Collect: FamilyVisitor {
            var types: [any LogFamily.Type] = []
            mutating func visit<F: LogFamily>(_ family: F.Type) { types.append(family) }
        }
        var collect = Collect()
        forEach(&collect)
        return collect.types
    }

    /// The registered family tagged `family`.
    static func entry(_ family: LogFormat.Family) -> any LogFamily.Type {
        guard let entry = all.first(where: { $0.family == family }) else {
            preconditionFailure("log family \(family) is not registered in Families.forEach")
        }
        return entry
    }

    /// The registered family of `format`.
    static func entry(for format: LogFormat) -> any LogFamily.Type { entry(format.family) }

    /// The query decoder of inputs in `format`.
    static func queryDecoder(for format: LogFormat, zone: ZoneRule) -> any QueryEventDecoder {
        entry(for: format).queryDecoder(for: format, zone: zone)
    }

    /// Hands `decoder` to `visitor` as its concrete type, so that the per-line loop the visitor
    /// runs is compiled for each family (not through witness tables per line and per field).
    static func visit<V: QueryDecoderVisitor>(_ decoder: any QueryEventDecoder, _ visitor: inout V) {
        var opener = DecoderOpener(decoder: decoder, visitor: visitor)
        forEach(&opener)
        if !opener.done { opener.visitor.visit(decoder) }
        visitor = opener.visitor
    }
}

/// Finds the family whose decoder `decoder` is and hands it to `visitor` as that concrete type.
struct DecoderOpener<V: QueryDecoderVisitor>: FamilyVisitor {
    let decoder: any QueryEventDecoder
    var visitor: V
    var done = false

    init(decoder: any QueryEventDecoder, visitor: V) {
        self.decoder = decoder
        self.visitor = visitor
    }

    mutating func visit<F: LogFamily>(_ family: F.Type) {
        guard !done, let concrete = decoder as? F.Decoder else { return }
        done = true
        visitor.visit(concrete)
    }
}
