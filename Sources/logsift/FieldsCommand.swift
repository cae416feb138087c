import ArgumentParser
import LogInput
import LogReport
import LogsiftEngine

struct FieldsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fields",
        abstract: "List the fields `logsift query` can use in each input, with type, unit and example values.",
        discussion: """
        Detects each input's format as `query` does, reads its first events (--events, default 1000) and lists every field: its type (number, text, level), its unit (s, ms, bytes) and up to three values seen. For JSON-lines and logfmt application logs every key of those events is a field. Values are escaped for the terminal.

        Examples:
          logsift fields access.log app.log postgresql.log
          logsift fields --format json app.jsonl
          logsift fields --events 10000 postgresql.log
        """
    )

    @Argument(help: "Inputs to look at; `-` for standard input.")
    var inputs: [String]

    @Option(name: .long, help: "Output format: text, json.")
    var format: DetectCommand.Format = .text

    @Option(name: .long, help: "How many events of each input to read (1...1000000).")
    var events: Int = 1000

    @Option(name: .long, parsing: .unconditional, help: "Zone of times written without one: local (default), UTC, +0100, Europe/Berlin…")
    var tz: String = "local"

    func validate() throws {
        guard (1...1_000_000).contains(events) else { throw ValidationError("--events must be 1...1000000, not \(events)") }
    }

    func run() throws {
        let zone = try TimeZoneOption.parse(tz)
        let inventories = FieldInventory.inspect(inputs.map(InputSpec.init(path:)), events: events, zone: zone)
        func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }
        switch format {
        case .json:
            let items: [JSONValue] = inventories.map { inv in
                .object([
                    ("input", .string(inv.input)),
                    ("format", .string(inv.format)),
                    ("events", .number(UInt64(inv.events))),
                    ("fields", .array(inv.fields.map { f in
                        .object([
                            ("name", .string(f.name)),
                            ("type", .string(f.type)),
                            ("unit", f.unit.map { .string($0) } ?? .null),
                            ("seen", .number(UInt64(f.seen))),
                            ("examples", .array(f.examples.map { .string(text($0)) })),
                        ])
                    })),
                    ("error", inv.error.map { .string($0) } ?? .null),
                ])
            }
            try StandardOutput.write(JSONValue.array(items).rendered() + "\n")
        case .text:
            var out = ""
            for inv in inventories {
                if !out.isEmpty { out += "\n" }
                out += "\(TerminalText.escaped(inv.input)): \(TerminalText.escaped(inv.format)), \(inv.events) events read\n"
                if let error = inv.error { out += "  error: \(TerminalText.escaped(error))\n" }
                guard !inv.fields.isEmpty else { continue }
                let rows: [[String]] = inv.fields.map { f in
                    let examples = f.examples.map { value -> String in
                        var s = TerminalText.escaped(text(value))
                        if s.count > 60 { s = String(s.prefix(59)) + "…" }
                        return s
                    }
                    return ["  " + f.name, f.type + (f.unit.map { " (\($0))" } ?? ""), "\(f.seen)", examples.joined(separator: " | ")]
                }
                out += TextTable.render(["  field", "type", "seen", "examples"], rows, leftColumns: [0, 1, 3])
            }
            try StandardOutput.write(out)
        }
        if inventories.contains(where: { $0.error != nil }) { throw ExitCode(1) }
    }
}
