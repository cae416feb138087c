import LogAggregation
import LogQuery

/// The state of one alert (a rule, or one group of a rule with `by`).
public enum AlertState: String, Sendable, Equatable {
    case inactive, pending, firing
}

/// A change of an alert's state at an evaluation, in event time.
public struct AlertTransition: Sendable, Equatable {
    public var rule: String
    /// Index of the rule in the file, for ordering.
    public var ruleIndex: Int
    /// `alertname`, the group's fields (`by`), then the rule's labels.
    public var labels: [RuleLabel]
    public var from: AlertState
    public var to: AlertState
    /// The evaluation at which the state changed (epoch seconds of event time).
    public var time: Int64
    /// When the condition started holding (the alert went pending, or fired at once).
    public var activeAt: Int64
    /// The aggregate's value at `time` (for `absent`: seconds since the last event); nil when
    /// the window holds no value (a rate of no events).
    public var value: Double?
    public var annotations: [RuleLabel]

    /// `pending`, `firing`, `resolved` (firing → inactive) or `inactive` (pending → inactive:
    /// the condition stopped holding before `for` elapsed).
    public var event: String {
        if to == .inactive { return from == .firing ? "resolved" : "inactive" }
        return to.rawValue
    }
}

/// Evaluates rules over events fed in event time.
///
///     let evaluator = RuleEvaluator(rules: rules)
///     let feed = try evaluator.feed(schema: decoder.schema, input: "access.log", family: "access")
///     feed.add(event, time: t)                       // per event
///     for transition in evaluator.evaluate(at: now) { … }   // wall clock, or the end of a replay
///
/// Each rule is evaluated at every multiple of its step (its window / 60, rounded down to a
/// divisor of the window, at least 1 s) as event time reaches it: the value is the aggregate
/// over the events of `[t - window, t)`. Windows are rings of step-wide slices, so memory per
/// alert group is bounded and old slices are reused; groups that are inactive with an empty
/// window are retired; at most `maxGroups` groups per rule (events of further groups are
/// counted in `overflowEvents`).
///
/// Live use: feed each event with its own time; when input stalls, call `evaluate(at:)` with a
/// time on the same clock (the last event's time plus the wall-clock seconds since it was
/// read), so that a quiet stream still resolves and `absent` fires. Rules that share no input
/// keep separate clocks: each advances with its own events and with `evaluate(at:)`.
///
/// States follow Prometheus' alerting rules
/// (https://prometheus.io/docs/prometheus/latest/configuration/alerting_rules/): a group whose
/// condition holds becomes pending and fires once the condition has held at every evaluation for
/// `for` (at once when `for` is 0: "rules without the for clause become active on the first
/// evaluation"); a pending alert whose condition stops holding goes back to inactive; a firing
/// one is resolved at the first evaluation where the condition has not held for
/// `keep_firing_for` ("keep this alert firing for the specified duration after the firing
/// condition was last met"), and a condition that holds again meanwhile keeps it firing.
public final class RuleEvaluator {
    public let rules: [AlertRule]
    let runtimes: [RuleRuntime]
    var queued: [AlertTransition] = []
    public let maxGroups: Int

    /// Groups per rule when `by` is used. 1,000 alerts of one rule is already more than a
    /// receiver shows usefully; the bound keeps a rule `by path` on a scanned site in memory.
    public static let defaultMaxGroups = 1000

    public init(rules: [AlertRule], maxGroups: Int = RuleEvaluator.defaultMaxGroups) {
        self.rules = rules
        self.maxGroups = max(1, maxGroups)
        runtimes = rules.enumerated().map { RuleRuntime(rule: $1, index: $0, maxGroups: max(1, maxGroups)) }
    }

    /// The rules that read `input` (of `family`), bound to its schema. A field the schema lacks
    /// is absent in its events (listed in `missingFields` of the feed).
    public func feed(schema: FieldSchema, input: String, family: String) throws(QueryError) -> RuleFeed {
        var entries: [RuleFeed.Entry] = []
        for runtime in runtimes where runtime.rule.source.accepts(input: input, family: family) {
            let plan = try RulePlan.bind(runtime.rule, to: schema, strict: false)
            runtime.threshold = plan.threshold
            entries.append(RuleFeed.Entry(runtime: runtime, plan: plan))
        }
        return RuleFeed(evaluator: self, entries: entries)
    }

