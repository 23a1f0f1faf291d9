import XCTest
@testable import Golden

final class GreedyTests: XCTestCase {
    /// fixed8.0 codes are plain 8-bit two's complement integers.
    private let fx = LogitFormat.fixed(width: 8, fraction: 0)
    private func c8(_ v: [Int]) -> [UInt32] { v.map { UInt32(UInt8(bitPattern: Int8($0))) } }

    private func config(v: Int = 5, gammaMax: Int = 4, lanes: Int = 2, format: LogitFormat? = nil) -> VerifierConfig {
        try! VerifierConfig(vocab: v, gammaMax: gammaMax, lanes: lanes, format: format ?? fx)
    }

    /// Rows with argmax 2, 4, 0, 1 (hand-made, values chosen so the maximum is unique).
    private var rows4: [[UInt32]] {
        [c8([1, -3, 9, 0, 8]),        // a0 = 2
         c8([-5, -4, -3, -2, -1]),    // a1 = 4
         c8([7, 6, 5, -128, 127 - 121]), // a2 = 0  (7 > 6)
         c8([-128, 127, 126, 0, 0])]  // a3 = 1
    }

    private func outcome(_ n: Int, _ token: Int, _ rollback: Int, _ flags: ResultFlags, _ emitted: [Int]) -> RoundOutcome {
        RoundOutcome(accepted: n, token: token, rollback: rollback, flags: flags, emitted: emitted)
    }

    func testAllAcceptedTakesBonusFromRowGamma() {
        let r = GreedyVerifier.verify(GreedyRound(gamma: 3, draftTokens: [2, 4, 0], targetRows: rows4), config: config())
        XCTAssertEqual(r, outcome(3, 1, 0, [], [2, 4, 0, 1]))
    }

    func testMismatchFirstMiddleLast() {
        let c = config()
        XCTAssertEqual(GreedyVerifier.verify(GreedyRound(gamma: 3, draftTokens: [1, 4, 0], targetRows: rows4), config: c),
                       outcome(0, 2, 3, [], [2]))
        XCTAssertEqual(GreedyVerifier.verify(GreedyRound(gamma: 3, draftTokens: [2, 3, 0], targetRows: rows4), config: c),
                       outcome(1, 4, 2, [], [2, 4]))
        XCTAssertEqual(GreedyVerifier.verify(GreedyRound(gamma: 3, draftTokens: [2, 4, 3], targetRows: rows4), config: c),
                       outcome(2, 0, 1, [], [2, 4, 0]))
    }

    func testGammaZeroIsPlainDecoding() {
        let r = GreedyVerifier.verify(GreedyRound(gamma: 0, draftTokens: [], targetRows: [c8([0, 0, 3, 3, 1])]),
                                      config: config())
        XCTAssertEqual(r, outcome(0, 2, 0, [], [2]))
        // Extra draft tokens beyond γ are ignored, even invalid ones.
        let r2 = GreedyVerifier.verify(GreedyRound(gamma: 0, draftTokens: [99], targetRows: [c8([0, 0, 3, 3, 1])]),
                                       config: config())
        XCTAssertEqual(r2, outcome(0, 2, 0, [], [2]))
    }

    func testTiesGoToLowestIndex() {
        XCTAssertEqual(GreedyVerifier.argmax(row: c8([5, 7, 7, 3, 7]), format: fx).index, 1)
        XCTAssertEqual(GreedyVerifier.argmax(row: c8([-3, -3, -3]), format: fx).index, 0)
        XCTAssertEqual(GreedyVerifier.argmax(row: c8([-128, -128]), format: fx).index, 0)
        XCTAssertEqual(GreedyVerifier.argmax(row: c8([-128, -127, -128]), format: fx).index, 1)
        XCTAssertEqual(GreedyVerifier.argmax(row: c8([127, 127]), format: fx).index, 0)
        let f = LogitFormat.fp16
        XCTAssertEqual(GreedyVerifier.argmax(row: [0x8000, 0x0000], format: f).index, 0, "-0 ties +0")
        XCTAssertEqual(GreedyVerifier.argmax(row: [0x0000, 0x8000], format: f).index, 0, "+0 ties -0")
        XCTAssertEqual(GreedyVerifier.argmax(row: [0xBC00, 0x8000, 0x0000], format: f).index, 1)
        XCTAssertEqual(GreedyVerifier.argmax(row: [0x3C00, 0x7C00, 0x7C00], format: f).index, 1, "+inf ties")
        // In a round: row 0 ties between 1 and 3 → a0 = 1, so draft 3 is rejected.
        let r = GreedyVerifier.verify(GreedyRound(gamma: 1, draftTokens: [3], targetRows: [c8([0, 4, 0, 4, 0]), c8([0, 0, 0, 0, 1])]),
                                      config: config())
        XCTAssertEqual(r, outcome(0, 1, 1, [], [1]))
    }

