import LogParsing
/// Per-fingerprint query statistics. Durations are kept in **seconds** in the sketch (like
/// request times); reports show milliseconds.
public struct PostgresQueryStats: KeyedValue {
    /// Executions logged with a duration (`duration: … statement:/execute …:`).
    public var calls: UInt64 = 0
    /// Executions logged without a duration (`statement: …` from `log_statement`, csvlog/jsonlog
    /// records without one); not in the duration figures.
    public var unmeasured: UInt64 = 0
    /// Durations in seconds: count, exact sum and max, p50/p95/p99 within 1%.
    public var duration = LatencySketch()
    /// The slowest execution: its text as logged, its bind parameters (`DETAIL:  parameters:`),
    /// when, where.
    public var slowest: PostgresExample? = nil

    public init() {}
    public var weight: UInt64 { calls + unmeasured }

    public mutating func merge(_ other: PostgresQueryStats) {
        calls += other.calls
        unmeasured += other.unmeasured
        duration.merge(other.duration)
        if let o = other.slowest, slowest == nil || o.ranksAbove(slowest!) { slowest = o }
    }
}

/// One logged statement kept as an example.
public struct PostgresExample: Sendable, Equatable {
    public var seconds: Double
    public var time: Int64?

    /// Slower first, then earlier: a total order, so the examples kept do not depend on how
    /// the input was split between workers or in which order parts were merged.
    @inline(__always)
    public static func ranks(seconds: Double, time: Int64?, above other: PostgresExample) -> Bool {
        seconds != other.seconds ? seconds > other.seconds : (time ?? .max) < (other.time ?? .max)
    }

    public func ranksAbove(_ other: PostgresExample) -> Bool {
        PostgresExample.ranks(seconds: seconds, time: time, above: other)
    }

    public var query: String
    public var parameters: String?
    public var database: String?
    public var user: String?
}

/// Errors grouped by message template (numbers and quoted names replaced).
public struct PostgresErrorStats: KeyedValue {
    public var count: UInt64 = 0
    public var severity: PostgresSeverityClass = .error
    /// SQLSTATE of the first occurrence, when logged (`%e`, csvlog, jsonlog).
    public var sqlstate: String? = nil
    /// The earliest occurrence's message and statement (the earliest wherever the input was
    /// cut, so merged parts agree with one pass).
    public var example: String = ""
    public var statement: String? = nil
    public var exampleTime: Int64 = .max

    public init() {}
    public var weight: UInt64 { count }
    public mutating func merge(_ other: PostgresErrorStats) {
        if other.count > 0 && (count == 0 || other.exampleTime < exampleTime) {
            severity = other.severity; sqlstate = other.sqlstate; example = other.example; statement = other.statement
            exampleTime = other.exampleTime
        }
        count += other.count
    }
}

public enum PostgresSeverityClass: String, Sendable { case error = "ERROR", fatal = "FATAL", panic = "PANIC" }

/// Autovacuum and autoanalyze runs of one table.
public struct PostgresMaintenanceStats: KeyedValue {
    public var vacuums: UInt64 = 0
    public var analyzes: UInt64 = 0
    public init() {}
    public var weight: UInt64 { vacuums + analyzes }
    public mutating func merge(_ other: PostgresMaintenanceStats) {
        vacuums += other.vacuums
        analyzes += other.analyzes
    }
}

/// Counts of one time bucket.
public struct PostgresBucket: BucketValue {
    public var events: UInt64 = 0
    /// Statements with a duration, and their durations in seconds.
    public var queries: UInt64 = 0
    public var duration = LatencySketch()
    public var errors: UInt64 = 0
    public var connections: UInt64 = 0
    public var disconnections: UInt64 = 0
    public var autovacuums: UInt64 = 0
    public var autoanalyzes: UInt64 = 0
    public var checkpoints: UInt64 = 0
    public var tempFiles: UInt64 = 0
    public var lockWaits: UInt64 = 0
    public var deadlocks: UInt64 = 0

    public init() {}

    public mutating func merge(_ o: PostgresBucket) {
        events += o.events; queries += o.queries; duration.merge(o.duration); errors += o.errors
        connections += o.connections; disconnections += o.disconnections
        autovacuums += o.autovacuums; autoanalyzes += o.autoanalyzes; checkpoints += o.checkpoints
        tempFiles += o.tempFiles; lockWaits += o.lockWaits; deadlocks += o.deadlocks
    }
}

/// Kind of statement, from the fingerprint's first word (pgBadger's "queries by type").
public enum PostgresQueryType: Int, Sendable, CaseIterable {
    case select, insert, update, delete, copyFrom, copyTo, cte, ddl, tcl, cursor, other

    public var name: String {
        switch self {
        case .select: "SELECT"
        case .insert: "INSERT"
        case .update: "UPDATE"
        case .delete: "DELETE"
        case .copyFrom: "COPY FROM"
        case .copyTo: "COPY TO"
        case .cte: "CTE"
        case .ddl: "DDL"
        case .tcl: "TCL"
        case .cursor: "CURSOR"
        case .other: "OTHERS"
        }
    }
}

