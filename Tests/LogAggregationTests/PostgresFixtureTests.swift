import Foundation
import Testing
import LogParsing
@testable import LogAggregation

/// pgBadger's own test fixtures (`../shared/corpora/pgbadger`): the figures its test scripts
/// assert, as far as the formats are in scope.
///
/// Out of scope, and why:
/// - `pgbouncer.log.gz`, `pgbouncer.1.21.log.gz`: pgBouncer's log, not PostgreSQL's.
/// - `logplex.gz`: Heroku logplex wrapping with `[n-m]` split messages.
/// - `pg-syslog.1.bz2`, `pg-syslog.2.gz`: read (see `PostgresSyslogFixtureTests`), but pgBadger's
///   assertions on them are about its incremental weekly pages and report length.
/// - Report features rather than figures: `--anonymize` (anonymize.log), ISO week directories
///   (weeknumber.log), `--dump-raw-csv` (pg_rawcsv.log), incremental/explode outputs; these files
///   are still parsed here and must have no unmatched PostgreSQL line.
@Suite struct PostgresFixtureTests {
    static func fixture(_ name: String) throws -> [[UInt8]]? {
        guard let root = PostgresCorpus.root() else { return nil }
        return try PostgresCorpus.fixture(root, "pgbadger/t/fixtures/" + name)
    }

    static func epoch(_ iso: String) -> Int64 {
        let bytes = Array(iso.utf8)
        return bytes.withUnsafeBytes { ByteParsing.iso8601($0, 0..<$0.count)! }
    }

    @Test func lightPostgresLogHas629Queries() throws {
        guard let lines = try Self.fixture("light.postgres.log.bz2") else { return }
        let detected = try #require(PostgresFormat.detect(Array(lines.prefix(200))))
        #expect(detected.format == .stderr(prefix: "%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h "))
        let run = PostgresCorpus.run(lines)
        #expect(run.unmatched.isEmpty)
        let a = run.aggregate
        #expect(a.queries == 629)                                       // overall_stat query_total
        #expect(a.queriesByDatabase.value(for: "postgres")?.count == 629) // database_info postgres count
        #expect(a.queryTypes[PostgresQueryType.select.rawValue] > 0)
    }

    /// autoanalyze 1450 / autovacuum 2094; 474 analyzes in the hour 01 and 730 vacuums in the hour
    /// 02 of 2024-06-27, CEST (pgBadger reports hours in the log's own time).
    static func checkVacuums(_ a: PostgresAggregate) {
        #expect(a.autoanalyzes == 1450)
        #expect(a.autovacuums == 2094)
        let hour01 = epoch("2024-06-27T01:00:00+02:00"), hour02 = epoch("2024-06-27T02:00:00+02:00")
        let buckets = Dictionary(uniqueKeysWithValues: a.orderedBuckets.map { ($0.start, $0.stats) })
        #expect(buckets[hour01]?.autoanalyzes == 474)
        #expect(buckets[hour02]?.autovacuums == 730)
        #expect(a.maintenance.count > 0)
    }

    @Test func pgVacuumsStderr() throws {
        guard let lines = try Self.fixture("pg_vacuums.log.gz") else { return }
        let run = PostgresCorpus.run(lines, format: PostgresFormat(prefix: "%t [%p]: [%l-1] user=%u,db=%d,host=%h,app=%a"), bucket: 3600)
        #expect(run.unmatched.isEmpty)
        Self.checkVacuums(run.aggregate)
        // Detection finds the same without the flag.
        let detected = PostgresCorpus.run(lines, bucket: 3600)
        #expect(detected.unmatched.isEmpty)
        Self.checkVacuums(detected.aggregate)
    }

    @Test func pgVacuumsJSONLog() throws {
        guard let lines = try Self.fixture("pg_vacuums.json.gz") else { return }
        #expect(PostgresFormat.detect(Array(lines.prefix(200)))?.format == .jsonlog)
        let run = PostgresCorpus.run(lines, bucket: 3600)
        #expect(run.unmatched.isEmpty)
        Self.checkVacuums(run.aggregate)
    }

    @Test func cnpgConnections() throws {
        guard let lines = try Self.fixture("cnpg.log.gz") else { return }
        let run = PostgresCorpus.run(lines)
        #expect(run.unmatched.isEmpty)
        #expect(run.aggregate.connectionsByUserDatabase.value(for: "postgres@postgres")?.count == 378)
    }

    @Test func cloudSQLConnections() throws {
        guard let lines = try Self.fixture("cloudsql.log.gz") else { return }
        let run = PostgresCorpus.run(lines)
        #expect(run.unmatched.isEmpty)
        #expect(run.aggregate.connectionsByUserDatabase.value(for: "cloudsqladmin@cloudsqladmin")?.count == 151)
    }

