import Foundation
import LogInput
import LogQuery
import Testing
@testable import LogsiftEngine

/// Windows on event time with the wall clock given by hand: nothing sleeps. Truth: the times
/// and statuses of the lines each test writes.
@Suite struct RollingWindowsTests {
    final class Collector: WatchObserver {
        var windows: [WindowSummary] = []
        var events = 0
        var boundFields: [String] = []
        func bind(source: String, schema: FieldSchema) { boundFields = schema.fields.map(\.name) }
        func event<Event: FieldValues>(_ event: Event, time: Int64) { events += 1 }
        func windowClosed(_ window: WindowSummary) { windows.append(window) }
    }

    /// 2026-12-01T10:00:00Z.
    static let base: Int64 = 1_796_119_200
    static let wall: Int64 = 1_900_000_000_000

    /// A combined-format line at `base + offset` seconds.
    static func line(_ offset: Int64, status: Int = 200, path: String = "/a", seconds: String = "0.100") -> [UInt8] {
        let t = base + offset
        let minute = (t / 60) % 60, second = t % 60, hour = (t / 3600) % 24
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return Array("10.0.0.1 - - [01/Dec/2026:\(two(hour)):\(two(minute)):\(two(second)) +0000] \"GET \(path) HTTP/1.1\" \(status) 10 \"-\" \"t\" \(seconds)\n".utf8.dropLast())
    }

    static func engine(window: Int64 = 60, every: Int64? = nil, late: Int64 = 0) -> (WatchEngine, Collector) {
        let collector = Collector()
        let format = Analyzer.detector(named: "nginx-combined+request_time")?.candidates.first
            ?? Analyzer.detector(named: "nginx-combined")!.candidates.first!
        let engine = WatchEngine(format: format, zone: .utc,
                                 windows: WindowConfiguration(windowSeconds: window, paneSeconds: every ?? window, lateSeconds: late),
                                 observers: [collector], sampleSize: 1)
        return (engine, collector)
    }

    static func feed(_ engine: WatchEngine, _ line: [UInt8], wall: Int64) {
        line.withUnsafeBytes { engine.consume($0, nowMilliseconds: wall) }
    }

    @Test func windowsCloseOnEventTime() {
        let (engine, out) = Self.engine()
        Self.feed(engine, Self.line(5, status: 500), wall: Self.wall)
        Self.feed(engine, Self.line(30), wall: Self.wall)
        Self.feed(engine, Self.line(59, status: 503), wall: Self.wall)
        #expect(out.windows.isEmpty)
        // The wall clock has not moved: only the line at 10:01:10 closes 10:00-10:01.
        Self.feed(engine, Self.line(70), wall: Self.wall)
        #expect(out.windows.count == 1)
        let w = out.windows[0]
        #expect(w.start == Self.base && w.end == Self.base + 60)
        #expect(w.totals.requests == 3)
        #expect(w.totals.serverErrors == 2)
        #expect(out.events == 4)
        #expect(out.boundFields.contains("status") && out.boundFields.contains("path"))
    }

    @Test func aStalledInputClosesOnTheWallClock() {
        let (engine, out) = Self.engine(late: 5)
        Self.feed(engine, Self.line(10), wall: Self.wall)
        engine.tick(nowMilliseconds: Self.wall + 54_000)  // event time now ≈ 10:01:04 < end + late
        #expect(out.windows.isEmpty)
        engine.tick(nowMilliseconds: Self.wall + 55_000)  // ≈ 10:01:05 = end + late
        #expect(out.windows.count == 1)
        #expect(out.windows.first?.totals.requests == 1)
        // Quiet on: one empty window is said, then nothing until lines come.
        engine.tick(nowMilliseconds: Self.wall + 115_000)
        engine.tick(nowMilliseconds: Self.wall + 600_000)
        #expect(out.windows.count == 2)
        #expect(out.windows[1].totals.requests == 0)
        Self.feed(engine, Self.line(601), wall: Self.wall + 600_000)
        engine.finish(nowMilliseconds: Self.wall + 600_000)
        #expect(out.windows.last?.totals.requests == 1)
        #expect(out.windows.last?.start == Self.base + 600)
        #expect((out.windows.last?.skippedEmptyWindows ?? 0) == 8)  // 10:02 … 10:09
    }

