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
        var commandWords: [UInt32] = []
        for c in scenario.commands {
            precondition(c.gamma >= 0 && c.gamma < 1 << config.gammaBits, "γ \(c.gamma) does not fit the command")
            precondition(c.draftTokens.allSatisfy { $0 >= 0 && $0 < 1 << config.tokenBits }, "draft token does not fit TW bits")
            commandWords += io.packCommand(gamma: c.gamma, draftTokens: c.draftTokens)
        }
        var logitWords: [UInt32] = []
        logitWords.reserveCapacity(scenario.beats.count * ((io.logitBusBits + 31) / 32))
        var beatWords: [UInt32] = []
        for b in scenario.beats {
            precondition(b.codes.count <= config.lanes, "a beat holds at most L codes")
            b.codes.withUnsafeBufferPointer { io.packBeat($0, beat: 0, into: &beatWords) }
            logitWords += beatWords
        }
        // Stream position of each round's first beat.
        var firstBeat: [Int] = []
        var position = 0
        for e in expected {
            firstBeat.append(position)
            position += e.streamBeats
        }
        let slowdown = 1 / max(0.02, (1 - pressure.producerGap) * pressure.consumerReady)
        let limit = UInt64(Double(scenario.beats.count + scenario.commands.count + expectedTokens) * slowdown * 4) + 10_000
        let run = try model.runStreams(
            sources: [
                StreamSource(valid: "s_axis_cmd_tvalid", ready: "s_axis_cmd_tready", data: ["s_axis_cmd_tdata"],
                             words: commandWords, gapProbability: pressure.producerGap, seed: pressure.seed &+ 11),
                StreamSource(valid: "s_axis_logits_tvalid", ready: "s_axis_logits_tready", data: ["s_axis_logits_tdata"],
                             last: "s_axis_logits_tlast", words: logitWords, lasts: scenario.beats.map(\.last),
                             gapProbability: pressure.producerGap, seed: pressure.seed &+ 22),
            ],
            sinks: [
                StreamSink(valid: "m_axis_result_tvalid", ready: "m_axis_result_tready", data: ["m_axis_result_tdata"],
                           expectedBeats: expected.count, readyProbability: pressure.consumerReady, seed: pressure.seed &+ 33),
                StreamSink(valid: "m_axis_tokens_tvalid", ready: "m_axis_tokens_tready", data: ["m_axis_tokens_tdata"],
                           last: "m_axis_tokens_tlast", expectedBeats: expectedTokens,
                           readyProbability: pressure.consumerReady, seed: pressure.seed &+ 44),
            ],
            maxCycles: limit)
        let results = run.sinks[0], tokens = run.sinks[1]
        try model.step(GreedyTiming.pipelineDepth(lanes: config.lanes) + 4)
        let extraResult = model.peek(try model.port("m_axis_result_tvalid"))
        let extraToken = model.peek(try model.port("m_axis_tokens_tvalid"))
        guard results.extraBeats == 0, tokens.extraBeats == 0, extraResult == 0, extraToken == 0 else {
            throw CoSimError.streamCount("the RTL produced more results or tokens than the stream golden model "
                + "(\(results.extraBeats) results, \(tokens.extraBeats) tokens during the run; valid after it: "
                + "result \(extraResult), token \(extraToken))")
        }
        var perRound: [[Int]] = [[]]
        for (i, value) in tokens.values.enumerated() {
            perRound[perRound.count - 1].append(Int(value))
            if tokens.lasts[i] { perRound.append([]) }
        }
        var hardware: [HardwareRound] = []
        for r in expected.indices {
            let f = io.unpackResult(results.beat(r))
            let first = run.sources[1].handshakeCycles[firstBeat[r]]
            hardware.append(HardwareRound(accepted: f.accepted, token: f.token, rollback: f.rollback, flags: f.flags,
                                          emitted: r < perRound.count ? perRound[r] : [],
                                          cycles: Int(results.handshakeCycles[r] - first) + 1))
        }
        let timings = pressure.isNone
            ? expected.map { RoundTiming(firstBeat: 0, result: $0.idealCycles - 1, cycles: $0.idealCycles) } : nil
        var disagreement = CoSimComparison.firstDisagreement(golden: golden, timings: timings, hardware: hardware)
        let committed = UInt32(truncatingIfNeeded: model.peek(try model.port("committed_len")))
        if disagreement == nil, committed != counter.length {
            disagreement = Disagreement(round: max(0, expected.count - 1), field: "committed_len",
                                        expected: "\(counter.length)", got: "\(committed)")
        }
        return ScenarioReport(expected: expected, hardware: hardware, goldenCommittedLength: counter.length,
                              hardwareCommittedLength: committed, cycles: run.cycles, disagreement: disagreement)
    }
}

