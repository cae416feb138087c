import PCRE2
import Testing
@testable import LogParsing

/// Fields of one line under a format, as text (nil for no match).
func fields(_ format: NginxFormat, _ line: String) throws -> [String: String]? {
    let pattern = try format.compile()
    let matchData = MatchData(for: pattern.regex)
    let bytes = Array(line.utf8)
    return bytes.withUnsafeBytes { raw -> [String: String]? in
        guard matchData.match(pattern.regex, raw) == .matched else { return nil }
        var out: [String: String] = [:]
        for field in pattern.fields {
            if let r = matchData.range(of: field) { out[field.name] = String(decoding: raw[r], as: UTF8.self) }
        }
        return out
    }
}

func record(_ format: NginxFormat, _ line: String) throws -> (AccessRecord, String?)? {
    let parser = AccessRecordParser(pattern: try format.compile())
    let bytes = Array(line.utf8)
    return bytes.withUnsafeBytes { raw -> (AccessRecord, String?)? in
        var r = AccessRecord()
        guard parser.parse(raw, into: &r) == .matched else { return nil }
        return (r, r.path.map { String(decoding: raw[$0], as: UTF8.self) })
    }
}

@Suite struct NginxFormatTests {
    static let combinedLine = #"203.0.113.9 - alice [24/Nov/2026:10:00:01 +0100] "GET /api/users/42?x=1 HTTP/1.1" 200 512 "https://example.com/" "Mozilla/5.0 (X11; Linux x86_64)""#

    @Test func combinedFields() throws {
        let f = try #require(try fields(.combined, Self.combinedLine))
        #expect(f["remote_addr"] == "203.0.113.9")
        #expect(f["remote_user"] == "alice")
        #expect(f["time_local"] == "24/Nov/2026:10:00:01 +0100")
        #expect(f["request"] == "GET /api/users/42?x=1 HTTP/1.1")
        #expect(f["status"] == "200")
        #expect(f["body_bytes_sent"] == "512")
        #expect(f["http_referer"] == "https://example.com/")
        #expect(f["http_user_agent"] == "Mozilla/5.0 (X11; Linux x86_64)")
    }

    @Test func recordFromCombinedWithTimes() throws {
        let line = Self.combinedLine + " 0.250 0.100, 0.120"
        let (r, path) = try #require(try record(.combinedUpstream, line))
        #expect(r.status == 200)
        #expect(r.bytes == 512)
        #expect(r.requestTime == 0.25)
        #expect(r.upstreamTime == 0.22)
        #expect(path == "/api/users/42")
        #expect(r.time == 1_795_510_801)  // 2026-11-24T09:00:01Z (10:00:01 at +0100)
    }

    @Test func escapedQuotesInsideQuotedFields() throws {
        let line = #"10.0.0.1 - - [24/Nov/2026:10:00:01 +0000] "GET /q?s=\"x\" HTTP/1.1" 404 0 "-" "agent \"quoted\" \\ back""#
        let f = try #require(try fields(.combined, line))
        #expect(f["request"] == #"GET /q?s=\"x\" HTTP/1.1"#)
        #expect(f["http_user_agent"] == #"agent \"quoted\" \\ back"#)
    }

    @Test func dashesAndJunkRequests() throws {
        let line = #"10.0.0.1 - - [24/Nov/2026:10:00:01 +0000] "\x16\x03\x01\x00" 400 157 "-" "-" 0.001 -"#
        let (r, path) = try #require(try record(.combinedUpstream, line))
        #expect(r.status == 400)
        #expect(path == nil)
        #expect(r.upstreamTime == nil)
    }

    @Test func pastedLogFormatDirective() throws {
        let directive = """
        log_format timed '$remote_addr - $remote_user [$time_local] '
                         '"$request" $status $body_bytes_sent '
                         '"$http_referer" "$http_user_agent" rt=$request_time uct="$upstream_connect_time" host=$host';
        """
        let format = NginxFormat(name: "timed", logFormat: directive)
        let line = #"10.1.1.1 - - [24/Nov/2026:10:00:01 +0000] "POST /login HTTP/2.0" 302 0 "-" "curl/8.0" rt=0.042 uct="0.001" host=shop.example"#
        let f = try #require(try fields(format, line))
        #expect(f["request_time"] == "0.042")
        #expect(f["upstream_connect_time"] == "0.001")
        #expect(f["host"] == "shop.example")
        let (r, path) = try #require(try record(format, line))
        #expect(r.requestTime == 0.042)
        #expect(path == "/login")
    }

    @Test func isoTimeAndBracedVariables() throws {
        let format = NginxFormat(name: "iso", logFormat: #"${remote_addr} [$time_iso8601] "$request" $status ${request_time}s"#)
        let line = #"::1 [2026-11-24T10:00:01+00:00] "GET / HTTP/1.1" 200 0.003s"#
        let (r, _) = try #require(try record(format, line))
        #expect(r.time == 1_795_514_401)  // 2026-11-24T10:00:01Z
        #expect(r.requestTime == 0.003)
    }

    @Test func noVariablesIsAnError() {
        #expect(throws: NginxFormat.FormatError.self) { try NginxFormat(name: "x", logFormat: "plain text").compile() }
    }

    @Test func builtinsDoNotMatchEachOthersExtraFields() throws {
        #expect(try fields(.combinedRequestTime, Self.combinedLine) == nil)
        #expect(try fields(.main, Self.combinedLine) == nil)
        #expect(try fields(.combined, Self.combinedLine + " 0.1") != nil)  // extra fields are tolerated
    }
}
