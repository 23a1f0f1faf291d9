import Foundation
import Golden
import HADES
import VerilatorBridge

/// A stream scenario (possibly with protocol faults) run through the RTL and compared with `StreamGolden`.
public struct ScenarioReport {
    public let expected: [StreamExpectation]
    public let hardware: [HardwareRound]
    public let goldenCommittedLength: UInt32
    public let hardwareCommittedLength: UInt32
    /// Clock cycles the stream engine ran.
    public let cycles: UInt64
    /// The first field where the RTL and `StreamGolden` differ, nil when none.
    public let disagreement: Disagreement?
}

/// Drives `StreamScenario`s through a `VerifierSimulator`'s model with the bridge's bulk stream engine.
public enum ScenarioRunner {
    /// Runs `scenario` (after a reset unless `resetFirst` is false; then `committedBefore` is the committed
    /// length the RTL holds) and compares every result, every emitted token and the committed length with
    /// `StreamGolden`; with `pressure == .none` also every round's cycle count (beats through the decisive row + D).
    public static func run(_ scenario: StreamScenario, on sim: VerifierSimulator, pressure: StreamPressure = .none,
                           resetFirst: Bool = true, committedBefore: UInt32 = 0) throws -> ScenarioReport {
        let config = sim.config, io = sim.interface, model = sim.model
        let expected = try StreamGolden.expect(scenario, config: config)
        let golden = expected.map(\.outcome)
        var counter = CommitCounter(length: resetFirst ? 0 : committedBefore)
        for g in golden { counter.advance(by: g) }
        let expectedTokens = golden.reduce(0) { $0 + $1.emitted.count }

        if resetFirst { try model.reset() }
        var stimulus = StreamStimulus()
        var beats = scenario.beats[...]
        for (c, e) in zip(scenario.commands, expected) {
            precondition(c.gamma >= 0 && c.gamma < 1 << config.gammaBits, "γ \(c.gamma) does not fit the command")
            precondition(c.draftTokens.allSatisfy { $0 >= 0 && $0 < 1 << config.tokenBits }, "draft token does not fit TW bits")
            stimulus.beginRound(command: io.packCommand(gamma: c.gamma, draftTokens: c.draftTokens))
            for b in beats.prefix(e.streamBeats) { stimulus.target.appendBeat(b.codes, last: b.last, interface: io) }
            beats = beats.dropFirst(e.streamBeats)
        }
        let out = try StreamRunner.run(stimulus, on: model, interface: io, expectedTokens: expectedTokens,
                                       pressure: pressure, drainCycles: GreedyTiming.pipelineDepth(lanes: config.lanes) + 4)
        let hardware = out.rounds, committed = out.committedLength
        let timings = pressure.isNone
            ? expected.map { RoundTiming(firstBeat: 0, result: $0.idealCycles - 1, cycles: $0.idealCycles) } : nil
        let disagreement = CoSimComparison.firstDisagreement(golden: golden, timings: timings, hardware: hardware,
                                                             committed: committed, expectedCommitted: counter.length)
        return ScenarioReport(expected: expected, hardware: hardware, goldenCommittedLength: counter.length,
                              hardwareCommittedLength: committed, cycles: out.cycles, disagreement: disagreement)
    }
}
