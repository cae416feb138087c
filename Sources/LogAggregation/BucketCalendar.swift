import LogParsing

/// Where time buckets start. Buckets of whole days (`--bucket 1d`, `7d`) start at midnight in
/// the report's zone (`--tz`, local time by default), so a day bucket is a calendar day there:
/// 23 or 25 hours of real time across a daylight-saving change. Every other width is a fixed
/// length of real time starting at a multiple of the width since the epoch — for zones a
/// whole number of hours from UTC those are local hours, daylight saving included.
///
/// A width that becomes whole days by widening (3h doubled to 24h) regroups its buckets by the
/// local day of each bucket's start: a bucket cannot be split, so its events go whole to that day.
public struct BucketCalendar: Sendable {
    /// The zone of day buckets; nil when days are UTC days (`--tz UTC`, a zero offset).
    public let zone: ZoneRule?

    public static let utc = BucketCalendar(zone: nil)
    static let day: Int64 = 86_400

    public init(zone: ZoneRule?) {
        if let zone, case .fixed(let offset) = zone.kind, offset == 0 {
            self.zone = nil
        } else {
            self.zone = zone
        }
    }

    /// Whether buckets of `width` start at local midnights (else at multiples of the width).
    @inline(__always)
    public func isLocalDays(_ width: Int64) -> Bool { zone != nil && width % Self.day == 0 }

    /// The start of the bucket of `width` holding instant `t`.
    public func start(of t: Int64, width: Int64) -> Int64 {
        guard let zone, width % Self.day == 0 else { return floorDivide(t, width) &* width }
        let days = width / Self.day
        let localDay = floorDivide(t &+ zone.offset(atUTC: t), Self.day)
        var rule = zone
        // A midnight skipped by a change to summer time is read with the offset before it:
        // the day then starts at the first instant it has.
        return rule.utc(fromNaive: (floorDivide(localDay, days) &* days) &* Self.day)
    }

    /// The start of the bucket after the one starting at `start`.
    public func next(after start: Int64, width: Int64) -> Int64 {
        guard let zone, width % Self.day == 0 else { return start &+ width }
        let localDay = floorDivide(start &+ zone.offset(atUTC: start), Self.day)
        var rule = zone
        return rule.utc(fromNaive: localDay &* Self.day &+ width)
    }
}
