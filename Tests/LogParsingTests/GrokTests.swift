import Foundation
import LogsiftTestSupport
import Testing
@testable import LogParsing
import PCRE2

// MARK: - Where things are

private let packageRoot: String = Corpora.packageRoot.path

/// The corpora's path, or nil (skipped, or failed under `LOGSIFT_REQUIRE_CORPORA`).
private func corporaDirectory(for test: String) -> String? { Corpora.path(for: test) }

private func fields(_ pattern: String, _ line: String, _ library: GrokLibrary) throws -> [String: String]? {
    guard let pairs = try GrokCompiler.test(pattern, line: line, library: library) else { return nil }
    var result: [String: String] = [:]
    for (field, value) in pairs where result[field] == nil { result[field] = value }
    return result
}

private func grokError(_ body: () throws -> Void) -> GrokError? {
    do { try body() } catch let error as GrokError { return error } catch { return nil }
    return nil
}

// MARK: - Library (compiled in)

@Suite struct GrokLibraryTests {
    @Test func embeddedPatternsEqualThePatternFiles() throws {
        let directory = packageRoot + "/patterns"
        let names = try FileManager.default.contentsOfDirectory(atPath: directory)
            .filter { !$0.hasPrefix(".") }.sorted()
        #expect(names == BuiltinPatterns.files.map(\.name), "patterns/ and BuiltinPatterns.swift list different files")
        for (name, text) in BuiltinPatterns.files {
            let onDisk = try String(contentsOfFile: directory + "/" + name, encoding: .utf8)
            #expect(onDisk == text, "BuiltinPatterns.swift differs from patterns/\(name): paste the file's text into it")
        }
    }

    @Test func loadsDefinitionsCommentsAndOverrides() throws {
        var library = GrokLibrary()
        try library.load(text: "# comment\n\n  # indented comment\nA [a-z]+\nB\t%{A}  \r\nA [0-9]+\n", file: "x.grok")
        #expect(library["A"]?.pattern == "[0-9]+")
        #expect(library["A"]?.line == 6)
        #expect(library["B"]?.pattern == "%{A}  ")
        #expect(library["B"]?.file == "x.grok")
        let error = grokError { try library.load(text: "ok x\nNOPATTERN\n", file: "bad.grok") }
        #expect(error?.line == 2)
        #expect(error?.description.contains("bad.grok:2") == true)
    }

