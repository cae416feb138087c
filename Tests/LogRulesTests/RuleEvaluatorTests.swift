import LogQuery
import LogRules
import Testing

/// Transitions of `RuleEvaluator` against times computed by hand (in each test's comment) from
/// the events the test makes, with Prometheus' semantics: pending when the condition first
/// holds, firing once it held for `for`, resolved at the first evaluation where it does not
/// (or after `keep_firing_for`).
@Suite struct RuleEvaluatorTests {
    /// One event per second from t0 for `seconds`, status 500 where `error(i)`.
    static func replay(_ yaml: String, seconds: Int64, event: (Int64) -> TestEvent?) throws -> (RuleEvaluator, [AlertTransition]) {
        let evaluator = RuleEvaluator(rules: try RuleTest.rules(yaml))
        let feed = try evaluator.feed(schema: TestEvent.schema, input: "access.log", family: "access")
        var out: [AlertTransition] = []
        for i in 0..<seconds {
            guard let e = event(i) else { continue }
            feed.add(e, time: RuleTest.t0 + i)
            out += evaluator.drain()
        }
        return (evaluator, out)
    }

    static let errorRule = """
    rules:
      - alert: Errors
        expr: rate(status >= 500) > 0.1
        window: 1m
        for: FOR
        keep_firing_for: KEEP
    """

    static func errors(from: Int64, to: Int64) -> (Int64) -> TestEvent? {
        { i in TestEvent(status: i >= from && i < to ? 500 : 200) }
    }

    /// Errors at i in [120, 300), one event a second, window 60 s (step 1 s). At b (seconds
    /// after t0) the window [b-60, b) holds b-120 errors for b in [120, 180]: rate > 0.1 needs
    /// 7 of 60, first at b = 127. After the errors stop it holds 360-b: last 7 at b = 353, so
    /// the condition fails first at 354.
    @Test func pendingThenFiringAfterForThenResolved() throws {
        let yaml = Self.errorRule.replacingOccurrences(of: "FOR", with: "2m").replacingOccurrences(of: "KEEP", with: "0")
        let (_, t) = try Self.replay(yaml, seconds: 600, event: Self.errors(from: 120, to: 300))
        #expect(summary(t) == ["127 Errors pending", "247 Errors firing", "354 Errors resolved"])
        // Values: 7/60 at pending; 60/60 at firing (errors fill the window); 6/60 at resolve.
        #expect(t.map(\.value) == [7.0 / 60, 1.0, 6.0 / 60])
        #expect(t[1].activeAt == RuleTest.t0 + 127)
        #expect(t.map(\.from) == [.inactive, .pending, .firing])
    }

    /// `for: 0` fires at the first evaluation where the condition holds.
    @Test func forZeroFiresAtOnce() throws {
        let yaml = Self.errorRule.replacingOccurrences(of: "FOR", with: "0").replacingOccurrences(of: "KEEP", with: "0")
        let (_, t) = try Self.replay(yaml, seconds: 600, event: Self.errors(from: 120, to: 300))
        #expect(summary(t) == ["127 Errors firing", "354 Errors resolved"])
    }

    /// Errors at [120, 200): pending at 127; the window holds 260-b errors after 200, last 7 at
    /// 253, so pending ends at 254, before `for: 3m` (127 + 180 = 307) elapses: no firing.
    @Test func pendingThatStopsHoldingGoesInactive() throws {
        let yaml = Self.errorRule.replacingOccurrences(of: "FOR", with: "3m").replacingOccurrences(of: "KEEP", with: "0")
        let (_, t) = try Self.replay(yaml, seconds: 600, event: Self.errors(from: 120, to: 200))
        #expect(summary(t) == ["127 Errors pending", "254 Errors inactive"])
    }

    /// keep_firing_for 30 s: the condition stops holding at 354, so the alert resolves at 384.
    @Test func keepFiringForDelaysTheResolve() throws {
        let yaml = Self.errorRule.replacingOccurrences(of: "FOR", with: "2m").replacingOccurrences(of: "KEEP", with: "30s")
        let (_, t) = try Self.replay(yaml, seconds: 600, event: Self.errors(from: 120, to: 300))
        #expect(summary(t) == ["127 Errors pending", "247 Errors firing", "384 Errors resolved"])
    }