    /// Evaluates every rule at each of its steps up to `time` (event time, or the wall clock
    /// when input stalls), and returns every transition since the last call, in time order.
    public func evaluate(at time: Int64) -> [AlertTransition] {
        for runtime in runtimes { advance(runtime, to: time) }
        return drain()
    }

    /// Transitions made while events were added, in time order, without evaluating further.
    public func drain() -> [AlertTransition] {
        guard !queued.isEmpty else { return [] }
        let out = queued.sorted {
            if $0.time != $1.time { return $0.time < $1.time }
            if $0.ruleIndex != $1.ruleIndex { return $0.ruleIndex < $1.ruleIndex }
            return $0.labels.map(\.value).lexicographicallyPrecedes($1.labels.map(\.value))
        }
        queued.removeAll(keepingCapacity: true)
        return out
    }

    /// Per rule: events of groups past the bound (`maxGroups`; a fifth of it for percentiles, a
    /// tenth for distinct counts, whose windows weigh more), and events older than the window.
    public var overflowEvents: [UInt64] { runtimes.map(\.overflowEvents) }
    public var lateEvents: [UInt64] { runtimes.map(\.lateEvents) }
    /// The bound on groups of each rule.
    public var groupLimits: [Int] { runtimes.map(\.groupLimit) }
    /// Alert groups held per rule now.
    public var groupCounts: [Int] { runtimes.map { $0.groups.count } }

    /// The alerts that are pending or firing now, per rule.
    public func active() -> [(rule: String, labels: [RuleLabel], state: AlertState, activeAt: Int64, value: Double?)] {
        var out: [(rule: String, labels: [RuleLabel], state: AlertState, activeAt: Int64, value: Double?)] = []
        for runtime in runtimes {
            for group in runtime.groups.values where group.state != .inactive {
                out.append((runtime.rule.name, group.labels, group.state, group.activeAt, group.value))
            }
        }
        return out
    }

    /// Evaluates `runtime` at each of its boundaries `<= time`.
    @usableFromInline func advance(_ runtime: RuleRuntime, to time: Int64) {
        let step = runtime.step
        guard let next = runtime.nextBoundary else {
            // The rule's clock starts at the first event or evaluation it sees.
            runtime.start = time
            runtime.nextBoundary = RuleRuntime.floor(time, step) + step
            if runtime.rule.groupBy.isEmpty { _ = runtime.group(key: [], values: []) }
            return
        }
        var b = next
        while b <= time {
            // A stretch with no data and settled states changes nothing: jump over it (a clock
            // jump of years in a log costs a few evaluations, not millions).
            if runtime.quietEvaluations * step > runtime.rule.window + runtime.rule.forSeconds + runtime.rule.keepFiringFor + step {
                let last = RuleRuntime.floor(time, step)
                if last > b { b = last }
            }
            evaluate(runtime, at: b)
            b += step
        }
        runtime.nextBoundary = b
    }

    func evaluate(_ runtime: RuleRuntime, at b: Int64) {
        let rule = runtime.rule
        var anyData = false
        var retired: [[UInt8]] = []
        for (key, group) in runtime.groups {
            let (value, holds, hasData) = runtime.measure(group, at: b)
            anyData = anyData || hasData
            let before = group.state
            if holds {
                group.value = value
                group.keepFiringSince = nil
                if group.state == .inactive {
                    group.state = .pending
                    group.activeAt = b
                }
                if group.state == .pending && b - group.activeAt >= rule.forSeconds {
                    group.state = .firing
                }
            } else if group.state != .inactive {
                var keep = false
                if group.state == .firing && rule.keepFiringFor > 0 {
                    let since = group.keepFiringSince ?? b
                    group.keepFiringSince = since
                    keep = b - since < rule.keepFiringFor
                }
                if !keep {
                    group.state = .inactive
                    group.keepFiringSince = nil
                    group.value = value
                }
            }
            if group.state != before {
                let annotations = rule.annotations.map {
                    RuleLabel(name: $0.name, value: $0.template.render(value: group.value, labels: group.labels))
                }
                queued.append(AlertTransition(rule: rule.name, ruleIndex: runtime.index, labels: group.labels,
                                              from: before, to: group.state, time: b, activeAt: group.activeAt,
                                              value: group.value, annotations: annotations))
            }
            if group.state == .inactive, !hasData, !rule.groupBy.isEmpty { retired.append(key) }
        }
        for key in retired { runtime.groups[key] = nil }
        let settled = runtime.groups.values.allSatisfy { $0.state != .pending }
        runtime.quietEvaluations = anyData || !settled ? 0 : runtime.quietEvaluations + 1
    }
}