    @Test func rdsQueryDuration() throws {
        guard let lines = try Self.fixture("rds.log.bz2") else { return }
        let detected = try #require(PostgresFormat.detect(Array(lines.prefix(200))))
        #expect(detected.format == .stderr(prefix: "%t:%r:%u@%d:[%p]:"))
        let run = PostgresCorpus.run(lines)
        #expect(run.unmatched.isEmpty)
        // pgBadger: normalyzed_info[...].duration 2.667 (ms); all four are from [local], so its
        // --exclude-client 192.168.1.201 does not touch them.
        let stats = try #require(run.aggregate.query("select datname from pg_database where not datistemplate and datallowconn"))
        #expect(stats.calls == 4)
        #expect(abs(stats.duration.sum * 1000 - 2.667) < 1e-9)
    }

    /// "Total number of sessions" with --begin/--end/--include-time/--exclude-time: sessions are
    /// disconnections, times of day in the log's zone (CET).
    @Test func beginEndSessions() throws {
        guard let lines = try Self.fixture("begin_end.log") else { return }
        let run = PostgresCorpus.run(lines, format: PostgresFormat(prefix: "%t [%p]: db=%d,user=%u,app=%a,client=%h "), bucket: 60)
        #expect(run.unmatched.isEmpty)
        let cet: Int64 = 3600
        let sessions = run.aggregate.orderedBuckets.flatMap { b in
            Array(repeating: b.start + cet, count: Int(b.stats.disconnections))
        }
        func timeOfDay(_ t: Int64) -> Int64 { t % 86400 }
        func local(_ s: String) -> Int64 { Self.epoch(s + "Z") }
        #expect(sessions.filter { timeOfDay($0) >= 9 * 3600 }.count == 4)
        #expect(sessions.filter { timeOfDay($0) <= 20 * 3600 + 1800 }.count == 6)
        #expect(sessions.filter { timeOfDay($0) >= 9 * 3600 && timeOfDay($0) <= 20 * 3600 + 1800 }.count == 2)
        #expect(sessions.filter { $0 <= local("2021-02-15T20:30:00") }.count == 7)
        #expect(sessions.filter { $0 <= local("2021-02-14T20:30:00") }.count == 3)
        let in2021 = sessions.filter { $0 >= local("2021-02-14T20:00:00") && $0 < local("2021-02-14T22:00:00") }
        #expect(in2021.count == 2)
        #expect(sessions.count - in2021.count == 6)
        #expect(run.aggregate.connectionsReceived == 8)
        #expect(run.aggregate.connectionsAuthorized == 8)
    }

    /// pgBadger's `--log-timezone +5` overrides the zone written in the log (UTC) and shows
    /// 12:00:00–12:46:39; logsift trusts the written zone: 17:00:00Z–17:46:39Z, the same span.
    @Test func timezonesSpan() throws {
        guard let lines = try Self.fixture("pg-timezones.log") else { return }
        let run = PostgresCorpus.run(lines)
        #expect(run.unmatched.isEmpty)
        #expect(run.aggregate.firstTime == Self.epoch("2021-05-27T17:00:00Z"))
        #expect(run.aggregate.lastTime == Self.epoch("2021-05-27T17:46:39Z"))
        #expect(run.aggregate.queries == 2)
    }

