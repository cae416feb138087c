import LogQuery
import LogRules
import Testing

/// No input traps: rule files cut and scrambled at random, and events in any time order.
@Suite struct RuleRobustnessTests {
    static let valid = """
    rules:
      - alert: Errors
        source: nginx
        expr: rate(status >= 500 and path ~ "^/api/") > 0.05
        window: 5m
        for: 5m
        keep_firing_for: 1m
        by: [path]
        labels: {severity: warning}
        annotations:
          summary: "5xx at {{ $value | percent }} on {{ $labels.path }}"
          detail: |
            p95 {{ $value | humanizeDuration }}
      - alert: Down
        expr: absent(1m)
    """

    /// 3,000 mutations (a character deleted, replaced by one of YAML's or the query's
    /// specials, or the text cut): each loads or gives positioned errors, never traps.
    @Test func scrambledRuleFiles() {
        var seed: UInt64 = 42
        func next(_ n: Int) -> Int {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Int((seed >> 33) % UInt64(n))
        }
        let specials: [Character] = ["{", "}", "[", "]", ":", "-", "\"", "'", "|", ">", "(", ")", "$", " ", "\n", "\t", "&", "*", "#", "0", "é", "\u{1B}"]
        let base = Array(Self.valid)
        var loaded = 0, failed = 0
        for _ in 0..<3000 {
            var chars = base
            for _ in 0..<(1 + next(3)) {
                let i = next(chars.count)
                switch next(3) {
                case 0: chars.remove(at: i)
                case 1: chars[i] = specials[next(specials.count)]
                default: chars = Array(chars[..<i])
                }
                if chars.isEmpty { chars = ["x"] }
            }
            switch RuleFile.load(String(chars), file: "f.yml", fields: { _ in TestEvent.schema }) {
            case .success: loaded += 1
            case .failure(let e):
                failed += 1
                #expect(!e.errors.isEmpty)
                #expect(e.errors.allSatisfy { $0.line >= 1 && $0.column >= 1 })
            }
        }
        #expect(loaded > 0 && failed > 0)
    }

    /// 20,000 events with times jumping back and forth by up to a day, 500 paths: no trap,
    /// groups within the bound, old events counted as late.
    @Test func eventsInAnyOrder() throws {
        let rules = try RuleTest.rules("""
        rules:
          - alert: Slow
            expr: p95(request_time) > 1s
            window: 1m
            by: [path]
          - alert: Errors
            expr: rate(status >= 500) > 0.5
            window: 5m
            for: 1m
            keep_firing_for: 1m
          - alert: Down
            expr: absent(30s)
        """)
        let evaluator = RuleEvaluator(rules: rules, maxGroups: 100)
        let feed = try evaluator.feed(schema: TestEvent.schema, input: "a", family: "access")
        var seed: UInt64 = 7
        func next(_ n: Int) -> Int {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Int((seed >> 33) % UInt64(n))
        }
        var t = RuleTest.t0
        var transitions = 0
        for _ in 0..<20_000 {
            t += Int64(next(3) == 0 ? next(172_800) - 86_400 : next(5))
            feed.add(TestEvent(status: next(2) == 0 ? 500 : 200, path: "/p\(next(500))", requestTime: Double(next(3000)) / 1000), time: t)
            transitions += evaluator.drain().count
        }
        transitions += evaluator.evaluate(at: t + 3600).count
        #expect(transitions > 0)
        #expect(evaluator.groupCounts[0] <= evaluator.groupLimits[0])
        #expect(evaluator.groupLimits == [20, 100, 100])
        #expect(evaluator.lateEvents.reduce(0, +) > 0)
    }
}
