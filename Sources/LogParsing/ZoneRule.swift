#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How to read a timestamp written without a UTC offset: in a fixed offset (`--tz +0100`,
/// `--tz UTC`) or in the machine's local time zone (the default, as the logging process most
/// likely wrote it), daylight saving included.
///
/// `utc(fromNaive:)` takes the seconds that the wall-clock fields give when read as if in UTC,
/// and returns true epoch seconds. Local-time offsets are looked up once per hour of wall
/// clock and cached, so the per-line cost is a compare.
public struct ZoneRule: Sendable {
    public enum Kind: Sendable, Equatable {
        case fixed(offsetSeconds: Int)
        case local
    }

    public let kind: Kind
    var cachedHour: Int64 = .min
    var cachedOffset: Int64 = 0

    public init(_ kind: Kind) { self.kind = kind }

    public static let utc = ZoneRule(.fixed(offsetSeconds: 0))
    public static let local = ZoneRule(.local)

    /// Parses `--tz`: `UTC`, `Z`, `local`, `+0100`, `-05:30`, or a zone abbreviation from
    /// `ZoneRule.abbreviations`. Nil when unreadable.
    public static func parse(_ text: String) -> ZoneRule? {
        if text.lowercased() == "local" { return .local }
        if let offset = abbreviations[text.uppercased()] { return ZoneRule(.fixed(offsetSeconds: offset)) }
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { raw in
            offset(raw, 0..<raw.count).map { ZoneRule(.fixed(offsetSeconds: $0)) }
        }
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
        }
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

    /// Common zone abbreviations as PostgreSQL and syslog write them, in seconds east of UTC.
    /// Ambiguous ones (IST, CST) take their most common reading in server logs.
    public static let abbreviations: [String: Int] = [
        "UTC": 0, "GMT": 0, "Z": 0, "UT": 0, "WET": 0,
        "WEST": 3600, "BST": 3600, "CET": 3600, "MET": 3600,
        "CEST": 7200, "MEST": 7200, "EET": 7200, "SAST": 7200, "IST": 19800,
        "EEST": 10800, "MSK": 10800,
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
