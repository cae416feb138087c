import Foundation
import Testing
import LogParsing
import LogAggregation
@testable import LogReport

@Suite struct PostgresReportTests {
    static func aggregate() -> PostgresAggregate {
        let lines = [
            "2024-03-01 10:00:00.100 UTC [1] app@shop LOG:  duration: 12.500 ms  statement: SELECT * FROM t WHERE id IN (1,2,3)",
            "2024-03-01 10:00:01.100 UTC [1] app@shop LOG:  duration: 2.500 ms  execute S_1: SELECT * FROM t WHERE id IN ($1)",
            "2024-03-01 10:00:01.100 UTC [1] app@shop DETAIL:  parameters: $1 = '7'",
            "2024-03-01 10:01:00.100 UTC [2] app@shop LOG:  duration: 100.000 ms  statement: UPDATE t SET a = 1",
            "2024-03-01 10:01:00.200 UTC [2] app@shop ERROR:  relation \"x\" does not exist at character 15",
            "2024-03-01 10:01:00.200 UTC [2] app@shop STATEMENT:  SELECT * FROM x",
            "2024-03-01 10:01:01.000 UTC [3] LOG:  checkpoint complete: wrote 3 buffers (0.0%); write=0.100 s, sync=0.010 s, total=0.120 s",
        ]
        let p = PostgresProcessor(format: .stderr(prefix: "%m [%p] %q%u@%d "), bucketSeconds: 60, zone: .utc)
        p.begin(format: .stderr(prefix: "%m [%p] %q%u@%d "))
        for l in lines { _ = Array(l.utf8).withUnsafeBytes { p.consume($0) } }
        p.endInput()
        return p.aggregate
    }

    @Test func jsonReadsBack() throws {
        let v = PostgresReport.json(Self.aggregate(), top: 10, sort: .total)
        let object = try JSONSerialization.jsonObject(with: Data(v.rendered().utf8)) as! [String: Any]
        #expect(object["duration_unit"] as? String == "milliseconds")
        let top = (object["top_queries"] as! [String: Any])["items"] as! [[String: Any]]
        #expect(top.first?["fingerprint"] as? String == "update t set a = ?")
        #expect(top[1]["calls"] as? Int == 2)
        #expect(top[1]["total_ms"] as? Double == 15)
        #expect((top[1]["slowest"] as? [String: Any])?["duration_ms"] as? Double == 12.5)
        let buckets = object["buckets"] as! [[String: Any]]
        #expect(buckets.map { $0["start"] as? String } == ["2024-03-01T10:00:00Z", "2024-03-01T10:01:00Z"])
        #expect((object["errors"] as! [String: Any])["count"] as? Int == 1)
        // A masked number reads as the placeholder, not as a `0` the log never held.
        let templates = (object["errors"] as! [String: Any])["templates"] as! [[String: Any]]
        #expect(templates.first?["template"] as? String == "relation \"...\" does not exist at character <*>")
        let byCalls = PostgresReport.json(Self.aggregate(), top: 1, sort: .calls)
        #expect(byCalls.rendered(pretty: false).contains("\"fingerprint\":\"select * from t where id in (...)\""))
    }

    @Test func textFitsWidth() {
        let text = PostgresReport.text(Self.aggregate(), top: 10, sort: .mean, width: 100)
        print(text)
        #expect(text.contains("update t set a = ?"))
        #expect(text.contains("Errors: 1"))
        #expect(text.contains("Checkpoints: 1 completed"))
        for line in text.split(separator: "\n") { #expect(line.count <= 100, "\(line)") }
    }
}
