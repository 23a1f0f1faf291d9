import CoSim
import Foundation
import Golden
import HADES
import HDL
import ToolRunners
import XCTest

/// The corners of the parameter space (tiny and awkward V against every lane count, every number format): each
/// legal greedy configuration elaborates, lints clean and co-simulates bit-exact with the golden model, cycles
/// included. L = 128 and 256 (a wide accelerator's output head) elaborate and lint; L = 257 is past the lane
/// range (1…256) and must be refused by the configuration check.
final class ParameterCornerTests: XCTestCase {
    static let vocabs = [2, 3, 10, 16, 17]
    static let lanes = [1, 5, 16, 64]
    /// fp16 co-simulates every corner; the other formats lint every corner and co-simulate the extreme ones
    /// (`HADES_ALL_CORNERS=1`, as `make corners` sets it, co-simulates all of them: about 120 model builds).
    static let formats = ["fp16", "bf16", "fp32", "fixed16.8", "fixed8.4", "fixed32.16"]
    static let extremeCorners: Set<[Int]> = [[2, 64], [17, 5], [3, 1], [10, 64]]
    static var coSimulateAll: Bool { ProcessInfo.processInfo.environment["HADES_ALL_CORNERS"] == "1" }

    func testEveryCornerElaboratesLintsAndCoSimulates() throws {
        var index: UInt64 = 0
        for format in Self.formats {
            for v in Self.vocabs {
                for l in Self.lanes {
                    index += 1
                    let c = try VerifierConfig(vocab: v, gammaMax: 3, lanes: l, format: LogitFormat(parsing: format))
                    let module = try HADESGenerator.module(c)
                    XCTAssertEqual(try ExternalTools.verilatorLint(VerilogEmitter.emitFiles(module), top: module.name), "",
                                   "V=\(v) L=\(l) \(format): verilator -Wall")
                    guard format == "fp16" || Self.extremeCorners.contains([v, l]) || Self.coSimulateAll else { continue }
                    var factory = RoundFactory(c, seed: 900 + index)
                    let rounds = factory.randomRounds(6)
                    let report = try CoSimulation.run(rounds, on: try VerifierSimulator(config: c))
                    XCTAssertNil(report.disagreement, "V=\(v) L=\(l) \(format): \(report.disagreement!)")
                    XCTAssertEqual(report.hardware.count, rounds.count)
                    for (r, h) in report.hardware.enumerated() {
                        XCTAssertEqual(h.cycles, (report.golden[r].accepted + 1) * c.beatsPerRow
                                       + GreedyTiming.pipelineDepth(lanes: l), "V=\(v) L=\(l) \(format) round \(r)")
                    }
                }
            }
        }
    }

    func testLanesPastTheRangeAreRefusedByName() {
        for v in Self.vocabs {
            XCTAssertThrowsError(try VerifierConfig(vocab: v, gammaMax: 3, lanes: 257, format: .fp16)) { error in
                XCTAssertTrue("\(error)".contains("lanes 257"), "\(error)")
            }
        }
    }

    /// The widest lane counts elaborate and lint clean at real vocabularies; one short co-simulation at L = 256
    /// (V = 600: B = 3 beats per row, the last beat partly past V) checks decisions and cycles.
    func testWideLanesElaborateLintAndCoSimulate() throws {
        for (v, l, format) in [(50_257, 128, LogitFormat.fp16), (50_257, 256, .bf16), (600, 256, .fp16)] {
            let c = try VerifierConfig(vocab: v, gammaMax: 4, lanes: l, format: format)
            let module = try HADESGenerator.module(c)
            XCTAssertEqual(try ExternalTools.verilatorLint(VerilogEmitter.emitFiles(module), top: module.name), "",
                           "V=\(v) L=\(l) \(format): verilator -Wall")
            guard v == 600 else { continue }
            var factory = RoundFactory(c, seed: 4242)
            let rounds = factory.randomRounds(4)
            let report = try CoSimulation.run(rounds, on: try VerifierSimulator(config: c))
            XCTAssertNil(report.disagreement, "L=\(l): \(report.disagreement!)")
            XCTAssertEqual(report.hardware.count, rounds.count)
            for (r, h) in report.hardware.enumerated() {
                XCTAssertEqual(h.cycles, (report.golden[r].accepted + 1) * c.beatsPerRow + 14, "L=\(l) round \(r): D(256) = 14")
            }
        }
    }
}
