import Foundation
import Testing

/// A PostgreSQL or application log cut between workers gives exactly the report of one pass:
/// cuts fall only before lines that start an event.
@Suite struct EventSplitTests {
    /// The report without the parts that name inputs.
    func numbers(_ arguments: [String]) throws -> NSDictionary {
        let result = try Harness.run(["report", "--format", "json", "--tz", "UTC", "--top", "1000", "--samples", "50"] + arguments)
        #expect(result.status == 0, "\(result.stderr)")
        var json = try result.json()
        json["inputs"] = nil
        return json as NSDictionary
    }

    func checkSplits(_ path: String) throws {
        let whole = try numbers(["--jobs", "1", path])
        for jobs in [2, 3, 7] {
            let split = try numbers(["--jobs", "\(jobs)", "--split-bytes", "1", path])
            #expect(split == whole, "\(URL(fileURLWithPath: path).lastPathComponent) in \(jobs) parts")
        }
    }

    @Test func samplesSplitExactly() throws {
        let samples = Harness.packageRoot.appendingPathComponent("samples")
        try checkSplits(samples.appendingPathComponent("postgresql.log").path)
        try checkSplits(samples.appendingPathComponent("app.log").path)
        try checkSplits(samples.appendingPathComponent("access.log").path)
    }

    @Test func thirdPartyLogsSplitExactly() throws {
        guard let corpora = Harness.corpora() else { return }
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Harness.shell("bzip2 -dc '\(corpora.path)/pgbadger/t/fixtures/light.postgres.log.bz2' > '\(dir.path)/light.log'")
        try Harness.shell("gzip -dc '\(corpora.path)/pgbadger/t/fixtures/pg_vacuums.log.gz' > '\(dir.path)/vacuums.log'")
        for path in [dir.path + "/light.log", dir.path + "/vacuums.log",
                     corpora.path + "/lnav/test/logfile_java.0", corpora.path + "/lnav/test/logfile_postgres.1",
                     corpora.path + "/loghub/Zookeeper/Zookeeper_2k.log"] {
            try checkSplits(path)
        }
    }
}
