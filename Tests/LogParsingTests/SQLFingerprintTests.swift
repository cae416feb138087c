import Testing
@testable import LogParsing

/// Hand-written cases for `SQLFingerprint.normalize` (rules in its doc comment).
@Suite struct SQLFingerprintTests {
    func fp(_ s: String) -> String { SQLFingerprint.normalize(s) }

    @Test func literalsBecomePlaceholders() {
        #expect(fp("SELECT * FROM t WHERE id = 42 AND x > -7.5e3 AND y = .5 AND h = 0x1F") ==
                "select * from t where id = ? and x > ? and y = ? and h = ?")
        #expect(fp("UPDATE a SET b = b + -4121 WHERE c = 1") == "update a set b = b + ? where c = ?")
        #expect(fp("select a - 5, a-5 from t") == "select a - ?, a-? from t")
        #expect(fp("select * from t1 where c2 = 'x'") == "select * from t1 where c2 = ?")
        #expect(fp("SELECT $1, $22 FROM t WHERE flag = TRUE OR other = false") == "select ?, ? from t where flag = ? or other = ?")
        #expect(fp("select ?, ? from t") == "select ?, ? from t")  // already normalized text is stable
        #expect(fp("select a from t where p > ?.? and q in (...);") == "select a from t where p > ? and q in (...)")  // pgBadger's forms
    }

    @Test func stringsWithQuotesAndDashes() {
        #expect(fp("SELECT 'O''Brien -- not a comment', 'a' FROM t") == "select ?, ? from t")
        #expect(fp("SELECT E'it\\'s -- here', e'\\\\' FROM t") == "select ?, ? from t")
        #expect(fp("SELECT B'1010', X'FF', N'abc', U&'d\\0061t' FROM t") == "select ?, ?, ?, ? from t")
        #expect(fp("SELECT 'a' -- trailing comment\nFROM t") == "select ? from t")
    }

    @Test func dollarQuotes() {
        #expect(fp("SELECT $$it's; -- fine$$, $fn$ body $$ inner $$ $fn$ FROM t") == "select ?, ? from t")
        #expect(fp("DO $$ BEGIN PERFORM 1; END $$") == "do ?")
    }

    @Test func commentsAndWhitespace() {
        #expect(fp("/* app:web */ SELECT  a,\n\t b /* nested /* inner */ still */ FROM   t ;") == "select a, b from t")
        #expect(fp("select a -- c1\n, b from t") == "select a, b from t")
        #expect(fp("SELECT A FROM T") == fp("select a\nfrom t"))
        #expect(fp("SELECT \"MixedCase\".\"Col\" FROM \"T\"") == "select \"MixedCase\".\"Col\" from \"T\"")
        #expect(fp("select ( a ) from t") == "select (a) from t")
    }

    @Test func inListsOfAnyLengthCollapse() {
        let one = fp("SELECT * FROM t WHERE id IN (1)")
        let hundred = fp("SELECT * FROM t WHERE id IN (" + (1...100).map(String.init).joined(separator: ", ") + ")")
        let strings = fp("SELECT * FROM t WHERE id IN ('a','b','c')")
        #expect(one == "select * from t where id in (...)")
        #expect(hundred == one)
        #expect(strings == one)
        #expect(fp("select * from t where id in ($1, $2, $3)") == one)
        // A subquery is not a list of literals.
        #expect(fp("SELECT * FROM t WHERE id IN (SELECT id FROM u WHERE x = 1)") == "select * from t where id in (select id from u where x = ?)")
    }

    @Test func valuesRowsCollapse() {
        let one = fp("INSERT INTO t (a, b) VALUES (1, 'x')")
        let three = fp("INSERT INTO t (a, b) VALUES (1, 'x'), (2, 'y'), (3, now())")
        #expect(one == "insert into t (a, b) values (...)")
        #expect(three == one)
        #expect(fp("INSERT INTO t VALUES (1), (2) RETURNING id") == "insert into t values (...) returning id")
        #expect(fp("INSERT INTO t VALUES (1) ON CONFLICT (id) DO NOTHING") == "insert into t values (...) on conflict (id) do nothing")
    }

    @Test func differentTablesDiffer() {
        #expect(fp("SELECT * FROM orders WHERE id = 1") != fp("SELECT * FROM order_items WHERE id = 1"))
        #expect(fp("SELECT * FROM t1 WHERE id = 1") != fp("SELECT * FROM t2 WHERE id = 1"))
        #expect(fp("SELECT a FROM t") != fp("SELECT b FROM t"))
    }

    @Test func cutAtMaxLength() {
        // 7 + 13,000 + 8 bytes, already normalized but for the keywords' case: the fingerprint is
        // its lower-cased form cut to exactly maxLength bytes.
        let long = "SELECT " + String(repeating: "column_name, ", count: 1000) + "x FROM t"
        let whole = "select " + String(repeating: "column_name, ", count: 1000) + "x from t"
        #expect(fp(long).utf8.count == SQLFingerprint.maxLength)
        #expect(fp(long) == String(whole.utf8.prefix(SQLFingerprint.maxLength))!)
        // Shorter than the cap: not cut.
        let short = "SELECT " + String(repeating: "column_name, ", count: 10) + "x FROM t"
        #expect(fp(short) == "select " + String(repeating: "column_name, ", count: 10) + "x from t")
    }
}
