import LogParsing

// How each aggregate is saved (`report --save`) and read back (`merge`). What is written is the
// whole state that later merges and every report output depend on — keys and values of the
// bounded tables with their eviction counters, bucket series with their width and cap, error
// groups with their templates — so that a read-back aggregate merges and renders exactly as
// the one that was saved. Caches that merging clears anyway (the error-group template cache)
// are not saved. Readers check what would break an invariant (a start that is not a bucket
// start, a table over its capacity, a sketch whose buckets do not add up) and throw.

extension LatencySketch: SaveCodable {
    /// Counts, exact sum, min and max, then the non-empty buckets as (index step, count).
    public func encode(into e: inout SaveEncoder) {
        e.varint(count)
        e.varint(zeroCount)
        e.int(sumMicros)
        e.double(min)
        e.double(max)
        var buckets: [(Int, UInt64)] = []
        forEachBucket { i, n in buckets.append((i, n)); return true }
        e.count(buckets.count)
        var previous = LatencySketch.lowestIndex
        for (i, n) in buckets {
            e.count(i - previous)
            e.varint(n)
            previous = i
        }
    }

    public init(decoding d: inout SaveDecoder) throws(SaveDecodingError) {
        self.init()
        let count = try d.varint()
        zeroCount = try d.varint()
        sumMicros = try d.int()
        min = try d.double()
        max = try d.double()
        let n = try d.count(minimumSize: 2)
        var index = LatencySketch.lowestIndex
        var inBuckets: UInt64 = 0
        for _ in 0..<n {
            index += try d.int(upTo: LatencySketch.highestIndex - LatencySketch.lowestIndex)
            let c = try d.varint()
            guard index <= LatencySketch.highestIndex, c > 0, c <= count else { throw d.error("a latency sketch bucket is out of range") }
            let (sum, overflow) = inBuckets.addingReportingOverflow(c)
            guard !overflow else { throw d.error("a latency sketch's buckets overflow") }
            inBuckets = sum
            addSlow(relative: index - LatencySketch.lowestIndex, count: c)
        }
        guard inBuckets.addingReportingOverflow(zeroCount) == (count, false) else {
            throw d.error("a latency sketch's buckets do not add up to its count")
        }
        self.count = count
    }
}

extension BucketStats: SaveCodable {
    public func encode(into e: inout SaveEncoder) {
        e.varint(requests)
        for k in 0...5 { e.varint(count(ofClass: k)) }
        e.varint(bytes)
        latency.encode(into: &e)
        upstream.encode(into: &e)
    }

    public init(decoding d: inout SaveDecoder) throws(SaveDecodingError) {
        self.init()
        requests = try d.varint()
        classes = (try d.varint(), try d.varint(), try d.varint(), try d.varint(), try d.varint(), try d.varint())
        bytes = try d.varint()
        latency = try LatencySketch(decoding: &d)
        upstream = try LatencySketch(decoding: &d)
    }
}

extension SIMD8: SaveCodable where Scalar == UInt64 {
    public func encode(into e: inout SaveEncoder) {
        for i in 0..<8 { e.varint(self[i]) }
    }

    public init(decoding d: inout SaveDecoder) throws(SaveDecodingError) {
        self.init()
        for i in 0..<8 { self[i] = try d.varint() }
    }
}

extension TimeBuckets: SaveCodable where Bucket: SaveCodable {
    public func encode(into e: inout SaveEncoder) {
        e.int(width)
        e.count(maxBuckets)
        e.count(widenings)
        e.count(buckets.count)
        for (start, bucket) in zip(starts, buckets) {
            e.int(start)
            bucket.encode(into: &e)
        }
    }

    public init(decoding d: inout SaveDecoder) throws(SaveDecodingError) {
        let width = try d.int()
        let maxBuckets = try d.int(upTo: Int(Int32.max))
        guard width >= 1, maxBuckets >= 2 else { throw d.error("a bucket series has width \(width) or cap \(maxBuckets)") }
        self.init(width: width, maxBuckets: maxBuckets, calendar: d.calendar)
        widenings = try d.int(upTo: 64)
        let n = try d.count(minimumSize: 2)
        // `maxBuckets + 2`: at the widest width a series may pass its cap by two (see `widestWidth`).
        guard n <= maxBuckets + 2 else { throw d.error("a bucket series holds \(n) buckets, over its cap of \(maxBuckets)") }
        starts.reserveCapacity(n)
        buckets.reserveCapacity(n)
        for slot in 0..<n {
            let start = try d.int()
            guard start == self.start(of: start), slotOfStart[start] == nil else {
                throw d.error("bucket start \(start) is repeated or not where a bucket of width \(width) starts")
            }
            slotOfStart[start] = slot
            starts.append(start)
            buckets.append(try Bucket(decoding: &d))
        }
    }
}

