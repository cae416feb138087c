import Foundation
import Testing
@testable import LogInput

/// `TimeSeek` and `TimeOrderWatch` on generated files whose every line time is known: reading
/// from the seek offset, stopping where the watch says, and keeping the lines in the window
/// gives exactly the generator's lines in the window. A tiny linear span makes the search probe
/// many times, so probes land inside runs of equal times, on garbage, on `\r\n` and cut lines.
@Suite struct TimeSeekTests {
    /// A generated line: its bytes (without `\n`) and its time (nil: no time).
    struct Line { var text: String; var time: Int64? }

    /// Lines `T<epoch> …`: `perSecond` lines per second from `start`, a silent gap of
    /// `gapSeconds` in the middle, every 13th line garbage, every 17th ending in `\r`, every 29th
    /// longer than `cap` (its time stays in the first `cap` bytes), and times moved by up to
    /// `jitter` seconds (a fixed pattern, not random: reproducible without a generator).
    static func generate(count: Int, start: Int64, perSecond: Int, gapSeconds: Int64, jitter: Int64, cap: Int) -> [Line] {
        var lines: [Line] = []
        for i in 0..<count {
            var t = start + Int64(i / perSecond)
            if i >= count / 2 { t += gapSeconds }
            if jitter > 0 { t += Int64((i * 7919) % Int(2 * jitter + 1)) - jitter }
            if i % 13 == 5 { lines.append(Line(text: "garbage line \(i) without a time", time: nil)); continue }
            var text = "T\(t) request \(i)"
            if i % 29 == 3 { text += " " + String(repeating: "x", count: cap + 10) }
            if i % 17 == 2 { text += "\r" }
            lines.append(Line(text: text, time: t))
        }
        return lines
    }

    static func parseTime(_ line: UnsafeRawBufferPointer) -> Int64? {
        guard line.count >= 2, line[0] == UInt8(ascii: "T") else { return nil }
        var v: Int64 = 0
        var i = 1
        while i < line.count, line[i] >= 0x30, line[i] <= 0x39 { v = v * 10 + Int64(line[i] - 0x30); i += 1 }
        return i > 1 ? v : nil
    }