    func testDraftOutOfVocab() {
        let c = config()
        // x0 = 5 ≥ V: bad_draft and mismatch at 0.
        XCTAssertEqual(GreedyVerifier.verify(GreedyRound(gamma: 3, draftTokens: [5, 4, 0], targetRows: rows4), config: c),
                       outcome(0, 2, 3, .badDraft, [2]))
        // x1 = 77 is never reached (mismatch at 0) but still raises bad_draft.
        XCTAssertEqual(GreedyVerifier.verify(GreedyRound(gamma: 3, draftTokens: [1, 77, 0], targetRows: rows4), config: c),
                       outcome(0, 2, 3, .badDraft, [2]))
        // x2 = 5 after two matches: mismatch at 2.
        XCTAssertEqual(GreedyVerifier.verify(GreedyRound(gamma: 3, draftTokens: [2, 4, 5], targetRows: rows4), config: c),
                       outcome(2, 0, 1, .badDraft, [2, 4, 0]))
        // Entries at positions ≥ γ are not checked.
        XCTAssertEqual(GreedyVerifier.verify(GreedyRound(gamma: 2, draftTokens: [2, 4, 9, 9], targetRows: Array(rows4.prefix(3))), config: c),
                       outcome(2, 0, 0, [], [2, 4, 0]))
        // Negative tokens behave like ≥ V.
        XCTAssertEqual(GreedyVerifier.verify(GreedyRound(gamma: 3, draftTokens: [2, -4, 0], targetRows: rows4), config: c),
                       outcome(1, 4, 2, .badDraft, [2, 4]))
    }

    func testGammaAboveGammaMax() {
        let c = config(gammaMax: 2)
        // The drafts would all match, but with γ = 3 > Γ = 2 nothing is examined: n = 0, token = a0, rollback = γ.
        XCTAssertEqual(GreedyVerifier.verify(GreedyRound(gamma: 3, draftTokens: [2, 4, 0], targetRows: rows4), config: c),
                       outcome(0, 2, 3, .badGamma, [2]))
        // bad_draft is checked on the first min(γ, Γ) = 2 positions only.
        XCTAssertEqual(GreedyVerifier.verify(GreedyRound(gamma: 3, draftTokens: [2, 9, 0], targetRows: rows4), config: c),
                       outcome(0, 2, 3, [.badGamma, .badDraft], [2]))
        XCTAssertEqual(GreedyVerifier.verify(GreedyRound(gamma: 3, draftTokens: [2, 4, 9], targetRows: rows4), config: c),
                       outcome(0, 2, 3, .badGamma, [2]))
        // Only min(γ, Γ) draft tokens are required; only row 0 is read.
        XCTAssertEqual(GreedyVerifier.verify(GreedyRound(gamma: 7, draftTokens: [2, 4], targetRows: [rows4[0]]), config: c),
                       outcome(0, 2, 7, .badGamma, [2]))
        // Row 0's flags are reported with bad_gamma.
        let f = config(v: 3, gammaMax: 1, format: .fp16)
        XCTAssertEqual(GreedyVerifier.verify(GreedyRound(gamma: 2, draftTokens: [0, 0], targetRows: [[0xFC00, 0x7E00, 0xFC00], [0, 0, 0], [0, 0, 0]]), config: f),
                       outcome(0, 0, 2, [.badGamma, .nanLogit, .degenerateRow], [0]))
    }

