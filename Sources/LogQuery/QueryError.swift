/// LogQuery: the text of a query (`status >= 500 | count, p95(request_time) by path`) read into
/// a `Query` value, with errors that name the column and what was expected.
///
/// Takes the query text; gives a syntax tree of filters, aggregates, group keys, sort and
/// limit. It knows nothing of log families or fields: resolving a name to a field of an input
/// (and "unknown field 'stauts' (did you mean 'status'?)") happens where the inputs are known.
/// Live alert rules use the same expressions.

/// A query that cannot be read, with the place (1-based line and column) and what to do.
public struct QueryError: Error, Equatable, Sendable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var message: String

    public init(line: Int, column: Int, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    /// `query:1:14: unknown field 'stauts' (did you mean 'status'?)`
    public var description: String { "query:\(line):\(column): \(message)" }
}
