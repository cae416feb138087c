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

    // An ingress-nginx line (the controller's default `upstreaminfo` format): `89` is
    // `$request_length`, `0.001` the request time.
    static let ingressLine = #"192.168.64.1 - - [07/Feb/2020:11:48:51 +0000] "POST /products HTTP/1.1" 200 59 "-" "curl/7.54.0" 89 0.001 [default-web-8080] [] 172.17.0.5:8080 59 0.000 200 529a007902362a5f51385a5fa7049884"#

    @Test func integerFieldIsNeverReadAsRequestTime() throws {
        // nginx writes $request_time as seconds with milliseconds, always with a dot.
        #expect(try fields(.combinedUpstream, Self.ingressLine) == nil)
        #expect(try fields(.combinedRequestTime, Self.ingressLine) == nil)
        #expect(try fields(.combinedRequestTime, Self.combinedLine + " 12") == nil)
    }

    @Test func ingressNginxDefaultFormat() throws {
        let (r, path) = try #require(try record(.ingressNginx, Self.ingressLine))
        #expect(r.status == 200)
        #expect(r.bytes == 59)
        #expect(r.requestTime == 0.001)
        #expect(r.upstreamTime == 0)
        #expect(path == "/products")
        let f = try #require(try fields(.ingressNginx, Self.ingressLine))
        #expect(f["request_length"] == "89")
        #expect(f["proxy_upstream_name"] == "default-web-8080")
        #expect(f["upstream_addr"] == "172.17.0.5:8080")
        #expect(f["req_id"] == "529a007902362a5f51385a5fa7049884")
        // Two upstreams tried: addresses, lengths, times and statuses are lists; times add up.
        let retried = #"192.168.64.14 - - [07/Feb/2020:12:02:42 +0000] "GET /v2/some HTTP/1.1" 200 61 "-" "Firefox/72.0" 348 0.001 [default-web2-8080] [] 172.17.0.6:8080, 172.17.0.7:8080 61, 100 0.100, 0.004 200, 203 835136ae24486dbb4156dcbe21f5d402"#
        let (r2, _) = try #require(try record(.ingressNginx, retried))
        #expect(abs((r2.upstreamTime ?? 0) - 0.104) < 1e-9)
        #expect(try fields(.ingressNginx, retried)?["upstream_status"] == "200, 203")
        // A request refused before any upstream: every upstream field is `-`.
        let refused = #"192.168.64.1 - - [07/Feb/2020:11:49:50 +0000] "PATCHp /products/42 HTTP/1.1" 400 163 "-" "-" 0 0.000 [] [] - - - - 4c7d2079340e68353c7d0dfff00b904b"#
        let (r3, _) = try #require(try record(.ingressNginx, refused))
        #expect(r3.status == 400)
        #expect(r3.requestTime == 0)
        #expect(r3.upstreamTime == nil)
        // The plain combined + times formats are not it.
        #expect(try fields(.ingressNginx, Self.combinedLine + " 0.250 0.100") == nil)
    }

    @Test func forwardedForListBeforeTheAddress() throws {
        let quoted = #""10.5.102.222, 199.96.1.1, 204.246.1.1" 10.2.1.185 - - [22/Jan/2016:13:18:29 +0000] "GET /assets/xxxx?q=100 HTTP/1.1" 200 25507 "-" "Amazon CloudFront""#
        let (q, qPath) = try #require(try record(.combined, quoted))
        #expect(q.status == 200)
        #expect(q.bytes == 25507)
        #expect(qPath == "/assets/xxxx")
        let bare = #"2a03:0000:10ff:f00f:0000:0000:0:8000, 10.225.192.17 10.2.2.121 - - [30/Dec/2016:06:47:09 +0000] "GET /test.html HTTP/1.1" 404 8571 "-" "Facebot""#
        let (b, _) = try #require(try record(.combined, bare))
        #expect(b.status == 404)
        #expect(b.bytes == 8571)
        #expect(try fields(.combined, bare)?["remote_addr"] == "2a03:0000:10ff:f00f:0000:0000:0:8000, 10.225.192.17 10.2.2.121")
        #expect(try fields(.combined, Self.combinedLine)?["remote_addr"] == "203.0.113.9")
    }
}
