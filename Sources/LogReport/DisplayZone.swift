#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LogParsing

/// The zone times are shown in by the text, Markdown and HTML reports (`--tz`, local time by
/// default). JSON does not use it: it keeps UTC instants (`…Z`), which scripts compare.
///
/// Only the display changes: buckets stay multiples of their width in real (UTC) seconds, so a
/// 1h bucket across a daylight-saving change is still one hour of real time. In autumn the
/// repeated wall-clock hour therefore appears twice; to tell the two apart, a report whose
/// times span more than one offset labels every time with its offset (`02:00 +02:00`,
/// `02:00 +01:00`). What it does not do: align buckets of a day (or of an hour in a zone with a
/// half-hour offset) to local midnight or to the local hour — they start at UTC multiples.
public struct DisplayZone: Sendable {
    public enum Kind: Sendable {
        case fixed(offsetSeconds: Int)
        case local
        case named(ZoneInfo)
    }

    public let kind: Kind
    /// Whether labels carry their offset (set by `labellingOffsets(over:)`).
    public var showsOffset = false

    public init(_ kind: Kind) { self.kind = kind }

    public static let utc = DisplayZone(.fixed(offsetSeconds: 0))

    /// The zone `--tz` named: the one logs are read in is also the one they are shown in.
    public init(_ rule: ZoneRule) {
        switch rule.kind {
        case .fixed(let offset): kind = .fixed(offsetSeconds: offset)
        case .local: kind = .local
        case .named(let info): kind = .named(info)
        }
    }

    /// Seconds east of UTC at instant `t`.
    public func offset(at t: Int64) -> Int {
        switch kind {
        case .fixed(let offset): return offset
        case .named(let info): return info.offset(atUTC: t)
        case .local:
            var time = time_t(clamping: t)
            var parts = tm()
            guard localtime_r(&time, &parts) != nil else { return 0 }
            return Int(parts.tm_gmtoff)
        }
    }

    /// The zone's name for headers: `Europe/Berlin`, `UTC`, `UTC+05:30`, `local time (Europe/Berlin)`.
    public var name: String {
        switch kind {
        case .fixed(offsetSeconds: 0): return "UTC"
        case .fixed(let offset): return "UTC" + DisplayZone.offsetText(offset)
        case .named(let info): return info.name
        case .local: return "local time (\(DisplayZone.machineZoneName))"
        }
    }

    /// The machine's zone name: `$TZ`, else what `/etc/localtime` links to under `zoneinfo/`.
    static var machineZoneName: String {
        if let tz = getenv("TZ") {
            var name = String(cString: tz)
            if name.hasPrefix(":") { name.removeFirst() }
            if !name.isEmpty { return name }
        }
        var buffer = [CChar](repeating: 0, count: 1024)
        let n = readlink("/etc/localtime", &buffer, buffer.count - 1)
        if n > 0 {
            let target = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if let range = target.range(of: "zoneinfo/") { return String(target[range.upperBound...]) }
        }
        return "UTC" + offsetText(DisplayZone(Kind.local).offset(at: Int64(time(nil))))
    }

    /// `+02:00`, `-05:30`, `+00:00`.
    public static func offsetText(_ seconds: Int) -> String {
        let m = abs(seconds) / 60
        return (seconds < 0 ? "-" : "+") + TimeText.two(Int64(m / 60)) + ":" + TimeText.two(Int64(m % 60))
    }

    /// This zone, labelling times with their offset when the offset between `first` and `last`
    /// is not one (probed every 6 hours, or 4,096 probes for spans over about 3 years: every
    /// daylight-saving period lasts weeks, so none falls between two probes unseen).
    public func labellingOffsets(from first: Int64, to last: Int64) -> DisplayZone {
        var zone = self
        guard first <= last else { return zone }
        let offset = self.offset(at: first)
        let (span, overflow) = last.subtractingReportingOverflow(first)
        let step = overflow ? Int64.max / 4096 : max(6 * 3600, span / 4096)
        var t = first
        while true {
            if self.offset(at: t) != offset { zone.showsOffset = true; break }
            if t == last { break }
            let (next, over) = t.addingReportingOverflow(step)
            t = over || next > last ? last : next
        }
        return zone
    }

    /// Wall-clock fields of `t` in this zone.
    func civil(_ t: Int64) -> (date: String, hh: Int64, mm: Int64, ss: Int64, offset: Int) {
        let offset = self.offset(at: t)
        let local = t &+ Int64(offset)
        var days = local / 86400
        if local % 86400 < 0 { days -= 1 }
        let seconds = local &- days &* 86400
        let (y, m, d) = ByteParsing.civil(fromDays: days)
        return ("\(TimeText.year(y))-\(TimeText.two(m))-\(TimeText.two(d))", seconds / 3600, seconds % 3600 / 60, seconds % 60, offset)
    }

    /// `2026-10-25 02:00` (seconds when asked), with ` +02:00` when offsets are shown.
    public func short(_ t: Int64, seconds: Bool = false) -> String {
        let c = civil(t)
        var text = "\(c.date) \(TimeText.two(c.hh)):\(TimeText.two(c.mm))"
        if seconds { text += ":\(TimeText.two(c.ss))" }
        if showsOffset { text += " " + DisplayZone.offsetText(c.offset) }
        return text
    }

    /// `2026-10-25 02:00:00 +02:00`: always with its offset (headers, single instants).
    public func stamp(_ t: Int64) -> String {
        let c = civil(t)
        return "\(c.date) \(TimeText.two(c.hh)):\(TimeText.two(c.mm)):\(TimeText.two(c.ss)) \(DisplayZone.offsetText(c.offset))"
    }

    /// ISO 8601 with this zone's offset: `2026-10-25T02:00:00+02:00` (HTML `datetime` attributes).
    public func iso8601(_ t: Int64) -> String {
        let c = civil(t)
        return "\(c.date)T\(TimeText.two(c.hh)):\(TimeText.two(c.mm)):\(TimeText.two(c.ss))\(DisplayZone.offsetText(c.offset))"
    }
}
