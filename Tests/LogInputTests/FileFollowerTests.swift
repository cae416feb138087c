import Foundation
import LogInput
import Testing

/// Rotation, truncation and partial-line scenarios on the fake file system; the truth is the
/// list of lines each scenario wrote.
@Suite struct FileFollowerTests {
    /// Polls until nothing more comes, returning every line handed out.
    static func collect(_ follower: FileFollower) -> [String] {
        var lines: [String] = []
        while follower.poll({ lines.append(String(decoding: $0, as: UTF8.self)) }) {}
        return lines
    }

    @Test func startsAtTheEndByDefault() {
        let fs = FakeFollowFileSystem()
        fs.append("/a.log", "old 1\nold 2\npart")
        let follower = FileFollower(path: "/a.log", fileSystem: fs, startAtEnd: true)
        #expect(Self.collect(follower).isEmpty)
        // The line being written when we started is read whole.
        fs.append("/a.log", "ial\nnew 1\n")
        #expect(Self.collect(follower) == ["partial", "new 1"])
    }

    @Test func fromStartReadsWhatIsThere() {
        let fs = FakeFollowFileSystem()
        fs.append("/a.log", "one\ntwo\n")
        let follower = FileFollower(path: "/a.log", fileSystem: fs, startAtEnd: false)
        #expect(Self.collect(follower) == ["one", "two"])
    }

    @Test func partial_lineIsHeldUntilItsNewline() {
        let fs = FakeFollowFileSystem()
        fs.create("/a.log")
        let follower = FileFollower(path: "/a.log", fileSystem: fs, startAtEnd: true)
        var seen: [String] = []
        for piece in ["GET /a", " 200", "\r\nGET", " /b 500\n", "\n"] {
            fs.append("/a.log", piece)
            seen += Self.collect(follower)
        }
        #expect(seen == ["GET /a 200", "GET /b 500", ""])
    }

    @Test func log_rotation_drainsTheOldFileThenReadsTheNewOne() {
        let fs = FakeFollowFileSystem()
        fs.create("/a.log")
        let follower = FileFollower(path: "/a.log", fileSystem: fs, startAtEnd: true)
        fs.append("/a.log", "1\n2\n")
        var seen = Self.collect(follower)
        // Written after our last read, then renamed away: must still be read, once.
        fs.append("/a.log", "3\n4")
        fs.rename("/a.log", "/a.log.1")
        fs.append("/a.log", "5\n")
        seen += Self.collect(follower)
        fs.append("/a.log", "6\n")
        seen += Self.collect(follower)
        #expect(seen == ["1", "2", "3", "4", "5", "6"])
        #expect(follower.rotations == 1)
        #expect(follower.truncations == 0)
    }

    @Test func log_rotation_thenCompressedStillDrainsTheOldFile() {
        let fs = FakeFollowFileSystem()
        fs.create("/a.log")
        let follower = FileFollower(path: "/a.log", fileSystem: fs, startAtEnd: true)
        fs.append("/a.log", "1\n")
        var seen = Self.collect(follower)
        fs.append("/a.log", "2\n")
        fs.rename("/a.log", "/a.log.1")
        fs.create("/a.log")
        // gzip writes a.log.1.gz and unlinks a.log.1 before we look again.
        fs.append("/a.log.1.gz", "\u{1f}binary")
        fs.remove("/a.log.1")
        fs.append("/a.log", "3\n")
        seen += Self.collect(follower)
        #expect(seen == ["1", "2", "3"])
        #expect(follower.rotations == 1)
    }

    @Test func log_truncation_restartsAtZeroAndCountsIt() {
        let fs = FakeFollowFileSystem()
        fs.create("/a.log")
        let follower = FileFollower(path: "/a.log", fileSystem: fs, startAtEnd: true)
        fs.append("/a.log", "1\n2\n")
        var seen = Self.collect(follower)
        fs.copyTruncate("/a.log", copy: "/a.log.1")
        fs.append("/a.log", "3\n")
        seen += Self.collect(follower)
        #expect(seen == ["1", "2", "3"])
        #expect(follower.truncations == 1)
        #expect(follower.rotations == 0)
    }

