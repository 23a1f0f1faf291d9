import CoSim
import Golden
import XCTest

/// Hand-built rounds for the corner cases of the greedy rule, through the RTL and the golden model.
/// Expected decisions are written out here, not taken from the golden model.
final class GreedyVectorTests: XCTestCase {
    // V = 10 over L = 4 lanes: beats of 4, 4 and a partial 2.
    let fixed = try! VerifierConfig(vocab: 10, gammaMax: 4, lanes: 4, format: .fixed(width: 16, fraction: 8))
    let half = try! VerifierConfig(vocab: 10, gammaMax: 4, lanes: 4, format: .fp16)

    func row(_ c: VerifierConfig, _ values: [Float]) -> [UInt32] {
        values.map { LogitConverter.code(for: $0, format: c.format)! }
    }

    /// A row whose maximum 5.0 sits at `peak` (others small and distinct).
    func peaked(_ c: VerifierConfig, _ peak: Int) -> [UInt32] {
        row(c, (0..<c.vocab).map { $0 == peak ? 5 : Float($0) / 16 - 1 })
    }

    func run(_ c: VerifierConfig, _ rounds: [CoSimRound]) throws -> [HardwareRound] {
        let report = try CoSimulation.run(rounds, on: try GreedyCoSimTests.simulator(c))
        XCTAssertNil(report.disagreement, "\(report.disagreement!)")
        return report.hardware
    }

    func testAcceptAllMismatchesAndGammaZero() throws {
        let c = fixed
        let p = { self.peaked(c, $0) }
        let rounds = [
            RoundFactory.explicit(gamma: 4, tokens: [1, 2, 3, 4], rows: [p(1), p(2), p(3), p(4), p(9)]),  // all + bonus
            RoundFactory.explicit(gamma: 4, tokens: [0, 2, 3, 4], rows: [p(1), p(2), p(3), p(4), p(9)]),  // first
            RoundFactory.explicit(gamma: 4, tokens: [1, 2, 7, 4], rows: [p(1), p(2), p(3), p(4), p(9)]),  // middle
            RoundFactory.explicit(gamma: 4, tokens: [1, 2, 3, 5], rows: [p(1), p(2), p(3), p(4), p(9)]),  // last
            RoundFactory.explicit(gamma: 0, tokens: [], rows: [p(6)]),                                     // plain decode
            RoundFactory.explicit(gamma: 1, tokens: [8], rows: [p(8), p(0)]),                             // γ changes
        ]
        let hw = try run(c, rounds)
        XCTAssertEqual(hw.map(\.accepted), [4, 0, 2, 3, 0, 1])
        XCTAssertEqual(hw.map(\.token), [9, 1, 3, 4, 6, 0])
        XCTAssertEqual(hw.map(\.rollback), [0, 4, 2, 1, 0, 0])
        XCTAssertEqual(hw[0].emitted, [1, 2, 3, 4, 9])
        XCTAssertEqual(hw[2].emitted, [1, 2, 3])
        XCTAssertEqual(hw[4].emitted, [6])
        XCTAssertTrue(hw.allSatisfy { $0.flags.isEmpty })
    }

    func testTiesGoToTheLowestIndexInsideAndAcrossBeats() throws {
        let c = fixed
        var inBeat = [Float](repeating: 0, count: 10); inBeat[5] = 3; inBeat[6] = 3           // same beat (4…7)
        var acrossBeats = [Float](repeating: 0, count: 10); acrossBeats[3] = 3; acrossBeats[4] = 3  // beat 0 vs 1
        var lastBeat = [Float](repeating: 0, count: 10); lastBeat[7] = 3; lastBeat[9] = 3     // into the partial beat
        var onlyLast = [Float](repeating: -1, count: 10); onlyLast[8] = 2; onlyLast[9] = 2    // inside the partial beat
        let rounds = [inBeat, acrossBeats, lastBeat, onlyLast].map {
            RoundFactory.explicit(gamma: 0, tokens: [], rows: [row(c, $0)])
        }
        XCTAssertEqual(try run(c, rounds).map(\.token), [5, 3, 7, 8])
    }

