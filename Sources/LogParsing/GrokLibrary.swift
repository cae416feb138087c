/// Grok pattern definitions: the `NAME -> regex text` table that `GrokCompiler` expands.
///
/// Takes pattern files in Logstash's format (one `NAME regex` per line, `#` comments, blank
/// lines), a directory of them, or text; gives an immutable table that remembers where each
/// definition came from so errors can name the file and line. It does not compile anything.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Something wrong with a grok pattern or a pattern file, with enough context to fix it.
public struct GrokError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// `%{NAME}` names no definition in the library.
        case unknownPattern(String)
        /// Definitions refer to each other in a loop; the names along the loop, first repeated.
        case cycle([String])
        /// PCRE2 rejected the expanded regex. `offset` is into `expanded`.
        case badRegex(message: String, offset: Int?, expanded: String)
        /// Grok syntax logsift cannot translate (e.g. an Oniguruma class intersection).
        case unsupported(String)
        /// A pattern file line that is not `NAME regex`.
        case badDefinition(String)
        /// A file or directory that could not be read.
        case io(String)
        /// `%{` that does not open a `%{NAME}`, `%{NAME:field}` or `%{NAME:field:type}`
        /// reference; `column` counts characters from 1 in the pattern (or definition) text.
        case malformedReference(text: String, column: Int)
    }

    public let kind: Kind
    /// The definition being expanded when things went wrong, if any (nil: the top-level pattern).
    public let definition: String?
    /// Where that definition came from, when it came from a file.
    public let file: String?
    public let line: Int?

    public init(_ kind: Kind, definition: String? = nil, file: String? = nil, line: Int? = nil) {
        self.kind = kind
        self.definition = definition
        self.file = file
        self.line = line
    }

    public var description: String {
        var location = ""
        if let file {
            location = line.map { "\(file):\($0): " } ?? "\(file): "
        }
        let inDefinition = definition.map { "in pattern \($0): " } ?? ""
        switch kind {
        case .unknownPattern(let name):
            return "\(location)\(inDefinition)unknown grok pattern %{\(name)}"
        case .cycle(let names):
            return "\(location)grok patterns refer to each other in a loop: "
                + names.map { "%{\($0)}" }.joined(separator: " -> ")
        case .badRegex(let message, let offset, let expanded):
            var text = "\(location)\(inDefinition)invalid regex: \(message)"
            if let offset {
                text += " at offset \(offset) of the expanded regex"
                let bytes = Array(expanded.utf8)
                let start = max(0, offset - 30), end = min(bytes.count, offset + 30)
                if start < end {
                    text += ", near \"\(String(decoding: bytes[start..<min(offset, end)], as: UTF8.self))"
                        + "<HERE>\(String(decoding: bytes[min(offset, end)..<end], as: UTF8.self))\""
                }
            }
            return text
        case .unsupported(let what):
            return "\(location)\(inDefinition)unsupported grok syntax: \(what)"
        case .badDefinition(let text):
            return "\(location)not a pattern definition (expected `NAME regex`): \(text)"
        case .io(let message):
            return "\(location)\(message)"
        case .malformedReference(let text, let column):
            return "\(location)\(inDefinition)column \(column): \(text) is not a pattern reference"
                + " (expected %{NAME}, %{NAME:field} or %{NAME:field:int|float}, closed by })"
        }
    }
}

/// A table of grok pattern definitions. Later definitions of a name override earlier ones, as
/// in Logstash.
///
///     var library = GrokLibrary.builtin
///     try library.load(text: "MYAPP %{IP:client} %{WORD:verb}")
///     let pattern = try GrokCompiler.compile("%{MYAPP}", library: library)
public struct GrokLibrary: Sendable {
    /// One `NAME regex` definition and where it came from.
    public struct Definition: Sendable, Equatable {
        public let name: String
        public let pattern: String
        /// The file the definition was read from (nil for text or code).
        public let file: String?
        /// 1-based line in `file` (or in the loaded text).
        public let line: Int?

