import Foundation
import LogMetrics
import LogsiftTestSupport
import Testing

@Suite struct PrometheusTextTests {
    /// The exposition of a small snapshot, written out by hand from the 0.0.4 rules.
    @Test func rendersEveryKindAsTheFormatSays() {
        let families: [MetricFamily] = [
            .counter("logsift_lines_total", help: "Lines read.", [
                .init(labels: [MetricLabel("source", "access.log"), MetricLabel("result", "parsed")], value: 1234),
                .init(labels: [MetricLabel("source", "access.log"), MetricLabel("result", "unmatched")], value: 0),
            ]),
            .gauge("logsift_lag", help: "Back\\slash and\nnewline \"quoted\".", [.init(value: 0.25)]),
            .summary("logsift_request_duration_seconds", help: "Durations.", [
                .init(labels: [MetricLabel("source", "a")], quantiles: [.init(0.5, 0.1), .init(0.99, 2.5)], sum: 12.75, count: 40),
            ]),
            .histogram("logsift_h", help: "H.", [
                .init(buckets: [.init(0.1, 3), .init(1, 7)], sum: 4.5, count: 9),
            ]),
            .gauge("logsift_special", help: "", [
                .init(labels: [MetricLabel("v", "a\\b\"c\nd")], value: .infinity),
                .init(labels: [MetricLabel("v", "x")], value: -.infinity),
                .init(labels: [MetricLabel("v", "y")], value: .nan),
                .init(labels: [MetricLabel("v", "z")], value: 1e-5),
            ]),
        ]
        let expected = """
        # HELP logsift_lines_total Lines read.
        # TYPE logsift_lines_total counter
        logsift_lines_total{source="access.log",result="parsed"} 1234
        logsift_lines_total{source="access.log",result="unmatched"} 0
        # HELP logsift_lag Back\\\\slash and\\nnewline "quoted".
        # TYPE logsift_lag gauge
        logsift_lag 0.25
        # HELP logsift_request_duration_seconds Durations.
        # TYPE logsift_request_duration_seconds summary
        logsift_request_duration_seconds{source="a",quantile="0.5"} 0.1
        logsift_request_duration_seconds{source="a",quantile="0.99"} 2.5
        logsift_request_duration_seconds_sum{source="a"} 12.75
        logsift_request_duration_seconds_count{source="a"} 40
        # HELP logsift_h H.
        # TYPE logsift_h histogram
        logsift_h_bucket{le="0.1"} 3
        logsift_h_bucket{le="1"} 7
        logsift_h_bucket{le="+Inf"} 9
        logsift_h_sum 4.5
        logsift_h_count 9
        # HELP logsift_special 
        # TYPE logsift_special gauge
        logsift_special{v="a\\\\b\\"c\\nd"} +Inf
        logsift_special{v="x"} -Inf
        logsift_special{v="y"} NaN
        logsift_special{v="z"} 1e-05

        """
        #expect(PrometheusText.render(families) == expected)
    }

