import Dispatch
import Foundation
import LogHTTP
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
    /// Indexes of the rules whose source is the input's.
    var accepted: Set<Int> = []

    init(rules: [AlertRule], deliver: @escaping ([AlertTransition]) -> Void) {
        evaluator = RuleEvaluator(rules: rules)
        self.deliver = deliver
    }

    func bind(source: String, schema: FieldSchema) {
        do {
            // `source` is the input's family: access, postgres or application.
            let feed = try evaluator.feed(schema: schema, input: source, family: source)
            self.feed = feed
            // Rules of another source read nothing here: their transitions (an `absent` with no
            // input of its own) are not delivered.
            accepted = Set(evaluator.rules.indices.filter { evaluator.rules[$0].source.accepts(input: source, family: source) })
            for rule in evaluator.rules where !rule.source.accepts(input: source, family: source) {
                Terminal.warn("rule \(rule.name) (source \(rule.source)) reads no input of this watch (\(source))")
            }
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

    /// The same, specialized for access events (`RuleFeed.add` is inlinable).
    func accessEvent(_ event: AccessEvent, time: Int64) {
        guard let feed else { return }
        feed.add(event, time: time)
        let transitions = evaluator.drain()
        if !transitions.isEmpty { deliver(transitions) }
    }

    func windowClosed(_ window: WindowSummary) {
        let transitions = evaluator.evaluate(at: window.end).filter { accepted.contains($0.ruleIndex) }
        if !transitions.isEmpty { deliver(transitions) }
    }
}

/// `watch --alertmanager URL`: firing alerts are sent to Alertmanager (and re-sent while
/// firing), resolved ones with their end time, as Prometheus sends them; pending alerts are not
/// sent. Sending never blocks reading (the notifier queues and sends on its own threads).
final class AlertmanagerForwarder {
    let notifier: AlertmanagerNotifier
    let source: String

    init(endpoint: HTTPEndpoint, source: String) {
        notifier = AlertmanagerNotifier(.init(endpoint: endpoint))
        self.source = source
    }

    static func labels(_ t: AlertTransition) -> [String: String] {
        var labels: [String: String] = [:]
        for label in t.labels { labels[label.name] = label.value }
        return labels
    }

    func forward(_ transitions: [AlertTransition]) {
        for t in transitions {
            switch t.event {
            case "firing":
                var annotations: [String: String] = [:]
                for a in t.annotations { annotations[a.name] = a.value }
                if let v = t.value { annotations["value"] = AlertTemplate.number(v) }
                notifier.fire(Alert(labels: Self.labels(t), annotations: annotations,
                                    startsAt: Date(timeIntervalSince1970: TimeInterval(t.activeAt)),
                                    generatorURL: nil))
            case "resolved":
                notifier.resolve(labels: Self.labels(t), at: Date(timeIntervalSince1970: TimeInterval(t.time)))
            default:
                break
            }
        }
    }

    /// Waits (at most `seconds`) for what is queued to be delivered; says on stderr what was not.
    func finish(seconds: Int) {
        let notifier = self.notifier
        let delivered = blocking { await notifier.flush(timeout: .seconds(seconds)) }
        let s = notifier.statistics
        if !delivered || s.droppedAfterRetries > 0 || s.droppedQueueFull > 0 || s.rejected > 0 {
            Terminal.warn("alertmanager: \(s.sent) alerts sent, \(s.failedAttempts) failed attempts, "
                + "\(s.droppedAfterRetries + s.droppedQueueFull + s.rejected) dropped"
                + (s.lastError.map { " (last error: \(TerminalText.escaped($0)))" } ?? ""))
        }
        notifier.shutdown()
    }
}