    static func withFile(_ lines: [Line], _ body: (String) throws -> Void) throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("logsift-seek-\(UUID().uuidString).log").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try lines.map { $0.text + "\n" }.joined().write(toFile: path, atomically: false, encoding: .utf8)
        try body(path)
    }

    /// The indices of the lines a windowed read gives: seek, read, stop, keep the window's.
    static func seekRead(_ path: String, since: Int64, until: Int64, cap: Int, span: Int) throws -> (indices: [Int64], result: TimeSeek.Result) {
        let file = try OpenedFile(path: path)
        let seek = TimeSeek(file: file, maxLineLength: cap, time: parseTime)
        let result = seek.start(since: since, linearSpan: span)
        let reader = LineReader(source: FileSource(file: file, range: result.offset..<file.size), maxLineLength: cap, readSize: 97)
        var watch = TimeOrderWatch(until: until)
        var times: [Int64] = []
        var n: UInt64 = 0
        while let line = reader.nextLine() {
            n += 1
            guard let t = parseTime(line) else { continue }
            let more = watch.observe(t, line: n)
            if t >= since && t < until { times.append(t) }
            if !more { break }
        }
        return (times, result)
    }

    static let cases: [(jitter: Int64, label: String)] = [(0, "ordered"), (3, "jitter 3 s"), (TimeSeek.defaultTolerance / 2, "jitter ±tolerance/2 (disorder up to the tolerance)")]

    @Test(arguments: [0, 1, 2])
    func seekGivesTheWindowOfAFullRead(caseIndex: Int) throws {
        let jitter = Self.cases[caseIndex].jitter
        let cap = 64
        let start: Int64 = 1_764_000_000
        let lines = Self.generate(count: 6000, start: start, perSecond: 7, gapSeconds: 600, jitter: jitter, cap: cap)
        let last = lines.compactMap(\.time).max()!
        let middle = start + 3000 / 7
        // Edges of seconds and of minutes, the gap, before and after the file, one second.
        let windows: [(Int64, Int64)] = [
            (start + 60, start + 120), (start + 61, start + 62), (middle - 5, middle + 5),
            (middle + 10, middle + 590), (middle + 1, middle + 700), (start - 1000, start - 10),
            (start - 1000, start + 1), (last - 3, last + 1), (last + 1, last + 5000), (last + 200, last + 300),
            (start, last + 1),
        ]
        try Self.withFile(lines) { path in
            for (since, until) in windows {
                let truth = lines.compactMap(\.time).filter { $0 >= since && $0 < until }
                for span in [1, 200, 64 * 1024] {
                    let (got, result) = try Self.seekRead(path, since: since, until: until, cap: cap, span: span)
                    #expect(result.ordered, "\(Self.cases[caseIndex].label)")
                    #expect(got == truth, "\(Self.cases[caseIndex].label) window \(since - start)..<\(until - start) span \(span): \(got.count) lines, truth \(truth.count)")
                }
            }
        }
    }

    /// The seek lands close to the window: before the first line of `since - tolerance`, it
    /// reads less than 2,000 bytes (with a linear span of 1 byte, it stops on the line before).
    @Test func seekSkipsWhatIsBeforeTheWindow() throws {
        let start: Int64 = 1_764_000_000
        let lines = Self.generate(count: 20000, start: start, perSecond: 2, gapSeconds: 0, jitter: 0, cap: 64)
        try Self.withFile(lines) { path in
            let file = try OpenedFile(path: path)
            let since = start + 8000
            let result = TimeSeek(file: file, maxLineLength: 64, time: Self.parseTime).start(since: since, linearSpan: 1)
            // Truth: the byte offset of the first line at since - tolerance or later.
            var offset = 0, firstNeeded = 0
            for line in lines {
                if let t = line.time, t >= since - TimeSeek.defaultTolerance { firstNeeded = offset; break }
                offset += line.text.utf8.count + 1
            }
            #expect(result.offset < firstNeeded)
            #expect(firstNeeded - result.offset < 2000, "read \(firstNeeded - result.offset) bytes too early")
        }
    }

    /// Two logs one after the other in the wrong order: the order probes see times going back
    /// by far more than the tolerance, and the seek gives offset 0 (read everything).
    @Test func disorderBeyondTheToleranceIsFound() throws {
        let start: Int64 = 1_764_000_000
        let older = Self.generate(count: 3000, start: start, perSecond: 3, gapSeconds: 0, jitter: 0, cap: 64)
        let newer = Self.generate(count: 3000, start: start + 86400, perSecond: 3, gapSeconds: 0, jitter: 0, cap: 64)
        try Self.withFile(newer + older) { path in
            let file = try OpenedFile(path: path)
            let result = TimeSeek(file: file, maxLineLength: 64, time: Self.parseTime).start(since: start + 86400 + 300, linearSpan: 1)
            #expect(!result.ordered)
            #expect(result.offset == 0)
            #expect(result.disorder != nil)
        }
    }

    /// The watch stops at the first time at or past until + tolerance, and never after it has
    /// seen times go back by more than the tolerance.
    @Test func watchStopsPastTheWindowUnlessDisordered() {
        var watch = TimeOrderWatch(until: 1000, tolerance: 60)
        let ordered = [900, 1059, 1060].enumerated().map { watch.observe(Int64($0.element), line: UInt64($0.offset + 1)) }
        #expect(ordered == [true, true, false])
        var disordered = TimeOrderWatch(until: 1000, tolerance: 60)
        let read = [900, 800, 5000].enumerated().map { disordered.observe(Int64($0.element), line: UInt64($0.offset + 1)) }
        #expect(read == [true, true, true])
        #expect(disordered.disorderAt == 2)
    }
}