    @Test func log_truncation_readsWhatWasUnreadFromTheCopy() {
        let fs = FakeFollowFileSystem()
        fs.create("/a.log")
        let follower = FileFollower(path: "/a.log", fileSystem: fs, startAtEnd: true)
        fs.append("/a.log", "1\n2\n")
        var seen = Self.collect(follower)
        fs.append("/a.log", "3\n4")  // unread when copied and truncated
        fs.copyTruncate("/a.log", copy: "/a.log.1")
        fs.append("/a.log", "5\n")
        seen += Self.collect(follower)
        #expect(seen == ["1", "2", "3", "4", "5"])
        #expect(follower.truncations == 1)
        #expect(follower.recoveredFromCopies == 1)
    }

    @Test func log_truncation_grownPastOurOffsetIsToldByItsFirstBytes() {
        let fs = FakeFollowFileSystem()
        fs.create("/a.log")
        let follower = FileFollower(path: "/a.log", fileSystem: fs, startAtEnd: true)
        fs.append("/a.log", "a short first line\n")
        var seen = Self.collect(follower)
        fs.copyTruncate("/a.log", copy: "/a.log.1")
        // The new content is longer than what we had read before we look again.
        fs.append("/a.log", "another first line, longer than the old one\nnext\n")
        seen += Self.collect(follower)
        #expect(seen == ["a short first line", "another first line, longer than the old one", "next"])
        #expect(follower.truncations == 1)
    }

    /// The writer cuts and refills the file while the follower is in the middle of one poll's
    /// reads (here: while it hands out the second line, reads 16 bytes at a time): the rest of
    /// the old content comes from the copy, then the new file from its start; nothing is read
    /// at the old offset of the new bytes.
    @Test func log_truncation_duringALongDrainIsSeenBeforeTheNextRead() {
        let fs = FakeFollowFileSystem()
        fs.create("/a.log")
        let follower = FileFollower(path: "/a.log", fileSystem: fs, startAtEnd: false, readSize: 16)
        let old = (1...10).map { String(format: "line-%02d", $0) }
        let new = (1...20).map { String(format: "NEW-%02d", $0) }
        fs.append("/a.log", old.map { $0 + "\n" }.joined())
        var seen: [String] = []
        while follower.poll({ line in
            seen.append(String(decoding: line, as: UTF8.self))
            if seen.count == 2 {
                fs.copyTruncate("/a.log", copy: "/a.log.1")
                fs.append("/a.log", new.map { $0 + "\n" }.joined())  // longer than the old content
            }
        }) {}
        #expect(seen == old + new)
        #expect(follower.truncations == 1)
        #expect(follower.recoveredFromCopies == 1)
    }

    @Test func deletedAndRecreated() {
        let fs = FakeFollowFileSystem()
        fs.create("/a.log")
        let follower = FileFollower(path: "/a.log", fileSystem: fs, startAtEnd: true)
        fs.append("/a.log", "1\n")
        var seen = Self.collect(follower)
        fs.append("/a.log", "2\n")
        fs.remove("/a.log")
        seen += Self.collect(follower)  // still reads the deleted file through its handle
        #expect(seen == ["1", "2"])
        fs.append("/a.log", "3\n")
        seen += Self.collect(follower)
        #expect(seen == ["1", "2", "3"])
        #expect(follower.rotations == 1)
    }

    @Test func fileThatDoesNotExistYetIsReadFromItsStart() {
        let fs = FakeFollowFileSystem()
        let follower = FileFollower(path: "/later.log", fileSystem: fs, startAtEnd: true)
        #expect(Self.collect(follower).isEmpty)
        fs.append("/later.log", "first\nsecond\n")
        #expect(Self.collect(follower) == ["first", "second"])
    }

