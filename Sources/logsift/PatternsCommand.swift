import ArgumentParser

struct PatternsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "patterns",
        abstract: "Work with grok patterns.",
        subcommands: []
    )
}
