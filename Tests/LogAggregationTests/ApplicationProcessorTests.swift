import Foundation
import Testing
@testable import LogAggregation
import LogParsing

/// Frames `bytes` into lines the way `LineReader` does — the input arrives `chunk` bytes at a
/// time, a line is handed over from one reusable buffer and is valid only during the call — and
/// overwrites the buffer after each line, so a processor that kept a pointer would see garbage.
@discardableResult
func feed(_ p: ApplicationProcessor, _ bytes: [UInt8], chunk: Int) -> [LineVerdict] {
    var verdicts: [LineVerdict] = []
    var pending: [UInt8] = []
    let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count + 1, alignment: 8)
    defer { scratch.deallocate() }
    func hand(_ line: ArraySlice<UInt8>) {
        var line = line
        if line.last == 0x0d { line = line.dropLast() }
        line.withUnsafeBytes { scratch.copyMemory(from: $0) }
        verdicts.append(p.consume(UnsafeRawBufferPointer(rebasing: scratch[0..<line.count])))
        scratch.initializeMemory(as: UInt8.self, repeating: 0xee)
    }
    var at = 0
    while at < bytes.count {
        pending.append(contentsOf: bytes[at..<min(at + chunk, bytes.count)])
        at += chunk
        while let nl = pending.firstIndex(of: 0x0a) {
            hand(pending[..<nl])
            pending.removeSubrange(...nl)
        }
    }
    if !pending.isEmpty { hand(pending[...]) }
    p.endInput()
    return verdicts
}

func process(_ text: String, _ format: ApplicationFormat, chunk: Int = 1 << 20, bucket: Int64 = 60,
             zone: ZoneRule = .utc, maxEventBytes: Int = 64 * 1024) -> (ApplicationAggregate, [LineVerdict]) {
    let p = ApplicationProcessor(bucketSeconds: bucket, zone: zone, maxEventBytes: maxEventBytes)
    p.begin(format: format)
    let v = feed(p, Array(text.utf8), chunk: chunk)
    return (p.aggregate, v)
}

func utcSeconds(_ y: Int, _ mo: Int, _ d: Int, _ h: Int, _ mi: Int, _ s: Int) -> Int64 {
    Int64(ByteParsing.daysFromCivil(year: y, month: mo, day: d) * 86400 + h * 3600 + mi * 60 + s)
}

@Suite struct ApplicationProcessorTests {
    static let javaTrace = """
    2026-11-24 10:00:00.001 [main] INFO  c.e.App - started in 1200 ms
    2026-11-24 10:00:01.002 [http-1] ERROR c.e.OrderService - order 42 failed
    java.lang.IllegalStateException: connection closed
    \tat com.example.Db.query(Db.java:88)
    \tat com.example.OrderService.load(OrderService.java:41)
    Caused by: java.io.IOException: reset by peer
    \tat java.base/sun.nio.ch.SocketDispatcher.read(SocketDispatcher.java:47)
    \t... 3 more
    2026-11-24 10:00:02.003 [http-2] ERROR c.e.OrderService - order 77 failed
    java.lang.IllegalStateException: connection closed
    \tat com.example.Db.query(Db.java:88)
    2026-11-24 10:01:00,000 - worker - ERROR - job 9 crashed
    Traceback (most recent call last):
      File "/app/worker.py", line 12, in run
        result = step(job)
      File "/app/steps.py", line 3, in step
        raise ValueError("bad input")
    ValueError: bad input
    2026-11-24 10:01:05,000 - worker - WARNING - retrying job 9 in 5s

    """

    @Test func multiLineEventsAtEveryChunkBoundary() {
        let bytes = Array(Self.javaTrace.utf8)
        let (reference, referenceVerdicts) = process(Self.javaTrace, .text)
        #expect(reference.events == 5)
        #expect(reference.continuationLines == 14)
        #expect(reference.total.of(.error) == 3)
        #expect(reference.total.of(.warn) == 1)
        #expect(reference.total.of(.info) == 1)
        let top = reference.groups.top(10)
        #expect(top.count == 3)
        #expect(top.first?.template == "c.e.OrderService - order <*> failed")
        #expect(top.first?.count == 2)
        // The sample is the whole first event, trace included.
        let firstEvent = Self.javaTrace.split(separator: "\n", omittingEmptySubsequences: false)[1...7].joined(separator: "\n")
        #expect(top.first?.sampleText == firstEvent)
        let python = top.first { $0.template.hasPrefix("job") }
        #expect(python?.sampleText.hasSuffix("ValueError: bad input") == true)
        #expect(python?.sampleText.split(separator: "\n").count == 7)
        for k in 1...bytes.count {
            let (a, v) = process(Self.javaTrace, .text, chunk: k)
            #expect(v == referenceVerdicts, "chunk \(k)")
            #expect(a.events == 5 && a.continuationLines == 14, "chunk \(k)")
            #expect(a.groups.top(10).map(\.sampleText) == top.map(\.sampleText), "chunk \(k)")
        }
    }

