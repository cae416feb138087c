/// Formats epoch seconds for reports, always in UTC so output does not depend on the machine.
public enum TimeText {
    /// (year, month, day) of a day count since 1970-01-01 (Howard Hinnant's civil_from_days).
    static func civil(_ days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    static func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }

    /// `2026-11-24T10:05:00Z`
    public static func iso8601(_ epoch: Int64) -> String {
        let days = epoch >= 0 ? epoch / 86400 : (epoch - 86399) / 86400
        let seconds = epoch - days * 86400
        let (y, m, d) = civil(days)
        return "\(y)-\(two(m))-\(two(d))T\(two(seconds / 3600)):\(two(seconds % 3600 / 60)):\(two(seconds % 60))Z"
    }

    /// `2026-11-24 10:05` (or with seconds when the width is below a minute).
    public static func short(_ epoch: Int64, seconds: Bool = false) -> String {
        let iso = iso8601(epoch)
        let date = iso.prefix(10)
        let time = iso.dropFirst(11).prefix(seconds ? 8 : 5)
        return "\(date) \(time)"
    }

    /// `1m`, `5m`, `1h`, `90s`, `1d`.
    public static func width(_ seconds: Int64) -> String {
        if seconds % 86400 == 0 { return "\(seconds / 86400)d" }
        if seconds % 3600 == 0 { return "\(seconds / 3600)h" }
        if seconds % 60 == 0 { return "\(seconds / 60)m" }
        return "\(seconds)s"
    }
}
