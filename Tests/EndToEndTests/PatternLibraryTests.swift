import Foundation
import Testing

/// logsift's own grok patterns are compiled into the binary; pattern files are read only from
/// directories named with `--patterns`, never from places found at run time.
@Suite struct PatternLibraryTests {
    /// A copy of the binary in `<dir>/bin/`, with pattern files that redefine `INT` as letters in
    /// `<dir>/bin/patterns` and `<dir>/share/logsift/patterns` (where anyone who can write next
    /// to the binary could put them): `INT` must still match `12`. The same redefinition given
    /// with `--patterns` does apply.
    @Test func patternFilesBesideTheBinaryAreIgnored() throws {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bin = dir.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        let copy = bin.appendingPathComponent("logsift")
        try FileManager.default.copyItem(at: Harness.binary, to: copy)
        let override = "INT [a-z]+\n"
        for folder in ["bin/patterns", "share/logsift/patterns"] {
            let url = dir.appendingPathComponent(folder)
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            try override.write(to: url.appendingPathComponent("grok-base"), atomically: true, encoding: .utf8)
        }
        let builtin = try Harness.run(["patterns", "test", "%{INT:x}", "12"], executable: copy)
        #expect(builtin.status == 0, "\(builtin.text)")
        #expect(builtin.text == "x = 12\n")

        let named = try Harness.run(["patterns", "test", "--patterns", dir.appendingPathComponent("share/logsift/patterns").path,
                                     "%{INT:x}", "12"], executable: copy)
        #expect(named.status == 1)
        #expect(named.text == "no match\n")
    }
}
