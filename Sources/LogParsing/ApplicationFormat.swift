/// An application-log format family member: how a line that starts an event is laid out.
///
/// Every member also recognises a Docker / docker-compose prefix (`web-1  | ...`, colours
/// included) in front of the line and keeps it as the event's `service`.
///
/// | case | name | example |
/// | --- | --- | --- |
/// | `.text` | `app-text` | `2026-11-24 10:00:00,123 - app.db - ERROR - lost connection` (Python), `2026-11-24 10:00:00.123 [main] ERROR c.e.Orders - failed` (logback/log4j), `2026-11-24T10:00:00Z\tERROR\tmsg` (zap console), `[2026-11-24 10:00:00] ERROR: msg`, `E1124 10:00:00.123456  1234 file.go:42] msg` (glog/klog, year from `referenceTime` unless written: `E20261124 ...`), `20261124T100000Z INFO msg` (ISO basic), `10:00:00.123 ERROR msg` (time of day only: an event without a time, and only with a level) |
/// | `.rails` | `app-rails` | `E, [2026-11-24T10:00:00.123456 #1234] ERROR -- : msg` (Ruby Logger) |
/// | `.jsonLines` | `app-jsonl` | `{"ts":1795510800.5,"level":"error","msg":"...","ctx":{...}}` |
/// | `.logfmt` | `app-logfmt` | `time="2026-11-24T10:00:00Z" level=error msg="..." k=v` (logrus, go-kit, zap logfmt) |
/// | `.syslogRFC3164` | `syslog-rfc3164` | `<11>Nov 24 10:00:00 host app[42]: msg` (the `<PRI>` is optional) |
/// | `.syslogRFC5424` | `syslog-rfc5424` | `<11>1 2026-11-24T10:00:00.1Z host app 42 ID47 [sd] msg` |
/// | `.apacheError` | `apache-error` | `[Sun Dec 04 04:47:44 2005] [notice] msg` (httpd 2.2), `[Wed Oct 11 14:32:52.123456 2000] [core:error] [pid 35708:tid 4328636416] [client 72.15.99.187:5123] msg` (2.4; the client's address, port left out, is kept as `client`), `E [08/Jun/2013:11:28:58 -0700] msg` (CUPS) |
/// | `.nginxError` | `nginx-error` | `2026/11/22 10:00:00 [error] 1234#0: *5678 msg, client: 10.0.0.1, server: x, request: "GET / HTTP/1.1", upstream: "http://10.0.0.2:8080/", host: "x"` |
///
/// Timestamps without an offset are read with the `ZoneRule` given to the parser (local time
/// unless `--tz`). Syslog RFC 3164 has no year: the year is the one that puts the time at most a
/// day after the parser's `referenceTime` (now, by default).
public enum ApplicationFormat: Sendable, Equatable, CaseIterable {
    case text
    case rails
    case jsonLines
    case logfmt
    case syslogRFC3164
    case syslogRFC5424
    case nginxError
    case apacheError

    public var name: String {
        switch self {
        case .text: return "app-text"
        case .rails: return "app-rails"
        case .jsonLines: return "app-jsonl"
        case .logfmt: return "app-logfmt"
        case .syslogRFC3164: return "syslog-rfc3164"
        case .syslogRFC5424: return "syslog-rfc5424"
        case .nginxError: return "nginx-error"
        case .apacheError: return "apache-error"
        }
    }

    /// The format a `name` denotes (`--format app-jsonl`); nil for other names.
    public init?(name: String) {
        guard let f = ApplicationFormat.allCases.first(where: { $0.name == name }) else { return nil }
        self = f
    }

    /// Whether a line that starts no event, while an event is open, continues it whatever it
    /// looks like (text logs print tracebacks and PHP messages bare). The stricter formats
    /// take only lines that look like stack-trace lines (`ApplicationLineParser.isContinuation`).
    public var joinsAnyLine: Bool {
        switch self {
        case .text, .rails, .nginxError: return true
        default: return false
        }
    }

    /// Tie order of `detect`: the more specific layout first.
    var specificity: Int {
        switch self {
        case .nginxError: return 0
        case .apacheError: return 1
        case .syslogRFC5424: return 2
        case .rails: return 3
        case .jsonLines: return 4
        case .logfmt: return 5
        case .syslogRFC3164: return 6
        case .text: return 7
        }
    }

    /// How many lines of any look one event may take in `detect` (formats that join any line):
    /// enough for nginx's `PHP message:` lines, too few for one dated line to vouch for a page
    /// of unrelated text.
    public static let detectAnyLineCap = 10

    /// Candidates for a sample of lines (the first lines of an input), with how many of the
    /// non-blank lines each recognises: lines that start an event, the lines after a recognised
    /// line that the processor would join to it (stack-trace style lines and Go crash dumps in
    /// every format; for formats that join any line, up to `detectAnyLineCap` other lines per
    /// event). Docker-compose lines of no known layout count for `.text`. Best first; formats
    /// recognising nothing are left out.
    ///
    /// `anyLines: false` leaves out the lines a format that joins any line takes only for that
    /// (text that has no shape of its own): what is left is what the format recognises by shape,
    /// to compare with a more specific family (`FormatDetector.choose`).
    public static func detect(_ lines: [[UInt8]], anyLines: Bool = true) -> [(format: ApplicationFormat, matched: Int)] {
        let countAnyLines = anyLines
        var results: [(format: ApplicationFormat, matched: Int)] = []
        for format in ApplicationFormat.allCases {
            var parser = ApplicationLineParser(format: format, zone: .utc)
            var record = ApplicationRecord()
            var matched = 0
            var open = false
            var anyLines = 0
            for line in lines {
                line.withUnsafeBytes { raw in
                    if ApplicationLineParser.isBlank(raw) { return }
                    if parser.parse(raw, into: &record) {
                        matched += 1
                        open = true
                        anyLines = 0
                    } else if format == .text, parser.parseBare(raw, into: &record) {
                        // A docker-compose line of no known layout: the generic family's.
                        matched += 1
                        open = true
                        anyLines = 0
                    } else if open {
                        let (body, service) = ApplicationLineParser.bodyStart(raw)
                        if ApplicationLineParser.isContinuation(raw, from: body) {
                            matched += 1
                        } else if format.joinsAnyLine, service == nil, anyLines < detectAnyLineCap,
                                  !ApplicationLineParser.looksLikeEventStart(raw, from: body) {
                            if countAnyLines { matched += 1 }
                            anyLines += 1
                        } else {
                            open = false
                        }
                    }
                }
            }
            if matched > 0 { results.append((format, matched)) }
        }
        results.sort { a, b in a.matched != b.matched ? a.matched > b.matched : a.format.specificity < b.format.specificity }
        return results
    }
}
