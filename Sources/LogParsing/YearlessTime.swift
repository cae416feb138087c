#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The year of times written without one (syslog RFC 3164 `Dec 31 23:59:58`, glog `E1231 …`),
/// for every reader of them: application syslog, glog and PostgreSQL's syslog destination.
///
/// A time goes in the reference time's year unless that puts it more than a day after the
/// reference; then it goes in the year before. So a file read on 2 December 2026 that runs from
/// `Dec 31 23:59:58` to `Jan  1 00:00:02` spans 31 December 2025 to 1 January 2026: a log does
/// not come from the future (the day of slack covers clocks and zones a little ahead).
public struct YearlessTime: Sendable, Equatable {
    /// Epoch seconds the times are placed before (at most a day after it); now, by default.
    public let reference: Int64
    /// The reference's calendar year (UTC), worked out once rather than per line.
    let referenceYear: Int

    public init(reference: Int64? = nil) {
        let t = reference ?? Int64(time(nil))
        self.reference = t
        var days = t / 86400
        if t % 86400 < 0 { days -= 1 }
        self.referenceYear = Int(ByteParsing.civil(fromDays: days).year)
    }

    /// Epoch seconds of `month`/`day` at `secondsOfDay` (read in `zone`) in the year chosen as
    /// above; nil for a date in neither year (31 February, 29 February outside a leap year) or
    /// out of the range times are reported in.
    @inline(__always)
    public func epoch(month: Int, day: Int, secondsOfDay: Int, zone: inout ZoneRule) -> Int64? {
        if ByteParsing.isValidDate(year: referenceYear, month: month, day: day),
           let t = zone.epoch(fromNaive: Int64(ByteParsing.daysFromCivil(year: referenceYear, month: month, day: day) * 86400 + secondsOfDay)),
           t <= reference &+ 86400 {
            return t
        }
        let year = referenceYear - 1
        guard ByteParsing.isValidDate(year: year, month: month, day: day) else { return nil }
        return zone.epoch(fromNaive: Int64(ByteParsing.daysFromCivil(year: year, month: month, day: day) * 86400 + secondsOfDay))
    }
}
