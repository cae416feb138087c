import Foundation
import Testing
@testable import LogReport

@Suite struct TimeTextTests {
    @Test func iso8601AgreesWithFoundation() {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        for _ in 0..<5000 {
            let epoch = Int64.random(in: -2_000_000_000...5_000_000_000)
            #expect(TimeText.iso8601(epoch) == formatter.string(from: Date(timeIntervalSince1970: TimeInterval(epoch))), "\(epoch)")
        }
    }

    @Test func widths() {
        #expect(TimeText.width(60) == "1m")
        #expect(TimeText.width(300) == "5m")
        #expect(TimeText.width(3600) == "1h")
        #expect(TimeText.width(90) == "90s")
        #expect(TimeText.width(86400) == "1d")
    }
}
