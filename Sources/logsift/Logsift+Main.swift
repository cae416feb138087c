import ArgumentParser
import Foundation
import LogAggregation
import LogReport

/// Arguments the parser would misread, caught before it runs.
///
/// swift-argument-parser reads `-dash.log` as the short flags `-d -a -s -h …`, and `-h` asks for
/// help: `logsift report -dash.log` would print help and exit 0 without reading anything. A
/// single-dash argument longer than one letter is therefore refused (exit 64) with the way to
/// name such a file, unless it is the value of the option before it (`--tz -05:30`) or comes
/// after `--`.
enum ArgumentCheck {
    /// Long options that take no value: an argument after one of them is not its value.
    static let flags: Set<String> = ["--errors", "--keep-order", "--from-start", "--help", "--version"]

    /// The message for the first misreadable argument of `arguments` (without argv[0]), if any.
    static func problem(_ arguments: [String]) -> String? {
        var previous: String? = nil
        for argument in arguments {
            if argument == "--" { return nil }
            defer { previous = argument }
            guard argument.hasPrefix("-"), !argument.hasPrefix("--"), argument.count > 2 else { continue }
            if let previous, previous.hasPrefix("--"), !previous.contains("="), !flags.contains(previous) { continue }
            return "'\(argument)' is not an option; to read a file whose name starts with '-', "
                + "put `--` before it (`logsift report -- \(argument)`) or write `./\(argument)`"
        }
        return nil
    }
}

/// `RLIMIT_NOFILE` as `getrlimit` takes it on each platform.
#if os(Linux)
let openFilesResource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
#else
let openFilesResource = RLIMIT_NOFILE
#endif

/// Exit statuses beyond ArgumentParser's (0 success, 64 usage), named once; the README's
/// "Exit status" paragraph lists them.
enum ExitStatus {
    /// An input could not be read or ended early (the report still covers what was read).
    static let inputFailed: Int32 = 1
    /// An input was read but not one of its lines was recognised (EX_DATAERR in sysexits.h).
    static let nothingRecognised: Int32 = 65
    /// The report could not be written (standard output full, closed, failing; EX_IOERR).
    static let writeFailed: Int32 = 74

    /// Says on stderr what went wrong with each input, and throws the status that tells it:
    /// 1 when an input failed, else 65 when an input with non-blank lines had none recognised
    /// (so a cron job notices a log that changed format); returns when all is well.
    static func check(_ inputs: [InputSummary]) throws {
        var status: Int32 = 0
        for input in inputs {
            if let error = input.error {
                Terminal.warn(error)
                status = inputFailed
            } else if input.matched == 0 && input.lines > input.blank {
                Terminal.warn("\(input.name): none of its \(input.lines - input.blank) lines was recognised; "
                    + "`logsift detect` shows what was tried (or name the format: --log-format, --nginx-format, --pattern, --pg-prefix)")
                if status == 0 { status = nothingRecognised }
            }
        }
        if status != 0 { throw ExitCode(status) }
    }
}

/// Where reports go: written with `write(2)` so that a failure is seen at the write that failed
/// (stdio's buffer would only fail later, and forget why).
enum StandardOutput {
    /// Writes all of `text` to standard output; on failure says why on stderr and throws exit
    /// status 74.
    static func write(_ text: String) throws {
        var text = text
        let failure: Int32? = text.withUTF8 { bytes in
            fflush(nil)  // anything `print` left in stdio's buffer goes first
            return writeAll(UnsafeRawBufferPointer(bytes))
        }
        if let failure {
            let reason = failure == 0 ? "nothing written" : String(cString: strerror(failure))
            Terminal.warn("cannot write the report to standard output: \(reason)")
            throw ExitCode(ExitStatus.writeFailed)
        }
    }

    /// Writes all of `bytes` to descriptor 1, retrying short writes and EINTR; the errno of a
    /// failure (0 when nothing could be written), or nil.
    static func writeAll(_ bytes: UnsafeRawBufferPointer) -> Int32? {
        var offset = 0
        while offset < bytes.count {
            let n = Foundation.write(1, bytes.baseAddress! + offset, bytes.count - offset)
            if n > 0 { offset += n; continue }
            if n < 0 && errno == EINTR { continue }
            return n < 0 ? errno : 0
        }
        return nil
    }
}

extension Logsift {
    /// Runs the command, then makes sure everything it printed reached standard output: a
    /// write error (a full disk, `> /dev/full`) is said on stderr and exits 74 whatever the
    /// command's own status. Reports are written through `StandardOutput`, which sees every
    /// failure; short `print`ed output is checked by the final flush.
    static func main() {
        if let problem = ArgumentCheck.problem(Array(CommandLine.arguments.dropFirst())) {
            finish(with: ValidationError(problem))
        }
        raiseOpenFileLimit()
        var status: Int32 = 0
        var failure: Error? = nil
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let code as ExitCode {
            status = code.rawValue
        } catch {
            failure = error
        }
        if let failure { finish(with: failure) }
        if !standardOutputIsWritten() { status = ExitStatus.writeFailed }
        Foundation.exit(status)
    }

    /// Says what `error` means and exits with its status, as ArgumentParser's `exit(withError:)`
    /// would, with two differences: help and version text goes through `StandardOutput` (a
    /// failed write exits 74, not 0), and a usage error is escaped before it reaches stderr, since
    /// it may echo an option value or an argument holding control bytes.
    static func finish(with error: Error) -> Never {
        let message = fullMessage(for: error)
        let status = exitCode(for: error).rawValue
        if status == 0 {
            do { try StandardOutput.write(message.isEmpty ? "" : message + "\n") } catch {
                Foundation.exit(ExitStatus.writeFailed)
            }
            Foundation.exit(standardOutputIsWritten() ? 0 : ExitStatus.writeFailed)
        }
        if !message.isEmpty {
            var text = TerminalText.escapedKeepingNewlines(message) + "\n"
            text.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
        }
        Foundation.exit(status)
    }

    /// Raises the soft limit on open descriptors to the hard one: a big file stays open from
    /// planning until its last part is read, and a rotated set may hold more than the usual
    /// soft limit of 1,024 such files.
    static func raiseOpenFileLimit() {
        var limit = rlimit()
        guard getrlimit(openFilesResource, &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(openFilesResource, &limit)
    }

    /// Flushes standard output; false (after saying why on stderr) when any write to it failed.
    static func standardOutputIsWritten() -> Bool {
        errno = 0
        if fflush(nil) != 0 {
            Terminal.warn("cannot write the report to standard output: " + String(cString: strerror(errno)))
            return false
        }
        return true
    }
}
