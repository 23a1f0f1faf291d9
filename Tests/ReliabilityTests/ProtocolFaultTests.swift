import CoSim
import Golden
import Trace
import XCTest

/// Protocol faults driven into the Verilated RTL: misframed rows, bad commands, NaN bit patterns, producer gaps,
/// reset in the middle of a round and consumers that stall for thousands of cycles.
final class ProtocolFaultTests: XCTestCase {
    let c = Reliability.fixed  // V = 10, L = 4 (B = 3), Γ = 4, fixed16.8

    func code(_ x: Float, _ config: VerifierConfig? = nil) -> UInt32 {
        LogitConverter.code(for: x, format: (config ?? c).format)!
    }

    /// A row whose maximum 5 is at `peak`, other entries small and distinct (increasing with the index).
    func peaked(_ peak: Int, _ config: VerifierConfig? = nil) -> [UInt32] {
        let cfg = config ?? c
        return (0..<cfg.vocab).map { code($0 == peak ? 5 : Float($0) / 16 - 1, cfg) }
    }

    @discardableResult
    func run(_ s: StreamScenario, _ config: VerifierConfig? = nil, pressure: StreamPressure = .none,
             file: StaticString = #filePath, line: UInt = #line) throws -> ScenarioReport {
        let cfg = config ?? c
        let r = try ScenarioRunner.run(s, on: try Reliability.simulator(cfg), pressure: pressure)
        XCTAssertNil(r.disagreement, "\(cfg.format) V=\(cfg.vocab) L=\(cfg.lanes): \(r.disagreement!)", file: file, line: line)
        return r
    }

    // MARK: rows with tlast early or late

    func testEarlyAndLateTlastOnEveryRowOfARound() throws {
        // Round 0: γ = 3, x = [1, 5, 2]: row 1's argmax is 2, so n = 1 and row 1 is decisive. Every peak sits in
        // beat 0, so cutting a row to one beat keeps its argmax. Rounds 1 and 2 are well formed.
        let round0 = CoSimRound(gamma: 3, draftTokens: [1, 5, 2], codes: [1, 2, 3, 0].flatMap { peaked($0) })
        let round1 = CoSimRound(gamma: 2, draftTokens: [3, 1], codes: [3, 1, 8].flatMap { peaked($0) })
        let round2 = CoSimRound(gamma: 0, draftTokens: [], codes: peaked(9))
        let wellFormed = CoSimulation.golden([round1, round2], config: c)
        let base = StreamScenario(rounds: [round0, round1, round2], config: c)
        for row in 0...3 {
            for beats in [1, 2, 4, 5, 9] {
                let s = ProtocolFault.resizeRow(base, row: row, beats: beats, fill: c.format.positiveInfinityCode, config: c)
                let report = try run(s)
                let hw = report.hardware
                XCTAssertEqual(hw[0].accepted, 1, "row \(row) with \(beats) beats")
                XCTAssertEqual(hw[0].token, 2)
                XCTAssertEqual(hw[0].flags.contains(.rowLength), row <= 1, "row \(row) with \(beats) beats: \(hw[0].flags)")
                XCTAssertEqual(hw[0].flags.subtracting(.rowLength), [])
                // The rows after the fault stay aligned: the next rounds are exactly the well-formed decisions.
                XCTAssertTrue(sameDecisions(Array(hw[1...]), wellFormed), "row \(row) with \(beats) beats: \(hw)")
            }
        }
    }

    func testAShortRowDecidesOnWhatArrived() throws {
        // Row 0's maximum (token 6, x_0 = 6) is in beat 1; cut to one beat the row's argmax becomes 3.
        let round = CoSimRound(gamma: 1, draftTokens: [6], codes: peaked(6) + peaked(4))
        let s = ProtocolFault.resizeRow(StreamScenario(rounds: [round], config: c), row: 0, beats: 1, config: c)
        let hw = try run(s).hardware[0]
        XCTAssertEqual(hw.accepted, 0)
        XCTAssertEqual(hw.token, 3)
        XCTAssertEqual(hw.flags, [.rowLength])
        XCTAssertEqual(hw.cycles, 1 + GreedyTiming.pipelineDepth(lanes: c.lanes), "decided after the one beat")
    }

