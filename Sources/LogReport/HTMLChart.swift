/// One inline SVG chart of the HTML report: bars (stacked when several series) and lines over
/// a series of time buckets, a left scale and optionally a right one, first/middle/last time
/// labels. Drawn in a fixed 800×240 view box that scales to the page's width (a phone's too).
///
/// Every bar is a `rect` with the bucket's exact value in `data-value`; every line is a
/// `polyline` per run of buckets that have a value (a bucket without one, e.g. no timed
/// request, breaks the line rather than drawing through it); a run of one bucket is also
/// marked with a dot. Labels are this module's own text, escaped all the same.
struct Chart {
    let id: String
    let title: String
    let starts: [Int64]
    let width: Int64
    let zone: DisplayZone
    var body = ""
    var leftMax: Double?
    var leftUnit = ""
    var rightMax: Double?
    var rightUnit = ""
    var rightPercent = false

    static let viewWidth = 800.0, viewHeight = 240.0
    static let left = 56.0, right = 744.0, top = 16.0, bottom = 200.0

    init(id: String, title: String, starts: [Int64], width: Int64, zone: DisplayZone) {
        self.id = id
        self.title = title
        self.starts = starts
        self.width = width
        self.zone = zone
    }

    var slot: Double { (Chart.right - Chart.left) / Double(max(1, starts.count)) }
    func x(_ i: Int) -> Double { Chart.left + slot * (Double(i) + 0.5) }
    static func y(_ v: Double, _ top: Double) -> Double { bottom - (top > 0 ? min(1, max(0, v / top)) : 0) * (bottom - Chart.top) }
    static func f(_ v: Double) -> String { String((v * 10).rounded() / 10) }

    /// The left scale: up to the largest of `values` (rounded up to a readable number).
    mutating func scale(_ values: [Double], unit: String) {
        leftMax = Chart.nice(values.max() ?? 0)
        leftUnit = unit
    }

    mutating func rightScale(_ values: [Double], unit: String) {
        rightMax = Chart.nice(values.max() ?? 0)
        rightUnit = unit
    }

    /// 1, 2, 2.5 or 5 times a power of ten at or above `v` (1 for nothing).
    static func nice(_ v: Double) -> Double {
        guard v > 0, v.isFinite else { return 1 }
        var p = 1.0
        while p * 10 <= v { p *= 10 }
        while p > v { p /= 10 }
        for m in [1.0, 2.0, 2.5, 5.0, 10.0] where m * p >= v { return m * p }
        return 10 * p
    }

    /// Bars, stacked from the first series up; one `rect` per non-zero value.
    mutating func bars(_ series: [[Double]], classes: [String], unit: String) {
        var totals = [Double](repeating: 0, count: starts.count)
        for s in series { for (i, v) in s.enumerated() where i < totals.count { totals[i] += max(0, v) } }
        if leftMax == nil { scale(totals, unit: unit) }
        let top = leftMax ?? 1
        let barWidth = max(0.4, slot * 0.8)
        var base = [Double](repeating: 0, count: starts.count)
        for (k, s) in series.enumerated() {
            for (i, v) in s.enumerated() where i < base.count && v > 0 {
                let y0 = Chart.y(base[i], top), y1 = Chart.y(base[i] + v, top)
                base[i] += v
                body += "<rect class=\"bar \(classes[k])\" data-bucket=\"\(i)\" data-value=\"\(Chart.value(v))\" x=\"\(Chart.f(x(i) - barWidth / 2))\" "
                    + "y=\"\(Chart.f(y1))\" width=\"\(Chart.f(barWidth))\" height=\"\(Chart.f(max(0.5, y0 - y1)))\"/>"
            }
        }
        body += "\n"
    }

    static func value(_ v: Double) -> String { JSONValue.format(v) }

