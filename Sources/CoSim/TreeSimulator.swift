import Foundation
import Golden
import HADES
import HDL
import VerilatorBridge

/// One tree round as the hardware sees it: the command and N_r + 1 target rows as codes (row j at j·V).
public struct TreeCoSimRound {
    public var round: TreeRound
    public var codes: [UInt32]
    public init(round: TreeRound, codes: [UInt32]) {
        self.round = round
        self.codes = codes
    }
}

/// What the tree RTL produced for one round.
public struct TreeHardwareRound: Equatable {
    public var round: HardwareRound
    /// The path stream's beats of the round (the accepted node indices, then the end marker N with tlast).
    public var pathBeats: [Int]
}

/// Expected outputs of one round: the outcome and, with a producer that never stalls, the cycle count.
public struct TreeExpectation: Equatable {
    public var outcome: TreeOutcome
    public var cycles: Int
}

/// A command and beat stream for the tree unit, framed by `tlast` as the producer sent it.
public struct TreeScenario {
    public var commands: [TreeRound]
    public var beats: [LogitBeat]
    public init(commands: [TreeRound] = [], beats: [LogitBeat] = []) {
        self.commands = commands
        self.beats = beats
    }

    /// Well-formed framing: every row B beats, tlast on the B-th.
    public init(rounds: [TreeCoSimRound], config: TreeConfig) {
        self.init()
        let v = config.vocab
        for r in rounds {
            commands.append(r.round)
            for j in 0...r.round.nodes {
                beats += StreamScenario.rowBeats(Array(r.codes[j * v..<(j + 1) * v]), config: config.rows)
            }
        }
    }
}

/// The stream-level expectation for tree rounds (any `tlast` framing): rows end at `tlast`, a row's argmax is
/// over the valid lanes that arrived (as `StreamGolden.row`), the rule is `TreeVerifier.decide`, and
/// `row_length` is raised when any row 0 … lastRow ended on a beat other than B − 1. Cycles = beats from the
/// round's first beat through the `tlast` of the row the walk stopped at, + D_T.
public enum TreeStreamGolden {
    public static func expect(_ s: TreeScenario, config: TreeConfig) throws -> [TreeExpectation] {
        let rows = StreamScenario(commands: [], beats: s.beats).rows
        let needed = s.commands.reduce(0) { $0 + $1.nodes + 1 }
        guard rows.count == needed, s.beats.last?.last ?? (needed == 0) else {
            throw StreamGolden.ScenarioError(description: "tree scenario has \(rows.count) rows, the commands need \(needed)")
        }
        var out: [TreeExpectation] = []
        var next = 0
        for cmd in s.commands {
            let roundRows = Array(rows[next..<(next + cmd.nodes + 1)])
            next += cmd.nodes + 1
            var lengthError = false
            var outcome = TreeVerifier.decide(cmd, config: config) { j in
                let r = StreamGolden.row(roundRows[j].beats, config: config.rows)
                return (r.index, r.nan, r.degenerate)
            }
            for j in 0...outcome.lastRow where roundRows[j].beats.count != config.beatsPerRow { lengthError = true }
            if lengthError { outcome.round.flags.insert(.rowLength) }
            let stopRow = roundRows[outcome.lastRow]
            let through = stopRow.start + stopRow.beats.count - roundRows[0].start
            out.append(TreeExpectation(outcome: outcome, cycles: through + TreeTiming.pipelineDepth(lanes: config.lanes)))
        }
        return out
    }
}

/// The tree verifier RTL for one configuration, built through Verilator and driven by the bridge's stream engine.
public final class TreeSimulator {
    public let config: TreeConfig
    public let interface: TreeInterface
    public let model: VerilatedModel
    public let module: Module

    public init(config: TreeConfig, waves: Bool = false) throws {
        self.config = config
        interface = TreeInterface(config)
        module = try TreeVerifierRTL.module(config)
        let files = VerilogEmitter.emitFiles(module)
        let ports = module.ports.map { PortSpec($0.name, width: $0.width, $0.direction == .input ? .input : .output) }
        model = try VerilatedModel.build(VerilogDesign(files: Dictionary(uniqueKeysWithValues: files.map { ($0.name, $0.text) }),
                                                       top: module.name, ports: ports), waves: waves)
    }

