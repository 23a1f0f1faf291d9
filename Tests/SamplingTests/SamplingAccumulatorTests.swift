import CoSim
import Foundation
import Golden
import XCTest

/// The row accumulators' shifts (`SamplingFixedPoint` step 3): rows whose beat reference ρ_b walks up (each beat
/// shifts S_p) or down (each beat's sum is shifted), by amounts with every low-bit pattern and once past the sum's
/// width. Random rows rarely move ρ_p, and a decision only moves when S is wrong on one side: here one side of each row pair ramps and the
/// other is flat, with p̂_d(x) ≈ 2·p̂_t(x) so that acceptance is a coin flip that a wrong S_t or S_d tilts.
final class SamplingAccumulatorTests: XCTestCase {
    static let configs: [VerifierConfig] = [
        Fixture.config(vocab: 64, lanes: 4, gammaMax: 4),
        Fixture.config(vocab: 40, lanes: 2, gammaMax: 3),   // one lane level: ρ_b enters the accumulators at stage D
        Fixture.config(vocab: 24, lanes: 1, gammaMax: 3),
    ]

    /// Logits whose beat maximum moves by a random 0…`step` base-2 units a beat (so each of the three accumulators
    /// sees every low-bit pattern of shift), rising, or falling (then the beat sums shift instead of S_p), with a
    /// `jump` of units once (`Jump`).
    static func ramp(_ c: VerifierConfig, step: Int, rising: Bool, jump: Int, at place: Jump = .middle,
                     _ rng: inout SplitMix64) -> [Double] {
        let beats = c.beatsPerRow
        // Base-2 units in nats; the walk is kept inside fixed16.8's ±128.
        let unit = log(2.0), limit = max(1, min(step, 110 / beats))
        var level = 0.0
        var levels = (0..<beats).map { b -> Double in
            if b > 0 { level += Double(rng.below(limit + 1)) }
            return rising ? level : -level
        }
        let count = SamplingFixedPoint.accumulators
        switch place {
        case .middle:
            for b in beats / 2..<beats { levels[b] += Double(jump) }
        case .late:
            for b in beats - count..<beats { levels[b] = levels[rising ? b - count : b % count] + Double(jump) }
        case .edge:
            if rising { levels[beats - 1] = levels[beats - 2] + Double(jump) } else { levels[0] -= Double(jump) }
        }
        return (0..<c.vocab).map { j in (rising ? -40 : 40) + levels[j / c.lanes] * unit - rng.unit() * 0.5 * unit }
    }

    enum Jump {
        /// From the middle beat on.
        case middle
        /// At the last three beats (one per accumulator), each exactly `jump` from its accumulator's highest beat so
        /// far (the one three before rising, the first falling), so that the accumulator's shift is exactly |jump|
        /// whatever the walk.
        case late
        /// The row's highest beat (the last rising, the first falling) |jump| above the rest: the merge shifts the
        /// other accumulators by at least |jump|.
        case edge
    }

    /// A flat row but for x, whose draft probability is `dx`.
    static func flat(_ c: VerifierConfig, x: Int, dx: Double) -> [Double] {
        let a = log(dx * Double(c.vocab - 1) / (1 - dx))
        return (0..<c.vocab).map { $0 == x ? a : 0 }
    }

    static func rounds(_ c: VerifierConfig, count: Int, seed: UInt64) -> [SamplingRound] {
        var rng = SplitMix64(seed: seed)
        let steps = [1, 2, 3, 5, 6, 7, 9, 13]
        return (0..<count).map { i in
            let gamma = 1 + i % c.gammaMax
            var t: [[Double]] = [], d: [[Double]] = [], tokens: [Int] = []
            for k in 0...gamma {
                // Every other row jumps, by 60 units in the middle, by 66 at the last three beats (one per accumulator)
                // or by 66 at the row's highest beat alone (the merge's shift), up or down in turn: S_p's width W is
                // 33–35 here, so a shift's field holds 6 bits, and a sum shifted by 66 (≥ W; the field wraps to 2) is
                // 0 only by the past-the-width flag; at the row's end no later rise shifts the error out.
                let jumps = (i + k) % 2 == 1, turn = (i + k) / 2
                let place: Jump = [.middle, .late, .edge][turn % 3]
                let step = steps[(i + k) % steps.count], rising = jumps ? turn / 3 % 2 == 0 : (i + k) % 3 != 2
                let jump = jumps ? (place == .middle ? 60 : 66) : 0
                let ramped = ramp(c, step: step, rising: rising, jump: rising ? jump : -jump, at: place, &rng)
                // x in the second beat from the highest end (the highest beat after an edge jump, which holds nearly
                // all the mass): a sizeable share of the ramped row.
                let fromEnd = jumps && place == .edge ? 0 : 1
                let x = rising ? c.vocab - fromEnd * c.lanes - 1 - rng.below(c.lanes) : fromEnd * c.lanes + rng.below(c.lanes)
                let pr = SamplingReference.softmax(ramped)
                if (i + k) % 2 == 0 {
                    // The target ramps: d(x) = 2·t(x) (at most 0.95) against a flat draft.
                    t.append(ramped)
                    d.append(flat(c, x: x, dx: min(0.95, 2 * pr[x])))
                } else {
                    // The draft ramps: t(x) = d(x)/2 against a flat target.
                    d.append(ramped)
                    t.append(flat(c, x: x, dx: pr[x] / 2))
                }
                tokens.append(x)
            }
            d.removeLast(); tokens.removeLast()
            return SamplingRound(gamma: gamma, draftTokens: tokens,
                                 targetCodes: t.flatMap { Fixture.codes($0, c.format) },
                                 draftCodes: d.flatMap { Fixture.codes($0, c.format) },
                                 uniforms: (0...c.gammaMax).map { _ in rng.u32() })
        }
    }

    func testRisingAndFallingReferencesMatchGoldenIncludingCycles() throws {
        for (i, c) in Self.configs.enumerated() {
            let rounds = Self.rounds(c, count: 200, seed: 500 + UInt64(i))
            let r = try SamplingSimulator(config: c).compare(rounds)
            XCTAssertNil(r.disagreement, "V=\(c.vocab) L=\(c.lanes): \(r.disagreement!)")
            // Coin flips: both outcomes occur, so a wrong S on either side would move some decisions.
            let decided = zip(rounds, r.golden).map { $0.0.gamma > $0.1.accepted }
            XCTAssertGreaterThan(r.golden.map(\.accepted).reduce(0, +), 3, "V=\(c.vocab) L=\(c.lanes): accepts")
            XCTAssertGreaterThan(decided.filter { $0 }.count, 3, "V=\(c.vocab) L=\(c.lanes): rejects")
        }
    }
}