    @Test func everyBuiltinPatternCompiles() throws {
        let library = GrokLibrary.builtin
        #expect(library.definitions.count > 80)
        for name in library.names {
            _ = try GrokCompiler.compile("%{\(name)}", library: library)
        }
        let base = ["USERNAME", "USER", "EMAILLOCALPART", "EMAILADDRESS", "INT", "BASE10NUM", "NUMBER", "BASE16NUM",
                    "POSINT", "NONNEGINT", "WORD", "NOTSPACE", "SPACE", "DATA", "GREEDYDATA", "QUOTEDSTRING", "QS",
                    "UUID", "MAC", "IPV6", "IPV4", "IP", "HOSTNAME", "HOST", "IPORHOST", "HOSTPORT", "PATH",
                    "UNIXPATH", "WINPATH", "URIPROTO", "URIHOST", "URIPATH", "URIQUERY", "URIPARAM", "URIPATHPARAM",
                    "URI", "MONTH", "MONTHNUM", "MONTHDAY", "DAY", "YEAR", "HOUR", "MINUTE", "SECOND", "TIME",
                    "DATE_US", "DATE_EU", "ISO8601_TIMEZONE", "ISO8601_SECOND", "TIMESTAMP_ISO8601", "DATE",
                    "DATESTAMP", "TZ", "HTTPDATE", "SYSLOGTIMESTAMP", "LOGLEVEL", "NGINX_ACCESS_COMBINED",
                    "NGINX_ACCESS_MAIN", "NGINX_ERROR", "HTTPD_COMMONLOG", "HTTPD_COMBINEDLOG", "COMMONAPACHELOG",
                    "COMBINEDAPACHELOG", "POSTGRESQL", "SYSLOGLINE", "SYSLOGBASE", "SYSLOG5424LINE"]
        for name in base { #expect(library[name] != nil, "missing builtin pattern \(name)") }
    }

    @Test func builtinBasePatterns() throws {
        let lib = GrokLibrary.builtin
        let cases: [(String, String, String)] = [
            ("IPV4", "from 192.168.0.255 x", "192.168.0.255"),
            ("IPV6", "addr 2001:db8::8a2e:370:7334 x", "2001:db8::8a2e:370:7334"),
            ("IPV6", "addr ::1 x", "::1"),
            ("IPV6", "addr fe80::1%eth0 x", "fe80::1%eth0"),
            ("IPV6", "addr ::ffff:10.0.0.1 x", "::ffff:10.0.0.1"),
            ("IPV6", "addr 1:2:3:4:5:6:7:8 x", "1:2:3:4:5:6:7:8"),
            ("IP", "client=10.1.2.3", "10.1.2.3"),
            ("HOSTNAME", "(www.example-1.com)", "www.example-1.com"),
            ("EMAILADDRESS", "to <jane.doe+x@mail.example.org>", "jane.doe+x@mail.example.org"),
            ("NUMBER", "took -12.5ms", "-12.5"),
            ("BASE16NUM", "= 0x1F;", "0x1F"),
            ("UUID", "id=123e4567-e89b-12d3-a456-426614174000", "123e4567-e89b-12d3-a456-426614174000"),
            ("MAC", "hw 00:1a:2B:3c:4d:5e", "00:1a:2B:3c:4d:5e"),
            ("QUOTEDSTRING", #"say "a \"b\" c" end"#, #""a \"b\" c""#),
            ("URI", "see https://user@example.com:8443/a/b?c=d&e=f now", "https://user@example.com:8443/a/b?c=d&e=f"),
            ("URIPATHPARAM", "GET /index.html?x=1 HTTP", "/index.html?x=1"),
            ("UNIXPATH", "open /var/log/nginx/access.log failed", "/var/log/nginx/access.log"),
            ("WINPATH", #"open C:\Windows\system32 ok"#, #"C:\Windows\system32 ok"#),
            ("TIMESTAMP_ISO8601", "at 2024-03-05T10:11:12.345+01:00 x", "2024-03-05T10:11:12.345+01:00"),
            ("TIMESTAMP_ISO8601", "at 2024-03-05 10:11:12Z", "2024-03-05 10:11:12Z"),
            ("HTTPDATE", "[10/Oct/2000:13:55:36 -0700]", "10/Oct/2000:13:55:36 -0700"),
            ("SYSLOGTIMESTAMP", "Jan  5 01:02:03 host", "Jan  5 01:02:03"),
            ("DATESTAMP", "on 12/31/2023 23:59:59 ok", "12/31/2023 23:59:59"),
            ("LOGLEVEL", "2024 [WARNING] disk", "WARNING"),
            ("MONTH", "in September", "September"),
            ("DAY", "on Thursday", "Thursday"),
        ]
        for (name, line, expected) in cases {
            let got = try fields("%{\(name):v}", line, lib)?["v"]
            #expect(got == expected, "\(name) on \(line)")
        }
        #expect(try fields("^%{IPV4:v}$", "256.1.1.1", lib) == nil)
        #expect(try fields("^%{MONTHDAY:v}$", "32", lib) == nil)
    }

    @Test func builtinLogFormats() throws {
        let lib = GrokLibrary.builtin
        let nginx = #"203.0.113.9 - bob [10/Oct/2023:13:55:36 +0000] "GET /api/items?id=7 HTTP/1.1" 200 512 "https://example.com/" "Mozilla/5.0 (X11) \"quoted\"""#
        let combined = try #require(try fields("^%{NGINX_ACCESS_COMBINED}$", nginx, lib))
        #expect(combined["remote_addr"] == "203.0.113.9")
        #expect(combined["remote_user"] == "bob")
        #expect(combined["time_local"] == "10/Oct/2023:13:55:36 +0000")
        #expect(combined["method"] == "GET")
        #expect(combined["path"] == "/api/items?id=7")
        #expect(combined["protocol"] == "HTTP/1.1")
        #expect(combined["status"] == "200")
        #expect(combined["body_bytes_sent"] == "512")
        #expect(combined["http_user_agent"] == #"Mozilla/5.0 (X11) \"quoted\""#)

        let main = try #require(try fields("^%{NGINX_ACCESS_MAIN}$", nginx + #" "10.0.0.1, 10.0.0.2""#, lib))
        #expect(main["http_x_forwarded_for"] == "10.0.0.1, 10.0.0.2")
        let timed = try #require(try fields("^%{NGINX_ACCESS_TIMED}$", nginx + " 0.250 0.248", lib))
        #expect(timed["request_time"] == "0.25")
        #expect(timed["upstream_response_time"] == "0.248")
        let garbage = try #require(try fields("^%{NGINX_ACCESS_COMBINED}$",
            #"1.2.3.4 - - [10/Oct/2023:13:55:36 +0000] "\x16\x03\x01" 400 157 "-" "-""#, lib))
        #expect(garbage["request"] == #"\x16\x03\x01"#)
        #expect(garbage["method"] == nil)

        let error = try #require(try fields("^%{NGINX_ERROR}$",
            "2023/10/10 13:55:36 [error] 1234#0: *56 open() \"/x\" failed (2: No such file or directory)", lib))
        #expect(error["level"] == "error")
        #expect(error["pid"] == "1234")
        #expect(error["connection"] == "56")
        #expect(error["timestamp"] == "2023/10/10 13:55:36")

        let apache = #"127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08""#
        for name in ["HTTPD_COMBINEDLOG", "COMBINEDAPACHELOG"] {
            let f = try #require(try fields("^%{\(name)}$", apache, lib))
            #expect(f["clientip"] == "127.0.0.1")
            #expect(f["auth"] == "frank")
            #expect(f["verb"] == "GET")
            #expect(f["request"] == "/apache_pb.gif")
            #expect(f["httpversion"] == "1.0")
            #expect(f["response"] == "200")
            #expect(f["bytes"] == "2326")
            #expect(f["referrer"] == #""http://www.example.com/start.html""#)
        }
        #expect(try fields("^%{COMMONAPACHELOG}$", #"::1 - - [10/Oct/2000:13:55:36 -0700] "-" 408 -"#, lib)?["rawrequest"] == "-")

        let syslog = try #require(try fields("^%{SYSLOGLINE}$",
            "Mar  1 12:00:01 web-1 sshd[4242]: Accepted publickey for deploy", lib))
        #expect(syslog["logsource"] == "web-1")
        #expect(syslog["program"] == "sshd")
        #expect(syslog["pid"] == "4242")
        #expect(syslog["message"] == "Accepted publickey for deploy")
        let rfc5424 = try #require(try fields("^%{SYSLOG5424LINE}$",
            #"<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 [exampleSDID@32473 iut="3"] BOM'su root' failed"#, lib))
        #expect(rfc5424["program"] == "su")
        #expect(rfc5424["structured_data"] == #"[exampleSDID@32473 iut="3"]"#)

