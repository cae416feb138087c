import LogAggregation
import LogParsing
import LogQuery
import LogRules

/// What a `watch` pane takes from a PostgreSQL or application event, through slots resolved
/// once when the format is chosen (`bind`), never by name per line.
///
/// - every event counts in `requests`, one of level error or above in `serverErrors`;
/// - a duration (`duration_ms` of PostgreSQL; for an application log the first duration key of
///   `applicationDurationKeys` its first lines have) goes to `durations`, in milliseconds;
/// - PostgreSQL: the statement fingerprint (`query`) to `queries`, as a call when the entry
///   logged the statement itself (it has a `statement`), as a duration only when it is a bare
///   `duration:` paired with the same process's statement (so a statement and its duration,
///   logged on two lines, are one call, as the report counts them);
/// - errors: PostgreSQL messages grouped as the report's error templates
///   (`PostgresProcessor.template`: first line, quoted names and digit runs masked), application
///   messages by their `template` field (`ErrorTemplate`).
final class EventPaneFeed {
    var levelSlot = -1
    var durationSlot = -1
    /// Multiplies the duration field's value into milliseconds.
    var durationScale = 1.0
    /// The field the durations come from (nil: the input has none).
    private(set) var durationField: String?
    var querySlot = -1, statementSlot = -1
    /// PostgreSQL: the message, templated here into `buffer`.
    var messageSlot = -1
    /// Application: the message's template, made by the decoder.
    var templateSlot = -1
    /// Where a PostgreSQL message's template is written (allocated once; the size of the
    /// report's buffer, so long messages are cut where the report cuts them).
    let buffer: UnsafeMutableRawBufferPointer

    /// Duration keys of JSON-lines and logfmt application logs, in order of preference: those
    /// whose name gives the unit (`ApplicationEventDecoder.unit(ofKey:)`, as queries read them).
    static let applicationDurationKeys = [
        "duration_ms", "took_ms", "elapsed_ms", "latency_ms", "response_time_ms", "request_time_ms", "time_ms",
        "response_time", "duration_seconds", "elapsed_seconds", "latency_seconds", "request_time_seconds",
    ]

    init() { buffer = .allocate(byteCount: SQLFingerprint.maxLength, alignment: 8) }
    deinit { buffer.deallocate() }

    /// Binds the keys of an application decoder with keys (JSON lines, logfmt) that its first
    /// lines (`sample`) show: the first that holds a duration, and those `rules` name (as
    /// `rules test` binds them); before `bind(schema:)`.
    static func bindKeys(_ app: ApplicationEventDecoder, sample: [[UInt8]], rules: [AlertRule], input: String) {
        guard app.hasKeys else { return }
        let found = app.discoverKeys(sample, examples: 0)
        var keys = RuleReplay.keys(of: rules, input: input, sniffed: found)
        if let name = applicationDurationKeys.first(where: { found[$0] != nil }),
           let unit = ApplicationEventDecoder.unit(ofKey: name) {
            keys[name] = .number(unit)
        }
        app.bind(keys: keys)
    }

    /// Resolves every slot from the decoder's schema.
    func bind(schema: FieldSchema) {
        func slot(_ name: String) -> Int { schema.field(named: name)?.slot ?? -1 }
        levelSlot = schema.field(named: "severity")?.slot ?? slot("level")
        durationSlot = -1
        durationField = nil
        for name in ["duration_ms"] + Self.applicationDurationKeys {
            guard let field = schema.field(named: name), case .number(let unit) = field.kind else { continue }
            switch unit {
            case .milliseconds: durationScale = 1
            case .seconds: durationScale = 1000
            default: continue
            }
            durationSlot = field.slot
            durationField = name
            break
        }
        querySlot = slot("query")
        statementSlot = slot("statement")
        // PostgreSQL entries have `sqlstate`; application events a `template`.
        templateSlot = slot("template")
        messageSlot = templateSlot < 0 ? slot("message") : -1
    }

    @inline(__always)
    func add<E: FieldValues>(_ event: E, to pane: inout AccessPane) {
        pane.requests += 1
        let isError = event.level(levelSlot).map { $0 >= .error } ?? false
        if isError { pane.serverErrors += 1 }
        var milliseconds: Double? = nil
        if durationSlot >= 0, let value = event.number(durationSlot), value.isFinite {
            milliseconds = value * durationScale
            pane.durations.add(value * durationScale)
        }
        if querySlot >= 0 {
            event.withText(querySlot) { query in
                guard let query else { return }
                let call = statementSlot >= 0 && event.withText(statementSlot) { $0 != nil }
                pane.queries.add(query, call: call, milliseconds: milliseconds)
            }
        }
        guard isError else { return }
        if templateSlot >= 0 {
            event.withText(templateSlot) { if let t = $0 { pane.errorTemplates.add(t) } }
        } else if messageSlot >= 0 {
            event.withText(messageSlot) { message in
                guard let message, !message.isEmpty else { return }
                let n = PostgresProcessor.template(message, 0..<message.count, into: buffer)
                pane.errorTemplates.add(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            }
        }
    }
}
