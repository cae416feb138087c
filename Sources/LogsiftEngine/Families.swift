import LogParsing

/// The log families as queries read them, listed once: for each family, the decoder that turns
/// its lines into events. Detection (`FormatDetector`), the report's processors (`Worker`,
/// `AnalysisConfiguration.make…Processor`) and the cut points between workers (`EventBoundary`)
/// still choose by family in their own files.
enum Families {
    /// The query decoder of inputs in `format`.
    static func queryDecoder(for format: LogFormat, zone: ZoneRule) -> any QueryEventDecoder {
        switch format {
        case .access(_, let pattern): return AccessEventDecoder(pattern: pattern, zone: zone)
        case .postgres(let format): return PostgresEventDecoder(format: format, zone: zone)
        case .application(let format): return ApplicationEventDecoder(format: format, zone: zone)
        }
    }
}