    /// A second burst within keep_firing_for keeps the alert firing. Bursts [120, 300) and
    /// [370, 430): the condition fails at 354, holds again from 377 (7 errors in [317, 377)),
    /// 23 s later, under 30 s: still firing; it then fails at 430 + 54 = 484 and resolves at 514.
    @Test func conditionHoldingAgainWithinKeepFiringForKeepsFiring() throws {
        let yaml = Self.errorRule.replacingOccurrences(of: "FOR", with: "2m").replacingOccurrences(of: "KEEP", with: "30s")
        let (_, t) = try Self.replay(yaml, seconds: 700) { i in
            TestEvent(status: (i >= 120 && i < 300) || (i >= 370 && i < 430) ? 500 : 200)
        }
        #expect(summary(t) == ["127 Errors pending", "247 Errors firing", "514 Errors resolved"])
    }

    /// absent(1m): events every second up to 99, none until 300. The last event is at 99, so the
    /// condition (no event in [b-60, b)) first holds at b = 160 (value: 61 s since it); the event
    /// at 300 is counted after the evaluation at 300, so it resolves at 301.
    @Test func absentFiresAfterTheGapAndResolvesOnTheNextEvent() throws {
        let yaml = "rules:\n  - alert: Down\n    expr: absent(1m)\n"
        let (_, t) = try Self.replay(yaml, seconds: 310) { i in i < 100 || i >= 300 ? TestEvent() : nil }
        #expect(summary(t) == ["160 Down firing", "301 Down resolved"])
        #expect(t.first?.value == 61)
    }

    /// After a long gap (skipped, not stepped) the evaluation right after the first new event
    /// still happens: events to 99, then at 1000 and 1034; resolved at 1001, not 1034.
    @Test func theStepAfterALongGapIsEvaluated() throws {
        let yaml = "rules:\n  - alert: Down\n    expr: absent(1m)\n"
        let (_, t) = try Self.replay(yaml, seconds: 1040) { i in i < 100 || i == 1000 || i == 1034 ? TestEvent() : nil }
        #expect(summary(t) == ["160 Down firing", "1001 Down resolved"])
    }

    /// With `for: 30s`: pending at 160, firing at 190.
    @Test func absentWithFor() throws {
        let yaml = "rules:\n  - alert: Down\n    expr: absent(1m)\n    for: 30s\n"
        let (_, t) = try Self.replay(yaml, seconds: 310) { i in i < 100 || i >= 300 ? TestEvent() : nil }
        #expect(summary(t) == ["160 Down pending", "190 Down firing", "301 Down resolved"])
    }

    /// A quiet stream fires absent by the wall clock: the clock starts at the first call, and
    /// with no event ever the condition holds once a whole minute has passed.
    @Test func absentOnAStreamThatNeverSpeaks() throws {
        let evaluator = RuleEvaluator(rules: try RuleTest.rules("rules:\n  - alert: Down\n    expr: absent(1m)\n"))
        #expect(evaluator.evaluate(at: RuleTest.t0).isEmpty)
        #expect(evaluator.evaluate(at: RuleTest.t0 + 59).isEmpty)
        #expect(summary(evaluator.evaluate(at: RuleTest.t0 + 61)) == ["60 Down firing"])
    }

    /// p95 over 10 s (step 1 s) of one event a second: 0.1 s, except 2 s at [20, 40). The
    /// sketch's p95 of 10 values is the 9th smallest (rank ⌊0.95·9⌋ = 8), slow once 2 of the 10
    /// are slow: b = 22. After 40 the window [b-10, b) holds 50-b slow ones, 2 last at b = 48:
    /// resolved at 49. `500ms` is 0.5 in the field's seconds.
    @Test func percentileThresholdInTheFieldsUnit() throws {
        let yaml = "rules:\n  - alert: Slow\n    expr: p95(request_time) > 500ms\n    window: 10s\n"
        let (_, t) = try Self.replay(yaml, seconds: 80) { i in TestEvent(requestTime: i >= 20 && i < 40 ? 2 : 0.1) }
        #expect(summary(t) == ["22 Slow firing", "49 Slow resolved"])
        #expect(abs((t.first?.value ?? 0) - 2) <= 0.02)
    }

