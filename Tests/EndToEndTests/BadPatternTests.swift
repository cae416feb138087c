import Foundation
import Testing

/// A malformed `--pattern`, `--nginx-format` or `--pg-prefix` stops the run with exit 64 and a
/// message naming the column; an nginx variable that nginx does not define is a warning.
@Suite struct BadPatternTests {
    static let line = #"10.0.0.1 - - [24/Nov/2026:10:00:01 +0000] "GET /a HTTP/1.1" 200 5 "-" "curl/8" 0.010"#

    func log() throws -> (dir: URL, file: URL) {
        let dir = try Harness.temporaryDirectory()
        let file = dir.appendingPathComponent("access.log")
        try String(repeating: Self.line + "\n", count: 20).write(to: file, atomically: true, encoding: .utf8)
        return (dir, file)
    }

    @Test func unterminatedGrokReferenceIsAUsageError() throws {
        let (dir, file) = try log()
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try Harness.run(["report", "--pattern", "%{IP:x", file.path])
        #expect(result.status == 64)
        #expect(result.stderr.contains("column 1"))
        #expect(result.stderr.contains("no closing }"))
        #expect(result.stdout.isEmpty)
    }

    @Test func unknownPostgresEscapeIsAUsageError() throws {
        let (dir, file) = try log()
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try Harness.run(["report", "--pg-prefix", "%m [%p] %Z ", file.path])
        #expect(result.status == 64)
        #expect(result.stderr.contains("column 9: %Z is not a log_line_prefix escape"))
    }

    @Test func nginxFormatWithAnUnpairedQuoteIsAUsageError() throws {
        let (dir, file) = try log()
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try Harness.run(["report", "--nginx-format", #"$remote_addr - $remote_user [$time_local] "$request $status"#, file.path])
        #expect(result.status == 64)
        #expect(result.stderr.contains("column 43: this \" has no closing"))
    }

    @Test func nginxFormatWithAnUnknownVariableWarnsAndStillReads() throws {
        let (dir, file) = try log()
        defer { try? FileManager.default.removeItem(at: dir) }
        let format = #"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_tme"#
        let result = try Harness.run(["report", "--format", "json", "--nginx-format", format, file.path])
        #expect(result.stderr.contains("$request_tme is not an nginx variable logsift knows"))
        #expect(result.stderr.contains("did you mean $request_time?"))
        let total = try #require(try result.json()["total"] as? [String: Any])
        #expect(total["requests"] as? Int == 20)
    }
}