        public init(name: String, pattern: String, file: String? = nil, line: Int? = nil) {
            self.name = name
            self.pattern = pattern
            self.file = file
            self.line = line
        }
    }

    public private(set) var definitions: [String: Definition] = [:]

    public init() {}

    /// A library made of the given pattern file texts, loaded in order.
    public init(texts: [(file: String?, text: String)]) throws(GrokError) {
        for (file, text) in texts { try load(text: text, file: file) }
    }

    public subscript(name: String) -> Definition? { definitions[name] }

    public var names: [String] { definitions.keys.sorted() }

    public mutating func define(_ name: String, _ pattern: String, file: String? = nil, line: Int? = nil) {
        definitions[name] = Definition(name: name, pattern: pattern, file: file, line: line)
    }

    /// Loads pattern-file text: one `NAME regex` per line; blank lines and lines starting with
    /// `#` (after optional spaces) are skipped. The regex is everything after the whitespace that
    /// follows the name, kept exactly (trailing spaces included; a trailing `\r` is dropped).
    public mutating func load(text: String, file: String? = nil) throws(GrokError) {
        var lineNumber = 0
        // Split on bytes: as Characters, "\r\n" is one grapheme and would not split on "\n".
        for rawLine in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            var lineBytes = rawLine[...]
            if lineBytes.last == UInt8(ascii: "\r") { lineBytes = lineBytes.dropLast() }
            let line = Substring(lineBytes)
            let body = line.drop { $0 == " " || $0 == "\t" }
            if body.isEmpty || body.first == "#" { continue }
            let name = body.prefix { $0 != " " && $0 != "\t" }
            let pattern = body.dropFirst(name.count).drop { $0 == " " || $0 == "\t" }
            guard !pattern.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") })
            else {
                throw GrokError(.badDefinition(String(line)), file: file, line: lineNumber)
            }
            define(String(name), String(pattern), file: file, line: lineNumber)
        }
    }

    /// Loads one pattern file.
    public mutating func load(file path: String) throws(GrokError) {
        try load(text: try FileAccess.readText(path), file: path)
    }

    /// Loads every regular file in `path` (not recursing), in name order.
    public mutating func load(directory path: String) throws(GrokError) {
        for file in try FileAccess.listFiles(path) {
            try load(file: path + "/" + file)
        }
    }

    /// A library of the pattern files in `directory`.
    public static func directory(_ path: String) throws(GrokError) -> GrokLibrary {
        var library = GrokLibrary()
        try library.load(directory: path)
        return library
    }

    /// logsift's own patterns, compiled into the binary (`BuiltinPatterns.files`, the text of
    /// `patterns/`). Nothing is read at run time: pattern files found beside the binary or in
    /// the source tree could change what every report means. A user adds or overrides patterns
    /// only by naming a directory (`--patterns DIR`, loaded with `load(directory:)`).
    public static let builtin: GrokLibrary = {
        do {
            return try GrokLibrary(texts: BuiltinPatterns.files.map { ("patterns/" + $0.name, $0.text) })
        } catch {
            fatalError("built-in grok patterns do not load: \(error)")
        }
    }()
}

/// The few libc calls pattern loading needs, so LogParsing does not import Foundation.
enum FileAccess {
    static func readText(_ path: String) throws(GrokError) -> String {
        guard let handle = fopen(path, "rb") else {
            throw GrokError(.io("cannot open: \(String(cString: strerror(errno)))"), file: path)
        }
        defer { fclose(handle) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, handle) }
            if count > 0 { bytes.append(contentsOf: chunk[0..<count]) }
            if count < chunk.count {
                if ferror(handle) != 0 { throw GrokError(.io("read error"), file: path) }
                break
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func isRegularFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }

    /// Names of the regular files in `path`, sorted, skipping hidden files.
    static func listFiles(_ path: String) throws(GrokError) -> [String] {
        guard let dir = opendir(path) else {
            throw GrokError(.io("cannot open directory: \(String(cString: strerror(errno)))"), file: path)
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name.hasPrefix(".") { continue }
            if isRegularFile(path + "/" + name) { names.append(name) }
        }
        return names.sorted()
    }
}
