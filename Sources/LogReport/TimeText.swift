import LogParsing

/// Formats epoch seconds for reports, always in UTC so output does not depend on the machine.
public enum TimeText {
    static func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }

    /// `2026-11-24T10:05:00Z`
    public static func iso8601(_ epoch: Int64) -> String {
        let days = epoch >= 0 ? epoch / 86400 : (epoch - 86399) / 86400
        let seconds = epoch - days * 86400
        let (y, m, d) = ByteParsing.civil(fromDays: days)
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