        let pg = try #require(try fields("^%{POSTGRESQL}$",
            "2024-01-02 03:04:05.678 UTC [12345] LOG:  duration: 12.345 ms  statement: SELECT 1", lib))
        #expect(pg["pid"] == "12345")
        #expect(pg["level"] == "LOG")
        #expect(pg["duration"] == "12.345")
        #expect(pg["message"] == "statement: SELECT 1")
        let pg2 = try #require(try fields("^%{POSTGRESQL}$",
            "2018-09-12 16:00:00 CEST [6543]: [3-1] user=app,db=shop,app=psql,client=10.0.0.5 ERROR:  relation \"x\" does not exist", lib))
        #expect(pg2["user"] == "app")
        #expect(pg2["database"] == "shop")
        #expect(pg2["client"] == "10.0.0.5")
        #expect(pg2["level"] == "ERROR")
    }
}

// MARK: - Compiler

@Suite struct GrokCompilerTests {
    let library: GrokLibrary = {
        var l = GrokLibrary()
        l.define("NUM", "[0-9]+")
        l.define("PAIR", "%{NUM:left}-%{NUM:right}")
        l.define("OUTER", "<%{PAIR}>")
        l.define("WORD", #"\b\w+\b"#)
        l.define("INT", "[+-]?[0-9]+")
        l.define("FLOAT", #"[+-]?[0-9]+(?:\.[0-9]+)?"#)
        return l
    }()

    @Test func nestedReferencesExpandAndCapture() throws {
        let pattern = try GrokCompiler.compile("%{OUTER:all}", library: library)
        #expect(pattern.fields.map(\.name) == ["all", "left", "right"])
        #expect(try fields("%{OUTER:all}", "x <12-34> y", library) == ["all": "<12-34>", "left": "12", "right": "34"])
        // %{NAME} alone does not capture and is grouped: an alternation inside stays inside.
        var l = library
        l.define("AB", "a|b")
        #expect(try fields("^%{AB}c$", "ac", l) == [:])
        #expect(try fields("^x%{AB}$", "xb", l) == [:])
        #expect(try fields("^x%{AB}$", "b", l) == nil)
    }

    @Test func typedFields() throws {
        let pattern = try GrokCompiler.compile("%{INT:n:int} %{FLOAT:f:float} %{WORD:w}", library: library)
        #expect(pattern.fields == [FieldSpec(name: "n", type: .int, groups: [1]),
                                   FieldSpec(name: "f", type: .float, groups: [2]),
                                   FieldSpec(name: "w", type: .string, groups: [3])])
        let values = try #require(try GrokCompiler.test("%{INT:n:int} %{FLOAT:f:float} %{WORD:w}",
                                                        line: "+0042 1.50 ok", library: library))
        #expect(values.map(\.field) == ["n", "f", "w"])
        #expect(values.map(\.value) == ["42", "1.5", "ok"])
        #expect(GrokCompiler.rubyInteger("-") == 0)
        #expect(GrokCompiler.rubyInteger(" 12abc") == 12)
        #expect(GrokCompiler.rubyFloat("-1") == -1)
        #expect(GrokCompiler.rubyFloat("7.3e-05") == 7.3e-05)
        let error = grokError { _ = try GrokCompiler.compile("%{INT:n:long}", library: library) }
        #expect(error?.description.contains("long") == true)
    }

    @Test func inlineNamedGroupsAreRenamed() throws {
        let pattern = try GrokCompiler.compile(#"(?<a>x)(?P<b>y)(?'c'z)(?<=z)(?<!q)\k<a>(?P=b)"#, library: library)
        #expect(pattern.fields.map(\.name) == ["a", "b", "c"])
        #expect(pattern.regex.namedGroups.map(\.name) == ["g1", "g2", "g3"])
        #expect(try fields(#"(?<a>x)(?P<b>y)(?'c'z)(?<=z)(?<!q)\k<a>(?P=b)"#, "-xyzxy-", library) == ["a": "x", "b": "y", "c": "z"])
        #expect(try fields(#"(?<a>x)\k<a>"#, "xy", library) == nil)
        // Logstash ignores what follows the field name up to the brace.
        #expect(try GrokCompiler.compile("%{WORD:[a][b]?}", library: library).fields.map(\.name) == ["[a][b]"])
    }

    @Test func bracketedAndDottedFieldNames() throws {
        let grok = #"%{WORD:[http][request][method]} (?<@timestamp>\d+) %{WORD:source.address} (?<[a][b]>\w+)"#
        let got = try fields(grok, "GET 123 host zz", library)
        #expect(got == ["[http][request][method]": "GET", "@timestamp": "123", "source.address": "host", "[a][b]": "zz"])
    }

    @Test func duplicateFieldNamesGetSeveralGroups() throws {
        let grok = "^(?:%{INT:v}|%{WORD:v}|(?<v>-))$"
        let pattern = try GrokCompiler.compile(grok, library: library)
        #expect(pattern.fields == [FieldSpec(name: "v", type: .string, groups: [1, 2, 3])])
        // One type per field: the first occurrence that states one.
        let typed = try GrokCompiler.compile("%{WORD:v} %{INT:v:float} %{INT:v:int}", library: library)
        #expect(typed.fields == [FieldSpec(name: "v", type: .float, groups: [1, 2, 3])])
        #expect(try fields(grok, "abc", library) == ["v": "abc"])
        #expect(try fields(grok, "-", library) == ["v": "-"])
        #expect(try fields(grok, "12", library) == ["v": "12"])
    }

    @Test func unknownPatternIsAnError() {
        let error = grokError { _ = try GrokCompiler.compile("%{OUTER} %{NOPE:x}", library: library) }
        #expect(error?.kind == .unknownPattern("NOPE"))
        #expect(error?.description.contains("%{NOPE}") == true)
        var l = library
        l.define("USES", "%{MISSING}", file: "mine.grok", line: 3)
        let nested = grokError { _ = try GrokCompiler.compile("%{USES}", library: l) }
        #expect(nested?.description.hasPrefix("mine.grok:3: in pattern USES: unknown grok pattern %{MISSING}") == true)
    }

    @Test func malformedReferenceIsAnErrorWithItsColumn() {
        let open = grokError { _ = try GrokCompiler.compile("%{IP:x", library: library) }
        #expect(open?.kind == .malformedReference(text: "\"%{IP:x\" (no closing })", column: 1))
        #expect(open?.description.contains("column 1") == true)
        let later = grokError { _ = try GrokCompiler.compile("ab %{WORD:w} %{ NUMBER}", library: library) }
        #expect(later?.kind == .malformedReference(text: "%{ NUMBER}", column: 14))
        var l = library
        l.define("MINE", "x %{INT", file: "mine.grok", line: 7)
        let nested = grokError { _ = try GrokCompiler.compile("%{MINE}", library: l) }
        #expect(nested?.description.hasPrefix("mine.grok:7: in pattern MINE: column 3:") == true)
        // A percent sign not followed by a brace stays literal text.
        #expect(grokError { _ = try GrokCompiler.compile("100% %{INT:n}", library: library) } == nil)
    }

    @Test func cyclesAreDetected() {
        var l = library
        l.define("A", "a%{B}")
        l.define("B", "b%{C:x}")
        l.define("C", "(?:c|%{A})")
        let error = grokError { _ = try GrokCompiler.compile("x%{A}", library: l) }
        #expect(error?.kind == .cycle(["A", "B", "C", "A"]))
        #expect(error?.description.contains("%{A} -> %{B} -> %{C} -> %{A}") == true)
        l.define("SELF", "%{SELF}")
        #expect(grokError { _ = try GrokCompiler.compile("%{SELF}", library: l) }?.kind == .cycle(["SELF", "SELF"]))
    }

    @Test func badRegexNamesFileLineAndPCRE2Message() throws {
        var l = library
        try l.load(text: "# my patterns\nGOOD [a-z]+\nBAD (?:unclosed[a-z]\n", file: "/etc/logsift/mine.grok")
        let error = try #require(grokError { _ = try GrokCompiler.compile("%{GOOD} %{BAD:b}", library: l) })
        #expect(error.definition == "BAD")
        #expect(error.file == "/etc/logsift/mine.grok")
        #expect(error.line == 3)
        guard case .badRegex(let message, let offset, _) = error.kind else {
            Issue.record("expected badRegex, got \(error.kind)")
            return
        }
        #expect(offset != nil)
        #expect(message.contains("missing closing parenthesis"))
        #expect(error.description.hasPrefix("/etc/logsift/mine.grok:3: in pattern BAD: invalid regex: missing closing parenthesis"))
        // An error in the top-level text names no file.
        let top = try #require(grokError { _ = try GrokCompiler.compile("%{GOOD} [z-a]", library: l) })
        #expect(top.file == nil)
        #expect(top.definition == nil)
    }

    @Test func onigurumaHexDigitEscape() throws {
        #expect(try fields(#"^(?<h>\h+)$"#, "DEADbeef09", library) == ["h": "DEADbeef09"])
        #expect(try fields(#"^\h+$"#, "xyz", library) == nil)
        #expect(try fields(#"^\h+$"#, " \t", library) == nil)          // not PCRE2's horizontal space
        #expect(try fields(#"^(?<h>[\h:.]+)$"#, "fe80::1.a", library) == ["h": "fe80::1.a"])
        #expect(try fields(#"^\H+$"#, "xyz", library) == [:])
    }

    @Test func otherOnigurumaConstructs() throws {
        // Ruby's (?m) is dot-all.
        #expect(try fields("^(?m)a.b$", "a\nb", library) == [:])
        #expect(try fields("^(?m:a.b)$", "a\nb", library) == [:])
        // Logstash compiles grok with Regexp::MULTILINE: `.` crosses newlines everywhere.
        #expect(try fields("^(?<x>.*)$", "a\nb", library) == ["x": "a\nb"])
        // Classes nested in classes are unions.
        #expect(try fields("^(?<p>(?:/[[[:alnum:]]_.-]*)+)$", "/a_b/c.d", library) == ["p": "/a_b/c.d"])
        #expect(try fields("^[[[:alnum:]]_]+$", "]", library) == nil)
        // Oniguruma's POSIX classes take non-ASCII letters, in byte mode and in UTF mode.
        #expect(try fields("^(?<w>[[:alpha:]]+)$", "Čierný", library) == ["w": "Čierný"])
        let utf = try GrokCompiler.compile("^(?<w>[[:alnum:]]+)$", library: library, options: .utf)
        #expect(try utf.regex.captures(in: "Čierný中1") == ["g1": "Čierný中1"])
        #expect(try utf.regex.captures(in: "Čierný→") == nil)
        // {,n} means {0,n}; a quantifier on a quantifier nests.
        #expect(try fields("^a{,2}b$", "aab", library) == [:])
        #expect(try fields("^a{,2}b$", "aaab", library) == nil)
        #expect(try fields("^x.?*y$", "x123y", library) == [:])
        #expect(try fields(#"^a\{b\}{2}$"#, "a{b}}", library) == [:])
        #expect(try fields("^{x}$", "{x}", library) == [:])
    }

    @Test func catastrophicPatternHitsTheMatchLimit() throws {
        let pattern = try GrokCompiler.compile("(a+)+$", library: library)
        let matchData = MatchData(for: pattern.regex)
        var line = Array(repeating: UInt8(ascii: "a"), count: 5000)
        line.append(UInt8(ascii: "b"))
        let start = ContinuousClock.now
        let outcome = line.withUnsafeBytes { matchData.match(pattern.regex, $0) }
        let elapsed = ContinuousClock.now - start
        #expect(outcome == .limitExceeded)
        #expect(elapsed < .seconds(2), "took \(elapsed)")
        #expect(try GrokCompiler.test("(a+)+$", line: String(decoding: line, as: UTF8.self), library: library) == nil)
    }
}

