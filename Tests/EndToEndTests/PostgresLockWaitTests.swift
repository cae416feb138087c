import Foundation
import Testing

/// `locks.wait_ms` is the length of each lock wait, checked against awk over the same file.
@Suite struct PostgresLockWaitTests {
    /// awk's count and total (ms) of waits: a `still waiting` / `avoided deadlock` line opens a
    /// wait of its process, an `acquired` / `detected deadlock while waiting` / `failed to
    /// acquire` line ends it with its own time; an end with no open wait is a wait of its own,
    /// and a wait never ended keeps its opening time.
    static let awk = #"""
    awk 'match($0, /process [0-9]+ (still waiting for|avoided deadlock for|acquired|detected deadlock while waiting for|failed to acquire) .* after [0-9.]+ ms/) {
      s = substr($0, RSTART, RLENGTH); split(s, w, " "); pid = w[2]
      ms = s; sub(/.* after /, "", ms); sub(/ ms$/, "", ms)
      if (s ~ /still waiting for|avoided deadlock for/) { if (pid in open) total += open[pid]; open[pid] = ms; n++ }
      else if (pid in open) { total += ms; delete open[pid] }
      else { n++; total += ms }
    }
    END { for (p in open) total += open[p]; printf "%d %.3f\n", n, total }'
    """#

    static func truth(_ path: String) throws -> (waits: Int, totalMs: Double) {
        let cat = path.hasSuffix(".gz") ? "zcat" : "cat"
        let fields = try Harness.shell("\(cat) '\(path)' | \(awk)").split(separator: " ")
        return (Int(fields[0])!, Double(fields[1].trimmingCharacters(in: .whitespacesAndNewlines))!)
    }

    static func locks(_ path: String) throws -> (waits: Int?, totalMs: Double?) {
        let result = try Harness.run(["report", "--format", "json", "--tz", "UTC", path])
        let postgres = try #require(try result.json()["postgres"] as? [String: Any])
        let locks = postgres["locks"] as? [String: Any]
        return (locks?["waits"] as? Int, (locks?["wait_ms"] as? [String: Any])?["total"] as? Double)
    }

    static func check(_ path: String, waits: Int, totalMs: Double) throws {
        let truth = try truth(path)
        #expect(truth.waits == waits)
        #expect(abs(truth.totalMs - totalMs) < 0.0005)
        let got = try locks(path)
        #expect(got.waits == truth.waits)
        #expect(abs((got.totalMs ?? -1) - truth.totalMs) < 0.0005, "\(String(describing: got.totalMs)) vs \(truth.totalMs)")
    }

    /// pgBadger's queryid.log.gz: process 2129 waited 13,555.814 ms (`acquired … after`), not
    /// the 1,000.153 ms of its `still waiting` line.
    @Test func queryidFixture() throws {
        guard let corpora = Harness.corpora() else { return }
        try Self.check(corpora.appendingPathComponent("pgbadger/t/fixtures/queryid.log.gz").path, waits: 1, totalMs: 13_555.814)
    }

    /// Waits that end in `acquired`, in a deadlock, unlogged (then a second wait of the same
    /// process), and an `acquired` with no `still waiting` before it.
    @Test func generatedWaits() throws {
        let lines = [
            "2026-01-01 10:00:01.000 UTC [11] LOG:  process 11 still waiting for ShareLock on transaction 7 after 1000.152 ms",
            "2026-01-01 10:00:01.000 UTC [11] DETAIL:  Process holding the lock: 12. Wait queue: 11.",
            "2026-01-01 10:00:02.000 UTC [14] LOG:  process 14 detected deadlock while waiting for ShareLock on transaction 9 after 1000.250 ms",
            "2026-01-01 10:00:02.000 UTC [14] ERROR:  deadlock detected",
            "2026-01-01 10:00:04.800 UTC [11] LOG:  process 11 acquired ShareLock on transaction 7 after 4791.200 ms",
            "2026-01-01 10:00:05.000 UTC [15] LOG:  process 15 still waiting for ShareLock on transaction 8 after 1000.500 ms",
            "2026-01-01 10:00:09.000 UTC [15] ERROR:  canceling statement due to statement timeout",
            "2026-01-01 10:01:00.000 UTC [15] LOG:  process 15 still waiting for ShareLock on transaction 9 after 1000.700 ms",
            "2026-01-01 10:01:03.000 UTC [15] LOG:  process 15 acquired ShareLock on transaction 9 after 3000.000 ms",
            "2026-01-01 10:01:05.000 UTC [16] LOG:  process 16 acquired AccessShareLock on relation 5 of database 1 after 2500.000 ms at character 15",
        ]
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("pg.log")
        try (lines.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        // 11: 4791.2, 14: 1000.25, 15: 1000.5 (cancelled) and 3000, 16: 2500.
        try Self.check(file.path, waits: 5, totalMs: 4791.2 + 1000.25 + 1000.5 + 3000 + 2500)
    }

    /// samples/postgresql.log: ten waits, none with an end logged (each keeps its `still waiting` time).
    @Test func sampleLog() throws {
        let path = Harness.packageRoot.appendingPathComponent("samples/postgresql.log").path
        let truth = try Self.truth(path)
        #expect(truth.waits == 10)
        try Self.check(path, waits: truth.waits, totalMs: truth.totalMs)
    }
}
