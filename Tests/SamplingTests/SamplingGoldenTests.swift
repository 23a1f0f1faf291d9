import Foundation
import Golden
import XCTest

/// The fixed-point golden sampling verifier: exact vectors, the error bound against the float64 reference,
/// statistics (the emitted tokens follow the target), the on-chip uniform generator.
final class SamplingGoldenTests: XCTestCase {
    typealias FP = SamplingFixedPoint

    func round(_ c: VerifierConfig, gamma: Int, tokens: [Int], target: [[Double]], draft: [[Double]],
               uniforms: [UInt32], oneHot: Bool = false) -> RoundOutcome {
        SamplingVerifier.verify(SamplingRound(gamma: gamma, draftTokens: tokens,
                                              targetCodes: target.flatMap { Fixture.codes($0, c.format) },
                                              draftCodes: draft.flatMap { Fixture.codes($0, c.format) },
                                              uniforms: uniforms, oneHot: oneHot), config: c)
    }

    // MARK: the fixed-point row

    func testExpTableAndRowArithmetic() {
        XCTAssertEqual(FP.expTable[0], 1 << 28)
        XCTAssertEqual(FP.expTable.count, 128)
        XCTAssertTrue(FP.expTable.allSatisfy { $0 > (1 << 27) && $0 <= (1 << 28) })
        XCTAssertEqual(FP.expTable, FP.expTable.sorted(by: >))
        // A flat row: every entry equal, so every e is the same and S = V·e (no truncation across beats).
        let c = Fixture.config(vocab: 7, lanes: 3)
        let row = FP.row(Fixture.codes(Array(repeating: 1.5, count: 7)), config: c)
        XCTAssertEqual(Set(row.exps).count, 1)
        XCTAssertEqual(row.sum, 7 * row.exps[0])
        // y = floor(1.5·256·K / 2^(8+16−7)) = floor(384·K/2^17); ρ = ceil(y/128); e = EXP[ρ·128 − y] >> 0.
        let y = (384 * FP.log2e) >> 17
        XCTAssertEqual(row.reference, (y + 127) >> 7)
        XCTAssertEqual(row.exps[0], FP.expTable[Int(row.reference * 128 - y)])
        // The largest entry is always > 2^(E−1), so S > 0; ordering is kept.
        var rng = SplitMix64(seed: 5)
        for _ in 0..<50 {
            let logits = Fixture.randomLogits(&rng, 40, scale: 6)
            let r = FP.row(Fixture.codes(logits), config: Fixture.config(vocab: 40, lanes: 16))
            XCTAssertGreaterThan(r.exps.max()!, 1 << 27)
            XCTAssertGreaterThanOrEqual(r.sum, r.exps.max()!)
            XCTAssertLessThanOrEqual(r.sum, r.exps.reduce(0, +) + 40 + 2 * 3)
        }
    }

    // MARK: exact vectors

    func testEqualRowsAlwaysAccept() {
        let c = Fixture.config(vocab: 20, lanes: 16)
        var rng = SplitMix64(seed: 1)
        for trial in 0..<30 {
            let rows = (0...3).map { _ in Fixture.randomLogits(&rng, 20, scale: 1.5) }
            let tokens = (0..<3).map { _ in rng.below(20) }
            let us: [UInt32] = trial == 0 ? [.max, .max, .max, .max] : (0...3).map { _ in rng.u32() }
            let out = round(c, gamma: 3, tokens: tokens, target: rows, draft: Array(rows.prefix(3)), uniforms: us)
            XCTAssertEqual(out.accepted, 3, "t = d must accept every draft token")
            XCTAssertEqual(Array(out.emitted.prefix(3)), tokens)
            XCTAssertEqual(out.flags, [])
        }
    }

    func testZeroTargetProbabilityAlwaysRejects() {
        let c = Fixture.config(vocab: 10, lanes: 4)
        var target = Array(repeating: 1.0, count: 10)
        target[3] = -128   // the most negative code: e_t(3) = 0
        for u: UInt32 in [0, 1, 1 << 31, .max] {
            let out = round(c, gamma: 1, tokens: [3], target: [target, target], draft: [Array(repeating: 0, count: 10)],
                            uniforms: [u, u])
            XCTAssertEqual(out.accepted, 0)
            XCTAssertNotEqual(out.token, 3, "the residual max(0, t − d) has no mass at 3")
        }
    }

