import Testing
@testable import LogParsing

@Suite struct SyslogProgramTests {
    func locate(_ line: String) -> (name: String, message: String, postgres: Bool)? {
        let bytes = Array(line.utf8)
        return bytes.withUnsafeBytes { b in
            SyslogProgram.locate(b).map {
                (String(decoding: b[$0.name], as: UTF8.self), String(decoding: b[$0.message...], as: UTF8.self),
                 SyslogProgram.hasPostgresSequence(b, at: $0.message))
            }
        }
    }

    @Test func programNameAndMessage() throws {
        let pg = try #require(locate("Feb 11 13:15:39 test-pc postgres[10808]: [3-2] db=,user= HINT:  x"))
        #expect(pg.name == "postgres" && pg.message == "[3-2] db=,user= HINT:  x" && pg.postgres)
        let ident = try #require(locate("<134>Feb  1 13:15:39 db1 pg-main[7]: [12-1] LOG:  x"))
        #expect(ident.name == "pg-main" && ident.postgres)
        let iso = try #require(locate("2026-02-11T13:15:39.123+01:00 db1 postgres[7]: [1-1] LOG:  x"))
        #expect(iso.name == "postgres" && iso.postgres)
        let systemd = try #require(locate("Feb 11 13:15:41 test-pc systemd[1]: Started PostgreSQL RDBMS."))
        #expect(systemd.name == "systemd" && systemd.message == "Started PostgreSQL RDBMS." && !systemd.postgres)
        let kernel = try #require(locate("Feb 11 13:15:41 test-pc kernel: [12.5] usb 1-1: new device"))
        #expect(kernel.name == "kernel" && !kernel.postgres)
        #expect(locate("2026-02-11 13:15:39 UTC [7] LOG:  x") == nil)
        #expect(locate("\t#011FROM t") == nil)
        #expect(locate("Feb 11") == nil)
    }
}
