import CoSim
import Foundation
import Golden
import HADES
import HDL
import ToolRunners
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
    /// A row long enough for pass A's checkpoints: B = 200, K = 16, so 13 blocks, the last of 8 beats.
    static let checkpointed = Fixture.config(vocab: 1000, lanes: 5, gammaMax: 3)

    func randomRounds(_ c: VerifierConfig, count: Int, seed: UInt64) -> [SamplingRound] {
        Self.makeRounds(c, count: count, seed: seed)
    }

    static func makeRounds(_ c: VerifierConfig, count: Int, seed: UInt64) -> [SamplingRound] {
        var rng = SplitMix64(seed: seed)
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

    /// Rounds with the mode drawn per round: one-hot with probability `oneHotShare` (draft tokens proposed from the
    /// target itself, its argmax, or at random, so both accepts and rejects occur), else as `makeRounds`.
    static func makeMixedRounds(_ c: VerifierConfig, count: Int, seed: UInt64, oneHotShare: Double) -> [SamplingRound] {
        var rng = SplitMix64(seed: seed)
        let full = makeRounds(c, count: count, seed: seed ^ 0x5A5A)
        let v = c.vocab
        return full.enumerated().map { i, r in
            guard rng.unit() < oneHotShare else { return r }
            let gamma = r.gamma
            var t: [[Double]] = []
            for _ in 0..<(gamma + 1) { t.append(Fixture.randomLogits(&rng, v, scale: [0.5, 2, 5][rng.below(3)])) }
            let proposer = rng.below(3)
            var tokens = (0..<min(gamma, c.gammaMax)).map { k -> Int in
                switch proposer {
                case 0: return rng.sample(SamplingReference.softmax(t[k]))
                case 1: return t[k].indices.max(by: { t[k][$0] < t[k][$1] })!
                default: return rng.below(v)
                }
            }
            if rng.below(8) == 0, !tokens.isEmpty, v < 1 << c.tokenBits {
                tokens[rng.below(tokens.count)] = v + rng.below((1 << c.tokenBits) - v)
            }
            return SamplingRound(gamma: gamma, draftTokens: tokens, targetCodes: t.flatMap { Fixture.codes($0, c.format) },
                                 draftCodes: [], uniforms: (0...c.gammaMax).map { _ in rng.u32() }, oneHot: true)
        }
    }

    /// Every register copy of the full configuration stays a copy in synthesis: no plain register has a kept
    /// register's input (Yosys would merge it into the kept one, `KeptCopies`).
    func testNoRegisterMergesIntoAKeptCopy() throws {
        for c in [try VerifierConfig(vocab: 50257, gammaMax: 8, lanes: 16, format: .fixed(width: 16, fraction: 8))] + Self.configs {
            let pairs = KeptCopies.mergedIntoKept(try HADESGenerator.samplingVerilog(c))
            XCTAssertEqual(pairs.map { "\($0.kept) <- \($0.merged)" }, [], "V=\(c.vocab) L=\(c.lanes)")
        }
    }

    func testCommandLayoutOneHotBitAboveTheUniforms() {
        let c = Self.configs[0]
        let io = SamplingInterface(c)
        XCTAssertEqual(io.oneHotBit, c.gammaBits + c.gammaMax * c.tokenBits + (c.gammaMax + 1) * 32)
        XCTAssertEqual(io.commandBits, io.oneHotBit + 2)   // the generator bit is the top bit
        let off = io.packCommand(gamma: 2, draftTokens: [1, 2], uniforms: [7, 8, 9])
        let on = io.packCommand(gamma: 2, draftTokens: [1, 2], uniforms: [7, 8, 9], oneHot: true)
        XCTAssertEqual(off.count, on.count)
        for (k, (a, b)) in zip(off, on).enumerated() {
            let expected: UInt32 = k == io.oneHotBit / 32 ? 1 << UInt32(io.oneHotBit % 32) : 0
            XCTAssertEqual(a ^ b, expected, "word \(k)")
        }
    }

    /// One-hot rounds (no draft rows) mixed with full-draft rounds in one run: bit-exact, cycles included.
    func testOneHotRoundsMixedWithFullRoundsMatchGoldenIncludingCycles() throws {
        for (i, c) in Self.configs.enumerated() {
            let rounds = Self.makeMixedRounds(c, count: 30, seed: 500 + UInt64(i), oneHotShare: 0.6)
            let r = try Self.simulator(c).compare(rounds)
            XCTAssertNil(r.disagreement, "V=\(c.vocab) L=\(c.lanes): \(r.disagreement!)")
            let oneHot = zip(rounds, r.golden).filter { $0.0.oneHot && $0.0.gamma <= c.gammaMax }.map(\.1)
            XCTAssertTrue(oneHot.contains { $0.accepted > 0 }, "some one-hot acceptance")
            XCTAssertTrue(oneHot.contains { $0.rollback > 0 }, "some one-hot rejection")
            XCTAssertTrue(rounds.contains { !$0.oneHot } && oneHot.count > 5)
            print("sampling one-hot co-sim V=\(c.vocab) L=\(c.lanes): modes \(rounds.map { $0.oneHot ? "1" : "f" }.joined()), "
                + "accepted \(r.golden.map(\.accepted)), cycles \(r.hardware.map(\.cycles))")
        }
    }

    /// Only one-hot rounds: the draft stream is never driven.
    func testAllOneHotRunNeedsNoDraftStream() throws {
        let c = Self.configs[0]
        let rounds = Self.makeMixedRounds(c, count: 20, seed: 600, oneHotShare: 1)
        XCTAssertTrue(rounds.allSatisfy(\.oneHot))
        let r = try Self.simulator(c).compare(rounds)
        XCTAssertNil(r.disagreement, "\(r.disagreement!)")
    }

    func testOneHotBackPressureChangesOnlyCycles() throws {
        for (i, c) in Self.configs.prefix(2).enumerated() {
            let rounds = Self.makeMixedRounds(c, count: 15, seed: 700 + UInt64(i), oneHotShare: 0.5)
            for (gap, ready) in [(0.3, 1.0), (0.0, 0.3), (0.5, 0.5)] {
                let r = try Self.simulator(c).compare(rounds, pressure: StreamPressure(producerGap: gap, consumerReady: ready, seed: 13))
                XCTAssertNil(r.disagreement, "gap \(gap) ready \(ready): \(r.disagreement!)")
            }
        }
    }

    /// On-chip uniforms (command bit, seed in place of the uniforms, the unit's round counter) mixed with
    /// command uniforms, in both draft modes: bit-exact with the golden generator, cycles included.
    func testOnChipUniformGeneratorMatchesGolden() throws {
        for (i, c) in Self.configs.enumerated() {
            var rng = SplitMix64(seed: 800 + UInt64(i))
            let rounds = Self.makeMixedRounds(c, count: 24, seed: 800 + UInt64(i), oneHotShare: 0.5).enumerated().map { index, r in
                guard rng.below(3) != 0 else { return r }
                let seed = rng.below(2) == 0 ? 0x0123_4567_89AB_CDEF : rng.next()
                return SamplingRound(gamma: r.gamma, draftTokens: r.draftTokens, targetCodes: r.targetCodes,
                                     draftCodes: r.draftCodes, oneHot: r.oneHot, generatorSeed: seed,
                                     generatorRound: UInt32(index), gammaMax: c.gammaMax)
            }
            XCTAssertTrue(rounds.contains { $0.generatorSeed != nil } && rounds.contains { $0.generatorSeed == nil })
            let r = try Self.simulator(c).compare(rounds)
            XCTAssertNil(r.disagreement, "V=\(c.vocab) L=\(c.lanes): \(r.disagreement!)")
            if i == 0 {
                let p = try Self.simulator(c).compare(rounds, pressure: StreamPressure(producerGap: 0.4, consumerReady: 0.5, seed: 17))
                XCTAssertNil(p.disagreement, "back-pressure: \(p.disagreement!)")
            }
        }
    }

    /// A command that arrives after the unit has gone idle (the command stream withheld for tens of clocks after each
    /// handshake) still loads its tokens, uniforms and generator seed: with the logits' gaps alone the next command is
    /// always waiting when a round ends, so only this run checks what the idle phase keeps ready to load.
    func testCommandsArrivingWhileIdleLoadTheirOwnWords() throws {
        let c = Self.configs[0]
        var rng = SplitMix64(seed: 880)
        let rounds = Self.makeMixedRounds(c, count: 16, seed: 880, oneHotShare: 0.5).enumerated().map { index, r in
            guard index % 2 == 1 else { return r }
            return SamplingRound(gamma: r.gamma, draftTokens: r.draftTokens, targetCodes: r.targetCodes,
                                 draftCodes: r.draftCodes, oneHot: r.oneHot, generatorSeed: rng.next(),
                                 generatorRound: UInt32(index), gammaMax: c.gammaMax)
        }
        let r = try Self.simulator(c).compare(rounds, pressure: StreamPressure(producerGap: 0, consumerReady: 1, seed: 19,
                                                                               commandGap: 0.97))
        XCTAssertNil(r.disagreement, "\(r.disagreement!)")
        XCTAssertGreaterThan(Set(r.golden.map(\.token)).count, 1, "the rounds' final tokens differ")
    }

    /// The generator computes the uniforms `generatorLanes` at a time, group after group; each U_i must be written
    /// before row i's decision reads it. Rows before the last two accept whatever U is (t = d); the last two and the
    /// final token depend on U_{Γ−1}, U_Γ, so a uniform written late changes the result (checked by forcing one lane:
    /// this test then fails at V = 7, L = 3, where the formula asks for 3).
    func testGeneratedUniformsOfTheLastGroupArriveBeforeTheirRowsDecide() throws {
        for c in Self.configs.prefix(2) {
            let lanes = SamplingTiming.generatorLanes(gammaMax: c.gammaMax, beatsPerRow: c.beatsPerRow, lanes: c.lanes)
            XCTAssertLessThan(lanes, c.gammaMax + 1, "V=\(c.vocab) L=\(c.lanes): more than one group")
            var rng = SplitMix64(seed: 1200)
            let rounds = (0..<20).map { index -> SamplingRound in
                let g = c.gammaMax
                let tokens = (0..<g).map { _ in rng.below(c.vocab) }
                let draft = (0..<g).map { _ in Fixture.randomLogits(&rng, c.vocab, scale: 2) }
                // Row i ≥ Γ − 2 makes its draft token less likely in the target: accepted with probability < 1.
                let target = (0...g).map { i -> [Double] in
                    guard i < g else { return Fixture.randomLogits(&rng, c.vocab, scale: 2) }
                    var row = draft[i]
                    if i >= g - 2 { row[tokens[i]] -= 1 }
                    return row
                }
                return SamplingRound(gamma: g, draftTokens: tokens, targetCodes: target.flatMap { Fixture.codes($0, c.format) },
                                     draftCodes: draft.flatMap { Fixture.codes($0, c.format) },
                                     generatorSeed: rng.next(), generatorRound: UInt32(index), gammaMax: c.gammaMax)
            }
            let r = try Self.simulator(c).compare(rounds)
            XCTAssertNil(r.disagreement, "V=\(c.vocab) L=\(c.lanes): \(r.disagreement!)")
            let accepted = r.golden.map(\.accepted)
            XCTAssertTrue(accepted.contains(c.gammaMax - 2) && accepted.contains { $0 > c.gammaMax - 2 },
                          "both outcomes of row Γ − 2 occur: \(accepted)")
        }
    }

    /// A short round with the generator is over before its generator is (Γ = 24, B = 8: 13 groups of 12 clocks),
    /// so the next command arrives while the generator still runs: no group of the old command's may write over the
    /// new command's words once the command has loaded them (the generator restarts for the new one). The next round
    /// takes its uniforms from the command, all 0, and every row's ratio t(x)/d(x) is about 0.02: every row is
    /// accepted with these uniforms and almost surely rejected with any other. Back-pressure moves the handshakes
    /// so that some fall on a group's end.
    func testARestartedGeneratorDoesNotWriteOverTheNextCommandsUniforms() throws {
        let c = Fixture.config(vocab: 32, lanes: 4, gammaMax: 24)
        let lanes = SamplingTiming.generatorLanes(gammaMax: c.gammaMax, beatsPerRow: c.beatsPerRow, lanes: c.lanes)
        let groups = (c.gammaMax + lanes) / lanes   // as the RTL counts them: the last group may be partial
        var rng = SplitMix64(seed: 1300)
        var rounds: [SamplingRound] = []
        for _ in 0..<30 {
            rounds.append(SamplingRound(gamma: 0, draftTokens: [], targetCodes: Fixture.codes(Fixture.randomLogits(&rng, c.vocab, scale: 2), c.format),
                                        draftCodes: [], generatorSeed: rng.next(), generatorRound: UInt32(rounds.count),
                                        gammaMax: c.gammaMax))
            let tokens = (0..<c.gammaMax).map { _ in rng.below(c.vocab) }
            func row(_ x: Int?, _ logit: Double) -> [UInt32] {
                Fixture.codes((0..<c.vocab).map { $0 == x ? logit : 0 }, c.format)
            }
            rounds.append(SamplingRound(gamma: c.gammaMax, draftTokens: tokens,
                                        targetCodes: tokens.flatMap { row($0, -1) } + row(nil, 0),
                                        draftCodes: tokens.flatMap { row($0, 5) },
                                        uniforms: Array(repeating: 0, count: c.gammaMax + 1)))
        }
        let golden = rounds.map { SamplingVerifier.verify($0, config: c) }
        XCTAssertEqual(golden.enumerated().filter { $0.offset % 2 == 1 }.map(\.element.accepted),
                       Array(repeating: c.gammaMax, count: 30), "the uniforms of 0 accept every row")
        let short = SamplingCycleModel.predict(gammas: [0], outcomes: [golden[0]], config: c)[0].cycles
        let generatorEnd = 4 + SamplingTiming.generatorCycles * groups
        XCTAssertLessThan(short + 2 * SamplingTiming.generatorCycles, generatorEnd, "the generator outlasts the short round")
        let simulator = try SamplingSimulator(config: c)
        for seed: UInt64 in [5, 6] {
            let r = try simulator.compare(rounds, pressure: StreamPressure(producerGap: 0.3, consumerReady: 0.6, seed: seed))
            XCTAssertNil(r.disagreement, "pressure seed \(seed): \(r.disagreement!)")
        }
    }

    func testGeneratorCommandCarriesTheSeed() {
        let c = Self.configs[1]
        let io = SamplingInterface(c)
        XCTAssertEqual(io.generatorBit, io.oneHotBit + 1)
        XCTAssertEqual(io.commandBits, io.generatorBit + 1)
        let seed: UInt64 = 0xDEAD_BEEF_0BAD_F00D
        XCTAssertEqual(io.packCommand(gamma: 1, draftTokens: [3], uniforms: [9, 9, 9], generatorSeed: seed),
                       io.packCommand(gamma: 1, draftTokens: [3], uniforms: [0x0BAD_F00D, 0xDEAD_BEEF]).enumerated().map { k, w in
                           k == io.generatorBit / 32 ? w | 1 << UInt32(io.generatorBit % 32) : w
                       })
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

    /// A row memory deeper than one block RAM is cut into banks (`BankedMemory`): at V = 3170, L = 1 its B + D words
    /// of 32 bits fill one tile per 512 words in any DP16KD mode, so the banks are the fewest: 2 048, 1 024 and the
    /// rest, and rows cross the banks' edges and the wrap. Each bank (its first column here) carries `no_rw_check`
    /// (no pass reads a word in the clock it is written).
    func testRowMemoryInBanksMatchesGoldenIncludingCycles() throws {
        let c = Fixture.config(vocab: 3170, lanes: 1, gammaMax: 3)
        let text = VerilogEmitter.emit(try SamplingVerifierRTL.module(c))
        let banks = try NSRegularExpression(pattern: #"\(\* no_rw_check \*\) reg\s+\[\d+:0\] row_pair_bank(\d+)(?:_c0)? \[0:(\d+)\];"#)
        let depths = banks.matches(in: text, range: NSRange(text.startIndex..., in: text)).map {
            Int(text[Range($0.range(at: 2), in: text)!])! + 1
        }
        XCTAssertEqual(depths, [2048, 1024, c.beatsPerRow + SamplingTiming.decisionLatency(lanes: 1) - 3072])
        let r = try Self.simulator(c).compare(randomRounds(c, count: 10, seed: 900))
        XCTAssertNil(r.disagreement, "V=\(c.vocab) L=\(c.lanes): \(r.disagreement!)")
        XCTAssertGreaterThan(r.golden.map(\.accepted).reduce(0, +), 0, "some rows are accepted, so rows start past bank 0")
    }

    /// Rounds rejected at row 0 whose residual is empty or lies in the last beat only: the draft token's exponential
    /// is 0 in t and d (so it is rejected), and d = t except (odd rounds) 3 lower on the last beat's tokens. Pass B
    /// starts while pass A drains and reads `residual_zero` and T as soon as S_w settles (`SamplingTiming.passBGap`);
    /// a last-beat-only residual keeps S_w at 0 until pass A's last beat, so these rounds check that gap.
    func testResidualZeroAndLastBeatResidualRoundsMatchGoldenIncludingCycles() throws {
        for c in Self.configs.prefix(2) + [Self.checkpointed] {
            var rng = SplitMix64(seed: 77)
            let lastBeat = (c.beatsPerRow - 1) * c.lanes
            let rounds = (0..<8).map { i -> SamplingRound in
                let gamma = 1 + i % c.gammaMax, x = rng.below(lastBeat)
                var row = Fixture.randomLogits(&rng, c.vocab, scale: 2)
                row[x] = -128
                let draft = row.enumerated().map { k, l in i % 2 == 1 && k >= lastBeat ? l - 3 : l }
                return SamplingRound(gamma: gamma, draftTokens: Array(repeating: x, count: gamma),
                                     targetCodes: Array(repeating: Fixture.codes(row, c.format), count: gamma + 1).flatMap { $0 },
                                     draftCodes: Array(repeating: Fixture.codes(draft, c.format), count: gamma).flatMap { $0 },
                                     uniforms: (0...c.gammaMax).map { _ in rng.u32() })
            }
            let r = try Self.simulator(c).compare(rounds)
            for (i, g) in r.golden.enumerated() {
                XCTAssertEqual(g.accepted, 0, "round \(i)")
                XCTAssertEqual(g.flags.contains(.residualZero), i % 2 == 0, "round \(i): \(g.flags)")
                if i % 2 == 1 { XCTAssertGreaterThanOrEqual(g.token, lastBeat, "round \(i): the residual lies in the last beat") }
            }
            XCTAssertNil(r.disagreement, "V=\(c.vocab) L=\(c.lanes): \(r.disagreement!)")
        }
    }

    /// Rounds whose residual lies in token j and, past the first block, also in token 1 (the draft row is the
    /// target's with those logits 3 lower; x has the lowest code in both rows, so it is rejected and weighs 0): j at
    /// the edges of the checkpoints' blocks, so the search stops at the first block, between, at the last (a partial
    /// one), and pass B starts at a block's first beat and ends at its last. U_γ is the smallest that samples j, so
    /// T equals the checkpoints between token 1 and j: the search must compare strictly and pass B must start from
    /// the earlier blocks' sum. Cycles follow ⌊t/K⌋ (the search) and t mod K (pass B's reads).
    func testCheckpointSearchFindsTokensAtBlockEdgesIncludingCycles() throws {
        let c = Self.checkpointed
        let k = try XCTUnwrap(SamplingTiming.checkpointBlock(beatsPerRow: c.beatsPerRow, lanes: c.lanes))
        let blocks = (c.beatsPerRow + k - 1) / k, blockTokens = k * c.lanes
        XCTAssertEqual([c.beatsPerRow, k, blocks], [200, 16, 13])
        let edges = [0, blockTokens - 1, blockTokens, 5 * blockTokens - 1, (blocks - 1) * blockTokens - 1,
                     (blocks - 1) * blockTokens, c.vocab - 1]
        var rng = SplitMix64(seed: 31)
        let rounds = edges.map { j -> SamplingRound in
            var row = Fixture.randomLogits(&rng, c.vocab, scale: 2)
            let x = (j + c.vocab / 2) % c.vocab
            row[x] = -128
            var draft = row
            draft[j] -= 3
            if j >= blockTokens { draft[1] -= 3 }
            var round = SamplingRound(gamma: 1, draftTokens: [x],
                                      targetCodes: Array(repeating: Fixture.codes(row, c.format), count: 2).flatMap { $0 },
                                      draftCodes: Fixture.codes(draft, c.format), uniforms: (0...c.gammaMax).map { _ in rng.u32() })
            // The smallest U_γ that samples j (the token only grows with U).
            var low: UInt32 = 0, high = UInt32.max
            while low < high {
                let mid = low + (high - low) / 2
                round.uniforms[1] = mid
                if SamplingVerifier.verify(round, config: c).token >= j { high = mid } else { low = mid + 1 }
            }
            round.uniforms[1] = low
            return round
        }
        let r = try Self.simulator(c).compare(rounds)
        XCTAssertEqual(r.golden.map(\.token), edges, "the residual lies in token j alone")
        XCTAssertEqual(r.golden.map(\.accepted), Array(repeating: 0, count: edges.count))
        XCTAssertNil(r.disagreement, "V=\(c.vocab) L=\(c.lanes): \(r.disagreement!)")
    }

    /// Nearly flat rows (logits within ±0.4) sampled from the target (γ = 0), U spread over [0, 2^32): the token
    /// lands anywhere in the row, so pass B walks many beats before it, on a row without checkpoints and after a
    /// checkpoint jump into a block whose beats all carry weight. Bit-exact, cycles included.
    func testFlatRowsSampleAcrossTheRowIncludingCycles() throws {
        let plain = Fixture.config(vocab: 24, lanes: 2, gammaMax: 2)
        XCTAssertNil(SamplingTiming.checkpointBlock(beatsPerRow: plain.beatsPerRow, lanes: plain.lanes))
        var rng = SplitMix64(seed: 77)
        for c in [plain, Self.checkpointed] {
            let rounds = (0..<16).map { i in
                SamplingRound(gamma: 0, draftTokens: [], targetCodes: Fixture.codes(Fixture.randomLogits(&rng, c.vocab, scale: 0.4), c.format),
                              draftCodes: [], uniforms: Array(repeating: UInt32((UInt64(2 * i + 1) << 32) / 32), count: c.gammaMax + 1))
            }
            let r = try Self.simulator(c).compare(rounds)
            XCTAssertGreaterThanOrEqual(Set(r.golden.map(\.token)).count, 12, "V=\(c.vocab): tokens across the row")
            XCTAssertNil(r.disagreement, "V=\(c.vocab) L=\(c.lanes): \(r.disagreement!)")
        }
    }

    /// Random one-hot and full-draft rounds on the checkpointed row: pass B's reads jump in some rounds and not in
    /// others (the token's block at or behind them); bit-exact, cycles included.
    func testCheckpointedRowsMixedRoundsMatchGoldenIncludingCycles() throws {
        let c = Self.checkpointed
        let rounds = Self.makeMixedRounds(c, count: 24, seed: 1100, oneHotShare: 0.5)
        let r = try Self.simulator(c).compare(rounds)
        XCTAssertNil(r.disagreement, "V=\(c.vocab) L=\(c.lanes): \(r.disagreement!)")
        let b = c.beatsPerRow
        let jumps = r.golden.map { g in
            SamplingTiming.passBReads(tokenBeat: g.token / c.lanes, beatsPerRow: b, lanes: c.lanes) < g.token / c.lanes + 1
        }
        XCTAssertTrue(jumps.contains(true) && jumps.contains(false), "some rounds jump, some do not: \(jumps)")
        XCTAssertTrue(rounds.contains(where: \.oneHot) && rounds.contains { !$0.oneHot })
    }

    /// The issue's budget: at most (n+1)·B + 2B + 2·D cycles a round, D the sampling unit's own decision latency.
    func testRoundCyclesStayWithinTwoPassesAndTwoDecisionLatencies() throws {
        for lanes in 1...256 {
            let c = try VerifierConfig(vocab: 50257, gammaMax: 8, lanes: lanes, format: Fixture.format)
            let b = c.beatsPerRow, d = SamplingTiming.decisionLatency(lanes: lanes)
            for n in [0, 8] {
                XCTAssertLessThanOrEqual(SamplingCycleModel.maxCycles(accepted: n, config: c), (n + 1) * b + 2 * b + 2 * d, "L=\(lanes)")
            }
        }
    }

    /// A result consumer that takes about one result in 200 clocks while the tokens flow: results back up over the
    /// rounds (these take about 100 clocks each), so a round's final push waits for the result queue's room (2 entries).
    func testResultsHeldBackOverSeveralRoundsLoseNothing() throws {
        for (i, c) in [Self.configs[0], Self.configs[2]].enumerated() {
            let rounds = randomRounds(c, count: 12, seed: 700 + UInt64(i))
            let pressure = StreamPressure(producerGap: 0, consumerReady: 1, seed: 13, resultReady: 0.005)
            let r = try Self.simulator(c).compare(rounds, pressure: pressure)
            XCTAssertNil(r.disagreement, "\(c): \(r.disagreement!)")
        }
    }

    /// A draft token outside the vocabulary is flagged only among the round's first γ: the command's fields at or past
    /// γ are ignored. (Found by mutation: a flag over all Γ fields passed every other sampling test, whose commands
    /// hold valid tokens past γ.)
    func testDraftTokensOutsideTheVocabularyCountOnlyBeforeGamma() throws {
        let c = Self.configs[0]
        XCTAssertLessThan(c.vocab, 1 << c.tokenBits, "a token outside the vocabulary fits the field")
        var rng = SplitMix64(seed: 1500)
        var rounds: [SamplingRound] = []
        for gamma in 0...c.gammaMax {
            for position in 0..<c.gammaMax {
                var tokens = (0..<c.gammaMax).map { _ in rng.below(c.vocab) }
                tokens[position] = c.vocab
                let target = (0...gamma).map { _ in Fixture.randomLogits(&rng, c.vocab, scale: 2) }
                let draft = (0..<gamma).map { _ in Fixture.randomLogits(&rng, c.vocab, scale: 2) }
                rounds.append(SamplingRound(gamma: gamma, draftTokens: tokens,
                                            targetCodes: target.flatMap { Fixture.codes($0, c.format) },
                                            draftCodes: draft.flatMap { Fixture.codes($0, c.format) },
                                            uniforms: (0...c.gammaMax).map { _ in rng.u32() }))
            }
        }
        let r = try Self.simulator(c).compare(rounds)
        XCTAssertNil(r.disagreement, "\(r.disagreement!)")
        XCTAssertEqual(r.hardware.map { $0.flags.contains(.badDraft) },
                       rounds.map { $0.draftTokens.prefix($0.gamma).contains(c.vocab) })
    }

    func testBackPressureChangesOnlyCycles() throws {
        for (i, c) in (Self.configs.prefix(2) + [Self.checkpointed]).enumerated() {
            let rounds = randomRounds(c, count: 15, seed: 400 + UInt64(i))
            for (gap, ready) in [(0.3, 1.0), (0.0, 0.3), (0.5, 0.5)] {
                let r = try Self.simulator(c).compare(rounds, pressure: StreamPressure(producerGap: gap, consumerReady: ready, seed: 9))
                XCTAssertNil(r.disagreement, "gap \(gap) ready \(ready): \(r.disagreement!)")
            }
        }
    }
}