extension KeyedTable: SaveCodable where Value: SaveCodable {
    /// Capacity and eviction counters, then the keys with their values in table order.
    public func encode(into e: inout SaveEncoder) {
        e.count(capacity)
        e.varint(evictedKeys)
        e.varint(evictedWeight)
        e.varint(evictionFloor)
        e.count(values.count)
        for i in values.indices {
            withKey(at: i) { e.bytes($0) }
            values[i].encode(into: &e)
        }
    }

    public init(decoding d: inout SaveDecoder) throws(SaveDecodingError) {
        let capacity = try d.int(upTo: Int(Int32.max))
        self.init(capacity: capacity)
        evictedKeys = try d.varint()
        evictedWeight = try d.varint()
        evictionFloor = try d.varint()
        let n = try d.count(minimumSize: 2)
        guard n <= self.capacity else { throw d.error("a table holds \(n) keys, over its capacity of \(self.capacity)") }
        for _ in 0..<n {
            let key = try d.bytes()
            let value = try Value(decoding: &d)
            let before = count
            let i = key.withUnsafeBytes { index($0) }
            guard count == before + 1 else { throw d.error("a table key is repeated") }
            values[i] = value
        }
    }
}

extension PathStats: SaveCodable {
    public func encode(into e: inout SaveEncoder) {
        e.varint(requests)
        e.varint(serverErrors)
        e.varint(clientErrors)
        e.varint(bytes)
        latency.encode(into: &e)
    }

    public init(decoding d: inout SaveDecoder) throws(SaveDecodingError) {
        self.init()
        requests = try d.varint()
        serverErrors = try d.varint()
        clientErrors = try d.varint()
        bytes = try d.varint()
        latency = try LatencySketch(decoding: &d)
    }
}

extension Counter: SaveCodable {
    public func encode(into e: inout SaveEncoder) { e.varint(count) }

    public init(decoding d: inout SaveDecoder) throws(SaveDecodingError) {
        self.init()
        count = try d.varint()
    }
}

extension TrafficAggregate: SaveCodable {
    public func encode(into e: inout SaveEncoder) {
        series.encode(into: &e)
        total.encode(into: &e)
        let codes = statusCounts.indices.filter { statusCounts[$0] > 0 }
        e.count(codes.count)
        for code in codes {
            e.count(code)
            e.varint(statusCounts[code])
        }
        paths.encode(into: &e)
        e.varint(untimed)
        e.varint(pathless)
        e.int(firstTime)
        e.int(lastTime)
    }

    public init(decoding d: inout SaveDecoder) throws(SaveDecodingError) {
        self.init()
        series = try TimeBuckets(decoding: &d)
        total = try BucketStats(decoding: &d)
        let n = try d.count(minimumSize: 2)
        for _ in 0..<n { statusCounts[try d.int(upTo: 599)] = try d.varint() }
        paths = try PathTable(decoding: &d)
        untimed = try d.varint()
        pathless = try d.varint()
        firstTime = try d.int()
        lastTime = try d.int()
    }
}

// MARK: - PostgreSQL

extension PostgresExample: SaveCodable {
    public func encode(into e: inout SaveEncoder) {
        e.double(seconds)
        e.optionalInt(time)
        e.string(query)
        e.optionalString(parameters)
        e.optionalString(database)
        e.optionalString(user)
    }

    public init(decoding d: inout SaveDecoder) throws(SaveDecodingError) {
        let seconds = try d.double()
        let time = try d.optionalInt()
        self.init(seconds: seconds, time: time, query: try d.string(), parameters: try d.optionalString(),
                  database: try d.optionalString(), user: try d.optionalString())
    }
}

