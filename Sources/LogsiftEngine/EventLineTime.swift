import LogParsing

/// The time of one line of a PostgreSQL stderr log or an application log on its own, for
/// `--since`/`--until` to search a plain file by probing lines at byte offsets (`TimeSeek`), as
/// access logs are searched.
///
/// A probe that lands inside a multi-line entry finds no time on a continuation line (an
/// indented SQL line, a stack frame) and moves on to the next line that has one. A PostgreSQL
/// DETAIL or STATEMENT line carries its entry's prefix and time: the search may start there, in
/// the middle of an entry, but it starts at least the seek's tolerance (60 s) before `--since`,
/// so an entry cut that way lies before the window and is not counted.
///
/// csvlog and jsonlog records are not probed (a quoted field may hold newlines, so a line
/// alone is not known to start a record); syslog-wrapped PostgreSQL neither (lines of other
/// programs are interleaved). Those inputs are read from the start and stop after the window.
final class PostgresLineTime {
    let parser: PostgresStderrParser
    var zone: ZoneRule
    var header = PostgresHeader()

    init?(format: PostgresFormat, zone: ZoneRule) {
        guard case .stderr(let prefix) = format, let pattern = try? PostgresPrefixPattern(prefix: prefix) else { return nil }
        parser = PostgresStderrParser(pattern: pattern)
        self.zone = zone
    }

    func time(_ line: UnsafeRawBufferPointer) -> Int64? {
        guard parser.parse(line, zone: &zone, into: &header) == .matched else { return nil }
        return header.time
    }
}

/// The same for application logs: a line that starts an event with a readable time.
final class ApplicationLineTime {
    var parser: ApplicationLineParser
    var record = ApplicationRecord()

    init?(format: ApplicationFormat, zone: ZoneRule) {
        // Formats whose every event line carries a whole date. Not text, Rails or Apache error
        // logs (text lines may carry a time of day or a glog stamp without a year, placed
        // relative to a reference date) nor RFC 3164 syslog (no year).
        switch format {
        case .jsonLines, .logfmt, .syslogRFC5424, .nginxError: break
        default: return nil
        }
        parser = ApplicationLineParser(format: format, zone: zone)
    }

    func time(_ line: UnsafeRawBufferPointer) -> Int64? {
        guard parser.parse(line, into: &record) else { return nil }
        return record.time
    }
}
