import CoSim
import Foundation
import Golden
import XCTest

/// Seeded random rounds (every fault class mixed in) with random back-pressure and occasional resets, compared
/// round by round with the stream golden model. CI runs ~200k cycles; `make soak` sets HADES_SOAK_CYCLES
/// (e.g. 10000000) for the long run, split over the configurations below.
final class SoakTests: XCTestCase {
    /// fp32 (64 lanes) too: its NaN / −0 detection is split across two stages (`LogitKey.detectTerms`).
    static let configs = [Reliability.fixed, Reliability.half, Reliability.single]

    var budget: UInt64 { UInt64(Reliability.environment["HADES_SOAK_CYCLES"] ?? "") ?? 200_000 }
    var seed: UInt64 { UInt64(Reliability.environment["HADES_SOAK_SEED"] ?? "") ?? 2024 }

    func testSoakRandomRoundsUnderBackPressure() throws {
        let share = budget / UInt64(Self.configs.count)
        var total: UInt64 = 0
        var seconds = 0.0
        for (i, c) in Self.configs.enumerated() {
            let summary = try Soak.run(try Reliability.simulator(c), cycles: share, seed: seed &+ UInt64(i))
            print(summary)
            XCTAssertNil(summary.failure, "\(summary)")
            XCTAssertGreaterThanOrEqual(summary.cycles, share)
            for flag in ["bad_draft", "bad_gamma", "row_length"] {
                XCTAssertGreaterThan(summary.flagCounts[flag] ?? 0, 0, "\(c.format): the soak must exercise \(flag)")
            }
            if c.format.isFloat {
                XCTAssertGreaterThan(summary.flagCounts["nan_logit"] ?? 0, 0)
                XCTAssertGreaterThan(summary.flagCounts["degenerate_row"] ?? 0, 0)
            }
            XCTAssertGreaterThan(summary.idealBatches, 0)
            XCTAssertGreaterThan(summary.resets, 1)
            total += summary.cycles
            seconds += summary.seconds
        }
        print("soak total: \(total) cycles in " + String(format: "%.1f s", seconds))
    }
}
