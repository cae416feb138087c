import Foundation
import Testing
import LogAggregation
import LogParsing
#if canImport(Glibc)
import Glibc
#endif

/// The application-log throughput harness used by `Benchmarks/bench_applog.py` until the CLI
/// reads application logs: runs only when `LOGSIFT_APPLOG_BENCH` names a log file. It frames
/// lines the way `LineReader` does (256 KiB reads into one buffer, lines handed over in place),
/// feeds `ApplicationProcessor`, prints one `APPLOG_BENCH {json}` line with seconds, MB/s and
/// what was counted, and checks the counts against `<file>.truth.json` when present. No timed
/// assertion: the time is only printed.
@Suite struct ApplicationThroughputTests {
    @Test func throughputHarness() throws {
        guard let path = ProcessInfo.processInfo.environment["LOGSIFT_APPLOG_BENCH"], !path.isEmpty else { return }
        let fd = open(path, O_RDONLY)
        #expect(fd >= 0, "cannot open \(path)")
        guard fd >= 0 else { return }
        defer { close(fd) }
        let processor = ApplicationProcessor(bucketSeconds: 60, zone: .utc)
        processor.begin(format: .text)
        let capacity = 256 * 1024 + 1024 * 1024
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 64)
        defer { buffer.deallocate() }
        var filled = 0
        var bytes = 0
        var lines = 0
        var unmatched = 0
        var start = timespec()
        clock_gettime(CLOCK_MONOTONIC, &start)
        while true {
            let n = read(fd, buffer.baseAddress! + filled, Swift.min(256 * 1024, capacity - filled))
            if n <= 0 { break }
            bytes += n
            filled += n
            var lineStart = 0
            while lineStart < filled {
                guard let nl = memchr(buffer.baseAddress! + lineStart, 0x0a, filled - lineStart) else { break }
                let end = buffer.baseAddress!.distance(to: nl)
                lines += 1
                if processor.consume(UnsafeRawBufferPointer(rebasing: buffer[lineStart..<end])) == .unmatched { unmatched += 1 }
                lineStart = end + 1
            }
            if lineStart > 0 {
                let rest = filled - lineStart
                if rest > 0 { memmove(buffer.baseAddress!, buffer.baseAddress! + lineStart, rest) }
                filled = rest
            }
        }
        if filled > 0 {
            lines += 1
            _ = processor.consume(UnsafeRawBufferPointer(rebasing: buffer[0..<filled]))
        }
        processor.endInput()
        var stop = timespec()
        clock_gettime(CLOCK_MONOTONIC, &stop)
        let seconds = Double(stop.tv_sec - start.tv_sec) + Double(stop.tv_nsec - start.tv_nsec) / 1e9
        let a = processor.aggregate
        let top = a.groups.top(100)
        let result: [String: Any] = [
            "seconds": seconds, "bytes": bytes, "mb_per_s": Double(bytes) / 1e6 / seconds, "lines": lines,
            "unmatched": unmatched, "events": a.events, "continuation_lines": a.continuationLines,
            "levels": Dictionary(uniqueKeysWithValues: ApplicationLevel.allCases.map { ($0.name, a.total.of($0)) }),
            "groups": top.map { ["template": $0.template, "count": $0.count, "level": $0.level.name] },
        ]
        let json = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
        print("APPLOG_BENCH " + String(decoding: json, as: UTF8.self))

        guard let truthData = FileManager.default.contents(atPath: path + ".truth.json"),
              let truth = try JSONSerialization.jsonObject(with: truthData) as? [String: Any] else { return }
        #expect(a.events == (truth["events"] as! NSNumber).uint64Value)
        #expect(a.continuationLines == (truth["continuation_lines"] as! NSNumber).uint64Value)
        let levels = truth["levels"] as! [String: NSNumber]
        for (name, n) in levels {
            let level = ApplicationLevel.allCases.first { $0.name == name }!
            #expect(a.total.of(level) == n.uint64Value, "\(name)")
        }
        // Groups: how many truth templates came out as exactly one group of the same level and
        // count (printed, not asserted: a word variable near the start of a message, like
        // `task resize|thumbnail for ...`, splits a template, and that is what we measure).
        let truthGroups = (truth["groups"] as! [String: [String: Any]])
        var unmatchedOurs = top.map { "\($0.level.name) \($0.count)" }
        var exact = 0
        var missed: [String] = []
        for (name, g) in truthGroups.sorted(by: { $0.key < $1.key }) {
            let key = "\(g["level"] as! String) \((g["count"] as! NSNumber).uint64Value)"
            if let i = unmatchedOurs.firstIndex(of: key) { unmatchedOurs.remove(at: i); exact += 1 } else { missed.append(name) }
        }
        print("APPLOG_GROUPS truth \(truthGroups.count), ours \(top.count), exact \(exact); split or merged: \(missed)")
        #expect(exact >= truthGroups.count - 2)
    }
}
