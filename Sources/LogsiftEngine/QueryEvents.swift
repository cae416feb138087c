import LogAggregation
import LogQuery

/// A family's decoder of events for queries: framed lines in, events out (a time, fields at
/// slots resolved once through `schema`). It does not filter or aggregate.
///
/// `feed` takes one line and hands `emit` every event that line completes: none while a
/// multi-line event is still open, the previous event when a line starts the next one, the
/// line's own event for one-line formats. `emit` gets the event's time, the event, and its raw
/// text (the lines it was read from, for printing); its bytes are lent for the call only. `finish` emits the event still open at the end of an input.
protocol QueryEventDecoder: AnyObject {
    associatedtype Event: FieldValues
    typealias Emit = (_ time: Int64?, _ event: Event, _ raw: UnsafeRawBufferPointer) -> Void
    var schema: FieldSchema { get }
    /// Whether `emit` needs the raw text (printing lines); decoders of multi-line events keep it
    /// only then.
    var keepsRawText: Bool { get set }
    func feed(_ line: UnsafeRawBufferPointer, _ emit: Emit) -> LineVerdict
    func finish(_ emit: Emit)
    /// An empty line (not fed): inside a multi-line event it may be one of its lines.
    func blank()
    /// Whether one line alone gives its event's time (`lineTime`), so that a plain file can be
    /// searched for a time window by probing lines at byte offsets.
    var timesSingleLines: Bool { get }
    /// The time of one line on its own (nil: none, or not known without its neighbours).
    func lineTime(_ line: UnsafeRawBufferPointer) -> Int64?
}

extension QueryEventDecoder {
    func blank() {}
    var timesSingleLines: Bool { false }
    func lineTime(_ line: UnsafeRawBufferPointer) -> Int64? { nil }
}

extension AccessEventDecoder: QueryEventDecoder {
    var keepsRawText: Bool {
        get { true }
        set {}
    }

    var timesSingleLines: Bool { true }

    func lineTime(_ line: UnsafeRawBufferPointer) -> Int64? { decode(line).time }

    @inline(__always)
    func feed(_ line: UnsafeRawBufferPointer, _ emit: (Int64?, AccessEvent, UnsafeRawBufferPointer) -> Void) -> LineVerdict {
        let (outcome, time) = decode(line)
        switch outcome {
        case .matched:
            emit(time, AccessEvent(decoder: self, line: line), line)
            return .matched
        case .limitExceeded: return .limitExceeded
        default: return .unmatched
        }
    }

    func finish(_ emit: (Int64?, AccessEvent, UnsafeRawBufferPointer) -> Void) {}
}
