import Foundation
import Testing

/// Every format name `logsift detect` prints is accepted by `report --log-format` and reads the
/// input as detection did; a name that does not say the whole format (a layout guessed from the
/// lines, a docker-compose stream) is refused with what to pass instead.
@Suite struct LogFormatNameTests {
    /// The names `detect --format json` prints for `paths`, with their input.
    static func detectedNames(_ paths: [String]) throws -> [(input: String, format: String)] {
        let result = try Harness.run(["detect", "--format", "json"] + paths)
        let items = try #require(try JSONSerialization.jsonObject(with: result.stdout) as? [[String: Any]])
        return items.compactMap { item in
            guard let input = item["input"] as? String, let format = item["format"] as? String, format != "unknown" else { return nil }
            return (input, format)
        }
    }

    /// Unmatched lines of `input` by its generator's truth (`samples/truth/<name>.json`; the
    /// `.gz` read as its text); 0 for inputs without one (every line written in the format).
    static func truthUnmatched(_ input: String) -> Int {
        let name = URL(fileURLWithPath: input).lastPathComponent.replacingOccurrences(of: ".gz", with: "")
        let truth = Harness.packageRoot.appendingPathComponent("samples/truth/\(name).json")
        guard let data = try? Data(contentsOf: truth),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return 0 }
        return object["unmatched"] as? Int ?? 0
    }

    /// Writes 100 combined lines with `rt= urt= ust= rl=` after each (detected as
    /// `nginx-combined + 4 fields (rt urt ust rl)`) and one with `rt=` and a quoted `"host"`.
    static func trailingFieldLogs(in dir: URL) throws -> [String] {
        let line = "10.0.0.%d - - [24/Nov/2026:10:%02d:00 +0000] \"GET /a/%d HTTP/1.1\" 200 512 \"-\" \"curl/8\""
        let four = (1...100).map { i in
            String(format: line, i % 9, i % 60, i) + String(format: " rt=%.3f urt=%.3f ust=200 rl=512", Double(i) / 100, Double(i) / 100 - 0.005)
        }
        let quoted = (1...100).map { i in String(format: line, i % 9, i % 60, i) + " rt=0.010 host=\"example.org\"" }
        let a = dir.appendingPathComponent("four.log"), b = dir.appendingPathComponent("quoted.log")
        try (four.joined(separator: "\n") + "\n").write(to: a, atomically: true, encoding: .utf8)
        try (quoted.joined(separator: "\n") + "\n").write(to: b, atomically: true, encoding: .utf8)
        return [a.path, b.path]
    }

    /// For the samples and two trailing-field logs: each detected name, passed back, is accepted
    /// (exit 0, not 64) and every line of its input is recognised under that same name. The old
    /// binary exited 64 on `nginx-combined + 4 fields (rt urt ust rl)`.
    @Test func everyNameDetectPrintsIsAccepted() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let samples = ["access.log", "access.log.1", "access.log.2.gz", "app.log", "postgresql.log"]
            .map { Harness.packageRoot.appendingPathComponent("samples/\($0)").path }
        let named = try Self.detectedNames(samples + Self.trailingFieldLogs(in: dir))
        #expect(named.count == 7)
        #expect(named.contains { $0.format == "nginx-combined + 4 fields (rt urt ust rl)" }, "\(named)")
        #expect(named.contains { $0.format == "nginx-combined + 2 fields (rt \"host\")" }, "\(named)")
        for (input, format) in named {
            let result = try Harness.run(["report", "--format", "json", "--log-format", format, input])
            #expect(result.status == 0, "\(format): \(result.stderr)")
            guard result.status == 0 else { continue }
            let first = try #require((try result.json()["inputs"] as? [[String: Any]])?.first)
            #expect(first["format"] as? String == format)
            #expect(first["unmatched"] as? Int == Self.truthUnmatched(input), "\(format): \(first)")
        }
    }

    /// A guessed layout's name and a docker-compose stream's name are refused (64) with what to
    /// pass instead, not with the list of known names.
    @Test func namesThatDoNotSayTheFormatAreRefusedWithWhatToPass() throws {
        let inferred = try Harness.run(["report", "--log-format", "nginx-custom (inferred)", "x.log"])
        #expect(inferred.status == 64)
        #expect(inferred.stderr.contains("pass the guess as --nginx-format '<log_format>'"), "\(inferred.stderr)")
        #expect(inferred.stderr.contains("`logsift detect FILE` prints the guess"), "\(inferred.stderr)")
        let compose = try Harness.run(["report", "--log-format", "docker-compose: web-1 nginx-combined, db-1 postgres-stderr '%m [%p] '", "x.log"])
        #expect(compose.status == 64)
        #expect(compose.stderr.contains("whose services are detected one by one: leave out --log-format"), "\(compose.stderr)")
    }
}
