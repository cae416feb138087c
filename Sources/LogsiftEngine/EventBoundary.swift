#if canImport(Glibc)
import Glibc
#endif
import LogInput
import LogParsing

/// Where a file may be cut between workers without changing a number: right before a line
/// that starts an event owing nothing to the lines before it.
///
/// Access logs: any line. Application logs: a line that starts an event (timestamp, level…),
/// never a stack-trace or continuation line. PostgreSQL stderr and jsonlog: a primary message
/// (not DETAIL/STATEMENT/…), and not a bare `duration:` line, which pairs with an earlier
/// statement; inputs that log such bare durations (`log_duration` with `log_statement`) are
/// not cut at all, since a statement may wait any number of lines for its duration. csvlog and
/// syslog-wrapped PostgreSQL are not cut (a quoted field or a syslog continuation may hold
/// what looks like a record start).
final class EventBoundary {
    enum Rule {
        case everyLine
        case application(ApplicationLineParser)
        case postgresStderr(PostgresStderrParser)
        case postgresJSON
    }

    var rule: Rule
    var zone: ZoneRule
    var record = ApplicationRecord()
    var header = PostgresHeader()

    /// nil when files in `format` are not cut.
    init?(format: LogFormat, zone: ZoneRule, sample: [[UInt8]]) {
        self.zone = zone
        switch format {
        case .access:
            rule = .everyLine
        case .application(let format):
            rule = .application(ApplicationLineParser(format: format, zone: zone))
        case .postgres(.stderr(let prefix)):
            guard let pattern = try? PostgresPrefixPattern(prefix: prefix) else { return nil }
            rule = .postgresStderr(PostgresStderrParser(pattern: pattern))
        case .postgres(.jsonlog):
            rule = .postgresJSON
        case .postgres:
            return nil
        }
        if case .postgresStderr = rule {
            for line in sample where line.withUnsafeBytes({ isBareDuration($0) }) { return nil }
        }
        if case .postgresJSON = rule {
            // A JSON record's message is not located here; any duration record keeps the file whole.
            for line in sample where line.withUnsafeBytes({ EventBoundary.contains($0, 0..<$0.count, "duration: ") }) {
                return nil
            }
        }
    }

    static func contains(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, _ needle: StaticString) -> Bool {
        let n = needle.utf8CodeUnitCount
        guard range.count >= n else { return false }
        let base = needle.utf8Start
        var i = range.lowerBound
        while i + n <= range.upperBound {
            if memcmp(bytes.baseAddress! + i, base, n) == 0 { return true }
            i += 1
        }
        return false
    }

    /// A `duration: N ms` line with nothing after it: the duration of an earlier statement.
    func isBareDuration(_ line: UnsafeRawBufferPointer) -> Bool {
        guard case .postgresStderr(let parser) = rule,
              parser.parse(line, zone: &zone, into: &header) == .matched else { return false }
        return EventBoundary.isBareDuration(line, header.message)
    }

    /// `duration: 12.345 ms` and only blanks after it.
    static func isBareDuration(_ bytes: UnsafeRawBufferPointer, _ message: Range<Int>) -> Bool {
        guard contains(bytes, message.lowerBound..<min(message.upperBound, message.lowerBound + 10), "duration:") else { return false }
        var i = message.lowerBound + 9
        while i < message.upperBound, bytes[i] == UInt8(ascii: " ") { i += 1 }
        while i < message.upperBound, bytes[i] == UInt8(ascii: ".") || (bytes[i] >= 48 && bytes[i] <= 57) { i += 1 }
        guard i + 3 <= message.upperBound, bytes[i] == UInt8(ascii: " "), bytes[i + 1] == UInt8(ascii: "m"),
              bytes[i + 2] == UInt8(ascii: "s") else { return false }
        i += 3
        while i < message.upperBound {
            if bytes[i] != UInt8(ascii: " ") && bytes[i] != UInt8(ascii: "\t") { return false }
            i += 1
        }
        return true
    }

    func startsEvent(_ line: UnsafeRawBufferPointer) -> Bool {
        switch rule {
        case .everyLine:
            return true
        case .application(var parser):
            defer { rule = .application(parser) }
            return parser.parse(line, into: &record)
        case .postgresStderr(let parser):
            guard parser.parse(line, zone: &zone, into: &header) == .matched, !header.severity.isSecondary else { return false }
            return !isBareDuration(line)
        case .postgresJSON:
            return line.first == UInt8(ascii: "{")
        }
    }

    /// Moves each inner cut of `ranges` forward to the next line that starts an event (within
    /// `maxScan` bytes; a cut with none is dropped, its range joined to the one before).
    func eventAligned(_ ranges: [Range<Int>], file: OpenedFile, maxScan: Int = 16 << 20) -> [Range<Int>] {
        guard ranges.count > 1, let size = ranges.last?.upperBound else { return ranges }
        var cuts = [0]
        for range in ranges.dropFirst() {
            guard let cut = nextEventStart(from: range.lowerBound, size: size, file: file, maxScan: maxScan),
                  cut > cuts.last!, cut < size else { continue }
            cuts.append(cut)
        }
        cuts.append(size)
        return zip(cuts, cuts.dropFirst()).map { $0..<$1 }
    }

    /// The offset of the first line at or after `offset` (a line start) that starts an event.
    func nextEventStart(from offset: Int, size: Int, file: OpenedFile, maxScan: Int) -> Int? {
        let chunk = 1 << 20
        var buffer = [UInt8](repeating: 0, count: chunk)
        var lineStart = offset
        while lineStart < min(size, offset + maxScan) {
            // Read from the current line's start; the line must fit in the chunk.
            let source = FileSource(file: file, range: lineStart..<size)
            var n = 0
            while n < chunk {
                let got = buffer.withUnsafeMutableBytes { b in
                    (try? source.read(into: UnsafeMutableRawBufferPointer(rebasing: b[n...]))) ?? 0
                }
                if got == 0 { break }
                n += got
            }
            guard n > 0 else { return nil }
            var found: Int? = nil
            var consumed = 0
            buffer.withUnsafeBytes { b in
                var start = 0
                while start < n {
                    guard let hit = memchr(b.baseAddress! + start, 0x0a, n - start) else { break }
                    let end = b.baseAddress!.distance(to: UnsafeRawPointer(hit))
                    var stop = end
                    if stop > start && b[stop - 1] == 0x0d { stop -= 1 }
                    if startsEvent(UnsafeRawBufferPointer(rebasing: b[start..<stop])) {
                        found = lineStart + start
                        return
                    }
                    start = end + 1
                    consumed = start
                }
            }
            if let found { return found }
            guard consumed > 0 else { return nil }  // a line longer than the chunk: give up on this cut
            lineStart += consumed
        }
        return nil
    }
}
