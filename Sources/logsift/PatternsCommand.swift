import ArgumentParser
import LogParsing
import LogReport

struct PatternsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "patterns",
        abstract: "Try grok patterns and list the pattern library.",
        discussion: """
        Examples:
          logsift patterns test '%{IPORHOST:client} %{NUMBER:bytes:int}' '10.0.0.1 512'
          logsift patterns test --patterns ./my-patterns '%{MYAPP_LINE}' "$(head -1 app.log)"
          logsift patterns list | grep NGINX
        """,
        subcommands: [Test.self, List.self]
    )

    /// `--patterns DIR` options shared by the subcommands.
    struct Library: ParsableArguments {
        @Option(name: .long, help: "A directory of grok pattern files (`NAME regex` per line) to add to logsift's own; repeatable.")
        var patterns: [String] = []

        func load() throws -> GrokLibrary {
            var library = GrokLibrary.builtin
            for directory in patterns {
                do { try library.load(directory: directory) } catch {
                    throw ValidationError("--patterns \(directory): \(error)")
                }
            }
            return library
        }
    }

    struct Test: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Match one line against a grok pattern and print the captured fields.",
            discussion: """
            Prints one `field = value` line per capture (typed :int/:float fields converted), or
            says that the line did not match. Exit status 1 when it did not match.

            Example:
              logsift patterns test '%{IPORHOST:client} %{NUMBER:bytes:int}' '10.0.0.1 512'
            """
        )

        @OptionGroup var library: Library
        @Argument(help: "The grok pattern, e.g. '%{IPORHOST:client} %{NUMBER:bytes:int}'.")
        var pattern: String
        @Argument(help: "The line to match.")
        var line: String

        func run() throws {
            let library = try library.load()
            let fields: [(field: String, value: String)]?
            do {
                fields = try GrokCompiler.test(pattern, line: line, library: library)
            } catch let error as GrokError {
                throw ValidationError("pattern: \(error)")
            }
            guard let fields else {
                print("no match")
                throw ExitCode(1)
            }
            if fields.isEmpty { print("matched (no named fields)") }
            for (field, value) in fields { print("\(TerminalText.escaped(field)) = \(TerminalText.escaped(value))") }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the names of the patterns in the library.",
            discussion: "Example:\n  logsift patterns list --patterns ./my-patterns"
        )

        @OptionGroup var library: Library

        func run() throws {
            let library = try library.load()
            try StandardOutput.write(library.names.map { TerminalText.escaped($0) + "\n" }.joined())
        }
    }
}