extension PostgresQueryStats: SaveCodable {
    public func encode(into e: inout SaveEncoder) {
        e.varint(calls)
        e.varint(unmeasured)
        duration.encode(into: &e)
        e.bool(slowest != nil)
        slowest?.encode(into: &e)
    }

    public init(decoding d: inout SaveDecoder) throws(SaveDecodingError) {
        self.init()
        calls = try d.varint()
        unmeasured = try d.varint()
        duration = try LatencySketch(decoding: &d)
        if try d.bool() { slowest = try PostgresExample(decoding: &d) }
    }
}

extension PostgresErrorStats: SaveCodable {
    public func encode(into e: inout SaveEncoder) {
        e.varint(count)
        e.string(severity.rawValue)
        e.optionalString(sqlstate)
        e.string(example)
        e.optionalString(statement)
        e.int(exampleTime)
    }

    public init(decoding d: inout SaveDecoder) throws(SaveDecodingError) {
        self.init()
        count = try d.varint()
        guard let s = PostgresSeverityClass(rawValue: try d.string()) else { throw d.error("an error group's severity is unknown") }
        severity = s
        sqlstate = try d.optionalString()
        example = try d.string()
        statement = try d.optionalString()
        exampleTime = try d.int()
    }
}

extension PostgresMaintenanceStats: SaveCodable {
    public func encode(into e: inout SaveEncoder) {
        e.varint(vacuums)
        e.varint(analyzes)
    }

    public init(decoding d: inout SaveDecoder) throws(SaveDecodingError) {
        self.init()
        vacuums = try d.varint()
        analyzes = try d.varint()
    }
}

extension PostgresBucket: SaveCodable {
    public func encode(into e: inout SaveEncoder) {
        for v in [events, queries] { e.varint(v) }
        duration.encode(into: &e)
        for v in [errors, connections, disconnections, autovacuums, autoanalyzes, checkpoints, tempFiles, lockWaits, deadlocks] {
            e.varint(v)
        }
    }

    public init(decoding d: inout SaveDecoder) throws(SaveDecodingError) {
        self.init()
        events = try d.varint()
        queries = try d.varint()
        duration = try LatencySketch(decoding: &d)
        errors = try d.varint()
        connections = try d.varint()
        disconnections = try d.varint()
        autovacuums = try d.varint()
        autoanalyzes = try d.varint()
        checkpoints = try d.varint()
        tempFiles = try d.varint()
        lockWaits = try d.varint()
        deadlocks = try d.varint()
    }
}

extension AbbreviationUse: SaveCodable {
    public func encode(into e: inout SaveEncoder) {
        e.string(abbreviation)
        e.string(reading.rawValue)
        e.optionalInt(offset.map(Int64.init))
        e.varint(lines)
    }

    public init(decoding d: inout SaveDecoder) throws(SaveDecodingError) {
        let abbreviation = try d.string()
        guard let reading = ZoneRule.AbbreviationReading(rawValue: try d.string()) else {
            throw d.error("a zone abbreviation's reading is unknown")
        }
        let offset = try d.optionalInt()
        guard offset.map({ abs($0) <= 86_400 }) ?? true else { throw d.error("a zone offset is out of range") }
        self.init(abbreviation: abbreviation, reading: reading, offset: offset.map { Int($0) }, lines: try d.varint())
    }
}

extension SaveEncoder {
    public mutating func counts(_ values: [UInt64]) {
        count(values.count)
        for v in values { varint(v) }
    }

    public mutating func list<T: SaveCodable>(_ values: [T]) {
        count(values.count)
        for v in values { v.encode(into: &self) }
    }
}

extension SaveDecoder {
    /// Exactly `expected` counts (a fixed-size table such as severities per level).
    public mutating func counts(expected: Int) throws(SaveDecodingError) -> [UInt64] {
        let n = try count()
        guard n == expected else { throw error("a table of \(expected) counts holds \(n)") }
        var out: [UInt64] = []
        for _ in 0..<n { out.append(try varint()) }
        return out
    }

    public mutating func list<T: SaveCodable>(of: T.Type, atMost limit: Int = .max) throws(SaveDecodingError) -> [T] {
        let n = try count()
        guard n <= limit else { throw error("a list of at most \(limit) holds \(n)") }
        var out: [T] = []
        for _ in 0..<n { out.append(try T(decoding: &self)) }
        return out
    }
}