// MARK: - Logstash corpora

@Suite struct GrokCorporaTests {
    @Test func everyLogstashPatternFileLoadsAndEveryPatternCompiles() throws {
        guard let corpora = corporaDirectory(for: "everyLogstashPatternFileLoadsAndEveryPatternCompiles") else { return }
        for mode in ["legacy", "ecs-v1"] {
            let directory = corpora + "/logstash-patterns-core/patterns/" + mode
            let library = try GrokLibrary.directory(directory)
            #expect(library.definitions.count > 300, "\(mode): only \(library.definitions.count) definitions")
            var failures: [String] = []
            for name in library.names {
                do { _ = try GrokCompiler.compile("%{\(name)}", library: library) } catch {
                    failures.append("\(error)")
                }
            }
            #expect(failures.isEmpty, "\(mode): \(failures.count) patterns do not compile:\n\(failures.joined(separator: "\n"))")
            print("\(mode): \(library.definitions.count) patterns loaded and compiled")
        }
    }

    @Test func logstashSpecExamples() throws {
        guard let corpora = corporaDirectory(for: "logstashSpecExamples") else { return }
        let base = corpora + "/logstash-patterns-core"
        let data = try Data(contentsOf: URL(fileURLWithPath: base + "/examples.json"))
        let records = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        var libraries: [String: GrokLibrary] = [:]
        for mode in ["legacy", "ecs-v1"] {
            libraries[mode] = try GrokLibrary.directory(base + "/patterns/" + mode)
        }
        var compiled: [String: Result<CompiledPattern, GrokError>] = [:]
        var passed = 0
        var failures: [String] = []
        for (index, record) in records.enumerated() {
            let example = SpecExample(record)
            let mode = example.mode == "ecs-v1" ? "ecs-v1" : "legacy"
            let grok = example.grok
            let key = mode + "\u{0}" + grok
            if compiled[key] == nil {
                compiled[key] = Result { () throws(GrokError) in try GrokCompiler.compile(grok, library: libraries[mode]!) }
            }
            let reason: String?
            switch compiled[key]! {
            case .failure(let error): reason = "does not compile: \(error)"
            case .success(let pattern): reason = example.check(pattern)
            }
            if let reason {
                failures.append("#\(index) \(example.pattern) [\(example.mode)] line \(String(reflecting: example.line.prefix(100))): \(reason)")
            } else {
                passed += 1
            }
        }
        let percent = Double(passed) * 100 / Double(records.count)
        print("logstash examples.json: \(passed)/\(records.count) passed (\(String(format: "%.1f", percent))%)")
        for failure in failures { print("  FAILED \(failure)") }
        #expect(records.count == 457)
        #expect(percent >= 95, "only \(passed)/\(records.count) examples give the expected captures")
    }
}