    @Test func stricterFormatsJoinOnlyTraceLines() {
        let text = """
        {"time":"2026-11-24T10:00:00Z","level":"error","msg":"unhandled"}
        Traceback (most recent call last):
          File "a.py", line 1, in <module>
        KeyError: 'x'
        not json and not a trace
        {"time":"2026-11-24T10:00:01Z","level":"info","msg":"ok"}
        """
        let (a, v) = process(text, .jsonLines)
        #expect(v == [.matched, .continuation, .continuation, .continuation, .unmatched, .matched])
        #expect(a.events == 2)
        #expect(a.groups.top(1).first?.sampleText.hasSuffix("KeyError: 'x'") == true)
    }

    @Test func eventSizeIsCapped() {
        var text = "2026-11-24T10:00:00Z ERROR boom\n"
        for i in 0..<200 { text += "\tat com.example.Frame\(i).call(Frame.java:\(i))\n" }
        text += "2026-11-24T10:00:01Z INFO next\n"
        let (a, _) = process(text, .text, maxEventBytes: 1024)
        #expect(a.events == 2)
        #expect(a.truncatedEvents == 1)
        #expect(a.truncatedBytes > 0)
        let g = a.groups.top(1).first
        #expect(g?.sample.count == 1024)
        #expect(g?.sampleTruncated == true)
        #expect(a.continuationLines == 200)
    }

    @Test func levelsPerBucketAndErrorRate() {
        let text = """
        2026-11-24T10:00:10Z INFO a
        2026-11-24T10:00:20Z ERROR b 1
        2026-11-24T10:00:30Z DEBUG c
        2026-11-24T10:01:10Z CRITICAL d
        2026-11-24T10:02:10Z WARN e
        2026-11-24T10:02:20Z NOTICE f
        no timestamp here
        """
        let (a, v) = process(text, .text)
        #expect(v.last == .continuation)
        #expect(a.events == 6)
        #expect(a.errorRate == 2.0 / 6.0)
        let b = a.orderedBuckets
        #expect(b.map(\.start) == [utcSeconds(2026, 11, 24, 10, 0, 0), utcSeconds(2026, 11, 24, 10, 1, 0), utcSeconds(2026, 11, 24, 10, 2, 0)])
        #expect(b[0].counts.of(.info) == 1 && b[0].counts.of(.error) == 1 && b[0].counts.of(.debug) == 1)
        #expect(b[1].counts.of(.fatal) == 1)
        #expect(b[2].counts.of(.warn) == 1 && b[2].counts.of(.notice) == 1)
        #expect(a.firstTime == utcSeconds(2026, 11, 24, 10, 0, 10))
        #expect(a.lastTime == utcSeconds(2026, 11, 24, 10, 2, 20))
    }

