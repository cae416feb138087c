import Foundation
import LogsiftTestSupport
import Testing
@testable import LogParsing

/// What one line gives under a format, as text (nil when the line starts no event).
struct AppParsed: Equatable {
    var time: Int64?
    var level: ApplicationLevel
    var message: String
    var service: String?
    var client: String?
    var server: String?
    var request: String?
    var upstream: String?
    var host: String?
}

func appParse(_ format: ApplicationFormat, _ line: String, zone: ZoneRule = .utc, reference: Int64? = nil) -> AppParsed? {
    var parser = ApplicationLineParser(format: format, zone: zone, referenceTime: reference)
    let bytes = Array(line.utf8)
    return bytes.withUnsafeBytes { raw -> AppParsed? in
        var r = ApplicationRecord()
        guard parser.parse(raw, into: &r) else { return nil }
        func text(_ range: Range<Int>?) -> String? { range.map { String(decoding: raw[$0], as: UTF8.self) } }
        return AppParsed(time: r.time, level: r.level, message: text(r.message)!, service: text(r.service),
                         client: text(r.client), server: text(r.server), request: text(r.request),
                         upstream: text(r.upstream), host: text(r.host))
    }
}

/// Epoch seconds of a UTC wall-clock time.
func utc(_ y: Int, _ mo: Int, _ d: Int, _ h: Int, _ mi: Int, _ s: Int) -> Int64 {
    Int64(ByteParsing.daysFromCivil(year: y, month: mo, day: d) * 86400 + h * 3600 + mi * 60 + s)
}

private let packageRoot: String = Corpora.packageRoot.path

/// The corpora's path, or nil (skipped, or failed under `LOGSIFT_REQUIRE_CORPORA`).
func applicationCorpora(for test: String) -> String? { Corpora.path(for: test) }

/// Lines of a text by bytes (`"\r\n"` is one Character, so split bytes, not Characters).
func appLines(_ text: String) -> [[UInt8]] {
    Array(text.utf8).split(separator: 0x0a, omittingEmptySubsequences: false)
        .map { $0.last == 0x0d ? Array($0.dropLast()) : Array($0) }
}

@Suite struct ApplicationFormatTests {
    static let t0 = utc(2026, 11, 24, 10, 0, 0)

