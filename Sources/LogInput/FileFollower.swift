/// Follows one path as a log writer and its rotation tool change it, handing out each line once.
///
/// The path is watched, the file is read: a follower holds the file it reads open and asks,
/// after reading it to its end, which file is at the path now.
/// - **Rotation** (same path, new identity: renamed away and a new file created, or deleted
///   and recreated): drain the old file to its end, hand out its last line even without a
///   newline, then read the new file from its start (`rotations`). A rotated file that is then
///   compressed changes nothing: the open descriptor still reads the old bytes.
/// - **Truncation** (copytruncate: size below our offset, or its first bytes rewritten): read
///   what we had not read yet from the copy at `PATH.1` when it is the same file's copy (same
///   first bytes), hand out the partial line held, restart at offset 0, count it (`truncations`).
/// - **Missing file**: nothing is read until it appears; then it is read from its start.
/// - **Partial line**: bytes after the last newline are held until their newline comes.
/// - **Start**: at the end of the last complete line (`startAtEnd`), at 0, or where a saved
///   `FollowState.Entry` says, when the file there is still the one it names (else, when
///   `PATH.1` is that file, it is drained from the saved offset first).
public final class FileFollower {
    public let path: String
    let fileSystem: FollowFileSystem
    let maxLineLength: Int
    /// Bytes read per call of `read(at:)`.
    let readSize: Int
    var file: FollowedFile?
    /// Where the next read of `file` starts.
    public private(set) var offset = 0
    var startAtEnd: Bool
    var resume: FollowState.Entry?
    let lines: LineAssembler
    /// FNV-1a of the file's first `headLength` bytes (at most `headWanted`): a file rewritten
    /// in place past our offset is told by them.
    var headHash: UInt64 = 0
    var headLength = 0
    static let headWanted = 64

    public private(set) var rotations = 0
    public private(set) var truncations = 0
    /// Truncations whose unread tail was read from the copy at `PATH.1`.
    public private(set) var recoveredFromCopies = 0
    public var overlongLines: Int { lines.overlongLines }
    public var linesRead: UInt64 { lines.linesHandedOut }
    /// Bytes read from the followed files (the copy's unread tail after a copytruncate
    /// included), since following started: the bytes before a start at the end, or before a
    /// resumed offset, are not counted.
    public var bytesRead: UInt64 { lines.bytesTaken }
    /// A read of the followed file failed (it stays followed); the last reason.
    public private(set) var readErrors = 0

    public init(path: String, fileSystem: FollowFileSystem, startAtEnd: Bool, resume: FollowState.Entry? = nil,
                maxLineLength: Int = LineReader.defaultMaxLineLength, readSize: Int = 64 * 1024) {
        self.path = path
        self.fileSystem = fileSystem
        self.startAtEnd = startAtEnd
        self.resume = resume
        self.maxLineLength = max(1, maxLineLength)
        self.readSize = max(1, readSize)
        lines = LineAssembler(maxLineLength: self.maxLineLength, readSize: self.readSize)
        // "The end" is where the file ends now, when following starts, not at the first poll.
        _ = openFirst()
    }

    /// Where a restart should resume: the file and the end of the last line handed out.
    public var stateEntry: FollowState.Entry? {
        guard let file else { return nil }
        return FollowState.Entry(path: path, identity: file.identity, offset: max(0, offset - lines.pendingCount),
                                 headLength: headLength, headHash: headHash)
    }

    /// Reads what is new, handing each complete line (without `\n`, `\r\n`) to `deliver`; true
    /// when bytes were read (call again before waiting). `maxReads` bounds one call's work.
    @discardableResult
    public func poll(maxReads: Int = 64, _ deliver: (UnsafeRawBufferPointer) -> Void) -> Bool {
        if file == nil, !openFirst() { return false }
        var progressed = drain(maxReads: maxReads, deliver)
        if progressed { return true }  // not at the end yet: no rotation check until drained
        let current = fileSystem.identity(of: path)
        if let current, current != file!.identity {
            // Rotated: whatever reached the old file before the switch is read first.
            while drain(maxReads: maxReads, deliver) {}
            flushPending(deliver)
            guard let next = fileSystem.open(path) else { return true }
            file = next
            offset = 0
            headLength = 0
            rotations += 1
            progressed = true
            _ = drain(maxReads: maxReads, deliver)
        }
        return progressed
    }

    /// Opens the path the first time (or after it was missing); false when there is no file.
    func openFirst() -> Bool {
        if let saved = resume {
            resume = nil
            if let opened = fileSystem.open(path), opened.identity == saved.identity,
               let size = opened.size(), size >= saved.offset, headMatches(opened, saved) {
                file = opened
                offset = saved.offset
                adoptHead(saved)
                startAtEnd = false
                return true
            }
            // Rotated while we were stopped: finish the old file first, found by its identity.
            if let rotated = fileSystem.open(path + ".1"), rotated.identity == saved.identity,
               let size = rotated.size(), size >= saved.offset, headMatches(rotated, saved) {
                file = rotated
                offset = saved.offset
                adoptHead(saved)
                startAtEnd = false
                return true
            }
            startAtEnd = false  // the file at the path is new since we stopped: read all of it
        }
        guard let opened = fileSystem.open(path) else {
            startAtEnd = false  // a file that appears later is read from its start
            return false
        }
        file = opened
        offset = startAtEnd ? endOfLastLine(opened) : 0
        startAtEnd = false
        headLength = 0
        return true
    }