extension PostgresAggregate: SaveCodable {
    public func encode(into e: inout SaveEncoder) {
        series.encode(into: &e)
        for v in [lines, events, truncatedEvents, untimed] { e.varint(v) }
        e.list(doubtfulAbbreviations)
        e.int(firstTime)
        e.int(lastTime)
        e.counts(severities)
        e.varint(queries)
        queryDuration.encode(into: &e)
        e.varint(unmeasuredQueries)
        e.counts(queryTypes)
        queryTable.encode(into: &e)
        queriesByDatabase.encode(into: &e)
        e.list(slowestQueries)
        parseSteps.encode(into: &e)
        bindSteps.encode(into: &e)
        e.varint(durationOnly)
        e.varint(errors)
        errorsBySQLState.encode(into: &e)
        errorTemplates.encode(into: &e)
        e.varint(connectionsReceived)
        e.varint(connectionsAuthorized)
        connectionsByUserDatabase.encode(into: &e)
        e.varint(disconnections)
        sessionDuration.encode(into: &e)
        e.varint(checkpoints)
        e.varint(checkpointsStarted)
        for v in [checkpointWriteMillis, checkpointSyncMillis, checkpointTotalMillis] { e.int(v) }
        e.varint(checkpointBuffers)
        e.varint(autovacuums)
        e.varint(autoanalyzes)
        maintenance.encode(into: &e)
        for v in [tempFiles, tempFileBytes, tempFileMaxBytes, lockWaits] { e.varint(v) }
        lockWaitDuration.encode(into: &e)
        e.varint(deadlocks)
    }

    public init(decoding d: inout SaveDecoder) throws(SaveDecodingError) {
        self.init(bucketSeconds: 60)
        series = try TimeBuckets(decoding: &d)
        lines = try d.varint()
        events = try d.varint()
        truncatedEvents = try d.varint()
        untimed = try d.varint()
        doubtfulAbbreviations = try d.list(of: AbbreviationUse.self)
        firstTime = try d.int()
        lastTime = try d.int()
        severities = try d.counts(expected: severities.count)
        queries = try d.varint()
        queryDuration = try LatencySketch(decoding: &d)
        unmeasuredQueries = try d.varint()
        queryTypes = try d.counts(expected: queryTypes.count)
        queryTable = try KeyedTable(decoding: &d)
        queriesByDatabase = try KeyedTable(decoding: &d)
        slowestQueries = try d.list(of: PostgresExample.self, atMost: PostgresAggregate.slowestKept)
        parseSteps = try LatencySketch(decoding: &d)
        bindSteps = try LatencySketch(decoding: &d)
        durationOnly = try d.varint()
        errors = try d.varint()
        errorsBySQLState = try KeyedTable(decoding: &d)
        errorTemplates = try KeyedTable(decoding: &d)
        connectionsReceived = try d.varint()
        connectionsAuthorized = try d.varint()
        connectionsByUserDatabase = try KeyedTable(decoding: &d)
        disconnections = try d.varint()
        sessionDuration = try LatencySketch(decoding: &d)
        checkpoints = try d.varint()
        checkpointsStarted = try d.varint()
        checkpointWriteMillis = try d.int()
        checkpointSyncMillis = try d.int()
        checkpointTotalMillis = try d.int()
        checkpointBuffers = try d.varint()
        autovacuums = try d.varint()
        autoanalyzes = try d.varint()
        maintenance = try KeyedTable(decoding: &d)
        tempFiles = try d.varint()
        tempFileBytes = try d.varint()
        tempFileMaxBytes = try d.varint()
        lockWaits = try d.varint()
        lockWaitDuration = try LatencySketch(decoding: &d)
        deadlocks = try d.varint()
    }
}

// MARK: - Application logs

extension ApplicationErrorGroup: SaveCodable {
    public func encode(into e: inout SaveEncoder) {
        e.varint(count)
        e.int(firstSeen)
        e.int(lastSeen)
        e.u8(level.rawValue)
        e.bytes(sample)
        e.bool(sampleTruncated)
        e.int(sampleTime)
        e.count(bucketStarts.count)
        for (s, c) in zip(bucketStarts, bucketCounts) {
            e.int(s)
            e.varint(c)
        }
        e.count(services.count)
        for s in services {
            e.bytes(s.name)
            e.varint(s.count)
        }
        e.varint(otherServices)
        e.count(tokens.count)
        for t in tokens { e.bytes(t) }
    }

