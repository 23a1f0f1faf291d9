import CoSim
import Golden
import Trace
import XCTest

/// The stream-level golden model on its own: it equals the round-level golden model on well-formed streams and
/// follows the documented semantics on hand-worked misframed rows.
final class StreamGoldenTests: XCTestCase {
    let c = Reliability.fixed  // V = 10, L = 4: B = 3 beats, the last with 2 valid lanes

    func code(_ x: Float) -> UInt32 { LogitConverter.code(for: x, format: c.format)! }

    /// A row whose maximum 5 is at `peak`, other entries small and distinct.
    func peaked(_ peak: Int) -> [UInt32] { (0..<c.vocab).map { code($0 == peak ? 5 : Float($0) / 16 - 1) } }

    func testEqualsTheRoundGoldenOnWellFormedStreams() throws {
        for config in [Reliability.fixed, Reliability.half, Reliability.brain, Reliability.single] {
            var gen = ScenarioGenerator(config, seed: 5, faults: .init(special: 0.05, degenerateRow: 0.05, badDraft: 0.1, badGamma: 0.1))
            for _ in 0..<300 {
                let (cmd, beats) = gen.round()
                let codes = StreamScenario(commands: [cmd], beats: beats).rows.flatMap { row in
                    row.beats.flatMap { $0.codes }.prefix(config.vocab)
                }
                let round = CoSimRound(gamma: cmd.gamma, draftTokens: cmd.draftTokens, codes: codes)
                let golden = CoSimulation.golden([round], config: config)[0]
                let stream = try StreamGolden.expect(StreamScenario(rounds: [round], config: config), config: config)[0]
                XCTAssertEqual(stream.outcome, golden, "\(config.format) γ=\(cmd.gamma)")
                XCTAssertEqual(stream.idealCycles, CycleModel.idealCycles(accepted: golden.accepted, config: config))
                XCTAssertEqual(stream.streamBeats, CycleModel.streamBeats(gamma: cmd.gamma, config: config))
            }
        }
    }

    func testShortRowTakesTheArgmaxOfWhatArrived() throws {
        // Row 0 of γ = 1 cut to one beat (tokens 0…3): its maximum 5 at token 6 never arrives.
        var row0 = peaked(6)
        row0[2] = code(3)  // the best of what arrives
        let round = CoSimRound(gamma: 1, draftTokens: [2, 0], codes: row0 + peaked(7))
        let s = ProtocolFault.resizeRow(StreamScenario(rounds: [round], config: c), row: 0, beats: 1, config: c)
        XCTAssertEqual(s.beats.map(\.last), [true, false, false, true])
        let e = try StreamGolden.expect(s, config: c)[0]
        XCTAssertEqual(e.outcome.accepted, 1)       // x_0 = 2 matches the short row's argmax
        XCTAssertEqual(e.outcome.token, 7)
        XCTAssertEqual(e.outcome.flags, [.rowLength])
        XCTAssertEqual(e.beatsThroughDecision, 4)
        XCTAssertEqual(e.streamBeats, 4)
    }

    func testLongRowIgnoresBeatsPastB() throws {
        // Row 0 of γ = 0 framed with 5 beats, the extra two full of +max codes: they carry no token.
        let round = CoSimRound(gamma: 0, draftTokens: [], codes: peaked(9))
        let s = ProtocolFault.resizeRow(StreamScenario(rounds: [round], config: c), row: 0, beats: 5,
                                        fill: c.format.positiveInfinityCode, config: c)
        let e = try StreamGolden.expect(s, config: c)[0]
        XCTAssertEqual(e.outcome.token, 9)
        XCTAssertEqual(e.outcome.flags, [.rowLength])
        XCTAssertEqual(e.beatsThroughDecision, 5)
    }

    func testRowLengthOfRowsAfterTheDecisionIsNotReported() throws {
        // n = 0 (x_0 = 3 ≠ 1): row 1 is after the decisive row, so its bad framing is not reported.
        let round = CoSimRound(gamma: 2, draftTokens: [3, 2], codes: peaked(1) + peaked(2) + peaked(3))
        let s = ProtocolFault.resizeRow(StreamScenario(rounds: [round], config: c), row: 1, beats: 2, config: c)
        let e = try StreamGolden.expect(s, config: c)[0]
        XCTAssertEqual(e.outcome.accepted, 0)
        XCTAssertEqual(e.outcome.flags, [])
        XCTAssertEqual(e.streamBeats, 8)
    }

    func testRejectsStreamsWhoseRowsDoNotMatchTheCommands() {
        let round = CoSimRound(gamma: 1, draftTokens: [0], codes: peaked(1) + peaked(2))
        var s = StreamScenario(rounds: [round], config: c)
        s.beats.removeLast()
        XCTAssertThrowsError(try StreamGolden.expect(s, config: c))
    }
}
