import Foundation
import LogsiftTestSupport
import Testing

/// Error groups of an application log written with known messages: one group per message,
/// whatever service, request id or keyed context each line carries.
@Suite struct ErrorGroupingTests {
    /// The messages the generator writes: a level, a phrase found in no other message (to tell
    /// which group holds it), and the message with its variable parts filled in.
    struct Message: Sendable {
        let level: String
        let phrase: String
        let make: @Sendable (inout FuzzRNG) -> String
    }


    static let messages: [Message] = [
        Message(level: "ERROR", phrase: "Timeout waiting for response") { "Timeout waiting for response from payments-api after \(1000 + $0.below(5000)) ms" },
        Message(level: "ERROR", phrase: "Connection refused by") { "Connection refused by 10.0.\($0.below(256)).\($0.below(256)):5432" },
        Message(level: "ERROR", phrase: "could not charge card") { "could not charge card ending \($0.below(10000)): gateway said \(400 + $0.below(100))" },
        Message(level: "ERROR", phrase: "Deadlock detected on table") { "Deadlock detected on table orders while updating row \($0.below(99999))" },
        Message(level: "ERROR", phrase: "Upstream returned HTTP") { "Upstream returned HTTP \(500 + $0.below(4)) for GET /api/v1/items/\($0.below(9999))" },
        Message(level: "ERROR", phrase: "Failed to publish event") { "Failed to publish event \($0.below(999999)) to topic orders.created" },
        Message(level: "ERROR", phrase: "Invalid signature on webhook") { "Invalid signature on webhook delivery \($0.below(99999))" },
        Message(level: "ERROR", phrase: "Out of retries sending email") { "Out of retries sending email to user\($0.below(999))@example.com" },
        Message(level: "WARN", phrase: "Slow query took") { "Slow query took \($0.below(9000)) ms on replica \($0.below(4))" },
        Message(level: "WARN", phrase: "Cache miss ratio high") { "Cache miss ratio high: \($0.below(100))% over the last minute" },
        Message(level: "WARN", phrase: "Retrying request to inventory") { "Retrying request to inventory service, attempt \(1 + $0.below(5)) of 5" },
        Message(level: "WARN", phrase: "Rate limit near for client") { "Rate limit near for client \($0.below(99999)): \($0.below(1000)) of 1000 requests" },
        Message(level: "WARN", phrase: "Certificate expires soon") { "Certificate expires soon: \($0.below(30)) days left" },
        Message(level: "WARN", phrase: "Queue depth above threshold") { "Queue depth above threshold: \($0.below(100000)) messages pending" },
        Message(level: "WARN", phrase: "Deprecated endpoint called") { "Deprecated endpoint called by client version \($0.below(9)).\($0.below(9)).\($0.below(9))" },
        Message(level: "FATAL", phrase: "Cannot bind listener") { "Cannot bind listener on port \(8000 + $0.below(100)): address in use" },
        Message(level: "FATAL", phrase: "Database schema mismatch") { "Database schema mismatch: expected version \($0.below(99)), found \($0.below(99))" },
        Message(level: "FATAL", phrase: "Unrecoverable disk error") { "Unrecoverable disk error on /dev/sd\(["a", "b", "c"][$0.below(3)]) sector \($0.below(1_000_000))" },
        Message(level: "FATAL", phrase: "Configuration file missing") { "Configuration file missing key database.url after reload \($0.below(99))" },
    ]

    static let services = ["payments", "orders", "inventory", "gateway", "notifier", "auth", "search"]

    struct Truth {
        var count = 0
        var services: [String: Int] = [:]
    }

    /// Writes `events` WARN+ lines (and as many INFO lines) in the issue's layout, with context
    /// in every form the report must ignore, and returns the truth per message.
    static func write(to url: URL, events: Int, seed: UInt64) throws -> [Truth] {
        var r = FuzzRNG(seed: seed)
        var truth = Array(repeating: Truth(), count: messages.count)
        var text = ""
        for n in 0..<events {
            // Rare messages stay rare (as FATALs are): message k is drawn with weight 19 - k/2.
            let weights = messages.indices.map { messages.count - $0 / 2 }
            var pick = r.below(weights.reduce(0, +))
            var k = 0
            while pick >= weights[k] { pick -= weights[k]; k += 1 }
            let m = messages[k]
            let service = services[r.below(services.count)]
            let second = n % 60
            let stamp = String(format: "2026-11-22T00:%02d:%02d.%03dZ", (n / 60) % 60, second, n % 1000)
            let id = "req-" + r.hex(8, lettersOnly: r.below(4) == 0)
            var context: String
            switch r.below(4) {
            case 0: context = "[\(service)] [\(id)]"
            case 1: context = "[\(service)] thread=worker-\(r.below(16)) [\(id)]"
            case 2: context = "[\(service)] worker=\(r.below(8))"
            default: context = "[\(service)] [\(id)] [trace-\(r.hex(16, lettersOnly: false))]"
            }
            var message = m.make(&r)
            if r.below(3) == 0 { message += " user_id=\(r.below(5000)) region=eu-west-\(1 + r.below(3))" }
            text += "\(stamp) \(m.level) \(context) \(message)\n"
            text += "\(stamp) INFO [\(service)] [\(id)] request served in \(r.below(400)) ms\n"
            truth[k].count += 1
            truth[k].services[service, default: 0] += 1
        }
        try text.write(to: url, atomically: true, encoding: .utf8)
        return truth
    }

