import Foundation
import Testing

/// `report`'s progress line: on a terminal (a pseudo-terminal made by Python's `pty` here) a run
/// longer than a second shows it on stderr and erases it at the end; with stderr a pipe, or
/// with `--no-progress`, not one byte of it is written. The input is a FIFO fed slowly
/// (2,000 lines every 0.25 s for about 2.5 s), so the run lasts past the one-second delay.
@Suite struct ProgressLineTests {
    static let script = #"""
    import os, pty, subprocess, sys, threading, time
    binary, fifo, mode = sys.argv[1], sys.argv[2], sys.argv[3]
    os.mkfifo(fifo)
    args = [binary, "report", "--tz", "UTC", fifo] + (["--no-progress"] if mode == "off" else [])
    if mode == "pipe":
        master = slave = None
        proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    else:
        master, slave = pty.openpty()
        proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=slave)
        os.close(slave)
    captured = bytearray()
    def drain():
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                return
            if not chunk:
                return
            captured.extend(chunk)
    reader = threading.Thread(target=drain)
    if master is not None:
        reader.start()
    out = []
    def collect():
        out.append(proc.stdout.read())
    collector = threading.Thread(target=collect)
    collector.start()
    with open(fifo, "w") as f:
        for chunk in range(10):
            for k in range(2000):
                f.write('10.0.0.1 - - [24/Nov/2026:10:00:%02d +0000] "GET /p HTTP/1.1" 200 10 "-" "t"\n' % (k % 60))
            f.flush()
            time.sleep(0.25)
    if mode == "pipe":
        captured.extend(proc.stderr.read())
    proc.wait()
    collector.join()
    if master is not None:
        reader.join()
    sys.stdout.write("status %d\n" % proc.returncode)
    sys.stdout.write("report-has-20000 %s\n" % (b"20,000 lines" in out[0]))
    sys.stdout.write(repr(bytes(captured)))
    """#

    static func run(_ mode: String) throws -> String {
        let dir = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Not `pty.py`: that name would shadow the `pty` module the script imports.
        let script = dir.appendingPathComponent("progress_pty.py")
        try Self.script.write(to: script, atomically: true, encoding: .utf8)
        return try Harness.shell("python3 \(script.path) \(Harness.binary.path) \(dir.appendingPathComponent("fifo").path) \(mode)")
    }

    @Test func shownOnATerminalAndErasedAtTheEnd() throws {
        let out = try Self.run("tty")
        #expect(out.hasPrefix("status 0\nreport-has-20000 True\n"), "\(out)")
        // Redrawn in place: carriage return, the text, erase to the end of the line.
        #expect(out.contains("\\rreading "), "\(out)")
        #expect(out.contains(" MB/s\\x1b[K"), "\(out)")
        // A FIFO has no size: no share and no time left.
        #expect(!out.contains("%)"))
        // The last thing written erases the line.
        #expect(out.hasSuffix("\\r\\x1b[K'"), "\(out)")
    }

    @Test func neverWhenStderrIsAPipe() throws {
        let out = try Self.run("pipe")
        #expect(out.hasPrefix("status 0\nreport-has-20000 True\n"), "\(out)")
        #expect(out.hasSuffix("\nb''"), "\(out)")
    }

    @Test func noProgressTurnsItOff() throws {
        let out = try Self.run("off")
        #expect(out.hasPrefix("status 0\nreport-has-20000 True\n"), "\(out)")
        #expect(out.hasSuffix("\nb''"), "\(out)")
    }
}
