/// Where the program name of a syslog line is, so that one syslog stream can be read program by
/// program: `Feb 11 13:15:39 host postgres[10819]: [7-1] …` (RFC 3164, `<PRI>` optional, or an
/// ISO 8601 time in place of the BSD one, as rsyslog writes with high-precision timestamps).
///
/// It reads no time and allocates nothing: it finds byte ranges, and says whether the message
/// starts with PostgreSQL's `[N-M] ` sequence marker (`syslog_sequence_numbers`, on by default),
/// which tells a PostgreSQL server's lines apart whatever its `syslog_ident`.
public enum SyslogProgram {
    /// The program name (`tag`, without `[pid]`) and where its message starts (after `: `);
    /// nil when the line does not start with a syslog header.
    @inline(__always)
    public static func locate(_ b: UnsafeRawBufferPointer) -> (name: Range<Int>, message: Int)? {
        let end = b.count
        var i = 0
        if let (_, after) = ApplicationLineParser.priority(b, 0, end) { i = after }
        guard i + 16 <= end else { return nil }
        if ByteParsing.month(b[i], b[i + 1], b[i + 2]) != nil, b[i + 3] == 0x20 {
            // `Feb 11 13:15:39` / `Feb  1 13:15:39`
            i += 4
            if b[i] == 0x20 { i += 1 }
            let day = i
            while i < end, i - day < 2, isDigit(b[i]) { i += 1 }
            guard i > day, i + 9 <= end, b[i] == 0x20, isDigit(b[i + 1]), b[i + 3] == 0x3a, b[i + 6] == 0x3a else { return nil }
            i += 9
        } else if isDigit(b[i]), b[i + 4] == 0x2d, b[i + 10] == 0x54 {
            // `2026-02-11T13:15:39.123+01:00`
            while i < end, b[i] != 0x20 { i += 1 }
        } else {
            return nil
        }
        // Fraction of a BSD time, then the host.
        while i < end, b[i] != 0x20 { i += 1 }
        guard i < end else { return nil }
        i += 1
        while i < end, b[i] != 0x20 { i += 1 }
        guard i < end else { return nil }
        i += 1
        let name = i
        while i < end, b[i] != 0x20, b[i] != 0x5b, b[i] != 0x3a { i += 1 }
        guard i > name, i < end else { return nil }
        let nameEnd = i
        if b[i] == 0x5b {
            i += 1
            while i < end, isDigit(b[i]) { i += 1 }
            guard i < end, b[i] == 0x5d else { return nil }
            i += 1
        }
        guard i < end, b[i] == 0x3a else { return nil }
        i += 1
        if i < end, b[i] == 0x20 { i += 1 }
        return (name..<nameEnd, i)
    }

    /// Whether `b` holds PostgreSQL's `[N-M] ` sequence marker at `at`.
    @inline(__always)
    public static func hasPostgresSequence(_ b: UnsafeRawBufferPointer, at: Int) -> Bool {
        var i = at
        let end = b.count
        guard i < end, b[i] == 0x5b else { return false }
        i += 1
        let first = i
        while i < end, isDigit(b[i]) { i += 1 }
        guard i > first, i < end, b[i] == 0x2d else { return false }
        i += 1
        let second = i
        while i < end, isDigit(b[i]) { i += 1 }
        return i > second && i + 1 < end && b[i] == 0x5d && b[i + 1] == 0x20
    }

    /// A sample line: nil when it is not a syslog line, else whether it is a PostgreSQL server's.
    public static func isPostgres(_ line: [UInt8]) -> Bool? {
        line.withUnsafeBytes { b in locate(b).map { hasPostgresSequence(b, at: $0.message) } }
    }

    @inline(__always)
    static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
}
