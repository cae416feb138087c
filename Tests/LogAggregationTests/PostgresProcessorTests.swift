import Foundation
import Testing
import LogParsing
@testable import LogAggregation

/// `PostgresProcessor` on hand-written lines whose figures are worked out in the comments.
@Suite struct PostgresProcessorTests {
    static let prefix = "%m [%p] "

    static func run(_ lines: [String]) -> PostgresAggregate {
        PostgresCorpus.run(lines.map { Array($0.utf8) }, format: .stderr(prefix: prefix)).aggregate
    }

    /// One wait per process: `still waiting` opens it at the deadlock_timeout, and the end line
    /// (`acquired`, `detected deadlock while waiting`, `failed to acquire`) says how long it
    /// lasted. A wait with no end logged keeps its `still waiting` time; an end line with no
    /// `still waiting` before it is a wait of its own.
    @Test func lockWaitIsTheAcquiredTime() {
        let a = Self.run([
            "2026-01-01 10:00:01.000 UTC [11] LOG:  process 11 still waiting for ShareLock on transaction 7 after 1000.152 ms",
            "2026-01-01 10:00:01.000 UTC [11] DETAIL:  Process holding the lock: 12. Wait queue: 11.",
            "2026-01-01 10:00:01.500 UTC [13] LOG:  process 13 still waiting for ShareLock on transaction 7 after 1000.010 ms",
            "2026-01-01 10:00:02.000 UTC [14] LOG:  process 14 detected deadlock while waiting for ShareLock on transaction 9 after 1000.250 ms",
            "2026-01-01 10:00:02.000 UTC [14] ERROR:  deadlock detected",
            "2026-01-01 10:00:04.800 UTC [11] LOG:  process 11 acquired ShareLock on transaction 7 after 4791.200 ms",
            "2026-01-01 10:00:05.000 UTC [15] LOG:  process 15 acquired AccessShareLock on relation 5 of database 1 after 2500.000 ms at character 15",
            "2026-01-01 10:00:06.000 UTC [16] LOG:  process 16 still waiting for ExclusiveLock on tuple (0,1) of relation 5 of database 1 after 1000.001 ms",
            "2026-01-01 10:00:07.000 UTC [16] LOG:  process 16 failed to acquire ExclusiveLock on tuple (0,1) of relation 5 of database 1 after 2000.000 ms",
        ])
        // Waits: 11 (4791.2), 13 (never ended: 1000.010), 14 (deadlock: 1000.25), 15 (2500), 16 (2000).
        #expect(a.lockWaits == 5)
        #expect(abs(a.lockWaitDuration.sum * 1000 - (4791.2 + 1000.010 + 1000.25 + 2500 + 2000)) < 1e-6)
        #expect(abs(a.lockWaitDuration.max * 1000 - 4791.2) < 1e-6)
        #expect(a.deadlocks == 1)
    }

    /// A process that waits twice: the first wait ends unlogged (cancelled), the second is new.
    @Test func secondWaitOfOneProcessIsCounted() {
        let a = Self.run([
            "2026-01-01 10:00:01.000 UTC [11] LOG:  process 11 still waiting for ShareLock on transaction 7 after 1000.000 ms",
            "2026-01-01 10:00:09.000 UTC [11] ERROR:  canceling statement due to statement timeout",
            "2026-01-01 10:01:01.000 UTC [11] LOG:  process 11 still waiting for ShareLock on transaction 8 after 1000.500 ms",
            "2026-01-01 10:01:03.000 UTC [11] LOG:  process 11 acquired ShareLock on transaction 8 after 3000.000 ms",
        ])
        #expect(a.lockWaits == 2)
        #expect(abs(a.lockWaitDuration.sum * 1000 - 4000) < 1e-6)
        #expect(a.series.buckets.map(\.lockWaits).reduce(0, +) == 2)
    }

    /// Masked numbers in error templates read as the placeholder, not as `0`.
    @Test func errorTemplateMasksNumbersWithThePlaceholder() {
        let a = Self.run([
            "2026-01-01 10:00:01.000 UTC [11] ERROR:  relation \"t\" does not exist at character 15",
            "2026-01-01 10:00:02.000 UTC [11] ERROR:  relation \"u\" does not exist at character 27",
        ])
        #expect(a.errorTemplates.value(for: "relation \"...\" does not exist at character <*>")?.count == 2)
    }
}
