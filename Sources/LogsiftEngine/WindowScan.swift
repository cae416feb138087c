import LogInput

/// The lines of one input that a `--since`/`--until` window needs, read as little as the input
/// allows: a plain file starts at the offset `TimeSeek` finds; any input stops once its times
/// are past `until` plus the tolerance; a file whose successor in its rotated set starts before
/// `since` minus the tolerance is skipped unread. Times going back by more than the tolerance
/// (seen while reading) turn every shortcut off for the rest of the input and read the part
/// skipped, so the lines given are those a full read would keep in the window.
///
/// `nextLine()` lends each line until the next call; `observe(_:)` takes the time the caller
/// decoded for the line just given.
final class WindowScan {
    let name: String
    /// Lines read for detection, served first when the read starts at the beginning.
    var sniffed: [[UInt8]]
    var sniffedIndex = 0
    var current: UnsafeMutableRawBufferPointer?
    var reader: LineReader
    let sniffReader: LineReader
    /// The part skipped by the seek, read only when disorder is found after seeking.
    var skipped: (file: OpenedFile, range: Range<Int>)?
    var readingSkipped = false
    var watch: TimeOrderWatch
    var done = false
    var probeBytes = 0
    var extraBytes = 0
    var extraOverlong = 0
    let maxLineLength: Int
    /// False without `--since`/`--until`: then the input is read whole and nothing is noted.
    let windowed: Bool
    var notes: [String] = []
    /// Line number within the input of the line last given (for the disorder note).
    var lineNumber: UInt64 = 0
    /// What the seek did, for tests and `--format json` summaries.
    private(set) var seekOffset = 0

    /// `skip`: the input is wholly before the window (its successor starts before it).
    init(name: String, spec: InputSpec, reader: LineReader, sniffed: [[UInt8]], since: Int64?, until: Int64?,
         seek: Bool, maxLineLength: Int, skip: Bool, time: @escaping (UnsafeRawBufferPointer) -> Int64?) {
        self.name = name
        self.maxLineLength = maxLineLength
        self.windowed = since != nil || until != nil
        self.sniffed = sniffed
        self.reader = reader
        self.sniffReader = reader
        // Without seeking (`--full-scan`) every line is read: no early stop either.
        self.watch = TimeOrderWatch(until: seek ? until : nil)
        if skip { done = true; return }
        // A plain file is checked for order even without --since: a stop after --until needs it.
        guard seek, windowed, let file = spec.openForSplitting(minimumSize: 1) else { return }
        let seeker = TimeSeek(file: file, maxLineLength: maxLineLength, time: time)
        let result = seeker.start(since: since)
        probeBytes = result.bytesRead
        if !result.ordered {
            notes.append("\(name): times are not in order (\(result.disorder ?? "")): read whole instead of seeking to the window")
            watch = TimeOrderWatch(until: nil)
            return
        }
        guard result.offset > 0 else { return }
        seekOffset = result.offset
        self.sniffed = []
        self.reader = LineReader(source: FileSource(file: file, range: result.offset..<file.size), maxLineLength: maxLineLength)
        skipped = (file, 0..<result.offset)
    }

    deinit { current?.deallocate() }

    func nextLine() -> UnsafeRawBufferPointer? {
        guard !done else { return nil }
        if sniffedIndex < sniffed.count {
            let bytes = sniffed[sniffedIndex]
            sniffedIndex += 1
            current?.deallocate()
            let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 1)
            bytes.withUnsafeBytes { copy.copyMemory(from: $0) }
            current = copy
            lineNumber += 1
            return UnsafeRawBufferPointer(copy)
        }
        if let line = reader.nextLine() {
            lineNumber += 1
            return line
        }
        // Disorder seen after a seek: the lines before the seek offset may hold window lines.
        if watch.disorderAt != nil, !readingSkipped, let (file, range) = skipped {
            readingSkipped = true
            extraBytes += reader.bytesRead
            extraOverlong += reader.overlongLines
            reader = LineReader(source: FileSource(file: file, range: range), maxLineLength: maxLineLength)
            return reader.nextLine()
        }
        done = true
        return nil
    }

    /// The time of the line just given; stops the input once it is past the window.
    func observe(_ t: Int64) {
        guard windowed else { return }
        let wasOrdered = watch.disorderAt == nil
        if !watch.observe(t, line: lineNumber) { done = true }
        if wasOrdered, let at = watch.disorderAt {
            notes.append("\(name): times go back by more than \(watch.tolerance) s at line \(at)\(readingSkipped ? "" : " of the part read")"
                + ": read whole instead of stopping after --until")
        }
    }

    /// Bytes read from the input: detection, probes, and the lines.
    var bytesRead: Int {
        let main = reader === sniffReader ? reader.bytesRead : sniffReader.bytesRead + reader.bytesRead
        return main + probeBytes + extraBytes
    }

    var overlongLines: Int {
        (reader === sniffReader ? reader.overlongLines : sniffReader.overlongLines + reader.overlongLines) + extraOverlong
    }

    var error: InputError? { reader.error ?? sniffReader.error }
}

extension WindowScan {
    /// Inputs wholly before `since`: in a rotated set (oldest first, as `InputSet.oldestFirst`
    /// orders it), a file is before the window when the next file of its set starts before
    /// `since - tolerance` (its lines are then older than that, give or take the tolerance).
    /// `firstTimes[i]`: the first time of input i (from its detection lines), nil when unknown.
    static func whollyBefore(since: Int64?, rotatedOrder: Bool, specs: [InputSpec], firstTimes: [Int64?]) -> Set<Int> {
        guard let since, rotatedOrder else { return [] }
        var skip: Set<Int> = []
        for i in specs.indices where !specs[i].isStdin {
            let base = InputSet.rotationBase(specs[i].path)
            guard let j = specs.indices.first(where: { $0 > i && !specs[$0].isStdin && InputSet.rotationBase(specs[$0].path) == base }),
                  let next = firstTimes[j] else { continue }
            if next < since - TimeSeek.defaultTolerance { skip.insert(i) }
        }
        return skip
    }
}
