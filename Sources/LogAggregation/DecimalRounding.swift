#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Decimal rounding of doubles for reports: what a number is printed as, never how it is
/// accumulated.
public enum DecimalRounding {
    /// `value` rounded to `digits` significant decimal digits (1...17), as the nearest double.
    public static func significant(_ value: Double, digits: Int) -> Double {
        guard value.isFinite, value != 0 else { return value }
        let digits = Swift.min(17, Swift.max(1, digits))
        return scaled(value, digits: digits) ?? printed(value, digits: digits)
    }

    /// What `%.*g` printed and read back gives, through the C library: exact, about a
    /// microsecond.
    static func printed(_ value: Double, digits: Int) -> Double {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 48) { buffer in
            _ = withVaList([Int32(digits), value]) { vsnprintf(buffer.baseAddress!, 48, "%.*g", $0) }
            return strtod(buffer.baseAddress!, nil)
        }
    }

    /// Powers of ten that are exact doubles.
    static let powers: [Double] = (0...22).map { k in (0..<k).reduce(1.0) { r, _ in r * 10 } }

    /// The same result by arithmetic when it is sure to be the same, else nil: `value` scaled
    /// by an exact power of ten to `digits` digits before the point, rounded to an integer n,
    /// and n scaled back (one correctly rounded operation on exact operands, so the double
    /// nearest the decimal, as `strtod` reads it). Sure when at most 12 digits are kept (the
    /// scaled value's rounding error is then below 3e-4) and it is not within 1e-3 of a tie,
    /// where the C library's exact decimal expansion decides.
    static func scaled(_ value: Double, digits: Int) -> Double? {
        guard digits <= 12 else { return nil }
        let magnitude = abs(value)
        let exponent = Int(log10(magnitude).rounded(.down))
        let shift = digits - 1 - exponent
        guard abs(shift) <= 22 else { return nil }
        let scale = powers[abs(shift)]
        let x = shift >= 0 ? value * scale : value / scale
        // `digits` digits before the point, else log10 rounded across a power of ten.
        guard abs(x) >= powers[digits - 1], abs(x) < powers[digits] else { return nil }
        let fraction = abs(x - x.rounded(.towardZero))
        guard abs(fraction - 0.5) > 1e-3 else { return nil }
        let n = x.rounded(.toNearestOrAwayFromZero)
        return shift >= 0 ? n / scale : n * scale
    }

    /// The double with the fewest significant digits that lies within `relative · |value|` of
    /// `value`: `0.123456` within 1e-4 is `0.12346`; `2.6670000000000003` within 1e-15 is `2.667`.
    public static func shortest(_ value: Double, within relative: Double) -> Double {
        guard value.isFinite, value != 0 else { return value }
        for digits in 1...17 {
            let r = significant(value, digits: digits)
            if abs(r - value) <= relative * abs(value) { return r }
        }
        return value
    }
}
