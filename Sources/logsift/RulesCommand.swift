import ArgumentParser
import Foundation
import LogInput
import LogQuery
import LogReport
import LogRules
import LogsiftEngine

/// `logsift rules check|test`: alert rule files (docs/rules.md).
struct RulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "Check alert rule files, and replay logs through them to see when each rule would have fired.",
        discussion: """
        A rule file lists rules: alert, source, expr (an aggregate of the query language and a threshold, or absent(1m)), window, by, for, keep_firing_for, labels, annotations. See docs/rules.md and samples/alerts.yml.

        Examples:
          logsift rules check samples/alerts.yml
          logsift rules test samples/alerts.yml /var/log/nginx/access.log.1
          logsift rules test --format json alerts.yml access.log*
        """,
        subcommands: [RulesCheckCommand.self, RulesTestCommand.self]
    )

    /// Reads and checks rule files; says every problem (file:line:column: what to do) on stderr
    /// and exits 1 when there is any.
    static func load(_ paths: [String]) throws -> [AlertRule] {
        var rules: [AlertRule] = []
        var failed = false
        for path in paths {
            let text: String
            do {
                let data = try Data(contentsOf: URL(fileURLWithPath: path))
                guard let decoded = String(data: data, encoding: .utf8) else {
                    Terminal.warn("\(path): not UTF-8 text; a rule file is YAML in UTF-8")
                    failed = true
                    continue
                }
                text = decoded
            } catch {
                Terminal.warn("\(path): cannot read: \((error as NSError).localizedDescription)")
                failed = true
                continue
            }
            switch RuleFile.load(text, file: path, fields: RuleSchemas.schema(for:)) {
            case .success(let loaded):
                for rule in loaded where rules.contains(where: { $0.name == rule.name }) {
                    Terminal.warn("\(path):\(rule.line):1: the alert name '\(rule.name)' is used in an earlier file too; give each rule its own name")
                    failed = true
                }
                rules += loaded
            case .failure(let problems):
                for error in problems.errors { Terminal.warn(error.description) }
                failed = true
            }
        }
        if failed { throw ExitCode(ExitStatus.inputFailed) }
        return rules
    }
}

struct RulesCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check rule files: every problem with file:line:column and what to do; exit 1 when there is one.",
        discussion: """
        Examples:
          logsift rules check samples/alerts.yml
          logsift rules check alerts.yml team-alerts.yml
        """
    )

    @Argument(help: "Rule files (YAML).")
    var files: [String]

    func run() throws {
        let rules = try RulesCommand.load(files)
        var out = ""
        for rule in rules {
            var line = "\(rule.name): \(rule.expression.text)"
            if case .threshold = rule.expression { line += " over \(RuleDuration.text(rule.window))" }
            if !rule.groupBy.isEmpty { line += " by \(rule.groupBy.map(\.name).joined(separator: ", "))" }
            if rule.forSeconds > 0 { line += " for \(RuleDuration.text(rule.forSeconds))" }
            if rule.keepFiringFor > 0 { line += ", keep firing \(RuleDuration.text(rule.keepFiringFor))" }
            if rule.source != .any { line += " (source \(rule.source))" }
            out += TerminalText.escaped(line) + "\n"
        }
        out += "\(rules.count) rule\(rules.count == 1 ? "" : "s") OK\n"
        try StandardOutput.write(out)
    }
}

