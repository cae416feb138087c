/// A log level normalised across logging libraries: Python's `WARNING`, log4j's `WARN`, syslog's
/// `warning` (severity 4), bunyan's `40` and Rails' `W` are all `.warn`.
public enum ApplicationLevel: UInt8, Sendable, CaseIterable, Comparable {
    /// The line carries no level we recognise.
    case unknown = 0
    case trace, debug, info, notice, warn, error
    /// fatal, critical, emergency, alert, panic.
    case fatal

    public static func < (a: ApplicationLevel, b: ApplicationLevel) -> Bool { a.rawValue < b.rawValue }

    public var name: String {
        switch self {
        case .unknown: return "unknown"
        case .trace: return "trace"
        case .debug: return "debug"
        case .info: return "info"
        case .notice: return "notice"
        case .warn: return "warn"
        case .error: return "error"
        case .fatal: return "fatal"
        }
    }

    /// ERROR and FATAL: what the error rate counts.
    public var isError: Bool { self == .error || self == .fatal }

    /// The level a word names, any case: `ERROR`, `err`, `Warning`, `CRIT`, `severe`, `fine`,
    /// `I` (Rails, glog). Nil for anything else.
    @inline(__always)
    public static func parse(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> ApplicationLevel? {
        let n = range.count
        guard n >= 1, n <= 13 else { return nil }
        // Lower-cased into a 64-bit key (first 8 bytes) plus the length.
        var key: UInt64 = 0
        var i = range.lowerBound
        var k = 0
        while i < range.upperBound {
            let c = bytes[i]
            let letter = (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a
            guard letter else { return nil }
            if k < 8 { key |= UInt64(c | 0x20) << (8 * UInt64(k)) }
            k += 1
            i += 1
        }
        if n == 1 {
            // Single capital letters only (Rails `E,`, glog `E1124`): a lone `a` is a word.
            let c = bytes[range.lowerBound]
            switch c {
            case 0x54: return .trace    // T
            case 0x44: return .debug    // D
            case 0x49: return .info     // I
            case 0x4e: return .notice   // N
            case 0x57: return .warn     // W
            case 0x45: return .error    // E
            case 0x46, 0x43: return .fatal  // F, C
            default: return nil
            }
        }
        if n > 8 {
            // Only three level words are longer than the 8-byte key: check their tails.
            let tail: StaticString
            switch n {
            case 9: tail = "y"           // emergenc-y
            case 11: tail = "ion"        // informat-ion
            case 13: tail = "ional"      // informat-ional
            default: return nil
            }
            let p = tail.utf8Start
            for k in 0..<tail.utf8CodeUnitCount where bytes[range.lowerBound + 8 + k] | 0x20 != p[k] { return nil }
        }
        switch (n, key) {
        case (5, 0x6563617274): return .trace  // trace
        case (6, 0x7473656e6966): return .trace  // finest
        case (5, 0x72656e6966): return .trace  // finer
        case (7, 0x65736f62726576): return .trace  // verbose
        case (5, 0x6775626564): return .debug  // debug
        case (3, 0x676264): return .debug  // dbg
        case (4, 0x656e6966): return .debug  // fine
        case (6, 0x6769666e6f63): return .debug  // config
        case (4, 0x6f666e69): return .info  // info
        case (11, 0x74616d726f666e69): return .info  // information
        case (13, 0x74616d726f666e69): return .info  // informational
        case (3, 0x666e69): return .info  // inf
        case (6, 0x656369746f6e): return .notice  // notice
        case (4, 0x6e726177): return .warn  // warn
        case (7, 0x676e696e726177): return .warn  // warning
        case (3, 0x6e7277): return .warn  // wrn
        case (5, 0x726f727265): return .error  // error
        case (3, 0x727265): return .error  // err
        case (6, 0x657265766573): return .error  // severe
        case (4, 0x6f727265): return .error  // erro
        case (5, 0x6c61746166): return .fatal  // fatal
        case (8, 0x6c61636974697263): return .fatal  // critical
        case (4, 0x74697263): return .fatal  // crit
        case (5, 0x6772656d65): return .fatal  // emerg
        case (9, 0x636e656772656d65): return .fatal  // emergency
        case (5, 0x7472656c61): return .fatal  // alert
        case (5, 0x63696e6170): return .fatal  // panic
        case (3, 0x6c7466): return .fatal  // ftl
        case (3, 0x747263): return .fatal  // crt
        default: return nil
        }
    }

    /// A syslog severity 0...7.
    public static func syslog(severity: Int) -> ApplicationLevel {
        switch severity {
        case 0, 1, 2: return .fatal
        case 3: return .error
        case 4: return .warn
        case 5: return .notice
        case 6: return .info
        default: return .debug
        }
    }

    /// A bunyan/pino number: 10 trace, 20 debug, 30 info, 40 warn, 50 error, 60 fatal.
    public static func numeric(_ value: Int) -> ApplicationLevel? {
        switch value {
        case 10: return .trace
        case 20: return .debug
        case 30: return .info
        case 40: return .warn
        case 50: return .error
        case 60: return .fatal
        default: return nil
        }
    }
}