/// Protocol faults applied to well-formed scenarios.
public enum ProtocolFault {
    /// Re-frames row `row` (counted over the whole stream) to `beats` beats: fewer than B drops the row's tail
    /// (`tlast` early); more than B appends beats of `fill` codes (`tlast` late). Other rows are untouched.
    public static func resizeRow(_ scenario: StreamScenario, row: Int, beats: Int, fill: UInt32 = 0,
                                 config: VerifierConfig) -> StreamScenario {
        precondition(beats >= 1)
        let rows = scenario.rows
        let target = rows[row]
        var newRow = Array(target.beats.prefix(beats))
        for i in newRow.indices { newRow[i].last = false }
        while newRow.count < beats {
            newRow.append(LogitBeat(codes: Array(repeating: fill, count: config.lanes), last: false))
        }
        newRow[newRow.count - 1].last = true
        var out = scenario
        out.beats.replaceSubrange(target.start..<(target.start + target.beats.count), with: newRow)
        return out
    }
}

/// Drives the verifier one clock at a time (for faults the bulk engine cannot express: long consumer stalls with
/// a per-cycle schedule, reset in the middle of a round). Follows the same rules as the engine: a source raises
/// valid when it has a beat (and its gate allows) and holds it until the handshake; a handshake is valid && ready
/// as the rising edge sees them.
public final class CycleDriver {
    public let sim: VerifierSimulator
    let model: VerilatedModel
    let cmdValid, cmdReady, cmdData, logitsValid, logitsReady, logitsData, logitsLast: PortHandle
    let resultValid, resultReady, resultData, tokensValid, tokensReady, tokensData, tokensLast, committed: PortHandle

    /// Pending command payloads and logit beats (words, tlast); consumed by handshakes.
    public var commands: [[UInt32]] = []
    public var beats: [([UInt32], Bool)] = []
    /// Per-cycle schedules (the argument counts cycles since the driver was created).
    public var logitsGate: (UInt64) -> Bool = { _ in true }
    public var resultReadySchedule: (UInt64) -> Bool = { _ in true }
    public var tokensReadySchedule: (UInt64) -> Bool = { _ in true }

    public private(set) var cyclesRun: UInt64 = 0
    public private(set) var results: [[UInt32]] = []
    public private(set) var tokens: [(value: Int, last: Bool)] = []
    /// Cycle of each logit beat handshake.
    public private(set) var logitHandshakes: [UInt64] = []
    /// Cycles on which a logit beat was offered and `s_axis_logits_tready` was low.
    public private(set) var logitStallCycles: UInt64 = 0
    /// AXI4-Stream rule on the outputs: once valid is up without ready, valid stays up and the data (and tlast)
    /// stay the same until the handshake. One entry per broken cycle.
    public private(set) var outputProtocolViolations: [String] = []
    private var logitsValidUp = false
    private var heldResult: [UInt32]?
    private var heldToken: (Int, Bool)?

    public init(_ sim: VerifierSimulator) throws {
        self.sim = sim
        model = sim.model
        cmdValid = try model.port("s_axis_cmd_tvalid"); cmdReady = try model.port("s_axis_cmd_tready")
        cmdData = try model.port("s_axis_cmd_tdata")
        logitsValid = try model.port("s_axis_logits_tvalid"); logitsReady = try model.port("s_axis_logits_tready")
        logitsData = try model.port("s_axis_logits_tdata"); logitsLast = try model.port("s_axis_logits_tlast")
        resultValid = try model.port("m_axis_result_tvalid"); resultReady = try model.port("m_axis_result_tready")
        resultData = try model.port("m_axis_result_tdata")
        tokensValid = try model.port("m_axis_tokens_tvalid"); tokensReady = try model.port("m_axis_tokens_tready")
        tokensData = try model.port("m_axis_tokens_tdata"); tokensLast = try model.port("m_axis_tokens_tlast")
        committed = try model.port("committed_len")
    }

    /// Queues a scenario's commands and beats.
    public func enqueue(_ scenario: StreamScenario) {
        let io = sim.interface
        for c in scenario.commands { commands.append(io.packCommand(gamma: c.gamma, draftTokens: c.draftTokens)) }
        var w: [UInt32] = []
        for b in scenario.beats {
            b.codes.withUnsafeBufferPointer { io.packBeat($0, beat: 0, into: &w) }
            beats.append((w, b.last))
        }
    }