/// Everything the report says about PostgreSQL logs, built event by event and mergeable: two
/// aggregates of disjoint inputs merge into what one pass over both gives (as long as no table
/// evicted keys; `isExact` says so). Memory is bounded: buckets are capped like
/// `TrafficAggregate`'s (the width doubles), every keyed table has a capacity.
public struct PostgresAggregate: Sendable {
    public static let defaultMaxBuckets = 10_000
    public static let queryCapacity = 5_000
    public static let smallCapacity = 1_000

    public internal(set) var series: TimeBuckets<PostgresBucket>
    /// Bucket width in seconds (the requested width, doubled `widenings` times).
    public var bucketSeconds: Int64 { series.width }
    public var widenings: Int { series.widenings }
    public var buckets: [PostgresBucket] { series.buckets }

    /// Lines recognised (headers and continuations) and events they formed.
    public internal(set) var lines: UInt64 = 0
    public internal(set) var events: UInt64 = 0
    /// Events longer than the processor's cap, cut to it.
    public internal(set) var truncatedEvents: UInt64 = 0
    /// Events without a readable timestamp: in the totals, in no bucket.
    public internal(set) var untimed: UInt64 = 0
    /// Lines stamped with a zone abbreviation that is ambiguous or unknown (most lines first).
    public internal(set) var doubtfulAbbreviations: [AbbreviationUse] = []
    public internal(set) var firstTime: Int64 = .max
    public internal(set) var lastTime: Int64 = .min
    /// Messages per severity, indexed by `PostgresSeverity.rawValue`.
    public internal(set) var severities = [UInt64](repeating: 0, count: 16)

    /// All statements with a duration: count, seconds.
    public internal(set) var queries: UInt64 = 0
    public internal(set) var queryDuration = LatencySketch()
    /// Statements logged without a duration.
    public internal(set) var unmeasuredQueries: UInt64 = 0
    /// Statements (measured or not) per `PostgresQueryType.rawValue`.
    public internal(set) var queryTypes = [UInt64](repeating: 0, count: PostgresQueryType.allCases.count)
    public internal(set) var queryTable = KeyedTable<PostgresQueryStats>(capacity: PostgresAggregate.queryCapacity)
    /// Statements per database (as pgBadger's per-database query count).
    public internal(set) var queriesByDatabase = KeyedTable<Counter>(capacity: PostgresAggregate.smallCapacity)
    /// The slowest individual executions, slowest first (at most `slowestKept`).
    public internal(set) var slowestQueries: [PostgresExample] = []
    public static let slowestKept = 20
    /// Extended-protocol steps that are not executions: `parse`/`bind` with a duration.
    public internal(set) var parseSteps = LatencySketch()
    public internal(set) var bindSteps = LatencySketch()
    /// `duration: N ms` lines with no statement on them that could not be paired with the same
    /// pid's preceding `statement:` line (log_duration with log_statement pairs them).
    public internal(set) var durationOnly: UInt64 = 0

    /// ERROR + FATAL + PANIC events.
    public internal(set) var errors: UInt64 = 0
    public internal(set) var errorsBySQLState = KeyedTable<Counter>(capacity: PostgresAggregate.smallCapacity)
    public internal(set) var errorTemplates = KeyedTable<PostgresErrorStats>(capacity: PostgresAggregate.smallCapacity)

    public internal(set) var connectionsReceived: UInt64 = 0
    public internal(set) var connectionsAuthorized: UInt64 = 0
    /// Authorized connections per `user@database`.
    public internal(set) var connectionsByUserDatabase = KeyedTable<Counter>(capacity: PostgresAggregate.smallCapacity)
    public internal(set) var disconnections: UInt64 = 0
    /// Session durations from `disconnection: session time:`, in seconds.
    public internal(set) var sessionDuration = LatencySketch()

    /// Completed checkpoints (and restartpoints) and their write/sync/total times in milliseconds.
    public internal(set) var checkpoints: UInt64 = 0
    public internal(set) var checkpointsStarted: UInt64 = 0
    public internal(set) var checkpointWriteMillis: Int64 = 0
    public internal(set) var checkpointSyncMillis: Int64 = 0
    public internal(set) var checkpointTotalMillis: Int64 = 0
    public internal(set) var checkpointBuffers: UInt64 = 0

    public internal(set) var autovacuums: UInt64 = 0
    public internal(set) var autoanalyzes: UInt64 = 0
    /// Per table as logged (`db.schema.table`).
    public internal(set) var maintenance = KeyedTable<PostgresMaintenanceStats>(capacity: PostgresAggregate.smallCapacity)

    public internal(set) var tempFiles: UInt64 = 0
    public internal(set) var tempFileBytes: UInt64 = 0
    public internal(set) var tempFileMaxBytes: UInt64 = 0
    /// Lock waits (`log_lock_waits`), each with its length in seconds: the `acquired …`,
    /// `detected deadlock while waiting …` or `failed to acquire …` time that ended it, else the
    /// `still waiting …` time (a wait whose end was not logged).
    public internal(set) var lockWaits: UInt64 = 0
    public internal(set) var lockWaitDuration = LatencySketch()
    public internal(set) var deadlocks: UInt64 = 0

