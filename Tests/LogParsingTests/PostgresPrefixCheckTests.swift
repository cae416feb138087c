import Testing
@testable import LogParsing

@Suite struct PostgresPrefixCheckTests {
    @Test func everyPostgresEscapeIsAccepted() {
        #expect(PostgresFormat.prefixProblem("%m [%p] %q%u@%d ") == nil)
        #expect(PostgresFormat.prefixProblem("%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ") == nil)
        #expect(PostgresFormat.prefixProblem("%-10u %5p %Q %e %c %v %x %b %r %s %n %i %P 100%% ") == nil)
        #expect(PostgresFormat.prefixProblem("") == nil)
    }

    @Test func anUnknownOrUnfinishedEscapeNamesItsColumn() {
        #expect(PostgresFormat.prefixProblem("%m [%p] %Z ")?.hasPrefix("column 9: %Z is not a log_line_prefix escape") == true)
        #expect(PostgresFormat.prefixProblem("%m %-5")?.hasPrefix("column 4: the prefix ends in an unfinished % escape") == true)
        #expect(PostgresFormat.prefixProblem("50%")?.hasPrefix("column 3:") == true)
    }
}
