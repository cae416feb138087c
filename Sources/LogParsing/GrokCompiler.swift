/// Grok to PCRE2: expands `%{NAME:field:type}` references into one regex and compiles it once.
///
/// Takes Logstash grok text (Oniguruma dialect) and a `GrokLibrary`; gives a `CompiledPattern`
/// whose groups are all renamed `g1`, `g2`, ... (Logstash field names such as
/// `[http][request][method]` or `@timestamp` are not valid PCRE2 group names) and whose
/// `FieldSpec`s carry the original names. Nothing here runs per line.
import PCRE2

/// Compiles grok patterns.
///
///     let pattern = try GrokCompiler.compile("%{IP:client} %{INT:bytes:int}", library: .builtin)
///     // pattern.fields == [client -> [1], bytes -> [2] (int)]
public enum GrokCompiler {
    /// Expands and compiles `pattern`. Named captures are `%{NAME:field}`, `%{NAME:field:int}`,
    /// `%{NAME:field:float}` and inline `(?<field>...)`, `(?P<field>...)`, `(?'field'...)`, in the
    /// pattern or in any definition it uses. `%{NAME}` alone does not capture.
    ///
    /// Oniguruma constructs found in Logstash patterns are translated: `\h`/`\H` (hex digit),
    /// `(?m)` (Ruby's dot-all, PCRE2's `(?s)`), classes nested in classes (`[[[:alnum:]]_]`),
    /// `{,n}`, and a quantifier on a quantifier (`.?*`). As Logstash compiles grok with Ruby's
    /// `Regexp::MULTILINE`, `.` matches a newline (PCRE2 dot-all is always on; `(?-s)` turns it
    /// off), so `%{GREEDYDATA}` takes the rest of a multi-line event.
    public static func compile(_ pattern: String, library: GrokLibrary,
                               options: Regex.Options = []) throws(GrokError) -> CompiledPattern {
        var expander = GrokExpander(library: library, utf: options.contains(.utf))
        try expander.expand(pattern, from: nil)
        let text = String(decoding: expander.output, as: UTF8.self)

        let regex: Regex
        do {
            regex = try Regex(text, options: options.union(.dotAll))
        } catch {
            let definition = expander.culprit(in: expander.output, offset: error.offset)
            throw GrokError(.badRegex(message: error.message, offset: error.offset, expanded: text),
                            definition: definition?.name, file: definition?.file, line: definition?.line)
        }

        var groupNumber: [String: Int] = [:]
        for (name, group) in regex.namedGroups { groupNumber[name] = group }
        let fields = expander.fields.map { field in
            FieldSpec(name: field.name, type: field.type,
                      groups: field.internalNames.compactMap { groupNumber[$0] })
        }
        return CompiledPattern(source: pattern, regex: regex, fields: fields)
    }

    /// For `logsift patterns test '<grok>' '<line>'`: matches `line` and returns every field
    /// that took part, in field order, as display text (`:int` and `:float` fields converted the
    /// way Logstash converts them, e.g. `"-"` as int is `0`). Nil when the line does not match
    /// (or the match limit ran out).
    public static func test(_ pattern: String, line: String,
                            library: GrokLibrary) throws -> [(field: String, value: String)]? {
        let compiled = try compile(pattern, library: library)
        let matchData = MatchData(for: compiled.regex)
        var bytes = Array(line.utf8)
        return try bytes.withUnsafeMutableBytes { raw -> [(field: String, value: String)]? in
            let subject = UnsafeRawBufferPointer(raw)
            switch matchData.match(compiled.regex, subject) {
            case .matched: break
            case .noMatch, .limitExceeded: return nil
            case .error(let code): throw GrokTestError.matchFailed(code)
            }
            var result: [(field: String, value: String)] = []
            for field in compiled.fields {
                guard let range = matchData.range(of: field) else { continue }
                let text = String(decoding: subject[range], as: UTF8.self)
                result.append((field.name, displayValue(text, as: field.type)))
            }
            return result
        }
    }

