/// The text of `report`'s progress line: bytes read, the share done and the time left when the
/// total is known, and the rate. Megabytes are 10^6 bytes, as disk and network rates are given.
public enum ProgressText {
    /// `reading 123.4 MB of 500.0 MB (24%), 85.2 MB/s, about 0:04 left`, or without a known
    /// total `reading 123.4 MB, 85.2 MB/s`; at most `width` characters.
    public static func line(bytes: Int, total: Int?, seconds: Double, width: Int = 80) -> String {
        let rate = seconds > 0 ? Double(bytes) / seconds : 0
        var text = "reading \(megabytes(bytes))"
        if let total, total > 0 {
            let share = Swift.min(1, Double(bytes) / Double(total))
            text += " of \(megabytes(total)) (\(Int(share * 100))%)"
            text += ", \(megabytes(Int(rate)))/s"
            if rate > 0 && bytes < total { text += ", about \(clock(Double(total - bytes) / rate)) left" }
        } else {
            text += ", \(megabytes(Int(rate)))/s"
        }
        return text.count <= width ? text : String(text.prefix(Swift.max(1, width)))
    }

    /// `0.3 MB`, `123.4 MB`, `1234 MB`: one decimal below 1000 MB.
    static func megabytes(_ bytes: Int) -> String {
        let mb = Double(bytes) / 1e6
        return mb < 1000 ? "\((mb * 10).rounded() / 10) MB" : "\(Int(mb.rounded())) MB"
    }

    /// `0:07`, `12:30`, `1:02:03`.
    static func clock(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds < 360_000 else { return "--:--" }
        let s = Int(seconds.rounded(.up))
        let two = { (n: Int) in n < 10 ? "0\(n)" : "\(n)" }
        return s >= 3600 ? "\(s / 3600):\(two(s % 3600 / 60)):\(two(s % 60))" : "\(s / 60):\(two(s % 60))"
    }
}
