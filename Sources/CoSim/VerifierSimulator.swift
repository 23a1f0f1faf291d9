import Foundation
import Golden
import HADES
import HDL
import VerilatorBridge

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
        model = try VerilatedModel.build(module, waves: waves)
    }

    /// Streams `rounds` back to back (commands queued ahead) after a reset, and returns what the RTL produced.
    /// `expectedTokens` (Σ(n+1) from the golden model) tells the engine when the token stream is complete.
    public func run(_ rounds: [CoSimRound], expectedTokens: Int, pressure: StreamPressure = .none,
                    resetFirst: Bool = true) throws -> (rounds: [HardwareRound], committedLength: UInt32) {
        if resetFirst { try model.reset() }
        var stimulus = StreamStimulus()
        for round in rounds {
            stimulus.beginRound(command: interface.packCommand(gamma: round.gamma, draftTokens: round.draftTokens))
            stimulus.target.appendRows(round.codes, rows: round.gamma + 1, interface: interface)
        }
        let out = try StreamRunner.run(stimulus, on: model, interface: interface, expectedTokens: expectedTokens,
                                       pressure: pressure, drainCycles: GreedyTiming.pipelineDepth(lanes: config.lanes) + 4)
        return (out.rounds, out.committedLength)
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