    func testNaNRow() {
        let c = config(v: 3, format: .fp16)
        // row: NaN, -1, -2 → NaN treated as -inf → a = 1 (value -1), nan_logit.
        let r = GreedyVerifier.argmax(row: [0x7E00, 0xBC00, 0xC000], format: .fp16)
        XCTAssertEqual(r.index, 1); XCTAssertTrue(r.nan); XCTAssertFalse(r.degenerate)
        // Negative NaN and signalling NaN too, in fp32 and bf16.
        let s = GreedyVerifier.argmax(row: [0xBF80_0000, 0xFFC0_0001, 0x7F80_0001], format: .fp32)
        XCTAssertEqual(s.index, 0); XCTAssertTrue(s.nan); XCTAssertFalse(s.degenerate)
        let b = GreedyVerifier.argmax(row: [0x7FC1, 0xFF80, 0xFF7F], format: .bf16)   // NaN, -inf, -max
        XCTAssertEqual(b.index, 2); XCTAssertTrue(b.nan); XCTAssertFalse(b.degenerate)
        XCTAssertEqual(GreedyVerifier.verify(GreedyRound(gamma: 1, draftTokens: [1], targetRows: [[0x7E00, 0xBC00, 0xC000], [0, 0x3C00, 0]]), config: c),
                       outcome(1, 1, 0, .nanLogit, [1, 1]))
    }

    func testDegenerateRows() {
        let all = GreedyVerifier.argmax(row: [0xFC00, 0xFC00, 0xFC00], format: .fp16)
        XCTAssertEqual(all.index, 0); XCTAssertFalse(all.nan); XCTAssertTrue(all.degenerate)
        let mixed = GreedyVerifier.argmax(row: [0x7E00, 0xFC00, 0xFE00], format: .fp16)
        XCTAssertEqual(mixed.index, 0); XCTAssertTrue(mixed.nan); XCTAssertTrue(mixed.degenerate)
        let nans = GreedyVerifier.argmax(row: [0x7FC0_0000, 0x7FC0_0000], format: .fp32)
        XCTAssertEqual(nans.index, 0); XCTAssertTrue(nans.nan); XCTAssertTrue(nans.degenerate)
        // +inf is a legal maximum.
        let plus = GreedyVerifier.argmax(row: [0x7C00, 0x7C00], format: .fp16)
        XCTAssertEqual(plus.index, 0); XCTAssertFalse(plus.degenerate)
        let one = GreedyVerifier.argmax(row: [0xFF80, 0x7F80], format: .bf16)
        XCTAssertEqual(one.index, 1); XCTAssertFalse(one.degenerate)
        // A single -max finite value is not degenerate.
        let low = GreedyVerifier.argmax(row: [0xFC00, 0xFBFF, 0xFC00], format: .fp16)
        XCTAssertEqual(low.index, 1); XCTAssertFalse(low.degenerate)
        // Fixed formats never raise either flag, even for an all-most-negative row.
        let fixedRow = GreedyVerifier.argmax(row: c8([-128, -128]), format: fx)
        XCTAssertEqual(fixedRow.index, 0); XCTAssertFalse(fixedRow.nan); XCTAssertFalse(fixedRow.degenerate)
        // In a round: degenerate row 0 picks 0; draft 0 matches it.
        let c = config(v: 3, format: .fp16)
        XCTAssertEqual(GreedyVerifier.verify(GreedyRound(gamma: 1, draftTokens: [0], targetRows: [[0xFC00, 0xFC00, 0xFC00], [0, 0, 0x3C00]]), config: c),
                       outcome(1, 2, 0, .degenerateRow, [0, 2]))
    }

    func testFlagsOnlyFromRowsUpToTheDecision() {
        let c = config(v: 3, format: .fp16)
        // Row 0 decides (mismatch), rows 1 and 2 have NaN / all -inf: no flags.
        let rows: [[UInt32]] = [[0, 0x3C00, 0], [0x7E00, 0, 0], [0xFC00, 0xFC00, 0xFC00]]
        XCTAssertEqual(GreedyVerifier.verify(GreedyRound(gamma: 2, draftTokens: [0, 0], targetRows: rows), config: c),
                       outcome(0, 1, 2, [], [1]))
        // Row 1 decides: its NaN is reported, row 2's degeneracy is not.
        XCTAssertEqual(GreedyVerifier.verify(GreedyRound(gamma: 2, draftTokens: [1, 2], targetRows: rows), config: c),
                       outcome(1, 1, 1, .nanLogit, [1, 1]))
        // All accepted: row 2 (bonus) is inspected.
        XCTAssertEqual(GreedyVerifier.verify(GreedyRound(gamma: 2, draftTokens: [1, 1], targetRows: rows), config: c),
                       outcome(2, 0, 0, [.nanLogit, .degenerateRow], [1, 1, 0]))
        // Earlier accepted rows' flags are kept.
        let rows2: [[UInt32]] = [[0x7E00, 0x3C00, 0], [0, 0, 0x3C00]]
        XCTAssertEqual(GreedyVerifier.verify(GreedyRound(gamma: 1, draftTokens: [1], targetRows: rows2), config: c),
                       outcome(1, 2, 0, .nanLogit, [1, 2]))
    }

