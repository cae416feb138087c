import LogParsing

/// One PostgreSQL log entry as `PostgresProcessor` assembles it: a header (time, pid,
/// severity, what the prefix or the csvlog/jsonlog record names) and the ranges of its message
/// and of the secondary lines joined to it, all into the processor's event buffer.
public struct PostgresEvent: Sendable {
    public var time: Int64? = nil
    public var pid = -1
    public var severity: PostgresSeverity = .unknown
    public var user: Range<Int>? = nil
    public var database: Range<Int>? = nil
    public var sqlstate: Range<Int>? = nil
    /// `%a` / csvlog application_name / jsonlog application_name (kept only for a sink).
    public var application: Range<Int>? = nil
    /// `%h`/`%r` / csvlog connection_from / jsonlog remote_host (kept only for a sink).
    public var client: Range<Int>? = nil
    public var message: Range<Int> = 0..<0
    public var detail: Range<Int>? = nil
    public var hint: Range<Int>? = nil
    public var context: Range<Int>? = nil
    /// The STATEMENT/QUERY line (csvlog `query`, jsonlog `statement`).
    public var statement: Range<Int>? = nil
    /// Which range the next continuation line extends: `.unknown` the message, else that part.
    var last: PostgresSeverity = .unknown

    public init() {}
}

/// Takes each event a `PostgresProcessor` assembles, instead of its aggregate (queries). The
/// bytes are lent for the call only.
public protocol PostgresEventSink: AnyObject {
    func postgresEvent(_ event: PostgresEvent, bytes: UnsafeRawBufferPointer, truncated: Bool)
}

/// Where the statement of a message is, shared by the report's query statistics and the
/// query events, so both read the same SQL.
extension PostgresProcessor {
    /// `duration: N ms  …`: N (milliseconds) and what follows it (blanks skipped; empty for a
    /// bare duration that pairs with an earlier statement).
    @inline(__always)
    public static func duration(_ b: UnsafeRawBufferPointer, _ m: Range<Int>) -> (milliseconds: Double, rest: Range<Int>)? {
        guard hasPrefix(b, m, "duration: "), let (ms, after) = number(b, m.lowerBound + 10, m.upperBound) else { return nil }
        var i = after
        if hasPrefix(b, i..<m.upperBound, " ms") { i += 3 }
        while i < m.upperBound, b[i] == 32 { i += 1 }
        return (ms, i..<m.upperBound)
    }

    /// The SQL of `statement: SQL` or `execute NAME: SQL` at the start of `r`, else nil.
    @inline(__always)
    public static func statementSQL(_ b: UnsafeRawBufferPointer, _ r: Range<Int>) -> Range<Int>? {
        if hasPrefix(b, r, "statement: ") { return (r.lowerBound + 11)..<r.upperBound }
        if hasPrefix(b, r, "execute "), let colon = find(b, r, ": ") { return (colon + 2)..<r.upperBound }
        return nil
    }
}
