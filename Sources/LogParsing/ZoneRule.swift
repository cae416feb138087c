#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The zone a log was written in, to read its timestamps: a fixed offset (`--tz +0100`,
/// `--tz UTC`), an IANA zone from the system's zoneinfo (`--tz Europe/Berlin`, daylight saving
/// included), or the machine's local time zone (the default, as the logging process most likely
/// wrote it). Timestamps written without an offset are read in it, and a named zone's own
/// abbreviations (`CST` of Asia/Shanghai) take precedence over the common readings in
/// `abbreviations`.
///
/// `utc(fromNaive:)` takes the seconds that the wall-clock fields give when read as if in UTC,
/// and returns true epoch seconds. Local-time offsets are looked up once per hour of wall
/// clock and cached, so the per-line cost is a compare.
public struct ZoneRule: Sendable {
    public enum Kind: Sendable, Equatable {
        case fixed(offsetSeconds: Int)
        case local
        case named(ZoneInfo)
    }

    public let kind: Kind
    var cachedHour: Int64 = .min
    var cachedOffset: Int64 = 0

    public init(_ kind: Kind) { self.kind = kind }

    public static let utc = ZoneRule(.fixed(offsetSeconds: 0))
    public static let local = ZoneRule(.local)

    /// Parses `--tz`: `UTC`, `Z`, `local`, `+0100`, `-05:30`, a zone abbreviation from
    /// `ZoneRule.abbreviations` (a fixed offset), or an IANA zone name such as `Europe/Berlin`
    /// (read from the system's zoneinfo). Nil when unreadable.
    public static func parse(_ text: String) -> ZoneRule? {
        if text.lowercased() == "local" { return .local }
        if let offset = abbreviations[text.uppercased()] { return ZoneRule(.fixed(offsetSeconds: offset)) }
        let bytes = Array(text.utf8)
        let fixed: ZoneRule? = bytes.withUnsafeBytes { raw in
            // The whole text must be the offset: `+0100x` is not one.
            let whole = raw.count == 3 || (raw.count == 5 && ByteParsing.digits(raw, 3, 2) != nil)
                || (raw.count == 6 && raw[3] == UInt8(ascii: ":") && ByteParsing.digits(raw, 4, 2) != nil)
            guard whole, let o = offset(raw, 0..<raw.count) else { return nil }
            return ZoneRule(.fixed(offsetSeconds: o))
        }
        if let fixed { return fixed }
        return ZoneInfo.load(text).map { ZoneRule(.named($0)) }
    }