    func testRandomMisframedStreamsMatchTheStreamGolden() throws {
        let faults = ScenarioGenerator.Faults(special: 0.05, degenerateRow: 0.05, badDraft: 0.1, badGamma: 0.1, rowLength: 0.25)
        for (i, config) in [Reliability.fixed, Reliability.half, Reliability.brain, Reliability.single].enumerated() {
            var gen = ScenarioGenerator(config, seed: 900 + UInt64(i), faults: faults)
            let s = gen.scenario(rounds: config.gammaMax > 8 ? 12 : 50)
            let report = try run(s, config)
            XCTAssertGreaterThan(report.expected.filter { $0.outcome.flags.contains(.rowLength) }.count, 0, "\(config.format)")
            try run(s, config, pressure: StreamPressure(producerGap: 0.3, consumerReady: 0.5, seed: 3))
        }
    }

    // MARK: bad commands

    func testGammaAboveGammaMaxEverySendableValue() throws {
        var s = StreamScenario()
        var expectedTokens: [Int] = []
        for gamma in 5...7 {  // Γ = 4: γ = 5…7 fit the 3-bit field
            let rows = (0...gamma).map { peaked(($0 + gamma) % 10) }
            s.append(CoSimRound(gamma: gamma, draftTokens: [gamma % 10, 1, 2, 3], codes: rows.flatMap { $0 }), config: c)
            expectedTokens.append(gamma % 10)
            s.append(CoSimRound(gamma: 1, draftTokens: [7], codes: peaked(7) + peaked(8)), config: c)
        }
        // γ > Γ with a bad draft token at position Γ−1: every Γ position is checked.
        s.append(CoSimRound(gamma: 6, draftTokens: [0, 1, 2, 13], codes: (0...6).flatMap { peaked($0) }), config: c)
        let hw = try run(s).hardware
        for k in 0..<3 {
            let bad = hw[2 * k], next = hw[2 * k + 1]
            XCTAssertEqual(bad.flags, [.badGamma])
            XCTAssertEqual(bad.accepted, 0)
            XCTAssertEqual(bad.rollback, 5 + k)
            XCTAssertEqual(bad.token, expectedTokens[k])  // row 0's argmax even though x_0 equals it
            XCTAssertEqual(bad.emitted, [expectedTokens[k]])
            XCTAssertEqual(next.flags, [])
            XCTAssertEqual(next.accepted, 1)
            XCTAssertEqual(next.emitted, [7, 8])
        }
        XCTAssertEqual(hw[6].flags, [.badDraft, .badGamma])
    }

    func testDraftTokensAtOrAboveVocab() throws {
        var s = StreamScenario()
        // Bad token at each position i < γ (10…15 fit the 4-bit field): flagged whether or not it is reached.
        for i in 0..<4 {
            var tokens = [1, 2, 3, 4]
            tokens[i] = 10 + i + (i % 2) * 2
            s.append(CoSimRound(gamma: 4, draftTokens: tokens, codes: [1, 2, 3, 4, 5].flatMap { peaked($0) }), config: c)
        }
        // At or past γ a bad token is ignored; with γ = 0 every field is ignored.
        s.append(CoSimRound(gamma: 2, draftTokens: [1, 2, 15, 15], codes: [1, 2, 3].flatMap { peaked($0) }), config: c)
        s.append(CoSimRound(gamma: 0, draftTokens: [15, 15, 15, 15], codes: peaked(0)), config: c)
        let hw = try run(s).hardware
        XCTAssertEqual(hw.map(\.accepted), [0, 1, 2, 3, 2, 0])
        XCTAssertEqual(hw.map(\.token), [1, 2, 3, 4, 3, 0])
        XCTAssertEqual(hw.map { $0.flags.contains(.badDraft) }, [true, true, true, true, false, false])
        XCTAssertTrue(hw.allSatisfy { $0.emitted.allSatisfy { $0 < 10 } })
    }

    // MARK: NaN bit patterns

