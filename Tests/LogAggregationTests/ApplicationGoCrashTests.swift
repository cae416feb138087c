import Testing
@testable import LogAggregation
import LogParsing

/// Go crashes: the `panic:` line is a FATAL event at the time of the event before it, and its
/// goroutine dump (blank lines, `goroutine N [...]:`, frames, tab-indented `file:line`,
/// `exit status 2`) joins it, in every format and at every read size. Also Apache error logs
/// and glog lines through the processor.
@Suite struct ApplicationGoCrashTests {
    static let dump = """
    panic: runtime error: index out of range [5] with length 3

    goroutine 1 [running]:
    main.lookup(...)
    \t/home/u/app/main.go:12
    main.main()
    \t/home/u/app/main.go:8 +0x1d
    exit status 2
    """

    static let textLog = """
    2026-11-24 10:00:00 INFO starting
    2026-11-24 10:00:05 ERROR lookup failed for id 7
    """ + "\n" + dump + "\n" + """
    2026-11-24 10:01:00 INFO restarted
    """

    @Test func textLogPanicIsAFatalEvent() {
        for chunk in [1, 2, 3, 7, 64, 1 << 20] {
            let (a, verdicts) = process(Self.textLog, .text, chunk: chunk)
            #expect(a.events == 4, "chunk \(chunk)")
            #expect(a.total.of(.fatal) == 1 && a.total.of(.error) == 1 && a.total.of(.info) == 2)
            #expect(a.continuationLines == 7)
            #expect(!verdicts.contains(.unmatched))
            let fatal = a.groups.top(10) { $0 == .fatal }
            #expect(fatal.count == 1)
            #expect(fatal.first?.template.hasPrefix("panic: runtime error: index out of range") == true, "\(fatal.first?.template ?? "")")
            #expect(fatal.first?.sampleText.hasSuffix("exit status 2") == true)
            // At the time of the event before it.
            #expect(fatal.first?.firstSeen == utcSeconds(2026, 11, 24, 10, 0, 5))
            #expect(a.untimed == 0)
        }
    }

    /// JSON lines join only trace-shaped lines: the dump's lines must be recognised as such.
    @Test func jsonLogPanic() {
        let text = #"{"time":"2026-11-24T10:00:00Z","level":"info","msg":"serving"}"# + "\n" + Self.dump + "\n"
            + #"{"time":"2026-11-24T10:02:00Z","level":"info","msg":"up again"}"#
        let (a, verdicts) = process(text, .jsonLines)
        #expect(!verdicts.contains(.unmatched), "\(verdicts)")
        #expect(a.events == 3)
        #expect(a.total.of(.fatal) == 1)
        #expect(a.continuationLines == 7)
        let detected = ApplicationFormat.detect(appLinesOf(text)).first
        #expect(detected?.format == .jsonLines && detected?.matched == 9)
    }

    /// A dump with nothing before it: its own event, without a time.
    @Test func panicAtStart() {
        let (a, verdicts) = process(Self.dump + "\nfatal error: all goroutines are asleep - deadlock!\n\ngoroutine 1 [chan receive]:\nmain.main()\n", .logfmt)
        #expect(!verdicts.contains(.unmatched))
        #expect(a.events == 2 && a.total.of(.fatal) == 2 && a.untimed == 2)
    }

    @Test func apacheThroughProcessor() {
        let text = """
        [Wed Oct 11 14:32:52.123456 2000] [core:error] [pid 35708:tid 4328636416] [client 72.15.99.187:5123] File does not exist: /a/1.ico
        [Wed Oct 11 14:32:53.000001 2000] [core:error] [pid 35708:tid 4328636416] [client 72.15.99.187:5124] File does not exist: /a/2.ico
        [Wed Oct 11 14:32:54 2000] [notice] caught SIGTERM, shutting down
        """
        let (a, _) = process(text, .apacheError)
        #expect(a.events == 3 && a.total.of(.error) == 2 && a.total.of(.notice) == 1)
        #expect(a.clients.top(5).map(\.key) == ["72.15.99.187"])
        #expect(a.clients.top(5).first?.count == 2)
        #expect(a.groups.top(5).count == 1)
        #expect(a.formats == ["apache-error"])
    }

    @Test func glogThroughProcessor() {
        let p = ApplicationProcessor(bucketSeconds: 60, zone: .utc)
        p.referenceTime = utcSeconds(2026, 11, 25, 0, 0, 0)
        p.begin(format: .text)
        feed(p, Array("""
        I1124 10:00:00.000001    1234 main.go:10] started
        E1124 10:00:01.000002    1234 db.go:42] connection refused to 10.0.0.1:5432
        goroutine 7 [running]:
        W1124 10:00:02.000003    1234 db.go:50] retrying in 2s
        """.utf8), chunk: 5)
        let a = p.aggregate
        #expect(a.events == 3 && a.total.of(.info) == 1 && a.total.of(.error) == 1 && a.total.of(.warn) == 1)
        #expect(a.firstTime == utcSeconds(2026, 11, 24, 10, 0, 0))
        #expect(a.continuationLines == 1)
    }
}

/// Lines of a text by bytes.
private func appLinesOf(_ text: String) -> [[UInt8]] {
    Array(text.utf8).split(separator: 0x0a, omittingEmptySubsequences: false).map(Array.init)
}
