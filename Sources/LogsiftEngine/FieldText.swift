import LogParsing

/// The text of a field that a decoder holds as a number or a level, for group keys and
/// examples (`count by pid`, `count by severity`), written without allocating.
enum FieldText {
    static let levelNames: [[UInt8]] = ApplicationLevel.allCases.map { Array($0.name.utf8) }

    static func withLevel<R>(_ level: ApplicationLevel, _ body: (UnsafeRawBufferPointer?) -> R) -> R {
        levelNames[Int(level.rawValue)].withUnsafeBytes { body($0) }
    }

    /// Whole numbers as digits; others with up to 3 decimals (milliseconds of a duration).
    static func withNumber<R>(_ value: Double, _ body: (UnsafeRawBufferPointer?) -> R) -> R {
        guard value.isFinite, abs(value) < 1e15 else { return body(nil) }
        return withUnsafeTemporaryAllocation(byteCount: 40, alignment: 1) { out in
            var n = 0
            var v = value
            if v < 0 { out[n] = UInt8(ascii: "-"); n += 1; v = -v }
            let thousandths = Int64((v * 1000).rounded())
            var whole = thousandths / 1000
            var fraction = thousandths % 1000
            // Digits of `whole`, written backwards into the end of `out` then moved.
            var end = 39
            repeat {
                out[end] = UInt8(48 + whole % 10)
                whole /= 10
                end -= 1
            } while whole > 0
            for i in (end + 1)...39 { out[n] = out[i]; n += 1 }
            if fraction > 0 {
                out[n] = UInt8(ascii: ".")
                n += 1
                var places = 3
                while fraction % 10 == 0 { fraction /= 10; places -= 1 }
                var divisor: Int64 = 1
                for _ in 1..<places { divisor *= 10 }
                while divisor > 0 {
                    out[n] = UInt8(48 + (fraction / divisor) % 10)
                    n += 1
                    divisor /= 10
                }
            }
            return body(UnsafeRawBufferPointer(rebasing: out[0..<n]))
        }
    }
}
