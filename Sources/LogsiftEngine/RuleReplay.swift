import LogAggregation
import LogInput
import LogParsing
import LogQuery
import LogRules

/// The fields a rule may name, per source, for `rules check`: access logs offer the fields of
/// every built-in nginx format (a custom `log_format` may add more; an input's own format is
/// checked when it is read); PostgreSQL logs the fields of their query decoder (docs/query.md);
/// application logs their fixed fields, and any other name is taken as a JSON-lines or logfmt
/// key, which cannot be known before an input is read (`RuleFile` binds `app` rules leniently:
/// a key an input lacks is absent in its events).
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

    public static let postgres = FieldSchema(source: "postgres", fields: PostgresEventDecoder.schema.fields)

    /// The fixed fields of every application format (nginx/Apache error logs add client,
    /// server, request, upstream, host).
    public static let application: FieldSchema = {
        let decoder = ApplicationEventDecoder(format: .nginxError, zone: .utc)
        return FieldSchema(source: "app", fields: decoder.fixedFields)
    }()

    public static func schema(for source: RuleSource) -> FieldSchema {
        switch source {
        case .family("postgres"): return postgres
        case .family("application"): return application
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
            guard let format = choice.format else {
                outcome.notes.append("\(spec.displayName) has no format recognised in its first lines: it was not read")
                continue
            }
            let family = format.family.rawValue
            let decoder = Families.queryDecoder(for: format, zone: zone)
            if let app = decoder as? ApplicationEventDecoder, app.hasKeys {
                app.bind(keys: RuleReplay.keys(of: rules, input: spec.path, sniffed: app.discoverKeys(sniffed, examples: 0)))
            }
            let feed = try evaluator.feed(schema: decoder.schema, input: spec.path, family: family)
            for (i, rule) in rules.enumerated() where rule.source.accepts(input: spec.path, family: family) { readBy[i] = true }
            for (rule, fields) in feed.missingFields {
                outcome.notes.append("\(spec.displayName) has no field \(fields.joined(separator: ", ")) (rule \(rule)): absent in its events")
            }
            var reading = Reading(reader: reader, sniffed: sniffed, feed: feed, evaluator: evaluator, summary: summary, outcome: outcome)
            Families.visit(decoder, &reading)
            summary = reading.summary
            outcome = reading.outcome
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

    /// The JSON-lines or logfmt keys the rules reading `input` name, with their kinds: what the
    /// input's first lines show (`sniffed`), else a number when an aggregate takes it as one
    /// (its unit from its name, as queries give it), else text.
    static func keys(of rules: [AlertRule], input: String, sniffed: [String: ApplicationEventDecoder.KeyInfo]) -> [String: FieldKind] {
        var keys: [String: FieldKind] = [:]
        func add(_ f: FieldReference, numeric: Bool) {
            if let known = sniffed[f.name]?.kind { keys[f.name] = known; return }
            if let unit = ApplicationEventDecoder.unit(ofKey: f.name) { keys[f.name] = .number(unit); return }
            if numeric { keys[f.name] = .number(.plain) } else if keys[f.name] == nil { keys[f.name] = .text }
        }
        for rule in rules where rule.source.accepts(input: input, family: "application") {
            for f in rule.groupBy { add(f, numeric: false) }
            guard case .threshold(let aggregate, _, _) = rule.expression else { continue }
            switch aggregate {
            case .sum(let f), .average(let f), .minimum(let f), .maximum(let f), .percentile(_, let f): add(f, numeric: true)
            default: for f in QueryRunner.fields(of: aggregate) { add(f, numeric: false) }
            }
        }
        return keys
    }

    /// Reads one input through its decoder, as its concrete type (`Families.visit`): each event
    /// with a time goes to the rules of the input.
    struct Reading: QueryDecoderVisitor {
        let reader: LineReader
        let sniffed: [[UInt8]]
        let feed: RuleFeed
        let evaluator: RuleEvaluator
        var summary: InputSummary
        var outcome: RuleReplayOutcome

        mutating func visit<D: QueryEventDecoder>(_ decoder: D) {
            let feed = self.feed, evaluator = self.evaluator
            var summary = self.summary, outcome = self.outcome
            func event(_ time: Int64?, _ event: D.Event, _ raw: UnsafeRawBufferPointer) {
                guard let time else { outcome.untimed += 1; return }
                outcome.span = outcome.span.map { min($0.lowerBound, time)...max($0.upperBound, time) } ?? time...time
                if !feed.isEmpty {
                    feed.add(event, time: time)
                    outcome.transitions += evaluator.drain()
                }
            }
            func consume(_ bytes: UnsafeRawBufferPointer) {
                summary.lines += 1
                guard !bytes.isEmpty else { summary.blank += 1; decoder.blank(); return }
                switch decoder.feed(bytes, event) {
                case .matched, .continuation: summary.matched += 1
                case .limitExceeded: summary.limitExceeded += 1; summary.unmatched += 1
                case .unmatched: summary.unmatched += 1
                }
            }
            for sample in sniffed { sample.withUnsafeBytes { consume($0) } }
            while let line = reader.nextLine() { consume(line) }
            decoder.finish(event)
            self.summary = summary
            self.outcome = outcome
        }
    }
}