    func testAllAcceptedGivesTheBonusFromTheLastRow() {
        let c = Fixture.config(vocab: 33, lanes: 8)
        var rng = SplitMix64(seed: 2)
        let rows = (0..<4).map { _ in Fixture.randomLogits(&rng, 33, scale: 1) }
        var last = Array(repeating: -50.0, count: 33)
        last[29] = 50
        for _ in 0..<10 {
            let out = round(c, gamma: 4, tokens: [1, 2, 3, 4], target: rows + [last], draft: rows,
                            uniforms: (0...4).map { _ in rng.u32() })
            XCTAssertEqual(out.accepted, 4)
            XCTAssertEqual(out.token, 29)
            XCTAssertEqual(out.emitted, [1, 2, 3, 4, 29])
            XCTAssertEqual(out.rollback, 0)
        }
    }

    func testOneHotTargetRowsGiveTheirTokens() {
        let c = Fixture.config(vocab: 50, lanes: 16)
        var rng = SplitMix64(seed: 3)
        for _ in 0..<40 {
            let hot = (0...3).map { _ in rng.below(50) }
            let target = hot.map { h in (0..<50).map { $0 == h ? 60.0 : -60.0 } }
            let draft = (0..<3).map { _ in Fixture.randomLogits(&rng, 50, scale: 2) }
            // Draft tokens agree with the hot tokens for a random prefix, then differ.
            let agree = rng.below(4)
            let tokens = (0..<3).map { i in i < agree ? hot[i] : (hot[i] + 1 + rng.below(49)) % 50 }
            let out = round(c, gamma: 3, tokens: tokens, target: target, draft: draft, uniforms: (0...3).map { _ in rng.u32() })
            XCTAssertEqual(out.accepted, min(agree, 3))
            XCTAssertEqual(out.emitted, Array(hot.prefix(out.accepted + 1)))
            for oneHotMode in [true] {
                let o = round(c, gamma: 3, tokens: tokens, target: target, draft: [], uniforms: (0...3).map { _ in rng.u32() },
                              oneHot: oneHotMode)
                XCTAssertEqual(o.emitted, Array(hot.prefix(min(agree, 3) + 1)), "one-hot drafts")
            }
        }
    }

    func testResidualMassOnlyInTheLastPartialBeat() {
        // V = 7, L = 3: beats {0,1,2}, {3,4,5}, {6}. t puts more mass on 6 than d, and less everywhere else.
        let c = Fixture.config(vocab: 7, lanes: 3)
        let draft = Array(repeating: 0.0, count: 7)
        var target = draft
        target[6] = 3
        var rng = SplitMix64(seed: 4)
        for u in [UInt32(0), 1, .max] + (0..<20).map({ _ in rng.u32() }) {
            // Token 0: t(0) < d(0), rejected for u close to 1; always emits 6 when rejected.
            let out = round(c, gamma: 1, tokens: [0], target: [target, target], draft: [draft], uniforms: [.max, u])
            XCTAssertEqual(out.accepted, 0)
            XCTAssertEqual(out.token, 6)
            XCTAssertEqual(out.flags, [])
        }
    }

    func testGammaZeroSamplesTheRowByInverseCDF() {
        // V = 4, logits 0, 0, −128, 0: three equal weights and a zero. U = 0 → 0; U = max → 3; U ≈ 1/2 → 1.
        let c = Fixture.config(vocab: 4, lanes: 3)
        let row = [0.0, 0, -128, 0]
        func token(_ u: UInt32) -> Int { round(c, gamma: 0, tokens: [], target: [row], draft: [], uniforms: [u]).token }
        XCTAssertEqual(token(0), 0)
        XCTAssertEqual(token(.max), 3)
        XCTAssertEqual(token(1 << 31), 1)
        XCTAssertEqual(token(UInt32(0x5555_5555)), 0)   // just below 1/3
        XCTAssertEqual(token(UInt32(0x5555_5556)), 1)   // just above
        let out = round(c, gamma: 0, tokens: [], target: [row], draft: [], uniforms: [0])
        XCTAssertEqual(out.accepted, 0)
        XCTAssertEqual(out.emitted, [0])
    }

    func testResidualZeroFallsBackToTheTarget() {
        // t = d and x with e(x) = 0 in both: rejected, residual all zero → sample t, flag residual_zero.
        let c = Fixture.config(vocab: 6, lanes: 4)
        var row = [0.0, 1, 2, 0, 1, 0]
        row[5] = -128
        let out = round(c, gamma: 1, tokens: [5], target: [row, row], draft: [row], uniforms: [0, 0])
        XCTAssertEqual(out.accepted, 0)
        XCTAssertEqual(out.flags, [.residualZero])
        XCTAssertEqual(out.token, 0)
    }