/// The rules that read one input, bound to its schema: `add` each decoded event.
public final class RuleFeed {
    /// A class, so that walking the entries per event retains one reference, not each of a
    /// struct's references.
    @usableFromInline final class Entry {
        /// Unretained: the evaluator, which the feed holds, holds every runtime.
        @usableFromInline unowned(unsafe) let runtime: RuleRuntime
        let plan: RulePlan
        @usableFromInline let filter: FilterEvaluator?
        /// The plan's measure without its payload, and the slot it reads: what each event
        /// needs, read without copying the plan.
        @usableFromInline let kind: RuleRuntime.Kind
        @usableFromInline let slot: Int
        @usableFromInline let keySlots: [Int]
        /// `by` fields (keySlots not empty), read per event without touching the array.
        @usableFromInline let grouped: Bool
        init(runtime: RuleRuntime, plan: RulePlan) {
            self.runtime = runtime
            self.plan = plan
            keySlots = plan.keySlots
            grouped = !plan.keySlots.isEmpty
            switch plan.measure {
            case .countIf(let b), .rate(let b): filter = FilterEvaluator(b)
            default: filter = nil
            }
            switch plan.measure {
            case .count, .absent: (kind, slot) = (.count, -1)
            case .countIf, .rate: (kind, slot) = (.hits, -1)
            case .sum(let s), .average(let s): (kind, slot) = (.sum, s)
            case .minimum(let s), .maximum(let s): (kind, slot) = (.extremes, s)
            case .percentile(_, let s): (kind, slot) = (.percentile, s)
            case .distinct(let s): (kind, slot) = (.distinct, s)
            }
        }
    }

    /// Strong (the evaluator holds no feed): reading it per event costs no unowned check.
    @usableFromInline let evaluator: RuleEvaluator
    @usableFromInline let entries: [Entry]
    @usableFromInline var key: [UInt8] = []

    init(evaluator: RuleEvaluator, entries: [Entry]) {
        self.evaluator = evaluator
        self.entries = entries
    }

    /// Whether any rule reads this input.
    public var isEmpty: Bool { entries.isEmpty }
    /// Names of the rules that read this input, with the fields each lacks here.
    public var missingFields: [(rule: String, fields: [String])] {
        entries.filter { !$0.plan.missingFields.isEmpty }.map { ($0.runtime.rule.name, $0.plan.missingFields) }
    }

    /// Adds one event at `time` (epoch seconds): first evaluates each rule at the steps that
    /// `time` has passed (their transitions wait in `evaluator.drain()`), then counts the event.
    @inlinable public func add<E: FieldValues>(_ event: E, time: Int64) {
        for entry in entries {
            let runtime = entry.runtime
            evaluator.advance(runtime, to: time)
            let group: AlertGroup?
            if !entry.grouped {
                group = runtime.sole ?? runtime.group(key: [], values: [])
            } else {
                key.removeAll(keepingCapacity: true)
                for slot in entry.keySlots {
                    event.withText(slot) { bytes in
                        if let bytes { key.append(contentsOf: bytes) } else { key.append(0x1E) }
                    }
                    key.append(0x1F)
                }
                if let existing = runtime.groups[key] {
                    group = existing
                } else if runtime.groups.count < runtime.groupLimit {
                    var values: [String] = []
                    for slot in entry.keySlots {
                        values.append(event.withText(slot) { $0.map { String(decoding: $0, as: UTF8.self) } ?? "" })
                    }
                    group = runtime.group(key: key, values: values)
                } else {
                    group = nil
                }
            }
            guard let group else { runtime.overflowEvents &+= 1; continue }
            runtime.add(event, time: time, entry: entry, to: group)
        }
    }
}

/// One step-wide part of a window.
@usableFromInline struct WindowSlice {
    @usableFromInline var start = Int64.min
    @usableFromInline var events: UInt64 = 0
    @usableFromInline var hits: UInt64 = 0
    @usableFromInline var sum: Double = 0
    @usableFromInline var seen: UInt64 = 0
    @usableFromInline var minimum = Double.infinity
    @usableFromInline var maximum = -Double.infinity
    @usableFromInline var sketch: LatencySketch?
    @usableFromInline var distinct: DistinctCounter?

    @usableFromInline init(start: Int64 = .min) { self.start = start }
}

