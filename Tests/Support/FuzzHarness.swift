import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// LogsiftTestSupport: the deterministic fuzzing harness of the `Robustness*` suites, shared by
// every test target that fuzzes.
//
// - `FuzzRNG` (SplitMix64): a seeded generator, so that every failure reproduces from its seed.
// - `FuzzCase`: the case under test (suite, seed, iteration, input bytes) is kept in memory
//   allocated once; if the process traps (SIGILL/SIGTRAP: a Swift precondition; SIGSEGV/SIGBUS)
//   a signal handler writes it to stderr before dying, and a watchdog writes it and aborts when
//   one case runs longer than `FuzzCase.hangSeconds` (a hang).
// - `Mutator`: the byte-level mutations applied to real lines.

/// SplitMix64 (Sebastiano Vigna): tiny, fast, and good enough to drive mutations.
public struct FuzzRNG: RandomNumberGenerator {
    public var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
    /// Uniform in 0..<n (n > 0).
    public mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    public mutating func chance(_ percent: Int) -> Bool { below(100) < percent }
    public mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
}

/// The seed of every robustness suite: `LOGSIFT_FUZZ_SEED` to explore, else a fixed one.
public let fuzzSeed: UInt64 = ProcessInfo.processInfo.environment["LOGSIFT_FUZZ_SEED"].flatMap { UInt64($0) } ?? 0x10_65_1f_70

/// What is being tried right now, readable from a signal handler: fixed memory, no allocation.
public enum FuzzCase {
    public static let capacity = 1 << 16
    public nonisolated(unsafe) static let text = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
    public nonisolated(unsafe) static let escaped = UnsafeMutablePointer<UInt8>.allocate(capacity: 8)
    public nonisolated(unsafe) static var length = 0
    public nonisolated(unsafe) static var inputLength = 0
    public nonisolated(unsafe) static var sequence: UInt64 = 0
    public nonisolated(unsafe) static var active = false
    /// Handlers installed before ours (Swift Testing's or the runtime's), by signal.
    public nonisolated(unsafe) static let previous: UnsafeMutablePointer<sigaction> = {
        let p = UnsafeMutablePointer<sigaction>.allocate(capacity: 64)
        p.initialize(repeating: sigaction(), count: 64)
        return p
    }()
    public static let hangSeconds = 30
    public static let installed: Bool = {
        for signal in [SIGILL, SIGTRAP, SIGSEGV, SIGBUS] {
            var action = sigaction()
            #if canImport(Glibc)
            action.__sigaction_handler.sa_handler = FuzzCase.onSignal
            #else
            action.__sigaction_u.__sa_handler = FuzzCase.onSignal
            #endif
            sigaction(signal, &action, previous + Int(signal))
        }
        let watchdog = Thread {
            var seen: UInt64 = .max
            var still = 0
            while true {
                sleep(1)
                let now = FuzzCase.sequence
                if FuzzCase.active && now == seen { still += 1 } else { still = 0; seen = now }
                if still >= FuzzCase.hangSeconds {
                    FuzzCase.dump(reason: "HANG: one robustness case ran for 30 s")
                    abort()
                }
            }
        }
        watchdog.start()
        return true
    }()

    /// Records the case about to run. `label` says which code, seed and iteration.
    public static func begin(_ label: String, _ input: UnsafeRawBufferPointer) {
        _ = installed
        var n = 0
        for b in label.utf8 where n < 512 { text[n] = b; n += 1 }
        text[n] = 10; n += 1
        let k = Swift.min(input.count, capacity - n)
        if k > 0 { (text + n).update(from: input.baseAddress!.assumingMemoryBound(to: UInt8.self), count: k) }
        inputLength = input.count
        length = n + k
        sequence &+= 1
        active = true
    }

    public static func begin(_ label: String, _ input: [UInt8]) {
        input.withUnsafeBytes { begin(label, $0) }
    }

    public static func end() { active = false }

    public static let onSignal: @convention(c) (Int32) -> Void = { signal in
        // Other tests run in this process too: report only while a robustness case runs.
        if FuzzCase.active {
            FuzzCase.dump(reason: "CRASH (SIGILL/SIGTRAP: a Swift trap; SIGSEGV/SIGBUS) in a robustness case")
        }
        // Put back the handler found at installation (the other target's copy of this harness,
        // or Swift's backtracer): returning re-executes the faulting instruction, which now
        // goes to it.
        sigaction(signal, FuzzCase.previous + Int(signal), nil)
    }

    /// Writes the current case to stderr with `write(2)` only: printable ASCII as is, other
    /// bytes as `\xHH` (the form a test's byte-array literal can be rebuilt from).
    public static func dump(reason: StaticString) {
        write(2, reason.utf8Start, reason.utf8CodeUnitCount)
        dumpCase()
    }

