import Testing
@testable import LogParsing

@Suite struct NginxFormatInferenceTests {
    static let combined = #"10.0.0.1 - - [24/Nov/2026:10:00:01 +0000] "GET /a HTTP/1.1" 200 5 "-" "curl/8""#

    func sample(_ lines: [String]) -> [[UInt8]] { lines.map { Array($0.utf8) } }

    /// `combined` followed by `rt=… urt=… ust=… rl=…`: the pairs become variables, the short
    /// names read as the nginx variables they stand for, so the times are latencies.
    @Test func trailingPairsExtendTheBuiltin() throws {
        let line = Self.combined + " rt=0.123 urt=0.120 ust=200 rl=512"
        let extended = try #require(NginxFormat.combined.withTrailingFields(in: sample([line, line])))
        #expect(extended.name == "nginx-combined + 4 fields (rt urt ust rl)")
        #expect(extended.logFormat == NginxFormat.combined.logFormat
            + " rt=$request_time urt=$upstream_response_time ust=$upstream_status rl=$request_length")
        let (r, _) = try #require(try record(extended, line))
        #expect(r.requestTime == 0.123)
        #expect(r.upstreamTime == 0.12)
        #expect(try fields(extended, line)?["request_length"] == "512")
    }

    @Test func quotedAndUnknownPairsAreFieldsOfTheirOwn() throws {
        let line = Self.combined + #" host="shop example" cache=HIT status=200"#
        let extended = try #require(NginxFormat.combined.withTrailingFields(in: sample([line])))
        #expect(extended.name == #"nginx-combined + 3 fields ("host" cache status)"#)
        let f = try #require(try fields(extended, line))
        #expect(f["host"] == "shop example")
        #expect(f["cache"] == "HIT")
        #expect(f["status_"] == "200")  // `$status` is taken by the combined part
        #expect(f["status"] == "200")
    }

    @Test func noTailOrDisagreeingTailsGiveNothing() {
        #expect(NginxFormat.combined.withTrailingFields(in: sample([Self.combined, Self.combined])) == nil)
        let mixed = [Self.combined + " rt=0.1", Self.combined + " a=1", Self.combined + " b=2", Self.combined + " c=3"]
        #expect(NginxFormat.combined.withTrailingFields(in: sample(mixed)) == nil)
        #expect(NginxFormat.combined.withTrailingFields(in: sample([Self.combined + " 0.123 junk"])) == nil)
    }

    /// Layouts no built-in has: `$time_iso8601` or `$msec` first, the request time after the
    /// bytes. Their log_format is read off the line's shape.
    @Test func customLayoutsAreInferred() throws {
        let iso = #"2026-11-24T10:00:01+00:00 10.0.0.1 "GET /x HTTP/1.1" 200 512 0.033 "-" "curl/8""#
        let isoFormat = try #require(NginxFormat.inferred(from: sample([iso, iso])))
        #expect(isoFormat.name == "nginx-custom (inferred)")
        #expect(isoFormat.logFormat == #"$time_iso8601 $remote_addr "$request" $status $body_bytes_sent $request_time "$http_referer" "$http_user_agent""#)
        let (r, path) = try #require(try record(isoFormat, iso))
        #expect(r.time == 1_795_514_401)  // 2026-11-24T10:00:01Z
        #expect(r.requestTime == 0.033 && r.status == 200 && path == "/x")

        let msec = #"1795514401.250 10.0.0.2 - alice [24/Nov/2026:10:00:01 +0000] "POST /y HTTP/2.0" 502 - "-" "curl" 0.500 -"#
        let msecFormat = try #require(NginxFormat.inferred(from: sample([msec])))
        #expect(msecFormat.logFormat == #"$msec $remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_time $upstream_response_time"#)
        let (m, _) = try #require(try record(msecFormat, msec))
        #expect(m.status == 502 && m.requestTime == 0.5)
    }

    @Test func nonAccessLinesInferNothing() {
        #expect(NginxFormat.inferred(from: sample(["2026-11-24T10:00:01Z INFO started worker 3"])) == nil)
        // A request line without a status after it is not an access log.
        #expect(NginxFormat.inferred(from: sample([#"2026-11-24T10:00:01Z WARN "GET /x HTTP/1.1" slow"#])) == nil)
    }
}
