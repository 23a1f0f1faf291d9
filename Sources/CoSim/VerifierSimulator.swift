import Foundation
import Golden
import HADES
import HDL
import VerilatorBridge

/// One round as the hardware sees it: γ, the draft tokens and γ+1 target rows as logit codes (row i at i·V).
public struct CoSimRound {
    public var gamma: Int
    public var draftTokens: [Int]
    public var codes: [UInt32]

    public init(gamma: Int, draftTokens: [Int], codes: [UInt32]) {
        self.gamma = gamma
        self.draftTokens = draftTokens
        self.codes = codes
    }
}

/// What the RTL produced for one round.
public struct HardwareRound: Equatable {
    public var accepted: Int
    public var token: Int
    public var rollback: Int
    public var flags: ResultFlags
    public var emitted: [Int]
    /// Handshake of the round's first logit beat to its result handshake, both counted (DESIGN.md).
    public var cycles: Int
}

/// How the testbench perturbs the streams; results must not change, only cycles.
public struct StreamPressure {
    public var producerGap: Double
    public var consumerReady: Double
    public var seed: UInt64
    public static let none = StreamPressure(producerGap: 0, consumerReady: 1, seed: 1)
    public init(producerGap: Double, consumerReady: Double, seed: UInt64) {
        self.producerGap = producerGap
        self.consumerReady = consumerReady
        self.seed = seed
    }
    public var isNone: Bool { producerGap == 0 && consumerReady == 1 }
}

/// The verifier RTL for one configuration, built through Verilator and driven by the bridge's stream engine.
public final class VerifierSimulator {
    public let config: VerifierConfig
    public let interface: VerifierInterface
    public let model: VerilatedModel
    public let module: Module
    /// The golden committed length, carried across runs that do not reset.
    public var goldenCounter = CommitCounter()

    public init(config: VerifierConfig, waves: Bool = false) throws {
        self.config = config
        interface = VerifierInterface(config)
        module = try HADESGenerator.module(config)
        let files = VerilogEmitter.emitFiles(module)
        let ports = module.ports.map { PortSpec($0.name, width: $0.width, $0.direction == .input ? .input : .output) }
        model = try VerilatedModel.build(VerilogDesign(files: Dictionary(uniqueKeysWithValues: files.map { ($0.name, $0.text) }),
                                                       top: module.name, ports: ports), waves: waves)
    }

    /// Streams `rounds` back to back (commands queued ahead) after a reset, and returns what the RTL produced.
    /// `expectedTokens` (Σ(n+1) from the golden model) tells the engine when the token stream is complete.
    public func run(_ rounds: [CoSimRound], expectedTokens: Int, pressure: StreamPressure = .none,
                    resetFirst: Bool = true) throws -> (rounds: [HardwareRound], committedLength: UInt32) {
        if resetFirst { try model.reset() }
        let v = config.vocab, beats = config.beatsPerRow
        var commandWords: [UInt32] = []
        var logitWords: [UInt32] = []
        var lasts: [Bool] = []
        var firstBeatIndex: [Int] = []
        var beatWords: [UInt32] = []
        for round in rounds {
            precondition(round.codes.count >= (round.gamma + 1) * v, "round needs γ+1 rows of V codes")
            commandWords += interface.packCommand(gamma: round.gamma, draftTokens: round.draftTokens)
            firstBeatIndex.append(lasts.count)
            round.codes.withUnsafeBufferPointer { all in
                for row in 0...round.gamma {
                    let rowCodes = UnsafeBufferPointer(rebasing: all[row * v..<(row + 1) * v])
                    for beat in 0..<beats {
                        interface.packBeat(rowCodes, beat: beat, into: &beatWords)
                        logitWords += beatWords
                        lasts.append(beat == beats - 1)
                    }
                }
            }
        }
        let totalBeats = lasts.count + rounds.count + expectedTokens
        let slowdown = 1 / max(0.05, (1 - pressure.producerGap) * pressure.consumerReady)
        let limit = UInt64(Double(totalBeats) * slowdown * 4) + 10_000
        let run = try model.runStreams(
            sources: [
                StreamSource(valid: "s_axis_cmd_tvalid", ready: "s_axis_cmd_tready", data: ["s_axis_cmd_tdata"],
                             words: commandWords, gapProbability: pressure.producerGap, seed: pressure.seed &+ 11),
                StreamSource(valid: "s_axis_logits_tvalid", ready: "s_axis_logits_tready", data: ["s_axis_logits_tdata"],
                             last: "s_axis_logits_tlast", words: logitWords, lasts: lasts,
                             gapProbability: pressure.producerGap, seed: pressure.seed &+ 22),
            ],
            sinks: [
                StreamSink(valid: "m_axis_result_tvalid", ready: "m_axis_result_tready", data: ["m_axis_result_tdata"],
                           expectedBeats: rounds.count, readyProbability: pressure.consumerReady, seed: pressure.seed &+ 33),
                StreamSink(valid: "m_axis_tokens_tvalid", ready: "m_axis_tokens_tready", data: ["m_axis_tokens_tdata"],
                           last: "m_axis_tokens_tlast", expectedBeats: expectedTokens,
                           readyProbability: pressure.consumerReady, seed: pressure.seed &+ 44),
            ],
            maxCycles: limit)
        let results = run.sinks[0], tokens = run.sinks[1]
        // Let the pipeline drain: a surplus result or token would show up as valid within D cycles.
        try model.step(GreedyTiming.pipelineDepth(lanes: config.lanes) + 4)
        let extraResult = model.peek(try model.port("m_axis_result_tvalid"))
        let extraToken = model.peek(try model.port("m_axis_tokens_tvalid"))
        guard results.extraBeats == 0, tokens.extraBeats == 0, extraResult == 0, extraToken == 0 else {
            throw CoSimError.streamCount("the RTL produced more results or tokens than the golden model "
                + "(\(results.extraBeats) results, \(tokens.extraBeats) tokens during the run; valid after it: "
                + "result \(extraResult), token \(extraToken))")
        }
        // Split the token stream into rounds at tlast.
        var perRound: [[Int]] = [[]]
        for (i, value) in tokens.values.enumerated() {
            perRound[perRound.count - 1].append(Int(value))
            if tokens.lasts[i] { perRound.append([]) }
        }
        var out: [HardwareRound] = []
        for (r, _) in rounds.enumerated() {
            let fields = interface.unpackResult(results.beat(r))
            let first = run.sources[1].handshakeCycles[firstBeatIndex[r]]
            out.append(HardwareRound(accepted: fields.accepted, token: fields.token, rollback: fields.rollback,
                                     flags: fields.flags, emitted: r < perRound.count ? perRound[r] : [],
                                     cycles: Int(results.handshakeCycles[r] - first) + 1))
        }
        let committed = UInt32(truncatingIfNeeded: model.peek(try model.port("committed_len")))
        return (out, committed)
    }
}

public enum CoSimError: Error, CustomStringConvertible {
    case streamCount(String)
    public var description: String {
        switch self {
        case let .streamCount(m): return m
        }
    }
}
