#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LogParsing

/// One group of similar messages: what the report lists under "top error groups".
public struct ApplicationErrorGroup: Sendable {
    public internal(set) var count: UInt64 = 0
    /// Epoch seconds of the first and last timed event (`.max`/`.min` while none was timed).
    public internal(set) var firstSeen: Int64 = .max
    public internal(set) var lastSeen: Int64 = .min
    /// The most severe level seen in the group.
    public internal(set) var level: ApplicationLevel = .unknown
    /// The full text of the group's earliest event (first line and continuation lines), cut to
    /// `ApplicationErrorGroups.sampleLimit` bytes.
    public internal(set) var sample: [UInt8] = []
    public internal(set) var sampleTruncated = false
    var sampleTime: Int64 = .max
    /// Counts per time bucket, sparse, ordered by bucket start.
    public internal(set) var bucketStarts: [Int64] = []
    public internal(set) var bucketCounts: [UInt64] = []
    /// Events per service (`ApplicationRecord.service`), most recently added last; at most
    /// `ApplicationErrorGroups.maxServices` names, events of further services in `otherServices`.
    public internal(set) var services: [ServiceCount] = []
    public internal(set) var otherServices: UInt64 = 0
    /// The template, space-separated tokens; a token where members differ is `<*>`.
    var tokens: [[UInt8]]

    public struct ServiceCount: Sendable {
        public let name: [UInt8]
        public internal(set) var count: UInt64
        public var nameText: String { String(decoding: name, as: UTF8.self) }
    }

    /// Services by count, most first (ties: by name).
    public var servicesByCount: [ServiceCount] {
        services.sorted { $0.count != $1.count ? $0.count > $1.count : $0.name.lexicographicallyPrecedes($1.name) }
    }

    @inline(__always)
    mutating func count(service: UnsafeRawBufferPointer, _ n: UInt64) {
        for k in services.indices where services[k].name.count == service.count {
            let same = service.isEmpty || services[k].name.withUnsafeBytes { memcmp($0.baseAddress!, service.baseAddress!, service.count) == 0 }
            if same { services[k].count &+= n; return }
        }
        if services.count < ApplicationErrorGroups.maxServices {
            services.append(ServiceCount(name: Array(service), count: n))
        } else {
            otherServices &+= n
        }
    }

    init(tokens: [[UInt8]]) { self.tokens = tokens }

    public var template: String {
        String(decoding: Array(tokens.joined(separator: [0x20])), as: UTF8.self)
    }

    public var sampleText: String { String(decoding: sample, as: UTF8.self) }

    /// Returns whether a new bucket entry was made.
    @inline(__always) @discardableResult
    mutating func count(bucket start: Int64, _ n: UInt64) -> Bool {
        if let last = bucketStarts.last {
            if last == start { bucketCounts[bucketCounts.count - 1] &+= n; return false }
            if last > start {
                // Out of order (rare): find or insert in place.
                var i = bucketStarts.count - 1
                while i > 0 && bucketStarts[i - 1] >= start { i -= 1 }
                if bucketStarts[i] == start { bucketCounts[i] &+= n; return false }
                bucketStarts.insert(start, at: i)
                bucketCounts.insert(n, at: i)
                return true
            }
        }
        bucketStarts.append(start)
        bucketCounts.append(n)
        return true
    }

    mutating func regroup(to width: Int64, calendar: BucketCalendar) {
        var starts: [Int64] = []
        var counts: [UInt64] = []
        for (s, c) in zip(bucketStarts, bucketCounts) {
            let coarse = calendar.start(of: s, width: width)
            if starts.last == coarse { counts[counts.count - 1] += c } else { starts.append(coarse); counts.append(c) }
        }
        bucketStarts = starts
        bucketCounts = counts
    }
}