    @Test func lateLinesWithinTheToleranceLandInTheirWindow() {
        let (engine, out) = Self.engine(late: 10)
        Self.feed(engine, Self.line(50), wall: Self.wall)
        Self.feed(engine, Self.line(65), wall: Self.wall)
        Self.feed(engine, Self.line(58), wall: Self.wall)  // 7 s late, 10:00 still open
        Self.feed(engine, Self.line(80), wall: Self.wall)  // closes 10:00 (80 - 10 ≥ 60)
        Self.feed(engine, Self.line(59), wall: Self.wall)  // its window is gone: counted late
        engine.finish(nowMilliseconds: Self.wall)
        #expect(out.windows.count == 2)
        #expect(out.windows[0].totals.requests == 2)
        #expect(out.windows[1].totals.requests == 2)
        #expect(out.windows[1].totals.late == 1)
        #expect(engine.late == 1)
    }

    @Test func rollingWindowsAreTheSumOfTheirPanes() {
        // 1-minute windows closing every 20 s; one line per 5 s over 3 minutes.
        let (engine, out) = Self.engine(window: 60, every: 20)
        for s in stride(from: Int64(0), to: 180, by: 5) {
            Self.feed(engine, Self.line(s, status: s % 15 == 0 ? 500 : 200), wall: Self.wall)
        }
        engine.finish(nowMilliseconds: Self.wall)
        // Windows end at 20, 40, … 180; each covers [end-60, end) clipped at 0.
        #expect(out.windows.map(\.end) == stride(from: Int64(20), through: 180, by: 20).map { Self.base + $0 })
        for w in out.windows {
            let lo = max(0, w.start - Self.base), hi = w.end - Self.base
            let times = stride(from: Int64(0), to: 180, by: 5).filter { $0 >= lo && $0 < hi }
            #expect(w.totals.requests == UInt64(times.count))
            #expect(w.totals.serverErrors == UInt64(times.filter { $0 % 15 == 0 }.count))
        }
    }

    /// 11 hours of event time (the line maker stays within one day) through a ring sized once.
    @Test func memoryStaysFlatOverHoursOfEventTime() {
        let (engine, out) = Self.engine(window: 60, every: 10, late: 30)
        let ring = engine.windows.ring.count
        var t: Int64 = 0
        for i in 0..<40_000 {
            t += 1
            Self.feed(engine, Self.line(t, path: "/p\(i % 3000)"), wall: Self.wall)
        }
        #expect(engine.windows.ring.count == ring)
        for i in engine.windows.ring.indices { #expect(engine.windows.ring[i].paths.count <= 1000) }
        // Lines at 1 … 40,000 s; panes close 30 s late, so those ending by 39,970 s closed:
        // starts 0, 10, … 39,960 = 3,997 windows (the empty ones before the first line are not said).
        #expect(out.windows.count == 3_997)
        #expect(out.windows.last!.totals.requests == 60)
    }

    @Test func percentilesAndTopPaths() {
        let (engine, out) = Self.engine()
        // request_time 0.001 … 0.100 s; /hot twice as often as /cold.
        for i in 1...100 {
            Self.feed(engine, Self.line(Int64(i % 60), path: i % 3 == 0 ? "/cold" : "/hot",
                                        seconds: String(format: "%.3f", Double(i) / 1000)), wall: Self.wall)
        }
        engine.finish(nowMilliseconds: Self.wall)
        let w = try! #require(out.windows.first)
        // LatencySketch is within 1% of the value at rank q·n.
        let p95 = try! #require(w.totals.latency.quantile(0.95))
        #expect(abs(p95 - 0.095) <= 0.095 * 0.02)
        let top = w.totals.paths.top(2)
        #expect(top.map(\.key) == ["/hot", "/cold"])
        #expect(top.map(\.count) == [67, 33])
    }
}