    public static func dumpCase() {
        guard length > 0 else { return }
        let head: StaticString = "\n--- robustness case (label, then input bytes; \\xHH = byte) ---\n"
        write(2, head.utf8Start, head.utf8CodeUnitCount)
        let hex: StaticString = "0123456789abcdef"
        var labelDone = false
        for i in 0..<length {
            let b = text[i]
            if !labelDone { write(2, text + i, 1); if b == 10 { labelDone = true }; continue }
            if b >= 32 && b < 127 && b != UInt8(ascii: "\\") {
                write(2, text + i, 1)
            } else {
                escaped[0] = UInt8(ascii: "\\"); escaped[1] = UInt8(ascii: "x")
                escaped[2] = hex.utf8Start[Int(b >> 4)]; escaped[3] = hex.utf8Start[Int(b & 15)]
                write(2, escaped, 4)
            }
        }
        let tail: StaticString = "\n--- end of case ---\n"
        write(2, tail.utf8Start, tail.utf8CodeUnitCount)
    }

    /// A printable description of `bytes` for expectation messages (cut at 600 bytes).
    public static func describe(_ bytes: [UInt8]) -> String {
        var out = ""
        for b in bytes.prefix(600) {
            if b >= 32 && b < 127 && b != UInt8(ascii: "\\") { out.unicodeScalars.append(Unicode.Scalar(b)) }
            else { out += String(format: "\\x%02x", b) }
        }
        if bytes.count > 600 { out += "… (\(bytes.count) bytes)" }
        return out
    }
}

/// Runs `body` on `bytes` copied into memory of exactly their size, so that a read one byte past
/// the end traps in a debug build (an `UnsafeRawBufferPointer` subscript checks its bounds there)
/// instead of reading the neighbour's bytes.
public func withExactBytes<R>(_ bytes: [UInt8], _ body: (UnsafeRawBufferPointer) -> R) -> R {
    let p = UnsafeMutableRawBufferPointer.allocate(byteCount: Swift.max(bytes.count, 1), alignment: 1)
    defer { p.deallocate() }
    if !bytes.isEmpty { bytes.withUnsafeBytes { p.copyMemory(from: $0) } }
    return body(UnsafeRawBufferPointer(rebasing: p[0..<bytes.count]))
}

/// Byte-level mutations of real lines.
public enum Mutator {
    /// Bytes that break parsers: NUL, 0xFF, quotes, backslashes, separators, signs, dots.
    public static let nasty: [UInt8] = [0, 0xff, 0x22, 0x27, 0x5c, 0x20, 0x09, 0x0d, 0x0a, 0x2c, 0x3a, 0x2d, 0x2b, 0x2e,
                                 0x5b, 0x5d, 0x7b, 0x7d, 0x28, 0x29, 0x24, 0x25, 0x2f, 0x3f, 0x30, 0x39, 0xc3, 0x80]
    /// Texts spliced over fields: huge and odd numbers, impossible dates, extreme years.
    public static let tokens: [String] = [
        "99999999999999999999", "999999999999999999999999999999999999", "-1", "-0", "-", "--", "1e308", "-1e308",
        "1e-308", "4.9e-324", "NaN", "nan", "inf", "-inf", "0.", ".5", "1..2", "0x7fffffffffffffff",
        "9223372036854775807", "9223372036854775808", "18446744073709551616", "0.000000000000000000001",
        "99/Xyz/0000:99:99:99 +9999", "31/Dec/9999:23:59:59 +1400", "01/Jan/0001:00:00:00 -1200",
        "00/Jan/0000:00:00:00 +0000", "9999-12-31T23:59:59+14:00", "0001-01-01T00:00:00Z", "0000-00-00 00:00:00",
        "9999-99-99T99:99:99.999999999999-99:99", "2026-11-24T00:00:01", "1/", "32/Feb/2026:25:61:61 -",
        "\"", "\\\"", "\\", "\"\"", "'", "''", "$$", "$a$", "/*", "*/", "--", "(", ")", "[", "]", "{", "}",
        "%", "%{", "\u{0}", "\u{FEFF}", "é", "\u{1F600}", "GET", "GET ", "GET /", " HTTP/1.1", "http://",
        "http://x", "?", "#",
    ]

