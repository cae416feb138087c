/// LogMetrics: the values `logsift watch` exposes to Prometheus, and their text exposition.
///
/// Takes in: metric families the caller builds (names, help, labels, values), usually through a
/// `MetricsRegistry` it updates as it reads. Gives out: the Prometheus text format, version
/// 0.0.4 (`PrometheusText`). Knows nothing of HTTP (that is `LogHTTP.MetricsServer`) nor of logs.

/// One label pair of a sample. Names should match `[a-zA-Z_][a-zA-Z0-9_]*`; a name that does
/// not is rewritten when rendered (see `PrometheusText.sanitizedLabelName`). Values are any text.
public struct MetricLabel: Sendable, Hashable {
    public var name: String
    public var value: String
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// A metric family: one name, one `# HELP`, one `# TYPE`, and its samples.
///
/// The caller keeps names unique within a snapshot and label sets unique within a family
/// (Prometheus rejects a scrape that repeats a series); `MetricsRegistry` replaces a family
/// by name, so that holds when families are only set through it.
public struct MetricFamily: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case counter, gauge, summary, histogram, untyped
    }

    /// A counter, gauge or untyped sample.
    public struct Point: Sendable, Equatable {
        public var labels: [MetricLabel]
        public var value: Double
        public init(labels: [MetricLabel] = [], value: Double) {
            self.labels = labels
            self.value = value
        }
    }

    /// One summary series: quantiles (φ in 0...1, value), and the sum and count of observations.
    public struct SummaryPoint: Sendable, Equatable {
        public var labels: [MetricLabel]
        public var quantiles: [Quantile]
        public var sum: Double
        public var count: UInt64
        public init(labels: [MetricLabel] = [], quantiles: [Quantile], sum: Double, count: UInt64) {
            self.labels = labels
            self.quantiles = quantiles
            self.sum = sum
            self.count = count
        }
    }

    public struct Quantile: Sendable, Equatable {
        public var phi: Double
        public var value: Double
        public init(_ phi: Double, _ value: Double) {
            self.phi = phi
            self.value = value
        }
    }

    /// One histogram series: cumulative counts per upper bound, in increasing bound order, without
    /// the `+Inf` bucket (it is written from `count`).
    public struct HistogramPoint: Sendable, Equatable {
        public var labels: [MetricLabel]
        public var buckets: [Bucket]
        public var sum: Double
        public var count: UInt64
        public init(labels: [MetricLabel] = [], buckets: [Bucket], sum: Double, count: UInt64) {
            self.labels = labels
            self.buckets = buckets
            self.sum = sum
            self.count = count
        }
    }

    public struct Bucket: Sendable, Equatable {
        public var upperBound: Double
        public var cumulativeCount: UInt64
        public init(_ upperBound: Double, _ cumulativeCount: UInt64) {
            self.upperBound = upperBound
            self.cumulativeCount = cumulativeCount
        }
    }

    public enum Samples: Sendable, Equatable {
        case points([Point])
        case summaries([SummaryPoint])
        case histograms([HistogramPoint])
    }

    public var name: String
    public var help: String
    public var kind: Kind
    public var samples: Samples

    public static func counter(_ name: String, help: String, _ points: [Point]) -> MetricFamily {
        MetricFamily(name: name, help: help, kind: .counter, samples: .points(points))
    }

    public static func gauge(_ name: String, help: String, _ points: [Point]) -> MetricFamily {
        MetricFamily(name: name, help: help, kind: .gauge, samples: .points(points))
    }

    public static func summary(_ name: String, help: String, _ points: [SummaryPoint]) -> MetricFamily {
        MetricFamily(name: name, help: help, kind: .summary, samples: .summaries(points))
    }

    public static func histogram(_ name: String, help: String, _ points: [HistogramPoint]) -> MetricFamily {
        MetricFamily(name: name, help: help, kind: .histogram, samples: .histograms(points))
    }

    public init(name: String, help: String, kind: Kind, samples: Samples) {
        self.name = name
        self.help = help
        self.kind = kind
        self.samples = samples
    }
}