    func testBadDraftAndBadGamma() {
        let c = Fixture.config(vocab: 8, lanes: 4, gammaMax: 2)
        let row = (0..<8).map { Double($0) / 4 }
        let bad = round(c, gamma: 2, tokens: [3, 9], target: [row, row, row], draft: [row, row], uniforms: [0, 0, 0])
        XCTAssertEqual(bad.accepted, 1)
        XCTAssertEqual(bad.flags, [.badDraft, .residualZero], "t = d leaves no residual")
        let g = round(c, gamma: 3, tokens: [7, 7], target: [row], draft: [], uniforms: [.max, 0, 0])
        XCTAssertEqual(g.accepted, 0)
        XCTAssertEqual(g.flags, [.badGamma])
        XCTAssertEqual(g.token, 7, "bad_gamma samples row 0 with U_0")
        XCTAssertEqual(g.rollback, 3)
    }

    // MARK: error bound

    /// Random and adversarial rows, random and boundary-seeking uniforms: wherever the fixed-point decision
    /// differs from the float64 reference (on the decoded codes), the reference's margin is within the bound.
    func testDecisionsDifferOnlyWithinTheErrorBound() {
        var rng = SplitMix64(seed: 42)
        var differ = 0, trials = 0, boundary = 0
        for (v, lanes) in [(16, 16), (100, 16), (1000, 16), (7, 3)] {
            let c = Fixture.config(vocab: v, lanes: lanes)
            for trial in 0..<(v >= 1000 ? 40 : 150) {
                let gamma = 1 + rng.below(3)
                let kind = trial % 4
                var target: [[Double]] = [], draft: [[Double]] = []
                for _ in 0...gamma {
                    let t = Fixture.randomLogits(&rng, v, scale: [0.5, 2, 4][rng.below(3)])
                    target.append(t)
                    switch kind {
                    case 0: draft.append(Fixture.randomLogits(&rng, v, scale: 2))
                    case 1: draft.append(t.map { -$0 })                                  // adversarial
                    case 2: draft.append(t.map { $0 + rng.normal() * 0.01 })             // t ≈ d: tiny residual
                    default: draft.append(t)
                    }
                }
                draft.removeLast()
                let tCodes = target.map { Fixture.codes($0) }, dCodes = draft.map { Fixture.codes($0) }
                let tProbs = tCodes.map { SamplingReference.softmax(Fixture.values($0)) }
                let dProbs = dCodes.map { SamplingReference.softmax(Fixture.values($0)) }
                let oneHot = trial % 5 == 4
                let tokens = (0..<gamma).map { rng.sample(oneHot ? tProbs[$0] : dProbs[$0]) }
                var us = (0...gamma).map { _ in rng.u32() }
                if trial % 3 == 0 {
                    // Put u_0 on the reference's acceptance boundary t/d, nudged by a few ulps of 2^-32.
                    let ratio = oneHot ? tProbs[0][tokens[0]] : tProbs[0][tokens[0]] / max(dProbs[0][tokens[0]], 1e-300)
                    if ratio < 1 {
                        us[0] = UInt32(max(0, min(4_294_967_295, (ratio * 4_294_967_296).rounded()
                            + Double(Int(rng.below(9)) - 4))))
                        boundary += 1
                    }
                }
                let fixed = SamplingVerifier.verify(SamplingRound(gamma: gamma, draftTokens: tokens,
                                                                  targetCodes: tCodes.flatMap { $0 },
                                                                  draftCodes: oneHot ? [] : dCodes.flatMap { $0 },
                                                                  uniforms: us, oneHot: oneHot), config: c)
                let ref = SamplingReference.decide(targetProbs: tProbs, draftProbs: dProbs, draftTokens: tokens,
                                                   uniforms: us, gamma: gamma, oneHot: oneHot)
                trials += 1
                if fixed.accepted != ref.accepted {
                    differ += 1
                    let i = min(fixed.accepted, ref.accepted)
                    XCTAssertLessThanOrEqual(ref.acceptMargins[i], FP.acceptanceBound(c, oneHot: oneHot),
                                             "V=\(v) trial \(trial): acceptance at \(i) differs outside the bound")
                } else if fixed.token != ref.token {
                    differ += 1
                    let bonusOrOneHot = ref.accepted == gamma || oneHot
                    let bound = FP.finalTokenBound(c, mass: ref.finalMass, bonusOrOneHot: bonusOrOneHot)
                    XCTAssertLessThanOrEqual(ref.finalMargin, bound,
                                             "V=\(v) trial \(trial): final token \(fixed.token) vs \(ref.token), mass \(ref.finalMass)")
                }
            }
        }
        XCTAssertGreaterThan(boundary, 50)
        print("error bound: \(differ) of \(trials) rounds differ from the float64 reference, all within the bound")
    }