    /// Streams a scenario (after a reset unless `resetFirst` is false); `expectedTokens` = Σ(n+1).
    public func run(_ s: TreeScenario, expectedTokens: Int, pressure: StreamPressure = .none,
                    resetFirst: Bool = true) throws -> (rounds: [TreeHardwareRound], committedLength: UInt32, logitHandshakes: [UInt64]) {
        if resetFirst { try model.reset() }
        let io = interface, rowIO = interface.rowInterface
        var commandWords: [UInt32] = []
        for c in s.commands { commandWords += io.packCommand(nodes: c.nodes, tokens: c.tokens, parents: c.parents) }
        var logitWords: [UInt32] = []
        var beatWords: [UInt32] = []
        let wordsPerBeat = (io.logitTDataBits + 31) / 32
        for b in s.beats {
            b.codes.withUnsafeBufferPointer { rowIO.packBeat($0, beat: 0, into: &beatWords) }
            logitWords += beatWords + Array(repeating: 0, count: wordsPerBeat - beatWords.count)
        }
        // Stream position of each round's first beat.
        let rows = StreamScenario(commands: [], beats: s.beats).rows
        var firstBeat: [Int] = []
        var row = 0
        for c in s.commands {
            firstBeat.append(rows[row].start)
            row += c.nodes + 1
        }
        let limit = UInt64(Double(s.beats.count + s.commands.count + 2 * expectedTokens) * pressure.slowdown * 4) + 10_000
        let run = try model.runStreams(
            sources: [
                StreamSource(valid: "s_axis_cmd_tvalid", ready: "s_axis_cmd_tready", data: ["s_axis_cmd_tdata"],
                             words: commandWords, gapProbability: pressure.commandGapProbability, seed: pressure.seed &+ 11),
                StreamSource(valid: "s_axis_logits_tvalid", ready: "s_axis_logits_tready", data: ["s_axis_logits_tdata"],
                             last: "s_axis_logits_tlast", words: logitWords, lasts: s.beats.map(\.last),
                             gapProbability: pressure.producerGap, seed: pressure.seed &+ 22),
            ],
            sinks: [
                StreamSink(valid: "m_axis_result_tvalid", ready: "m_axis_result_tready", data: ["m_axis_result_tdata"],
                           expectedBeats: s.commands.count, readyProbability: pressure.consumerReady, seed: pressure.seed &+ 33),
                StreamSink(valid: "m_axis_tokens_tvalid", ready: "m_axis_tokens_tready", data: ["m_axis_tokens_tdata"],
                           last: "m_axis_tokens_tlast", expectedBeats: expectedTokens,
                           readyProbability: pressure.consumerReady, seed: pressure.seed &+ 44),
                StreamSink(valid: "m_axis_path_tvalid", ready: "m_axis_path_tready", data: ["m_axis_path_tdata"],
                           last: "m_axis_path_tlast", expectedBeats: expectedTokens,
                           readyProbability: pressure.consumerReady, seed: pressure.seed &+ 55),
            ],
            maxCycles: limit)
        let results = run.sinks[0], tokens = run.sinks[1], paths = run.sinks[2]
        try model.step(TreeTiming.pipelineDepth(lanes: config.lanes) + 4)
        let extra = try ["m_axis_result_tvalid", "m_axis_tokens_tvalid", "m_axis_path_tvalid"].map { model.peek(try model.port($0)) }
        guard results.extraBeats == 0, tokens.extraBeats == 0, paths.extraBeats == 0, extra.allSatisfy({ $0 == 0 }) else {
            throw CoSimError.streamCount("the tree RTL produced more results, tokens or path entries than expected "
                + "(\(results.extraBeats), \(tokens.extraBeats), \(paths.extraBeats) during the run; valid after it: \(extra))")
        }
        func split(_ sink: StreamRun.Sink) -> [[Int]] {
            var out: [[Int]] = [[]]
            for (i, value) in sink.values.enumerated() {
                out[out.count - 1].append(Int(value))
                if sink.lasts[i] { out.append([]) }
            }
            return out
        }
        let tokenRounds = split(tokens), pathRounds = split(paths)
        var out: [TreeHardwareRound] = []
        for r in s.commands.indices {
            let f = io.unpackResult(results.beat(r))
            let first = run.sources[1].handshakeCycles[firstBeat[r]]
            out.append(TreeHardwareRound(
                round: HardwareRound(accepted: f.accepted, token: f.token, rollback: f.rollback, flags: f.flags,
                                     emitted: r < tokenRounds.count ? tokenRounds[r] : [],
                                     cycles: Int(results.handshakeCycles[r] - first) + 1),
                pathBeats: r < pathRounds.count ? pathRounds[r] : []))
        }
        return (out, UInt32(truncatingIfNeeded: model.peek(try model.port("committed_len"))), run.sources[1].handshakeCycles)
    }
}

