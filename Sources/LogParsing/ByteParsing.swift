/// Number and timestamp readers that work on a line's bytes in place: no `String`, no allocation.
public enum ByteParsing {
    /// A non-negative decimal integer, or nil when the bytes are not all digits (e.g. `-`).
    @inline(__always)
    public static func integer(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Int? {
        guard !range.isEmpty, range.count <= 18 else { return nil }
        var value = 0
        for i in range {
            let digit = Int(bytes[i]) &- 48
            guard digit >= 0 && digit <= 9 else { return nil }
            value = value &* 10 &+ digit
        }
        return value
    }

    static let powersOfTen: [Double] = (0...18).map { p in (0..<p).reduce(1.0) { r, _ in r * 10 } }

    /// `powersOfTen[k]` for k in 0...18 as literals (each exact in a double): the per-line
    /// readers use this rather than the array, whose lazy initialisation is checked on every
    /// access (`ByteParsingTests` checks both agree).
    @inline(__always)
    static func powerOfTen(_ k: Int) -> Double {
        switch k {
        case 0: return 1
        case 1: return 1e1
        case 2: return 1e2
        case 3: return 1e3
        case 4: return 1e4
        case 5: return 1e5
        case 6: return 1e6
        case 7: return 1e7
        case 8: return 1e8
        case 9: return 1e9
        case 10: return 1e10
        case 11: return 1e11
        case 12: return 1e12
        case 13: return 1e13
        case 14: return 1e14
        case 15: return 1e15
        case 16: return 1e16
        case 17: return 1e17
        default: return 1e18
        }
    }

    /// A plain decimal like `0.123` or `12`, or nil for `-` and anything else. Reads at most 18
    /// significant digits, so the value is exact to the double nearest the written decimal;
    /// further fraction digits are ignored, and a number with more than 18 digits before its dot
    /// (≥ 10^18, not a plausible time or size) is nil rather than a value of the wrong magnitude.
    /// The result is therefore always finite and below 10^18 in magnitude.
    @inline(__always)
    public static func decimal(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Double? {
        guard !range.isEmpty else { return nil }
        // Digits with at most one dot, 18 bytes at most (every request time): no digit can pass
        // the cap below, leading zeros add nothing to the mantissa, so one plain loop gives the
        // same value. Anything else falls through to the general reader.
        if range.count <= 18 {
            var mantissa = 0
            var fractionDigits = 0
            var seenDot = false
            var plain = true
            for i in range {
                let b = bytes[i]
                let d = Int(b) &- 48
                if d >= 0 && d <= 9 {
                    mantissa = mantissa &* 10 &+ d
                    if seenDot { fractionDigits &+= 1 }
                } else if b == UInt8(ascii: "."), !seenDot {
                    seenDot = true
                } else {
                    plain = false
                    break
                }
            }
            // A lone `.` has no digit: the general reader says nil.
            if plain, !(seenDot && range.count == 1) { return Double(mantissa) / powerOfTen(fractionDigits) }
        }
        var mantissa = 0
        var digits = 0
        var fractionDigits = 0
        var seenDot = false
        var seenDigit = false
        var i = range.lowerBound
        var negative = false
        if bytes[i] == UInt8(ascii: "-") { negative = true; i += 1; guard i < range.upperBound else { return nil } }
        while i < range.upperBound {
            let b = bytes[i]
            if b == UInt8(ascii: ".") {
                guard !seenDot else { return nil }
                seenDot = true
            } else {
                let d = Int(b) &- 48
                guard d >= 0 && d <= 9 else { return nil }
                seenDigit = true
                // Leading zeros of the integer part are not significant digits.
                if d == 0 && digits == 0 && !seenDot { i += 1; continue }
                if digits >= 18 {
                    guard seenDot else { return nil }
                    i += 1
                    continue
                }
                mantissa = mantissa &* 10 &+ d
                digits += 1
                if seenDot { fractionDigits += 1 }
            }
            i += 1
        }
        guard seenDigit else { return nil }
        let value = Double(mantissa) / powerOfTen(fractionDigits)
        return negative ? -value : value
    }

    /// The total of an upstream list such as `0.010, 0.020` or `0.010 : -`: the time spent across
    /// every upstream tried; nil when no element is a number.
    public static func upstreamTime(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Double? {
        var total = 0.0
        var any = false
        var start = range.lowerBound
        var i = range.lowerBound
        while i <= range.upperBound {
            if i == range.upperBound || bytes[i] == UInt8(ascii: ",") || bytes[i] == UInt8(ascii: " ") || bytes[i] == UInt8(ascii: ":") {
                if i > start, let v = decimal(bytes, start..<i) { total += v; any = true }
                start = i + 1
            }
            i += 1
        }
        return any ? total : nil
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
    /// Exact for |year| < 10^14 and month 1...12; other inputs (no parser here produces them)
    /// give an unspecified number instead of trapping: the arithmetic wraps.
    @inline(__always)
    public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year &- 1 : year
        let era = (y >= 0 ? y : y &- 399) / 400
        let yoe = y &- era &* 400
        let mp = (month &+ 9) % 12
        let doy = (153 &* mp &+ 2) / 5 &+ day &- 1
        let doe = yoe &* 365 &+ yoe / 4 &- yoe / 100 &+ doy
        return era &* 146097 &+ doe &- 719468
    }

    /// The epochs logsift accepts from a log: 0001-01-01T00:00:00Z ... 9999-12-31T23:59:59Z, so
    /// every time it reports prints as ISO 8601 with a four-digit year, and arithmetic on times
    /// (buckets, ranges, spans) stays far from `Int64`'s limits. A time outside is rejected where
    /// it is parsed, like an impossible date.
    public static let epochRange: ClosedRange<Int64> = -62_135_596_800...253_402_300_799

    /// Whether `year`-`month`-`day` exists in the proleptic Gregorian calendar, with `year`
    /// in 1...9999 (31 February, day 0 and year 0 do not).
    @inline(__always)
    public static func isValidDate(year: Int, month: Int, day: Int) -> Bool {
        guard year >= 1, year <= 9999, month >= 1, month <= 12, day >= 1 else { return false }
        if day <= 28 { return true }
        switch month {
        case 2: return day == 29 && (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0))
        case 4, 6, 9, 11: return day <= 30
        default: return day <= 31
        }
    }

    /// Seconds since the epoch of a wall-clock date and time read as if in UTC, or nil when a
    /// field is out of range: an impossible date (see `isValidDate`), an hour above 23, a minute
    /// above 59 or a second above 60 (60 is a leap second). Integer compares only: this is on
    /// every timestamp parser's path.
    @inline(__always)
    public static func naiveSeconds(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) -> Int64? {
        guard isValidDate(year: year, month: month, day: day), hour >= 0, hour <= 23, minute >= 0, minute <= 59,
              second >= 0, second <= 60 else { return nil }
        return Int64(daysFromCivil(year: year, month: month, day: day) * 86400 + hour * 3600 + minute * 60 + second)
    }

    /// `naive` (wall clock read as UTC) less a UTC offset, or nil when the result leaves
    /// `epochRange` (a date on the first day of year 1 with an offset east of UTC).
    @inline(__always)
    public static func epoch(naive: Int64, offset: Int) -> Int64? {
        let t = naive &- Int64(offset)
        return epochRange.contains(t) ? t : nil
    }

    /// (year, month, day) of a day count since 1970-01-01 (Howard Hinnant's civil_from_days).
    /// Exact for |days| < 10^16; beyond, the arithmetic wraps instead of trapping.
    public static func civil(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days &+ 719468
        let era = (z >= 0 ? z : z &- 146096) / 146097
        let doe = z &- era &* 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe &+ era &* 400 &+ (m <= 2 ? 1 : 0), m, d)
    }

    @inline(__always)
    public static func digits(_ bytes: UnsafeRawBufferPointer, _ at: Int, _ count: Int) -> Int? {
        var value = 0
        for i in at..<(at + count) {
            let d = Int(bytes[i]) &- 48
            guard d >= 0 && d <= 9 else { return nil }
            value = value * 10 + d
        }
        return value
    }

    /// Month number 1...12 from its three-letter English abbreviation, any case.
    @inline(__always)
    static func month(_ a: UInt8, _ b: UInt8, _ c: UInt8) -> Int? {
        let key = (UInt32(a | 0x20) << 16) | (UInt32(b | 0x20) << 8) | UInt32(c | 0x20)
        switch key {
        case 0x6a616e: return 1   // jan
        case 0x666562: return 2   // feb
        case 0x6d6172: return 3   // mar
        case 0x617072: return 4   // apr
        case 0x6d6179: return 5   // may
        case 0x6a756e: return 6   // jun
        case 0x6a756c: return 7   // jul
        case 0x617567: return 8   // aug
        case 0x736570: return 9   // sep
        case 0x6f6374: return 10  // oct
        case 0x6e6f76: return 11  // nov
        case 0x646563: return 12  // dec
        default: return nil
        }
    }

    /// Epoch seconds of an nginx/Apache `$time_local`: `24/Nov/2026:00:00:01 +0100`; nil for an
    /// impossible date or time (`31/Feb`, `25:61:61`) or zone (`+9999`).
    @inline(__always)
    public static func timeLocal(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Int64? {
        var i = range.lowerBound
        let n = range.count
        // Day may have one or two digits.
        let dayDigits = (n > 1 && bytes[i + 1] == UInt8(ascii: "/")) ? 1 : 2
        guard n >= 20 + dayDigits, let day = digits(bytes, i, dayDigits) else { return nil }
        i += dayDigits + 1
        guard let month = month(bytes[i], bytes[i + 1], bytes[i + 2]) else { return nil }
        i += 4
        guard let year = digits(bytes, i, 4), let hh = digits(bytes, i + 5, 2),
              let mm = digits(bytes, i + 8, 2), let ss = digits(bytes, i + 11, 2),
              let naive = naiveSeconds(year: year, month: month, day: day, hour: hh, minute: mm, second: ss) else { return nil }
        i += 13
        var offset = 0
        if i < range.upperBound {
            guard bytes[i] == UInt8(ascii: " "), let o = ZoneRule.offset(bytes, (i + 1)..<range.upperBound) else { return nil }
            offset = o
        }
        return epoch(naive: naive, offset: offset)
    }

    /// Epoch seconds of an ISO 8601 / RFC 3339 timestamp: `2026-11-24T00:00:01+01:00`,
    /// `2026-11-24 00:00:01.123Z`, `2026-11-24T00:00:01`. A timestamp without a zone is taken in
    /// `defaultOffset` seconds east of UTC. Nil for an impossible date, time or offset.
    @inline(__always)
    public static func iso8601(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, defaultOffset: Int = 0) -> Int64? {
        guard let (naive, offset) = iso8601Fields(bytes, range) else { return nil }
        return epoch(naive: naive, offset: offset ?? defaultOffset)
    }

    /// The wall-clock seconds (read as if UTC) of an ISO 8601 timestamp and its written offset
    /// (nil when it has none); nil for an impossible date, time or offset.
    @inline(__always)
    static func iso8601Fields(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> (naive: Int64, offset: Int?)? {
        let s = range.lowerBound
        guard range.count >= 19, let year = digits(bytes, s, 4), bytes[s + 4] == UInt8(ascii: "-"),
              let month = digits(bytes, s + 5, 2), bytes[s + 7] == UInt8(ascii: "-"),
              let day = digits(bytes, s + 8, 2),
              bytes[s + 10] == UInt8(ascii: "T") || bytes[s + 10] == UInt8(ascii: " "),
              let hh = digits(bytes, s + 11, 2), let mm = digits(bytes, s + 14, 2), let ss = digits(bytes, s + 17, 2),
              let naive = naiveSeconds(year: year, month: month, day: day, hour: hh, minute: mm, second: ss) else { return nil }
        var i = s + 19
        if i < range.upperBound, bytes[i] == UInt8(ascii: ".") || bytes[i] == UInt8(ascii: ",") {
            i += 1
            while i < range.upperBound, bytes[i] >= 48, bytes[i] <= 57 { i += 1 }
        }
        if i < range.upperBound {
            let z = bytes[i]
            if z == UInt8(ascii: "Z") || z == UInt8(ascii: "z") { return (naive, 0) }
            if z == UInt8(ascii: "+") || z == UInt8(ascii: "-") {
                guard let o = ZoneRule.offset(bytes, i..<range.upperBound) else { return nil }
                return (naive, o)
            }
        }
        return (naive, nil)
    }

    /// Whether `range` is written in one of the forms `timestamp` reads (whatever its values):
    /// when `timestamp` gives nil for such a field, the time is impossible rather than absent.
    public static func hasTimestampForm(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Bool {
        guard range.count >= 2 else { return false }
        let s = range.lowerBound
        if range.count >= 19, bytes[s + 4] == UInt8(ascii: "-") { return digits(bytes, s, 4) != nil }
        if bytes[s + 1] == UInt8(ascii: "/") || (range.count >= 3 && bytes[s + 2] == UInt8(ascii: "/")) {
            return digits(bytes, s, 1) != nil
        }
        return decimal(bytes, range) != nil
    }

    /// Epoch seconds from any of the timestamp forms above, or from epoch seconds (`$msec`);
    /// an ISO 8601 time without a zone is read in `defaultOffset` seconds east of UTC.
    @inline(__always)
    public static func timestamp(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, defaultOffset: Int = 0) -> Int64? {
        var zone = ZoneRule(.fixed(offsetSeconds: defaultOffset))
        return timestamp(bytes, range, zone: &zone)
    }

    /// `timestamp`, with an ISO 8601 time without a zone read in `zone` (daylight saving included).
    @inline(__always)
    public static func timestamp(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, zone: inout ZoneRule) -> Int64? {
        guard range.count >= 2 else { return nil }
        if range.count >= 19, bytes[range.lowerBound + 4] == UInt8(ascii: "-") {
            guard let (naive, offset) = iso8601Fields(bytes, range) else { return nil }
            if let offset { return epoch(naive: naive, offset: offset) }
            return zone.epoch(fromNaive: naive)
        }
        if bytes[range.lowerBound + 1] == UInt8(ascii: "/") || (range.count >= 3 && bytes[range.lowerBound + 2] == UInt8(ascii: "/")) {
            return timeLocal(bytes, range)
        }
        // Epoch seconds (`$msec`): `decimal` stays below 10^18, so the conversion cannot trap.
        if let v = decimal(bytes, range), v > 0, epochRange.contains(Int64(v)) { return Int64(v) }
        return nil
    }
}
