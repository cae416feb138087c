/// What became of one line handed to a `LineProcessor`.
public enum LineVerdict: Sendable, Equatable {
    /// The line starts an event the format recognised.
    case matched
    /// The line continues the event before it (a tab-led SQL line, a stack-trace frame,
    /// DETAIL/STATEMENT of a PostgreSQL error). Counted as recognised.
    case continuation
    /// The format did not recognise the line; the engine counts it and keeps a sample.
    case unmatched
    /// The pattern gave up at PCRE2's match limit; counted as unmatched.
    case limitExceeded
}

/// Turns the lines of an input into aggregate state, one line at a time.
///
/// One instance per worker thread and format family (access logs, PostgreSQL, application
/// logs), reused for every input of that family the worker reads; the family's own setup call
/// (which format, which input) comes before the first line of each input. A line's bytes are
/// valid only during `consume`: a processor that joins multi-line events copies what it keeps
/// into a buffer of its own, allocated once and reused (with a size cap that it counts).
/// Nothing may be allocated per line in steady state.
public protocol LineProcessor: AnyObject {
    /// Consumes the next line of the current input (without its line ending).
    func consume(_ line: UnsafeRawBufferPointer) -> LineVerdict
    /// The current input ended: flush a pending multi-line event.
    func endInput()
    /// An empty line of the current input (not handed to `consume`; the engine counts it).
    func blankLine()
}

extension LineProcessor {
    public func blankLine() {}
}