    @Test func stateResumesWhereItStopped() throws {
        let fs = FakeFollowFileSystem()
        fs.create("/a.log")
        var follower = FileFollower(path: "/a.log", fileSystem: fs, startAtEnd: true)
        fs.append("/a.log", "one line long enough to fill the whole head of the file, 64 bytes+\ntwo\nthr")
        #expect(Self.collect(follower) == ["one line long enough to fill the whole head of the file, 64 bytes+", "two"])
        let entry = try #require(follower.stateEntry)
        // Round trip through the state file on disk.
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("logsift-state-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try FollowState(files: [entry]).save(path)
        let loaded = try #require(try FollowState.load(path))
        #expect(loaded.entry(for: "/a.log") == entry)
        fs.append("/a.log", "ee\nfour\n")
        follower = FileFollower(path: "/a.log", fileSystem: fs, startAtEnd: true, resume: loaded.entry(for: "/a.log"))
        #expect(Self.collect(follower) == ["three", "four"])
    }

    @Test func stateAfterARotationWhileStoppedDrainsTheRotatedFileFirst() throws {
        let fs = FakeFollowFileSystem()
        fs.create("/a.log")
        var follower = FileFollower(path: "/a.log", fileSystem: fs, startAtEnd: true)
        fs.append("/a.log", "1\n")
        _ = Self.collect(follower)
        let entry = try #require(follower.stateEntry)
        fs.append("/a.log", "2\n")
        fs.rename("/a.log", "/a.log.1")
        fs.append("/a.log", "3\n")
        follower = FileFollower(path: "/a.log", fileSystem: fs, startAtEnd: true, resume: entry)
        #expect(Self.collect(follower) == ["2", "3"])
    }

    @Test func stateOfAnotherFileReadsTheNewFileWhole() throws {
        let fs = FakeFollowFileSystem()
        fs.append("/a.log", "old\n")
        let stale = FollowState.Entry(path: "/a.log", identity: FileIdentity(device: 9, inode: 9), offset: 2, headLength: 0, headHash: 0)
        let follower = FileFollower(path: "/a.log", fileSystem: fs, startAtEnd: true, resume: stale)
        #expect(Self.collect(follower) == ["old"])
    }

    /// Many rotations of both kinds at every read size: every line handed out exactly once.
    @Test(arguments: [1, 3, 7, 64, 4096])
    func manyRotationsLoseNothing(readSize: Int) {
        let fs = FakeFollowFileSystem()
        fs.create("/a.log")
        let follower = FileFollower(path: "/a.log", fileSystem: fs, startAtEnd: true, readSize: readSize)
        var seen: [String] = []
        var written: [String] = []
        var n = 0
        for round in 0..<60 {
            for _ in 0..<(round % 5 + 1) {
                n += 1
                written.append("line \(n)")
                fs.append("/a.log", "line \(n)\n")
                if n % 3 == 0 { seen += Self.collect(follower) }
            }
            // The follower looks between rotations (they are minutes apart, polls 200 ms);
            // each rotation still comes with a line it has not read yet.
            seen += Self.collect(follower)
            switch round % 3 {
            case 0:
                n += 1; written.append("line \(n)")
                fs.append("/a.log", "line \(n)\n")  // written just before the rename, unread
                fs.rename("/a.log", "/a.log.1"); fs.create("/a.log")
            case 1:
                n += 1; written.append("line \(n)")
                fs.append("/a.log", "line \(n)\n")  // unread: read from the copy
                fs.copyTruncate("/a.log", copy: "/a.log.1")
            default:
                n += 1; written.append("line \(n)")
                fs.append("/a.log", "line \(n)\n")
                fs.remove("/a.log")
            }
        }
        seen += Self.collect(follower)
        #expect(seen == written)
        // 20 renames and 20 deletions; the last deletion has no new file after it yet.
        #expect(follower.rotations == 39)
        #expect(follower.truncations == 20)
    }
}
