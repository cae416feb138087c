import Foundation
import Testing
import LogParsing
@testable import LogAggregation

/// Third-party PostgreSQL logs: lnav's test logs and Filebeat's postgresql module. Every line is
/// recognised, and the events whose content is known (Filebeat's expected JSON, or read off the
/// lnav files) come out with it.
@Suite struct PostgresCorpusTests {
    static func lines(_ relative: String) throws -> [[UInt8]]? {
        guard let root = PostgresCorpus.root() else { return nil }
        return try PostgresCorpus.fixture(root, relative)
    }

    static let filebeat = "elastic-beats/filebeat/module/postgresql/log/test/"

    @Test(arguments: [
        "lnav/test/logfile_postgres.0", "lnav/test/logfile_postgres.1", "lnav/test/logfile_postgres.2",
        filebeat + "postgresql-11-multi-line.csv.log", filebeat + "postgresql-11.4.log",
        filebeat + "postgresql-12-min-duration-statement.log", filebeat + "postgresql-13-error-code.csv.log",
        filebeat + "postgresql-9.6-debian-with-slowlog.log", filebeat + "postgresql-query-steps-slowlog.log",
    ])
    func noUnmatchedLines(_ relative: String) throws {
        guard let lines = try Self.lines(relative) else { return }
        let detected = try #require(PostgresFormat.detect(Array(lines.prefix(200))))
        let nonEmpty = lines.filter { !$0.isEmpty }.count
        #expect(detected.matched == min(nonEmpty, lines.prefix(200).filter { !$0.isEmpty }.count), "\(detected.format.name)")
        let run = PostgresCorpus.run(lines, format: detected.format)
        #expect(run.unmatched.isEmpty, "\(run.unmatched.prefix(3))")
        #expect(run.matched + run.continuation == lines.count)
    }

    /// postgresql-query-steps-slowlog.log-expected.json: a `parse` step and an `execute` of
    /// `select * from table`, 12.437 ms each, user `user`, database `host`, pid 31136.
    @Test func filebeatQuerySteps() throws {
        guard let lines = try Self.lines(Self.filebeat + "postgresql-query-steps-slowlog.log") else { return }
        let run = PostgresCorpus.run(lines)
        let a = run.aggregate
        #expect(a.events == 2)
        #expect(a.parseSteps.count == 1)
        #expect(abs(a.parseSteps.sum - 0.012437) < 1e-12)
        let q = try #require(a.query("select * from table"))
        #expect(q.calls == 1)
        #expect(abs(q.duration.sum - 0.012437) < 1e-12)
        #expect(q.slowest?.user == "user")
        #expect(q.slowest?.database == "host")
        #expect(q.slowest?.query == "select * from table")
        #expect(a.firstTime == PostgresFixtureTests.epoch("2019-09-04T13:52:38Z"))
    }

    /// postgresql-11-multi-line.csv.log-expected.json: one event, 0.658 ms, statement
    /// "SELECT 'multi',\n'line';", user and database postgres.
    @Test func filebeatMultiLineCSV() throws {
        guard let lines = try Self.lines(Self.filebeat + "postgresql-11-multi-line.csv.log") else { return }
        let run = PostgresCorpus.run(lines)
        let a = run.aggregate
        #expect(a.events == 1)
        #expect(run.matched == 1 && run.continuation == 1)
        let q = try #require(a.query("select ?, ?"))
        #expect(q.calls == 1)
        #expect(abs(q.duration.sum - 0.000658) < 1e-12)
        #expect(q.slowest?.query == "SELECT 'multi',\n'line';")
        #expect(q.slowest?.user == "postgres")
        #expect(q.slowest?.database == "postgres")
        #expect(a.firstTime == PostgresFixtureTests.epoch("2021-01-04T00:22:01Z"))
    }

    /// csvlog with SQLSTATE: the FATAL 25P03 is counted under its code.
    @Test func filebeatErrorCodeCSV() throws {
        guard let lines = try Self.lines(Self.filebeat + "postgresql-13-error-code.csv.log") else { return }
        let a = PostgresCorpus.run(lines).aggregate
        #expect(a.errors == 1)
        #expect(a.errorsBySQLState.value(for: "25P03")?.count == 1)
        #expect(a.disconnections == 1)
        #expect(abs(a.sessionDuration.sum - 33.289) < 1e-9)
        #expect(a.unmeasuredQueries == 2)
    }

    /// log_error_verbosity = verbose (`ERROR:  42704: …`, `LOCATION:` lines) and log_statement +
    /// log_duration, whose `duration: N ms` lines are paired with the statement before them.
    @Test func filebeatVerboseAndPairedDurations() throws {
        guard let lines = try Self.lines(Self.filebeat + "postgresql-11.4.log") else { return }
        let a = PostgresCorpus.run(lines).aggregate
        #expect(a.errorsBySQLState.value(for: "42704")?.count == 1)
        let tables = try #require(a.query("select * from pg_catalog.pg_tables"))
        #expect(tables.calls == 1)
        #expect(abs(tables.duration.sum - 0.002139) < 1e-12)
        #expect(a.durationOnly == 0)
    }