// MARK: - Logstash event semantics for the spec examples

/// A value in a Logstash event, as grok leaves it.
private indirect enum EventValue: CustomStringConvertible {
    case string(String)
    case int(Int)
    case float(Double)
    case array([EventValue])
    case hash([String: EventValue])

    var description: String {
        switch self {
        case .string(let s): return String(reflecting: s)
        case .int(let i): return "\(i)"
        case .float(let d): return "\(d)"
        case .array(let a): return "[" + a.map(\.description).joined(separator: ", ") + "]"
        case .hash(let h): return "{" + h.keys.sorted().map { "\($0): \(h[$0]!)" }.joined(separator: ", ") + "}"
        }
    }
}

/// An index into an array as Logstash field references count: negative from the end.
private func arrayIndex(_ key: String, _ count: Int) -> Int? {
    guard let i = Int(key) else { return nil }
    let index = i < 0 ? count + i : i
    return index >= 0 && index < count ? index : nil
}

/// A Logstash field reference: `[a][b][c]` is a path, anything else one top-level key.
private func fieldPath(_ reference: String) -> [String] {
    guard reference.hasPrefix("["), reference.hasSuffix("]") else { return [reference] }
    return reference.dropFirst().dropLast().components(separatedBy: "][")
}

private struct Event {
    var root: [String: EventValue] = [:]

