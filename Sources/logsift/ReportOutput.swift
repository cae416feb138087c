import LogAggregation
import LogReport

/// How `report` and `merge` turn an analysis into the chosen format: one place, so that a
/// merge of saves renders byte for byte as the report over the same logs.
struct ReportOutput {
    var format: ReportCommand.OutputFormat
    var top: Int
    var sort: PostgresReport.SortKey
    var errorsOnly: Bool
    var zone: DisplayZone
    /// Writing to a file (`-o`): the text report is 100 columns wide, not the terminal's width.
    var toFile: Bool
    /// `report --baseline`: what changed against the baseline, shown with the report.
    var comparison: ReportComparison? = nil

    func render(_ analysis: Analysis) -> String {
        switch format {
        case .text:
            var options = TextReport.Options()
            options.topPaths = top
            options.width = toFile ? 100 : Terminal.width()
            options.postgresSort = sort
            options.errorsOnly = errorsOnly
            options.zone = zone
            options.comparison = comparison
            return TextReport.render(analysis, options: options)
        case .json:
            var options = JSONReport.Options()
            options.topPaths = top
            options.postgresSort = sort
            options.comparison = comparison
            return JSONReport.render(analysis, options: options)
        case .markdown, .html:
            var options = ReportDocument.Options()
            options.top = top
            options.postgresSort = sort
            options.zone = zone
            options.comparison = comparison
            return format == .markdown ? MarkdownReport.render(analysis, options: options) : HTMLReport.render(analysis, options: options)
        }
    }
}