    @Test func oneGroupPerMessageWithServicesCounted() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("app.log")
        let truth = try Self.write(to: log, events: 6_000, seed: 7)
        #expect(truth.allSatisfy { $0.count > 0 })

        let result = try Harness.run(["report", "--format", "json", "--top", "200", "--tz", "UTC", log.path])
        #expect(result.status == 0, "\(result.stderr)")
        let application = try #require(try result.json()["application"] as? [String: Any])
        let groups = try #require(application["error_groups"] as? [[String: Any]])
        #expect(groups.count == Self.messages.count, "one group per distinct message")
        for (k, m) in Self.messages.enumerated() {
            let holding = groups.filter { ($0["sample"] as? String ?? "").contains(m.phrase) }
            #expect(holding.count == 1, "\(m.phrase): \(holding.count) groups")
            guard let g = holding.first else { continue }
            #expect(g["count"] as? Int == truth[k].count, "\(m.phrase)")
            #expect((g["level"] as? String) == (m.level == "WARN" ? "warn" : m.level.lowercased()))
            let services = (g["services"] as? [[String: Any]] ?? []).reduce(into: [String: Int]()) {
                $0[$1["service"] as? String ?? "?"] = $1["count"] as? Int
            }
            #expect(services == truth[k].services, "\(m.phrase)")
            let template = g["template"] as? String ?? ""
            #expect(!template.contains("req-") && !template.contains("[") && !template.contains("="), "\(template)")
        }
    }

    @Test func fatalAndErrorGroupsComeBeforeWarnGroups() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("app.log")
        _ = try Self.write(to: log, events: 3_000, seed: 11)
        let result = try Harness.run(["report", "--top", "30", "--tz", "UTC", log.path])
        #expect(result.status == 0, "\(result.stderr)")
        let section = try #require(result.text.components(separatedBy: "Top error groups").last)
        let levels = section.split(separator: "\n").compactMap { line -> String? in
            guard let open = line.range(of: ". ["), let close = line.range(of: "]", range: open.upperBound..<line.endIndex),
                  line.first?.isNumber == true else { return nil }
            return String(line[open.upperBound..<close.lowerBound])
        }
        #expect(levels.count == Self.messages.count)
        // FATAL, then ERROR, then WARN, though FATAL groups are the smallest.
        #expect(levels == Array(repeating: "fatal", count: 4) + Array(repeating: "error", count: 8)
                + Array(repeating: "warn", count: 7))
        #expect(section.contains("services:"))
    }

    /// One message with zero, one or several trailing `key=value` pairs is one group: a single
    /// pair is context as two are (the issue's repro gave 3 groups). A pair after a preposition
    /// (`with id=…`) stays in the message, masked.
    @Test func oneTrailingPairDoesNotSplitAGroup() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("kv.log")
        let tails = ["attempt=3", "thread=main", "", "attempt=4 user_id=5", "attempt=4 user_id=5 trace=abc", #"reason="reset by peer""#]
        var lines: [String] = []
        for (i, tail) in tails.enumerated() {
            lines.append("2026-11-22T00:00:0\(i).000Z ERROR [\(i % 2 == 0 ? "a" : "b")] Retrying request \(tail)")
        }
        lines.append("2026-11-22T00:00:07.000Z ERROR Couldn't find User with id=7")
        lines.append("2026-11-22T00:00:08.000Z ERROR Couldn't find User with id=8 request_id=r-1")
        try (lines.joined(separator: "\n") + "\n").write(to: log, atomically: true, encoding: .utf8)
        let result = try Harness.run(["report", "--format", "json", "--tz", "UTC", log.path])
        #expect(result.status == 0, "\(result.stderr)")
        let application = try #require(try result.json()["application"] as? [String: Any])
        let groups = try #require(application["error_groups"] as? [[String: Any]])
        let counts = groups.reduce(into: [String: Int]()) { $0[$1["template"] as? String ?? "?"] = $1["count"] as? Int }
        #expect(counts == ["Retrying request": 6, "Couldn't find User with id=<*>": 2], "\(counts)")
    }
}

extension FuzzRNG {
    /// `count` hex digits; with `lettersOnly`, drawn from a-f only (`abcdefab`).
    mutating func hex(_ count: Int, lettersOnly: Bool) -> String {
        let digits = Array(lettersOnly ? "abcdef" : "0123456789abcdef")
        return String((0..<count).map { _ in digits[below(digits.count)] })
    }
}
