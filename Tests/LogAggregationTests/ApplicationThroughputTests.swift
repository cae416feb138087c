import Foundation
import Testing
import LogAggregation
import LogParsing

/// The application-log throughput harness used by `Benchmarks/bench_applog.py` until the CLI
/// reads application logs: runs only when `LOGSIFT_APPLOG_BENCH` names a log file. It frames
/// lines with `LineReader`, feeds `ApplicationProcessor`, prints one `APPLOG_BENCH {json}` line
/// with seconds, MB/s and what was counted, and checks the counts against `<file>.truth.json` when present. No timed
/// assertion: the time is only printed.
@Suite struct ApplicationThroughputTests {
    @Test func throughputHarness() throws {
        guard let path = ProcessInfo.processInfo.environment["LOGSIFT_APPLOG_BENCH"], !path.isEmpty else { return }
        let processor = ApplicationProcessor(bucketSeconds: 60, zone: .utc)
        processor.begin(format: .text)
        let fed = try feedFile(path, to: processor)
        let (seconds, bytes, lines, unmatched) = (fed.seconds, fed.bytes, fed.lines, fed.unmatched)
        let a = processor.aggregate
        let top = a.groups.top(100)
        let result: [String: Any] = [
            "seconds": seconds, "bytes": bytes, "mb_per_s": Double(bytes) / 1e6 / seconds, "lines": lines,
            "unmatched": unmatched, "events": a.events, "continuation_lines": a.continuationLines,
            "levels": Dictionary(uniqueKeysWithValues: ApplicationLevel.allCases.map { ($0.name, a.total.of($0)) }),
            "groups": top.map { ["template": $0.template, "count": $0.count, "level": $0.level.name] },
        ]
        let json = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
        print("APPLOG_BENCH " + String(decoding: json, as: UTF8.self))

        guard let truthData = FileManager.default.contents(atPath: path + ".truth.json"),
              let truth = try JSONSerialization.jsonObject(with: truthData) as? [String: Any] else { return }
        #expect(a.events == (truth["events"] as! NSNumber).uint64Value)
        #expect(a.continuationLines == (truth["continuation_lines"] as! NSNumber).uint64Value)
        let levels = truth["levels"] as! [String: NSNumber]
        for (name, n) in levels {
            let level = ApplicationLevel.allCases.first { $0.name == name }!
            #expect(a.total.of(level) == n.uint64Value, "\(name)")
        }
        // Groups: how many truth templates came out as exactly one group of the same level and
        // count (printed, not asserted: a word variable near the start of a message, like
        // `task resize|thumbnail for ...`, splits a template, and that is what we measure).
        let truthGroups = (truth["groups"] as! [String: [String: Any]])
        var unmatchedOurs = top.map { "\($0.level.name) \($0.count)" }
        var exact = 0
        var missed: [String] = []
        for (name, g) in truthGroups.sorted(by: { $0.key < $1.key }) {
            let key = "\(g["level"] as! String) \((g["count"] as! NSNumber).uint64Value)"
            if let i = unmatchedOurs.firstIndex(of: key) { unmatchedOurs.remove(at: i); exact += 1 } else { missed.append(name) }
        }
        print("APPLOG_GROUPS truth \(truthGroups.count), ours \(top.count), exact \(exact); split or merged: \(missed)")
        #expect(exact >= truthGroups.count - 2)
    }
}