    /// Converts a captured value the way Logstash's `:int` (Ruby `to_i`) and `:float` (`to_f`)
    /// do: the longest numeric prefix, 0 when there is none.
    public static func displayValue(_ text: String, as type: FieldType) -> String {
        switch type {
        case .string: return text
        case .int: return String(rubyInteger(text))
        case .float: return String(rubyFloat(text))
        }
    }

    /// Ruby's `String#to_i`: optional leading whitespace and sign, then digits (underscores
    /// between digits allowed); 0 when no digits. Saturates instead of overflowing.
    public static func rubyInteger(_ text: String) -> Int {
        var bytes = Array(text.utf8)[...]
        while let first = bytes.first, first == 0x20 || (0x09...0x0D).contains(first) { bytes = bytes.dropFirst() }
        var negative = false
        if let sign = bytes.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") {
            negative = sign == UInt8(ascii: "-")
            bytes = bytes.dropFirst()
        }
        var value = 0
        var previousWasDigit = false
        for byte in bytes {
            if byte >= 0x30 && byte <= 0x39 {
                let (times, o1) = value.multipliedReportingOverflow(by: 10)
                let (plus, o2) = times.addingReportingOverflow(Int(byte - 0x30))
                if o1 || o2 { return negative ? Int.min : Int.max }
                value = plus
                previousWasDigit = true
            } else if byte == UInt8(ascii: "_") && previousWasDigit {
                previousWasDigit = false
            } else {
                break
            }
        }
        return negative ? -value : value
    }

    /// Ruby's `String#to_f`: the longest prefix of the form `[+-]digits[.digits][e[+-]digits]`.
    public static func rubyFloat(_ text: String) -> Double {
        let bytes = Array(text.utf8)
        var i = 0
        while i < bytes.count, bytes[i] == 0x20 || (0x09...0x0D).contains(bytes[i]) { i += 1 }
        let start = i
        func isDigit(_ at: Int) -> Bool { at < bytes.count && bytes[at] >= 0x30 && bytes[at] <= 0x39 }
        if i < bytes.count, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") { i += 1 }
        var end = start
        while isDigit(i) { i += 1; end = i }
        if i < bytes.count, bytes[i] == UInt8(ascii: "."), isDigit(i + 1) {
            i += 1
            while isDigit(i) { i += 1 }
            end = i
        }
        if end > start, i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            var j = i + 1
            if j < bytes.count, bytes[j] == UInt8(ascii: "-") || bytes[j] == UInt8(ascii: "+") { j += 1 }
            if isDigit(j) {
                while isDigit(j) { j += 1 }
                end = j
            }
        }
        guard end > start else { return 0 }
        return Double(String(decoding: bytes[start..<end], as: UTF8.self)) ?? 0
    }
}

/// A PCRE2 runtime error from `GrokCompiler.test` (not a no-match).
public enum GrokTestError: Error, CustomStringConvertible {
    case matchFailed(Int32)
    public var description: String {
        switch self { case .matchFailed(let code): return "PCRE2 match error \(code)" }
    }
}

/// One pass over grok text, writing the PCRE2 regex. Recurses into `%{NAME}` definitions.
struct GrokExpander {
    struct Field {
        let name: String
        var type: FieldType
        var typeGiven: Bool
        var internalNames: [String]
    }

    /// A definition's expansion occupies `range` of the output; used to blame a PCRE2 error.
    struct Span {
        let range: Range<Int>
        let definition: GrokLibrary.Definition
        let depth: Int
    }

    let library: GrokLibrary
    /// Whether the regex is compiled in UTF mode (else PCRE2 sees bytes).
    let utf: Bool
    var output: [UInt8] = []
    var fields: [Field] = []
    var fieldIndex: [String: Int] = [:]
    var groupCount = 0
    var stack: [String] = []
    var spans: [Span] = []

    init(library: GrokLibrary, utf: Bool = false) {
        self.library = library
        self.utf = utf
        output.reserveCapacity(1024)
    }

    /// The definition to blame for a regex PCRE2 rejected: the smallest expansion that does
    /// not compile on its own, else the innermost one containing the error offset; nil means
    /// the top-level text. Runs only on the error path.
    func culprit(in output: [UInt8], offset: Int?) -> GrokLibrary.Definition? {
        var tried = Set<String>()
        for span in spans.sorted(by: { $0.range.count < $1.range.count }) where tried.insert(span.definition.name).inserted {
            let text = String(decoding: output[span.range], as: UTF8.self)
            if (try? Regex(text)) == nil { return span.definition }
        }
        return offset.flatMap { definition(at: $0) }
    }

