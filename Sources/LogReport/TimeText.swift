import LogParsing

/// Formats epoch seconds for reports, always in UTC so output does not depend on the machine.
public enum TimeText {
    static func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }

    /// A year as ISO 8601 writes it: four digits (`0042`), a sign only below year 0.
    static func year(_ y: Int64) -> String {
        let digits = String(y.magnitude)
        return (y < 0 ? "-" : "") + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// `2026-11-24T10:05:00Z`. Parsers keep times within `ByteParsing.epochRange` (years
    /// 0001-9999, always four digits); any `Int64` is still printed without trapping.
    public static func iso8601(_ epoch: Int64) -> String {
        var days = epoch / 86400
        if epoch % 86400 < 0 { days -= 1 }
        // Wrapping: for `Int64.min` the product leaves the range, the difference does not.
        let seconds = epoch &- days &* 86400
        let (y, m, d) = ByteParsing.civil(fromDays: days)
        return "\(year(y))-\(two(m))-\(two(d))T\(two(seconds / 3600)):\(two(seconds % 3600 / 60)):\(two(seconds % 60))Z"
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