    func get(_ path: [String]) -> EventValue? {
        var current: EventValue = .hash(root)
        for key in path {
            switch current {
            case .hash(let h):
                guard let next = h[key] else { return nil }
                current = next
            case .array(let a):
                guard let i = arrayIndex(key, a.count) else { return nil }
                current = a[i]
            default: return nil
            }
        }
        return current
    }

    mutating func set(_ path: [String], _ value: EventValue) {
        func set(_ hash: inout [String: EventValue], _ path: ArraySlice<String>) {
            let key = path.first!
            if path.count == 1 { hash[key] = value; return }
            var child: [String: EventValue] = [:]
            if case .hash(let existing)? = hash[key] { child = existing }
            set(&child, path.dropFirst())
            hash[key] = .hash(child)
        }
        set(&root, path[...])
    }

    /// logstash-filter-grok's `handle`: skip nil/empty, set, or promote a string to an array, or
    /// append to an array; a value next to an existing number is dropped.
    mutating func handle(_ field: String, _ value: EventValue) {
        if case .string(let s) = value, s.isEmpty { return }
        let path = fieldPath(field)
        switch get(path) {
        case nil: set(path, value)
        case .array(var a)?: a.append(value); set(path, .array(a))
        case .string(let s)?: set(path, .array([.string(s), value]))
        default: break
        }
    }
}