    /// The innermost definition whose expansion contains `offset` (nil: the top-level text).
    func definition(at offset: Int) -> GrokLibrary.Definition? {
        var best: Span?
        for span in spans where span.range.contains(offset) || (span.range.upperBound == offset && span.range.isEmpty == false) {
            if best == nil || span.depth > best!.depth { best = span }
        }
        return best?.definition
    }

    private func error(_ kind: GrokError.Kind, _ origin: GrokLibrary.Definition?) -> GrokError {
        GrokError(kind, definition: origin?.name, file: origin?.file, line: origin?.line)
    }

    /// Allocates the next internal group name for field `name`.
    private mutating func capture(_ name: String, type: FieldType?) -> String {
        groupCount += 1
        let groupName = "g\(groupCount)"
        if let index = fieldIndex[name] {
            fields[index].internalNames.append(groupName)
            if let type, !fields[index].typeGiven {
                fields[index].type = type
                fields[index].typeGiven = true
            }
        } else {
            fieldIndex[name] = fields.count
            fields.append(Field(name: name, type: type ?? .string, typeGiven: type != nil, internalNames: [groupName]))
        }
        return groupName
    }

    /// The internal name a back reference to `name` should use: its first group.
    private func reference(_ name: String) -> String {
        fieldIndex[name].map { fields[$0].internalNames[0] } ?? name
    }

    private mutating func emit(_ text: String) { output.append(contentsOf: text.utf8) }

    /// Reads up to `terminator` starting at `from`; returns the text and the index after it.
    private static func scan(_ bytes: [UInt8], from: Int, to terminator: UInt8) -> (String, Int)? {
        var j = from
        while j < bytes.count, bytes[j] != terminator { j += 1 }
        guard j < bytes.count else { return nil }
        return (String(decoding: bytes[from..<j], as: UTF8.self), j + 1)
    }