    func testBoundFigures() {
        // By hand (R = 7): ε_a = 2^(2^−7 + 2^−9) − 1 = 0.006792, σ = (1.5·50257 + 2·3142 + 2)/(2^27 − 1.5·50257 − 2·3142 − 2)
        // = 0.000609 (the + 2: the even/odd merge's two shifts), η = 2^−8 + 2^−11·log2 e = 0.004611, ε_n = 1.006792·2^η/(1 − σ) − 1 = 0.010630;
        // Δ = ε_n + 1.5·2^−28, λ = ε_n + 1.5·50257·2^−28 = 0.010911.
        let c = Fixture.config(vocab: 50257, lanes: 16)
        XCTAssertEqual(FP.entryBound(c), 0.010630, accuracy: 2e-6)
        XCTAssertEqual(FP.l1Bound(c), 0.010911, accuracy: 2e-6)
        print(String(format: "bound V=50257 L=16 fixed16.8: eps_a %.5f, eps_n %.5f, Delta %.5f, lambda %.5f",
                     FP.quantisationError(c.format), FP.normalisationError(c), FP.entryBound(c), FP.l1Bound(c)))
    }

    /// ν ≥ y for every token, so the golden model's clamp of δ = ν − y at 0 (`normalised`) never acts on a token and
    /// the RTL needs none: S is at least the largest y's own exponential EXP[ρ·2^R − y], and ℓ is 2^R·log2(S/2^E),
    /// moved by under 0.1 by LOG's index, rounded to an integer, so not below −(ρ·2^R − y). Rows with one token far
    /// above the rest (S < 2^E, so ℓ < 0) at each of the 2^R offsets ρ·2^R − y, and random rows.
    func testNormalisedReferenceIsAtLeastEveryY() {
        let c = Fixture.config(vocab: 100, lanes: 16)
        guard case let .fixed(width, _) = c.format else { return XCTFail("a fixed format") }
        var rng = SplitMix64(seed: 12)
        var offsets = Set<Int64>()
        let peaked = (0..<512).map { i -> [Double] in
            var logits = [Double](repeating: -100, count: c.vocab)
            logits[3] = Double(i) / 256
            if i % 2 == 1 { logits[40] = logits[3] - 6 - Double(i % 7) }
            return logits
        }
        for logits in peaked + (0..<200).map({ _ in Fixture.randomLogits(&rng, c.vocab, scale: 3) }) {
            let codes = Fixture.codes(logits)
            let row = FP.row(codes, config: c)
            let ys = codes.map { FP.y($0, width: width, shift: FP.yShift(c.format)) }
            XCTAssertGreaterThanOrEqual(row.normalisedReference, ys.max()!, "ν below the largest y")
            offsets.insert((row.reference << Int64(FP.fractionBits)) - ys.max()!)
        }
        XCTAssertEqual(offsets.count, 1 << FP.fractionBits, "every offset ρ·2^R − y of the largest token")
    }

