import Foundation
import TestSupport
import XCTest

/// `hades-sim` as scripts run it: JSON lines per round, a summary, exit 0 on agreement.
final class HadesSimTests: XCTestCase {
    func testRunsACommittedTraceAndPrintsOneLinePerRoundAndASummary() throws {
        let trace = RealTraceTests.fixtures.appendingPathComponent("greedy_g4.npz").path
        let r = try BuiltProducts.run("hades-sim", ["--trace", trace, "--lanes", "16", "--format", "fp16", "--clock-mhz", "200"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let stdout = r.stdout
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