    private static func isWordByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F
    }

    private static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    enum Quantifier { case none, greedy, modified }

    mutating func expand(_ text: String, from origin: GrokLibrary.Definition?) throws(GrokError) {
        let bytes = Array(text.utf8)
        var i = 0
        var last = Quantifier.none
        while i < bytes.count {
            let b = bytes[i]
            switch b {
            case UInt8(ascii: "\\"):
                last = .none
                guard i + 1 < bytes.count else { output.append(b); i += 1; continue }
                let c = bytes[i + 1]
                switch c {
                case UInt8(ascii: "h"): emit("[0-9A-Fa-f]"); i += 2
                case UInt8(ascii: "H"): emit("[^0-9A-Fa-f]"); i += 2
                case UInt8(ascii: "Q"):
                    // \Q...\E: copy verbatim.
                    var j = i + 2
                    while j + 1 < bytes.count, !(bytes[j] == UInt8(ascii: "\\") && bytes[j + 1] == UInt8(ascii: "E")) { j += 1 }
                    let end = j + 1 < bytes.count ? j + 2 : bytes.count
                    output.append(contentsOf: bytes[i..<end])
                    i = end
                case UInt8(ascii: "k") where i + 2 < bytes.count:
                    let open = bytes[i + 2]
                    let close: UInt8? = open == UInt8(ascii: "<") ? UInt8(ascii: ">")
                        : open == UInt8(ascii: "'") ? UInt8(ascii: "'")
                        : open == UInt8(ascii: "{") ? UInt8(ascii: "}") : nil
                    if let close, let (name, next) = Self.scan(bytes, from: i + 3, to: close) {
                        emit("\\k<\(reference(name))>")
                        i = next
                    } else {
                        output.append(contentsOf: bytes[i..<i + 2]); i += 2
                    }
                default:
                    output.append(contentsOf: bytes[i..<i + 2]); i += 2
                }
            case UInt8(ascii: "["):
                last = .none
                i = try copyClass(bytes, from: i, origin)
            case UInt8(ascii: "("):
                last = .none
                i = try openGroup(bytes, at: i, origin)
            case UInt8(ascii: "%") where i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "{"):
                last = .none
                let column = String(decoding: bytes[..<i], as: UTF8.self).count + 1
                guard let (reference, next) = Self.scan(bytes, from: i + 2, to: UInt8(ascii: "}")) else {
                    let rest = String(decoding: bytes[i...].prefix(40), as: UTF8.self)
                    throw error(.malformedReference(text: "\"\(rest)\" (no closing })", column: column), origin)
                }
                if reference.contains("=") {
                    throw error(.unsupported("inline definition %{\(reference)} (define it in a pattern file)"), origin)
                }
                guard let parsed = Self.parseReference(reference) else {
                    throw error(.malformedReference(text: "%{\(reference)}", column: column), origin)
                }
                try expandReference(name: parsed.name, field: parsed.field, type: parsed.type,
                                    typeText: parsed.typeText, origin)
                i = next
            case UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "?"):
                if last == .greedy {
                    if b == UInt8(ascii: "*") {
                        // Oniguruma: X?* X+* X** are (?:X?)* etc., all the same as X*.
                        output[output.count - 1] = b
                        last = .greedy
                    } else {
                        output.append(b) // lazy or possessive, same in both dialects
                        last = .modified
                    }
                } else {
                    output.append(b)
                    last = .greedy
                }
                i += 1
            case UInt8(ascii: "{"):
                // {n}, {n,}, {n,m}, and Oniguruma's {,m} (a literal in PCRE2 10.42).
                var j = i + 1
                while j < bytes.count, Self.isDigit(bytes[j]) { j += 1 }
                let lowDigits = j - i - 1
                var isQuantifier = false
                var hasComma = false
                if j < bytes.count, bytes[j] == UInt8(ascii: ",") {
                    hasComma = true
                    j += 1
                    let highStart = j
                    while j < bytes.count, Self.isDigit(bytes[j]) { j += 1 }
                    isQuantifier = j < bytes.count && bytes[j] == UInt8(ascii: "}") && (lowDigits > 0 || j > highStart)
                } else {
                    isQuantifier = lowDigits > 0 && j < bytes.count && bytes[j] == UInt8(ascii: "}")
                }
                if isQuantifier {
                    if lowDigits == 0 && hasComma {
                        emit("{0"); output.append(contentsOf: bytes[(i + 1)...j])
                    } else {
                        output.append(contentsOf: bytes[i...j])
                    }
                    i = j + 1
                    last = .greedy
                } else {
                    emit("\\{"); i += 1
                    last = .none
                }
            default:
                last = .none
                output.append(b); i += 1
            }
        }
    }

    /// Splits `NAME`, `NAME:field`, `NAME:field:type` as Logstash's grok does: the field part
    /// is the longest run of `[A-z0-9@\[\]_:.-]` and anything after it up to `}` is ignored
    /// (so `%{POSINT:[a][b]?}` captures `[a][b]`). Nil if it is not grok reference syntax.
    static func parseReference(_ text: String) -> (name: String, field: String?, type: FieldType?, typeText: String?)? {
        let bytes = Array(text.utf8)
        var i = 0
        while i < bytes.count, isWordByte(bytes[i]) { i += 1 }
        guard i > 0 else { return nil }
        let name = String(decoding: bytes[0..<i], as: UTF8.self)
        guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else {
            return (name, nil, nil, nil)
        }
        var j = i + 1
        // Ruby's [A-z] also covers [ \ ] ^ _ and the backquote.
        while j < bytes.count, (bytes[j] >= 0x41 && bytes[j] <= 0x7A) || isDigit(bytes[j])
                || bytes[j] == UInt8(ascii: "@") || bytes[j] == UInt8(ascii: ":")
                || bytes[j] == UInt8(ascii: ".") || bytes[j] == UInt8(ascii: "-") {
            j += 1
        }
        let parts = bytes[(i + 1)..<j].split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
        guard let first = parts.first, !first.isEmpty else { return (name, nil, nil, nil) }
        let field = String(decoding: first, as: UTF8.self)
        guard parts.count > 1 else { return (name, field, nil, nil) }
        let typeText = String(decoding: parts[1], as: UTF8.self)
        return (name, field, FieldType(rawValue: typeText), typeText)
    }

    private mutating func expandReference(name: String, field: String?, type: FieldType?, typeText: String?,
                                          _ origin: GrokLibrary.Definition?) throws(GrokError) {
        if let typeText, type == nil {
            throw error(.unsupported("type \"\(typeText)\" in %{\(name):\(field ?? ""):\(typeText)} (use int or float)"), origin)
        }
        guard let definition = library[name] else { throw error(.unknownPattern(name), origin) }
        if let index = stack.firstIndex(of: name) {
            throw GrokError(.cycle(Array(stack[index...]) + [name]), definition: definition.name,
                            file: definition.file, line: definition.line)
        }
        if let field {
            emit("(?<\(capture(field, type: type))>")
        } else {
            emit("(?:")
        }
        let start = output.count
        stack.append(name)
        try expand(definition.pattern, from: definition)
        stack.removeLast()
        spans.append(Span(range: start..<output.count, definition: definition, depth: stack.count))
        emit(")")
    }

    /// Handles `(` at `i`: named groups are renamed, `(?m)` becomes `(?s)`, the rest is copied.
    private mutating func openGroup(_ bytes: [UInt8], at i: Int, _ origin: GrokLibrary.Definition?) throws(GrokError) -> Int {
        func at(_ k: Int) -> UInt8? { k < bytes.count ? bytes[k] : nil }
        guard at(i + 1) == UInt8(ascii: "?") else { output.append(bytes[i]); return i + 1 }
        let c = at(i + 2)
        // (?<name>  (?P<name>  (?'name'
        var nameStart: Int? = nil
        var terminator = UInt8(ascii: ">")
        if c == UInt8(ascii: "<"), let d = at(i + 3), d != UInt8(ascii: "="), d != UInt8(ascii: "!") {
            nameStart = i + 3
        } else if c == UInt8(ascii: "P"), at(i + 3) == UInt8(ascii: "<") {
            nameStart = i + 4
        } else if c == UInt8(ascii: "'") {
            nameStart = i + 3
            terminator = UInt8(ascii: "'")
        }
        if let nameStart {
            guard let (name, next) = Self.scan(bytes, from: nameStart, to: terminator), !name.isEmpty else {
                throw error(.unsupported("unterminated group name after \"(?\""), origin)
            }
            emit("(?<\(capture(name, type: nil))>")
            return next
        }
        // (?P=name) back reference, (?P>name) call.
        if c == UInt8(ascii: "P"), let d = at(i + 3), d == UInt8(ascii: "=") || d == UInt8(ascii: ">"),
           let (name, next) = Self.scan(bytes, from: i + 4, to: UInt8(ascii: ")")) {
            emit(d == UInt8(ascii: "=") ? "\\k<\(reference(name))>" : "(?&\(reference(name)))")
            return next
        }
        // (?#comment)
        if c == UInt8(ascii: "#") {
            var j = i + 3
            while j < bytes.count, bytes[j] != UInt8(ascii: ")") { j += 1 }
            return min(j + 1, bytes.count)
        }
        // Option settings: (?imx-imx) or (?imx-imx:...). Ruby's m is PCRE2's s.
        var j = i + 2
        while let d = at(j), d == UInt8(ascii: "i") || d == UInt8(ascii: "m") || d == UInt8(ascii: "x")
                || d == UInt8(ascii: "s") || d == UInt8(ascii: "-") {
            j += 1
        }
        if j > i + 2, let d = at(j), d == UInt8(ascii: ")") || d == UInt8(ascii: ":") {
            output.append(contentsOf: [UInt8(ascii: "("), UInt8(ascii: "?")])
            for k in (i + 2)..<j {
                output.append(bytes[k] == UInt8(ascii: "m") ? UInt8(ascii: "s") : bytes[k])
            }
            output.append(d)
            return j + 1
        }
        output.append(contentsOf: [UInt8(ascii: "("), UInt8(ascii: "?")])
        return i + 2
    }

    /// Copies a character class starting at `[` at `i`, flattening Oniguruma's nested classes
    /// (`[[[:alnum:]]_]` is the union `[[:alnum:]_]`) and translating `\h`.
    private mutating func copyClass(_ bytes: [UInt8], from i: Int, _ origin: GrokLibrary.Definition?) throws(GrokError) -> Int {
        var j = i + 1
        output.append(UInt8(ascii: "["))
        if j < bytes.count, bytes[j] == UInt8(ascii: "^") { output.append(bytes[j]); j += 1 }
        if j < bytes.count, bytes[j] == UInt8(ascii: "]") { emit("\\]"); j += 1 }
        var depth = 1
        while j < bytes.count {
            let b = bytes[j]
            switch b {
            case UInt8(ascii: "\\"):
                guard j + 1 < bytes.count else { output.append(b); j += 1; continue }
                if bytes[j + 1] == UInt8(ascii: "h") {
                    emit("0-9A-Fa-f")
                } else {
                    output.append(contentsOf: bytes[j...j + 1])
                }
                j += 2
            case UInt8(ascii: "["):
                if j + 1 < bytes.count, bytes[j + 1] == UInt8(ascii: ":") || bytes[j + 1] == UInt8(ascii: "="),
                   let close = Self.findPosixEnd(bytes, from: j + 2, marker: bytes[j + 1]) {
                    let posix = String(decoding: bytes[j..<close], as: UTF8.self)
                    if let unicode = (utf ? Self.unicodePosixClasses : Self.bytePosixClasses)[posix] {
                        emit(unicode)
                    } else {
                        output.append(contentsOf: bytes[j..<close])
                    }
                    j = close
                } else if j + 1 < bytes.count, bytes[j + 1] == UInt8(ascii: "^") {
                    throw error(.unsupported("negated character class nested in a class"), origin)
                } else {
                    depth += 1 // nested class: union, so just drop its brackets
                    j += 1
                }
            case UInt8(ascii: "&") where j + 1 < bytes.count && bytes[j + 1] == UInt8(ascii: "&"):
                throw error(.unsupported("character class intersection (&&)"), origin)
            case UInt8(ascii: "]"):
                depth -= 1
                j += 1
                if depth == 0 { output.append(b); return j }
            default:
                output.append(b); j += 1
            }
        }
        return j // unterminated: PCRE2 will report it
    }

    /// Oniguruma's POSIX classes are Unicode-aware on UTF-8 text (`[[:alnum:]]` matches `Č`);
    /// PCRE2's are ASCII unless UCP is on, which would also change `\w` and `\d`. In byte mode
    /// (the default) the letter classes also take every byte >= 0x80, so they never stop inside
    /// a multi-byte character (and accept any non-ASCII character); with `.utf` they become
    /// Unicode properties.
    static let bytePosixClasses: [String: String] = [
        "[:alnum:]": #"[:alnum:]\x80-\xff"#,
        "[:alpha:]": #"[:alpha:]\x80-\xff"#,
        "[:upper:]": #"[:upper:]\x80-\xff"#,
        "[:lower:]": #"[:lower:]\x80-\xff"#,
        "[:word:]": #"[:word:]\x80-\xff"#,
    ]

    static let unicodePosixClasses: [String: String] = [
        "[:alnum:]": #"\p{L}\p{M}\p{Nd}"#,
        "[:alpha:]": #"\p{L}\p{M}"#,
        "[:upper:]": #"\p{Lu}"#,
        "[:lower:]": #"\p{Ll}"#,
        "[:word:]": #"\p{L}\p{M}\p{Nd}\p{Pc}"#,
    ]

    /// For `[:alpha:]` / `[=a=]`: the index after the closing `:]`, if the name is well formed.
    private static func findPosixEnd(_ bytes: [UInt8], from: Int, marker: UInt8) -> Int? {
        var k = from
        while k < bytes.count, isWordByte(bytes[k]) || bytes[k] == UInt8(ascii: "^") { k += 1 }
        guard k + 1 < bytes.count, bytes[k] == marker, bytes[k + 1] == UInt8(ascii: "]") else { return nil }
        return k + 2
    }
}
