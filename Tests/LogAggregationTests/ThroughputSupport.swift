import LogAggregation
import LogInput

/// What feeding a file to a processor took, for the env-gated throughput harnesses.
struct FeedResult {
    var seconds: Double
    var bytes: Int
    var lines: Int
    var unmatched: Int
}

/// Frames `path` with the engine's own `LineReader` (one reused buffer, lines in place) and feeds
/// every line to `processor`; ends the input. Only the time is measured, nothing is asserted.
func feedFile(_ path: String, to processor: some LineProcessor) throws -> FeedResult {
    let reader = LineReader(source: try FileSource(path: path))
    var lines = 0
    var unmatched = 0
    let clock = ContinuousClock()
    let start = clock.now
    while let line = reader.nextLine() {
        lines += 1
        let verdict = processor.consume(line)
        if verdict == .unmatched || verdict == .limitExceeded { unmatched += 1 }
    }
    processor.endInput()
    let elapsed = clock.now - start
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    return FeedResult(seconds: seconds, bytes: reader.bytesRead, lines: lines, unmatched: unmatched)
}