/// Error groups: messages clustered by template, in a table of bounded size.
///
/// A message's `ErrorTemplate` is looked up first as a whole (a hash and a compare: the steady
/// state). A template not seen before joins the most similar group with the same number of
/// tokens and the same first two tokens when at least `similarity` of its tokens equal the
/// group's, a `<*>` of the group matching any token (the group's differing tokens become `<*>`); otherwise it starts a group. This is
/// the clustering step of Drain (He et al., ICWS 2017), and it is what lets `Invalid user admin`
/// and `Invalid user test` group although a word, not a number, varies.
///
/// Past `capacity` groups the least-seen half is evicted and counted (`evictedEvents`,
/// `evictionFloor`); the template cache is bounded too (cleared when full).
public struct ApplicationErrorGroups: Sendable {
    public static let sampleLimit = 8 * 1024
    /// Services counted by name per group; events of further services are counted together.
    public static let maxServices = 32
    /// The share of a template's tokens that must equal a group's (a group's `<*>` matches any
    /// token) for the template to join it. One global value, chosen on the loghub-2.0 sample
    /// (0.7...0.8 give 0.90...0.91 averaged; see ErrorTemplateTests).
    public static let defaultSimilarity = 0.8

    public let capacity: Int
    public let similarity: Double
    public internal(set) var groups: [ApplicationErrorGroup] = []
    /// Exact template -> group index (values).
    var cache: KeyedTable<Counter>
    /// (token count, first two tokens) -> groups.
    var leaves: [UInt64: [Int32]] = [:]
    /// Scratch for `classify`: the token ranges of the template being classified.
    var tokenRanges: [Range<Int>] = []
    public internal(set) var evictedEvents: UInt64 = 0
    public internal(set) var evictedGroups: UInt64 = 0
    public internal(set) var evictionFloor: UInt64 = 0
    /// Per-bucket entries over all groups; the aggregate widens its buckets when this passes
    /// `seriesCapacity`, so the series stay bounded however many groups x buckets occur.
    public internal(set) var seriesEntries = 0
    public let seriesCapacity: Int

    public init(capacity: Int = 2_000, similarity: Double = ApplicationErrorGroups.defaultSimilarity,
                seriesCapacity: Int = 1_000_000) {
        self.capacity = Swift.max(2, capacity)
        self.seriesCapacity = Swift.max(16, seriesCapacity)
        self.similarity = similarity
        self.cache = KeyedTable<Counter>(capacity: Swift.max(16, capacity * 4))
    }

    public var isExact: Bool { evictedGroups == 0 }

    /// The group a template (from `ErrorTemplate.write`) belongs to, created when new.
    @inline(__always)
    public mutating func groupIndex(template: UnsafeRawBufferPointer) -> Int {
        if let c = cache.find(template) { return Int(cache[c].tag) }
        return classify(template)
    }

    /// Counts one event in group `index`. `sample` is the event's full text.
    @inline(__always)
    public mutating func record(_ index: Int, level: ApplicationLevel, time: Int64?, bucketStart: Int64?,
                                sample: UnsafeRawBufferPointer, truncated: Bool = false,
                                service: UnsafeRawBufferPointer? = nil) {
        groups[index].count &+= 1
        if let service { groups[index].count(service: service, 1) }
        if level > groups[index].level { groups[index].level = level }
        if let t = time {
            if t < groups[index].firstSeen { groups[index].firstSeen = t }
            if t > groups[index].lastSeen { groups[index].lastSeen = t }
        }
        if let b = bucketStart, groups[index].count(bucket: b, 1) { seriesEntries += 1 }
        let t = time ?? .max
        if groups[index].sample.isEmpty || t < groups[index].sampleTime {
            setSample(index, sample, time: t, truncated: truncated)
        }
    }

    @inline(never)
    mutating func setSample(_ index: Int, _ sample: UnsafeRawBufferPointer, time: Int64, truncated: Bool) {
        let n = Swift.min(sample.count, ApplicationErrorGroups.sampleLimit)
        groups[index].sample = Array(sample[0..<n])
        groups[index].sampleTruncated = truncated || n < sample.count
        groups[index].sampleTime = time
    }

