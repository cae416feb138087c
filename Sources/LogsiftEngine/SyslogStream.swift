#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LogAggregation
import LogParsing

/// A syslog stream read program by program, as `ComposeStream` reads docker-compose services:
/// the lines of a PostgreSQL server (`postgres[pid]: [N-M] …`, whatever its `syslog_ident`) go
/// to a PostgreSQL processor, every other program's lines to an application processor reading
/// syslog RFC 3164. One foreign line (`systemd[1]: Started PostgreSQL`) thus costs no query.
///
/// A program's reader is chosen on its first line — PostgreSQL's `[N-M] ` sequence marker after
/// the header (`syslog_sequence_numbers`, on by default) — and kept by program name, so a server
/// line that the PostgreSQL reader cannot read is counted unmatched, not taken as application
/// text. A line without a syslog header continues the program before it. At most
/// `maxPrograms` names are kept; lines of further programs are told apart by the marker alone.
///
/// The processors are the worker's own, so their aggregates join the worker's sections. When
/// the input was detected as plain syslog (no server line among its first lines), the
/// PostgreSQL processor is made on the first server line, its prefix detected from that line.
final class SyslogStream: LineProcessor {
    static let maxPrograms = 64

    struct Program {
        let name: [UInt8]
        let isPostgres: Bool
    }

    /// Known programs, in order of first appearance (a name is copied once, when first seen).
    var programs: [Program] = []
    /// The program of the last syslog line: most lines repeat it, so it is compared first.
    var last: Int?
    /// Whether the last line went to the PostgreSQL reader (for lines without a header).
    var lastWasPostgres = false

    var postgres: PostgresProcessor?
    var application: ApplicationProcessor?
    let makePostgres: (PostgresFormat) -> PostgresProcessor
    let makeApplication: () -> ApplicationProcessor

    /// `postgres`: the worker's PostgreSQL processor, begun with its syslog format, or nil to
    /// make one on the first server line. The make functions return a processor already begun
    /// for this input.
    init(postgres: PostgresProcessor?, makePostgres: @escaping (PostgresFormat) -> PostgresProcessor,
         makeApplication: @escaping () -> ApplicationProcessor) {
        self.postgres = postgres
        self.makePostgres = makePostgres
        self.makeApplication = makeApplication
    }

    /// Whether the program at `name` in `line` is PostgreSQL (remembered by name).
    @inline(__always)
    func isPostgres(_ line: UnsafeRawBufferPointer, name: Range<Int>, message: Int) -> Bool {
        if let last, matches(programs[last].name, line, name) { return programs[last].isPostgres }
        for (i, program) in programs.enumerated() where matches(program.name, line, name) {
            last = i
            return program.isPostgres
        }
        let isPostgres = SyslogProgram.hasPostgresSequence(line, at: message)
        if programs.count < SyslogStream.maxPrograms {
            programs.append(Program(name: Array(line[name]), isPostgres: isPostgres))
            last = programs.count - 1
        }
        return isPostgres
    }

    @inline(__always)
    func matches(_ known: [UInt8], _ line: UnsafeRawBufferPointer, _ name: Range<Int>) -> Bool {
        known.count == name.count && known.withUnsafeBytes { memcmp($0.baseAddress!, line.baseAddress! + name.lowerBound, name.count) == 0 }
    }

    func consume(_ line: UnsafeRawBufferPointer) -> LineVerdict {
        let toPostgres: Bool
        if let (name, message) = SyslogProgram.locate(line) {
            toPostgres = isPostgres(line, name: name, message: message)
            lastWasPostgres = toPostgres
        } else {
            toPostgres = lastWasPostgres
        }
        if toPostgres {
            let processor = postgres ?? {
                let format = PostgresFormat.detect([Array(line)], kinds: [.syslog])?.format ?? .syslog(prefix: "")
                let made = makePostgres(format)
                postgres = made
                return made
            }()
            return processor.consume(line)
        }
        let processor = application ?? {
            let made = makeApplication()
            application = made
            return made
        }()
        return processor.consume(line)
    }

    func endInput() {
        postgres?.endInput()
        application?.endInput()
    }
}
