import LogParsing
import PCRE2

/// Runs a bound filter on events. One per worker: it owns the PCRE2 match data of the
/// filter's regexes. Nothing is allocated per event.
public final class FilterEvaluator {
    public let binding: FilterBinding
    let matchData: [MatchData]

    public init(_ binding: FilterBinding) {
        self.binding = binding
        matchData = binding.regexes.map { MatchData(for: $0) }
    }

    public func matches<E: FieldValues>(_ event: E) -> Bool {
        evaluate(binding.filter, event)
    }

    func evaluate<E: FieldValues>(_ filter: BoundFilter, _ event: E) -> Bool {
        switch filter {
        case .constant(let value): return value
        case .number(let slot, let op, let target):
            guard let value = event.number(slot) else { return false }
            return FilterEvaluator.compare(value, op, target)
        case .numberIn(let slot, let targets):
            guard let value = event.number(slot) else { return false }
            return targets.contains(value)
        case .level(let slot, let op, let target):
            guard let value = event.level(slot) else { return false }
            return FilterEvaluator.compare(Double(value.rawValue), op, Double(target.rawValue))
        case .levelIn(let slot, let targets):
            guard let value = event.level(slot) else { return false }
            return targets.contains(value)
        case .text(let slot, let equal, let target):
            return event.withText(slot) { bytes in
                guard let bytes else { return false }
                return FilterEvaluator.equal(bytes, target) == equal
            }
        case .textIn(let slot, let targets):
            return event.withText(slot) { bytes in
                guard let bytes else { return false }
                return targets.contains { FilterEvaluator.equal(bytes, $0) }
            }
        case .contains(let slot, let needle):
            return event.withText(slot) { bytes in
                guard let bytes else { return false }
                return FilterEvaluator.contains(bytes, needle)
            }
        case .regex(let slot, let index, let negated):
            return event.withText(slot) { bytes in
                guard let bytes else { return negated }
                // A line the regex gives up on (match limit) counts as not matching.
                return (matchData[index].match(binding.regexes[index], bytes) == .matched) != negated
            }
        case .exists(let slot):
            return event.withText(slot) { $0 != nil }
        case .not(let inner): return !evaluate(inner, event)
        case .and(let a, let b): return evaluate(a, event) && evaluate(b, event)
        case .or(let a, let b): return evaluate(a, event) || evaluate(b, event)
        }
    }

    @inline(__always)
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

    @inline(__always)
    static func equal(_ bytes: UnsafeRawBufferPointer, _ target: [UInt8]) -> Bool {
        guard bytes.count == target.count else { return false }
        return target.withUnsafeBytes { t in
            bytes.count == 0 || memcmp(bytes.baseAddress!, t.baseAddress!, bytes.count) == 0
        }
    }

    static func contains(_ bytes: UnsafeRawBufferPointer, _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty else { return true }
        guard bytes.count >= needle.count, let base = bytes.baseAddress else { return false }
        return needle.withUnsafeBytes { n in
            // memchr to each candidate first byte, then memcmp of the rest.
            let first = Int32(n[0])
            var start = 0
            let last = bytes.count - n.count
            while start <= last {
                guard let hit = memchr(base + start, first, last - start + 1) else { return false }
                let at = base.distance(to: UnsafeRawPointer(hit))
                if memcmp(base + at, n.baseAddress!, n.count) == 0 { return true }
                start = at + 1
            }
            return false
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
