import LogAggregation
import LogInput
import LogParsing
import LogQuery
import LogRules

/// The fields a rule may name, per source, for `rules check`: access logs offer the fields of
/// every built-in nginx format (a custom `log_format` may add more; an input's own format is
/// checked when it is read); PostgreSQL and application logs decode no fields in this version.
public enum RuleSchemas {
    public static let access: FieldSchema = {
        var fields: [FieldSchema.Field] = []
        for format in NginxFormat.builtins {
            guard let pattern = try? format.compile() else { continue }
            let decoder = AccessEventDecoder(pattern: pattern, zone: .utc)
            for f in decoder.schema.fields where !fields.contains(where: { $0.name == f.name }) {
                fields.append(FieldSchema.Field(name: f.name, kind: f.kind, slot: fields.count))
            }
        }
        return FieldSchema(source: "nginx", fields: fields)
    }()

    public static func schema(for source: RuleSource) -> FieldSchema {
        switch source {
        case .family("postgres"): return FieldSchema(source: "postgres", fields: [])
        case .family("application"): return FieldSchema(source: "app", fields: [])
        default: return access
        }
    }
}

/// What a replay of rules over history found.
public struct RuleReplayOutcome: Sendable {
    public var transitions: [AlertTransition] = []
    /// Alerts still pending or firing when the input ended.
    public var stillActive: [(rule: String, labels: [RuleLabel], state: AlertState, activeAt: Int64, value: Double?)] = []
    public var inputs: [InputSummary] = []
    public var notes: [String] = []
    /// Lines whose event had no time (they cannot be placed in a window).
    public var untimed: UInt64 = 0
    /// First and last event time read.
    public var span: ClosedRange<Int64>?
}

/// Replays inputs through the rule evaluator in event time (`rules test`): the same evaluator
/// a live watch feeds, here fed from files. Inputs are read in rotated-set order (oldest
/// first); evaluation stops at the last event read, so `absent` does not fire at the end of
/// history.
public enum RuleReplay {
    public static func run(_ rules: [AlertRule], inputs: [InputSpec], zone: ZoneRule = .local, keepOrder: Bool = false,
                           maxLineLength: Int = LineReader.defaultMaxLineLength) throws(QueryError) -> RuleReplayOutcome {
        var outcome = RuleReplayOutcome()
        let evaluator = RuleEvaluator(rules: rules)
        var readBy = [Bool](repeating: false, count: rules.count)
        let ordered = keepOrder ? inputs : InputSet.oldestFirst(inputs)
        let detector = FormatDetector.automatic()
        for spec in ordered {
            var summary = InputSummary(name: spec.displayName, format: "unknown")
            defer { outcome.inputs.append(summary) }
            let reader: LineReader
            do { reader = LineReader(source: try spec.open(), maxLineLength: maxLineLength) } catch {
                summary.error = error.description
                continue
            }
            let sniffed = FormatDetector.sniff(reader)
            let choice = detector.choose(sniffed)
            summary.format = choice.format?.name ?? "unknown"
            guard case .access(_, let pattern)? = choice.format else {
                let what = choice.format.map { "is \($0.family.rawValue) (\($0.name))" } ?? "has no format recognised in its first lines"
                outcome.notes.append("\(spec.displayName) \(what): this version evaluates rules on access logs only; it was not read")
                continue
            }
            let decoder = AccessEventDecoder(pattern: pattern, zone: zone)
            let feed = try evaluator.feed(schema: decoder.schema, input: spec.path, family: "access")
            for (i, rule) in rules.enumerated() where rule.source.accepts(input: spec.path, family: "access") { readBy[i] = true }
            for (rule, fields) in feed.missingFields {
                outcome.notes.append("\(spec.displayName) has no field \(fields.joined(separator: ", ")) (rule \(rule)): absent in its events")
            }
            func consume(_ bytes: UnsafeRawBufferPointer) {
                summary.lines += 1
                guard !bytes.isEmpty else { summary.blank += 1; return }
                let (result, time) = decoder.decode(bytes)
                guard result == .matched else { summary.unmatched += 1; return }
                summary.matched += 1
                guard let time else { outcome.untimed += 1; return }
                outcome.span = outcome.span.map { min($0.lowerBound, time)...max($0.upperBound, time) } ?? time...time
                if !feed.isEmpty {
                    feed.add(AccessEvent(decoder: decoder, line: bytes), time: time)
                    outcome.transitions += evaluator.drain()
                }
            }
            for sample in sniffed { sample.withUnsafeBytes { consume($0) } }
            while let line = reader.nextLine() { consume(line) }
            summary.bytesRead = UInt64(reader.bytesRead)
            summary.error = reader.error?.description
        }
        outcome.transitions += evaluator.drain()
        outcome.stillActive = evaluator.active().sorted { ($0.rule, $0.activeAt) < ($1.rule, $1.activeAt) }
        for (i, rule) in rules.enumerated() where !readBy[i] {
            outcome.notes.append("rule \(rule.name) (source \(rule.source)) read no input")
        }
        for (i, n) in evaluator.overflowEvents.enumerated() where n > 0 {
            outcome.notes.append("rule \(rules[i].name): \(n) events of groups past its bound of \(evaluator.groupLimits[i]) groups were not counted")
        }
        for (i, n) in evaluator.lateEvents.enumerated() where n > 0 {
            outcome.notes.append("rule \(rules[i].name): \(n) events older than the window being evaluated were not counted")
        }
        if outcome.untimed > 0 { outcome.notes.append("\(outcome.untimed) events had no time and were left out") }
        return outcome
    }
}