/// One alert: its labels, state and window.
@usableFromInline final class AlertGroup {
    let labels: [RuleLabel]
    @usableFromInline var slices: [WindowSlice]
    var state = AlertState.inactive
    var activeAt: Int64 = 0
    var keepFiringSince: Int64?
    var value: Double?
    /// For percentiles: the sum of the sketches of the slices in the window, kept by adding
    /// each value and subtracting a slice's sketch when it leaves (a merge of 60 sketches per
    /// step made replays of days slow).
    @usableFromInline var windowSketch: LatencySketch?

    /// Adds a value to slice `i` and to the window's sketch, in place (`sketch?.add` mutates
    /// the stored sketch; a test for nil first copied it, retaining its arrays, per event).
    @usableFromInline func add(_ sample: LatencySketch.Sample, slice i: Int) {
        if slices[i].sketch?.add(sample) == nil {
            var sketch = LatencySketch()
            sketch.add(sample)
            slices[i].sketch = sketch
        }
        if windowSketch?.add(sample) == nil {
            var sketch = LatencySketch()
            sketch.add(sample)
            windowSketch = sketch
        }
    }

    init(labels: [RuleLabel], slices: Int) {
        self.labels = labels
        self.slices = [WindowSlice](repeating: WindowSlice(), count: slices)
    }
}

/// A rule's runtime: its clock and groups.
@usableFromInline final class RuleRuntime {
    let rule: AlertRule
    let index: Int
    @usableFromInline let step: Int64
    @usableFromInline let sliceCount: Int
    /// `rule.window`, read per event without copying the rule.
    @usableFromInline let window: Int64
    @usableFromInline var groups: [[UInt8]: AlertGroup] = [:]
    /// The one group of a rule without `by`, reached without a lookup per event.
    @usableFromInline var sole: AlertGroup?
    /// Groups this rule may hold. A slice costs about 100 bytes, a percentile's sketch a few
    /// pages of 512 bytes more, a distinct count past 64 values 4 KiB: 60 slices of 1,000
    /// groups are 6 MB for counts, but ~100 MB for percentiles and 240 MB for distinct counts,
    /// so those keep a fifth and a tenth of the groups (about 20 MB each at most).
    @usableFromInline let groupLimit: Int
    @usableFromInline var nextBoundary: Int64?
    var start: Int64 = 0
    /// The newest event time seen (for `absent`).
    @usableFromInline var lastEvent: Int64?
    @usableFromInline var quietEvaluations: Int64 = 0
    @usableFromInline var overflowEvents: UInt64 = 0
    @usableFromInline var lateEvents: UInt64 = 0

    /// Slices per window: 60 (a 5m window moves in 5 s steps), fewer when the window has fewer
    /// whole seconds or no divisor near window/60.
    static let slicesPerWindow: Int64 = 60

    init(rule: AlertRule, index: Int, maxGroups: Int) {
        self.rule = rule
        self.index = index
        switch rule.expression {
        case .threshold(.percentile, _, _): groupLimit = max(1, maxGroups / 5)
        case .threshold(.distinct, _, _): groupLimit = max(1, maxGroups / 10)
        default: groupLimit = maxGroups
        }
        self.window = rule.window
        let window = max(1, rule.window)
        var step = max(1, window / RuleRuntime.slicesPerWindow)
        while window % step != 0 { step -= 1 }
        self.step = step
        sliceCount = Int(window / step)
    }

    @usableFromInline static func floor(_ t: Int64, _ step: Int64) -> Int64 { t - ((t % step) + step) % step }

    @usableFromInline func group(key: [UInt8], values: [String]) -> AlertGroup {
        var labels = [RuleLabel(name: "alertname", value: rule.name)]
        for (f, v) in zip(rule.groupBy, values) { labels.append(RuleLabel(name: f.name, value: v)) }
        for label in rule.labels {
            // A rule's label overrides a group's, as in Prometheus.
            labels.removeAll { $0.name == label.name }
            labels.append(label)
        }
        let group = AlertGroup(labels: labels, slices: sliceCount)
        groups[key] = group
        if rule.groupBy.isEmpty { sole = group }
        return group
    }

    /// What an event adds to a slice, by the rule's measure.
    @usableFromInline enum Kind { case count, hits, sum, extremes, percentile, distinct }

