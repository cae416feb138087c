#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IANA time zone (`Europe/Berlin`, `Asia/Shanghai`) read from the system's zoneinfo
/// database: the TZif file under `/usr/share/zoneinfo` (or `$TZDIR`), as RFC 8536 describes it.
///
/// It gives the zone's UTC offset at any instant (the file's transitions, then its POSIX TZ
/// footer for instants after the last one, which is how "slim" files describe every future
/// year) and the abbreviations the zone has used with their offsets, the most recent use
/// winning (`CST` is +08:00 in Asia/Shanghai, -06:00 in America/Chicago).
///
/// What it does not know: leap seconds (ignored, as POSIX time does) and the zone of the
/// machine (that is `ZoneRule.local`).
public final class ZoneInfo: Sendable, Equatable {
    /// The name it was loaded by, e.g. `Europe/Berlin`.
    public let name: String
    /// Transition instants (epoch seconds, ascending) and the index in `offsets` from each on.
    let transitions: [Int64]
    let transitionTypes: [Int]
    /// Seconds east of UTC of each local time type; type 0 applies before the first transition.
    let offsets: [Int]
    let footer: PosixZoneRule?
    /// Abbreviations this zone has written (upper case), with their latest offset.
    public let abbreviations: [String: Int]

    init(name: String, transitions: [Int64], transitionTypes: [Int], offsets: [Int], names: [String], footer: PosixZoneRule?) {
        self.name = name
        self.transitions = transitions
        self.transitionTypes = transitionTypes
        self.offsets = offsets
        self.footer = footer
        var abbreviations: [String: Int] = [:]
        if let first = names.first { abbreviations[first.uppercased()] = offsets[0] }
        for type in transitionTypes { abbreviations[names[type].uppercased()] = offsets[type] }
        if let footer {
            abbreviations[footer.standardName.uppercased()] = footer.standardOffset
            if let daylight = footer.daylight { abbreviations[daylight.name.uppercased()] = daylight.offset }
        }
        self.abbreviations = abbreviations
    }

    public static func == (a: ZoneInfo, b: ZoneInfo) -> Bool { a.name == b.name }

    /// The machine's zone, for the abbreviations of `ZoneRule.local`: the zone `$TZ` names
    /// (`Europe/Berlin`, `:Europe/Berlin`, a TZif path), else `/etc/localtime`; nil when neither
    /// is a TZif file (a POSIX `$TZ` such as `EST5EDT`, a machine without zoneinfo).
    public static let machine: ZoneInfo? = {
        if let tz = getenv("TZ") {
            var name = String(cString: tz)
            if name.hasPrefix(":") { name.removeFirst() }
            if name.hasPrefix("/") { return readFile(name).flatMap { parse(name: name, $0) } }
            return load(name)
        }
        return readFile("/etc/localtime").flatMap { parse(name: "localtime", $0) }
    }()

    /// The zoneinfo directory: `$TZDIR` when set, else `/usr/share/zoneinfo`.
    static var directory: String {
        if let dir = getenv("TZDIR") { return String(cString: dir) }
        return "/usr/share/zoneinfo"
    }

    /// Loads `name` (e.g. `America/New_York`) from the zoneinfo directory; nil when the name is
    /// not a zone there (only letters, digits, `/`, `_`, `+`, `-` are accepted, no `..`).
    public static func load(_ name: String) -> ZoneInfo? {
        guard !name.isEmpty, !name.hasPrefix("/"), !name.contains(".."),
              name.utf8.allSatisfy({ c in
                  (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39)
                      || c == 0x2f || c == 0x5f || c == 0x2b || c == 0x2d
              }),
              let bytes = readFile(directory + "/" + name) else { return nil }
        return parse(name: name, bytes)
    }

