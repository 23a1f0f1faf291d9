import CoSim
import Foundation
import Golden
import HADES
import HDL
import XCTest

/// The corners of the parameter space for the sampling unit: tiny and awkward V against every lane count (V = 10
/// with L = 64 once failed to elaborate: the lane offset outgrew the token width), each fixed format. Every legal
/// configuration elaborates, lints clean and co-simulates bit-exact with the golden model (full and one-hot drafts).
final class SamplingCornerTests: XCTestCase {
    static let vocabs = [2, 3, 10, 16, 17]
    static let lanes = [1, 5, 16, 64]
    static let formats: [LogitFormat] = [.fixed(width: 16, fraction: 8), .fixed(width: 24, fraction: 12),
                                         .fixed(width: 8, fraction: 4)]
    /// fixed16.8 co-simulates every corner; the others lint every corner and co-simulate the extreme ones
    /// (`HADES_ALL_CORNERS=1`, as `make corners` sets it, co-simulates all 60).
    static let extremeCorners: Set<[Int]> = [[2, 64], [17, 5], [3, 1], [10, 64]]
    static var coSimulateAll: Bool { ProcessInfo.processInfo.environment["HADES_ALL_CORNERS"] == "1" }

    func testEveryCornerElaboratesLintsAndCoSimulates() throws {
        var seed: UInt64 = 4000
        for format in Self.formats {
            for v in Self.vocabs {
                for l in Self.lanes {
                    seed += 1
                    let c = Fixture.config(vocab: v, lanes: l, gammaMax: 3, format: format)
                    let module = try SamplingVerifierRTL.module(c)
                    XCTAssertEqual(try ExternalTools.verilatorLint(VerilogEmitter.emitFiles(module), top: module.name), "",
                                   "V=\(v) L=\(l) \(format): verilator -Wall")
                    guard format == Self.formats[0] || Self.extremeCorners.contains([v, l]) || Self.coSimulateAll else { continue }
                    let rounds = SamplingRTLTests.makeMixedRounds(c, count: 6, seed: seed, oneHotShare: 0.5)
                    let report = try SamplingSimulator(config: c).compare(rounds)
                    XCTAssertNil(report.disagreement, "V=\(v) L=\(l) \(format): \(report.disagreement!)")
                    XCTAssertEqual(report.hardware.count, rounds.count)
                }
            }
        }
    }
}
