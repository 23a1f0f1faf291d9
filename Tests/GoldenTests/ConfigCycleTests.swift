import XCTest
@testable import Golden

final class ConfigCycleTests: XCTestCase {

    func testDerivedWidths() throws {
        let c = try VerifierConfig(vocab: 50_257, gammaMax: 8, lanes: 16, format: .fixed(width: 16, fraction: 8))
        XCTAssertEqual(c.beatsPerRow, 3142)          // 50257 / 16 = 3141.06 → 3142
        XCTAssertEqual(c.lanesInLastBeat, 1)         // 3141·16 = 50256
        XCTAssertEqual(c.tokenBits, 16)
        XCTAssertEqual(c.gammaBits, 4)               // 0…8
        XCTAssertEqual(c.laneIndexBits, 4)
        XCTAssertEqual(c.beatIndexBits, 12)          // 0…3141
        XCTAssertEqual(c.logitBits, 16)
        XCTAssertEqual(c.pipelineDepth, 10)

        let d = try VerifierConfig(vocab: 49_152, gammaMax: 7, lanes: 64, format: .bf16)
        XCTAssertEqual(d.beatsPerRow, 768)
        XCTAssertEqual(d.lanesInLastBeat, 64)
        XCTAssertEqual(d.gammaBits, 3)               // 0…7
        XCTAssertEqual(d.laneIndexBits, 6)

        func cfg(_ v: Int, _ g: Int, _ l: Int) throws -> VerifierConfig {
            try VerifierConfig(vocab: v, gammaMax: g, lanes: l, format: .fp32)
        }
        XCTAssertEqual(try cfg(2, 1, 1).tokenBits, 1)
        XCTAssertEqual(try cfg(2, 1, 1).gammaBits, 1)
        XCTAssertEqual(try cfg(2, 1, 1).laneIndexBits, 1)
        XCTAssertEqual(try cfg(2, 1, 1).beatsPerRow, 2)
        XCTAssertEqual(try cfg(3, 2, 1).tokenBits, 2)
        XCTAssertEqual(try cfg(3, 2, 1).gammaBits, 2)
        XCTAssertEqual(try cfg(65_536, 3, 17).tokenBits, 16)
        XCTAssertEqual(try cfg(65_537, 4, 17).tokenBits, 17)
        XCTAssertEqual(try cfg(65_537, 4, 17).gammaBits, 3)
        XCTAssertEqual(try cfg(65_537, 4, 17).laneIndexBits, 5)
        XCTAssertEqual(try cfg(262_144, 32, 3).tokenBits, 18)
        XCTAssertEqual(try cfg(262_144, 32, 3).gammaBits, 6)
        XCTAssertEqual(try cfg(262_144, 32, 3).beatsPerRow, 87_382)
        XCTAssertEqual(try cfg(10, 31, 64).gammaBits, 5)
        XCTAssertEqual(try cfg(10, 31, 64).beatsPerRow, 1)
        XCTAssertEqual(try cfg(10, 31, 64).lanesInLastBeat, 10)
    }

    func testValidationNamesTheParameter() {
        func message(_ v: Int, _ g: Int, _ l: Int, _ f: LogitFormat = .fp16) -> String? {
            do { _ = try VerifierConfig(vocab: v, gammaMax: g, lanes: l, format: f); return nil } catch {
                XCTAssertEqual((error as? GoldenError)?.kind, .config)
                return "\(error)"
            }
        }
        XCTAssertEqual(message(1, 4, 4), "vocab 1 out of range 2…262144")
        XCTAssertEqual(message(262_145, 4, 4), "vocab 262145 out of range 2…262144")
        XCTAssertEqual(message(100, 0, 4), "gamma-max 0 out of range 1…32")
        XCTAssertEqual(message(100, 33, 4), "gamma-max 33 out of range 1…32")
        XCTAssertEqual(message(100, 4, 0), "lanes 0 out of range 1…256")
        XCTAssertEqual(message(100, 4, 257), "lanes 257 out of range 1…256")
        let bad = message(100, 4, 4, .fixed(width: 40, fraction: 8))
        XCTAssertNotNil(bad)
        XCTAssertTrue(bad?.contains("fixed40.8") ?? false, bad ?? "")
        XCTAssertTrue(bad?.contains("8…32") ?? false, bad ?? "")
        XCTAssertTrue(message(100, 4, 4, .fixed(width: 16, fraction: 17))?.contains("0…16") ?? false)
        XCTAssertNil(message(2, 1, 1))
        XCTAssertNil(message(262_144, 32, 256, .fixed(width: 32, fraction: 32)))
    }

    func testPipelineDepth() {
        // Six stages around the tree, two per tree level of up to four lanes (at least one level).
        let expected = [1: 8, 2: 8, 3: 8, 4: 8, 5: 10, 8: 10, 9: 10, 16: 10, 17: 12, 32: 12, 33: 12, 64: 12, 65: 14, 128: 14, 256: 14]
        for (l, d) in expected { XCTAssertEqual(GreedyTiming.pipelineDepth(lanes: l), d, "L=\(l)") }
    }

