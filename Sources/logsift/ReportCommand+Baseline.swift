import ArgumentParser
import LogAggregation
import LogInput
import LogReport
import LogsiftEngine

/// `report --baseline FILE…`: the baseline's logs analysed with the current run's configuration
/// (format choice, zone, bucket width, caps), for `ReportComparison`.
extension ReportCommand {
    static func checkBaseline(_ paths: [String]) throws {
        for path in paths {
            if path.isEmpty { throw ValidationError("--baseline is empty: give a log file to compare with, e.g. --baseline access.log.1") }
            if path == "-" {
                throw ValidationError("--baseline -: the baseline is read from files; give its log files (--baseline access.log.1)")
            }
            // Saved aggregates come with `--save`/`merge`; their loader will read them here.
            if path.hasSuffix(".lsa") {
                throw ValidationError("--baseline \(TerminalText.escaped(path)): this build cannot read saved aggregates (.lsa); give the baseline's log files")
            }
        }
    }

    /// The baseline's analysis, or nil without `--baseline`.
    static func baselineAnalysis(_ paths: [String], _ configuration: AnalysisConfiguration) -> Analysis? {
        guard !paths.isEmpty else { return nil }
        var base = configuration
        base.inputs = paths.map(InputSpec.init(path:))
        base.afterPlanning = nil
        return Analyzer.run(base)
    }
}
