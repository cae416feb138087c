import Foundation
import Testing
@testable import LogAggregation
import LogParsing

@Suite struct ErrorTemplateTests {
    @Test func masksCommonVariables() {
        #expect(ErrorTemplate.template("Connection to 10.0.0.7:5432 timed out after 30s (attempt 3)")
                == "Connection to <*> timed out after <*> (attempt <*>)")
        #expect(ErrorTemplate.template("user 550e8400-e29b-41d4-a716-446655440000 not found")
                == "user <*> not found")
        #expect(ErrorTemplate.template("bad peer 2001:db8::1 port 443, retrying")
                == "bad peer <*> port <*>, retrying")
        #expect(ErrorTemplate.template("peer fe80::1 down") == "peer <*> down")
        #expect(ErrorTemplate.template("reset by [2001:db8:beef::1]:443 while reading")
                == "reset by [<*>]:<*> while reading")
        #expect(ErrorTemplate.template(#"open() "/var/www/index.html" failed (2: No such file or directory)"#)
                == #"open() "<*>" failed (<*>: No such file or directory)"#)
        #expect(ErrorTemplate.template("mail to bob@example.com bounced at 0xdeadbeef")
                == "mail to <*> bounced at <*>")
        #expect(ErrorTemplate.template("GET https://api.example.com/v1/orders/42 returned 503")
                == "GET <*> returned <*>")
        #expect(ErrorTemplate.template("file /srv/data/x.csv missing") == "file <*> missing")
        #expect(ErrorTemplate.template("order_id=123 user=alice took 12.5ms")
                == "order_id=<*> user=alice took <*>")
        #expect(ErrorTemplate.template("at 2026-11-24T10:00:00.123Z") == "at <*>")
        #expect(ErrorTemplate.template("can't read 'config.yml'") == "can't read '<*>'")
        // Quoted text with spaces is read word by word; day and month names of a date go.
        #expect(ErrorTemplate.template(#"request "GET /v2/x/42 HTTP/1.1" at Fri Jun 17 07:07:00 2005"#)
                == #"request "GET <*>" at <*>"#)
        #expect(ErrorTemplate.template("connect to proxy.cse.cuhk.edu.hk:5070 failed") == "connect to <*> failed")
        #expect(ErrorTemplate.template("java.lang.IllegalStateException: closed") == "java.lang.IllegalStateException: closed")
        // Ids of any alphabet: 8 hex letters are an id as surely as `0d74de44`.
        #expect(ErrorTemplate.template("retry req-abcdefab failed") == "retry <*> failed")
        #expect(ErrorTemplate.template("retry req-0d74de44 failed") == "retry <*> failed")
        #expect(ErrorTemplate.template("feedback accepted") == "feedback accepted")
    }

    @Test func similarMessagesShareATemplate() {
        let a = ErrorTemplate.template("Timeout waiting for lock 8812 held by txn 77 after 1500 ms")
        let b = ErrorTemplate.template("Timeout waiting for lock 3 held by txn 100234 after 9 ms")
        #expect(a == b)
        // A list of varying length collapses.
        #expect(ErrorTemplate.template("cpus 1 2 3 4 offline") == ErrorTemplate.template("cpus 7 offline"))
    }

    @Test func outputIsBounded() {
        let long = String(repeating: "word ", count: 1000)
        #expect(ErrorTemplate.template(long).utf8.count <= ErrorTemplate.maxLength)
    }

    static let datasets = ["Android", "Apache", "BGL", "HDFS", "HPC", "Hadoop", "HealthApp", "Linux", "Mac",
                           "OpenSSH", "OpenStack", "Proxifier", "Spark", "Thunderbird", "Windows", "Zookeeper"]

    /// Grouping accuracy as in the loghub benchmark (Zhu et al., ICSE-SEIP 2019): a line counts as
    /// correct when the set of lines grouped with it equals the set of lines of its ground-truth
    /// group. Ground truth: loghub-2.0's corrected templates. Grouping uses only each line's
    /// `Content` (the part after the loghub header, as the benchmark cuts it off).
    @Test func groupingAccuracyOnLoghub() throws {
        guard let corpora = applicationCorpora(for: "groupingAccuracyOnLoghub") else { return }
        let table = Self.datasets.compactMap { ds in
            Self.accuracy(ds, file: "\(corpora)/loghub-2.0/2k_dataset/\(ds)/\(ds)_2k.log_structured_corrected.csv")
        }
        guard !table.isEmpty else {
            print("SKIPPED: groupingAccuracyOnLoghub: no loghub-2.0 corrected files")
            return
        }
        let average = Self.printTable("Grouping accuracy on loghub-2.0 2k (corrected templates):", table)
        #expect(average >= 0.90)
    }

    /// The loghub 2k datasets that loghub-2.0 leaves out (Android, Windows), with loghub's own
    /// templates: data the similarity threshold and masking rules were not chosen on.
    @Test func groupingAccuracyOutOfSample() throws {
        guard let corpora = applicationCorpora(for: "groupingAccuracyOutOfSample") else { return }
        let fm = FileManager.default
        let table = Self.datasets.compactMap { ds -> (String, Int, Int, Int, Double)? in
            guard !fm.fileExists(atPath: "\(corpora)/loghub-2.0/2k_dataset/\(ds)") else { return nil }
            return Self.accuracy(ds, file: "\(corpora)/loghub/\(ds)/\(ds)_2k.log_structured.csv")
        }
        guard !table.isEmpty else {
            print("SKIPPED: groupingAccuracyOutOfSample: no loghub 2k files outside loghub-2.0")
            return
        }
        let average = Self.printTable("Grouping accuracy on loghub 2k datasets not in loghub-2.0 (loghub templates):", table)
        // Measured when this test was written: Android 0.926, Windows 0.696 (one `Session: …
        // initialized by client SPP.` line joins the 608 `… WindowsUpdateAgent.` lines: 5 of 6
        // tokens agree, over the 0.8 similarity), average 0.811. A floor under that, which a
        // change overfitted to loghub-2.0 would break.
        #expect(average >= 0.78)
    }

    /// Accuracy on one structured loghub CSV: (dataset, lines, truth groups, our groups, accuracy).
    /// With `LOGSIFT_GROUPING_SPLIT` set, each `Content` is first narrowed by
    /// `ApplicationLineParser.splitContext` (as app-text messages are), to measure that rule.
    static func accuracy(_ ds: String, file path: String) -> (String, Int, Int, Int, Double)? {
        let similarity = ProcessInfo.processInfo.environment["LOGSIFT_GROUPING_SIMILARITY"].flatMap(Double.init)
            ?? ApplicationErrorGroups.defaultSimilarity
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        let rows = applicationCSV(text)
        guard let header = rows.first, let contentAt = header.firstIndex(of: "Content"),
              let templateAt = header.firstIndex(of: "EventTemplate") else { return nil }
        var truth: [String] = []
        var ours: [String] = []
        var groups = ApplicationErrorGroups(capacity: 10_000, similarity: similarity)
        for row in rows.dropFirst() where row.count == header.count {
            truth.append(row[templateAt])
            let content = Array(row[contentAt].utf8)
            let g = content.withUnsafeBytes { raw in
                withUnsafeTemporaryAllocation(byteCount: ErrorTemplate.maxLength, alignment: 8) { out in
                    var r = ApplicationRecord()
                    r.message = 0..<raw.count
                    if ProcessInfo.processInfo.environment["LOGSIFT_GROUPING_SPLIT"] != nil { ApplicationLineParser.splitContext(raw, &r) }
                    let n = ErrorTemplate.write(raw, r.message, into: out)
                    return groups.groupIndex(template: UnsafeRawBufferPointer(rebasing: out[0..<n]))
                }
            }
            ours.append(String(g))
        }
        if ProcessInfo.processInfo.environment["LOGSIFT_GROUPING_DEBUG"] == ds {
            Self.debugGroups(truth: truth, predicted: ours, contents: rows.dropFirst().map { $0[contentAt] })
        }
        return (ds, truth.count, Set(truth).count, Set(ours).count, Self.groupingAccuracy(truth: truth, predicted: ours))
    }

    /// Prints the table and returns the average accuracy.
    static func printTable(_ title: String, _ table: [(String, Int, Int, Int, Double)]) -> Double {
        print(title)
        print("dataset       lines  truth-groups  our-groups  accuracy")
        for (ds, n, t, o, a) in table {
            print(ds.padding(toLength: 12, withPad: " ", startingAt: 0)
                  + String(format: "%7d %13d %11d %9.3f", n, t, o, a))
        }
        let average = table.map(\.4).reduce(0, +) / Double(table.count)
        print(String(format: "average over %d datasets: %.3f", table.count, average))
        return average
    }

    static func debugGroups(truth: [String], predicted: [String], contents: [String]) {
        var truthGroups: [String: [Int]] = [:]
        var predictedGroups: [String: [Int]] = [:]
        for i in truth.indices {
            truthGroups[truth[i], default: []].append(i)
            predictedGroups[predicted[i], default: []].append(i)
        }
        for (t, members) in truthGroups.sorted(by: { $0.value.count > $1.value.count }) {
            let ps = Set(members.map { predicted[$0] })
            if ps.count == 1 && predictedGroups[predicted[members[0]]]!.count == members.count { continue }
            print("TRUTH (\(members.count)) \(t)")
            for p in ps.prefix(4) {
                let m = predictedGroups[p]!
                print("   ours \(m.count): \(ErrorTemplate.template(contents[m[0]]))  | e.g. \(contents[m[0]].prefix(120))")
            }
        }
    }

    static func groupingAccuracy(truth: [String], predicted: [String]) -> Double {
        var truthGroups: [String: [Int]] = [:]
        var predictedGroups: [String: [Int]] = [:]
        for i in truth.indices {
            truthGroups[truth[i], default: []].append(i)
            predictedGroups[predicted[i], default: []].append(i)
        }
        var correct = 0
        for (_, members) in predictedGroups {
            // All members share one truth group and that group has exactly these members.
            let t = truth[members[0]]
            if members.allSatisfy({ truth[$0] == t }) && truthGroups[t]!.count == members.count {
                correct += members.count
            }
        }
        return Double(correct) / Double(truth.count)
    }
}
