import LogParsing

/// `--since` and `--until` values: ISO 8601 (`2026-11-24T14:00:00Z`, or without a zone in the
/// display zone), a time of day today (`14:00`, `14:05:30`), a relative time (`-15m`, `-2h`,
/// `-1d`) or `yesterday` / `today` (their midnight), as an epoch second.
public enum TimeBound {
    /// `now` and `zone` are given so that tests need no clock.
    public static func parse(_ text: String, now: Int64, zone: ZoneRule) -> Int64? {
        var zone = zone
        let trimmed = text.trimmingCharacters(in: " ")
        let offsetNow = now - (zone.epoch(fromNaive: now) ?? now)
        let localMidnight = floorDiv(now + offsetNow, 86400) * 86400
        switch trimmed.lowercased() {
        case "now": return now
        case "today": return zone.epoch(fromNaive: localMidnight)
        case "yesterday": return zone.epoch(fromNaive: localMidnight - 86400)
        default: break
        }
        let bytes = Array(trimmed.utf8)
        if bytes.first == UInt8(ascii: "-"), let unit = bytes.last, bytes.count >= 3 {
            let digits = bytes[1..<(bytes.count - 1)]
            guard digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), digits.count <= 9,
                  let n = Int64(String(decoding: digits, as: UTF8.self)) else { return nil }
            let seconds: Int64
            switch unit {
            case UInt8(ascii: "s"): seconds = 1
            case UInt8(ascii: "m"): seconds = 60
            case UInt8(ascii: "h"): seconds = 3600
            case UInt8(ascii: "d"): seconds = 86400
            default: return nil
            }
            return now - n * seconds
        }
        // HH:MM or HH:MM:SS today.
        if bytes.count == 5 || bytes.count == 8, bytes[2] == UInt8(ascii: ":"),
           bytes.count == 5 || bytes[5] == UInt8(ascii: ":") {
            return bytes.withUnsafeBytes { b -> Int64? in
                guard let h = ByteParsing.digits(b, 0, 2), let m = ByteParsing.digits(b, 3, 2), h <= 23, m <= 59 else { return nil }
                var s = 0
                if b.count == 8 {
                    guard let sec = ByteParsing.digits(b, 6, 2), sec <= 59 else { return nil }
                    s = sec
                }
                return zone.epoch(fromNaive: localMidnight + Int64(h * 3600 + m * 60 + s))
            }
        }
        // Epoch seconds.
        if bytes.count >= 9, bytes.count <= 12, bytes.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            return Int64(trimmed)
        }
        // ISO 8601: a date alone is its midnight; minutes without seconds are :00; without a
        // zone the time is read in `zone`.
        guard bytes.count >= 10, bytes[4] == UInt8(ascii: "-") else { return nil }
        var iso = bytes
        if iso.count == 10 { iso += Array("T00:00:00".utf8) }
        if iso.count == 16 || (iso.count > 16 && !(0x30...0x39).contains(iso[16]) && iso[16] != UInt8(ascii: ":")) {
            iso.insert(contentsOf: Array(":00".utf8), at: 16)
        }
        // Event times are whole seconds: a bound with a fraction (`12:00:00.5`) is the next
        // second, so the lines of 12:00:00 stay before it.
        var fraction = false
        if iso.count > 20, iso[19] == UInt8(ascii: ".") || iso[19] == UInt8(ascii: ",") {
            var i = 20
            while i < iso.count, (0x30...0x39).contains(iso[i]) { if iso[i] != 0x30 { fraction = true }; i += 1 }
        }
        let whole = iso.withUnsafeBytes { b -> Int64? in
            ByteParsing.timestamp(b, 0..<b.count, zone: &zone)
        }
        return fraction ? whole.map { $0 + 1 } : whole
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }
}

extension String {
    func trimmingCharacters(in set: Character) -> String {
        var s = Substring(self)
        while s.first == set { s.removeFirst() }
        while s.last == set { s.removeLast() }
        return String(s)
    }
}
