import Foundation
import Testing

/// `logsift query` on the samples against truth computed here in Python from the raw lines
/// (its own regex, its own quantile), never from logsift's output.
@Suite struct QueryCommandTests {
    static var samples: [String] {
        ["access.log", "access.log.1", "access.log.2.gz"].map { Harness.packageRoot.appendingPathComponent("samples/\($0)").path }
    }

    /// Runs a Python program that reads the sample lines (oldest first) as `rows`: dicts with
    /// line, status, method, path (no query string), request_time, epoch; prints JSON.
    static func truth(_ body: String) throws -> Any {
        let program = """
        import gzip, json, re, sys, datetime
        files = sys.argv[1:]
        order = [files[2], files[1], files[0]]
        rx = re.compile(r'^(\\S+) \\S+ \\S+ \\[([^\\]]+)\\] "(\\S+) ([^ "]+)[^"]*" (\\d{3}) (\\d+|-) "[^"]*" "[^"]*" (\\S+)')
        rows = []
        for f in order:
            opener = gzip.open if f.endswith('.gz') else open
            with opener(f, 'rt', encoding='utf-8', errors='replace') as fh:
                for line in fh:
                    line = line.rstrip('\\n')
                    m = rx.match(line)
                    if not m: continue
                    t = datetime.datetime.strptime(m.group(2), '%d/%b/%Y:%H:%M:%S %z')
                    rows.append(dict(line=line, addr=m.group(1), status=int(m.group(5)), method=m.group(3),
                                     path=m.group(4).split('?')[0], request_time=float(m.group(7)),
                                     epoch=int(t.timestamp())))
        def quantile(values, q):
            values = sorted(values)
            return values[int(q * (len(values) - 1))]
        \(body)
        """
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("logsift-truth-\(UUID().uuidString).py")
        try program.write(to: script, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: script) }
        let out = try Harness.shell("python3 '\(script.path)' " + samples.map { "'\($0)'" }.joined(separator: " "))
        return try JSONSerialization.jsonObject(with: Data(out.utf8))
    }

    static func jsonLines(_ result: Harness.Result) throws -> [[String: Any]] {
        try result.text.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    @Test func serverErrorsCountedByPath() throws {
        let result = try Harness.run(["query", "--format", "json", "status >= 500 | count by path"] + Self.samples)
        #expect(result.status == 0, "\(result.stderr)")
        let rows = try Self.jsonLines(result)
        let truth = try #require(try Self.truth("""
        c = {}
        for r in rows:
            if r['status'] >= 500: c[r['path']] = c.get(r['path'], 0) + 1
        print(json.dumps(c))
        """) as? [String: Int])
        #expect(rows.count == truth.count)
        for row in rows {
            let path = try #require(row["path"] as? String)
            #expect(row["count"] as? Int == truth[path], "\(path)")
        }
        // Largest first without a sort stage.
        let counts = rows.compactMap { $0["count"] as? Int }
        #expect(counts == counts.sorted(by: >))
    }

    @Test func p95OfOnePathInAFiveMinuteWindow() throws {
        // 13:00–14:00 local (+0100) is 12:00–13:00 UTC.
        let result = try Harness.run(["query", "--format", "json", "--since", "2026-11-24T12:00:00Z", "--until", "2026-11-24T13:00:00Z",
                                      #"path ~ "^/api/v1/" | count, p95(request_time), max(request_time) by 5m"#] + Self.samples)
        #expect(result.status == 0, "\(result.stderr)")
        let rows = try Self.jsonLines(result)
        let truth = try #require(try Self.truth("""
        utc = datetime.timezone.utc
        lo = int(datetime.datetime(2026, 11, 24, 12, tzinfo=utc).timestamp()); hi = lo + 3600
        b = {}
        for r in rows:
            if lo <= r['epoch'] < hi and r['path'].startswith('/api/v1/'):
                b.setdefault(r['epoch'] - r['epoch'] % 300, []).append(r['request_time'])
        print(json.dumps({datetime.datetime.fromtimestamp(k, datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ'): [len(v), quantile(v, 0.95), max(v)] for k, v in b.items()}))
        """) as? [String: [Double]])
        #expect(rows.count == 12)
        #expect(rows.count == truth.count)
        for row in rows {
            let time = try #require(row["time"] as? String)
            let t = try #require(truth[time])
            #expect(row["count"] as? Double == t[0], "\(time)")
            let p95 = try #require(row["p95(request_time)"] as? Double)
            #expect(abs(p95 - t[1]) <= 0.01 * t[1], "\(time): \(p95) vs \(t[1])")
            #expect(row["max(request_time)"] as? Double == t[2])
        }
    }

    @Test func writeMethodsByMethodAndStatus() throws {
        let result = try Harness.run(["query", "--format", "csv", "method in (POST, PUT, DELETE) | count by method, status"] + Self.samples)
        let lines = result.text.split(separator: "\n").map(String.init)
        #expect(lines.first == "method,status,count")
        let truth = try #require(try Self.truth("""
        c = {}
        for r in rows:
            if r['method'] in ('POST', 'PUT', 'DELETE'):
                k = r['method'] + ',' + str(r['status']); c[k] = c.get(k, 0) + 1
        print(json.dumps(c))
        """) as? [String: Int])
        var got: [String: Int] = [:]
        for line in lines.dropFirst() {
            let parts = line.split(separator: ",")
            got["\(parts[0]),\(parts[1])"] = Int(parts[2])
        }
        #expect(got == truth)
    }

    @Test func matchingLinesAreTheLinesAsWritten() throws {
        let result = try Harness.run(["query", "status >= 500 and request_time > 250ms"] + Self.samples)
        let truth = try #require(try Self.truth("""
        print(json.dumps([r['line'] for r in rows if r['status'] >= 500 and r['request_time'] > 0.25]))
        """) as? [String])
        let printed = result.text.split(separator: "\n").map(String.init)
        #expect(!truth.isEmpty)
        // Several inputs: each line is prefixed with its file.
        #expect(printed.map { String($0.drop(while: { $0 != ":" }).dropFirst()) } == truth)
        let counted = try Harness.run(["query", "--count", "status >= 500 and request_time > 250ms"] + Self.samples)
        #expect(counted.text == "\(truth.count)\n")
    }

    @Test func silentMinutesAreZeros() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("access.log")
        let line = { (m: Int) in #"10.0.0.1 - - [24/Nov/2026:10:0\#(m):01 +0000] "GET /a HTTP/1.1" 200 5 "-" "curl/8" 0.010"# }
        try [line(0), line(0), line(3)].joined(separator: "\n").appending("\n").write(to: file, atomically: true, encoding: .utf8)
        let result = try Harness.run(["query", "--format", "json", "count by 1m", file.path])
        let rows = try Self.jsonLines(result)
        #expect(rows.map { $0["count"] as? Int } == [2, 0, 0, 1])
        #expect(rows.first?["time"] as? String == "2026-11-24T10:00:00Z")
        // Standard input reads the same.
        let piped = try Harness.run(["query", "--format", "json", "count by 1m", "-"], stdinFile: file)
        #expect(try Self.jsonLines(piped).map { $0["count"] as? Int } == [2, 0, 0, 1])
    }

    @Test func errorsNameTheColumnAndOtherFamiliesAreNamed() throws {
        let unknown = try Harness.run(["query", "stauts >= 500 | count by path"] + Self.samples)
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("query:1:1: unknown field 'stauts' (did you mean 'status'?)"))
        let syntax = try Harness.run(["query", "status >= | count"] + Self.samples)
        #expect(syntax.status == 64)
        #expect(syntax.stderr.contains("query:1:11:"))
        let pg = Harness.packageRoot.appendingPathComponent("samples/postgresql.log").path
        let mixed = try Harness.run(["query", "--count", "status >= 500", pg] + Self.samples)
        #expect(mixed.status == 0)
        #expect(mixed.stderr.contains("postgresql.log has no field status"))
        // A PostgreSQL log alone has no status at all: an error, not an empty answer.
        let only = try Harness.run(["query", "--count", "status >= 500", pg])
        #expect(only.status == 64)
        #expect(only.stderr.contains("query:1:1: unknown field 'status'"), "\(only.stderr)")
        let sorted = try Harness.run(["query", "count by path | sort cuont desc"] + Self.samples)
        #expect(sorted.status == 64)
        #expect(sorted.stderr.contains("did you mean count?"))
    }
}

/// What a user trial of `logsift query` found, each pinned by the command that showed it.
@Suite struct QueryTrialTests {
    static var samples: [String] { QueryCommandTests.samples }

    @Test func aVeryLongQueryIsAnErrorNotACrash() throws {
        let query = (0..<2000).map { "status = \($0)" }.joined(separator: " or ")
        let result = try Harness.run(["query", "--count", query] + Self.samples)
        #expect(result.status == 64)
        #expect(result.stderr.contains("at most 256 comparisons"))
        // The echoed query is a window around the column, not the whole text.
        #expect(result.stderr.count < 1000)
        let nested = String(repeating: "not ", count: 5000) + "status = 200"
        #expect(try Harness.run(["query", "--count", nested] + Self.samples).status == 64)
    }

    @Test func anInputWithoutAnAggregatedFieldStillCounts() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // combined without $request_time: 3 lines the samples' format does not share.
        let plain = dir.appendingPathComponent("plain.log")
        try (0..<3).map { #"10.0.0.\#($0) - - [24/Nov/2026:10:00:0\#($0) +0000] "GET /x HTTP/1.1" 200 5 "-" "curl/8""# }
            .joined(separator: "\n").appending("\n").write(to: plain, atomically: true, encoding: .utf8)
        let sample = Harness.packageRoot.appendingPathComponent("samples/access.log").path
        let result = try Harness.run(["query", "--format", "json", "count, max(request_time)", sample, plain.path])
        let row = try #require(try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any])
        let alone = try Harness.run(["query", "--count", "status exists", sample])
        let sampleCount = try #require(Int(alone.text.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(row["count"] as? Int == sampleCount + 3)
        #expect(result.stderr.contains("has no field request_time"))
    }

    @Test func notAtTheStartLimitOnLinesAndSortOnlyOnRows() throws {
        let all = try Harness.run(["query", "--count", "status exists"] + Self.samples)
        let ok = try Harness.run(["query", "--count", "status = 200"] + Self.samples)
        let not = try Harness.run(["query", "--count", "not (status = 200)"] + Self.samples)
        let counts = try [not, all, ok].map { try #require(Int($0.text.trimmingCharacters(in: .whitespacesAndNewlines)), "\($0.stderr)") }
        #expect(counts[0] == counts[1] - counts[2])
        #expect(try Harness.run(["query", "status >= 500 | limit 3"] + Self.samples).text.split(separator: "\n").count == 3)
        let sorted = try Harness.run(["query", "status >= 500 | sort count"] + Self.samples)
        #expect(sorted.status == 64)
        #expect(sorted.stderr.contains("sort orders the rows of an aggregate stage"))
        #expect(try Harness.run(["query", "count(status >= 500), count(status>=500)"] + Self.samples).status == 64)
    }

    @Test func wholeSumsAndZeroCountsAndRelativeTimes() throws {
        let sum = try Harness.run(["query", "sum(body_bytes_sent)", Self.samples[0]])
        let json = try Harness.run(["query", "--format", "json", "sum(body_bytes_sent)", Self.samples[0]])
        let value = try #require((try JSONSerialization.jsonObject(with: json.stdout) as? [String: Any])?["sum(body_bytes_sent)"] as? Int)
        #expect(sum.text.contains(String(value)))
        let none = try Harness.run(["query", "--format", "json", "status > 999 | count"] + Self.samples)
        #expect(none.text == "{\"count\":0}\n")
        let relative = try Harness.run(["query", "--count", "--since", "-1d", "status exists"] + Self.samples)
        #expect(relative.status == 0)
        #expect(relative.text == "0\n")
        #expect(relative.stderr.contains("no event in the time window; the logs read span 2026-11-24"))
        let fraction = try Harness.run(["query", "--count", "--since", "2026-11-24T12:00:00Z", "--until", "2026-11-24T12:00:00.5Z",
                                        "status exists", Self.samples[0]])
        let atNoon = try Harness.run(["query", "--count", "--since", "2026-11-24T12:00:00Z", "--until", "2026-11-24T12:00:01Z",
                                      "status exists", Self.samples[0]])
        #expect(fraction.text == atNoon.text)
    }

    @Test func csvLinesHaveAHeaderAndQuotes() throws {
        let result = try Harness.run(["query", "--format", "csv", "status = 504"] + Self.samples)
        let lines = result.text.split(separator: "\n")
        #expect(lines.first == "input,line")
        #expect(lines.dropFirst().allSatisfy { $0.contains(",\"") && $0.hasSuffix("\"") })
    }
}