    /// Step 4: ℓ against log2 of the sum, and p̂ against the float64 softmax within Δ (per entry) and λ (L1).
    func testNormalisedExponentialsWithinTheBound() {
        XCTAssertEqual(FP.logTable.count, 1024)
        XCTAssertEqual(FP.logTable.first, 0)      // round(128·log2(1 + 0.5/1024)) = round(0.09)
        XCTAssertEqual(FP.logTable.last, 128)     // round(128·log2(2 − 0.5/1024)) = round(127.95)
        XCTAssertEqual(FP.logTable, FP.logTable.sorted())
        XCTAssertEqual(FP.logScale(sum: 1 << 28), 0)
        XCTAssertEqual(FP.logScale(sum: 1 << 29), 128)
        XCTAssertEqual(FP.logScale(sum: 3 << 27), 75)  // i = 512: round(128·log2(1 + 512.5/1024)) = 75 (exact 74.94)
        let eta = 128 * (exp2(-8) + exp2(-11) * log2(M_E))
        var rng = SplitMix64(seed: 9)
        for _ in 0..<2000 {
            let sum = (UInt64(1) << 27) + rng.next() % (UInt64(1) << 43)
            XCTAssertLessThanOrEqual(abs(Double(FP.logScale(sum: sum)) - 128 * log2(Double(sum) / exp2(28))), eta)
        }
        for (v, lanes, scale) in [(7, 3, 1.0), (100, 16, 4), (1000, 16, 2), (1000, 4, 8)] {
            let c = Fixture.config(vocab: v, lanes: lanes)
            for _ in 0..<10 {
                let codes = Fixture.codes(Fixture.randomLogits(&rng, v, scale: scale))
                let row = FP.row(codes, config: c)
                let p = SamplingReference.softmax(Fixture.values(codes))
                let errors = (0..<v).map { abs(Double(row.probs[$0]) / exp2(28) - p[$0]) }
                XCTAssertLessThanOrEqual(errors.max()!, FP.entryBound(c), "V=\(v): an entry outside Δ")
                XCTAssertLessThanOrEqual(errors.reduce(0, +), FP.l1Bound(c), "V=\(v): the row outside λ")
                XCTAssertEqual(row.normalisedReference, row.reference * 128 + FP.logScale(sum: row.sum))
            }
        }
    }

    // MARK: statistics

    struct StatCase {
        var name: String
        var vocab: Int
        var target: [[Double]]
        var draft: [[Double]]
    }

    /// Runs `trials` rounds with x_i ~ d_i and uniform U, returns per-position token counts and accepts at 0.
    func simulate(_ c: VerifierConfig, _ s: StatCase, trials: Int, oneHot: Bool, seed: UInt64)
        -> (counts: [[Int]], accept0: Int, tProbs: [[Double]], dProbs: [[Double]]) {
        let gamma = s.draft.count
        let tCodes = s.target.map { Fixture.codes($0) }, dCodes = s.draft.map { Fixture.codes($0) }
        let tRows = tCodes.map { FP.row($0, config: c) }, dRows = dCodes.map { FP.row($0, config: c) }
        let tProbs = tCodes.map { SamplingReference.softmax(Fixture.values($0)) }
        let dProbs = dCodes.map { SamplingReference.softmax(Fixture.values($0)) }
        var rng = SplitMix64(seed: seed)
        var counts = Array(repeating: Array(repeating: 0, count: s.vocab), count: gamma + 1)
        let samplers = dProbs.map(Sampler.init)
        var accept0 = 0
        let cache = SamplingWeightCache()
        for _ in 0..<trials {
            // One-hot mode: the proposer's tokens come from its own (here: the draft) distribution; d = δ(x).
            let tokens = (0..<gamma).map { samplers[$0].draw(&rng) }
            let us = (0...gamma).map { _ in rng.u32() }
            let out = SamplingVerifier.decide(gamma: gamma, draftTokens: tokens, uniforms: us, oneHot: oneHot, config: c,
                                              target: { tRows[$0] }, draft: { dRows[$0] }, cache: cache)
            for (i, tok) in out.emitted.enumerated() { counts[i][tok] += 1 }
            if out.accepted > 0 { accept0 += 1 }
        }
        return (counts, accept0, tProbs, dProbs)
    }

    func statCases(vocab v: Int, seed: UInt64) -> [StatCase] {
        var rng = SplitMix64(seed: seed)
        let gamma = 3
        let t = (0...gamma).map { _ in Fixture.randomLogits(&rng, v, scale: 1.5) }
        let near = t.prefix(gamma).map { $0.map { $0 + rng.normal() * 0.7 } }
        let other = (0..<gamma).map { _ in Fixture.randomLogits(&rng, v, scale: 1.5) }
        return [
            StatCase(name: "d close to t", vocab: v, target: t, draft: Array(near)),
            StatCase(name: "independent d", vocab: v, target: t, draft: other),
            StatCase(name: "adversarial d = -t", vocab: v, target: t, draft: t.prefix(gamma).map { $0.map { -$0 } }),
            StatCase(name: "peaked t", vocab: v, target: t.map { $0.map { $0 * 3 } }, draft: other),
        ]
    }

