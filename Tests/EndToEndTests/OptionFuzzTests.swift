import Foundation
import LogsiftTestSupport
import Testing

/// "No signal, whatever the options": every option of every command given extreme, garbage and
/// random values (seeded: `LOGSIFT_FUZZ_SEED`) through the real binary must end with exit 0
/// (read), 1 (an input failed), 64 (usage error) or 65 (nothing recognised) — never a trap,
/// an abort or a kill.
@Suite(.serialized) struct OptionFuzzTests {
    static let valueOptions: [String: [String]] = [
        "report": ["--format", "--bucket", "--nginx-format", "--log-format", "--tz", "--pattern", "--patterns",
                   "--pg-prefix", "--sort", "--top", "--jobs", "--max-line-length", "--samples", "--split-bytes"],
        "detect": ["--format"],
        "patterns test": ["--patterns"],
        "patterns list": ["--patterns"],
    ]
    static let flags: [String: [String]] = ["report": ["--errors", "--keep-order"]]
    static let allowed: Set<Int32> = [0, 1, 64, 65]

    /// A small log of each family (nginx, PostgreSQL, application), so that every option has
    /// something to act on.
    func writeInput(_ dir: URL) throws -> String {
        var text = ""
        for (name, count) in [("access.log", 15), ("postgresql.log", 15), ("app.log", 15)] {
            let lines = try String(contentsOf: Harness.packageRoot.appendingPathComponent("samples/\(name)"), encoding: .utf8)
                .split(separator: "\n", omittingEmptySubsequences: false).prefix(count)
            text += lines.joined(separator: "\n") + "\n"
        }
        let url = dir.appendingPathComponent("mixed.log")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    func expectNoSignal(_ arguments: [String], _ label: String) throws {
        let result = try Harness.run(arguments)
        #expect(!result.signalled && Self.allowed.contains(result.status),
                "\(label): logsift \(arguments) ended with \(result.signalled ? "signal" : "status") \(result.status): \(result.stderr.prefix(400))")
    }

    func command(_ name: String, _ options: [String], input: String, rng: inout FuzzRNG) -> [String] {
        let words = name.split(separator: " ").map(String.init)
        switch name {
        case "report", "detect": return words + options + [input]
        case "patterns test": return words + options + [OptionValues.random(&rng), OptionValues.random(&rng)]
        default: return words + options
        }
    }

    /// Each option of each command alone, with each value of a fixed list of extremes.
    @Test func everyOptionWithExtremeValues() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = try writeInput(dir)
        var rng = FuzzRNG(seed: fuzzSeed ^ 0x0971)
        let values = ["-1", "0", "9223372036854775807", "99999999999999999999", "2562047788015216h", "",
                      "%{IP:x", "\u{1b}[2J"]
        for (name, options) in Self.valueOptions.sorted(by: { $0.key < $1.key }) {
            for option in options {
                for value in values {
                    let arguments = command(name, [option, value], input: input, rng: &rng)
                    try expectNoSignal(arguments, "extreme seed \(fuzzSeed)")
                }
            }
        }
    }

    /// Random combinations of options, values and flags, seeded.
    @Test func randomCombinations() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = try writeInput(dir)
        var rng = FuzzRNG(seed: fuzzSeed ^ 0x0972)
        let names = Self.valueOptions.keys.sorted()
        for iteration in 0..<60 {
            let name = iteration % 3 == 0 ? rng.pick(names) : "report"
            var options: [String] = []
            for _ in 0..<(1 + rng.below(4)) {
                if let flags = Self.flags[name], rng.chance(20) {
                    options.append(rng.pick(flags))
                } else {
                    let option = rng.pick(Self.valueOptions[name]!)
                    let value = OptionValues.random(&rng)
                    options += rng.chance(25) ? ["\(option)=\(value)"] : [option, value]
                }
            }
            let arguments = command(name, options, input: input, rng: &rng)
            try expectNoSignal(arguments, "random seed \(fuzzSeed) iteration \(iteration)")
        }
    }
}
