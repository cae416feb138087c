import ArgumentParser
import LogAggregation
import LogArchive
import LogInput
import LogReport
import LogsiftEngine
import PCRE2

/// `--save FILE`: the analysis written as a `.lsa` file (see LogArchive), atomically like `-o`.
enum SaveOutput {
    static func write(_ analysis: Analysis, zone: String, sampleLimit: Int, to path: String) throws {
        let bytes = SaveFile.encode(SavedAnalysis(analysis: analysis, zone: zone, sampleLimit: sampleLimit))
        try ReportFile.write(bytes: bytes, to: path, what: "the saved aggregates")
    }
}

/// Saves read and merged, for `merge` and `report --baseline FILE.lsa`: every file that cannot
/// be read is named on stderr (with `context` before it), then the run ends with 1 when one
/// could not be read and 65 when one is not a save or the saves cannot be merged.
enum SaveInput {
    static func merged(_ paths: [String], context: String = "") throws -> (merged: SavedAnalysis, zone: String?) {
        var inputs: [SavedMerge.Input] = []
        var status: Int32 = 0
        func refuse(_ error: SaveFileError) {
            Terminal.warn(context + error.description)
            let unreadable = error.problem.hasPrefix("cannot ")
            status = max(status, unreadable ? ExitStatus.inputFailed : ExitStatus.nothingRecognised)
        }
        for path in paths {
            do { inputs.append(SavedMerge.Input(path: path, saved: try SaveFile.read(path))) } catch { refuse(error) }
        }
        if status != 0 { throw ExitCode(status) }
        do { return try SavedMerge.merge(inputs) } catch {
            refuse(error)
            throw ExitCode(status)
        }
    }
}

extension ReportCommand {
    /// `--label name=value`, checked.
    func labelOption() throws -> (name: String, value: String)? {
        guard let label else { return nil }
        return try LabelOption.parse(label)
    }
}

extension ReportCommand {
    /// `--label-from name=regex`, checked (the regex compiles).
    func labelFromOption() throws -> LabelFrom? {
        guard let labelFrom else { return nil }
        return try LabelFrom.parse(labelFrom)
    }

    /// The analysis of `configuration`'s inputs with a label per input (`--label-from`): the
    /// inputs of each value are analysed apart and merged as `logsift merge` merges saves, which
    /// gives what one run over them all gives (SaveMergeTests), plus the per-value totals. The
    /// inputs are listed grouped by value, values in order of first appearance.
    static func labelled(_ configuration: AnalysisConfiguration, by labelFrom: LabelFrom, zone: String) throws -> Analysis {
        var groups: [(value: String, inputs: [InputSpec])] = []
        for input in configuration.inputs {
            let value = try labelFrom.check([input.path])[0]
            if let k = groups.firstIndex(where: { $0.value == value }) { groups[k].inputs.append(input) } else { groups.append((value, [input])) }
        }
        var saves: [SavedMerge.Input] = []
        for group in groups {
            var part = configuration
            part.inputs = group.inputs
            var analysis = Analyzer.run(part)
            analysis.labels = [LabelTotals(name: labelFrom.name, value: group.value, analysis: analysis)]
            saves.append(SavedMerge.Input(path: group.inputs[0].path,
                                          saved: SavedAnalysis(analysis: analysis, zone: zone, sampleLimit: configuration.sampleLimit)))
        }
        do {
            return try SavedMerge.merge(saves).merged.analysis
        } catch {
            // One run's groups share their bucket width: a merge of them cannot be refused.
            throw ValidationError("--label-from: \(error.description)")
        }
    }
}

/// `--label-from name=regex`: the label's name, and a regex whose first group (or whole match)
/// in an input's path is the input's value.
struct LabelFrom {
    let text: String
    let name: String
    let regex: Regex

    static func parse(_ text: String) throws -> LabelFrom {
        let parts = text.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty,
              let name = try? LabelOption.parse(String(parts[0]) + "=x").name else {
            throw ValidationError("--label-from '\(TerminalText.escaped(text))': give name=regex, e.g. --label-from 'host=/logs/([^/]+)/' (a name of letters, digits, _ . -)")
        }
        do {
            return LabelFrom(text: text, name: name, regex: try Regex(String(parts[1])))
        } catch {
            let at = error.offset.map { " at offset \($0) of the regex" } ?? ""
            throw ValidationError("--label-from '\(text)': the regex does not compile\(at): \(error.message)")
        }
    }

    /// The value of each path; an error naming the first path that has none.
    @discardableResult
    func check(_ paths: [String]) throws -> [String] {
        try paths.map { path in
            guard let value = value(of: path) else {
                throw ValidationError("--label-from '\(text)': \(path == "-" ? "standard input" : TerminalText.escaped(path)) does not match the regex "
                    + "(or its value is empty); give a regex every input path matches, or --label for one value")
            }
            return value
        }
    }

    /// The value for one input path: the first group that took part, else the whole match; nil
    /// when the path does not match or the value is empty.
    func value(of path: String) -> String? {
        let match = MatchData(for: regex)
        var bytes = Array(path.utf8)
        let outcome = bytes.withUnsafeMutableBytes { match.match(regex, UnsafeRawBufferPointer($0)) }
        guard case .matched = outcome else { return nil }
        let group = (1...max(1, regex.captureCount)).lazy.compactMap { match.range($0) }.first ?? match.range(0)
        guard let range = group, !range.isEmpty else { return nil }
        let value = String(decoding: bytes[range], as: UTF8.self)
        return value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) ? nil : value
    }
}

enum LabelOption {
    static func parse(_ text: String) throws -> (name: String, value: String) {
        let parts = text.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, parts[0].allSatisfy(allowed.contains),
              !parts[1].unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) else {
            throw ValidationError("--label '\(text)': give name=value, e.g. --label host=web1 (a name of letters, digits, _ . -, and a value)")
        }
        return (String(parts[0]), String(parts[1]))
    }
}
