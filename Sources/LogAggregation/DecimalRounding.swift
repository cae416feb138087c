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
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 48) { buffer in
            _ = withVaList([Int32(digits), value]) { vsnprintf(buffer.baseAddress!, 48, "%.*g", $0) }
            return strtod(buffer.baseAddress!, nil)
        }
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
