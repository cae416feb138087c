import Foundation
import Testing

/// `logsift fields`: formats, field types and units, and example values, against what Python
/// reads from the same files.
@Suite struct FieldsCommandTests {
    static func sample(_ name: String) -> String { Harness.packageRoot.appendingPathComponent("samples/\(name)").path }

    static func inventory(_ result: Harness.Result) throws -> [[String: Any]] {
        try #require(try JSONSerialization.jsonObject(with: result.stdout) as? [[String: Any]])
    }

    static func fields(_ input: [String: Any]) -> [String: [String: Any]] {
        var byName: [String: [String: Any]] = [:]
        for f in input["fields"] as? [[String: Any]] ?? [] { byName[f["name"] as? String ?? ""] = f }
        return byName
    }

    /// Every key of a JSON-lines log is a field, typed by its values and unit by its name; the
    /// examples are the first three distinct values, as Python reads them.
    @Test func jsonKeysWithTypesUnitsAndExamples() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("app.jsonl").path
        try Harness.shell("""
        python3 -c '
        import json, random
        r = random.Random(3)
        with open("\(log)", "w") as f:
            for i in range(500):
                d = {"ts": "2026-11-24T10:00:%02dZ" % (i % 60), "level": r.choice(["info", "warn", "error"]), "msg": "m%d" % i,
                     "status": r.choice([200, 404, 500]), "took_ms": r.randrange(1, 900), "response_time": r.random(),
                     "user_id": "u%d" % r.randrange(4), "bytes": r.randrange(10000)}
                if i % 5 == 0: del d["user_id"]
                f.write(json.dumps(d) + "\\n")
        '
        """)
        let result = try Harness.run(["fields", "--format", "json", log])
        #expect(result.status == 0, "\(result.stderr)")
        let input = try #require(try Self.inventory(result).first)
        #expect(input["format"] as? String == "app-jsonl")
        #expect(input["events"] as? Int == 500)
        let fields = Self.fields(input)
        let expected: [String: (String, String?)] = [
            "status": ("number", nil), "took_ms": ("number", "ms"), "response_time": ("number", "s"),
            "bytes": ("number", "bytes"), "user_id": ("text", nil), "level": ("level", nil), "message": ("text", nil),
        ]
        for (name, (type, unit)) in expected {
            let f = try #require(fields[name], "\(name)")
            #expect(f["type"] as? String == type, "\(name)")
            #expect(f["unit"] as? String == unit, "\(name)")
        }
        #expect(fields["user_id"]?["seen"] as? Int == 400)
        // The first three distinct user ids, in order of appearance.
        let users = try #require(try JSONSerialization.jsonObject(with: Data(Harness.shell("""
        python3 -c '
        import json
        seen = []
        for l in open("\(log)"):
            u = json.loads(l).get("user_id")
            if u is not None and u not in seen and len(seen) < 3: seen.append(u)
        print(json.dumps(seen))
        '
        """).utf8)) as? [String])
        #expect(fields["user_id"]?["examples"] as? [String] == users)
    }

    /// PostgreSQL: the fixed fields; `duration_ms` is in as many entries as Python finds
    /// `duration:` header lines (whole file read).
    @Test func postgresFieldsAndCounts() throws {
        let file = Self.sample("postgresql.log")
        let result = try Harness.run(["fields", "--format", "json", "--events", "1000000", file])
        #expect(result.status == 0, "\(result.stderr)")
        let input = try #require(try Self.inventory(result).first)
        let fields = Self.fields(input)
        #expect(fields["severity"]?["type"] as? String == "level")
        #expect(fields["duration_ms"]?["unit"] as? String == "ms")
        let truth = try Harness.shell(#"grep -cE '^[0-9-]+ [0-9:.]+ UTC \[[0-9]+\] [^ ]* ?LOG:  duration: ' '\#(file)'"#)
        #expect(fields["duration_ms"]?["seen"] as? Int == Int(truth.trimmingCharacters(in: .whitespacesAndNewlines)))
        let events = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: Harness.packageRoot.appendingPathComponent("samples/truth/postgresql.log.json"))) as? [String: Any])
        #expect(input["events"] as? Int == events["events"] as? Int)
    }

    /// Example values reach the terminal escaped: no raw control byte from the log.
    @Test func examplesAreEscaped() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("evil.logfmt")
        var text = ""
        for i in 0..<20 { text += "time=2026-11-24T10:00:\(10 + i)Z level=info msg=\"hi\" who=\"x\u{1b}[31mred\u{07}\" n=\(i)\n" }
        try text.write(to: log, atomically: true, encoding: .utf8)
        let result = try Harness.run(["fields", log.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.text.contains("who"), "\(result.text)")
        #expect(!result.stdout.contains(0x1b))
        #expect(!result.stdout.contains(0x07))
    }
}
