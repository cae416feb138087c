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
/// what looks like a record start). Each family's rule is in its file under `Families/`.
final class EventBoundary {
    /// Which lines start an event, as the input's family says (`LogFamily.eventStart`).
    var rule: any EventStartRule

    /// nil when files in `format` are not cut.
    init?(format: LogFormat, zone: ZoneRule, sample: [[UInt8]]) {
        guard let rule = Families.entry(for: format).eventStart(for: format, zone: zone, sample: sample) else { return nil }
        self.rule = rule
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

    func startsEvent(_ line: UnsafeRawBufferPointer) -> Bool {
        rule.startsEvent(line)
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

/// Which lines of one input start an event (a family's rule for `EventBoundary`). Called on
/// the lines around each cut only, never on every line of a file.
protocol EventStartRule {
    mutating func startsEvent(_ line: UnsafeRawBufferPointer) -> Bool
}

/// Every line starts an event (one-line formats).
struct EveryLineStartsEvent: EventStartRule {
    func startsEvent(_ line: UnsafeRawBufferPointer) -> Bool { true }
}
