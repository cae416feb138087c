import ArgumentParser
import LogAggregation
import LogArchive
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
        }
        let saved = paths.filter { $0.hasSuffix(".lsa") }
        if !saved.isEmpty && saved.count != paths.count {
            throw ValidationError("--baseline takes either log files or saved aggregates (.lsa), not both: \(TerminalText.escaped(saved[0])) is a save")
        }
    }

    /// The baseline's analysis, or nil without `--baseline`: saves (`report --save`) merged as
    /// `logsift merge` merges them, or the logs analysed.
    static func baselineAnalysis(_ paths: [String], _ configuration: AnalysisConfiguration) throws -> Analysis? {
        guard !paths.isEmpty else { return nil }
        if paths.allSatisfy({ $0.hasSuffix(".lsa") }) {
            return try SaveInput.merged(paths, context: "--baseline: ").merged.analysis
        }
        var base = configuration
        base.inputs = paths.map(InputSpec.init(path:))
        base.afterPlanning = nil
        return Analyzer.run(base)
    }
}