    /// One clock cycle.
    public func cycle() throws {
        let hasCommand = !commands.isEmpty
        try model.poke(cmdValid, hasCommand ? 1 : 0)
        if hasCommand { try model.poke(cmdData, words: commands[0]) }
        if !beats.isEmpty && (logitsValidUp || logitsGate(cyclesRun)) { logitsValidUp = true }
        try model.poke(logitsValid, logitsValidUp ? 1 : 0)
        if logitsValidUp {
            try model.poke(logitsData, words: beats[0].0)
            try model.poke(logitsLast, beats[0].1 ? 1 : 0)
        }
        let rr = resultReadySchedule(cyclesRun), tr = tokensReadySchedule(cyclesRun)
        try model.poke(resultReady, rr ? 1 : 0)
        try model.poke(tokensReady, tr ? 1 : 0)
        try model.eval()
        let cmdFire = hasCommand && model.peek(cmdReady) == 1
        let logitReadyNow = model.peek(logitsReady) == 1
        let logitFire = logitsValidUp && logitReadyNow
        if logitsValidUp && !logitReadyNow { logitStallCycles += 1 }
        let resultUp = model.peek(resultValid) == 1, tokenUp = model.peek(tokensValid) == 1
        let resultNow = model.peekWords(resultData)
        let tokenNow = (Int(model.peek(tokensData)), model.peek(tokensLast) == 1)
        if let held = heldResult, !resultUp || held != resultNow {
            outputProtocolViolations.append("cycle \(cyclesRun): result changed while waiting for ready")
        }
        if let held = heldToken, !tokenUp || held != tokenNow {
            outputProtocolViolations.append("cycle \(cyclesRun): token changed while waiting for ready")
        }
        let resultFire = rr && resultUp
        let tokenFire = tr && tokenUp
        heldResult = resultUp && !rr ? resultNow : nil
        heldToken = tokenUp && !tr ? tokenNow : nil
        let resultWords = resultNow
        let token = tokenNow
        try model.step(1)
        if cmdFire { commands.removeFirst() }
        if logitFire {
            beats.removeFirst()
            logitsValidUp = false
            logitHandshakes.append(cyclesRun)
        }
        if resultFire { results.append(resultWords) }
        if tokenFire { tokens.append(token) }
        cyclesRun += 1
    }

    public func run(cycles: Int) throws { for _ in 0..<cycles { try cycle() } }

    /// Runs until `done()` or `limit` cycles; returns whether `done()` became true.
    @discardableResult
    public func run(until done: () -> Bool, limit: Int) throws -> Bool {
        for _ in 0..<limit {
            if done() { return true }
            try cycle()
        }
        return done()
    }

    /// Holds `aresetn` low for `cycles` clocks with every valid low (AXI4-Stream: no valid during reset) and
    /// forgets whatever was queued.
    public func reset(cycles: Int = 1) throws {
        commands.removeAll()
        beats.removeAll()
        logitsValidUp = false
        heldResult = nil
        heldToken = nil
        try model.poke(cmdValid, 0)
        try model.poke(logitsValid, 0)
        try model.poke(logitsLast, 0)
        try model.reset(cycles: cycles)
        cyclesRun += UInt64(cycles)
    }

    /// Clears what was received so far.
    public func clearReceived() {
        results.removeAll()
        tokens.removeAll()
        logitHandshakes.removeAll()
        logitStallCycles = 0
    }

    public var committedLength: UInt32 { UInt32(truncatingIfNeeded: model.peek(committed)) }
    public var resultValidNow: Bool { model.peek(resultValid) == 1 }
    public var tokensValidNow: Bool { model.peek(tokensValid) == 1 }
    public var logitsReadyNow: Bool { model.peek(logitsReady) == 1 }

    /// Received results and tokens, grouped into rounds (tokens split at tlast).
    public func receivedRounds() -> [HardwareRound] {
        var perRound: [[Int]] = [[]]
        for t in tokens {
            perRound[perRound.count - 1].append(t.value)
            if t.last { perRound.append([]) }
        }
        return results.enumerated().map { r, words in
            let f = sim.interface.unpackResult(words)
            return HardwareRound(accepted: f.accepted, token: f.token, rollback: f.rollback, flags: f.flags,
                                 emitted: r < perRound.count ? perRound[r] : [], cycles: 0)
        }
    }
}
