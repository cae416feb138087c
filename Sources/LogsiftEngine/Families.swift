import LogParsing

/// The log families as queries read them, listed once: for each family, the decoder that turns
/// its lines into events, and the concrete type a reading loop is specialized for. Detection (`FormatDetector`), the report's processors (`Worker`,
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

    /// Hands `decoder` to `visitor` as its concrete type, so that the per-line loop the visitor
    /// runs is compiled for each family (not through witness tables per line and per field).
    static func visit<V: QueryDecoderVisitor>(_ decoder: any QueryEventDecoder, _ visitor: inout V) {
        if let d = decoder as? AccessEventDecoder { visitor.visit(d) }
        else if let d = decoder as? PostgresEventDecoder { visitor.visit(d) }
        else if let d = decoder as? ApplicationEventDecoder { visitor.visit(d) }
        else { visitor.visit(decoder) }
    }
}

/// Something done with a decoder of any family (see `Families.visit`).
protocol QueryDecoderVisitor {
    mutating func visit<D: QueryEventDecoder>(_ decoder: D)
}