/// One record of examples.json and how to judge it.
private struct SpecExample {
    let pattern: String
    let line: String
    let mode: String
    let exact: Bool
    let raw: Bool
    let shouldMatch: Bool?
    let expected: [String: Any]
    let hashIncluding: Set<String>
    let absent: [String]
    let present: [String]
    let otherAssertions: [[String: Any]]
    let allowedTopLevel: [String]?

    init(_ record: [String: Any]) {
        pattern = record["pattern"] as! String
        line = record["line"] as! String
        mode = record["mode"] as? String ?? "default"
        exact = record["exact_match"] as? Bool ?? false
        raw = record["pattern_is_raw_expression"] as? Bool ?? false
        shouldMatch = record["should_match"] as? Bool
        expected = record["expected_fields"] as? [String: Any] ?? [:]
        hashIncluding = Set(record["hash_including_paths"] as? [String] ?? [])
        absent = record["absent_fields"] as? [String] ?? []
        present = record["present_fields"] as? [String] ?? []
        otherAssertions = record["other_assertions"] as? [[String: Any]] ?? []
        allowedTopLevel = record["allowed_top_level_namespaces"] as? [String]
    }

    var grok: String {
        let body = raw ? pattern : "%{\(pattern)}"
        return exact ? "^\(body)$" : body
    }

    /// Nil when the example behaves as the spec says, else why not.
    func check(_ pattern: CompiledPattern) -> String? {
        let matchData = MatchData(for: pattern.regex)
        var bytes = Array(line.utf8)
        var event = Event()
        event.set(["message"], .string(line))
        event.set(["@version"], .string("1"))
        event.set(["@timestamp"], .string("now"))
        let outcome: MatchOutcome = bytes.withUnsafeMutableBytes { raw in
            let subject = UnsafeRawBufferPointer(raw)
            let outcome = matchData.match(pattern.regex, subject)
            guard outcome == .matched else { return outcome }
            // Every group that took part, field by field in order of first appearance.
            for field in pattern.fields {
                for group in field.groups {
                    guard let range = matchData.range(group) else { continue }
                    let text = String(decoding: subject[range], as: UTF8.self)
                    switch field.type {
                    case .string: event.handle(field.name, .string(text))
                    case .int: event.handle(field.name, .int(GrokCompiler.rubyInteger(text)))
                    case .float: event.handle(field.name, .float(GrokCompiler.rubyFloat(text)))
                    }
                }
            }
            return outcome
        }
        bytes.removeAll()

        switch (outcome, shouldMatch) {
        case (.limitExceeded, _): return "match limit exceeded"
        case (.error(let code), _): return "PCRE2 error \(code)"
        case (.matched, false?): return "matched, but the spec expects no match; got \(EventValue.hash(event.root))"
        case (.noMatch, false?): return nil
        case (.noMatch, true?): return "no match"
        case (.noMatch, nil): event.set(["tags"], .array([.string("_grokparsefailure")]))
        default: break
        }

        if let reason = compare(expected, .hash(event.root), path: "", topLevel: true) { return reason }
        for reference in absent where event.get(fieldPath(reference)) != nil {
            return "\(reference) should be absent, is \(event.get(fieldPath(reference))!)"
        }
        for reference in present where event.get(fieldPath(reference)) == nil {
            return "\(reference) should be present"
        }
        if let allowed = allowedTopLevel {
            let extra = Set(event.root.keys).subtracting(allowed + ["message", "@timestamp", "@version", "tags", "@metadata"])
            if !extra.isEmpty { return "top-level fields outside \(allowed): \(extra.sorted())" }
        }
        for assertion in otherAssertions {
            if let reason = checkOther(assertion, event) { return reason }
        }
        return nil
    }