    /// Label values and help texts made of the characters that need escaping (and some that do
    /// not: braces, commas, equals, quotes' neighbours, non-ASCII) read back unchanged through the
    /// independent parser.
    @Test func escapedValuesReadBackUnchanged() throws {
        let alphabet: [String] = ["\\", "\"", "\n", "a", "é", "{", "}", ",", "=", " ", "n", "\\n", "€", "\t"]
        var rng = FuzzRNG(seed: 0x5EED_0904)
        for round in 0..<300 {
            let length = Int(rng.next() % 12)
            let value = (0..<length).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }.joined()
            let help = (0..<length).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }.joined()
            let family = MetricFamily.gauge("m", help: help, [
                .init(labels: [MetricLabel("a", value), MetricLabel("b", "plain")], value: Double(round)),
            ])
            let text = PrometheusText.render([family])
            let parsed = try ExpositionParser(text)
            #expect(parsed.samples == [.init(name: "m", labels: ["a": value, "b": "plain"], value: Double(round))],
                    "round \(round): \(text.debugDescription)")
            #expect(parsed.help["m"] == help, "round \(round)")
            #expect(parsed.types["m"] == "gauge")
            #expect(text.split(separator: "\n").count == 3, "a newline escaped everywhere")
        }
    }

    @Test func namesAreMadeValid() {
        #expect(PrometheusText.sanitizedMetricName("logsift_lines_total") == "logsift_lines_total")
        #expect(PrometheusText.sanitizedMetricName("job:rate5m") == "job:rate5m")
        #expect(PrometheusText.sanitizedMetricName("5xx-rate") == "_5xx_rate")
        #expect(PrometheusText.sanitizedMetricName("") == "_")
        #expect(PrometheusText.sanitizedLabelName("user-agent") == "user_agent")
        #expect(PrometheusText.sanitizedLabelName("a:b") == "a_b")
        #expect(PrometheusText.sanitizedLabelName("é") == "__", "two UTF-8 bytes, two underscores")
    }

    @Test func valuesAreDecimalOrSpecial() {
        #expect(PrometheusText.formatted(0) == "0")
        #expect(PrometheusText.formatted(-3) == "-3")
        #expect(PrometheusText.formatted(1e15) == "1000000000000000")
        #expect(PrometheusText.formatted(1e300) == "1e+300")
        #expect(PrometheusText.formatted(0.1) == "0.1")
        #expect(PrometheusText.formatted(-0.0) == "0")
        for value in [0.1, 1.0 / 3, 123456.789, 2.5e-9, 9_007_199_254_740_994] {
            #expect(Double(PrometheusText.formatted(value)) == value)
        }
    }

    @Test func registryReplacesByNameAndKeepsOrder() {
        let registry = MetricsRegistry()
        registry.set(.gauge("b", help: "", [.init(value: 1)]))
        registry.set([.gauge("a", help: "", [.init(value: 2)]), .gauge("b", help: "", [.init(value: 3)])])
        #expect(registry.snapshot().map(\.name) == ["b", "a"])
        #expect(registry.snapshot()[0].samples == .points([.init(value: 3)]))
        registry.remove("b")
        #expect(registry.snapshot().map(\.name) == ["a"])
    }

    /// Writers and a reader at once: every snapshot a reader takes is whole (both families carry
    /// the same generation, as `set([...])` swaps them together).
    @Test func registrySnapshotsAreWhole() async {
        let registry = MetricsRegistry()
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for generation in 0..<5000 {
                    registry.set([.gauge("x", help: "", [.init(value: Double(generation))]),
                                  .gauge("y", help: "", [.init(value: Double(generation))])])
                }
            }
            group.addTask {
                for _ in 0..<5000 {
                    let snapshot = registry.snapshot()
                    if snapshot.count == 2 { #expect(snapshot[0].samples == snapshot[1].samples) }
                }
            }
        }
    }

    /// promtool, Prometheus' own checker, accepts the exposition (it is in the `prometheus` package).
    @Test(.enabled(if: ExternalServices.runnable("promtool"),
                   "promtool not installed (apt-get install prometheus; LOGSIFT_REQUIRE_SERVICES=1 makes this a failure)"))
    func promtoolAcceptsTheExposition() throws {
        guard let promtool = ExternalServices.require("promtool", package: "prometheus") else { return }
        let families: [MetricFamily] = [
            .counter(LogsiftMetrics.linesTotal, help: LogsiftMetrics.linesHelp, [
                .init(labels: [MetricLabel("source", "C:\\logs\\\"x\"\nz"), MetricLabel("result", "parsed")], value: 7),
            ]),
            .summary(LogsiftMetrics.requestDuration, help: LogsiftMetrics.requestDurationHelp, [
                .init(labels: [MetricLabel("source", "a")], quantiles: LogsiftMetrics.durationQuantiles.map { .init($0, $0) },
                      sum: 3, count: 4),
            ]),
            .histogram("logsift_test_seconds", help: "Test histogram.", [
                .init(buckets: [.init(0.5, 1), .init(2, 2)], sum: 3, count: 3),
            ]),
        ]
        let process = Process()
        process.executableURL = URL(fileURLWithPath: promtool)
        process.arguments = ["check", "metrics"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        input.fileHandleForWriting.write(Data(PrometheusText.render(families).utf8))
        try input.fileHandleForWriting.close()
        let said = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "promtool: \(said)")
        #expect(said.isEmpty, "promtool found problems (lint): \(said)")
    }
}