/// Golden model and tree RTL side by side.
public struct TreeCoSimReport {
    public let expected: [TreeExpectation]
    public let hardware: [TreeHardwareRound]
    public let goldenCommittedLength: UInt32
    public let hardwareCommittedLength: UInt32
    public let disagreement: Disagreement?
}

public enum TreeCoSimulation {
    /// `TreeVerifier` on well-formed rounds, cycles from `TreeTiming`.
    public static func expect(_ rounds: [TreeCoSimRound], config: TreeConfig) -> [TreeExpectation] {
        rounds.map { r in
            let o = r.codes.withUnsafeBufferPointer { TreeVerifier.verify(r.round, targetCodes: $0, config: config) }
            return TreeExpectation(outcome: o, cycles: TreeTiming.cycles(lastRow: o.lastRow, config: config))
        }
    }

    /// Well-formed rounds through both models; every output of every round compared (cycles when no pressure).
    public static func run(_ rounds: [TreeCoSimRound], on sim: TreeSimulator, pressure: StreamPressure = .none,
                           resetFirst: Bool = true, committedBefore: UInt32 = 0) throws -> TreeCoSimReport {
        try run(TreeScenario(rounds: rounds, config: sim.config), expected: expect(rounds, config: sim.config), on: sim,
                pressure: pressure, resetFirst: resetFirst, committedBefore: committedBefore)
    }

    /// Any framing, against `TreeStreamGolden`.
    public static func run(_ scenario: TreeScenario, on sim: TreeSimulator, pressure: StreamPressure = .none,
                           resetFirst: Bool = true, committedBefore: UInt32 = 0) throws -> TreeCoSimReport {
        try run(scenario, expected: TreeStreamGolden.expect(scenario, config: sim.config), on: sim, pressure: pressure,
                resetFirst: resetFirst, committedBefore: committedBefore)
    }

    static func run(_ scenario: TreeScenario, expected: [TreeExpectation], on sim: TreeSimulator, pressure: StreamPressure,
                    resetFirst: Bool, committedBefore: UInt32) throws -> TreeCoSimReport {
        var counter = CommitCounter(length: resetFirst ? 0 : committedBefore)
        for e in expected { counter.advance(by: e.outcome.round) }
        let hw = try sim.run(scenario, expectedTokens: expected.reduce(0) { $0 + $1.outcome.round.emitted.count },
                             pressure: pressure, resetFirst: resetFirst)
        var d = firstDisagreement(expected, hw.rounds, cycles: pressure.isNone, nodes: sim.config.maxNodes)
        if d == nil, hw.committedLength != counter.length {
            d = Disagreement(round: max(0, expected.count - 1), field: "committed_len", expected: "\(counter.length)",
                             got: "\(hw.committedLength)")
        }
        return TreeCoSimReport(expected: expected, hardware: hw.rounds, goldenCommittedLength: counter.length,
                               hardwareCommittedLength: hw.committedLength, disagreement: d)
    }

    /// Every field of every round: the chain fields, the emitted tokens, the path stream (path then N), cycles.
    public static func firstDisagreement(_ expected: [TreeExpectation], _ hardware: [TreeHardwareRound], cycles: Bool,
                                         nodes: Int) -> Disagreement? {
        let timings = cycles ? expected.map { RoundTiming(firstBeat: 0, result: $0.cycles - 1, cycles: $0.cycles) } : nil
        if let d = CoSimComparison.firstDisagreement(golden: expected.map(\.outcome.round), timings: timings,
                                                     hardware: hardware.map(\.round)) {
            return d
        }
        for (r, e) in expected.enumerated() where e.outcome.path + [nodes] != hardware[r].pathBeats {
            return Disagreement(round: r, field: "path", expected: "\(e.outcome.path + [nodes])", got: "\(hardware[r].pathBeats)")
        }
        return nil
    }
}