    private func compare(_ expected: Any, _ actual: EventValue?, path: String, topLevel: Bool) -> String? {
        let shown = path.isEmpty ? "event" : path
        switch expected {
        case let hash as [String: Any] where hash.keys.allSatisfy({ Int($0) != nil }):
            // `[message][-1]` in the spec: an index into an array (Logstash field references
            // count negative indexes from the end).
            if case .hash? = actual {} else {
                guard case .array(let items)? = actual else { return "\(shown): expected an array, got \(actual.map { "\($0)" } ?? "nothing")" }
                for (key, value) in hash {
                    let item = arrayIndex(key, items.count).map { items[$0] }
                    if let reason = compare(value, item, path: path + "[\(key)]", topLevel: false) { return reason }
                }
                return nil
            }
            fallthrough
        case let hash as [String: Any]:
            guard case .hash(let actualHash)? = actual else { return "\(shown): expected a hash, got \(actual.map { "\($0)" } ?? "nothing")" }
            for (key, value) in hash {
                if let reason = compare(value, actualHash[key], path: path + "[\(key)]", topLevel: false) { return reason }
            }
            if !topLevel, !hashIncluding.contains(path) {
                let extra = Set(actualHash.keys).subtracting(hash.keys)
                if !extra.isEmpty { return "\(shown): unexpected keys \(extra.sorted()) in \(EventValue.hash(actualHash))" }
            }
            return nil
        case let array as [Any]:
            guard case .array(let actualArray)? = actual, actualArray.count == array.count else {
                return "\(shown): expected \(array), got \(actual.map { "\($0)" } ?? "nothing")"
            }
            for (i, value) in array.enumerated() {
                if let reason = compare(value, actualArray[i], path: path + "[\(i)]", topLevel: false) { return reason }
            }
            return nil
        case let string as String:
            guard case .string(let s)? = actual, s == string else {
                return "\(shown): expected \(String(reflecting: string)), got \(actual.map { "\($0)" } ?? "nothing")"
            }
            return nil
        case let number as NSNumber:
            let value: Double? = switch actual {
            case .int(let i)?: Double(i)
            case .float(let d)?: d
            default: nil
            }
            guard value == number.doubleValue else {
                return "\(shown): expected the number \(number), got \(actual.map { "\($0)" } ?? "nothing")"
            }
            return nil
        case is NSNull:
            return actual == nil ? nil : "\(shown): expected nil, got \(actual!)"
        default:
            return "\(shown): cannot compare \(expected)"
        }
    }

    private func checkOther(_ assertion: [String: Any], _ event: Event) -> String? {
        let reference = assertion["path"] as? String ?? ""
        let value = event.get(fieldPath(reference))
        let negated = assertion["negated"] as? Bool ?? false
        var holds: Bool
        var what: String
        if let needle = assertion["contains"] as? String {
            what = "contains \(String(reflecting: needle))"
            switch value {
            case .string(let s)?: holds = s.contains(needle)
            case .array(let a)?: holds = a.contains { if case .string(let s) = $0 { s == needle } else { false } }
            default: holds = false
            }
        } else if let prefix = assertion["start_with"] as? String {
            what = "starts with \(String(reflecting: prefix))"
            if case .string(let s)? = value { holds = s.hasPrefix(prefix) } else { holds = false }
        } else if let suffix = assertion["end_with"] as? String {
            what = "ends with \(String(reflecting: suffix))"
            if case .string(let s)? = value { holds = s.hasSuffix(suffix) } else { holds = false }
        } else if let other = assertion["not_equal"] as? String {
            what = "is not \(String(reflecting: other))"
            if case .string(let s)? = value { holds = s != other } else { holds = true }
        } else if assertion["type"] as? String == "Hash" {
            what = "is a hash"
            if case .hash? = value { holds = true } else { holds = false }
        } else if assertion["op"] as? String == "to_i" {
            what = "is present (to_i)"
            holds = value != nil
        } else {
            return nil // nothing we know how to check
        }
        if negated { holds.toggle(); what = "not: " + what }
        return holds ? nil : "\(reference) \(what) fails; value \(value.map { "\($0)" } ?? "nothing")"
    }
}
