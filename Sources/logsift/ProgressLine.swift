import Dispatch
import Foundation
import LogInput
import LogReport

/// `report`'s progress line on standard error: shown only when standard error is a terminal,
/// from one second into the run, redrawn four times a second (`\r`, the text, erase to the end
/// of the line) from a timer of its own, and erased at the end. The readers only add to
/// `InputProgress` per buffer; this reads that counter.
final class ProgressLine: @unchecked Sendable {
    /// How long a run goes before the line appears, and how often it is redrawn.
    static let delay = DispatchTimeInterval.seconds(1)
    static let interval = DispatchTimeInterval.milliseconds(250)

    private let total: Int?
    private let startBytes = InputProgress.bytesRead
    private let started = DispatchTime.now()
    private let queue = DispatchQueue(label: "logsift.progress")
    private var timer: DispatchSourceTimer?
    private var shown = false

    /// A running progress line for reading `paths`, or nil when disabled or stderr is not a
    /// terminal. The total is the sum of their sizes (compressed size for gzip), unknown when
    /// one of them is not a regular file (standard input, a pipe).
    static func start(_ paths: [String], enabled: Bool) -> ProgressLine? {
        guard enabled, isatty(2) == 1 else { return nil }
        var total = 0
        var known = true
        for path in paths {
            if path != "-", let size = FileSource.regularFileSize(path) { total += size } else { known = false }
        }
        let line = ProgressLine(total: known ? total : nil)
        let timer = DispatchSource.makeTimerSource(queue: line.queue)
        timer.schedule(deadline: .now() + delay, repeating: interval)
        timer.setEventHandler { [unowned line] in line.draw() }
        line.timer = timer
        timer.resume()
        return line
    }

    private init(total: Int?) { self.total = total }

    private func draw() {
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
        let text = ProgressText.line(bytes: InputProgress.bytesRead - startBytes, total: total, seconds: seconds,
                                     width: Terminal.errorWidth() - 1)
        emit("\r" + text + "\u{1b}[K")
        shown = true
    }

    /// Stops the timer (waiting for a redraw under way) and erases the line if it was shown.
    func stop() {
        queue.sync {
            timer?.cancel()
            timer = nil
            if shown { emit("\r\u{1b}[K") }
            shown = false
        }
    }

    private func emit(_ text: String) {
        var text = text
        text.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }  // a failing stderr is ignored
    }
}

extension Terminal {
    /// Columns of the terminal on standard error (80 when unknown).
    static func errorWidth() -> Int {
        var size = winsize()
        if ioctl(2, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 20 { return Int(size.ws_col) }
        return 80
    }
}