    func testFlatBufferFormMatchesRows() {
        let c = config()
        let flat = rows4.flatMap { $0 }
        for draft in [[2, 4, 0], [1, 4, 0], [2, 3, 0], [2, 4, 3], [9, 9, 9]] {
            let a = GreedyVerifier.verify(GreedyRound(gamma: 3, draftTokens: draft, targetRows: rows4), config: c)
            let b = flat.withUnsafeBufferPointer {
                GreedyVerifier.verify(gamma: 3, draftTokens: draft, targetCodes: $0, config: c)
            }
            XCTAssertEqual(a, b)
        }
    }

    func testResultFlagNames() {
        XCTAssertEqual(ResultFlags.badDraft.rawValue, 1)
        XCTAssertEqual(ResultFlags.badGamma.rawValue, 2)
        XCTAssertEqual(ResultFlags.nanLogit.rawValue, 4)
        XCTAssertEqual(ResultFlags.degenerateRow.rawValue, 8)
        XCTAssertEqual(ResultFlags.rowLength.rawValue, 16)
        XCTAssertEqual(ResultFlags.residualZero.rawValue, 32)
        XCTAssertEqual(ResultFlags(rawValue: 0x3F).names,
                       ["bad_draft", "bad_gamma", "nan_logit", "degenerate_row", "row_length", "residual_zero"])
        XCTAssertEqual(([.degenerateRow, .badDraft] as ResultFlags).names, ["bad_draft", "degenerate_row"])
        XCTAssertEqual(ResultFlags([]).names, [])
        XCTAssertEqual(ResultFlags(names: ["nan_logit", "bad_gamma"]), [.nanLogit, .badGamma])
        XCTAssertNil(ResultFlags(names: ["nope"]))
    }

    /// Argmax on codes agrees with argmax on decoded values (NaN → -inf, ties lowest) on random rows.
    func testArgmaxMatchesDecodedValues() {
        var rng = SplitMix64(seed: 5)
        for format in [LogitFormat.fp16, .bf16, .fp32, .fixed(width: 10, fraction: 2), .fixed(width: 32, fraction: 8)] {
            for _ in 0..<300 {
                let n = Int.random(in: 1...40, using: &rng)
                // A small pool of codes so that ties, ±0, NaN and ±inf all occur.
                let pool: [UInt32] = (0..<6).map { _ in UInt32.random(in: 0...format.mask, using: &rng) }
                    + [format.negativeInfinityCode, format.positiveInfinityCode, format.negativeZeroCode, 0,
                       format.quietNaNCode ?? 0]
                let row = (0..<n).map { _ in pool.randomElement(using: &rng)! }
                let values = row.map { c -> Double in
                    let v = LogitConverter.decode(code: c, format: format)
                    return v.isNaN ? -.infinity : v
                }
                var best = 0
                for i in 1..<n where values[i] > values[best] { best = i }
                let r = GreedyVerifier.argmax(row: row, format: format)
                XCTAssertEqual(r.index, best, "\(format) \(row)")
                XCTAssertEqual(r.nan, row.contains { format.isNaN($0) })
                XCTAssertEqual(r.degenerate, format.isFloat && values[best] == -.infinity)
            }
        }
    }

    /// Rows of 50 257 codes: the verifier must be fast (tight loop, no per-element allocation).
    func testSpeedOnRealSizedRows() {
        let c = try! VerifierConfig(vocab: 50_257, gammaMax: 8, lanes: 16, format: .fixed(width: 16, fraction: 8))
        var rng = SplitMix64(seed: 1)
        let rows = (0..<9).map { _ in (0..<50_257).map { _ in UInt32.random(in: 0...0xFFFF, using: &rng) } }
        let argmaxes = rows.map { GreedyVerifier.argmax(row: $0, format: c.format).index }
        let round = GreedyRound(gamma: 8, draftTokens: Array(argmaxes.prefix(8)), targetRows: rows)
        let start = ContinuousClock.now
        var total = 0
        for _ in 0..<10 { total += GreedyVerifier.verify(round, config: c).accepted }
        let elapsed = ContinuousClock.now - start
        XCTAssertEqual(total, 80)
        // 10 rounds × 9 rows × 50 257 codes ≈ 4.5 M keys; generous even for a debug build on a shared machine.
        XCTAssertLessThan(elapsed, .seconds(10))
    }
}