    public init(decoding d: inout SaveDecoder) throws(SaveDecodingError) {
        self.init(tokens: [])
        count = try d.varint()
        firstSeen = try d.int()
        lastSeen = try d.int()
        guard let level = ApplicationLevel(rawValue: try d.u8()) else { throw d.error("an error group's level is unknown") }
        self.level = level
        sample = try d.bytes()
        guard sample.count <= ApplicationErrorGroups.sampleLimit else { throw d.error("an error group's sample is over its limit") }
        sampleTruncated = try d.bool()
        sampleTime = try d.int()
        let n = try d.count(minimumSize: 2)
        for _ in 0..<n {
            let start = try d.int()
            guard bucketStarts.last.map({ $0 < start }) ?? true else { throw d.error("an error group's buckets are out of order") }
            bucketStarts.append(start)
            bucketCounts.append(try d.varint())
        }
        let m = try d.int(upTo: ApplicationErrorGroups.maxServices)
        for _ in 0..<m {
            let name = try d.bytes()
            services.append(ServiceCount(name: name, count: try d.varint()))
        }
        otherServices = try d.varint()
        let k = try d.count()
        for _ in 0..<k { tokens.append(try d.bytes()) }
    }
}

extension ApplicationErrorGroups: SaveCodable {
    public func encode(into e: inout SaveEncoder) {
        e.count(capacity)
        e.double(similarity)
        e.count(seriesCapacity)
        e.varint(evictedEvents)
        e.varint(evictedGroups)
        e.varint(evictionFloor)
        e.list(groups)
    }

    public init(decoding d: inout SaveDecoder) throws(SaveDecodingError) {
        let capacity = try d.int(upTo: Int(Int32.max) / 4)
        let similarity = try d.double()
        let seriesCapacity = try d.int(upTo: Int(Int32.max))
        guard similarity >= 0, similarity <= 1 else { throw d.error("the error groups' similarity is not within 0...1") }
        self.init(capacity: capacity, similarity: similarity, seriesCapacity: seriesCapacity)
        evictedEvents = try d.varint()
        evictedGroups = try d.varint()
        evictionFloor = try d.varint()
        groups = try d.list(of: ApplicationErrorGroup.self, atMost: self.capacity)
        for (i, g) in groups.enumerated() {
            let key = ApplicationErrorGroups.withView(g.tokens) { ApplicationErrorGroups.leafKey($0) }
            leaves[key, default: []].append(Int32(i))
        }
        recountSeries()
    }
}

extension ApplicationAggregate: SaveCodable {
    public func encode(into e: inout SaveEncoder) {
        series.encode(into: &e)
        total.encode(into: &e)
        e.varint(untimed)
        e.int(firstTime)
        e.int(lastTime)
        for v in [continuationLines, truncatedEvents, truncatedBytes] { e.varint(v) }
        groups.encode(into: &e)
        services.encode(into: &e)
        serviceErrors.encode(into: &e)
        clients.encode(into: &e)
        upstreams.encode(into: &e)
        e.count(formats.count)
        for f in formats { e.string(f) }
    }

    public init(decoding d: inout SaveDecoder) throws(SaveDecodingError) {
        self.init(bucketSeconds: 60)
        series = try TimeBuckets(decoding: &d)
        total = try ApplicationLevelCounts(decoding: &d)
        untimed = try d.varint()
        firstTime = try d.int()
        lastTime = try d.int()
        continuationLines = try d.varint()
        truncatedEvents = try d.varint()
        truncatedBytes = try d.varint()
        groups = try ApplicationErrorGroups(decoding: &d)
        services = try KeyedTable(decoding: &d)
        serviceErrors = try KeyedTable(decoding: &d)
        clients = try KeyedTable(decoding: &d)
        upstreams = try KeyedTable(decoding: &d)
        let n = try d.count()
        for _ in 0..<n { noteFormat(try d.string()) }
    }
}

// MARK: - The analysis

