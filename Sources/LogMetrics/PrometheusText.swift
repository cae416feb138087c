/// The Prometheus text exposition format, version 0.0.4: what a `/metrics` endpoint serves.
///
/// Per family: `# HELP name text` (backslash and newline escaped), `# TYPE name kind`, then one
/// line per sample, `name{label="value",...} value`. Label values escape backslash as `\\`,
/// double quote as `\"` and newline as `\n`; every other character (UTF-8) is written as is.
/// A summary writes `name{quantile="φ"}`, `name_sum` and `name_count`; a histogram writes
/// `name_bucket{le="bound"}` per bucket and a `le="+Inf"` bucket equal to the count, then
/// `name_sum` and `name_count`. Values are decimal (integers without a fraction), `+Inf`, `-Inf`
/// or `NaN`. No timestamps: Prometheus stamps a sample with the scrape time.
public enum PrometheusText {
    /// The `Content-Type` a scrape response carries.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    public static func render(_ families: [MetricFamily]) -> String {
        var out = ""
        out.reserveCapacity(families.count * 256)
        for family in families { append(family, to: &out) }
        return out
    }

    public static func append(_ family: MetricFamily, to out: inout String) {
        let name = sanitizedMetricName(family.name)
        out += "# HELP \(name) \(escapedHelp(family.help))\n"
        out += "# TYPE \(name) \(family.kind.rawValue)\n"
        switch family.samples {
        case .points(let points):
            for point in points {
                appendLine(name, point.labels, extra: nil, value: formatted(point.value), to: &out)
            }
        case .summaries(let points):
            for point in points {
                for quantile in point.quantiles {
                    appendLine(name, point.labels, extra: MetricLabel("quantile", formatted(quantile.phi)),
                               value: formatted(quantile.value), to: &out)
                }
                appendLine(name + "_sum", point.labels, extra: nil, value: formatted(point.sum), to: &out)
                appendLine(name + "_count", point.labels, extra: nil, value: String(point.count), to: &out)
            }
        case .histograms(let points):
            for point in points {
                for bucket in point.buckets where bucket.upperBound < .infinity {
                    appendLine(name + "_bucket", point.labels, extra: MetricLabel("le", formatted(bucket.upperBound)),
                               value: String(bucket.cumulativeCount), to: &out)
                }
                appendLine(name + "_bucket", point.labels, extra: MetricLabel("le", "+Inf"),
                           value: String(point.count), to: &out)
                appendLine(name + "_sum", point.labels, extra: nil, value: formatted(point.sum), to: &out)
                appendLine(name + "_count", point.labels, extra: nil, value: String(point.count), to: &out)
            }
        }
    }

    private static func appendLine(_ name: String, _ labels: [MetricLabel], extra: MetricLabel?,
                                   value: String, to out: inout String) {
        out += name
        if !labels.isEmpty || extra != nil {
            out += "{"
            var first = true
            for label in labels {
                if !first { out += "," }
                first = false
                appendLabel(label, to: &out)
            }
            if let extra {
                if !first { out += "," }
                appendLabel(extra, to: &out)
            }
            out += "}"
        }
        out += " "
        out += value
        out += "\n"
    }

    private static func appendLabel(_ label: MetricLabel, to out: inout String) {
        out += sanitizedLabelName(label.name)
        out += "=\""
        out += escapedLabelValue(label.value)
        out += "\""
    }

    /// `\` → `\\`, `"` → `\"`, newline → `\n`; nothing else changes.
    public static func escapedLabelValue(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\"") || $0 == 0x0A })
        else { return value }
        var out = ""
        out.reserveCapacity(value.utf8.count + 8)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// HELP text: `\` → `\\`, newline → `\n` (quotes stay as they are).
    public static func escapedHelp(_ help: String) -> String {
        var out = ""
        out.reserveCapacity(help.utf8.count)
        for scalar in help.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// A metric name matches `[a-zA-Z_:][a-zA-Z0-9_:]*`: any other character becomes `_`, a
    /// leading digit gets a `_` before it, an empty name is `_`.
    public static func sanitizedMetricName(_ name: String) -> String {
        sanitized(name, allowColon: true)
    }

    /// A label name matches `[a-zA-Z_][a-zA-Z0-9_]*` (a rule's `by` field such as `user-agent`
    /// becomes `user_agent`).
    public static func sanitizedLabelName(_ name: String) -> String {
        sanitized(name, allowColon: false)
    }

    private static func sanitized(_ name: String, allowColon: Bool) -> String {
        func allowed(_ byte: UInt8, first: Bool) -> Bool {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "_"): return true
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return !first
            case UInt8(ascii: ":"): return allowColon
            default: return false
            }
        }
        var clean = true
        for (i, byte) in name.utf8.enumerated() where !allowed(byte, first: i == 0) { clean = false; break }
        if clean && !name.isEmpty { return name }
        var bytes: [UInt8] = []
        for (i, byte) in name.utf8.enumerated() {
            if i == 0, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") { bytes.append(UInt8(ascii: "_")) }
            bytes.append(allowed(byte, first: false) ? byte : UInt8(ascii: "_"))
        }
        if bytes.isEmpty { bytes.append(UInt8(ascii: "_")) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A sample value: integers (below 2^53 in magnitude) without a fraction, others in Swift's
    /// shortest round-trip form (`0.25`, `1e-05`), which Prometheus parses as Go's ParseFloat does.
    public static func formatted(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value == .infinity { return "+Inf" }
        if value == -.infinity { return "-Inf" }
        if value == value.rounded(), abs(value) < 9_007_199_254_740_992 {
            return String(Int64(value))
        }
        return value.description
    }
}