    func adoptHead(_ saved: FollowState.Entry) {
        headLength = saved.headLength
        headHash = saved.headHash
    }

    func headMatches(_ file: FollowedFile, _ saved: FollowState.Entry) -> Bool {
        saved.headLength == 0 || hashOfHead(file, saved.headLength) == saved.headHash
    }

    /// The offset just after the last newline of `file` (0 when it has none).
    func endOfLastLine(_ file: FollowedFile) -> Int {
        guard let size = file.size(), size > 0 else { return 0 }
        var end = size
        var probe = [UInt8](repeating: 0, count: min(size, readSize))
        return probe.withUnsafeMutableBytes { raw in
            while end > 0 {
                let start = max(0, end - raw.count)
                let n = file.read(at: start, into: UnsafeMutableRawBufferPointer(rebasing: raw[0..<(end - start)]))
                guard n > 0 else { return 0 }
                if let i = raw[0..<n].lastIndex(of: 0x0a) { return start + i + 1 }
                end = start
            }
            return 0
        }
    }

    func hashOfHead(_ file: FollowedFile, _ length: Int) -> UInt64? {
        var head = [UInt8](repeating: 0, count: length)
        let n = head.withUnsafeMutableBytes { file.read(at: 0, into: $0) }
        guard n == length else { return nil }
        var h: UInt64 = 0xcbf29ce484222325
        for b in head { h = (h ^ UInt64(b)) &* 0x100000001b3 }
        return h
    }

    /// copytruncate copies the file to `PATH.1` before cutting it: when that copy starts with
    /// the bytes we read (same head hash) and goes on past our offset, its lines after our
    /// offset were written after our last read: read them from the copy.
    func readUnreadTailOfCopy(_ deliver: (UnsafeRawBufferPointer) -> Void) {
        guard headLength > 0, let copy = fileSystem.open(path + ".1"), copy.identity != file?.identity,
              let size = copy.size(), size > offset, hashOfHead(copy, headLength) == headHash else { return }
        var position = offset
        while position < size {
            let n = lines.append({ copy.read(at: position, into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<min($0.count, size - position)])) }, deliver)
            if n <= 0 { break }
            position += n
        }
        recoveredFromCopies += 1
    }

    /// Reads from `offset` towards the end (at most `maxReads` reads); true when bytes came.
    func drain(maxReads: Int, _ deliver: (UnsafeRawBufferPointer) -> Void) -> Bool {
        guard let file, let size = file.size() else { return false }
        var truncated = size < offset
        if !truncated, headLength > 0, hashOfHead(file, headLength) != headHash { truncated = true }
        if truncated {
            readUnreadTailOfCopy(deliver)
            flushPending(deliver)
            offset = 0
            headLength = 0
            truncations += 1
        }
        var progressed = false
        for _ in 0..<max(1, maxReads) {
            // A long drain of a file that a copytruncate cuts and refills meanwhile must not go
            // on reading the new bytes at the old offset, nor take their head for the one it
            // read: the head is hashed before the bytes it covers are read, and the file is
            // looked at again before each further read (one fstat and a 64-byte pread per read
            // of `readSize`); a cut is left to the next drain, which reads the copy first.
            if progressed, cutSinceLastLook(file) { break }
            noteHead(file)
            let n = lines.append({ file.read(at: offset, into: $0) }, deliver)
            if n < 0 { readErrors += 1; break }
            if n == 0 { break }
            offset += n
            progressed = true
        }
        return progressed
    }

    func flushPending(_ deliver: (UnsafeRawBufferPointer) -> Void) { lines.flush(deliver) }

    /// While fewer than `headWanted` first bytes are known: hashes what the file holds of them
    /// now, just before reading on (the bytes past `offset` in it are the ones read next).
    func noteHead(_ file: FollowedFile) {
        guard headLength < Self.headWanted, let size = file.size(), size > headLength else { return }
        let length = min(size, Self.headWanted)
        if let h = hashOfHead(file, length) { headHash = h; headLength = length }
    }

    /// The file is now shorter than our offset, or its first bytes changed.
    func cutSinceLastLook(_ file: FollowedFile) -> Bool {
        guard let size = file.size() else { return false }
        return size < offset || (headLength > 0 && hashOfHead(file, headLength) != headHash)
    }
}

extension FileFollower {
    /// Bytes of the file being read that are not read yet: its size minus our offset (one
    /// fstat). A file now shorter than our offset was cut and will be read from 0, so then all
    /// of it. Nil while there is no file at the path (or its size cannot be known). After a
    /// rotation, a new file at the path counts from the poll that switches to it (the same poll
    /// that drains the old one).
    public var lagBytes: Int? {
        guard let file, let size = file.size() else { return nil }
        return size >= offset ? size - offset : size
    }
}

extension FileFollower: LineFeed {
    public var name: String { path }
    public var ended: Bool { false }
}
