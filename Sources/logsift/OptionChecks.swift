import ArgumentParser
import LogParsing

/// The allowed range of every numeric option, checked before anything is read, so that no value
/// typed on the command line can overflow, trap, or allocate without bound. A value outside its
/// range is a usage error (exit 64) naming the option and the range.
enum OptionRange {
    /// `--bucket`: one second to 366 days (a year of daily reports fits in one bucket).
    static let bucketSeconds: ClosedRange<Int64> = 1...(366 * 86_400)
    /// `--top`: above every table's capacity (5,000 paths, 2,000 error groups), so the top bound
    /// lists everything; a list of this many entries is a few megabytes at most.
    static let top: ClosedRange<Int> = 0...1_000_000
    /// `--jobs`: each worker holds a read buffer (256 KiB + the line cap); far beyond the cores
    /// only memory grows.
    static let jobs: ClosedRange<Int> = 1...256
    /// `--samples`: unmatched lines kept (each up to the line cap) and printed.
    static let samples: ClosedRange<Int> = 0...10_000
    /// `--max-line-length`: 16 bytes to 64 MiB (one buffer of this size per worker).
    static let maxLineLength: ClosedRange<Int> = 16...(64 << 20)
    /// `--split-bytes` (hidden, for tests).
    static let splitBytes: ClosedRange<Int> = 1...Int.max

    static func check(_ value: Int, in range: ClosedRange<Int>, option: String) throws {
        guard range.contains(value) else {
            throw ValidationError("\(option) \(value): must be between \(range.lowerBound) and \(range.upperBound)")
        }
    }
}

/// A `--bucket` width: `30s`, `5m`, `1h`, `1d`, or a bare number of seconds.
enum BucketWidth {
    enum Problem: Error, Equatable {
        case notAWidth
        case notPositive
        case tooLarge
    }

    /// Seconds in `text`, or what is wrong with it; never traps, whatever the digits.
    static func seconds(_ text: String) -> Result<Int64, Problem> {
        var digits = Substring(text)
        let unit: Int64
        switch digits.last {
        case "s": unit = 1; digits = digits.dropLast()
        case "m": unit = 60; digits = digits.dropLast()
        case "h": unit = 3_600; digits = digits.dropLast()
        case "d": unit = 86_400; digits = digits.dropLast()
        default: unit = 1
        }
        var negative = false
        if digits.first == "-" || digits.first == "+" {
            negative = digits.first == "-"
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return .failure(.notAWidth) }
        if negative || digits.allSatisfy({ $0 == "0" }) { return .failure(.notPositive) }
        guard let n = Int64(digits) else { return .failure(.tooLarge) }  // more digits than Int64 holds
        let (product, overflow) = n.multipliedReportingOverflow(by: unit)
        guard !overflow, OptionRange.bucketSeconds.contains(product) else { return .failure(.tooLarge) }
        return .success(product)
    }

    static func check(_ text: String) throws {
        switch seconds(text) {
        case .success: return
        case .failure(.notAWidth):
            throw ValidationError("--bucket '\(text)': give a width such as 30s, 1m, 5m, 1h or 1d")
        case .failure(.notPositive):
            throw ValidationError("--bucket '\(text)': bucket width must be positive (e.g. 30s, 1m, 5m, 1h)")
        case .failure(.tooLarge):
            throw ValidationError("--bucket '\(text)': at most 366d (\(OptionRange.bucketSeconds.upperBound) seconds)")
        }
    }
}

extension ReportCommand {
    /// Every numeric option of `report` inside its range (see `OptionRange`).
    func checkRanges() throws {
        try BucketWidth.check(bucket)
        try OptionRange.check(top, in: OptionRange.top, option: "--top")
        if let jobs { try OptionRange.check(jobs, in: OptionRange.jobs, option: "--jobs") }
        try OptionRange.check(samples, in: OptionRange.samples, option: "--samples")
        try OptionRange.check(maxLineLength, in: OptionRange.maxLineLength, option: "--max-line-length")
        try OptionRange.check(splitBytes, in: OptionRange.splitBytes, option: "--split-bytes")
    }
}

/// A `--tz` value, or the usage error that says what `--tz` takes.
enum TimeZoneOption {
    static func parse(_ text: String) throws -> ZoneRule {
        guard let zone = ZoneRule.parse(text) else {
            throw ValidationError("--tz '\(text)': give local, UTC, an offset such as +0100 or -05:30, a zone abbreviation such as CET, or a zone name from the system's zoneinfo such as Europe/Berlin")
        }
        return zone
    }
}