    /// Bracketed and keyed context is not the message; the first bracketed name that is not an
    /// id is the service.
    @Test func messageContextIsSplitOff() {
        let p = appParse(.text, "2026-11-22T00:00:01.000Z ERROR [payments] [req-0d74de44] Timeout waiting for response from payments-api after 3000 ms")
        #expect(p?.message == "Timeout waiting for response from payments-api after 3000 ms")
        #expect(p?.service == "payments")
        let q = appParse(.text, "2026-11-22T00:00:01.000Z ERROR [req-abcdefab] [orders] thread=worker-3 worker=7 - Deadlock on row 5 user=alice region=eu-1")
        #expect(q?.message == "Deadlock on row 5")
        #expect(q?.service == "orders")
        // A message that is only context is kept whole; a docker prefix names the service.
        let r = appParse(.text, "2026-11-22T00:00:01.000Z ERROR user=alice action=login")
        #expect(r?.message == "user=alice action=login")
        #expect(r?.service == nil)
        let d = appParse(.text, "web-1  | 2026-11-22T00:00:01.000Z WARN [payments] slow")
        #expect(d?.service == "web-1")
        #expect(d?.message == "slow")
        // Quoted values and `[instance: …]` brackets with spaces are context too.
        let o = appParse(.text, #"2026-11-22 00:00:01 ERROR [instance: 7f3a] VM failed to start reason="disk full" retry=3"#)
        #expect(o?.message == "VM failed to start")
        #expect(o?.service == nil)
        // A pair right after a preposition is read as part of the sentence.
        #expect(appParse(.text, "2026-11-22 00:00:01 ERROR Couldn't find User with id=7")?.message == "Couldn't find User with id=7")
    }

    /// Trailing `key=value` pairs are context however many there are, one included; the pair
    /// right after a preposition (`with id=7`, `to host=db`) is the object of the sentence and
    /// stays, the pairs after it do not.
    @Test func trailingPairsAreContextUnlessAPrepositionLeadsThem() {
        func message(_ tail: String) -> String? { appParse(.text, "2026-11-22T00:00:01.000Z ERROR [a] " + tail)?.message }
        #expect(message("Retrying request attempt=3") == "Retrying request")
        #expect(message("Retrying request thread=main") == "Retrying request")
        #expect(message("Retrying request attempt=4 user_id=5") == "Retrying request")
        #expect(message("Retrying request") == "Retrying request")
        #expect(message(#"Retrying request reason="connection reset""#) == "Retrying request")
        #expect(message("Couldn't find User with id=7") == "Couldn't find User with id=7")
        #expect(message("Couldn't find User with id=7 request_id=abc") == "Couldn't find User with id=7")
        #expect(message("Failed to connect to host=db port=5432") == "Failed to connect to host=db")
        #expect(message("Lookup failed for key=a") == "Lookup failed for key=a")
        #expect(message("Logged in As user=bob attempt=2") == "Logged in As user=bob")
        // A message that is only pairs is kept whole.
        #expect(appParse(.text, "2026-11-22 00:00:01 ERROR attempt=3")?.message == "attempt=3")
    }

    @Test func pythonLoggingDefault() {
        let p = appParse(.text, "2026-11-24 10:00:00,123 - app.db - ERROR - lost connection to 10.0.0.5")
        #expect(p?.time == Self.t0)
        #expect(p?.level == .error)
        #expect(p?.message == "lost connection to 10.0.0.5")
        let q = appParse(.text, "2026-11-24 10:00:00,123 WARNING disk 91% full")
        #expect(q?.level == .warn)
        #expect(q?.message == "disk 91% full")
    }

    @Test func javaLogbackAndLog4j() {
        let p = appParse(.text, "2026-11-24 10:00:00.123 [http-nio-8080-exec-1] ERROR c.e.OrderService - order 42 failed")
        #expect(p?.time == Self.t0)
        #expect(p?.level == .error)
        #expect(p?.message == "c.e.OrderService - order 42 failed")
        let q = appParse(.text, "2025-01-24T07:00:30,139 INFO [main                     ] FarmApplication          : Started")
        #expect(q?.level == .info)
        #expect(q?.time == utc(2025, 1, 24, 7, 0, 30))
    }

    @Test func isoVariantsAndZones() {
        #expect(appParse(.text, "2026-11-24T10:00:00Z ERROR x")?.time == Self.t0)
        #expect(appParse(.text, "2026-11-24T11:00:00+01:00 ERROR x")?.time == Self.t0)
        #expect(appParse(.text, "2026-11-24T11:00:00.5+0100 ERROR x")?.time == Self.t0)
        #expect(appParse(.text, "2026-11-24 05:00:00 -0500 ERROR x")?.time == Self.t0)
        #expect(appParse(.text, "[2026-11-24 10:00:00] production.ERROR: boom")?.level == .error)
        #expect(appParse(.text, "[2026-11-24 10:00:00] production.ERROR: boom")?.time == Self.t0)
        // log4j `yy/MM/dd` (Spark).
        let spark = appParse(.text, "17/06/09 20:10:52 INFO executor.CoarseGrainedExecutorBackend: Got assigned task 87")
        #expect(spark?.time == utc(2017, 6, 9, 20, 10, 52))
        #expect(spark?.level == .info)
        // No zone written: the zone rule decides.
        let plus1 = ZoneRule.parse("+0100")!
        #expect(appParse(.text, "2026-11-24 11:00:00 ERROR x", zone: plus1)?.time == Self.t0)
        #expect(appParse(.text, "2026-11-24 10:00:00 ERROR x", zone: .utc)?.time == Self.t0)
        // zap console encoder: tab separated.
        let z = appParse(.text, "2026-11-24T10:00:00.000Z\tERROR\tpayments/charge.go:88\tcharge failed\t{\"id\": 7}")
        #expect(z?.level == .error)
        #expect(z?.message.hasPrefix("payments/charge.go:88\tcharge failed") == true)
        // A time of day with a level: an event without a time (no date); without a level, not one.
        #expect(appParse(.text, "10:00:00 ERROR x") == AppParsed(time: nil, level: .error, message: "x"))
        #expect(appParse(.text, "10:00:00 x") == nil)
        #expect(appParse(.text, "    at com.example.Foo.bar(Foo.java:10)") == nil)
    }

    /// Local time by default: a naive timestamp is read in the machine's zone, as Foundation
    /// reads it.
    @Test func localZoneRuleAgreesWithFoundation() {
        let dates = [(2026, 1, 15, 12, 0, 0), (2026, 7, 15, 12, 0, 0), (2026, 11, 24, 10, 0, 0)]
        for (y, mo, d, h, mi, s) in dates {
            var c = DateComponents()
            (c.year, c.month, c.day, c.hour, c.minute, c.second) = (y, mo, d, h, mi, s)
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone.current
            let expected = Int64(calendar.date(from: c)!.timeIntervalSince1970)
            let line = String(format: "%04d-%02d-%02d %02d:%02d:%02d ERROR x", y, mo, d, h, mi, s)
            #expect(appParse(.text, line, zone: .local)?.time == expected)
        }
    }

    @Test func rails() {
        let p = appParse(.rails, "E, [2026-11-24T10:00:00.123456 #1234] ERROR -- : Couldn't find User with id=7")
        #expect(p?.time == Self.t0)
        #expect(p?.level == .error)
        #expect(p?.message == "Couldn't find User with id=7")
        let q = appParse(.rails, "I, [2026-11-24T10:00:00.123456 #1234]  INFO -- web: Started GET \"/\"")
        #expect(q?.level == .info)
        #expect(q?.message == "Started GET \"/\"")
        #expect(appParse(.rails, "2026-11-24 10:00:00 ERROR x") == nil)
    }

    @Test func jsonLines() {
        let p = appParse(.jsonLines, #"{"time":"2026-11-24T10:00:00Z","level":"error","msg":"db down","ctx":{"level":"x","msg":"y"}}"#)
        #expect(p?.time == Self.t0)
        #expect(p?.level == .error)
        #expect(p?.message == "db down")
        let epochSeconds = appParse(.jsonLines, #"{"ts":1795514400.25,"severity":"WARNING","message":"slow"}"#)
        #expect(epochSeconds?.time == Self.t0)
        #expect(epochSeconds?.level == .warn)
        let epochMillis = appParse(.jsonLines, #"{"@timestamp":1795514400123,"levelname":"CRITICAL","message":"x"}"#)
        #expect(epochMillis?.time == Self.t0)
        #expect(epochMillis?.level == .fatal)
        let bunyan = appParse(.jsonLines, #"{"name":"api","hostname":"h","pid":1,"level":50,"msg":"boom","time":"2026-11-24T10:00:00.000Z","v":0}"#)
        #expect(bunyan?.level == .error)
        let ecs = appParse(.jsonLines, #"{"@timestamp":"2026-11-24T10:00:00.000Z","log":{"level":"warn","logger":"x"},"message":"m"}"#)
        #expect(ecs?.level == .warn)
        #expect(ecs?.message == "m")
        let docker = appParse(.jsonLines, #"{"log":"boom\n","stream":"stderr","time":"2026-11-24T10:00:00.1Z"}"#)
        #expect(docker?.message == #"boom\n"#)
        #expect(docker?.time == Self.t0)
        #expect(appParse(.jsonLines, "not json") == nil)
    }

    @Test func logfmt() {
        let p = appParse(.logfmt, #"time="2026-11-24T10:00:00Z" level=error msg="upstream timeout" service=api took=1.5s"#)
        #expect(p?.time == Self.t0)
        #expect(p?.level == .error)
        #expect(p?.message == "upstream timeout")
        let q = appParse(.logfmt, "ts=2026-11-24T10:00:00Z lvl=warn caller=main.go:12 msg=retrying")
        #expect(q?.level == .warn)
        #expect(q?.message == "retrying")
        #expect(appParse(.logfmt, "2026-11-24 10:00:00 ERROR x=1") == nil)
        #expect(appParse(.logfmt, "just words here") == nil)
    }

    @Test func syslog() {
        let reference = utc(2026, 11, 25, 0, 0, 0)
        let p = appParse(.syslogRFC3164, "<11>Nov 24 10:00:00 web01 app[42]: payment failed", reference: reference)
        #expect(p?.time == Self.t0)
        #expect(p?.level == .error)
        #expect(p?.message == "payment failed")
        let noPri = appParse(.syslogRFC3164, "Nov  3 09:23:38 veridian automount[7998]: lookup(file): lookup for foobar failed", reference: reference)
        #expect(noPri?.time == utc(2026, 11, 3, 9, 23, 38))
        #expect(noPri?.message == "lookup(file): lookup for foobar failed")
        // A date after the reference time is last year's.
        #expect(appParse(.syslogRFC3164, "Dec 31 23:00:00 h x: y", reference: reference)?.time == utc(2025, 12, 31, 23, 0, 0))
        let r5424 = appParse(.syslogRFC5424, #"<165>1 2026-11-24T10:00:00.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application"] An application event"#)
        #expect(r5424?.time == Self.t0)
        #expect(r5424?.level == .notice)
        #expect(r5424?.message == "An application event")
        #expect(appParse(.syslogRFC5424, "<34>1 2026-11-24T10:00:00Z host su - - - 'su root' failed")?.level == .fatal)
    }

    @Test func nginxError() {
        let line = #"2026/11/22 10:00:00 [error] 1234#0: *5678 upstream timed out (110: Connection timed out) while reading response header from upstream, client: 203.0.113.9, server: shop.example.com, request: "GET /api/orders/42 HTTP/1.1", upstream: "http://10.0.0.2:8080/api/orders/42", host: "shop.example.com""#
        let p = appParse(.nginxError, line)
        #expect(p?.time == utc(2026, 11, 22, 10, 0, 0))
        #expect(p?.level == .error)
        #expect(p?.message == "upstream timed out (110: Connection timed out) while reading response header from upstream")
        #expect(p?.client == "203.0.113.9")
        #expect(p?.server == "shop.example.com")
        #expect(p?.request == "GET /api/orders/42 HTTP/1.1")
        #expect(p?.upstream == "http://10.0.0.2:8080/api/orders/42")
        #expect(p?.host == "shop.example.com")
        let warn = appParse(.nginxError, "2026/11/22 10:00:00 [warn] 1#1: conflicting server name \"a\" on 0.0.0.0:80, ignored")
        #expect(warn?.level == .warn)
        #expect(warn?.message == "conflicting server name \"a\" on 0.0.0.0:80, ignored")
        #expect(appParse(.nginxError, "2026/11/22 10:00:00 [emerg] 1#1: bind() failed")?.level == .fatal)
    }

    @Test func dockerComposePrefix() {
        let p = appParse(.text, "api-1     | 2026-11-24 10:00:00,123 ERROR boom")
        #expect(p?.service == "api-1")
        #expect(p?.level == .error)
        #expect(p?.message == "boom")
        let colored = appParse(.jsonLines, "\u{1b}[36mworker_1  |\u{1b}[0m {\"level\":\"warn\",\"msg\":\"slow\"}")
        #expect(colored?.service == "worker_1")
        #expect(colored?.level == .warn)
        // The bare fallback: a service line of no known layout.
        var parser = ApplicationLineParser(format: .text, zone: .utc)
        let bytes = Array("web-1  |  * Running on http://127.0.0.1:5000".utf8)
        bytes.withUnsafeBytes { raw in
            var r = ApplicationRecord()
            #expect(!parser.parse(raw, into: &r))
            #expect(parser.parseBare(raw, into: &r))
            #expect(String(decoding: raw[r.service!], as: UTF8.self) == "web-1")
        }
    }

    @Test func levels() {
        func level(_ s: String) -> ApplicationLevel? {
            Array(s.utf8).withUnsafeBytes { ApplicationLevel.parse($0, 0..<$0.count) }
        }
        #expect(level("WARNING") == .warn)
        #expect(level("Warn") == .warn)
        #expect(level("err") == .error)
        #expect(level("CRITICAL") == .fatal)
        #expect(level("emerg") == .fatal)
        #expect(level("panic") == .fatal)
        #expect(level("alert") == .fatal)
        #expect(level("notice") == .notice)
        #expect(level("informational") == .info)
        #expect(level("E") == .error)
        #expect(level("e") == nil)
        #expect(level("errors") == nil)
        #expect(level("INFOrmative") == nil)
    }

    @Test func continuationLines() {
        func cont(_ s: String) -> Bool { Array(s.utf8).withUnsafeBytes { ApplicationLineParser.isContinuation($0, from: 0) } }
        #expect(cont("\tat com.example.Foo.bar(Foo.java:10)"))
        #expect(cont("at com.example.Foo.bar(Foo.java:10)"))
        #expect(cont("Caused by: java.io.IOException: x"))
        #expect(cont("... 12 more"))
        #expect(cont("Traceback (most recent call last):"))
        #expect(cont("  File \"x.py\", line 3, in <module>"))
        #expect(cont("ValueError: bad input"))
        #expect(cont("java.lang.IllegalStateException: closed"))
        #expect(cont("KeyboardInterrupt"))
        #expect(!cont("2026-11-24 10:00:00 ERROR x"))
        #expect(!cont("Connection reset by peer"))
    }

    /// Lines of JSON-lines and logfmt logs start an event of their own; a JSON payload or pairs
    /// that continue an event (indented, no time or level key, a word first) do not.
    @Test func structuredLinesLookLikeEventStarts() {
        func start(_ s: String) -> Bool { Array(s.utf8).withUnsafeBytes { ApplicationLineParser.looksLikeEventStart($0, from: 0) } }
        #expect(start(#"{"ts":"2026-12-02T00:00:01Z","level":"error","msg":"boom"}"#))
        #expect(start(#"{"name":"api","hostname":"h","pid":1,"level":50,"msg":"boom","time":"2026-12-02T00:00:01Z","v":0}"#))
        #expect(start(#"{"@timestamp": "2026-12-02T00:00:01Z", "message": "boom"}"#))
        #expect(start(#"ts=2026-12-02T00:00:01Z level=error msg="boom""#))
        #expect(start(#"time="2026-12-02T00:00:01Z" level=error msg=boom"#))
        #expect(start("level=error msg=boom"))
        #expect(start("lvl=eror msg=boom") == false)  // not a level name
        #expect(start("timestamp=1795510800.5 msg=boom"))
        #expect(start(#"msg="boom" level=warn"#))
        // Continuations: indented, or without a time or level key, or a word first.
        #expect(!start(#"  {"ts":"2026-12-02T00:00:01Z","level":"error"}"#))
        #expect(!start(#"{"error":"not found","code":404}"#))
        #expect(!start(#"{"payload": {"level": "gold", "time": "noon"}}"#))
        #expect(!start("{"))
        #expect(!start(#"{"ts""#))
        #expect(!start("user=alice region=eu-1"))
        #expect(!start("level=3 of the cache"))
        #expect(!start("time=noon msg=x"))
        #expect(!start("Caused by: java.io.IOException: level=error"))
        #expect(!start("ts= level="))
    }

    @Test func detection() {
        func best(_ text: String) -> ApplicationFormat? { ApplicationFormat.detect(appLines(text)).first?.format }
        #expect(best("2026-11-24 10:00:00,123 - a - ERROR - x\nTraceback (most recent call last):\n  File \"a\", line 1\nValueError: y\n2026-11-24 10:00:01,000 - a - INFO - z") == .text)
        #expect(best(#"{"level":"info","msg":"a"}"# + "\n" + #"{"level":"error","msg":"b"}"#) == .jsonLines)
        #expect(best("level=info msg=a ts=1\nlevel=error msg=b ts=2") == .logfmt)
        #expect(best("2026/11/22 10:00:00 [error] 1#0: *1 x, client: 1.2.3.4, server: a") == .nginxError)
        #expect(best("<13>Nov 24 10:00:00 h app: x\n<11>Nov 24 10:00:01 h app: y") == .syslogRFC3164)
        #expect(best("<13>1 2026-11-24T10:00:00Z h app - - - x") == .syslogRFC5424)
        #expect(best("E, [2026-11-24T10:00:00.123456 #1] ERROR -- : x") == .rails)
        let candidates = ApplicationFormat.detect(appLines("2026/11/22 10:00:00 [error] 1#0: x"))
        #expect(candidates.map(\.format).contains(.text))  // the runner-up
        #expect(ApplicationFormat.detect(appLines("hello\nworld")).isEmpty)
        #expect(ApplicationFormat(name: "app-jsonl") == .jsonLines)
    }

    // MARK: - Third-party samples

    /// Detection on third-party logs of the formats in scope: the best candidate over the
    /// first 200 lines, and the share of lines it recognises.
    @Test func detectionOnThirdPartySamples() throws {
        guard let corpora = applicationCorpora(for: "detectionOnThirdPartySamples") else { return }
        let cases: [(String, ApplicationFormat)] = [
            ("lnav/test/logfile_json.json", .jsonLines), ("lnav/test/logfile_bunyan.0", .jsonLines),
            ("lnav/test/logfile_pino.0", .jsonLines), ("lnav/test/logfile_zap_console.0", .text),
            ("lnav/test/logfile_logfmt.0", .logfmt), ("lnav/test/logfile_grafana.0", .logfmt),
            ("lnav/test/logfile_syslog.0", .syslogRFC3164), ("lnav/test/logfile_java.0", .text),
            ("lnav/test/logfile_generic.1", .text), ("lnav/test/logfile_docker_compose.0", .text),
            ("elastic-beats/filebeat/module/nginx/error/test/error.log", .nginxError),
            ("loghub/Zookeeper/Zookeeper_2k.log", .text), ("loghub/Spark/Spark_2k.log", .text),
            ("loghub/Hadoop/Hadoop_2k.log", .text), ("loghub/OpenSSH/OpenSSH_2k.log", .syslogRFC3164),
            ("loghub/Linux/Linux_2k.log", .syslogRFC3164),
        ]
        for (file, expected) in cases {
            guard let data = FileManager.default.contents(atPath: "\(corpora)/\(file)") else {
                Issue.record("missing \(file)")
                continue
            }
            let lines = Array(appLines(String(decoding: data, as: UTF8.self)).filter { !$0.isEmpty }.prefix(200))
            let candidates = ApplicationFormat.detect(lines)
            let best = candidates.first
            #expect(best?.format == expected, "\(file): \(candidates.map { "\($0.format.name) \($0.matched)" })")
            print("detect \(file): \(candidates.prefix(2).map { "\($0.format.name) \($0.matched)/\(lines.count)" })")
        }
    }

    /// lnav's drive_logfile expectations: timestamps (and levels where lnav reads them from a
    /// level field) for the formats in scope. Times are printed by lnav in the file's own zone
    /// (UTC in its tests); syslog years come from the file's mtime (`touch -t`), which we give
    /// as the reference time.
    @Test func lnavExpectations() throws {
        guard let corpora = applicationCorpora(for: "lnavExpectations") else { return }
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(corpora)/lnav/drive_logfile_expectations.json"))
        let root = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        let cases = root["cases"] as! [[String: Any]]
        let inScope: [String: ApplicationFormat] = [
            "test/logfile_syslog.0": .syslogRFC3164, "test/logfile_syslog.1": .syslogRFC3164,
            "test/logfile_syslog_with_mixed_times.0": .syslogRFC3164,
            "test/logfile_generic.0": .text, "test/logfile_generic.1": .text, "test/logfile_generic.2": .text,
            "test/logfile_generic_nanos.0": .text, "test/logfile_with_zones.0": .text,
            "test/logfile_logfmt.0": .logfmt, "test/logfile_grafana.0": .logfmt,
        ]
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "MMM dd HH:mm:ss yyyy"
        var checked = 0
        for c in cases {
            guard let file = c["file"] as? String, let format = inScope[file], c["env"] is NSNull || c["env"] == nil else { continue }
            let mode = c["mode"] as! String
            let expected = c["expected_output"] as! [String]
            var reference: Int64?
            if let touch = c["file_mtime_touch_t"] as? String {
                let b = Array(touch.utf8)
                reference = b.withUnsafeBytes { raw in
                    Int64(ByteParsing.daysFromCivil(year: ByteParsing.digits(raw, 0, 4)!, month: ByteParsing.digits(raw, 4, 2)!,
                                                    day: ByteParsing.digits(raw, 6, 2)!) * 86400
                          + ByteParsing.digits(raw, 8, 2)! * 3600 + ByteParsing.digits(raw, 10, 2)! * 60)
                }
            }
            let text = try String(contentsOfFile: "\(corpora)/lnav/\(file)", encoding: .utf8)
            let parsed = appLines(text).filter { !$0.isEmpty }.compactMap {
                appParse(format, String(decoding: $0, as: UTF8.self), zone: .utc, reference: reference)
            }
            #expect(parsed.count == expected.count, "\(file): \(parsed.count) events, lnav \(expected.count)")
            // lnav shows a time that goes backwards as the latest time before it (its
            // syslog_with_mixed_times case): compare with the running maximum.
            var latest = Int64.min
            for (p, e) in zip(parsed, expected) {
                if mode == "timestamps" {
                    latest = max(latest, p.time ?? 0)
                    let got = formatter.string(from: Date(timeIntervalSince1970: TimeInterval(latest)))
                    #expect(got == String(e.prefix(20)), "\(file)")
                } else {
                    let name = e.split(separator: " ").first.map(String.init) ?? ""
                    let lnavLevel: ApplicationLevel = name == "warning" ? .warn : ApplicationLevel.allCases.first { $0.name == name } ?? .unknown
                    // lnav's syslog levels come from words of the message; we read levels only
                    // from level fields, so syslog is compared on timestamps only.
                    if format != .syslogRFC3164 { #expect(p.level == lnavLevel, "\(file)") }
                }
            }
            checked += 1
        }
        #expect(checked >= 10)
        print("lnav drive_logfile cases checked: \(checked)")
    }

    /// lnav's format definitions: sample lines of the in-scope formats are recognised, with the
    /// level lnav expects where the sample gives one.
    @Test func lnavFormatSamples() throws {
        guard let corpora = applicationCorpora(for: "lnavFormatSamples") else { return }
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(corpora)/lnav/format_samples.json"))
        let root = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        let formats = root["formats"] as! [String: Any]
        let inScope: [String: ApplicationFormat] = [
            "syslog_log": .syslogRFC3164, "logfmt_log": .logfmt, "bunyan_log": .jsonLines,
            "python_log": .text, "java_log": .text, "zap_console_log": .text,
        ]
        var total = 0
        var recognised = 0
        for (name, format) in inScope.sorted(by: { $0.key < $1.key }) {
            guard let f = formats[name] as? [String: Any], let samples = f["sample"] as? [[String: Any]] else { continue }
            for s in samples {
                guard let line = (s["line"] as? String)?.split(separator: "\n").first.map(String.init) else { continue }
                total += 1
                let candidates = ApplicationFormat.detect([Array(line.utf8)]).map(\.format)
                if let p = appParse(format, line) ?? candidates.first.flatMap({ appParse($0, line) }) {
                    recognised += 1
                    if let level = s["level"] as? String, format != .syslogRFC3164 {
                        let l = Array(level.utf8).withUnsafeBytes { ApplicationLevel.parse($0, 0..<$0.count) }
                        if let l { #expect(p.level == l, "\(name): \(line)") }
                    }
                } else {
                    print("lnav sample not recognised (\(name)): \(line.prefix(120))")
                }
            }
        }
        print("lnav format samples recognised: \(recognised) of \(total)")
        #expect(total == 0 || Double(recognised) / Double(total) >= 0.8)
    }
}

/// Application lines whose time is written but impossible start no event: the engine counts
/// them unmatched and samples them, instead of bucketing them on a normalised day.
@Suite struct ApplicationImpossibleTimeTests {
    @Test func impossibleTimesStartNoEvent() {
        let reference = utc(2026, 12, 1, 0, 0, 0)
        let cases: [(ApplicationFormat, String)] = [
            (.text, "2026-02-31T10:00:00Z ERROR x"),
            (.text, "2026-11-24 25:61:61 ERROR x"),
            (.text, "2026-11-24T10:00:00+9999 ERROR x"),
            (.text, "2026-11-24 10:00:00 +9999 ERROR x"),
            (.text, "0000-01-01T00:00:00Z ERROR x"),
            (.text, "20260231T100000Z ERROR x"),
            (.text, "26/02/31 10:00:00 ERROR x"),
            (.logfmt, "ts=9223372036854775808 level=error msg=x"),
            (.logfmt, "ts=2026-02-30T10:00:00Z level=error msg=x"),
            (.logfmt, "ts=99999999999999999999 level=error msg=x"),
            (.jsonLines, #"{"time":"2026-04-31T10:00:00Z","level":"error","msg":"x"}"#),
            (.syslogRFC3164, "Feb 30 10:00:00 host app[1]: x"),
            (.syslogRFC3164, "Nov 24 10:61:00 host app[1]: x"),
            (.apacheError, "[Tue Feb 31 10:00:00 2026] [error] x"),
            (.text, "E0231 10:00:00.000000    1 main.go:1] x"),
        ]
        for (format, line) in cases {
            #expect(appParse(format, line, reference: reference) == nil, "\(format) \(line)")
        }
        // Their possible neighbours still read, on the right second.
        #expect(appParse(.logfmt, "ts=9223372036854775807 level=error msg=x", reference: reference)?.time == 9_223_372_036)
        #expect(appParse(.text, "2024-02-29T10:00:00Z ERROR x")?.time == utc(2024, 2, 29, 10, 0, 0))
        #expect(appParse(.syslogRFC3164, "Feb 28 10:00:00 host app[1]: x", reference: reference)?.time == utc(2026, 2, 28, 10, 0, 0))
        // A time-less JSON record is still an event without a time.
        #expect(appParse(.jsonLines, #"{"time":null,"level":"error","msg":"x"}"#)?.time == nil)
        #expect(appParse(.jsonLines, #"{"time":null,"level":"error","msg":"x"}"#) != nil)
    }
}
