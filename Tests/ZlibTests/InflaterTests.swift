import Foundation
import Testing
import Zlib

/// Gzip members made at test time by the system's gzip (there is no deflate wrapper here).
private func gzip(_ text: String) -> [UInt8] {
    let directory = NSTemporaryDirectory() + "logsift-zlib-tests-" + UUID().uuidString
    try! FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let file = directory + "/data"
    _ = FileManager.default.createFile(atPath: file, contents: Data(text.utf8))
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/gzip")
    process.arguments = ["-n", file]
    try! process.run()
    process.waitUntilExit()
    return Array(FileManager.default.contents(atPath: file + ".gz")!)
}

/// Inflates `input` from `offset` in one call into a buffer of `capacity` bytes.
private func inflate(_ inflater: Inflater, _ input: [UInt8], from offset: Int = 0, capacity: Int = 1 << 16)
    throws(ZlibError) -> (step: Inflater.Step, text: String) {
    var output = [UInt8](repeating: 0, count: capacity)
    var result: Result<Inflater.Step, ZlibError>! = nil
    input.withUnsafeBytes { raw in
        output.withUnsafeMutableBytes { out in
            do throws(ZlibError) {
                result = .success(try inflater.inflate(UnsafeRawBufferPointer(rebasing: raw[offset...]), into: out))
            } catch {
                result = .failure(error)
            }
        }
    }
    let step = try result.get()
    return (step, String(decoding: output[0..<step.produced], as: UTF8.self))
}

@Suite struct InflaterTests {
    @Test func inflatesOneMember() throws {
        let member = gzip("hello, zlib\nsecond line\n")
        let inflater = try Inflater()
        let (step, text) = try inflate(inflater, member)
        #expect(text == "hello, zlib\nsecond line\n")
        #expect(step.consumed == member.count)
        #expect(step.memberEnded)
    }

    @Test func resetStartsTheNextMember() throws {
        let first = gzip("first member\n"), second = gzip("second member\n")
        let both = first + second
        let inflater = try Inflater()
        let one = try inflate(inflater, both)
        // The first member ends where its trailer does; zlib does not read on into the next one.
        #expect(one.step.memberEnded && one.step.consumed == first.count)
        #expect(one.text == "first member\n")
        inflater.reset()
        let two = try inflate(inflater, both, from: one.step.consumed)
        #expect(two.step.memberEnded && two.step.consumed == second.count)
        #expect(two.text == "second member\n")
    }

    @Test func smallPiecesAndASmallOutputBuffer() throws {
        let text = String(repeating: "GET /index.html 200 1234\n", count: 200)
        let member = gzip(text)
        let inflater = try Inflater()
        var out: [UInt8] = []
        var position = 0
        var ended = false
        // Input 3 bytes at a time, output 5 bytes at a time.
        while !ended {
            let piece = Array(member[position..<min(position + 3, member.count)])
            let (step, produced) = try inflate(inflater, piece, capacity: 5)
            position += step.consumed
            out += produced.utf8
            ended = step.memberEnded
            if step.consumed == 0 && step.produced == 0 { break }
        }
        #expect(ended)
        #expect(String(decoding: out, as: UTF8.self) == text)
        #expect(position == member.count)
    }

    @Test func garbageInputThrowsZlibsMessage() throws {
        let inflater = try Inflater()
        #expect {
            try inflate(inflater, Array("this is not gzip at all".utf8))
        } throws: { error in
            guard let error = error as? ZlibError else { return false }
            return error.code == -3 && error.message == "incorrect header check" && error.description == error.message
        }
        // Reset clears the error state.
        inflater.reset()
        let (step, text) = try inflate(inflater, gzip("ok\n"))
        #expect(step.memberEnded && text == "ok\n")
    }

    @Test func emptyInputMakesNoProgressWithoutError() throws {
        let inflater = try Inflater()
        let (step, text) = try inflate(inflater, [])
        #expect(step.consumed == 0 && step.produced == 0 && !step.memberEnded && text.isEmpty)
    }

    @Test func badChecksumIsReportedAfterTheDataItCovers() throws {
        var member = gzip("checksummed\n")
        member[member.count - 8] ^= 0xff
        let inflater = try Inflater()
        // The decoded bytes come first; the next call reports the damage.
        let (step, text) = try inflate(inflater, member)
        #expect(text == "checksummed\n" && !step.memberEnded)
        #expect(throws: ZlibError.self) { try inflate(inflater, member, from: step.consumed) }
        do {
            _ = try inflate(inflater, member, from: step.consumed)
        } catch {
            #expect(error.message == "incorrect data check")
        }
    }
}
