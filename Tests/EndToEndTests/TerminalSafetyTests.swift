import Foundation
import Testing

/// No byte of a log reaches the terminal as a control: the text report and `detect` print
/// ESC, BEL, C1 controls and bidi overrides from paths, upstreams, SQL, messages and file
/// names as visible escapes.
@Suite struct TerminalSafetyTests {
    static let hostile = "\u{1b}]0;pwned\u{7}\u{1b}[2J\u{9b}31m\u{202e}"

    /// True when `data` holds a C0 control other than `\n`, DEL, a C1 control or a bidi override.
    static func hasControl(_ data: Data) -> Bool {
        String(decoding: data, as: UTF8.self).unicodeScalars.contains { s in
            let v = s.value
            return (v < 0x20 && v != 0x0a) || (0x7f...0x9f).contains(v) || (0x202a...0x202e).contains(v)
        }
    }

    @Test func everyFamilysTextReportEscapesInputBytes() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let h = Self.hostile
        var access = ""
        for i in 0..<50 {
            access += "10.0.0.\(i % 7) - - [24/Nov/2026:10:0\(i % 10):01 +0000] \"GET /x\(h)/\(i % 3) HTTP/1.1\" \(i % 5 == 0 ? 502 : 200) 5 \"-\" \"ua\(h)\" 0.0\(i % 10)1\n"
        }
        let accessURL = dir.appendingPathComponent("access\(h).log")
        try Data(access.utf8).write(to: accessURL)
        var errors = ""
        for i in 0..<20 {
            errors += "2026/11/24 10:00:0\(i % 10) [error] 12#0: *\(i) connect() failed (111: Connection refused) while connecting to upstream, client: 10.0.0.1, server: ex\(h), request: \"GET /p\(h) HTTP/1.1\", upstream: \"http://10.1.1.1:80/p\(h)\", host: \"h\(h)\"\n"
        }
        let errorURL = dir.appendingPathComponent("error.log")
        try Data(errors.utf8).write(to: errorURL)
        var pg = ""
        for i in 0..<20 {
            pg += "2026-11-24 10:00:0\(i % 10).000 UTC [\(100 + i)] LOG:  duration: \(1000 + i).000 ms  statement: SELECT \"c\(h)\" FROM t\(h) WHERE id = \(i)\n"
            pg += "2026-11-24 10:00:0\(i % 10).000 UTC [\(100 + i)] ERROR:  relation \"t\(h)\" does not exist at character 15\n"
        }
        let pgURL = dir.appendingPathComponent("postgresql.log")
        try Data(pg.utf8).write(to: pgURL)
        var app = ""
        for i in 0..<20 {
            app += "2026-11-24T10:00:0\(i % 10).000Z ERROR payment failed for \(h) order \(i)\n"
        }
        let appURL = dir.appendingPathComponent("app.log")
        try Data(app.utf8).write(to: appURL)
        let garbage = dir.appendingPathComponent("garbage.log")
        try Data("\(h) not a log line\n".utf8).write(to: garbage)

        let report = try Harness.run(["report", "--tz", "UTC", accessURL.path, errorURL.path, pgURL.path, appURL.path, garbage.path])
        #expect(report.stdout.count > 500)
        #expect(!Self.hasControl(report.stdout))
        // The escapes are visible, not dropped: the reader can see something was there.
        #expect(report.text.contains("\\x1b]0;pwned\\x07"))
        let errorsOnly = try Harness.run(["report", "--errors", "--tz", "UTC", appURL.path, pgURL.path])
        #expect(!Self.hasControl(errorsOnly.stdout))
        let detect = try Harness.run(["detect", accessURL.path, garbage.path])
        #expect(!Self.hasControl(detect.stdout))
        #expect(detect.text.contains("access\\x1b]0;pwned"))
    }

    @Test func patternTestEscapesItsCaptures() throws {
        let result = try Harness.run(["patterns", "test", "%{WORD:w} %{GREEDYDATA:rest}", "a \(Self.hostile)"])
        #expect(!Self.hasControl(result.stdout))
        #expect(result.text.contains("\\x1b"))
    }
}
