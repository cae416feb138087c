import Foundation
import Testing

/// `--format html`: the page loaded in a real headless Chromium (Debian `chromium`), whose
/// rendered DOM must hold the charts with one bar or point per bucket and the figures the JSON
/// report gives for the same input; a screenshot must not be blank. Without chromium the
/// browser test is skipped, unless LOGSIFT_REQUIRE_SERVICES=1 (then it fails). The checks that
/// need no browser (no external reference, escaping, atomic -o) always run.
@Suite struct HTMLReportTests {
    static let requireServices = ProcessInfo.processInfo.environment["LOGSIFT_REQUIRE_SERVICES"] == "1"
    static let chromium: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for name in ["chromium", "chromium-browser"] {
            for dir in path.split(separator: ":") where FileManager.default.isExecutableFile(atPath: "\(dir)/\(name)") {
                return "\(dir)/\(name)"
            }
        }
        return nil
    }()

    static var samples: [String] {
        ["access.log", "postgresql.log", "app.log"].map { Harness.packageRoot.appendingPathComponent("samples/\($0)").path }
    }

    /// Attribute values of every element opening with `tag` (e.g. `<rect class="bar requests"`).
    static func count(_ html: Substring, _ needle: String) -> Int {
        html.components(separatedBy: needle).count - 1
    }

    /// The `<svg … data-chart="id">…</svg>` element of the DOM.
    static func chart(_ dom: String, _ id: String) -> Substring? {
        guard let start = dom.range(of: "data-chart=\"\(id)\"") else { return nil }
        guard let end = dom.range(of: "</svg>", range: start.upperBound..<dom.endIndex) else { return nil }
        return dom[start.lowerBound..<end.upperBound]
    }

    /// Points of every `<polyline class="name" points="x,y x,y">` in `svg`.
    static func points(_ svg: Substring, _ name: String) -> Int {
        var total = 0
        for part in svg.components(separatedBy: "<polyline class=\"\(name)\" points=\"").dropFirst() {
            total += part.prefix { $0 != "\"" }.split(separator: " ").count
        }
        return total
    }

    /// The `data-value` of the element with `id`.
    static func value(_ dom: String, id: String) -> String? {
        guard let at = dom.range(of: "id=\"\(id)\"") else { return nil }
        let tagStart = dom[..<at.lowerBound].lastIndex(of: "<") ?? at.lowerBound
        let tag = dom[tagStart...].prefix { $0 != ">" }
        guard let v = tag.range(of: "data-value=\"") else { return nil }
        return String(tag[v.upperBound...].prefix { $0 != "\"" })
    }

    @Test(.enabled(if: HTMLReportTests.chromium != nil || HTMLReportTests.requireServices,
                   "chromium is not installed (apt-get install chromium; LOGSIFT_REQUIRE_SERVICES=1 makes this fail)"))
    func chartsAndFiguresInHeadlessChromium() throws {
        let chromium = try #require(Self.chromium, "LOGSIFT_REQUIRE_SERVICES=1 and no chromium on PATH")
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let page = dir.appendingPathComponent("nightly.html")
        let html = try Harness.run(["report", "--tz", "UTC", "--format", "html", "-o", page.path] + Self.samples)
        #expect(html.status == 0, "\(html.stderr)")
        #expect(html.stdout.isEmpty)
        let json = try Harness.run(["report", "--tz", "UTC", "--format", "json"] + Self.samples).json()

        let flags = "--headless --disable-gpu --no-sandbox --no-first-run --disable-dev-shm-usage --user-data-dir='\(dir.path)/profile'"
        let dom = try Harness.shell("timeout 120 '\(chromium)' \(flags) --dump-dom 'file://\(page.path)' 2>/dev/null")
        #expect(dom.contains("<h1>logsift report</h1>"), "no DOM: \(dom.prefix(300))")

        // Requests: one bar per bucket that had a request; the bucket count the JSON has.
        let buckets = try #require(json["buckets"] as? [[String: Any]])
        let requests = try #require(Self.chart(dom, "requests"))
        #expect(requests.contains("data-buckets=\"\(buckets.count)\""))
        #expect(Self.count(requests, "<rect class=\"bar requests\"") == buckets.filter { ($0["count"] as? Int ?? 0) > 0 }.count)
        #expect(Self.points(requests, "rate5xx") == buckets.filter { ($0["count"] as? Int ?? 0) > 0 }.count)
        // Latency: a p50, p95 and p99 point per bucket with a timed request.
        let timed = buckets.filter { (($0["latency"] as? [String: Any])?["count"] as? Int ?? 0) > 0 }.count
        let latency = try #require(Self.chart(dom, "latency"))
        for name in ["p50", "p95", "p99"] { #expect(Self.points(latency, name) == timed, "\(name)") }
        // Application levels: one bar per bucket and level (fatal, error, warn) with events.
        let app = try #require((json["application"] as? [String: Any])?["buckets"] as? [[String: Any]])
        let levelBars = app.map { b -> Int in
            let levels = b["levels"] as? [String: Int] ?? [:]
            return ["fatal", "error", "warn"].filter { (levels[$0] ?? 0) > 0 }.count
        }.reduce(0, +)
        let levels = try #require(Self.chart(dom, "levels"))
        #expect(Self.count(levels, "<rect class=\"bar ") == levelBars)
        #expect(levelBars > 0)
        // Query time: a bar per bucket whose queries took any time.
        let pg = try #require((json["postgres"] as? [String: Any])?["buckets"] as? [[String: Any]])
        let queryTime = try #require(Self.chart(dom, "query-time"))
        #expect(Self.count(queryTime, "<rect class=\"bar querytime\"")
                == pg.filter { (($0["duration"] as? [String: Any])?["total"] as? Double ?? 0) > 0 }.count)

        // Figures in the DOM equal the JSON report's.
        let total = try #require(json["total"] as? [String: Any])
        #expect(Self.value(dom, id: "total-requests") == String(total["requests"] as? Int ?? -1))
        let p95 = try #require((total["latency"] as? [String: Any])?["p95"] as? Double)
        #expect(Self.value(dom, id: "p95").flatMap(Double.init) == p95)
        // The rate as the JSON wrote it (its first "rate_5xx" is the total's; Foundation's
        // parser may misround a 17-digit double's last bit, so the text is compared).
        let jsonText = String(decoding: json.isEmpty ? Data() : try Harness.run(["report", "--tz", "UTC", "--format", "json"] + Self.samples).stdout, as: UTF8.self)
        let rate = jsonText.components(separatedBy: "\"rate_5xx\":").dropFirst().first?.prefix { $0 != "," && $0 != "}" }
            .trimmingCharacters(in: .whitespaces)
        #expect(Self.value(dom, id: "rate-5xx") == rate)
        // Top paths: same paths, same counts, same order.
        let top = try #require((json["top_paths"] as? [String: Any])?["by_count"] as? [[String: Any]])
        let table = try #require(dom.range(of: "<table id=\"top-paths\">").map { dom[$0.lowerBound...].prefix { _ in true } })
        let body = table[..<(table.range(of: "</table>")?.lowerBound ?? table.endIndex)]
        let rows = body.components(separatedBy: "<tr>").dropFirst(2)  // header row
        #expect(rows.count == min(10, top.count))
        for (row, expected) in zip(rows, top) {
            let cells = row.components(separatedBy: "<td").dropFirst()
            let path = cells.first.map { String($0.drop { $0 != ">" }.dropFirst().prefix { $0 != "<" }) }
            #expect(path == expected["path"] as? String)
            let count = cells.dropFirst().first.flatMap { c -> String? in
                guard let v = c.range(of: "data-value=\"") else { return nil }
                return String(c[v.upperBound...].prefix { $0 != "\"" })
            }
            #expect(count == String(expected["count"] as? Int ?? -1))
        }

        // A screenshot at phone width and at desktop width: a PNG that is not one colour.
        for size in ["390,2000", "1200,2400"] {
            let shot = dir.appendingPathComponent("shot-\(size.prefix(3)).png")
            _ = try Harness.shell("timeout 120 '\(chromium)' \(flags) --hide-scrollbars --window-size=\(size) --screenshot='\(shot.path)' 'file://\(page.path)' >/dev/null 2>&1")
            let png = try Data(contentsOf: shot)
            #expect(png.prefix(8) == Data([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
            // Distinct colours among the decoded pixels (python3 unfilters the PNG rows).
            let colours = try Harness.shell("python3 '\(Harness.packageRoot.path)/scripts/png-colours.py' '\(shot.path)'")
            #expect((Int(colours.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) > 20, "\(size): \(colours)")
        }
    }

    /// The page references nothing outside itself, even when a log line tries to inject a
    /// script, a stylesheet or an image; every such string is text.
    @Test func noExternalReferenceAndEscapedInput() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let evil = #"x"><script src="https://evil.example/x.js"></script><img src=http://e/i.png><style>@import url(https://e/c.css)</style>"#
        let log = dir.appendingPathComponent("app.log")
        try "2026-11-24 10:00:00 ERROR \(evil)\n2026-11-24 10:00:01 INFO ok\n".write(to: log, atomically: true, encoding: .utf8)
        for inputs in [Self.samples, [log.path]] {
            let r = try Harness.run(["report", "--format", "html"] + inputs)
            #expect(r.status == 0, "\(r.stderr)")
            let page = r.text.lowercased()
            // Text is escaped, so every `<` opens one of the page's own tags: only these, and
            // none with an attribute that loads something.
            let allowed: Set<String> = ["!doctype", "html", "head", "meta", "title", "style", "body", "main", "h1", "h2", "h3", "p",
                                        "section", "dl", "div", "dt", "dd", "table", "thead", "tbody", "tr", "th", "td", "pre",
                                        "figure", "figcaption", "svg", "line", "text", "rect", "polyline", "circle", "span", "i"]
            let loading = try NSRegularExpression(pattern: #"\s(src|href|xlink:href|srcset|action|formaction|poster|background|data)\s*="#)
            var at = page.startIndex
            while let open = page[at...].firstIndex(of: "<") {
                let tag = page[open...].prefix { $0 != ">" }
                let name = tag.dropFirst().drop { $0 == "/" }.prefix { !$0.isWhitespace && $0 != ">" && $0 != "/" }
                #expect(allowed.contains(String(name)), "tag <\(name)>")
                let text = String(tag)
                #expect(loading.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) == nil, "\(text)")
                at = tag.endIndex
            }
            let css = page.components(separatedBy: "<style>").dropFirst().first?.components(separatedBy: "</style>").first ?? ""
            #expect(!css.contains("url(") && !css.contains("@import"))
            #expect(!page.contains("style=\"") || !page.contains("url("))
            #expect(page.contains("content=\"default-src 'none'; style-src 'unsafe-inline'\""))
            if inputs == Self.samples { #expect(!page.contains("http://") && !page.contains("https://")) }
        }
        let r = try Harness.run(["report", "--format", "html", log.path])
        #expect(r.text.contains("x&quot;&gt;&lt;script src=&quot;https://evil.example/x.js&quot;&gt;"), "\(r.text)")
    }

    /// `-o` replaces the file whole or not at all: a folder that does not exist is an error
    /// (exit 74) naming the file, and leaves nothing behind.
    @Test func outputFileIsWrittenAtomically() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let target = dir.appendingPathComponent("r.html")
        try "old".write(to: target, atomically: true, encoding: .utf8)
        let ok = try Harness.run(["report", "--format", "html", "-o", target.path, Self.samples[0]])
        #expect(ok.status == 0)
        #expect(try String(contentsOf: target, encoding: .utf8).hasSuffix("</html>\n"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["r.html"])
        let missing = dir.appendingPathComponent("no/such/dir/r.html")
        let bad = try Harness.run(["report", "--format", "markdown", "-o", missing.path, Self.samples[0]])
        #expect(bad.status == 74)
        #expect(bad.stderr.contains(missing.path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["r.html"])
        // A folder as the target, and an empty name.
        let folder = try Harness.run(["report", "--format", "html", "-o", dir.path, Self.samples[0]])
        #expect(folder.status == 74)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["r.html"])
        let empty = try Harness.run(["report", "-o", "", Self.samples[0]])
        #expect(empty.status == 64)
        #expect(empty.stderr.contains("-o/--output is empty"))
    }
}
