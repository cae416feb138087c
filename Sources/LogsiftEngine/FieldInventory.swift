import LogInput
import LogParsing
import LogQuery

/// What `logsift fields` says about one input: its format and the fields its events offer,
/// each with its type, unit and a few values seen in the first events.
public struct FieldInventory: Sendable {
    public struct Field: Sendable {
        public let name: String
        /// `number`, `text` or `level`.
        public let type: String
        /// `s`, `ms`, `bytes` for numbers with a unit, else nil.
        public let unit: String?
        /// Up to `examples` distinct values, in the order first seen (raw bytes, unescaped).
        public var examples: [[UInt8]] = []
        /// Events (of those read) that have the field.
        public var seen = 0
    }

    public let input: String
    public var format: String = "unknown"
    /// Events read to find the fields and values.
    public var events = 0
    public var fields: [Field] = []
    public var error: String?

    /// Reads the first `events` events of each input (detected as `query` detects them).
    public static func inspect(_ inputs: [InputSpec], events limit: Int = 1000, examples: Int = 3, zone: ZoneRule = .local,
                               maxLineLength: Int = LineReader.defaultMaxLineLength) -> [FieldInventory] {
        let detector = FormatDetector.automatic()
        return inputs.map { spec in
            var inventory = FieldInventory(input: spec.displayName)
            do {
                let reader = LineReader(source: try spec.open(), maxLineLength: maxLineLength)
                var lines = FormatDetector.sniff(reader)
                guard let format = detector.choose(lines).format else {
                    inventory.error = reader.error?.description
                    return inventory
                }
                inventory.format = format.name
                // Lines up to the limit's worth of events (a first decoder counts them).
                let counter = Families.queryDecoder(for: format, zone: zone)
                var counted = 0
                func count<D: QueryEventDecoder>(_ d: D, _ line: UnsafeRawBufferPointer) {
                    if line.isEmpty { d.blank() } else { _ = d.feed(line) { _, _, _ in counted += 1 } }
                }
                for line in lines { line.withUnsafeBytes { count(counter, $0) } }
                while counted < limit, let line = reader.nextLine() {
                    lines.append(Array(line))
                    count(counter, line)
                }
                inventory.error = reader.error?.description
                inventory.read(lines, format: format, limit: limit, examples: examples, zone: zone)
            } catch {
                inventory.error = "\(error)"
            }
            return inventory
        }
    }

    mutating func read(_ lines: [[UInt8]], format: LogFormat, limit: Int, examples: Int, zone: ZoneRule) {
        let decoder = Families.queryDecoder(for: format, zone: zone)
        if let app = decoder as? ApplicationEventDecoder, app.hasKeys {
            app.bind(keys: app.discoverKeys(lines, examples: 0).mapValues(\.kind))
        }
        let schema = decoder.schema
        fields = schema.fields.map { f in
            switch f.kind {
            case .text: return Field(name: f.name, type: "text", unit: nil)
            case .level: return Field(name: f.name, type: "level", unit: nil)
            case .number(let unit):
                let name: String? = switch unit {
                case .plain: nil
                case .seconds: "s"
                case .milliseconds: "ms"
                case .bytes: "bytes"
                }
                return Field(name: f.name, type: "number", unit: name)
            }
        }
        read(decoder, lines, schema, limit: limit, examples: examples)
    }

    mutating func read<D: QueryEventDecoder>(_ decoder: D, _ lines: [[UInt8]], _ schema: FieldSchema, limit: Int, examples: Int) {
        var fields = self.fields
        var events = 0
        func take(_ time: Int64?, _ event: D.Event, _ raw: UnsafeRawBufferPointer) {
            guard events < limit else { return }
            events += 1
            for (i, f) in schema.fields.enumerated() {
                event.withText(f.slot) { bytes in
                    guard let bytes else { return }
                    fields[i].seen += 1
                    if fields[i].examples.count < examples {
                        let value = Array(bytes)
                        if !fields[i].examples.contains(value) { fields[i].examples.append(value) }
                    }
                }
            }
        }
        for line in lines {
            line.withUnsafeBytes { b in
                if b.isEmpty { decoder.blank() } else { _ = decoder.feed(b, take) }
            }
        }
        decoder.finish(take)
        self.fields = fields
        self.events = events
    }
}