    func nanPatterns(_ f: LogitFormat) -> [UInt32] {
        switch f {
        case .fp16: return [0x7E00, 0xFE00, 0x7C01, 0xFC01, 0x7FFF, 0xFFFF, 0x7D55]
        case .bf16: return [0x7FC0, 0xFFC0, 0x7F81, 0xFF81, 0x7FFF, 0xFFFF]
        case .fp32: return [0x7FC0_0000, 0xFFC0_0000, 0x7F80_0001, 0xFF80_0001, 0x7FFF_FFFF, 0xFFFF_FFFF, 0x7FA5_A5A5]
        case .fixed: return []
        }
    }

    func testEveryNaNBitPatternCountsAsMinusInfinityOnlyInsideTheRow() throws {
        for config in [Reliability.half, Reliability.brain, Reliability.single] {
            let f = config.format, v = config.vocab
            let nans = nanPatterns(f)
            var s = StreamScenario()
            var expected: [(token: Int, flags: ResultFlags)] = []
            for (k, nan) in nans.enumerated() {
                // The NaN sits where it would win as a plain bit pattern; the finite maximum is elsewhere.
                var row = (0..<v).map { code(Float($0 % 7) / 8, config) }
                let best = (k * 3 + 1) % v
                row[best] = code(3, config)
                let at = (best + 1 + k) % v
                if at != best { row[at] = nan }
                s.append(CoSimRound(gamma: 0, draftTokens: [], codes: row), config: config)
                expected.append((best, at != best ? [.nanLogit] : []))
                // Every entry NaN or −inf: degenerate, token 0.
                let dead = (0..<v).map { $0 % 2 == k % 2 ? nan : f.negativeInfinityCode }
                s.append(CoSimRound(gamma: 0, draftTokens: [], codes: dead), config: config)
                expected.append((0, [.nanLogit, .degenerateRow]))
            }
            // NaN in lanes past V of the last beat (no token there): no flag.
            if config.lanesInLastBeat < config.lanes {
                var padded = StreamScenario.rowBeats(peaked(v - 1, config), config: config)
                padded[padded.count - 1].codes += Array(repeating: nans[0], count: config.lanes - config.lanesInLastBeat)
                s.commands.append(StreamCommand(gamma: 0, draftTokens: []))
                s.beats += padded
                expected.append((v - 1, []))
            }
            // NaN in beats past B of a long row: only row_length.
            var long = StreamScenario.rowBeats(peaked(0, config), config: config)
            long[long.count - 1].last = false
            long.append(LogitBeat(codes: Array(repeating: nans[nans.count - 1], count: config.lanes), last: true))
            s.commands.append(StreamCommand(gamma: 0, draftTokens: []))
            s.beats += long
            expected.append((0, [.rowLength]))
            let hw = try run(s, config).hardware
            XCTAssertEqual(hw.map(\.token), expected.map(\.token), "\(f)")
            XCTAssertEqual(hw.map(\.flags), expected.map(\.flags), "\(f)")
        }
    }

    // MARK: gaps and back-pressure

    func testProducerGapsMidRowAndLateCommandsChangeNothing() throws {
        for config in [Reliability.fixed, Reliability.half] {
            var gen = ScenarioGenerator(config, seed: 31, faults: .soak)
            let s = gen.scenario(rounds: 40)
            let ideal = try run(s, config).hardware
            for (gap, ready) in [(0.9, 1.0), (0.6, 0.4), (0.97, 0.97)] {
                let hw = try run(s, config, pressure: StreamPressure(producerGap: gap, consumerReady: ready, seed: 17)).hardware
                XCTAssertTrue(sameDecisions(hw, ideal), "gap \(gap) ready \(ready)")
                XCTAssertTrue(zip(hw, ideal).allSatisfy { $0.cycles >= $1.cycles }, "stalls only add cycles")
            }
        }
    }