    func checkStatistics(vocab v: Int, trials: Int, seed: UInt64) {
        let c = Fixture.config(vocab: v, lanes: 16)
        for (k, s) in statCases(vocab: v, seed: seed).enumerated() {
            let r = simulate(c, s, trials: trials, oneHot: false, seed: seed &+ UInt64(k))
            for (i, counts) in r.counts.enumerated() {
                let n = counts.reduce(0, +)
                guard n >= 50 else { continue }
                let (chi2, dof) = ChiSquare.statistic(observed: counts, expected: r.tProbs[i].map { $0 * Double(n) })
                let crit = ChiSquare.critical(dof: dof)
                print(String(format: "chi2 V=%d %@ position %d: %.1f, dof %d, n %d, critical(p=1e-4) %.1f",
                             v, s.name, i, chi2, dof, n, crit))
                XCTAssertLessThan(chi2, crit, "V=\(v) \(s.name): position \(i) does not follow t (n = \(n))")
            }
            let alpha = zip(r.tProbs[0], r.dProbs[0]).reduce(0.0) { $0 + min($1.0, $1.1) }
            let sigma = (Double(trials) * alpha * (1 - alpha)).squareRoot()
            let dev = abs(Double(r.accept0) - alpha * Double(trials))
            print(String(format: "accept V=%d %@: %.4f measured, %.4f = sum min(t,d), %.2f sigma",
                         v, s.name, Double(r.accept0) / Double(trials), alpha, dev / max(sigma, 1e-9)))
            XCTAssertLessThan(dev, 5 * sigma + 1, "V=\(v) \(s.name): acceptance rate at position 0")
        }
    }

    func testStatisticsV16() { checkStatistics(vocab: 16, trials: 40_000, seed: 16) }

    func testStatisticsV1000() { checkStatistics(vocab: 1000, trials: 12_000, seed: 1000) }

    func testOneHotStatistics() {
        // One-hot drafts: tokens proposed from some distribution q, verified as if d = δ(x): still follows t.
        let v = 16
        let c = Fixture.config(vocab: v, lanes: 16)
        let s = statCases(vocab: v, seed: 77)[1]
        let r = simulate(c, s, trials: 30_000, oneHot: true, seed: 78)
        for (i, counts) in r.counts.enumerated() where i == 0 {
            let n = counts.reduce(0, +)
            let (chi2, dof) = ChiSquare.statistic(observed: counts, expected: r.tProbs[i].map { $0 * Double(n) })
            XCTAssertLessThan(chi2, ChiSquare.critical(dof: dof), "one-hot position 0")
        }
        // Acceptance at 0 is Σ_x q(x)·t(x).
        let alpha = zip(r.tProbs[0], r.dProbs[0]).reduce(0.0) { $0 + $1.0 * $1.1 }
        let sigma = (30_000 * alpha * (1 - alpha)).squareRoot()
        XCTAssertLessThan(abs(Double(r.accept0) - alpha * 30_000), 5 * sigma + 1)
    }

    // MARK: uniform generator

    func testUniformGeneratorIsUniformAndDecorrelated() {
        var counts = Array(repeating: 0, count: 64)
        var bits = Array(repeating: 0, count: 32)
        var pairs = Array(repeating: 0, count: 16)
        var previous: UInt32 = 0
        let n = 64_000
        for i in 0..<n {
            let u = SamplingUniformGenerator.uniform(seed: 0x1234_5678_9ABC_DEF0, round: UInt32(i / 8), position: i % 8)
            counts[Int(u >> 26)] += 1
            for b in 0..<32 where (u >> UInt32(b)) & 1 == 1 { bits[b] += 1 }
            if i > 0 { pairs[Int(previous >> 30) * 4 + Int(u >> 30)] += 1 }
            previous = u
        }
        let e = Double(n) / 64
        let (chi2, dof) = ChiSquare.statistic(observed: counts, expected: Array(repeating: e, count: 64))
        XCTAssertLessThan(chi2, ChiSquare.critical(dof: dof))
        let (chi2p, dofp) = ChiSquare.statistic(observed: pairs, expected: Array(repeating: Double(n - 1) / 16, count: 16))
        XCTAssertLessThan(chi2p, ChiSquare.critical(dof: dofp))
        for b in 0..<32 { XCTAssertLessThan(abs(Double(bits[b]) - Double(n) / 2), 5 * (Double(n) / 4).squareRoot()) }
        // Seeds and counters all matter.
        let a = SamplingUniformGenerator.uniform(seed: 1, round: 0, position: 0)
        XCTAssertNotEqual(a, SamplingUniformGenerator.uniform(seed: 2, round: 0, position: 0))
        XCTAssertNotEqual(a, SamplingUniformGenerator.uniform(seed: 1, round: 1, position: 0))
        XCTAssertNotEqual(a, SamplingUniformGenerator.uniform(seed: 1, round: 0, position: 1))
    }
}
