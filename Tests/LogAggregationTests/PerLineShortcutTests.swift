import Foundation
import LogsiftTestSupport
import Testing
@testable import LogAggregation

/// The per-line shortcuts give what the general code gives: the template writer for short paths
/// and the literal logarithm constant of the latency sketch.
@Suite struct PerLineShortcutTests {
    @Test func inverseLogGammaLiteralIsTheComputedConstant() {
        #expect(LatencySketch.inverseLogGammaLiteral == LatencySketch.inverseLogGamma)
        #expect(LatencySketch.inverseLogGammaLiteral == 1 / log(LatencySketch.gamma))
    }

    /// Paths up to `shortPathLimit` bytes take `writeShort`; it must write what `writeBounded`
    /// (the general writer, which the hand-written cases in `PathTemplateTests` pin down) writes
    /// for the same path, on id-like, dashed, UUID-shaped and random segments.
    @Test func shortPathTemplatesEqualTheBoundedWriter() {
        var rng = FuzzRNG(seed: fuzzSeed ^ 0x7e3a)
        let segments = ["", "1", "12", "a", "api", "v1", "users", "deadbeef", "deadbeef0", "DEADBEEF1", "abc1234",
                        "3f2b8c1e-9a4d-4e2f-8b7c-1d2e3f4a5b6c", "3F2B8C1E-9A4D-4E2F-8B7C-1D2E3F4A5B6C",
                        "3f2b8c1e-9a4d-4e2f-8b7c-1d2e3f4a5b6g", "SKU-123", "ORD-2024-0001", "SKU-", "-123", "SKU--123",
                        "api-v2", "item-42-large", "app.3f9a2b1c.js", "é", "%20", ":id", "-", "x-1-"]
        var inputs: [[UInt8]] = []
        for _ in 0..<20_000 {
            var path = rng.chance(90) ? "/" : ""
            for k in 0..<rng.below(8) {
                if k > 0 { path += "/" }
                path += rng.chance(85) ? rng.pick(segments) : String(decoding: Mutator.randomText(&rng, count: rng.below(12)), as: UTF8.self)
            }
            inputs.append(Array(path.utf8))
        }
        for _ in 0..<2000 { inputs.append(Mutator.randomBytes(&rng, count: rng.below(PathTemplate.shortPathLimit + 1))) }
        inputs.append([UInt8](repeating: UInt8(ascii: "/"), count: PathTemplate.shortPathLimit))
        inputs.append(Array(String(repeating: "/1", count: PathTemplate.shortPathLimit / 2).utf8))
        let fast = UnsafeMutableRawBufferPointer.allocate(byteCount: PathTemplate.maxLength, alignment: 16)
        let bounded = UnsafeMutableRawBufferPointer.allocate(byteCount: PathTemplate.maxLength, alignment: 16)
        defer { fast.deallocate(); bounded.deallocate() }
        var short = 0
        for input in inputs {
            // The path in the middle of a line, as the parser hands it over.
            let line = Array("\"GET ".utf8) + input + Array(" HTTP/1.1\"".utf8)
            withExactBytes(line) { b in
                let path = 5..<(5 + input.count)
                let n = PathTemplate.write(b, path, into: fast)
                let m = PathTemplate.writeBounded(b, path, into: bounded)
                if input.count <= PathTemplate.shortPathLimit { short += 1 }
                #expect(Array(fast[0..<n]) == Array(bounded[0..<m]), "\(FuzzCase.describe(input))")
            }
        }
        #expect(short > 20_000)
    }
}