    func testConsumersStalledForThousandsOfCycles() throws {
        let sim = try Reliability.simulator(c)
        var gen = ScenarioGenerator(c, seed: 44, faults: .soak)
        let s = gen.scenario(rounds: 25)
        let expected = try StreamGolden.expect(s, config: c)
        let stall: UInt64 = 5000
        for (name, stallResults, stallTokens) in [("results", true, false), ("tokens", false, true), ("both", true, true)] {
            try sim.model.reset()
            let driver = try CycleDriver(sim)
            driver.enqueue(s)
            driver.resultReadySchedule = { !stallResults || $0 >= stall }
            driver.tokensReadySchedule = { !stallTokens || $0 >= stall }
            try driver.run(cycles: Int(stall))
            // The pipeline is full and the producer is held off: tready is low and stayed low for thousands of cycles.
            XCTAssertFalse(driver.logitsReadyNow, "\(name): s_axis_logits_tready should be low while stalled")
            XCTAssertGreaterThan(driver.logitStallCycles, stall - 200, "\(name)")
            XCTAssertLessThan(driver.logitHandshakes.count, s.beats.count, "\(name): the producer must be stalled")
            if stallResults { XCTAssertEqual(driver.results.count, 0, name) }
            let tokensNeeded = expected.reduce(0) { $0 + $1.outcome.emitted.count }
            XCTAssertTrue(try driver.run(until: { driver.results.count == expected.count && driver.tokens.count == tokensNeeded },
                                         limit: 20_000), "\(name): results \(driver.results.count)/\(expected.count)")
            try driver.run(cycles: 100)  // nothing more may come out
            XCTAssertEqual(driver.results.count, expected.count, "\(name): no duplicate result")
            XCTAssertEqual(driver.tokens.count, tokensNeeded, "\(name): no duplicate token")
            XCTAssertTrue(driver.beats.isEmpty && driver.commands.isEmpty, "\(name): every beat consumed")
            let got = driver.receivedRounds()
            for (r, e) in expected.enumerated() {
                XCTAssertEqual(got[r].accepted, e.outcome.accepted, "\(name) round \(r)")
                XCTAssertEqual(got[r].token, e.outcome.token, "\(name) round \(r)")
                XCTAssertEqual(got[r].rollback, e.outcome.rollback, "\(name) round \(r)")
                XCTAssertEqual(got[r].flags, e.outcome.flags, "\(name) round \(r)")
                XCTAssertEqual(got[r].emitted, e.outcome.emitted, "\(name) round \(r)")
            }
            var counter = CommitCounter()
            for e in expected { counter.advance(by: e.outcome) }
            XCTAssertEqual(driver.committedLength, counter.length, name)
            XCTAssertEqual(driver.outputProtocolViolations, [], name)
        }
    }

    // MARK: reset in the middle of a round

    func testResetInTheMiddleOfARoundLeavesNothingStale() throws {
        let sim = try Reliability.simulator(c)
        var gen = ScenarioGenerator(c, seed: 8, faults: .soak)
        let before = gen.scenario(rounds: 6)
        let after = gen.scenario(rounds: 12)
        let d = GreedyTiming.pipelineDepth(lanes: c.lanes)
        // Cuts: inside the first row, inside the pipeline, mid-round, and late; consumers ready or stalled
        // (stalled: results and tokens wait in the output FIFOs when reset comes).
        for cut in [1, 2, d, 7, 13, 22, 41] {
            for (stalled, resetCycles) in [(false, 1), (true, 1), (true, 2)] {
                let label = "cut \(cut) stalled \(stalled) reset \(resetCycles)"
                try sim.model.reset()
                let driver = try CycleDriver(sim)
                driver.enqueue(before)
                driver.resultReadySchedule = { _ in !stalled }
                driver.tokensReadySchedule = { _ in !stalled }
                try driver.run(cycles: cut)
                try driver.reset(cycles: resetCycles)
                try sim.model.eval()
                XCTAssertFalse(driver.resultValidNow, "\(label): result valid after reset")
                XCTAssertFalse(driver.tokensValidNow, "\(label): token valid after reset")
                XCTAssertFalse(driver.logitsReadyNow, "\(label): logits ready without a command")
                XCTAssertEqual(driver.committedLength, 0, label)
                // Idle for a while: nothing stale may appear.
                driver.clearReceived()
                try driver.run(cycles: 3 * d)
                XCTAssertEqual(driver.results.count + driver.tokens.count, 0, "\(label): stale output after reset")
                let report = try ScenarioRunner.run(after, on: sim, resetFirst: false, committedBefore: 0)
                XCTAssertNil(report.disagreement, "\(label): \(report.disagreement!)")
            }
        }
    }
}
