// swift-tools-version:6.0
import PackageDescription

// The target list is the data flow: input -> framing -> parsing -> aggregation -> output.
// C libraries are wrapped once each: CPCRE2 by PCRE2, CZlib by Zlib.

// The per-line targets drop the run-time exclusivity checks in release builds: `watch` made
// 30 or more per line (each a thread-local access set insert, about 90 instructions), a fifth
// of its instructions under callgrind. Debug builds, which the tests run, keep every check.
let perLine: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

let package = Package(
    name: "logsift",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "logsift", targets: ["logsift"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
        // HTTP for the Alertmanager notifier and the /metrics server (NIOHTTP1 client and server;
        // chosen over async-http-client and Hummingbird for build time, see docs/alertmanager.md).
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
    ],
    targets: [
        .systemLibrary(name: "CPCRE2", pkgConfig: "libpcre2-8",
                       providers: [.apt(["libpcre2-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),
        .target(name: "PCRE2", dependencies: ["CPCRE2"]),
        .target(name: "Zlib", dependencies: ["CZlib"]),
        .target(name: "LogInput", dependencies: ["Zlib"], swiftSettings: perLine),
        .target(name: "LogParsing", dependencies: ["PCRE2"], swiftSettings: perLine),
        .target(name: "LogAggregation", dependencies: ["LogParsing"], swiftSettings: perLine),
        .target(name: "LogQuery", dependencies: ["LogParsing", "LogAggregation", "PCRE2"], swiftSettings: perLine),
        .target(name: "LogReport", dependencies: ["LogAggregation"]),
        // Saved aggregates (`report --save`, `merge`): the .lsa file, checksummed with zlib's CRC-32.
        .target(name: "LogArchive", dependencies: ["LogParsing", "LogAggregation", "Zlib"]),
        // Alert rules: rule files (YAML), rolling windows on event time, alert states.
        .target(name: "LogRules", dependencies: ["LogParsing", "LogQuery", "LogAggregation", .product(name: "Yams", package: "Yams")],
                swiftSettings: perLine),
        .target(name: "LogsiftEngine",
                dependencies: ["LogInput", "LogParsing", "LogAggregation", "LogQuery", "LogReport", "LogRules", "LogArchive"],
                swiftSettings: perLine),
        // Outputs for `watch`: the Prometheus text format (no dependency), and the HTTP parts.
        .target(name: "LogMetrics"),
        .target(name: "LogHTTP", dependencies: [
            "LogMetrics",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        ]),
        .executableTarget(name: "logsift", dependencies: [
            "LogsiftEngine", "LogRules", "LogHTTP", "LogMetrics",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(name: "PCRE2Tests", dependencies: ["PCRE2"]),
        .testTarget(name: "ZlibTests", dependencies: ["Zlib"]),
        .testTarget(name: "LogInputTests", dependencies: ["LogInput"]),
        // Helpers shared by test targets (fuzzing harness, corpora): not shipped.
        .target(name: "LogsiftTestSupport", path: "Tests/Support"),
        .testTarget(name: "LogParsingTests", dependencies: ["LogParsing", "LogsiftTestSupport"]),
        .testTarget(name: "LogAggregationTests", dependencies: ["LogAggregation", "LogInput", "LogsiftTestSupport"]),
        .testTarget(name: "LogReportTests", dependencies: ["LogReport"]),
        .testTarget(name: "LogQueryTests", dependencies: ["LogQuery", "LogsiftTestSupport"]),
        .testTarget(name: "LogRulesTests", dependencies: ["LogRules", "LogQuery"]),
        .testTarget(name: "LogsiftEngineTests", dependencies: ["LogsiftEngine", "LogsiftTestSupport"]),
        .testTarget(name: "LogMetricsTests", dependencies: ["LogMetrics", "LogsiftTestSupport"]),
        .testTarget(name: "LogHTTPTests", dependencies: [
            "LogHTTP", "LogMetrics", "LogsiftTestSupport",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
        .testTarget(name: "EndToEndTests", dependencies: ["LogsiftEngine", "LogsiftTestSupport", "LogHTTP", "LogArchive"]),
    ]
)
