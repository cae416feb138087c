import Foundation
import LogInput
import Testing

/// What `/metrics` reports of a followed file (`logsift_bytes_read_total`,
/// `logsift_follow_lag_bytes`, `logsift_follow_rotations_total`), on the fake file system. Truth:
/// the bytes each scenario appended, counted by the test.
@Suite struct FileFollowerCountsTests {
    static func drain(_ follower: FileFollower) {
        while follower.poll({ _ in }) {}
    }

    @Test func lagIsWhatWasAppendedAndZeroOnceRead() {
        let fs = FakeFollowFileSystem()
        fs.append("/a.log", "before we started\n")
        let follower = FileFollower(path: "/a.log", fileSystem: fs, startAtEnd: true)
        #expect(follower.lagBytes == 0)
        var appended = 0
        for (i, piece) in ["one\n", "two two\n", "three without newline", " ends\n"].enumerated() {
            fs.append("/a.log", piece)
            appended += piece.utf8.count
            #expect(follower.lagBytes == appended, "after piece \(i)")
        }
        Self.drain(follower)
        #expect(follower.lagBytes == 0)
        // The bytes before the start at the end are not read, so not counted.
        #expect(follower.bytesRead == UInt64(appended))
    }

    @Test func lagOfAPartialLineIsZero() {
        // A partial line is read (held until its newline): nothing of the file waits.
        let fs = FakeFollowFileSystem()
        fs.create("/a.log")
        let follower = FileFollower(path: "/a.log", fileSystem: fs, startAtEnd: true)
        fs.append("/a.log", "GET /half")
        Self.drain(follower)
        #expect(follower.lagBytes == 0)
        #expect(follower.bytesRead == 9)
    }

    @Test func lagOfAFileCutBelowOurOffsetIsAllOfIt() {
        let fs = FakeFollowFileSystem()
        fs.create("/a.log")
        let follower = FileFollower(path: "/a.log", fileSystem: fs, startAtEnd: true)
        fs.append("/a.log", String(repeating: "x", count: 99) + "\n")
        Self.drain(follower)
        fs.copyTruncate("/a.log", copy: "/a.log.1")
        fs.append("/a.log", "short\n")
        #expect(follower.lagBytes == 6)  // read from 0 at the next poll
        Self.drain(follower)
        #expect(follower.lagBytes == 0)
        #expect(follower.truncations == 1)
    }

    @Test func lagIsNilWhileTheFileIsMissing() {
        let fs = FakeFollowFileSystem()
        let follower = FileFollower(path: "/later.log", fileSystem: fs, startAtEnd: true)
        #expect(follower.lagBytes == nil)
        fs.append("/later.log", "first\n")
        Self.drain(follower)
        #expect(follower.lagBytes == 0)
        #expect(follower.bytesRead == 6)
    }

    /// Rename, copytruncate (with lines written after our last read, found in the copy) and
    /// delete + recreate: every byte appended is read once, and each rotation is counted by kind.
    @Test func bytesReadEqualBytesWrittenThroughEachKindOfRotation() {
        let fs = FakeFollowFileSystem()
        fs.create("/a.log")
        let follower = FileFollower(path: "/a.log", fileSystem: fs, startAtEnd: true)
        var written = 0
        var sequence = 0
        func write(_ count: Int) {
            for _ in 0..<count {
                let line = "line \(sequence) " + String(repeating: "p", count: sequence % 13) + "\n"
                fs.append("/a.log", line)
                written += line.utf8.count
                sequence += 1
            }
        }
        write(10); Self.drain(follower)
        write(3)  // not read before the rename: drained through the open file
        fs.rename("/a.log", "/a.log.1")
        write(5); Self.drain(follower)
        #expect(follower.rotations == 1)
        write(4)  // not read before the cut: read from the copy
        fs.copyTruncate("/a.log", copy: "/a.log.1")
        write(6); Self.drain(follower)
        #expect(follower.truncations == 1)
        #expect(follower.recoveredFromCopies == 1)
        write(2)
        fs.remove("/a.log")
        write(7); Self.drain(follower)
        #expect(follower.rotations == 2)
        #expect(follower.bytesRead == UInt64(written))
        #expect(follower.lagBytes == 0)
    }

    /// Standard input: bytes counted per read, the partial last line included.
    @Test func streamFeedCountsEveryByteOfAPipe() throws {
        let pipe = Pipe()
        let feed = StreamFeed(descriptor: pipe.fileHandleForReading.fileDescriptor, name: "<stdin>")
        var lines = ""
        for i in 0..<2000 { lines += "event \(i)\n" }
        let text = lines + "no newline at the end"
        let writer = Thread {
            pipe.fileHandleForWriting.write(Data(text.utf8))
            try? pipe.fileHandleForWriting.close()
        }
        writer.start()
        var handedOut = 0
        let deadline = Date().addingTimeInterval(30)
        while !feed.ended && Date() < deadline {
            if !feed.poll(maxReads: 64, { _ in handedOut += 1 }) { usleep(1000) }
        }
        #expect(feed.ended)
        #expect(handedOut == 2001)
        #expect(feed.bytesRead == UInt64(text.utf8.count))
    }
}