extension InputSummary: SaveCodable {
    public func encode(into e: inout SaveEncoder) {
        e.string(name)
        e.string(format)
        for v in [lines, matched, unmatched, blank, limitExceeded, overlong, bytesRead] { e.varint(v) }
        e.optionalString(error)
        e.optionalString(guessedNginxFormat)
    }

    public init(decoding d: inout SaveDecoder) throws(SaveDecodingError) {
        self.init(name: try d.string(), format: try d.string())
        lines = try d.varint()
        matched = try d.varint()
        unmatched = try d.varint()
        blank = try d.varint()
        limitExceeded = try d.varint()
        overlong = try d.varint()
        bytesRead = try d.varint()
        error = try d.optionalString()
        guessedNginxFormat = try d.optionalString()
    }
}

extension UnmatchedSample: SaveCodable {
    public func encode(into e: inout SaveEncoder) {
        e.string(input)
        e.count(inputIndex)
        e.count(line)
        e.string(text)
    }

    public init(decoding d: inout SaveDecoder) throws(SaveDecodingError) {
        let input = try d.string()
        let inputIndex = try d.int(upTo: Int(Int32.max))
        let line = try d.int(upTo: Int.max)
        let text = try d.string()
        self.init(input: input, inputIndex: inputIndex, line: line, bytes: UnsafeRawBufferPointer(start: nil, count: 0))
        self.text = text
    }
}

extension LabelTotals: SaveCodable {
    public func encode(into e: inout SaveEncoder) {
        e.string(name)
        e.string(value)
        for v in [lines, requests, serverErrors, events, errors] { e.varint(v) }
        latency.encode(into: &e)
    }

    public init(decoding d: inout SaveDecoder) throws(SaveDecodingError) {
        self.init(name: try d.string(), value: try d.string())
        lines = try d.varint()
        requests = try d.varint()
        serverErrors = try d.varint()
        events = try d.varint()
        errors = try d.varint()
        latency = try LatencySketch(decoding: &d)
    }
}

extension Analysis: SaveCodable {
    /// Every section in a field of its own (tags 1...7); the run's elapsed time is not saved.
    public func encode(into e: inout SaveEncoder) {
        e.field(1) { $0.list(inputs) }
        e.field(2) { traffic.encode(into: &$0) }
        e.field(3) { e in
            e.bool(postgres != nil)
            postgres?.encode(into: &e)
        }
        e.field(4) { e in
            e.bool(application != nil)
            application?.encode(into: &e)
        }
        e.field(5) { $0.list(samples) }
        e.field(6) { $0.bool(hasLatency) }
        e.field(7) { $0.list(labels) }
    }

    public init(decoding d: inout SaveDecoder) throws(SaveDecodingError) {
        let inputs = try d.field(1, "inputs") { (d: inout SaveDecoder) throws(SaveDecodingError) in try d.list(of: InputSummary.self) }
        let traffic = try d.field(2, "access") { (d: inout SaveDecoder) throws(SaveDecodingError) in try TrafficAggregate(decoding: &d) }
        let postgres = try d.field(3, "PostgreSQL") { (d: inout SaveDecoder) throws(SaveDecodingError) in
            try d.bool() ? try PostgresAggregate(decoding: &d) : nil
        }
        let application = try d.field(4, "application") { (d: inout SaveDecoder) throws(SaveDecodingError) in
            try d.bool() ? try ApplicationAggregate(decoding: &d) : nil
        }
        let samples = try d.field(5, "unmatched samples") { (d: inout SaveDecoder) throws(SaveDecodingError) in
            try d.list(of: UnmatchedSample.self)
        }
        let hasLatency = try d.field(6, "latency flag") { (d: inout SaveDecoder) throws(SaveDecodingError) in try d.bool() }
        let labels = try d.field(7, "labels") { (d: inout SaveDecoder) throws(SaveDecodingError) in try d.list(of: LabelTotals.self) }
        guard samples.allSatisfy({ $0.inputIndex < inputs.count }) else {
            throw d.error("an unmatched sample names an input that is not saved")
        }
        self.init(inputs: inputs, traffic: traffic, samples: samples, hasLatency: hasLatency)
        self.postgres = postgres
        self.application = application
        self.labels = labels
    }
}