struct RulesTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Replay logs in event time through rules: when each would have gone pending, firing, resolved.",
        discussion: """
        Exit status: 0; 1 (a rule file has problems, or an input could not be read); 65 (no input had a recognised line); 64 (usage).

        Each rule is evaluated as event time passes each step of its window (window/60, at least 1 s); the table lists every transition at the evaluation where it happened, then the alerts still pending or firing when the logs end. Evaluation stops at the last event read, so absent(…) never fires just because the file ended. Access, PostgreSQL and application inputs are each decoded with their family's decoder, and their events go to the rules of their source (e.g. logsift rules test samples/alerts.yml samples/postgresql.log).

        Examples:
          logsift rules test samples/alerts.yml samples/access.log*
          logsift rules test --format json alerts.yml /var/log/nginx/access.log.1
        """
    )

    @Argument(help: "The rule file.")
    var rules: String

    @Argument(help: "Logs to replay, in event time (rotated sets oldest first).")
    var inputs: [String]

    @Option(name: .long, help: "Output: text (a table) or json (one object per transition).")
    var format: Output = .text

    @Option(name: .long, parsing: .unconditional, help: "Zone of times written without one: local (default), UTC, +0100, Europe/Berlin…")
    var tz: String = "local"

    @Flag(name: .long, help: "Read inputs in the order given instead of oldest rotated file first.")
    var keepOrder = false

    enum Output: String, ExpressibleByArgument, CaseIterable { case text, json }

    func run() throws {
        let zone = try TimeZoneOption.parse(tz)
        let loaded = try RulesCommand.load([rules])
        let outcome: RuleReplayOutcome
        do {
            outcome = try RuleReplay.run(loaded, inputs: inputs.map(InputSpec.init(path:)), zone: zone, keepOrder: keepOrder)
        } catch {
            throw ValidationError(TerminalText.escaped(error.description))
        }
        for note in outcome.notes { Terminal.warn(note) }
        try StandardOutput.write(format == .json ? RulesTestCommand.json(outcome) : RulesTestCommand.text(outcome))
        if outcome.inputs.allSatisfy({ $0.matched == 0 && $0.error == nil }) {
            Terminal.warn("no input could be replayed")
            throw ExitCode(ExitStatus.nothingRecognised)
        }
        try ExitStatus.check(outcome.inputs)
    }

    /// The group's labels (what `by` named), as `path=/api, host=a`.
    static func group(_ labels: [RuleLabel], rule: AlertRule?) -> String {
        let names = Set(rule?.groupBy.map(\.name) ?? [])
        return labels.filter { names.contains($0.name) }.map { "\($0.name)=\($0.value)" }.joined(separator: ", ")
    }

    static func value(_ v: Double?) -> String { v.map(AlertTemplate.number) ?? "-" }

    static func text(_ outcome: RuleReplayOutcome) -> String {
        // Rules by name, for the group columns (names are unique in a checked file).
        var out = ""
        if outcome.transitions.isEmpty {
            out += "no rule changed state"
            if let span = outcome.span { out += " between \(TimeText.iso8601(span.lowerBound)) and \(TimeText.iso8601(span.upperBound))" }
            out += "\n"
        } else {
            let rows = outcome.transitions.map { t -> [String] in
                [TimeText.iso8601(t.time), t.rule, t.event, groupText(t.labels), value(t.value),
                 t.to == .inactive ? "" : (t.annotations.first { $0.name == "summary" }?.value ?? "")].map(TerminalText.escaped)
            }
            out += TextTable.render(["time", "alert", "state", "labels", "value", "summary"], rows, leftColumns: [0, 1, 2, 3, 5])
        }
        if !outcome.stillActive.isEmpty {
            out += "\nstill active when the logs end:\n"
            for a in outcome.stillActive {
                var line = "  \(a.rule) \(a.state.rawValue) since \(TimeText.iso8601(a.activeAt))"
                let g = groupText(a.labels)
                if !g.isEmpty { line += " (\(g))" }
                out += TerminalText.escaped(line) + "\n"
            }
        }
        return out
    }

    /// Labels other than alertname (the group and the rule's labels).
    static func groupText(_ labels: [RuleLabel]) -> String {
        labels.dropFirst().map { "\($0.name)=\($0.value)" }.joined(separator: " ")
    }

    static func json(_ outcome: RuleReplayOutcome) -> String {
        var out = ""
        for t in outcome.transitions {
            out += json(t).rendered(pretty: false) + "\n"
        }
        return out
    }

    /// One transition as `rules test --format json` and `watch --rules` write it.
    static func json(_ t: AlertTransition) -> JSONValue {
        .object([
            ("time", .string(TimeText.iso8601(t.time))),
            ("alert", .string(t.rule)),
            ("state", .string(t.event)),
            ("labels", .object(t.labels.map { ($0.name, .string($0.value)) })),
            ("value", t.value.map { .double($0) } ?? .null),
            ("active_at", .string(TimeText.iso8601(t.activeAt))),
            ("annotations", .object(t.annotations.map { ($0.name, .string($0.value)) })),
        ])
    }
}