    static func readFile(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 { return nil }
            if n == 0 { break }
            result.append(contentsOf: chunk[0..<n])
            // TZif files are a few kB; anything this large is not one.
            if result.count > 1 << 20 { return nil }
        }
        return result
    }

    /// Reads a TZif file (versions 1 to 4): the 64-bit block when there is one, and the footer.
    static func parse(name: String, _ b: [UInt8]) -> ZoneInfo? {
        struct Header { var isut = 0, isstd = 0, leap = 0, time = 0, type = 0, chars = 0 }
        func u32(_ at: Int) -> Int { Int(b[at]) << 24 | Int(b[at + 1]) << 16 | Int(b[at + 2]) << 8 | Int(b[at + 3]) }
        func s32(_ at: Int) -> Int64 { Int64(Int32(bitPattern: UInt32(u32(at)))) }
        func s64(_ at: Int) -> Int64 {
            var v: UInt64 = 0
            for k in 0..<8 { v = v << 8 | UInt64(b[at + k]) }
            return Int64(bitPattern: v)
        }
        func header(_ at: Int) -> Header? {
            guard at + 44 <= b.count, b[at] == 0x54, b[at + 1] == 0x5a, b[at + 2] == 0x69, b[at + 3] == 0x66 else { return nil }
            return Header(isut: u32(at + 20), isstd: u32(at + 24), leap: u32(at + 28), time: u32(at + 32),
                          type: u32(at + 36), chars: u32(at + 40))
        }
        func blockSize(_ h: Header, timeBytes: Int) -> Int {
            h.time * timeBytes + h.time + h.type * 6 + h.chars + h.leap * (timeBytes + 4) + h.isstd + h.isut
        }
        guard let first = header(0), first.type > 0 else { return nil }
        var h = first
        var at = 44
        var timeBytes = 4
        if b[4] >= 0x32 {  // version '2' or later: skip the 32-bit block
            at += blockSize(first, timeBytes: 4)
            guard let second = header(at), second.type > 0 else { return nil }
            h = second
            at += 44
            timeBytes = 8
        }
        guard h.time >= 0, h.type <= 256, at + blockSize(h, timeBytes: timeBytes) <= b.count else { return nil }
        var transitions: [Int64] = []
        for k in 0..<h.time { transitions.append(timeBytes == 8 ? s64(at + 8 * k) : s32(at + 4 * k)) }
        at += h.time * timeBytes
        var types: [Int] = []
        for k in 0..<h.time {
            let t = Int(b[at + k])
            guard t < h.type else { return nil }
            types.append(t)
        }
        at += h.time
        var offsets: [Int] = []
        var nameIndex: [Int] = []
        for k in 0..<h.type {
            offsets.append(Int(Int32(bitPattern: UInt32(u32(at + 6 * k)))))
            nameIndex.append(Int(b[at + 6 * k + 5]))
        }
        at += h.type * 6
        let chars = Array(b[at..<(at + h.chars)])
        let names = nameIndex.map { start -> String in
            guard start < chars.count else { return "" }
            let end = chars[start...].firstIndex(of: 0) ?? chars.count
            return String(decoding: chars[start..<end], as: UTF8.self)
        }
        at += blockSize(h, timeBytes: timeBytes) - h.time * timeBytes - h.time - h.type * 6
        var footer: PosixZoneRule?
        if timeBytes == 8, at < b.count, b[at] == 0x0a, let end = b[(at + 1)...].firstIndex(of: 0x0a), end > at + 1 {
            footer = PosixZoneRule(Array(b[(at + 1)..<end]))
        }
        return ZoneInfo(name: name, transitions: transitions, transitionTypes: types, offsets: offsets, names: names, footer: footer)
    }

    /// Seconds east of UTC in force at instant `t`.
    public func offset(atUTC t: Int64) -> Int {
        guard let last = transitions.last, t >= transitions[0] else {
            if transitions.isEmpty, let footer { return footer.offset(atUTC: t) }
            return offsets[0]
        }
        if t >= last, let footer { return footer.offset(atUTC: t) }
        var low = 0, high = transitions.count - 1  // transitions[low] <= t
        while low < high {
            let mid = (low + high + 1) / 2
            if transitions[mid] <= t { low = mid } else { high = mid - 1 }
        }
        return offsets[transitionTypes[low]]
    }

    /// Seconds east of UTC for a wall-clock time (read as if UTC). A time skipped by a
    /// change to summer time is read with the offset before it; a time that occurs twice
    /// (the hour repeated in autumn) is read as its second occurrence.
    public func offset(atNaive naive: Int64) -> Int {
        let first = offset(atUTC: naive)
        return offset(atUTC: naive &- Int64(first))
    }
}

/// The POSIX TZ string at the end of a TZif file (`CET-1CEST,M3.5.0,M10.5.0/3`,
/// `EST5EDT,M3.2.0,M11.1.0`, `<+08>-8`): a standard offset and, optionally, a daylight-saving
/// offset with the yearly rule of its start and end.
struct PosixZoneRule: Sendable {
    /// A day of the year: `Jn` (1...365, 29 February never counted), `n` (0...365, counted), or
    /// `Mm.w.d` (day d, 0 = Sunday, of week w, 5 = last, of month m).
    enum Day: Sendable {
        case julian(Int)
        case zeroBased(Int)
        case monthWeekDay(month: Int, week: Int, weekday: Int)
    }
    struct Daylight: Sendable {
        var name: String
        var offset: Int
        var start: Day, startTime: Int
        var end: Day, endTime: Int
    }

    var standardName: String
    /// Seconds east of UTC (POSIX writes them west of UTC: `EST5` is -5 h).
    var standardOffset: Int
    var daylight: Daylight?