    public init(bucketSeconds: Int64) {
        self.init(bucketSeconds: bucketSeconds, maxBuckets: PostgresAggregate.defaultMaxBuckets)
    }

    public init(bucketSeconds: Int64, maxBuckets: Int, calendar: BucketCalendar = .utc) {
        series = TimeBuckets(width: bucketSeconds, maxBuckets: maxBuckets, calendar: calendar)
    }

    /// Counts are exact: no keyed table evicted anything.
    public var isExact: Bool {
        queryTable.isExact && errorTemplates.isExact && maintenance.isExact && connectionsByUserDatabase.isExact
    }

    /// The bucket of an event at `time` (nil: untimed), creating it if new.
    @inline(__always)
    mutating func bucket(_ time: Int64?) -> Int? {
        guard let t = time else { untimed &+= 1; return nil }
        if t < firstTime { firstTime = t }
        if t > lastTime { lastTime = t }
        return series.slot(for: t)
    }

    /// Adds another aggregate of other inputs (bucket widths are the same width doubled; the
    /// result takes the wider).
    public mutating func merge(_ other: PostgresAggregate) {
        series.merge(other.series)
        lines += other.lines; events += other.events; truncatedEvents += other.truncatedEvents
        untimed += other.untimed
        AbbreviationUse.merge(other.doubtfulAbbreviations, into: &doubtfulAbbreviations)
        firstTime = Swift.min(firstTime, other.firstTime)
        lastTime = Swift.max(lastTime, other.lastTime)
        for i in severities.indices { severities[i] += other.severities[i] }
        queries += other.queries
        queryDuration.merge(other.queryDuration)
        unmeasuredQueries += other.unmeasuredQueries
        for i in queryTypes.indices { queryTypes[i] += other.queryTypes[i] }
        queryTable.merge(other.queryTable)
        for example in other.slowestQueries { keepSlowest(example) }
        queriesByDatabase.merge(other.queriesByDatabase)
        parseSteps.merge(other.parseSteps)
        bindSteps.merge(other.bindSteps)
        durationOnly += other.durationOnly
        errors += other.errors
        errorsBySQLState.merge(other.errorsBySQLState)
        errorTemplates.merge(other.errorTemplates)
        connectionsReceived += other.connectionsReceived
        connectionsAuthorized += other.connectionsAuthorized
        connectionsByUserDatabase.merge(other.connectionsByUserDatabase)
        disconnections += other.disconnections
        sessionDuration.merge(other.sessionDuration)
        checkpoints += other.checkpoints
        checkpointsStarted += other.checkpointsStarted
        // Sums of values read from the log wrap as they do line by line (`&+=`): a hostile log
        // overflows them, and merging must not trap.
        checkpointWriteMillis &+= other.checkpointWriteMillis
        checkpointSyncMillis &+= other.checkpointSyncMillis
        checkpointTotalMillis &+= other.checkpointTotalMillis
        checkpointBuffers &+= other.checkpointBuffers
        autovacuums += other.autovacuums
        autoanalyzes += other.autoanalyzes
        maintenance.merge(other.maintenance)
        tempFiles += other.tempFiles
        tempFileBytes &+= other.tempFileBytes
        tempFileMaxBytes = Swift.max(tempFileMaxBytes, other.tempFileMaxBytes)
        lockWaits += other.lockWaits
        lockWaitDuration.merge(other.lockWaitDuration)
        deadlocks += other.deadlocks
    }

    /// Whether an execution of `seconds` would enter `slowestQueries`.
    @inline(__always)
    func isAmongSlowest(_ seconds: Double, time: Int64?) -> Bool {
        slowestQueries.count < PostgresAggregate.slowestKept
            || PostgresExample.ranks(seconds: seconds, time: time, above: slowestQueries[slowestQueries.count - 1])
    }

    mutating func keepSlowest(_ example: PostgresExample) {
        guard isAmongSlowest(example.seconds, time: example.time) else { return }
        var at = slowestQueries.count
        while at > 0, example.ranksAbove(slowestQueries[at - 1]) { at -= 1 }
        slowestQueries.insert(example, at: at)
        if slowestQueries.count > PostgresAggregate.slowestKept { slowestQueries.removeLast() }
    }

    /// Buckets in time order, silent ones between the first and the last included as empty
    /// (a database that stopped logging shows as buckets of zero).
    public var orderedBuckets: [(start: Int64, stats: PostgresBucket)] {
        series.orderedFillingGaps.map { ($0.start, $0.bucket) }
    }

    /// Statistics of one fingerprint (as `SQLFingerprint.normalize` gives it), if seen.
    public func query(_ fingerprint: String) -> PostgresQueryStats? { queryTable.value(for: fingerprint) }

    /// All fingerprints with their statistics.
    public var allQueries: [(fingerprint: String, stats: PostgresQueryStats)] {
        queryTable.sorted { Double($0.calls + $0.unmeasured) }.map { ($0.key, $0.value) }
    }
}