    /// Seconds east of UTC from `+01`, `+0100`, `-05:30`; nil otherwise.
    public static func offset(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Int? {
        guard range.count >= 3 else { return nil }
        let s = range.lowerBound
        let sign = bytes[s]
        guard sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-"),
              let hours = ByteParsing.digits(bytes, s + 1, 2) else { return nil }
        var minutes = 0
        var at = s + 3
        if at < range.upperBound && bytes[at] == UInt8(ascii: ":") { at += 1 }
        if at + 2 <= range.upperBound, let m = ByteParsing.digits(bytes, at, 2) { minutes = m }
        guard hours <= 14, minutes < 60 else { return nil }
        return (hours * 3600 + minutes * 60) * (sign == UInt8(ascii: "-") ? -1 : 1)
    }

    /// True epoch seconds for a wall-clock time read as if it were UTC. Any `naive` is accepted:
    /// within a day of `Int64`'s limits (no parser produces such times) the result wraps
    /// instead of trapping.
    @inline(__always)
    public mutating func utc(fromNaive naive: Int64) -> Int64 {
        switch kind {
        case .fixed(let offset): return naive &- Int64(offset)
        case .local:
            let hour = naive >= 0 ? naive / 3600 : (naive &- 3599) / 3600
            if hour != cachedHour {
                cachedHour = hour
                cachedOffset = ZoneRule.localOffset(atNaive: hour &* 3600)
            }
            return naive &- cachedOffset
        case .named(let info):
            let hour = naive >= 0 ? naive / 3600 : (naive &- 3599) / 3600
            if hour != cachedHour {
                cachedHour = hour
                cachedOffset = Int64(info.offset(atNaive: hour &* 3600))
            }
            return naive &- cachedOffset
        }
    }

    /// Seconds east of UTC in force at instant `t`.
    public func offset(atUTC t: Int64) -> Int64 {
        switch kind {
        case .fixed(let offset): return Int64(offset)
        case .named(let info): return Int64(info.offset(atUTC: t))
        case .local:
            var time = time_t(t)
            var parts = tm()
            guard localtime_r(&time, &parts) != nil else { return 0 }
            return Int64(parts.tm_gmtoff)
        }
    }

    /// `utc(fromNaive:)`, or nil when the result leaves `ByteParsing.epochRange`.
    @inline(__always)
    public mutating func epoch(fromNaive naive: Int64) -> Int64? {
        let t = utc(fromNaive: naive)
        return ByteParsing.epochRange.contains(t) ? t : nil
    }

    /// The local zone's offset in force at a wall-clock time (two lookups settle DST edges).
    static func localOffset(atNaive naive: Int64) -> Int64 {
        func gmtoff(_ t: Int64) -> Int64 {
            var time = time_t(t)
            var parts = tm()
            guard localtime_r(&time, &parts) != nil else { return 0 }
            return Int64(parts.tm_gmtoff)
        }
        let first = gmtoff(naive)
        return gmtoff(naive &- first)
    }

    /// How an abbreviation in a log was read.
    public enum AbbreviationReading: String, Sendable {
        /// One of the `--tz` zone's own abbreviations.
        case own
        /// In `abbreviations`, with one meaning.
        case common
        /// In `abbreviations`, but other zones use it for another offset (`ambiguousAbbreviations`).
        case ambiguous
        /// Not known: the time is read in the zone rule, as if it had no zone.
        case unknown
    }

    /// The offset (seconds east of UTC) of a zone abbreviation written in a log, and how it was
    /// found: the named zone's own abbreviations first (the machine's zone for `.local`), then
    /// the common ones.
    public func read(abbreviation name: String) -> (offset: Int?, reading: AbbreviationReading) {
        let key = name.uppercased()
        switch kind {
        case .named(let info): if let offset = info.abbreviations[key] { return (offset, .own) }
        case .local: if let offset = ZoneInfo.machine?.abbreviations[key] { return (offset, .own) }
        case .fixed: break
        }
        if let offset = ZoneRule.abbreviations[key] {
            return (offset, ZoneRule.ambiguousAbbreviations.contains(key) ? .ambiguous : .common)
        }
        return (nil, .unknown)
    }

    /// Abbreviations of `abbreviations` that other zones write for another offset: CST (China
    /// +08, Cuba -05), CDT (Cuba -04), IST (Israel +02, Ireland +01), PST (Philippines +08),
    /// BST (Bangladesh +06), AST (Arabia +03), ADT, GST (South Georgia -02). A log using them is
    /// read with the table's meaning and warned about unless `--tz` names its zone.
    public static let ambiguousAbbreviations: Set<String> = ["CST", "CDT", "IST", "PST", "BST", "AST", "ADT", "GST"]

    /// Common zone abbreviations as PostgreSQL and syslog write them, in seconds east of UTC.
    /// Ambiguous ones (IST, CST) take their most common reading in server logs.
    public static let abbreviations: [String: Int] = [
        "UTC": 0, "GMT": 0, "Z": 0, "UT": 0, "WET": 0,
        "WEST": 3600, "BST": 3600, "CET": 3600, "MET": 3600,
        "CEST": 7200, "MEST": 7200, "EET": 7200, "SAST": 7200, "IST": 19800,
        "EEST": 10800, "MSK": 10800, "WAT": 3600, "CAT": 7200, "EAT": 10800, "IDT": 10800,
        "GST": 14400, "PKT": 18000, "NPT": 20700, "ICT": 25200, "WIB": 25200,
        "SGT": 28800, "HKT": 28800, "AWST": 28800, "PHT": 28800,
        "JST": 32400, "KST": 32400, "ACST": 34200, "ACDT": 37800,
        "AEST": 36000, "AEDT": 39600, "NZST": 43200, "NZDT": 46800,
        "AST": -14400, "ADT": -10800, "NST": -12600, "NDT": -9000, "BRT": -10800, "ART": -10800,
        "EST": -18000, "EDT": -14400, "CST": -21600, "CDT": -18000,
        "MST": -25200, "MDT": -21600, "PST": -28800, "PDT": -25200,
        "AKST": -32400, "AKDT": -28800, "HST": -36000,
    ]
}

/// Lines stamped with a zone abbreviation that was ambiguous or unknown, for a warning: which
/// abbreviation, how it was read (`offset` nil: in the zone rule) and how many lines.
public struct AbbreviationUse: Sendable, Equatable {
    public var abbreviation: String
    public var reading: ZoneRule.AbbreviationReading
    public var offset: Int?
    public var lines: UInt64

    public init(abbreviation: String, reading: ZoneRule.AbbreviationReading, offset: Int?, lines: UInt64) {
        self.abbreviation = abbreviation
        self.reading = reading
        self.offset = offset
        self.lines = lines
    }

    /// Adds `uses` into `table` by abbreviation.
    public static func merge(_ uses: [AbbreviationUse], into table: inout [AbbreviationUse]) {
        for use in uses {
            if let k = table.firstIndex(where: { $0.abbreviation == use.abbreviation }) {
                table[k].lines &+= use.lines
            } else {
                table.append(use)
            }
        }
        table.sort { ($0.lines, $1.abbreviation) > ($1.lines, $0.abbreviation) }
    }
}
