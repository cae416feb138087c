import LogAggregation
import LogArchive
import LogReport

/// `logsift merge`: saved analyses (`report --save`) merged into one, with the merges the
/// parallel report uses for its workers' aggregates (`Sections.merge`), so that merging the
/// saves of two sets of logs gives what one report over both gives.
///
/// Refused, with an error naming the file: bucket widths of one family where one does not
/// divide the widest (buckets could not be regrouped exactly). Saves with different widths
/// that divide the widest are first regrouped to it.
public enum SavedMerge {
    public struct Input: Sendable {
        public let path: String
        public let saved: SavedAnalysis

        public init(path: String, saved: SavedAnalysis) {
            self.path = path
            self.saved = saved
        }
    }

    /// The merged analysis; its zone is the saves' `--tz` when they all agree (nil otherwise),
    /// its sample limit the smallest of theirs.
    public static func merge(_ inputs: [Input]) throws(SaveFileError) -> (merged: SavedAnalysis, zone: String?) {
        precondition(!inputs.isEmpty, "merge needs at least one save")
        let accessWidth = try widest("access-log", inputs) { $0.traffic.isEmpty ? nil : $0.traffic.bucketSeconds }
        let postgresWidth = try widest("PostgreSQL", inputs) { $0.postgres?.bucketSeconds }
        let applicationWidth = try widest("application-log", inputs) { $0.application?.bucketSeconds }

        var sections = Sections()
        var summaries: [InputSummary] = []
        var samples: [UnmatchedSample] = []
        var labels: [LabelTotals] = []
        var hasLatency = false
        for input in inputs {
            var a = input.saved.analysis
            if let w = accessWidth { a.traffic.regroupBuckets(to: w) }
            if let w = postgresWidth { a.postgres?.regroupBuckets(to: w) }
            if let w = applicationWidth { a.application?.regroupBuckets(to: w) }
            sections.merge(Sections(traffic: a.traffic.isEmpty ? nil : a.traffic, postgres: a.postgres, application: a.application))
            for var sample in a.samples {
                sample.inputIndex += summaries.count
                samples.append(sample)
            }
            summaries += a.inputs
            hasLatency = hasLatency || a.hasLatency
            labels += a.labels.isEmpty ? [LabelTotals(name: "", value: "", analysis: a)] : a.labels
        }
        let sampleLimit = inputs.map(\.saved.sampleLimit).min()!
        samples.sort { ($0.inputIndex, $0.line) < ($1.inputIndex, $1.line) }
        var analysis = Analysis(inputs: summaries, traffic: sections.traffic ?? inputs[0].saved.analysis.traffic,
                                samples: Array(samples.prefix(sampleLimit)), hasLatency: hasLatency)
        sections.fill(&analysis)
        analysis.labels = LabelTotals.combined(labels)
        let zones = Set(inputs.map(\.saved.zone))
        let zone = zones.count == 1 ? zones.first! : nil
        return (SavedAnalysis(analysis: analysis, zone: zone ?? "local", sampleLimit: sampleLimit), zone)
    }

    /// The widest bucket width of one family over the saves that have it; every other width
    /// must divide it.
    static func widest(_ family: String, _ inputs: [Input], _ width: (Analysis) -> Int64?) throws(SaveFileError) -> Int64? {
        let present = inputs.compactMap { i in width(i.saved.analysis).map { (path: i.path, width: $0) } }
        guard let widest = present.max(by: { $0.width < $1.width }) else { return nil }
        for p in present where widest.width % p.width != 0 {
            throw SaveFileError(path: p.path, problem: "its \(family) buckets are \(TimeText.width(p.width)) wide, which does not "
                + "divide the \(TimeText.width(widest.width)) buckets of \(widest.path): buckets merge only into a width that "
                + "is a multiple of each; save them with the same --bucket, or with widths that divide one another (1m and 5m)")
        }
        return widest.width
    }
}
