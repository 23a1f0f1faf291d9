import Foundation
import XCTest

/// `hades-sim` as scripts run it: JSON lines per round, a summary, exit 0 on agreement.
final class HadesSimTests: XCTestCase {
    var hadesSim: URL {
        let bundle = Bundle(for: HadesSimTests.self).bundleURL
        let candidates = [bundle.appendingPathComponent("hades-sim"),
                          bundle.deletingLastPathComponent().appendingPathComponent("hades-sim")]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
    }

    func testRunsACommittedTraceAndPrintsOneLinePerRoundAndASummary() throws {
        let trace = RealTraceTests.fixtures.appendingPathComponent("greedy_g4.npz").path
        let p = Process()
        p.executableURL = hadesSim
        p.arguments = ["--trace", trace, "--lanes", "16", "--format", "fp16", "--clock-mhz", "200"]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, stderr)
        let lines = stdout.split(separator: "\n").map(String.init)
        let rounds = lines.filter { $0.hasPrefix("{\"round\":") }
        XCTAssertGreaterThan(rounds.count, 0)
        for (i, line) in rounds.enumerated() {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            XCTAssertEqual(object?["round"] as? Int, i)
            for key in ["gamma", "accepted", "token", "rollback", "cycles", "flags"] {
                XCTAssertNotNil(object?[key], "round line lacks \(key): \(line)")
            }
            let gamma = object?["gamma"] as? Int ?? -1, n = object?["accepted"] as? Int ?? -1
            XCTAssertEqual(object?["rollback"] as? Int, gamma - n)
        }
        let summaryLine = try XCTUnwrap(lines.last)
        let summary = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(summaryLine.utf8)) as? [String: Any])?["summary"] as? [String: Any])
        XCTAssertEqual(summary["rounds"] as? Int, rounds.count)
        XCTAssertEqual(summary["clock_mhz"] as? Double, 200)
        XCTAssertEqual(summary["cycle_efficiency"] as? Double, 1, "a producer that never stalls meets the ideal")
        XCTAssertEqual(summary["float_reference_mismatches"] as? Int, 0)
    }
}