    func testDraftTokenOutOfVocabularyNeverMatches() throws {
        let c = fixed  // tokens are 4 bits: 10…15 are representable but ≥ V
        let rounds = [RoundFactory.explicit(gamma: 2, tokens: [1, 12], rows: [peaked(c, 1), peaked(c, 2), peaked(c, 3)]),
                      RoundFactory.explicit(gamma: 3, tokens: [1, 2, 15], rows: [peaked(c, 0), peaked(c, 2), peaked(c, 3), peaked(c, 4)])]
        let hw = try run(c, rounds)
        XCTAssertEqual(hw.map(\.accepted), [1, 0])
        XCTAssertEqual(hw.map(\.token), [2, 0])
        XCTAssertTrue(hw.allSatisfy { $0.flags.contains(.badDraft) })  // flagged even when never reached
    }

    func testFloatSpecialValues() throws {
        let c = half
        let nan = c.format.quietNaNCode!
        let negInf = c.format.negativeInfinityCode, posInf = c.format.positiveInfinityCode
        let negZero = c.format.negativeZeroCode
        var withNaN = row(c, (0..<10).map { Float($0) / 10 }); withNaN[9] = nan           // NaN would be largest
        var zeros = row(c, [Float](repeating: -1, count: 10)); zeros[2] = negZero; zeros[4] = 0  // −0 == +0: lowest wins
        var infinite = row(c, [Float](repeating: 1, count: 10)); infinite[6] = posInf; infinite[7] = posInf
        let allNegInf = [UInt32](repeating: negInf, count: 10)
        var nanAndNegInf = allNegInf; nanAndNegInf[3] = nan
        let rounds = [withNaN, zeros, infinite, allNegInf, nanAndNegInf].map {
            RoundFactory.explicit(gamma: 0, tokens: [], rows: [$0])
        }
        let hw = try run(c, rounds)
        XCTAssertEqual(hw.map(\.token), [8, 2, 6, 0, 0])
        XCTAssertEqual(hw[0].flags, [.nanLogit])
        XCTAssertEqual(hw[1].flags, [])
        XCTAssertEqual(hw[2].flags, [])
        XCTAssertEqual(hw[3].flags, [.degenerateRow])
        XCTAssertEqual(hw[4].flags, [.degenerateRow, .nanLogit])
    }

    func testFlagsOfRowsAfterTheDecisionAreNotReported() throws {
        let c = half
        var late = peaked(c, 4); late[0] = c.format.quietNaNCode!
        let round = RoundFactory.explicit(gamma: 2, tokens: [9, 4], rows: [peaked(c, 1), late, peaked(c, 2)])
        let hw = try run(c, [round])
        XCTAssertEqual(hw[0].accepted, 0)
        XCTAssertEqual(hw[0].token, 1)
        XCTAssertEqual(hw[0].flags, [])
    }

    func testGammaAtItsMaximumAndBadGamma() throws {
        // Γ = 4 needs 3 command bits, so γ = 5…7 can be sent: flagged, nothing accepted, γ+1 rows consumed.
        let c = fixed
        let rows = (0...5).map { peaked(c, $0) }
        let rounds = [RoundFactory.explicit(gamma: 4, tokens: [0, 1, 2, 3], rows: Array(rows[0...4])),
                      RoundFactory.explicit(gamma: 5, tokens: [0, 1, 2, 3], rows: rows),
                      RoundFactory.explicit(gamma: 1, tokens: [7], rows: [peaked(c, 7), peaked(c, 8)])]
        let hw = try run(c, rounds)
        XCTAssertEqual(hw.map(\.accepted), [4, 0, 1])
        XCTAssertEqual(hw.map(\.token), [4, 0, 8])
        XCTAssertEqual(hw[1].flags, [.badGamma])
        XCTAssertEqual(hw[1].rollback, 5)
        XCTAssertEqual(hw[2].flags, [])  // the next round is unaffected
    }
}
