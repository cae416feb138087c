import LogQuery
import LogReport
import LogRules
import LogsiftEngine

/// `watch --rules`: the rule evaluator as one more observer of the watch engine. Each event goes
/// to the rules that read its source; each window close (on event time, or on the wall clock
/// while the input is quiet, so that `absent` fires and alerts resolve) evaluates them up to the
/// window's end. Transitions go to `deliver` as they happen.
final class RuleObserver: WatchObserver {
    let evaluator: RuleEvaluator
    var feed: RuleFeed?
    let deliver: ([AlertTransition]) -> Void
    /// A rule that cannot read the input (a field its source lacks): said once, on stderr.
    var bindFailure: String?

    init(rules: [AlertRule], deliver: @escaping ([AlertTransition]) -> Void) {
        evaluator = RuleEvaluator(rules: rules)
        self.deliver = deliver
    }

    func bind(source: String, schema: FieldSchema) {
        do {
            let feed = try evaluator.feed(schema: schema, input: source, family: "access")
            self.feed = feed
            for (rule, fields) in feed.missingFields {
                Terminal.warn("rule \(rule): \(source) has no field \(fields.joined(separator: ", ")); it is absent in every event")
            }
        } catch {
            bindFailure = error.description
            Terminal.warn("rules cannot read \(source): \(error.description)")
        }
    }

    func event<Event: FieldValues>(_ event: Event, time: Int64) {
        guard let feed else { return }
        feed.add(event, time: time)
        let transitions = evaluator.drain()
        if !transitions.isEmpty { deliver(transitions) }
    }

    func windowClosed(_ window: WindowSummary) {
        let transitions = evaluator.evaluate(at: window.end)
        if !transitions.isEmpty { deliver(transitions) }
    }
}
