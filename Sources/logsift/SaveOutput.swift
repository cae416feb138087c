import ArgumentParser
import LogAggregation
import LogArchive
import LogsiftEngine

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
