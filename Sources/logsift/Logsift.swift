import ArgumentParser

/// The `logsift` command: each subcommand turns flags into a configuration and calls the library.
@main
struct Logsift: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logsift",
        abstract: "Summarise nginx, PostgreSQL and application logs per time bucket, fast and in bounded memory.",
        discussion: """
        Examples:
          logsift report /var/log/nginx/access.log*
          zcat access.log.3.gz | logsift report -
          logsift report --bucket 5m --format json access.log > summary.json
          logsift detect app.log access.log postgresql.log
          logsift report /var/log/postgresql/postgresql-16-main.log*
          logsift patterns test '%{IPORHOST:client} %{NUMBER:bytes:int}' '10.0.0.1 512'
        """,
        version: "0.1.0",
        subcommands: [ReportCommand.self, DetectCommand.self, PatternsCommand.self]
    )
}
