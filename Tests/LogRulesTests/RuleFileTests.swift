import LogQuery
import LogRules
import Testing

/// `RuleFile.load`: every problem of a file, each at the line and column counted here by hand
/// in the YAML text (columns are 1-based, in characters).
@Suite struct RuleFileTests {
    @Test func everyProblemWithItsPlace() {
        let yaml = """
        rules:
          - alert: HighErrors
            exrp: rate(status >= 500) > 0.05
            window: 5 min
          - alert: Slow
            expr: p95(request_tme) > 5s
            window: 5m
          - alert: Slow
            expr: count(status >= 500) >> 3
            window: 1m
        """
        let problems = RuleTest.problems(yaml)
        // Line 3: the key at column 5. Line 4: the value `5 min` at column 13. Line 6: expr's
        // value starts at column 11, `request_tme` is the 5th character of it: column 15.
        // Line 8: the second `Slow` at column 12. Line 9: the second `>` is the 23rd character
        // of the expression: 11 + 22 = column 33.
        #expect(problems.count == 6)
        #expect(problems.contains("3:5: unknown key 'exrp' (did you mean expr?)"))
        #expect(problems.contains { $0.hasPrefix("2:") && $0.contains("rule HighErrors has no `expr:`") })
        #expect(problems.contains { $0.hasPrefix("4:13: window: '5 min' is not a duration") })
        #expect(problems.contains("6:15: unknown field 'request_tme' (did you mean 'request_time'?)"))
        #expect(problems.contains("8:12: the alert name 'Slow' is used twice (first at line 5); give each rule its own name"))
        #expect(problems.contains { $0.hasPrefix("9:33: expected a value") })
    }

    /// A field the source's schema lacks (here a PostgreSQL schema given empty by `RuleTest`):
    /// said at the field in expr (`    expr: ` is 10 characters; `sqlstate` is the 7th of the
    /// expression: column 17).
    @Test func aFieldTheSourceLacksIsSaidAtItsColumn() {
        let yaml = """
        rules:
          - alert: DB
            source: postgres
            expr: count(sqlstate = 08006) > 10
            window: 1m
        """
        let problems = RuleTest.problems(yaml)
        #expect(problems.count == 1)
        #expect(problems.first?.hasPrefix("4:17: source postgres has no field 'sqlstate'") == true)
    }

    /// Template errors: in `      summary: "…"` the text starts at column 17 (after the quote).
    @Test func templateHelpersAndLabelsAreChecked() {
        let helper = RuleTest.problems("""
        rules:
          - alert: A
            expr: count > 1
            window: 1m
            annotations:
              summary: "{{ $value | percnt }} requests"
        """)
        // `percnt` is the 13th character of the text: column 29.
        #expect(helper == ["6:29: unknown template helper 'percnt' (did you mean percent?): use percent, humanizePercentage, humanize, humanizeDuration"])
        let label = RuleTest.problems("""
        rules:
          - alert: A
            expr: count > 1
            window: 1m
            by: [path]
            annotations:
              summary: "on {{ $labels.host }}"
        """)
        // `$labels.host` is the 7th character of the text: column 23.
        #expect(label == ["7:23: the alert has no label 'host': its labels are alertname, path (add the field to by, or a label)"])
    }

    @Test func missingAndMisplacedKeys() {
        let problems = RuleTest.problems("""
        rules:
          - alert: Down
            expr: absent(1m)
            by: [path]
          - alert: Rate
            source: ngnix
            expr: rate(status >= 500) > 5s
          - alert: bad-name
            expr: count > 1
            window: 1m
            labels: {alertname: x}
        """)
        // In file order; the unit of `> 5s` is checked although the window is missing (the
        // expression is the 11th column on; `5s` its 23rd character: column 33).
        #expect(problems == [
            "4:5: absent(…) has no groups: an absent group has no events to name it; remove by",
            "5:12: rule Rate has no `window:`, the span its aggregate covers (e.g. window: 5m)",
            "6:13: unknown source 'ngnix' (did you mean nginx?): a source is nginx, postgres, app, or an input's file name such as access.log",
            "7:33: rate(status >= 500) is a plain number; write the threshold without a unit (e.g. 10 or 0.05), not 5s",
            "8:12: the alert name 'bad-name' must be letters, digits and _ (it is the alertname label), e.g. HighErrorRate",
            "11:14: alertname is the rule's alert: name; remove it from labels",
        ])
    }

    /// A unit that does not fit the aggregate is said at the threshold (`> 5s` after
    /// `rate(status >= 500) `: the 23rd character, column 33).
    @Test func thresholdUnits() {
        let problems = RuleTest.problems("""
        rules:
          - alert: Rate
            expr: rate(status >= 500) > 5s
            window: 1m
        """)
        #expect(problems == ["3:33: rate(status >= 500) is a plain number; write the threshold without a unit (e.g. 10 or 0.05), not 5s"])
    }

    @Test func notYAML() {
        let problems = RuleTest.problems("rules:\n  - alert: \"A\n    expr: count > 1\n")
        #expect(problems.count == 1)
        #expect(problems.first?.contains("not valid YAML") == true)
        #expect(RuleTest.problems("- a\n- b\n").first?.hasPrefix("1:1: a rule file is a mapping") == true)
        #expect(RuleTest.problems("groups:\n  - name: x\n").first?.hasPrefix("1:1: unknown key 'groups' at the top (Prometheus groups rules") == true)
    }

    @Test func aValidFileGivesItsRules() throws {
        let rules = try RuleTest.rules("""
        rules:
          - alert: Errors
            source: nginx
            expr: rate(status >= 500) > 0.05
            window: 5m
            for: 1h30m
            keep_firing_for: 2m
            by: path
            labels: {severity: warning}
            annotations: {summary: "{{ $value | percent }}"}
        """)
        #expect(rules.count == 1)
        let r = rules[0]
        #expect(r.name == "Errors" && r.source == .family("access") && r.window == 300 && r.forSeconds == 5400 && r.keepFiringFor == 120)
        #expect(r.groupBy.map(\.name) == ["path"])
        #expect(r.labels == [RuleLabel(name: "severity", value: "warning")])
        #expect(r.expression.text == "rate(status >= 500) > 0.05")
    }

    @Test func durations() {
        #expect(RuleDuration.seconds("1h30m") == 5400)
        #expect(RuleDuration.seconds("0") == 0)
        #expect(RuleDuration.seconds("2d") == 172_800)
        #expect(RuleDuration.seconds("300") == nil)
        #expect(RuleDuration.seconds("5 min") == nil)
        #expect(RuleDuration.seconds("367d") == nil)
        #expect(RuleDuration.seconds("99999999999999999999s") == nil)
    }

    @Test func templateRendering() throws {
        let t = try AlertTemplate(parsing: "{{ $value | percent }} {{$value|humanize}} {{ $value | humanizeDuration }} on {{ $labels.path }}")
        let labels = [RuleLabel(name: "path", value: "/api")]
        #expect(t.render(value: 0.0531, labels: labels) == "5.31% 53.1m 53.1ms on /api")
        #expect(t.render(value: 1_234_567, labels: labels) == "123456700% 1.235M 14d 6h 56m 7s on /api")
        #expect(t.render(value: 90, labels: []) == "9000% 90 1m 30s on ")
        #expect(t.render(value: nil, labels: labels) == "- - - on /api")
        #expect(throws: AlertTemplate.Problem.self) { try AlertTemplate(parsing: "{{ $value ") }
    }
}
