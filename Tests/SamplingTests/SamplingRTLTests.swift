import CoSim
import Foundation
import Golden
import HADES
import HDL
import XCTest

/// The sampling verifier RTL: lint, Icarus, Yosys; co-simulation bit-exact with the golden model, cycles included.
final class SamplingRTLTests: XCTestCase {
    static var simulators: [VerifierConfig: SamplingSimulator] = [:]
    static func simulator(_ c: VerifierConfig) throws -> SamplingSimulator {
        if let s = simulators[c] { return s }
        let s = try SamplingSimulator(config: c)
        simulators[c] = s
        return s
    }

    static let configs: [VerifierConfig] = [
        Fixture.config(vocab: 7, lanes: 3, gammaMax: 4),
        Fixture.config(vocab: 100, lanes: 16, gammaMax: 3),
        Fixture.config(vocab: 16, lanes: 16, gammaMax: 2, format: .fixed(width: 12, fraction: 6)),
    ]

    func randomRounds(_ c: VerifierConfig, count: Int, seed: UInt64) -> [SamplingRound] {
        Self.makeRounds(c, count: count, seed: seed)
    }

    static func makeRounds(_ c: VerifierConfig, count: Int, seed: UInt64) -> [SamplingRound] {
        var rng = Rng(seed: seed)
        let v = c.vocab
        return (0..<count).map { i in
            let gamma = i % 11 == 10 && c.gammaMax + 1 < 1 << c.gammaBits ? c.gammaMax + 1 : rng.below(c.gammaMax + 1)
            let kind = rng.below(4)
            var t: [[Double]] = [], d: [[Double]] = []
            for _ in 0...gamma {
                let row = Fixture.randomLogits(&rng, v, scale: [0.5, 2, 5][rng.below(3)])
                t.append(row)
                switch kind {
                case 0: d.append(row.map { $0 + rng.normal() * 0.3 })
                case 1: d.append(row.map { -$0 })
                case 2: d.append(row)
                default: d.append(Fixture.randomLogits(&rng, v, scale: 2))
                }
            }
            d.removeLast()
            let dProbs = d.map { SamplingReference.softmax($0) }
            var tokens = dProbs.map { rng.sample($0) }
            if rng.below(8) == 0, !tokens.isEmpty, v < 1 << c.tokenBits {
                tokens[0] = v + rng.below((1 << c.tokenBits) - v)   // bad draft (still fits the token field)
            }
            return SamplingRound(gamma: gamma, draftTokens: tokens,
                                 targetCodes: t.flatMap { Fixture.codes($0, c.format) },
                                 draftCodes: d.flatMap { Fixture.codes($0, c.format) },
                                 uniforms: (0...c.gammaMax).map { _ in rng.u32() })
        }
    }

    func testLintIcarusYosys() throws {
        for c in Self.configs.prefix(2) {
            let module = try SamplingVerifierRTL.module(c)
            let files = VerilogEmitter.emitFiles(module)
            XCTAssertEqual(try ExternalTools.verilatorLint(files, top: module.name), "", "\(c)")
            let text = VerilogEmitter.emit(module)
            XCTAssertEqual(try ExternalTools.iverilogCheck([("s.v", text)], top: module.name), "", "\(c)")
        }
    }

    /// Latches come from Yosys' `proc` pass; full synthesis of the wide multipliers would take minutes.
    func testYosysInfersNoLatches() throws {
        for c in Self.configs.prefix(2) {
            let module = try SamplingVerifierRTL.module(c)
            XCTAssertEqual(try ExternalTools.yosysLatchCount([("s.v", VerilogEmitter.emit(module))], top: module.name), 0, "\(c)")
        }
    }

    func testRandomRoundsMatchGoldenIncludingCycles() throws {
        for (i, c) in Self.configs.enumerated() {
            let rounds = randomRounds(c, count: 30, seed: 300 + UInt64(i))
            let r = try Self.simulator(c).compare(rounds)
            XCTAssertNil(r.disagreement, "V=\(c.vocab) L=\(c.lanes): \(r.disagreement!)")
            let flagged = r.golden.filter { !$0.flags.isEmpty }.count
            print("sampling co-sim V=\(c.vocab) L=\(c.lanes): \(rounds.count) rounds, accepted \(r.golden.map(\.accepted)), flagged \(flagged)")
        }
    }

    func testBackPressureChangesOnlyCycles() throws {
        for (i, c) in Self.configs.prefix(2).enumerated() {
            let rounds = randomRounds(c, count: 15, seed: 400 + UInt64(i))
            for (gap, ready) in [(0.3, 1.0), (0.0, 0.3), (0.5, 0.5)] {
                let r = try Self.simulator(c).compare(rounds, pressure: StreamPressure(producerGap: gap, consumerReady: ready, seed: 9))
                XCTAssertNil(r.disagreement, "gap \(gap) ready \(ready): \(r.disagreement!)")
            }
        }
    }
}