    /// A template's space-separated tokens (empty ones left out) as byte ranges of its bytes:
    /// looking a template up costs no allocation; only a new group copies its tokens.
    struct TokenView {
        let bytes: UnsafeRawBufferPointer
        let ranges: [Range<Int>]

        var count: Int { ranges.count }
        var isEmpty: Bool { ranges.isEmpty }

        subscript(i: Int) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: bytes[ranges[i]]) }

        func equals(_ i: Int, _ token: [UInt8]) -> Bool {
            let t = self[i]
            guard t.count == token.count else { return false }
            return t.isEmpty || token.withUnsafeBytes { memcmp($0.baseAddress!, t.baseAddress!, t.count) == 0 }
        }

        func materialized() -> [[UInt8]] { (0..<count).map { Array(self[$0]) } }
    }

    /// Splits `template` on spaces into `ranges` (emptied first; its storage is reused).
    static func split(_ template: UnsafeRawBufferPointer, into ranges: inout [Range<Int>]) {
        ranges.removeAll(keepingCapacity: true)
        var start = 0
        for i in 0...template.count where i == template.count || template[i] == 0x20 {
            if i > start { ranges.append(start..<i) }
            start = i + 1
        }
    }

    static func leafKey(_ tokens: TokenView) -> UInt64 {
        var h: UInt64 = 0xcbf29ce484222325 ^ UInt64(tokens.count)
        for i in 0..<Swift.min(2, tokens.count) {
            let t = tokens[i]
            // A prefix token holding a variable routes like a variable (Drain's `<*>` child).
            let variable = t.count >= 3 && (0..<(t.count - 2)).contains { t[$0] == 0x3c && t[$0 + 1] == 0x2a && t[$0 + 2] == 0x3e }
            if variable {
                for b in ApplicationErrorGroups.wildcard { h = (h ^ UInt64(b)) &* 0x100000001b3 }
            } else {
                for b in t { h = (h ^ UInt64(b)) &* 0x100000001b3 }
            }
            h = (h ^ 0x20) &* 0x100000001b3
        }
        return h
    }

    /// Runs `body` on the tokens of a group's template (merging, evicting: not per line).
    static func withView<R>(_ tokens: [[UInt8]], _ body: (TokenView) -> R) -> R {
        var flat: [UInt8] = []
        var ranges: [Range<Int>] = []
        for t in tokens {
            ranges.append(flat.count..<(flat.count + t.count))
            flat.append(contentsOf: t)
        }
        return flat.withUnsafeBytes { body(TokenView(bytes: $0, ranges: ranges)) }
    }

    static let wildcard: [UInt8] = [0x3c, 0x2a, 0x3e]

    /// Finds or creates the group of a template not in the cache, and caches the answer.
    @inline(never)
    mutating func classify(_ template: UnsafeRawBufferPointer) -> Int {
        ApplicationErrorGroups.split(template, into: &tokenRanges)
        let index = join(TokenView(bytes: template, ranges: tokenRanges), count: 0)
        if cache.count >= cache.capacity - 1 { cache.removeAll() }
        let c = cache.index(template)
        cache[c].tag = Int32(index)
        return index
    }

    /// The group for `tokens` (joined by similarity or new). `count` is the weight the group
    /// is about to receive (for merging), used only to choose what to evict.
    mutating func join(_ tokens: TokenView, count: UInt64) -> Int {
        let leaf = ApplicationErrorGroups.leafKey(tokens)
        var best = -1
        var bestSimilarity = -1.0
        var bestParameters = -1
        if let members = leaves[leaf], !tokens.isEmpty {
            for m in members {
                let g = groups[Int(m)].tokens
                guard g.count == tokens.count else { continue }
                var same = 0
                var parameters = 0
                for i in 0..<g.count {
                    // A variable position matches anything.
                    if g[i] == ApplicationErrorGroups.wildcard { parameters += 1; same += 1; continue }
                    if tokens.equals(i, g[i]) { same += 1 }
                }
                let s = Double(same) / Double(g.count)
                if s > bestSimilarity || (s == bestSimilarity && parameters > bestParameters) {
                    best = Int(m)
                    bestSimilarity = s
                    bestParameters = parameters
                }
            }
        }
        if best >= 0 && (bestSimilarity >= similarity || tokens.count == 0) {
            for i in 0..<tokens.count where !tokens.equals(i, groups[best].tokens[i]) {
                groups[best].tokens[i] = ApplicationErrorGroups.wildcard
            }
            return best
        }
        if groups.count >= capacity {
            evictLeastSeenHalf()
            return join(tokens, count: count)
        }
        groups.append(ApplicationErrorGroup(tokens: tokens.materialized()))
        leaves[leaf, default: []].append(Int32(groups.count - 1))
        return groups.count - 1
    }

    mutating func evictLeastSeenHalf() {
        let order = groups.indices.sorted { groups[$0].count > groups[$1].count }
        let keep = order.prefix(capacity / 2).sorted()
        for i in order.dropFirst(capacity / 2) {
            evictedEvents += groups[i].count
            evictedGroups += 1
            evictionFloor = Swift.max(evictionFloor, groups[i].count)
        }
        groups = keep.map { groups[$0] }
        recountSeries()
        leaves = [:]
        for (i, g) in groups.enumerated() {
            let key = ApplicationErrorGroups.withView(g.tokens) { ApplicationErrorGroups.leafKey($0) }
            leaves[key, default: []].append(Int32(i))
        }
        cache.removeAll()
    }

    mutating func regroup(to width: Int64, calendar: BucketCalendar = .utc) {
        for i in groups.indices { groups[i].regroup(to: width, calendar: calendar) }
        recountSeries()
    }

    mutating func recountSeries() {
        seriesEntries = groups.reduce(0) { $0 + $1.bucketStarts.count }
    }

    /// Adds the groups of another table (events of other lines).
    public mutating func merge(_ other: ApplicationErrorGroups) {
        evictedEvents += other.evictedEvents
        evictedGroups += other.evictedGroups
        evictionFloor += other.evictionFloor
        for g in other.groups {
            let index = ApplicationErrorGroups.withView(g.tokens) { join($0, count: g.count) }
            groups[index].count += g.count
            if g.level > groups[index].level { groups[index].level = g.level }
            groups[index].firstSeen = Swift.min(groups[index].firstSeen, g.firstSeen)
            groups[index].lastSeen = Swift.max(groups[index].lastSeen, g.lastSeen)
            for (s, c) in zip(g.bucketStarts, g.bucketCounts) { groups[index].count(bucket: s, c) }
            for s in g.services { s.name.withUnsafeBytes { groups[index].count(service: $0, s.count) } }
            groups[index].otherServices += g.otherServices
            if groups[index].sample.isEmpty || g.sampleTime < groups[index].sampleTime {
                groups[index].sample = g.sample
                groups[index].sampleTruncated = g.sampleTruncated
                groups[index].sampleTime = g.sampleTime
            }
        }
        cache.removeAll()
        recountSeries()
    }

    /// The `k` largest groups (ties: earlier first seen, then template) whose level passes
    /// `include`; `bySeverity`: FATAL groups first, then ERROR, then WARN, each by count.
    public func top(_ k: Int, bySeverity: Bool = false,
                    where include: (ApplicationLevel) -> Bool = { _ in true }) -> [ApplicationErrorGroup] {
        groups.filter { include($0.level) }
            .sorted { a, b in
                if bySeverity, a.level != b.level { return a.level > b.level }
                if a.count != b.count { return a.count > b.count }
                if a.firstSeen != b.firstSeen { return a.firstSeen < b.firstSeen }
                return a.template < b.template
            }
            .prefix(k).map { $0 }
    }
}
