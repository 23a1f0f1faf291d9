import Foundation
import Golden
import HADES
import HDL
import Trace
import VerilatorBridge

/// The sampling verifier RTL built through Verilator and driven by the bridge's stream engine: command, target
/// logits and draft logits as three sources, result and tokens as two sinks. Rounds may mix full draft rows and
/// one-hot drafts (`SamplingRound.oneHot`, the command's mode bit); one-hot rounds put nothing on the draft stream.
/// Rounds with `generatorSeed` send the seed and let the unit generate the uniforms; their `generatorRound` must be
/// their index in the run (the unit's round counter restarts at reset).
public final class SamplingSimulator {
    public let config: VerifierConfig
    public let interface: SamplingInterface
    public let model: VerilatedModel
    public let module: Module

    public init(config: VerifierConfig, waves: Bool = false) throws {
        self.config = config
        interface = SamplingInterface(config)
        module = try SamplingVerifierRTL.module(config)
        model = try VerilatedModel.build(module, waves: waves)
    }

    /// Streams `rounds` back to back after a reset; returns what the RTL produced (cycles from the handshake of a
    /// round's first target beat to its result handshake, both counted).
    public func run(_ rounds: [SamplingRound], expectedTokens: Int, pressure: StreamPressure = .none)
        throws -> (rounds: [HardwareRound], committedLength: UInt32) {
        try model.reset()
        let beatInterface = interface.greedy
        var stimulus = StreamStimulus()
        for (index, r) in rounds.enumerated() {
            precondition(r.generatorSeed == nil || r.generatorRound == UInt32(truncatingIfNeeded: index),
                         "round \(index) uses the on-chip generator with round counter \(r.generatorRound); "
                         + "the unit's counter is \(index) (commands since reset)")
            let draftRows = r.oneHot ? 0 : r.gamma   // a one-hot round sends no draft rows
            stimulus.beginRound(command: interface.packCommand(gamma: r.gamma, draftTokens: r.draftTokens,
                                                               uniforms: r.uniforms, oneHot: r.oneHot,
                                                               generatorSeed: r.generatorSeed))
            stimulus.target.appendRows(r.targetCodes, rows: r.gamma + 1, interface: beatInterface)
            stimulus.draft.appendRows(r.draftCodes, rows: draftRows, interface: beatInterface)
        }
        let beats = config.beatsPerRow
        let passes = rounds.reduce(0) { n, _ in n + 3 * beats + SamplingTiming.cyclesPerRound(lanes: config.lanes) + 20 }
        let out = try StreamRunner.run(stimulus, on: model, interface: beatInterface, expectedTokens: expectedTokens,
                                       pressure: pressure, extraCycles: passes, drainCycles: 3 * beats + 20)
        return (out.rounds, out.committedLength)
    }

    /// Golden outcomes, golden cycles and the RTL on the same rounds; the first disagreement (cycles compared
    /// only without pressure).
    public func compare(_ rounds: [SamplingRound], pressure: StreamPressure = .none)
        throws -> (golden: [RoundOutcome], hardware: [HardwareRound], disagreement: Disagreement?) {
        let golden = rounds.map { SamplingVerifier.verify($0, config: config) }
        let timings = SamplingCycleModel.predict(gammas: rounds.map(\.gamma), outcomes: golden, config: config)
        let hw = try run(rounds, expectedTokens: golden.reduce(0) { $0 + $1.emitted.count }, pressure: pressure)
        var counter = CommitCounter()
        for g in golden { counter.advance(by: g) }
        let d = CoSimComparison.firstDisagreement(golden: golden, timings: pressure.isNone ? timings : nil,
                                                  hardware: hw.rounds, committed: hw.committedLength,
                                                  expectedCommitted: counter.length)
        return (golden, hw.rounds, d)
    }
}

/// Sampling rounds from a trace with `uniforms`, converted to the configuration's fixed format. With `oneHot`
/// (forced, or a trace without `draft_logits`) the rounds are one-hot drafts: no draft rows are sent, d_i = δ(x_i).
public enum SamplingTraceRounds {
    public static func rounds(_ trace: SpeculativeTrace, format: LogitFormat, oneHot: Bool = false,
                              range: Range<Int>? = nil) throws -> [SamplingRound] {
        let v = trace.vocab
        let useDraftRows = !oneHot && trace.hasDraftLogits
        return try (range ?? 0..<trace.rounds).map { r in
            let gamma = trace.gamma(r)
            var target: [UInt32] = [], draft: [UInt32] = []
            for row in 0...gamma {
                target += try LogitConverter.encode(trace.targetRow(round: r, row: row), format: format,
                                                    arrayName: "\(trace.file): target_logits",
                                                    baseIndex: (r * (trace.gammaMax + 1) + row) * v)
            }
            for row in 0..<gamma where useDraftRows {
                draft += try LogitConverter.encode(trace.draftRow(round: r, row: row)!, format: format,
                                                   arrayName: "\(trace.file): draft_logits",
                                                   baseIndex: (r * trace.gammaMax + row) * v)
            }
            guard let us = trace.uniforms(r) else {
                throw GoldenError(.conversion, "\(trace.file): no uniforms (sampling needs them)")
            }
            return SamplingRound(gamma: gamma, draftTokens: trace.draftTokens(r), targetCodes: target, draftCodes: draft,
                                 uniforms: us, oneHot: !useDraftRows)
        }
    }
}
