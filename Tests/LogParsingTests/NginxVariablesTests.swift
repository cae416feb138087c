import Testing
@testable import LogParsing

@Suite struct NginxVariablesTests {
    @Test func typosAreNamedWithTheLikelyVariable() {
        let format = NginxFormat(name: "x", logFormat: "$remote_addr [$time_local] \"$request\" $status $request_tme $my_map_var")
        #expect(format.unknownVariableWarnings == [
            "$request_tme is not an nginx variable logsift knows; it is read as a text field (did you mean $request_time?)",
            "$my_map_var is not an nginx variable logsift knows; it is read as a text field (fine if it comes from your own map or set)",
        ])
    }

    @Test func builtinsAndPrefixFamiliesAreKnown() {
        let format = NginxFormat(name: "x", logFormat:
            "$remote_addr $http_x_forwarded_for $upstream_status $sent_http_content_type $arg_page $cookie_sid $ssl_protocol $request_id")
        #expect(format.unknownVariableWarnings.isEmpty)
        for builtin in NginxFormat.builtins { #expect(builtin.unknownVariableWarnings.isEmpty) }
        // A prefix alone is not a variable.
        #expect(!NginxVariables.isBuiltin("http_"))
    }

    @Test func editDistanceStopsAtItsLimit() {
        #expect(EditDistance.between("status", "statsu", limit: 2) == 2)
        #expect(EditDistance.between("", "ab", limit: 2) == 2)
        #expect(EditDistance.between("abcdef", "uvwxyz", limit: 2) == 3)
        #expect(EditDistance.between("kitten", "sitting", limit: 5) == 3)
        #expect(EditDistance.closest(to: "stauts", among: ["status", "path", "method"]) == "status")
        #expect(EditDistance.closest(to: "zzz", among: ["status", "path"]) == nil)
    }

    @Test func anUnpairedQuoteIsAnErrorWithItsColumn() {
        let format = NginxFormat(name: "x", logFormat: #"$remote_addr "$request $status"#)
        #expect(format.unbalancedQuote()?.column == 14)
        #expect(throws: NginxFormat.FormatError.self) { _ = try format.compile() }
        let directive = NginxFormat(name: "x", logFormat: #"log_format main '$remote_addr "$request" ' '$status;"#)
        #expect(directive.unbalancedQuote()?.quote == "'")
        let escaped = NginxFormat(name: "x", logFormat: #"$remote_addr "\"$request\"""#)
        #expect(escaped.unbalancedQuote() == nil)
        #expect(NginxFormat(name: "x", logFormat: #"log_format main '$remote_addr "$request"' ' $status';"#).unbalancedQuote() == nil)
    }
}
