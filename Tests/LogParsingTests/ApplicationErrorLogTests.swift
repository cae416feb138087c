import Foundation
import Testing
@testable import LogParsing

/// Apache httpd error logs (2.2 and 2.4, and the CUPS layout lnav files with them), glog/klog
/// lines, and the look of Go crash dumps.
@Suite struct ApplicationErrorLogTests {
    // MARK: - Apache httpd

    @Test func apache22() {
        let p = appParse(.apacheError, "[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok /etc/httpd/conf/workers2.properties")
        #expect(p == AppParsed(time: utc(2005, 12, 4, 4, 47, 44), level: .notice,
                               message: "workerEnv.init() ok /etc/httpd/conf/workers2.properties"))
        let e = appParse(.apacheError, "[Sun Dec 04 05:15:09 2005] [error] [client 222.166.160.184] Directory index forbidden by rule: /var/www/html/")
        #expect(e?.level == .error)
        #expect(e?.client == "222.166.160.184")
        #expect(e?.message == "Directory index forbidden by rule: /var/www/html/")
        // IPv6 client, 2.2 (no port written): kept whole.
        #expect(appParse(.apacheError, "[Mon Dec 05 10:00:00 2005] [warn] [client ::1] x")?.client == "::1")
        #expect(appParse(.apacheError, "[Mon Dec 05 10:00:00 2005] [crit] x")?.level == .fatal)
        #expect(appParse(.apacheError, "[Mon Dec 05 10:00:00 2005] [emerg] x")?.level == .fatal)
        #expect(appParse(.apacheError, "[Mon Dec  5 10:00:00 2005] [info] space-padded day")?.time == utc(2005, 12, 5, 10, 0, 0))
    }

    @Test func apache24() {
        let p = appParse(.apacheError, "[Wed Oct 11 14:32:52.123456 2000] [core:error] [pid 35708:tid 4328636416] [client 72.15.99.187:5123] File does not exist: /usr/local/apache2/htdocs/favicon.ico")
        #expect(p == AppParsed(time: utc(2000, 10, 11, 14, 32, 52), level: .error,
                               message: "File does not exist: /usr/local/apache2/htdocs/favicon.ico", client: "72.15.99.187"))
        let v6 = appParse(.apacheError, "[Thu May 12 08:28:57.652118 2011] [core:error] [pid 8777:tid 4326490112] [client ::1:58619] File does not exist: /x")
        #expect(v6?.client == "::1")
        let pidOnly = appParse(.apacheError, "[Tue Apr 04 06:18:29.712806 2017] [mpm_prefork:notice] [pid 17725] AH00163: Apache/2.4.23 (Unix) configured -- resuming normal operations")
        #expect(pidOnly?.level == .notice)
        #expect(pidOnly?.client == nil)
        #expect(pidOnly?.message == "AH00163: Apache/2.4.23 (Unix) configured -- resuming normal operations")
        #expect(appParse(.apacheError, "[Tue Apr 04 06:18:29.712806 2017] [ssl:trace3] [pid 1] x")?.level == .trace)
        #expect(appParse(.apacheError, "[Tue Apr 04 06:18:29.712806 2017] [proxy:warn] [pid 1] [remote 10.0.0.2:80] AH01102: error reading")?.message
                == "AH01102: error reading")
        // Local time unless a zone rule says otherwise.
        #expect(appParse(.apacheError, "[Sun Dec 04 04:47:44 2005] [notice] x", zone: ZoneRule.parse("+0100")!)?.time
                == utc(2005, 12, 4, 3, 47, 44))
    }

    @Test func apacheRejects() {
        #expect(appParse(.apacheError, "2026/11/22 10:00:00 [error] 1#0: x") == nil)
        #expect(appParse(.apacheError, "[Sun Dec 04 04:47:44 2005] no level here") == nil)
        #expect(appParse(.apacheError, "[Sun Dec 04 04:47:44 2005] [bogus] x") == nil)
        #expect(appParse(.apacheError, "[2026-11-24 10:00:00] ERROR: msg") == nil)
        #expect(appParse(.apacheError, "hello world") == nil)
    }

    @Test func cups() {
        let p = appParse(.apacheError, "E [08/Jun/2013:11:28:58 -0700] Unknown directive BrowseOrder on line 22 of /private/etc/cups/cupsd.conf.")
        #expect(p?.level == .error)
        #expect(p?.time == utc(2013, 6, 8, 18, 28, 58))
        #expect(p?.message == "Unknown directive BrowseOrder on line 22 of /private/etc/cups/cupsd.conf.")
    }

    @Test func apacheDetection() {
        let text = """
        [Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok /etc/httpd/conf/workers2.properties
        [Sun Dec 04 04:47:44 2005] [error] mod_jk child workerEnv in error state 6
        [Wed Oct 11 14:32:52.123456 2000] [core:error] [pid 35708:tid 4328636416] [client 72.15.99.187:1] File does not exist: /x
        """
        let candidates = ApplicationFormat.detect(appLines(text))
        #expect(candidates.first?.format == .apacheError)
        #expect(candidates.first?.matched == 3)
        #expect(ApplicationFormat(name: "apache-error") == .apacheError)
    }

    /// loghub's Apache sample (httpd 2.2): every line an event, levels as written.
    @Test func loghubApache() throws {
        guard let corpora = applicationCorpora(for: "loghubApache") else { return }
        let text = try String(contentsOfFile: "\(corpora)/loghub/Apache/Apache_2k.log", encoding: .utf8)
        let lines = appLines(text).filter { !$0.isEmpty }
        var levels: [ApplicationLevel: Int] = [:]
        var clients = 0
        for line in lines {
            let s = String(decoding: line, as: UTF8.self)
            guard let p = appParse(.apacheError, s) else { Issue.record("not recognised: \(s)"); continue }
            levels[p.level, default: 0] += 1
            if p.client != nil { clients += 1 }
            #expect(s.contains("[\(p.level == .notice ? "notice" : p.level.name)]"), "\(s)")
        }
        #expect(lines.count == 2000)
        #expect(levels[.notice] == 1405 && levels[.error] == 595, "\(levels)")
        #expect(clients == 32)
        let best = ApplicationFormat.detect(Array(lines.prefix(200))).first
        #expect(best?.format == .apacheError && best?.matched == 200)
        print("loghub Apache: \(levels.map { "\($0.key.name) \($0.value)" }.sorted()), \(clients) with client")
    }

    /// lnav's `error_log` format samples (Apache 2.2 and 2.4, CUPS), with their levels.
    @Test func lnavErrorLogSamples() throws {
        guard let corpora = applicationCorpora(for: "lnavErrorLogSamples") else { return }
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(corpora)/lnav/format_samples.json"))
        let root = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        let format = (root["formats"] as! [String: Any])["error_log"] as! [String: Any]
        let samples = format["sample"] as! [[String: Any]]
        #expect(samples.count >= 5)
        for s in samples {
            let line = s["line"] as! String
            let p = appParse(.apacheError, line)
            #expect(p != nil, "\(line)")
            #expect(p?.time != nil)
            if let level = s["level"] as? String {
                #expect(p?.level.name == level, "\(line)")
            }
            #expect(ApplicationFormat.detect([Array(line.utf8)]).first?.format == .apacheError, "\(line)")
        }
    }

    // MARK: - glog / klog

    @Test func glog() {
        let reference = utc(2026, 11, 25, 0, 0, 0)
        let p = appParse(.text, "E1124 10:00:00.123456    1234 file.go:42] connection refused", reference: reference)
        #expect(p == AppParsed(time: utc(2026, 11, 24, 10, 0, 0), level: .error, message: "connection refused"))
        #expect(appParse(.text, "I1124 10:00:00.123456 1234 file.go:42] ok", reference: reference)?.level == .info)
        #expect(appParse(.text, "W1124 10:00:00.123456 1234 file.go:42] careful", reference: reference)?.level == .warn)
        #expect(appParse(.text, "F1124 10:00:00.123456 1234 main.go:7] dying", reference: reference)?.level == .fatal)
        // December's lines read in January belong to last year.
        #expect(appParse(.text, "I1231 23:59:59.000000 1 a.go:1] x", reference: utc(2027, 1, 1, 0, 10, 0))?.time
                == utc(2026, 12, 31, 23, 59, 59))
        // The year written (glog's `I20200308` variant).
        #expect(appParse(.text, "I20200308 23:47:32.089828 400441 config.cc:27] Loading user configuration: /home/a/.config/wm/config")
                == AppParsed(time: utc(2020, 3, 8, 23, 47, 32), level: .info, message: "Loading user configuration: /home/a/.config/wm/config"))
        // Not glog: a word that starts with a capital and digits, no `file:line]`.
        #expect(appParse(.text, "E1124 is a part number") == nil)
        #expect(appParse(.text, "I1124 10:00:00.123456 1234 no bracket here") == nil)
        #expect(appParse(.text, "X1124 10:00:00.123456 1234 file.go:42] x") == nil)
    }

    /// lnav's glog samples and its glog test log.
    @Test func lnavGlog() throws {
        guard let corpora = applicationCorpora(for: "lnavGlog") else { return }
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(corpora)/lnav/format_samples.json"))
        let root = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        let format = (root["formats"] as! [String: Any])["glog_log"] as! [String: Any]
        for s in format["sample"] as! [[String: Any]] {
            let line = s["line"] as! String
            let p = appParse(.text, line)
            #expect(p != nil, "\(line)")
            if let level = s["level"] as? String { #expect(p?.level.name == level) }
        }
        let text = try String(contentsOfFile: "\(corpora)/lnav/test/logfile_glog.0", encoding: .utf8)
        let lines = appLines(text).filter { !$0.isEmpty }
        let best = ApplicationFormat.detect(lines).first
        #expect(best?.format == .text && best?.matched == lines.count, "\(String(describing: best))")
    }

    // MARK: - Compact and time-only timestamps

    @Test func compactTimestamps() {
        #expect(appParse(.text, "20261124T100000Z ERROR disk full")
                == AppParsed(time: utc(2026, 11, 24, 10, 0, 0), level: .error, message: "disk full"))
        #expect(appParse(.text, "20261124T100000.250+0100 WARN slow")?.time == utc(2026, 11, 24, 9, 0, 0))
        #expect(appParse(.text, "20261124T100000 INFO local", zone: ZoneRule.parse("-0500")!)?.time == utc(2026, 11, 24, 15, 0, 0))
        #expect(appParse(.text, "20261324T100000Z INFO bad month") == nil)
    }

    /// A time of day alone is an event only with a level, and has no time (no date).
    @Test func timeOnly() {
        #expect(appParse(.text, "10:00:00.123 ERROR c.e.Orders - failed")
                == AppParsed(time: nil, level: .error, message: "c.e.Orders - failed"))
        #expect(appParse(.text, "[10:00:00] WARN low memory")?.level == .warn)
        #expect(appParse(.text, "10:00:00,5 [main] INFO  started")?.level == .info)
        #expect(appParse(.text, "10:00:00 the meeting starts") == nil)
        #expect(appParse(.text, "10:00 ERROR too short") == nil)
        #expect(appParse(.text, "99 bottles ERROR") == nil)
    }

    // MARK: - Go crash dumps

    static func cont(_ s: String) -> Bool {
        let b = Array(s.utf8)
        return b.withUnsafeBytes { ApplicationLineParser.isContinuation($0, from: 0) }
    }

    static func panics(_ s: String) -> Bool {
        let b = Array(s.utf8)
        return b.withUnsafeBytes { ApplicationLineParser.startsGoPanic($0, from: 0) }
    }

    @Test func goDumpLines() {
        #expect(Self.panics("panic: runtime error: index out of range [5] with length 3"))
        #expect(Self.panics("fatal error: all goroutines are asleep - deadlock!"))
        #expect(!Self.panics("panicking is not a panic"))
        #expect(!Self.panics("fatal: no such ref"))
        for line in ["goroutine 1 [running]:", "goroutine 18 gp=0xc000007340 m=nil [chan receive, 2 minutes]:",
                     "main.main()", "main.(*Server).serve(0xc000010000, {0x5, 0x6})",
                     "github.com/acme/api/internal/db.(*Pool).Get(...)", "panic({0x4a2e40?, 0xc000012345?})",
                     "created by main.main in goroutine 1", "exit status 2",
                     "[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x48f1d6]",
                     "\t/home/u/src/app/main.go:12 +0x1d", "panic: boom [recovered]",
                     "#12 /var/www/app/Pipeline.php(183): Closure->call()", "[stacktrace]", "#27 {main}"] {
            #expect(Self.cont(line), "\(line)")
        }
        for line in ["Connection reset by peer", "see main.go (line 4)", "started (pid 12)", "call f() then g()",
                     "#hashtag", "goroutines are fun"] {
            #expect(!Self.cont(line), "\(line)")
        }
    }
}