    init?(_ text: [UInt8]) {
        var i = 0
        func name() -> String? {
            let start: Int, end: Int
            if i < text.count, text[i] == 0x3c {
                guard let close = text[i...].firstIndex(of: 0x3e) else { return nil }
                start = i + 1; end = close; i = close + 1
            } else {
                start = i
                while i < text.count, (text[i] | 0x20) >= 0x61, (text[i] | 0x20) <= 0x7a { i += 1 }
                end = i
            }
            return end - start >= 3 ? String(decoding: text[start..<end], as: UTF8.self) : nil
        }
        /// `[+-]hh[:mm[:ss]]` in seconds.
        func time() -> Int? {
            var sign = 1
            if i < text.count, text[i] == 0x2b || text[i] == 0x2d { sign = text[i] == 0x2d ? -1 : 1; i += 1 }
            var total = 0
            for part in 0..<3 {
                if part > 0 { guard i < text.count, text[i] == 0x3a else { break }; i += 1 }
                var v = 0, digits = 0
                while i < text.count, text[i] >= 0x30, text[i] <= 0x39, digits < 3 { v = v * 10 + Int(text[i] - 0x30); i += 1; digits += 1 }
                guard digits > 0 else { return nil }
                total += v * [3600, 60, 1][part]
            }
            return sign * total
        }
        func number() -> Int? {
            var v = 0, digits = 0
            while i < text.count, text[i] >= 0x30, text[i] <= 0x39, digits < 4 { v = v * 10 + Int(text[i] - 0x30); i += 1; digits += 1 }
            return digits > 0 ? v : nil
        }
        func day() -> Day? {
            guard i < text.count else { return nil }
            if text[i] == 0x4a { i += 1; return number().flatMap { (1...365).contains($0) ? .julian($0) : nil } }
            if text[i] == 0x4d {
                i += 1
                guard let m = number(), i < text.count, text[i] == 0x2e else { return nil }
                i += 1
                guard let w = number(), i < text.count, text[i] == 0x2e else { return nil }
                i += 1
                guard let d = number(), (1...12).contains(m), (1...5).contains(w), (0...6).contains(d) else { return nil }
                return .monthWeekDay(month: m, week: w, weekday: d)
            }
            return number().flatMap { (0...365).contains($0) ? .zeroBased($0) : nil }
        }
        func transition() -> (Day, Int)? {
            guard i < text.count, text[i] == 0x2c else { return nil }
            i += 1
            guard let d = day() else { return nil }
            var at = 7200
            if i < text.count, text[i] == 0x2f { i += 1; guard let t = time() else { return nil }; at = t }
            return (d, at)
        }
        guard let std = name(), let stdWest = time() else { return nil }
        standardName = std
        standardOffset = -stdWest
        guard i < text.count else { daylight = nil; return }
        guard let dst = name() else { return nil }
        var dstOffset = standardOffset + 3600
        if i < text.count, text[i] != 0x2c { guard let west = time() else { return nil }; dstOffset = -west }
        // Without a rule POSIX leaves the dates to the implementation; the US rule is the usual one.
        var start: (Day, Int) = (.monthWeekDay(month: 3, week: 2, weekday: 0), 7200)
        var end: (Day, Int) = (.monthWeekDay(month: 11, week: 1, weekday: 0), 7200)
        if i < text.count {
            guard let s = transition(), let e = transition() else { return nil }
            start = s; end = e
        }
        daylight = Daylight(name: dst, offset: dstOffset, start: start.0, startTime: start.1, end: end.0, endTime: end.1)
    }

    /// Days since 1970-01-01 of `day` in `year`.
    static func days(_ day: Day, year: Int) -> Int {
        let january1 = ByteParsing.daysFromCivil(year: year, month: 1, day: 1)
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        switch day {
        case .julian(let n): return january1 &+ n &- 1 &+ (leap && n >= 60 ? 1 : 0)
        case .zeroBased(let n): return january1 &+ n
        case .monthWeekDay(let month, let week, let weekday):
            let first = ByteParsing.daysFromCivil(year: year, month: month, day: 1)
            let firstWeekday = ((first % 7) + 11) % 7  // 1970-01-01 was a Thursday (4)
            var dayOfMonth = 1 + (weekday - firstWeekday + 7) % 7 + (week - 1) * 7
            let nextMonth = month == 12 ? ByteParsing.daysFromCivil(year: year &+ 1, month: 1, day: 1)
                                        : ByteParsing.daysFromCivil(year: year, month: month + 1, day: 1)
            while dayOfMonth > 28, dayOfMonth > nextMonth &- first { dayOfMonth -= 7 }
            return first &+ dayOfMonth &- 1
        }
    }

    func offset(atUTC t: Int64) -> Int {
        guard let d = daylight else { return standardOffset }
        let localDays = (t &+ Int64(standardOffset)) >= 0 ? (t &+ Int64(standardOffset)) / 86400 : ((t &+ Int64(standardOffset)) &- 86399) / 86400
        let year = Int(ByteParsing.civil(fromDays: localDays).year)
        // Start is written in standard time, end in daylight time.
        // Wrapping arithmetic: `t` may be any `Int64` (a year far beyond any log's).
        let start = Int64(PosixZoneRule.days(d.start, year: year) &* 86400 &+ d.startTime &- standardOffset)
        let end = Int64(PosixZoneRule.days(d.end, year: year) &* 86400 &+ d.endTime &- d.offset)
        let inDaylight = start < end ? (t >= start && t < end) : !(t >= end && t < start)
        return inDaylight ? d.offset : standardOffset
    }
}
