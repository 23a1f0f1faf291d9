import CoSim
import Foundation
import Golden
import HADES
import XCTest

/// Row pairs stream back to back: decisions overlap the next rows (and each other when B is a beat or two), the
/// row memory keeps the decisive row while later rows arrive, and an accepted row costs exactly B cycles.
final class SamplingOverlapTests: XCTestCase {
    /// B = 1 and B = 2 at the largest Γ (a decision can start every clock, up to 30 in flight), the shortest
    /// pipeline (L = 2), and a longer row (B = 25).
    static let tiny = Fixture.config(vocab: 6, lanes: 8, gammaMax: 32)
    static let pair = Fixture.config(vocab: 3, lanes: 2, gammaMax: 32)
    static let long = Fixture.config(vocab: 100, lanes: 4, gammaMax: 8)

    /// Rounds whose draft rows equal the target rows (p̂_d(x) = p̂_t(x): accepted) up to a row k (0 in every
    /// fifth round, else drawn in 0 … γ) whose draft peaks on the target's least likely token x (mostly
    /// rejected): n runs over 0 … γ. Every fourth round has a random γ < Γ, so rows are still to come after the
    /// decisive one.
    static func chainRounds(_ c: VerifierConfig, count: Int, seed: UInt64) -> [SamplingRound] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { i in
            let gamma = i % 4 == 3 ? rng.below(c.gammaMax) : c.gammaMax
            let reject = i % 5 == 0 ? 0 : rng.below(gamma + 1)
            var t: [[Double]] = [], d: [[Double]] = [], tokens: [Int] = []
            for k in 0...gamma {
                let row = Fixture.randomLogits(&rng, c.vocab, scale: 2)
                t.append(row)
                guard k < gamma else { break }
                if k == reject {
                    let x = row.indices.min { row[$0] < row[$1] }!
                    d.append(row.indices.map { $0 == x ? 8 : -8 })
                    tokens.append(x)
                } else {
                    d.append(row)
                    tokens.append(rng.sample(SamplingReference.softmax(row)))
                }
            }
            return SamplingRound(gamma: gamma, draftTokens: tokens, targetCodes: t.flatMap { Fixture.codes($0, c.format) },
                                 draftCodes: d.flatMap { Fixture.codes($0, c.format) },
                                 uniforms: (0...c.gammaMax).map { _ in rng.u32() })
        }
    }

    /// Bit-exact with the golden model, cycles included, without and with back-pressure, while decisions overlap.
    func testTinyRowsAtFullGammaMatchGolden() throws {
        for (i, c) in [Self.tiny, Self.pair].enumerated() {
            XCTAssertLessThanOrEqual(c.beatsPerRow, 2)
            let sim = try SamplingSimulator(config: c)
            let rounds = Self.chainRounds(c, count: 24, seed: 900 + UInt64(i))
            let r = try sim.compare(rounds)
            XCTAssertNil(r.disagreement, "V=\(c.vocab) L=\(c.lanes): \(r.disagreement!)")
            let n = r.golden.map(\.accepted)
            XCTAssertTrue(n.contains(0) && n.contains(c.gammaMax) && Set(n).count >= 6, "accepted \(n)")
            for (gap, ready) in [(0.3, 1.0), (0.0, 0.3), (0.5, 0.5)] {
                let p = try sim.compare(rounds, pressure: StreamPressure(producerGap: gap, consumerReady: ready, seed: 21))
                XCTAssertNil(p.disagreement, "V=\(c.vocab) L=\(c.lanes) gap \(gap) ready \(ready): \(p.disagreement!)")
            }
            print("sampling overlap co-sim V=\(c.vocab) L=\(c.lanes) B=\(c.beatsPerRow): accepted \(n), cycles \(r.hardware.map(\.cycles))")
        }
    }

    /// Measured on the Verilator model alone: cycles − n·B − t is the same for every round, whatever n and the beat t
    /// of the token it emits (pass B stops at that beat).
    func testAnAcceptedRowAddsExactlyBCycles() throws {
        for (i, c) in [Self.long, Self.tiny].enumerated() {
            let rounds = Self.chainRounds(c, count: 16, seed: 950 + UInt64(i))
            let golden = rounds.map { SamplingVerifier.verify($0, config: c) }
            let hw = try SamplingSimulator(config: c).run(rounds, expectedTokens: golden.reduce(0) { $0 + $1.emitted.count })
            XCTAssertEqual(hw.rounds.count, rounds.count)
            let n = hw.rounds.map(\.accepted)
            XCTAssertTrue(n.contains(0) && Set(n).count >= 4, "accepted \(n)")
            if c.beatsPerRow > 1 {
                XCTAssertGreaterThan(Set(hw.rounds.map { $0.token / c.lanes }).count, 1, "tokens from more than one beat")
            }
            let rest = Set(hw.rounds.map { $0.cycles - $0.accepted * c.beatsPerRow - $0.token / c.lanes })
            XCTAssertEqual(rest.count, 1, "B=\(c.beatsPerRow): cycles \(hw.rounds.map(\.cycles)) for accepted \(n)")
            print("sampling B=\(c.beatsPerRow) L=\(c.lanes): accepted \(n), cycles − n·B − t \(rest.sorted())")
        }
    }
}
