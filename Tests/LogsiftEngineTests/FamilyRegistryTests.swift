import Foundation
import LogInput
import LogParsing
import LogsiftTestSupport
import Testing
@testable import LogsiftEngine

/// The family registry (`Families`) is complete and consistent, and detection through it picks
/// each file's known family.
@Suite struct FamilyRegistryTests {
    /// Every `LogFormat.Family` is registered exactly once, under its own tag.
    @Test func everyFamilyIsRegisteredOnce() {
        let tags = Families.all.map { $0.family }
        #expect(tags.count == Set(tags).count, "a family is listed twice: \(tags)")
        #expect(Set(tags) == Set(LogFormat.Family.allCases))
        for family in LogFormat.Family.allCases {
            #expect(Families.entry(family).family == family)
        }
    }

    /// Each entry's named formats and detected formats are of its own family, and its query
    /// decoder is its declared concrete type (what `Families.visit` specializes for).
    @Test func entriesHandleOnlyTheirOwnFormats() throws {
        let samples = Corpora.packageRoot.appendingPathComponent("samples")
        for entry in Families.all {
            for format in entry.namedFormats { #expect(format.family == entry.family, "\(format.name)") }
        }
        for (file, family) in [("access.log", LogFormat.Family.access), ("postgresql.log", .postgres), ("app.log", .application)] {
            let sample = try Self.sample(samples.appendingPathComponent(file).path)
            let format = try #require(FormatDetector.automatic().choose(sample).format)
            let entry = Families.entry(for: format)
            #expect(entry.family == family)
            for found in entry.detect(sample) { #expect(found.format.family == family) }
            struct Probe: QueryDecoderVisitor {
                var concrete = ""
                mutating func visit<D: QueryEventDecoder>(_ decoder: D) { concrete = "\(D.self)" }
            }
            var probe = Probe()
            Families.visit(Families.queryDecoder(for: format, zone: .utc), &probe)
            let expected = ["access": "AccessEventDecoder", "postgres": "PostgresEventDecoder",
                            "application": "ApplicationEventDecoder"][family.rawValue]
            #expect(probe.concrete == expected, "\(file): visited as \(probe.concrete)")
        }
    }

    /// Detection through the registry gives each file its known family: samples/ (written for
    /// their family) and third-party corpora (nginx/Apache access logs, PostgreSQL stderr and
    /// csvlog, logfmt, JSON lines and syslog application logs).
    @Test func detectionPicksTheKnownFamily() throws {
        var files: [(String, LogFormat.Family)] = []
        let samples = Corpora.packageRoot.appendingPathComponent("samples").path
        files += [("\(samples)/access.log", .access), ("\(samples)/access.log.1", .access),
                  ("\(samples)/access.log.2.gz", .access), ("\(samples)/postgresql.log", .postgres),
                  ("\(samples)/app.log", .application)]
        if let corpora = Corpora.path() {
            files += [("\(corpora)/lnav/test/logfile_access_log.0", .access),
                      ("\(corpora)/elastic-beats/filebeat/module/nginx/access/test/test.log", .access),
                      ("\(corpora)/lnav/test/logfile_postgres.0", .postgres),
                      ("\(corpora)/pgbadger/t/fixtures/csv_statement_without_duration.log", .postgres),
                      ("\(corpora)/lnav/test/logfile_logfmt.0", .application),
                      ("\(corpora)/lnav/test/logfile_json.json", .application),
                      ("\(corpora)/lnav/test/logfile_syslog.0", .application)]
        }
        for (path, family) in files {
            let sample = try Self.sample(path)
            let choice = FormatDetector.automatic().choose(sample)
            #expect(choice.format?.family == family, "\(path): \(choice.format?.name ?? "nothing")")
            // The chosen format's own family scores it as detection counted it.
            if let format = choice.format {
                #expect(Families.entry(for: format).score(format, sample.filter { !$0.isEmpty }) == choice.matched,
                        "\(path): \(format.name)")
            }
        }
    }

    static func sample(_ path: String) throws -> [[UInt8]] {
        let reader = LineReader(source: try InputSpec(path: path).open())
        return FormatDetector.sniff(reader)
    }
}