    /// `by: [path]` with at most 2 groups: a, b fire with their label; c's 3 events overflow.
    /// Window 10 s: the events at 0 leave the window at b = 11, so both resolve at 11, then
    /// the groups (inactive, empty) are retired and c finds room.
    @Test func groupsAreBoundedCountedAndRetired() throws {
        let yaml = """
        rules:
          - alert: Busy
            expr: count > 2
            window: 10s
            by: [path]
            labels: {team: web}
            annotations: {summary: "{{ $value }} requests on {{ $labels.path }} ({{ $labels.team }})"}
        """
        let evaluator = RuleEvaluator(rules: try RuleTest.rules(yaml), maxGroups: 2)
        let feed = try evaluator.feed(schema: TestEvent.schema, input: "access.log", family: "access")
        for path in ["/a", "/b", "/c"] { for _ in 0..<3 { feed.add(TestEvent(path: path), time: RuleTest.t0) } }
        #expect(evaluator.overflowEvents == [3])
        let fired = evaluator.evaluate(at: RuleTest.t0 + 1)
        #expect(summary(fired) == ["1 Busy firing", "1 Busy firing"])
        #expect(fired.map { $0.labels.map { "\($0.name)=\($0.value)" } } == [
            ["alertname=Busy", "path=/a", "team=web"], ["alertname=Busy", "path=/b", "team=web"]])
        #expect(fired.map { $0.annotations.first?.value } == ["3 requests on /a (web)", "3 requests on /b (web)"])
        #expect(evaluator.evaluate(at: RuleTest.t0 + 10).isEmpty)
        #expect(summary(evaluator.evaluate(at: RuleTest.t0 + 11)) == ["11 Busy resolved", "11 Busy resolved"])
        #expect(evaluator.groupCounts == [0])
        for _ in 0..<3 { feed.add(TestEvent(path: "/c"), time: RuleTest.t0 + 20) }
        #expect(evaluator.groupCounts == [1])
        #expect(evaluator.overflowEvents == [3])
    }

    /// A clock jump of ten years (a bad line, a restored old file) costs a few evaluations:
    /// the stretch without data is skipped once states have settled. absent(1m) fires at 61
    /// after the first event and resolves at the first boundary after the far event.
    @Test func aTimeJumpOfYearsIsSkippedNotStepped() throws {
        let yaml = """
        rules:
          - alert: Down
            expr: absent(1m)
          - alert: Errors
            expr: rate(status >= 500) > 0.1
            window: 5m
            for: 5m
        """
        let evaluator = RuleEvaluator(rules: try RuleTest.rules(yaml))
        let feed = try evaluator.feed(schema: TestEvent.schema, input: "x", family: "access")
        let far: Int64 = 10 * 365 * 86400
        let clock = ContinuousClock()
        let started = clock.now
        feed.add(TestEvent(status: 500), time: RuleTest.t0)
        feed.add(TestEvent(status: 500), time: RuleTest.t0 + far)
        let t = evaluator.evaluate(at: RuleTest.t0 + far + 1)
        #expect(clock.now - started < .seconds(5))
        // Errors (step 5 s): the one 500 is the window's only event, rate 1, so pending at the
        // first step (5); at 305 the window [5, 305) no longer holds it (no rate), exactly when
        // `for: 5m` would have been met, and a false condition goes first: inactive at 305.
        #expect(summary(t).filter { $0.contains("Down") } == ["61 Down firing", "\(far + 1) Down resolved"])
        #expect(summary(t).filter { $0.contains("Errors") } == ["5 Errors pending", "305 Errors inactive"])
    }
}
