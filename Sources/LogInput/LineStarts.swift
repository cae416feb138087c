#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension OpenedFile {
    /// The first line start at or after `position` in this regular file (its first `size`
    /// bytes): `position` itself when it is 0 or follows a newline, else the byte after the next
    /// newline, or `size` when no newline follows (the rest belongs to the line before). A read
    /// error also gives `size`: the range before it then ends at the error, which its own read
    /// reports. Reads in small probes, so that cutting a file into many chunks reads little.
    public func lineStart(atOrAfter position: Int) -> Int {
        guard position > 0 else { return 0 }
        guard isRegular, position < size else { return size }
        let probeSize = 4096
        let probe = UnsafeMutableRawPointer.allocate(byteCount: probeSize, alignment: 1)
        defer { probe.deallocate() }
        // From the byte before `position`: a newline there makes `position` a line start.
        var at = position - 1
        while at < size {
            let n = pread(fd, probe, min(probeSize, size - at), off_t(at))
            guard n > 0 else { return size }
            if let hit = memchr(probe, 0x0a, n) { return at + probe.distance(to: hit) + 1 }
            at += n
        }
        return size
    }
}