    /// One mutation of `line`.
    public static func mutate(_ line: [UInt8], _ rng: inout FuzzRNG) -> [UInt8] {
        var b = line
        switch rng.below(10) {
        case 0:  // truncate
            if !b.isEmpty { b.removeSubrange(rng.below(b.count)...) }
        case 1:  // flip bits of a byte
            if !b.isEmpty { b[rng.below(b.count)] ^= UInt8(truncatingIfNeeded: 1 << rng.below(8)) }
        case 2:  // insert a nasty byte
            b.insert(rng.pick(nasty), at: rng.below(b.count + 1))
        case 3:  // delete a run
            if !b.isEmpty {
                let at = rng.below(b.count)
                b.removeSubrange(at..<Swift.min(b.count, at + 1 + rng.below(8)))
            }
        case 4, 5:  // replace a run (a field, often) with a token
            let token = Array(rng.pick(tokens).utf8)
            let at = rng.below(b.count + 1)
            let len = Swift.min(b.count - at, rng.below(12))
            b.replaceSubrange(at..<(at + len), with: token)
        case 6:  // replace a digit run with a token: status, bytes, times, years
            var runs: [Range<Int>] = []
            var i = 0
            while i < b.count {
                if b[i] >= 48 && b[i] <= 57 {
                    let s = i
                    while i < b.count, (b[i] >= 48 && b[i] <= 57) || b[i] == 46 { i += 1 }
                    runs.append(s..<i)
                } else { i += 1 }
            }
            if !runs.isEmpty { b.replaceSubrange(rng.pick(runs), with: Array(rng.pick(tokens).utf8)) }
        case 7:  // overwrite a byte with a random one
            if !b.isEmpty { b[rng.below(b.count)] = UInt8(truncatingIfNeeded: rng.next()) }
        case 8:  // duplicate a slice (repeats fields, lengthens lines)
            if !b.isEmpty {
                let at = rng.below(b.count)
                let slice = Array(b[at..<Swift.min(b.count, at + 1 + rng.below(40))])
                b.insert(contentsOf: slice, at: rng.below(b.count + 1))
            }
        default:  // a long run of one nasty byte
            b.insert(contentsOf: [UInt8](repeating: rng.pick(nasty), count: 1 + rng.below(300)), at: rng.below(b.count + 1))
        }
        return b
    }

    /// `line` mutated 1...`max` times.
    public static func mutations(_ line: [UInt8], _ rng: inout FuzzRNG, max: Int = 4) -> [UInt8] {
        var b = line
        for _ in 0..<(1 + rng.below(max)) { b = mutate(b, &rng) }
        return b
    }

    public static func randomBytes(_ rng: inout FuzzRNG, count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
    }

    /// Random bytes drawn mostly from printable ASCII and `nasty`, which reach deeper into
    /// parsers than uniform bytes.
    public static func randomText(_ rng: inout FuzzRNG, count: Int) -> [UInt8] {
        (0..<count).map { _ in
            rng.chance(30) ? rng.pick(nasty) : UInt8(32 + rng.below(95))
        }
    }
}

/// Files of the package and of the shared corpora, split into lines.
public enum RobustnessCorpus {
    public static var packageRoot: URL { Corpora.packageRoot }

    /// The corpora folder, or nil when absent (the fuzz suites then use only the package's files).
    public static var root: URL? { Corpora.locate() }

    /// Lines of a file (decompressed through `gzip -dc` / `bzip2 -dc`), at most `limit`.
    public static func lines(_ url: URL, limit: Int = 2000) -> [[UInt8]] {
        guard let data = try? Corpora.data(url) else { return [] }
        var result: [[UInt8]] = []
        for line in data.split(separator: 10, omittingEmptySubsequences: false) {
            result.append(Array(line))
            if result.count >= limit { break }
        }
        return result
    }

    public static func lines(relative path: String, limit: Int = 2000) -> [[UInt8]] {
        guard let root else { return [] }
        return lines(root.appendingPathComponent(path), limit: limit)
    }
}

/// Values for command-line options: the extremes that broke parsing before (overflowing
/// widths, 64-bit limits, negative counts), look-alikes of options and formats, and random
/// text. Arguments cannot hold NUL bytes, so none is produced.
public enum OptionValues {
    public static let extremes: [String] = [
        "", " ", "0", "-0", "1", "-1", "15", "16", "255", "256", "257", "5000", "5001", "10000", "10001",
        "67108864", "67108865", "2147483647", "2147483648", "4294967296", "32212254720",
        "9223372036854775807", "9223372036854775808", "-9223372036854775808", "99999999999999999999",
        "1e9", "0x10", "1.5", "nan", "-inf", "+5",
        "1s", "30s", "1m", "-1m", "0m", "0s", "1h", "1d", "366d", "367d", "2562047788015216h", "9223372036854775807s",
        "+5m", "5 m", "m", "mm", "5x",
        "--", "-", "-h", "--help", "-dash.log", "--top",
        "%{", "%{IP:x", "%{IP:x}", "%{NUMBER:request_time}", "(a+)+$", "$request_time", "$", "%m [%p] ", "%Q",
        "'", "\"", "\\", "é", "\u{1F600}", "\u{1b}[2J",
        "text", "json", "total", "mean", "UTC", "local", "-05:30", "+0100", "+9999", "CET", "Europe/Berlin",
        "nginx-combined", "postgres-stderr", "app-json", "/", "/nonexistent", ".", "samples",
    ]

    /// One value: an extreme, a random number of up to 30 digits (maybe signed, maybe with a
    /// unit), or random text.
    public static func random(_ rng: inout FuzzRNG) -> String {
        switch rng.below(4) {
        case 0, 1:
            return rng.pick(extremes)
        case 2:
            var digits = rng.chance(30) ? "-" : ""
            for _ in 0..<(1 + rng.below(30)) { digits.append(Character(Unicode.Scalar(UInt8(48 + rng.below(10))))) }
            if rng.chance(50) { digits.append(rng.pick(["s", "m", "h", "d", "x", ""])) }
            return digits
        default:
            let bytes = Mutator.randomText(&rng, count: rng.below(24)).filter { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self)
        }
    }
}