    /// t/exp/stmt_type.out: SELECT 1, INSERT 1, UPDATE 1, DELETE 1, COPY FROM 1, COPY TO 1,
    /// CTE 1, DDL 1, TCL 2, CURSOR 2.
    @Test func statementTypes() throws {
        guard let lines = try Self.fixture("stmt_type.log") else { return }
        let run = PostgresCorpus.run(lines)
        #expect(run.unmatched.isEmpty)
        let t = run.aggregate.queryTypes
        let expected: [PostgresQueryType: UInt64] = [.select: 1, .insert: 1, .update: 1, .delete: 1, .copyFrom: 1,
                                                      .copyTo: 1, .cte: 1, .ddl: 1, .tcl: 2, .cursor: 2, .other: 0]
        for (type, count) in expected { #expect(t[type.rawValue] == count, "\(type.name)") }
        // The UTF-8 text survives into the examples.
        let examples = run.aggregate.allQueries.compactMap { $0.stats.slowest?.query }
        #expect(examples.contains { $0.contains("forêt & océan") })
        #expect(examples.contains { $0.contains("камень & почка") })
    }

    @Test func csvStatementWithoutDuration() throws {
        guard let lines = try Self.fixture("csv_statement_without_duration.log") else { return }
        #expect(PostgresFormat.detect(lines)?.format == .csvlog)
        let run = PostgresCorpus.run(lines)
        #expect(run.unmatched.isEmpty)
        let all = run.aggregate.allQueries
        let slow = try #require(all.first { $0.fingerprint.contains("slow_table") })
        #expect(abs(slow.stats.duration.sum * 1000 - 688786.283) < 1e-6)
        let health = try #require(all.first { $0.fingerprint.contains("health_check") })
        #expect(health.stats.calls == 0)
        #expect(health.stats.unmeasured == 1)
        #expect(health.stats.duration.count == 0)
    }

    @Test func tempFilesWithTheirStatement() throws {
        guard let lines = try Self.fixture("tempfile_only.log.gz") else { return }
        let run = PostgresCorpus.run(lines)
        #expect(run.unmatched.isEmpty)
        // Counted in the fixture with zcat | grep | awk: 5 `temporary file: … size N` lines
        // (12,517,376 once, 18,071,552 four times: 84,803,584 bytes, the largest 18,071,552);
        // 39 `checkpoint complete` lines.
        #expect(run.aggregate.tempFiles == 5)
        #expect(run.aggregate.tempFileBytes == 84_803_584)
        #expect(run.aggregate.tempFileMaxBytes == 18_071_552)
        #expect(run.aggregate.checkpoints == 39)
    }

    @Test func multiLineBindParameters() throws {
        guard let lines = try Self.fixture("multiline_param.log") else { return }
        let run = PostgresCorpus.run(lines)
        #expect(run.unmatched.isEmpty)
        let q = try #require(run.aggregate.allQueries.first { $0.fingerprint.contains("pg_catalog.pg_type") })
        let parameters = try #require(q.stats.slowest?.parameters)
        #expect(parameters.contains("njchar\n\thello") || parameters.contains("njvarchar\n\tbye"))
        #expect(run.aggregate.parseSteps.count > 0 && run.aggregate.bindSteps.count > 0)
    }

    @Test func tsrangeParameters() throws {
        guard let lines = try Self.fixture("postgresql_param_range.log") else { return }
        let run = PostgresCorpus.run(lines)
        #expect(run.unmatched.isEmpty)
        // pgBadger lists the D17756227 execution among the slowest queries with its tsrange
        // parameter; logsift keeps the parameters beside the query.
        let slowest = run.aggregate.slowestQueries
        #expect(slowest.count == 3)
        #expect(slowest.contains { ($0.parameters ?? "").contains("$1 = 'D17756227', $2 = 'J16274127', $3 = 'IDA001127', $4 = '[2023-02-24T00:00,2023-02-25T00:00]'") })
        // IN lists of different lengths share one fingerprint.
        #expect(run.aggregate.queryTable.count == 1)
        #expect(run.aggregate.allQueries.first?.stats.calls == 3)
    }

    /// Files whose assertions are about report features: they parse with nothing unmatched
    /// except the non-PostgreSQL lines that pgBadger's test itself relies on.
    @Test(arguments: ["anonymize.log", "weeknumber.log", "queryid.log.gz", "pg_rawcsv.log"])
    func parsesCompletely(_ name: String) throws {
        guard let lines = try Self.fixture(name) else { return }
        let run = PostgresCorpus.run(lines)
        let unmatched = run.unmatched.filter { !$0.1.hasPrefix("pg_ctl:") && !$0.1.hasPrefix("waiting for server") && !$0.1.hasPrefix("stopped waiting") && !$0.1.hasPrefix("Examine the log output") }
        #expect(unmatched.isEmpty, "\(unmatched.prefix(3))")
        #expect(run.aggregate.events > 0)
    }
}

/// pg-syslog.1.bz2 / pg-syslog.2.gz: syslog-wrapped stderr (`[n-m]` parts, `#011` tabs). pgBadger's
/// own assertions on them are about its incremental weekly pages (`12,474 queries` on the pgbench
/// page with the file given twice) and the text report's length, which have no logsift
/// counterpart; what is checked here is that every line is read and the counts of the file.
@Suite struct PostgresSyslogFixtureTests {
    @Test(arguments: ["pg-syslog.1.bz2", "pg-syslog.2.gz"])
    func syslogParses(_ name: String) throws {
        guard let lines = try PostgresFixtureTests.fixture(name) else { return }
        let detected = try #require(PostgresFormat.detect(Array(lines.prefix(200))))
        #expect(detected.format == .syslog(prefix: "db=%d,user=%u,app=%a,client=%h "))
        let run = PostgresCorpus.run(lines)
        // Only other programs' lines (systemd) are left unmatched.
        let postgres = run.unmatched.filter { $0.1.contains(" postgres[") }
        #expect(postgres.isEmpty, "\(postgres.prefix(3))")
        #expect(run.unmatched.allSatisfy { $0.1.contains(" systemd[") })
        let a = run.aggregate
        #expect(a.queriesByDatabase.value(for: "pgbench")?.count == 59_868)  // grep -c 'db=pgbench.*duration:'
        // The multi-part psql `\l` query is joined: its fingerprint has the whole text.
        #expect(a.allQueries.contains { $0.fingerprint.contains("from pg_catalog.pg_database d order by ?") })
    }
}