    @Test func filebeatDebianSlowlog() throws {
        guard let lines = try Self.lines(Self.filebeat + "postgresql-9.6-debian-with-slowlog.log") else { return }
        let detected = try #require(PostgresFormat.detect(lines))
        #expect(detected.format == .stderr(prefix: "%m [%p] %q%u@%d "))
        let a = PostgresCorpus.run(lines).aggregate
        #expect(a.errors == 2)
        #expect(a.errorTemplates.value(for: "database \"...\" does not exist")?.count == 2)
        // The multi-line `\l` query of psql is one fingerprint with tab-led lines joined.
        #expect(a.allQueries.contains { $0.fingerprint.contains("from pg_catalog.pg_database d order by ?") })
    }

    /// lnav's logfile_postgres.0: connections, sessions, one error with its statement.
    @Test func lnavSessions() throws {
        guard let lines = try Self.lines("lnav/test/logfile_postgres.0") else { return }
        let a = PostgresCorpus.run(lines).aggregate
        #expect(a.connectionsReceived == 2)
        #expect(a.connectionsAuthorized == 2)
        #expect(a.connectionsByUserDatabase.value(for: "appuser@maindb")?.count == 1)
        #expect(a.disconnections == 2)
        #expect(abs(a.sessionDuration.sum - (2.112 + 57.876)) < 1e-9)
        #expect(a.errors == 1)
        let error = try #require(a.errorTemplates.value(for: "relation \"...\" does not exist at character <*>"))
        #expect(error.statement == "SELECT * FROM nonexistent_table;")
        #expect(a.unmeasuredQueries == 2)
        // PDT is read as -07:00.
        #expect(a.firstTime == PostgresFixtureTests.epoch("2025-08-13T08:45:01Z"))
    }

    /// lnav's logfile_postgres.1/.2: an ERROR whose STATEMENT spans 40 tab-led lines; DETAIL and
    /// CONTEXT joined to their ERROR.
    @Test func lnavMultiLineErrors() throws {
        guard let one = try Self.lines("lnav/test/logfile_postgres.1"),
              let two = try Self.lines("lnav/test/logfile_postgres.2") else { return }
        let a = PostgresCorpus.run(one).aggregate
        #expect(a.errors == 2)
        let syntax = try #require(a.errorTemplates.value(for: "syntax error at or near \"...\" at character <*>"))
        let statement = try #require(syntax.statement)
        #expect(statement.hasPrefix("create table if not exists scrape_memory ("))
        #expect(statement.hasSuffix("\t);"))
        #expect(statement.split(separator: "\n").count == 39)  // the STATEMENT line and 38 tab-led ones
        #expect(a.severities[Int(PostgresSeverity.warning.rawValue)] == 2)
        let b = PostgresCorpus.run(two).aggregate
        #expect(b.events == 2)
        let json = try #require(b.errorTemplates.value(for: "invalid input syntax for type json at character <*>"))
        #expect(json.count == 2)
        #expect(json.statement?.contains("net.http_get") == true)
    }

    /// An event longer than the cap is cut and counted; the next event is intact.
    @Test func eventCapIsCounted() {
        var lines: [[UInt8]] = [Array("2024-01-01 00:00:00.000 UTC [1] LOG:  duration: 1.000 ms  statement: SELECT".utf8)]
        for _ in 0..<200 { lines.append(Array("\t, column_with_a_long_name_to_fill_the_buffer_quickly_abcdefghijklmnopqrstuvwxyz".utf8)) }
        lines.append(Array("2024-01-01 00:00:01.000 UTC [1] LOG:  duration: 2.000 ms  statement: SELECT 1".utf8))
        let run = PostgresCorpus.run(lines, format: PostgresFormat(prefix: "%m [%p] "), maxEventBytes: 4096)
        #expect(run.aggregate.truncatedEvents == 1)
        #expect(run.aggregate.events == 2)
        #expect(run.aggregate.query("select ?")?.calls == 1)
    }

    /// Two halves of an input merged give what one pass gives.
    @Test func mergeEqualsOnePass() throws {
        guard let lines = try Self.lines("pgbadger/t/fixtures/light.postgres.log.bz2") else { return }
        let whole = PostgresCorpus.run(lines, bucket: 60).aggregate
        var first = PostgresCorpus.run(Array(lines[..<300]), bucket: 60).aggregate
        let second = PostgresCorpus.run(Array(lines[300...]), bucket: 60).aggregate
        first.merge(second)
        #expect(first.queries == whole.queries)
        #expect(first.queryDuration == whole.queryDuration)
        #expect(first.orderedBuckets.map(\.start) == whole.orderedBuckets.map(\.start))
        #expect(first.orderedBuckets.map(\.stats.duration) == whole.orderedBuckets.map(\.stats.duration))
        let a = first.allQueries, b = whole.allQueries
        #expect(a.map(\.fingerprint) == b.map(\.fingerprint))
        #expect(a.map(\.stats.duration) == b.map(\.stats.duration))
        #expect(a.map { $0.stats.slowest } == b.map { $0.stats.slowest })
        #expect(first.slowestQueries == whole.slowestQueries)
    }
}