    func testCycleModelHandWorkedSequence() throws {
        // V = 10, L = 4 → B = 3; D(4) = 2 + 6 = 8.
        let c = try VerifierConfig(vocab: 10, gammaMax: 3, lanes: 4, format: .fp16)
        // Round 0: γ=2, n=2: first beat 0, result 0 + 3·3 − 1 + 8 = 16, cycles 17; stream 9 beats.
        // Round 1: γ=0, n=0: first beat 9, result 9 + 3 − 1 + 8 = 19, cycles 11; stream 3 beats.
        // Round 2: γ=3, n=1: first beat 12, result 12 + 6 − 1 + 8 = 25, cycles 14; stream 12 beats.
        // Round 3: γ=1, n=0: first beat 24, result 24 + 3 − 1 + 8 = 34, cycles 11; stream 6 beats.
        // Round 4: γ=5 > Γ (bad_gamma), n=0: first beat 30, result 30 + 3 − 1 + 8 = 40, cycles 11; stream 18.
        // Round 5: γ=0, n=0: first beat 48, result 48 + 3 − 1 + 8 = 58, cycles 11.
        let t = CycleModel.predict(gammas: [2, 0, 3, 1, 5, 0], accepted: [2, 0, 1, 0, 0, 0], config: c)
        XCTAssertEqual(t, [
            RoundTiming(firstBeat: 0, result: 16, cycles: 17),
            RoundTiming(firstBeat: 9, result: 19, cycles: 11),
            RoundTiming(firstBeat: 12, result: 25, cycles: 14),
            RoundTiming(firstBeat: 24, result: 34, cycles: 11),
            RoundTiming(firstBeat: 30, result: 40, cycles: 11),
            RoundTiming(firstBeat: 48, result: 58, cycles: 11),
        ])
        XCTAssertEqual(CycleModel.idealCycles(accepted: [2, 0, 1, 0, 0, 0], config: c), [17, 11, 14, 11, 11, 11])
        XCTAssertEqual(CycleModel.idealCycles(accepted: 3, config: c), 20)
        XCTAssertEqual(CycleModel.streamBeats(gamma: 5, config: c), 18)

        // L = 1, V = 2: B = 2, D = 8.
        let one = try VerifierConfig(vocab: 2, gammaMax: 1, lanes: 1, format: .fixed(width: 8, fraction: 0))
        XCTAssertEqual(CycleModel.predict(gammas: [1, 1], accepted: [1, 0], config: one),
                       [RoundTiming(firstBeat: 0, result: 11, cycles: 12), RoundTiming(firstBeat: 4, result: 13, cycles: 10)])
    }

    func testCommitCounter() {
        var k = CommitCounter()
        XCTAssertEqual(k.advance(accepted: 2), 3)
        XCTAssertEqual(k.advance(by: RoundOutcome(accepted: 0, token: 1, rollback: 4, flags: [], emitted: [1])), 4)
        XCTAssertEqual(k.length, 4)
        XCTAssertEqual(k.total, 4)
        var w = CommitCounter(length: 0xFFFF_FFFE)
        XCTAssertEqual(w.advance(accepted: 2), 1)    // wraps at 32 bits
        XCTAssertEqual(w.total, 3)
    }

    func testReferenceGreedy() {
        let rows: [[Float]] = [[0.5, 2, -1, 2], [.nan, -3, -2, -.infinity], [-.infinity, .nan, -.infinity, -.infinity]]
        XCTAssertEqual(ReferenceGreedy.argmax(rows[0]), 1)   // tie 1/3 → 1
        XCTAssertEqual(ReferenceGreedy.argmax(rows[1]), 2)   // NaN as -inf
        XCTAssertEqual(ReferenceGreedy.argmax(rows[2]), 0)   // no finite maximum → 0
        XCTAssertEqual(ReferenceGreedy.argmax([-0.0, 0.0]), 0)
        XCTAssertEqual(ReferenceGreedy.argmax([0.0, -0.0]), 0)
        var r = ReferenceGreedy.decide(targetRows: rows, draftTokens: [1, 2], gamma: 2)
        XCTAssertEqual(r.accepted, 2); XCTAssertEqual(r.token, 0)
        r = ReferenceGreedy.decide(targetRows: rows, draftTokens: [1, 0], gamma: 2)
        XCTAssertEqual(r.accepted, 1); XCTAssertEqual(r.token, 2)
        r = ReferenceGreedy.decide(targetRows: rows, draftTokens: [4, 0], gamma: 2)
        XCTAssertEqual(r.accepted, 0); XCTAssertEqual(r.token, 1)
        r = ReferenceGreedy.decide(targetRows: [rows[0]], draftTokens: [], gamma: 0)
        XCTAssertEqual(r.accepted, 0); XCTAssertEqual(r.token, 1)
    }

    /// Where fixed point loses resolution, its argmax can differ from the float one (the point of the reference).
    func testFixedPointCanDifferFromReference() throws {
        let row: [Float] = [1.0, 1.001]
        XCTAssertEqual(ReferenceGreedy.argmax(row), 1)
        let f = LogitFormat.fixed(width: 16, fraction: 8)
        let codes = try LogitConverter.encode(row, format: f, arrayName: "target_logits")
        XCTAssertEqual(codes, [0x100, 0x100])                      // both round to 256
        XCTAssertEqual(GreedyVerifier.argmax(row: codes, format: f).index, 0)
        // fp32 agrees with the reference exactly.
        let raw = try LogitConverter.encode(row, format: .fp32, arrayName: "target_logits")
        XCTAssertEqual(GreedyVerifier.argmax(row: raw, format: .fp32).index, 1)
    }
}
