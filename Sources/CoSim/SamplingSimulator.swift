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
        let files = VerilogEmitter.emitFiles(module)
        let ports = module.ports.map { PortSpec($0.name, width: $0.width, $0.direction == .input ? .input : .output) }
        model = try VerilatedModel.build(VerilogDesign(files: Dictionary(uniqueKeysWithValues: files.map { ($0.name, $0.text) }),
                                                       top: module.name, ports: ports), waves: waves)
    }

    /// Streams `rounds` back to back after a reset; returns what the RTL produced (cycles from the handshake of a
    /// round's first target beat to its result handshake, both counted).
    public func run(_ rounds: [SamplingRound], expectedTokens: Int, pressure: StreamPressure = .none)
        throws -> (rounds: [HardwareRound], committedLength: UInt32) {
        try model.reset()
        let v = config.vocab, beats = config.beatsPerRow
        let beatInterface = VerifierInterface(config)
        var commandWords: [UInt32] = []
        var targetWords: [UInt32] = [], targetLasts: [Bool] = []
        var draftWords: [UInt32] = [], draftLasts: [Bool] = []
        var firstBeat: [Int] = []
        var beatWords: [UInt32] = []
        func pack(_ codes: [UInt32], rows: Int, into words: inout [UInt32], lasts: inout [Bool]) {
            codes.withUnsafeBufferPointer { all in
                for row in 0..<rows {
                    let rowCodes = UnsafeBufferPointer(rebasing: all[row * v..<(row + 1) * v])
                    for beat in 0..<beats {
                        beatInterface.packBeat(rowCodes, beat: beat, into: &beatWords)
                        words += beatWords
                        lasts.append(beat == beats - 1)
                    }
                }
            }
        }
        for (index, r) in rounds.enumerated() {
            precondition(r.generatorSeed == nil || r.generatorRound == UInt32(truncatingIfNeeded: index),
                         "round \(index) uses the on-chip generator with round counter \(r.generatorRound); "
                         + "the unit's counter is \(index) (commands since reset)")
            let draftRows = r.oneHot ? 0 : r.gamma   // a one-hot round sends no draft rows
            precondition(r.targetCodes.count >= (r.gamma + 1) * v && r.draftCodes.count >= draftRows * v,
                         "round needs γ+1 target rows and \(draftRows) draft rows")
            commandWords += interface.packCommand(gamma: r.gamma, draftTokens: r.draftTokens, uniforms: r.uniforms,
                                                  oneHot: r.oneHot, generatorSeed: r.generatorSeed)
            firstBeat.append(targetLasts.count)
            pack(r.targetCodes, rows: r.gamma + 1, into: &targetWords, lasts: &targetLasts)
            pack(r.draftCodes, rows: draftRows, into: &draftWords, lasts: &draftLasts)
        }
        let extra = rounds.reduce(0) { $0 + 3 * beats + 40 + $1.gamma * (SamplingTiming.rowGap + 2) }
        let totalBeats = targetLasts.count + expectedTokens + extra
        let slowdown = 1 / max(0.05, (1 - pressure.producerGap) * pressure.consumerReady)
        let limit = UInt64(Double(totalBeats) * slowdown * 4) + 10_000
        var sources = [
            StreamSource(valid: "s_axis_cmd_tvalid", ready: "s_axis_cmd_tready", data: ["s_axis_cmd_tdata"],
                         words: commandWords, gapProbability: pressure.producerGap, seed: pressure.seed &+ 11),
            StreamSource(valid: "s_axis_logits_tvalid", ready: "s_axis_logits_tready", data: ["s_axis_logits_tdata"],
                         last: "s_axis_logits_tlast", words: targetWords, lasts: targetLasts,
                         gapProbability: pressure.producerGap, seed: pressure.seed &+ 22),
        ]
        if !draftLasts.isEmpty {
            sources.append(StreamSource(valid: "s_axis_draft_tvalid", ready: "s_axis_draft_tready", data: ["s_axis_draft_tdata"],
                                        last: "s_axis_draft_tlast", words: draftWords, lasts: draftLasts,
                                        gapProbability: pressure.producerGap, seed: pressure.seed &+ 55))
        }
        let run = try model.runStreams(
            sources: sources,
            sinks: [
                StreamSink(valid: "m_axis_result_tvalid", ready: "m_axis_result_tready", data: ["m_axis_result_tdata"],
                           expectedBeats: rounds.count, readyProbability: pressure.consumerReady, seed: pressure.seed &+ 33),
                StreamSink(valid: "m_axis_tokens_tvalid", ready: "m_axis_tokens_tready", data: ["m_axis_tokens_tdata"],
                           last: "m_axis_tokens_tlast", expectedBeats: expectedTokens,
                           readyProbability: pressure.consumerReady, seed: pressure.seed &+ 44),
            ],
            maxCycles: limit)
        let results = run.sinks[0], tokens = run.sinks[1]
        try model.step(3 * beats + 20)
        let extraResult = model.peek(try model.port("m_axis_result_tvalid"))
        let extraToken = model.peek(try model.port("m_axis_tokens_tvalid"))
        guard results.extraBeats == 0, tokens.extraBeats == 0, extraResult == 0, extraToken == 0 else {
            throw CoSimError.streamCount("the sampling RTL produced more results or tokens than the golden model "
                + "(\(results.extraBeats) results, \(tokens.extraBeats) tokens during the run; valid after it: "
                + "result \(extraResult), token \(extraToken); tokens \(tokens.values))")
        }
        guard results.beatCount == rounds.count, tokens.beatCount == expectedTokens else {
            throw CoSimError.streamCount("the sampling RTL produced \(results.beatCount) of \(rounds.count) results and "
                + "\(tokens.beatCount) of \(expectedTokens) tokens within \(limit) cycles")
        }
        var perRound: [[Int]] = [[]]
        for (i, value) in tokens.values.enumerated() {
            perRound[perRound.count - 1].append(Int(value))
            if tokens.lasts[i] { perRound.append([]) }
        }
        var out: [HardwareRound] = []
        for r in rounds.indices {
            let f = beatInterface.unpackResult(results.beat(r))
            let first = run.sources[1].handshakeCycles[firstBeat[r]]
            out.append(HardwareRound(accepted: f.accepted, token: f.token, rollback: f.rollback, flags: f.flags,
                                     emitted: r < perRound.count ? perRound[r] : [],
                                     cycles: Int(results.handshakeCycles[r] - first) + 1))
        }
        return (out, UInt32(truncatingIfNeeded: model.peek(try model.port("committed_len"))))
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
        var d = CoSimComparison.firstDisagreement(golden: golden, timings: pressure.isNone ? timings : nil, hardware: hw.rounds)
        if d == nil, hw.committedLength != counter.length {
            d = Disagreement(round: rounds.count - 1, field: "committed_len", expected: "\(counter.length)",
                             got: "\(hw.committedLength)")
        }
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
