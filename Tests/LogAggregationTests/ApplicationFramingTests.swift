import LogInput
import LogParsing
import Testing
@testable import LogAggregation

/// Multi-line events through the real framer: a Java trace and a Python traceback, delivered in
/// reads of every size from 1 byte up, stay with the line that started them.
@Suite struct ApplicationFramingTests {
    /// Hands out its bytes at most `chunk` at a time.
    final class ChunkedSource: ByteSource {
        let bytes: [UInt8]
        let chunk: Int
        var offset = 0
        init(_ text: String, chunk: Int) {
            bytes = Array(text.utf8)
            self.chunk = chunk
        }
        func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
            let n = min(chunk, buffer.count, bytes.count - offset)
            guard n > 0 else { return 0 }
            bytes.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + offset, byteCount: n) }
            offset += n
            return n
        }
    }

    static let log = """
    2026-11-24 10:00:00.001 INFO  [main] c.e.App - started
    2026-11-24 10:00:01.002 ERROR [http-1] c.e.OrderService - order 42 failed
    java.lang.IllegalStateException: stock for item 7 is negative
    \tat com.example.OrderService.reserve(OrderService.java:88)
    \tat com.example.OrderService.place(OrderService.java:42)
    Caused by: java.sql.SQLException: deadlock detected
    \tat org.postgresql.core.v3.QueryExecutorImpl.receiveErrorResponse(QueryExecutorImpl.java:2676)
    \t... 12 more
    2026-11-24 10:00:02.003 WARN  [http-2] c.e.Cache - miss for key 99
    2026-11-24 10:00:03,004 ERROR Traceback follows
    Traceback (most recent call last):
      File "/srv/app/worker.py", line 12, in run
        handle(job)
    ValueError: job 17 has no owner
    2026-11-24 10:00:04.005 INFO  [main] c.e.App - done

    """

    @Test func tracesStayTogetherAtEveryChunkSize() {
        var reference: ApplicationAggregate? = nil
        for chunk in [1, 2, 3, 5, 7, 16, 64, 100, 255, 1000, 100_000] {
            let reader = LineReader(source: ChunkedSource(Self.log, chunk: chunk), maxLineLength: 4096, readSize: 37)
            let processor = ApplicationProcessor(bucketSeconds: 60, zone: .utc)
            processor.begin(format: .text)
            while let line = reader.nextLine() {
                if line.isEmpty { continue }
                #expect(processor.consume(line) != .unmatched, "chunk \(chunk)")
            }
            processor.endInput()
            let a = processor.aggregate
            #expect(a.events == 5, "chunk \(chunk)")
            #expect(a.continuationLines == 10, "chunk \(chunk)")
            let samples = a.groups.groups.map(\.sampleText)
            #expect(samples.contains { $0.contains("order 42 failed") && $0.hasSuffix("\t... 12 more") }, "chunk \(chunk)")
            #expect(samples.contains { $0.contains("Traceback") && $0.hasSuffix("ValueError: job 17 has no owner") }, "chunk \(chunk)")
            if let reference {
                #expect(reference.groups.groups.map(\.sampleText) == samples, "chunk \(chunk)")
            } else {
                reference = a
            }
        }
    }
}