    @Test func localTimeByDefaultAndFixedWithTZ() {
        let line = "2026-07-01 12:00:00 ERROR x\n"
        let (fixed, _) = process(line, .text, zone: ZoneRule.parse("-05:00")!)
        #expect(fixed.firstTime == utcSeconds(2026, 7, 1, 17, 0, 0))
        let (local, _) = process(line, .text, zone: .local)
        let offset = Int64(TimeZone.current.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(utcSeconds(2026, 7, 1, 12, 0, 0)))))
        #expect(local.firstTime == utcSeconds(2026, 7, 1, 12, 0, 0) - offset)
    }

    /// Two halves processed apart and merged equal one pass over both.
    @Test func mergeEqualsOnePass() {
        var lines: [String] = []
        for i in 0..<400 {
            let minute = i / 40
            let level = ["INFO", "ERROR", "WARN", "DEBUG", "ERROR"][i % 5]
            let message = i % 5 == 1 ? "payment \(i) declined by gateway gw-\(i % 3)"
                : i % 5 == 4 ? "cache miss for key user:\(i)" : "tick \(i)"
            lines.append(String(format: "2026-11-24T10:%02d:%02dZ %@ %@", minute, i % 60, level, message))
            if i % 50 == 1 { lines.append("\tat com.example.Pay.charge(Pay.java:\(i))") }
        }
        let all = lines.joined(separator: "\n")
        let (one, _) = process(all, .text)
        let half = lines.count / 2
        var (left, _) = process(lines[..<half].joined(separator: "\n"), .text)
        let (right, _) = process(lines[half...].joined(separator: "\n"), .text)
        left.merge(right)
        #expect(left.total == one.total)
        #expect(left.orderedBuckets.map(\.start) == one.orderedBuckets.map(\.start))
        #expect(left.orderedBuckets.map(\.counts) == one.orderedBuckets.map(\.counts))
        #expect(left.firstTime == one.firstTime && left.lastTime == one.lastTime)
        #expect(left.continuationLines == one.continuationLines)
        func summary(_ a: ApplicationAggregate) -> [String] {
            a.groups.top(100).map { "\($0.template)|\($0.count)|\($0.firstSeen)|\($0.lastSeen)|\($0.bucketStarts)|\($0.bucketCounts)|\($0.sampleText)" }
        }
        #expect(summary(left) == summary(one))
        #expect(one.groups.top(100).count == 3)  // payment, cache miss (error), tick (warn)
    }

    @Test func dockerComposeServices() {
        let text = """
        api-1     | 2026-11-24 10:00:00,000 ERROR db timeout after 30s
        api-1     | Traceback (most recent call last):
        api-1     |   File "/app/db.py", line 9, in q
        api-1     | TimeoutError: 30s
        worker-1  | {"time":"2026-11-24T10:00:01Z","level":"info","msg":"job done"}
        redis-1   | 1:M 24 Nov 2026 10:00:02.000 * Ready to accept connections
        """
        let (a, v) = process(text, .text)
        #expect(v == [.matched, .continuation, .continuation, .continuation, .matched, .matched])
        #expect(a.events == 3)
        #expect(a.services.top(10).map(\.key) == ["api-1", "redis-1", "worker-1"])
        #expect(a.serviceErrors.top(10).map(\.key) == ["api-1"])
        #expect(a.groups.top(1).first?.sampleText.hasSuffix("TimeoutError: 30s") == true)
    }

    @Test func nginxErrorBreakdowns() {
        let text = """
        2026/11/22 10:00:00 [error] 7#7: *1 connect() failed (111: Connection refused) while connecting to upstream, client: 10.0.0.1, server: shop, request: "GET /a HTTP/1.1", upstream: "http://10.1.0.5:8080/a", host: "shop"
        2026/11/22 10:00:01 [error] 7#7: *2 connect() failed (111: Connection refused) while connecting to upstream, client: 10.0.0.1, server: shop, request: "GET /b HTTP/1.1", upstream: "http://10.1.0.6:8080/b", host: "shop"
        2026/11/22 10:00:02 [warn] 7#7: *3 an upstream response is buffered to a temporary file /var/cache/nginx/1/00/0000000001 while reading upstream, client: 10.0.0.2, server: shop, request: "GET /c HTTP/1.1", upstream: "http://10.1.0.5:8080/c", host: "shop"
        """
        let (a, _) = process(text, .nginxError)
        #expect(a.events == 3)
        #expect(a.clients.top(5).map(\.key) == ["10.0.0.1", "10.0.0.2"])
        #expect(a.clients.top(5).map(\.count) == [2, 1])
        // By upstream server, not by request path.
        #expect(a.upstreams.top(2).map(\.key) == ["http://10.1.0.5:8080", "http://10.1.0.6:8080"])
        #expect(a.upstreams.top(1).first?.count == 2)
        let g = a.groups.top(5)
        #expect(g.first?.count == 2)
        #expect(g.first?.template == "connect() failed (<*>: Connection refused) while connecting to upstream")
    }

    /// filebeat's nginx error module fixture: the expected events (times at -02:00, levels,
    /// messages, the multi-line FastCGI event).
    @Test func filebeatNginxErrorFixture() throws {
        guard let corpora = applicationCorpora(for: "filebeatNginxErrorFixture") else { return }
        let dir = "\(corpora)/elastic-beats/filebeat/module/nginx/error/test"
        let log = try String(contentsOfFile: "\(dir)/error.log", encoding: .utf8)
        let expected = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(dir)/error.log-expected.json"))) as! [[String: Any]]
        let p = ApplicationProcessor(bucketSeconds: 60, zone: ZoneRule.parse("-02:00")!)
        p.begin(format: .nginxError)
        feed(p, Array(log.utf8), chunk: 7)
        let a = p.aggregate
        #expect(a.events == UInt64(expected.count))
        #expect(a.total.of(.error) == UInt64(expected.filter { $0["log.level"] as? String == "error" }.count))
        let iso = ISO8601DateFormatter()
        iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let times = expected.compactMap { ($0["@timestamp"] as? String).flatMap { iso.date(from: $0) } }.map { Int64($0.timeIntervalSince1970) }
        #expect(a.firstTime == times.min())
        #expect(a.lastTime == times.max())
        // Every expected message (without the trailing fields) has its group; the multi-line
        // one keeps its three PHP lines.
        let templates = a.groups.top(10).map(\.template)
        let samples = a.groups.top(10).map(\.sampleText)
        for e in expected {
            let message = e["message"] as! String
            let head = message.components(separatedBy: ", client: ").first!.components(separatedBy: "\n").first!
            #expect(templates.contains(ErrorTemplate.template(head)), "\(head)")
        }
        #expect(samples.contains { $0.split(separator: "\n").count == 3 })
        #expect(a.clients.top(1).first?.key == "127.0.0.1")
    }

    @Test func lnavDockerCompose() throws {
        guard let corpora = applicationCorpora(for: "lnavDockerCompose") else { return }
        let text = try String(contentsOfFile: "\(corpora)/lnav/test/logfile_docker_compose.0", encoding: .utf8)
        let (a, v) = process(text, .text)
        #expect(!v.contains(.unmatched))
        let services = Set(a.services.top(20).map(\.key))
        #expect(services.contains("web-1") && services.contains("redis-1"))
    }

    /// Buckets and per-group series stay bounded: past either cap the width doubles, and the
    /// counts are unchanged.
    @Test func bucketsWidenPastTheCaps() {
        func fill(_ a: inout ApplicationAggregate) {
            for i in 0..<2_000 {
                let line = Array("2026-11-24T10:00:00Z ERROR failure kind\(i % 20) at step \(i)".utf8)
                line.withUnsafeBytes { raw in
                    var parser = ApplicationLineParser(format: .text, zone: .utc)
                    var r = ApplicationRecord()
                    _ = parser.parse(raw, into: &r)
                    r.time = utcSeconds(2026, 11, 24, 0, 0, 0) + Int64(i) * 60
                    a.add(r, event: raw)
                }
            }
        }
        var byBuckets = ApplicationAggregate(bucketSeconds: 60, maxBuckets: 100)
        fill(&byBuckets)
        #expect(byBuckets.buckets.count <= 100)
        #expect(byBuckets.bucketSeconds == 60 * 32)
        #expect(byBuckets.total.of(.error) == 2_000)
        var bySeries = ApplicationAggregate(bucketSeconds: 60, seriesCapacity: 500)
        fill(&bySeries)
        #expect(bySeries.groups.seriesEntries <= 500)
        #expect(bySeries.bucketSeconds > 60)
        #expect(bySeries.groups.groups.reduce(0) { $0 + $1.count } == 2_000)
        #expect(bySeries.groups.groups.allSatisfy { $0.bucketCounts.reduce(0, +) == $0.count })
    }

    @Test func groupTableIsBounded() {
        var g = ApplicationErrorGroups(capacity: 10)
        for i in 0..<100 {
            let t = Array("distinct\(String(UnicodeScalar(UInt8(65 + i % 26)))) words \(String(repeating: "x", count: i)) here".utf8)
            let k = t.withUnsafeBytes { g.groupIndex(template: $0) }
            let s = Array("sample".utf8)
            s.withUnsafeBytes { g.record(k, level: .error, time: Int64(i), bucketStart: 0, sample: $0) }
        }
        #expect(g.groups.count <= 10)
        #expect(!g.isExact)
        #expect(g.evictedEvents + g.groups.reduce(0) { $0 + $1.count } == 100)
    }

    @Test func keyTableEvictsLeastCounted() {
        var t = KeyedTable<Counter>(capacity: 4)
        for (k, n) in [("a", 10), ("b", 5), ("c", 1), ("d", 1), ("e", 7)] {
            Array(k.utf8).withUnsafeBytes { t.add($0, UInt64(n)) }
        }
        #expect(t.top(2).map(\.key) == ["a", "e"])
        #expect(!t.isExact)
        #expect(t.evictedWeight == 2)
    }
}