    /// A line on the left scale or, with `right`, on the right one (a share when `percent`).
    mutating func line(_ values: [Double?], class name: String, right: Bool, percent: Bool) {
        if right && rightMax == nil {
            rightMax = percent ? Chart.nice(values.compactMap { $0 }.max() ?? 0) : Chart.nice(values.compactMap { $0 }.max() ?? 0)
            rightPercent = percent
        }
        let top = (right ? rightMax : leftMax) ?? 1
        var run: [String] = []
        func flush() {
            guard !run.isEmpty else { return }
            body += "<polyline class=\"\(name)\" points=\"\(run.joined(separator: " "))\"/>"
            if run.count == 1 {
                let xy = run[0].split(separator: ",")
                body += "<circle class=\"dot\" cx=\"\(xy[0])\" cy=\"\(xy[1])\" r=\"2\" style=\"fill:currentColor\"/>"
            }
            run = []
        }
        for (i, v) in values.enumerated() {
            if let v, v.isFinite { run.append("\(Chart.f(x(i))),\(Chart.f(Chart.y(v, top)))") } else { flush() }
        }
        flush()
        body += "\n"
    }

    func label(_ v: Double, unit: String, percent: Bool) -> String {
        if percent { return TextReport.percent(v) }
        if unit == "seconds" { return TextReport.duration(v) }
        return TextReport.count(UInt64(max(0, v))) + " " + unit
    }

    func svg(legend: [(String, String)]) -> String {
        var out = "<figure id=\"chart-\(id)\">\n<figcaption>\(HTMLReport.escaped(title))</figcaption>\n"
        out += "<svg class=\"chart\" data-chart=\"\(id)\" data-buckets=\"\(starts.count)\" viewBox=\"0 0 \(Int(Chart.viewWidth)) \(Int(Chart.viewHeight))\" "
            + "role=\"img\" aria-label=\"\(HTMLReport.escaped(title))\">\n"
        out += "<title>\(HTMLReport.escaped(title))</title>\n"
        out += "<line class=\"axis\" x1=\"\(Chart.left)\" y1=\"\(Chart.bottom)\" x2=\"\(Chart.right)\" y2=\"\(Chart.bottom)\"/>"
        out += "<line class=\"axis\" x1=\"\(Chart.left)\" y1=\"\(Chart.top)\" x2=\"\(Chart.left)\" y2=\"\(Chart.bottom)\"/>\n"
        if let top = leftMax {
            out += "<text x=\"\(Chart.left - 4)\" y=\"\(Chart.top + 4)\" text-anchor=\"end\">\(HTMLReport.escaped(label(top, unit: leftUnit, percent: false).split(separator: " ").first.map(String.init) ?? ""))</text>"
            out += "<text x=\"\(Chart.left - 4)\" y=\"\(Chart.bottom)\" text-anchor=\"end\">0</text>\n"
        }
        if let top = rightMax {
            out += "<line class=\"axis\" x1=\"\(Chart.right)\" y1=\"\(Chart.top)\" x2=\"\(Chart.right)\" y2=\"\(Chart.bottom)\"/>"
            out += "<text x=\"\(Chart.right + 4)\" y=\"\(Chart.top + 4)\">\(HTMLReport.escaped(label(top, unit: rightUnit, percent: rightPercent)))</text>\n"
        }
        out += body
        if let first = starts.first, let last = starts.last {
            let seconds = width < 60
            out += "<text x=\"\(Chart.left)\" y=\"\(Chart.bottom + 16)\">\(HTMLReport.escaped(zone.short(first, seconds: seconds)))</text>"
            if starts.count > 2 {
                let mid = starts.count / 2
                out += "<text x=\"\(Chart.f(x(mid)))\" y=\"\(Chart.bottom + 16)\" text-anchor=\"middle\">\(HTMLReport.escaped(zone.short(starts[mid], seconds: seconds)))</text>"
            }
            out += "<text x=\"\(Chart.right)\" y=\"\(Chart.bottom + 16)\" text-anchor=\"end\">\(HTMLReport.escaped(zone.short(last &+ width, seconds: seconds)))</text>\n"
        }
        out += "</svg>\n<div class=\"legend\">"
        for (cls, text) in legend { out += "<span><i class=\"\(cls)\"></i>\(HTMLReport.escaped(text))</span>" }
        out += "</div>\n</figure>\n"
        return out
    }
}
