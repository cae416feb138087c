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
          logsift report --save web1-2026-11-30.lsa --label host=web1 access.log && logsift merge web*-2026-11-30.lsa
          logsift query 'status >= 500 | count, p95(request_time) by path' --since 14:00 --until 14:20 access.log*
          tail -F /var/log/nginx/access.log | logsift watch
          logsift rules test samples/alerts.yml samples/access.log*
          logsift detect app.log access.log postgresql.log
          logsift fields access.log app.jsonl postgresql.log
          logsift report /var/log/postgresql/postgresql-16-main.log*
          logsift patterns test '%{IPORHOST:client} %{NUMBER:bytes:int}' '10.0.0.1 512'
        """,
        version: "0.1.0",
        subcommands: [ReportCommand.self, MergeCommand.self, QueryCommand.self, WatchCommand.self, RulesCommand.self, FieldsCommand.self,
                      DetectCommand.self, PatternsCommand.self]
    )
}
