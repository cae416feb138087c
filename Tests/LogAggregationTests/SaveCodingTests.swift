import Testing
@testable import LogAggregation

/// The byte layer of saved aggregates: numbers read back as written, against hand-written
/// encodings; a sketch and a bucket series read back equal (`==` compares bucket by bucket).
@Suite struct SaveCodingTests {
    @Test func varintsAndZigzagMatchHandEncodings() throws {
        var e = SaveEncoder()
        e.varint(300)      // LEB128: AC 02
        e.int(-1)          // zigzag 1: 01
        e.int(1)           // zigzag 2: 02
        e.fixed32(0x0403_0201)
        #expect(e.bytes == [0xAC, 0x02, 0x01, 0x02, 0x01, 0x02, 0x03, 0x04])
        var d = SaveDecoder(e.bytes)
        #expect(try d.varint() == 300)
        #expect(try d.int() == -1)
        #expect(try d.int() == 1)
        #expect(try d.fixed32() == 0x0403_0201)
        #expect(d.isAtEnd)
    }

    @Test func extremesRoundTrip() throws {
        var e = SaveEncoder()
        for v: Int64 in [.min, .max, 0, -64, 63] { e.int(v) }
        e.varint(.max)
        e.double(-.infinity)
        var d = SaveDecoder(e.bytes)
        for v: Int64 in [.min, .max, 0, -64, 63] { #expect(try d.int() == v) }
        #expect(try d.varint() == .max)
        #expect(try d.double() == -.infinity)
        #expect(d.isAtEnd)
    }

    @Test func overlongAndOversizedInputsThrow() {
        // Eleven continuation bytes: more than 64 bits.
        var d = SaveDecoder([UInt8](repeating: 0xFF, count: 11))
        #expect(throws: SaveDecodingError.self) { _ = try d.varint() }
        // A count of a million elements in three bytes left.
        var e = SaveEncoder()
        e.varint(1_000_000)
        e.u8(0); e.u8(0); e.u8(0)
        var c = SaveDecoder(e.bytes)
        #expect(throws: SaveDecodingError.self) { _ = try c.count() }
        var f = SaveDecoder([0x05, 0x01])
        #expect(throws: SaveDecodingError.self) { _ = try f.bytes() }
    }

    @Test func sketchAndSeriesReadBackEqual() throws {
        var sketch = LatencySketch()
        for v in [0.0, 0.0004, 0.012, 0.25, 3.5, 61.0, 1e12] { sketch.add(v) }
        var series = TimeBuckets<BucketStats>(width: 60)
        for t: Int64 in [-61, 0, 59, 3600, 7200] {
            series[series.slot(for: t)].latency.add(Double(t & 7) / 10)
        }
        var e = SaveEncoder()
        sketch.encode(into: &e)
        series.encode(into: &e)
        var d = SaveDecoder(e.bytes)
        let sketchBack = try LatencySketch(decoding: &d)
        let seriesBack = try TimeBuckets<BucketStats>(decoding: &d)
        #expect(d.isAtEnd)
        #expect(sketchBack == sketch)
        #expect(sketchBack.quantile(0.5) == sketch.quantile(0.5))
        #expect(seriesBack.starts == series.starts && seriesBack.width == 60)
        #expect(zip(seriesBack.buckets, series.buckets).allSatisfy { $0.latency == $1.latency })
        // A sketch whose buckets do not add up to its count is refused.
        var bad = e.bytes
        bad[0] &+= 1
        var b = SaveDecoder(bad)
        #expect(throws: SaveDecodingError.self) { _ = try LatencySketch(decoding: &b) }
    }
}
