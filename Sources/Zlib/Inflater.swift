/// Zlib: the one Swift module that imports CZlib and owns a `z_stream`.
///
/// Takes compressed bytes in whatever pieces the caller has, gives decompressed bytes into the
/// caller's buffer. It knows gzip members end and can be reset for the next one; it does not
/// know about files or lines.
import CZlib

/// An error reported by zlib, carrying the library's own message.
public struct ZlibError: Error, CustomStringConvertible, Sendable {
    public let code: Int32
    public let message: String
    public var description: String { message }
}

/// A streaming gzip decompressor for one member at a time.
public final class Inflater {
    /// Allocated, not a stored `z_stream`: zlib keeps a pointer back to the stream and checks it
    /// on every call, so its address must not change (`&property` promises no such thing).
    private let stream: UnsafeMutablePointer<z_stream>

    /// Result of one `inflate` step.
    public struct Step {
        /// Input bytes consumed.
        public var consumed: Int
        /// Output bytes written.
        public var produced: Int
        /// The current gzip member ended (its trailer was checked).
        public var memberEnded: Bool
    }

    public init() throws(ZlibError) {
        // 15 window bits + 16: gzip wrapper only (the caller checks the magic bytes first).
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let rc = logsift_inflate_init2(stream, 15 + 16)
        guard rc == Z_OK else {
            stream.deallocate()
            throw ZlibError(code: rc, message: "zlib could not start: \(Inflater.text(rc, nil))")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
    }

    /// Starts a new member after the previous one ended (multi-member gzip files).
    public func reset() {
        inflateReset(stream)
    }

    /// Decompresses from `input` into `output` as far as either allows.
    public func inflate(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws(ZlibError) -> Step {
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(input.count)
        stream.pointee.next_out = output.baseAddress?.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_out = uInt(output.count)
        let rc = CZlib.inflate(stream, Z_NO_FLUSH)
        let step = Step(consumed: input.count - Int(stream.pointee.avail_in),
                        produced: output.count - Int(stream.pointee.avail_out),
                        memberEnded: rc == Z_STREAM_END)
        switch rc {
        case Z_OK, Z_STREAM_END: return step
        case Z_BUF_ERROR where step.consumed > 0 || step.produced > 0: return step
        case Z_BUF_ERROR: return step  // no progress possible with what was given; caller decides
        case Z_DATA_ERROR where step.produced > 0:
            // Hand out what was decoded before the error (so that how much is served does not
            // depend on the caller's buffer size); zlib stays in its error state, so the next
            // call reports the error.
            return step
        default:
            throw ZlibError(code: rc, message: Inflater.text(rc, stream.pointee.msg))
        }
    }

    static func text(_ code: Int32, _ msg: UnsafePointer<CChar>?) -> String {
        if let msg { return String(cString: msg) }
        switch code {
        case Z_DATA_ERROR: return "invalid compressed data"
        case Z_MEM_ERROR: return "out of memory"
        case Z_STREAM_ERROR: return "inconsistent stream state"
        default: return "zlib error \(code)"
        }
    }
}