    @inlinable func add<E: FieldValues>(_ event: E, time: Int64, entry: RuleFeed.Entry, to group: AlertGroup) {
        lastEvent = max(lastEvent ?? time, time)
        // Data again: the next stretch is stepped, not jumped over.
        quietEvaluations = 0
        let sliceStart = RuleRuntime.floor(time, step)
        // Older than every window still to be evaluated: counted, not kept.
        if let next = nextBoundary, sliceStart < next - window {
            lateEvents &+= 1
            return
        }
        let i = Int((sliceStart / step) % Int64(sliceCount) + Int64(sliceCount)) % sliceCount
        let slot = entry.slot
        // One access to the slices (one uniqueness check), not one per field touched.
        let kept: Bool = group.slices.withUnsafeMutableBufferPointer { slices in
            if slices[i].start != sliceStart {
                if slices[i].start > sliceStart { return false }
                if let old = slices[i].sketch { group.windowSketch?.subtract(old) }
                slices[i] = WindowSlice(start: sliceStart)
            }
            slices[i].events &+= 1
            switch entry.kind {
            case .count, .percentile, .distinct: break
            case .hits:
                if entry.filter!.matches(event) { slices[i].hits &+= 1 }
            case .sum:
                if let v = event.number(slot), v.isFinite { slices[i].sum += v; slices[i].seen &+= 1 }
            case .extremes:
                if let v = event.number(slot), !v.isNaN {
                    slices[i].minimum = min(slices[i].minimum, v)
                    slices[i].maximum = max(slices[i].maximum, v)
                    slices[i].seen &+= 1
                }
            }
            return true
        }
        guard kept else { lateEvents &+= 1; return }
        switch entry.kind {
        case .count, .hits, .sum, .extremes: break
        case .percentile:
            // One logarithm for both sketches.
            if let v = event.number(slot), let sample = LatencySketch.sample(v) { group.add(sample, slice: i) }
        case .distinct:
            event.withText(slot) { bytes in
                guard let bytes else { return }
                if group.slices[i].distinct?.add(bytes) == nil {
                    var counter = DistinctCounter()
                    counter.add(bytes)
                    group.slices[i].distinct = counter
                }
            }
        }
    }

    /// The value over `[b - window, b)`, whether the condition holds, whether the window holds
    /// any event.
    func measure(_ group: AlertGroup, at b: Int64) -> (Double?, Bool, Bool) {
        let from = b - rule.window
        if case .absent = rule.expression {
            let holds = lastEvent.map { $0 < from } ?? (b - start >= rule.window)
            return (Double(b - (lastEvent ?? start)), holds, !holds)
        }
        guard case .threshold(let aggregate, let op, _) = rule.expression else { return (nil, false, false) }
        var events: UInt64 = 0, hits: UInt64 = 0, seen: UInt64 = 0
        var sum = 0.0, minimum = Double.infinity, maximum = -Double.infinity
        var distinct: DistinctCounter?
        for i in group.slices.indices {
            let slice = group.slices[i]
            guard slice.start >= from && slice.start < b else {
                // Out of the window for good: its values leave the window's sketch.
                if let s = slice.sketch, slice.start < from {
                    group.windowSketch?.subtract(s)
                    group.slices[i].sketch = nil
                }
                continue
            }
            events &+= slice.events
            hits &+= slice.hits
            seen &+= slice.seen
            sum += slice.sum
            minimum = min(minimum, slice.minimum)
            maximum = max(maximum, slice.maximum)
            if let d = slice.distinct { if distinct == nil { distinct = d } else { distinct!.merge(d) } }
        }
        let value: Double?
        switch aggregate {
        case .count(nil): value = Double(events)
        case .count: value = Double(hits)
        case .rate: value = events == 0 ? nil : Double(hits) / Double(events)
        case .sum: value = sum
        case .average: value = seen == 0 ? nil : sum / Double(seen)
        case .minimum: value = seen == 0 ? nil : minimum
        case .maximum: value = seen == 0 ? nil : maximum
        case .percentile(let q, _): value = group.windowSketch?.quantile(q)
        case .distinct: value = (distinct?.estimate ?? 0).rounded()
        case .percentiles, .top: value = nil
        }
        let plan = threshold
        let holds = value.map { RuleRuntime.compare($0, op, plan) } ?? false
        return (value, holds, events > 0)
    }

    /// The threshold in the unit of the field (set by the first feed bound; every schema gives
    /// a field of one name the same unit).
    var threshold: Double = 0

    static func compare(_ a: Double, _ op: ComparisonOperator, _ b: Double) -> Bool {
        switch op {
        case .equal: return a == b
        case .notEqual: return a != b
        case .less: return a < b
        case .lessOrEqual: return a <= b
        case .greater: return a > b
        case .greaterOrEqual: return a >= b
        }
    }
}
