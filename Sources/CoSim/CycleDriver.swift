import Golden
import HADES
import VerilatorBridge

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
        let streams = VerifierStreams.self
        let m: VerilatedModel = sim.model
        func port(_ name: String?) throws -> PortHandle { try m.port(name!) }
        (cmdValid, cmdReady, cmdData) = try (port(streams.command.valid), port(streams.command.ready), port(streams.command.data))
        (logitsValid, logitsReady) = try (port(streams.logits.valid), port(streams.logits.ready))
        (logitsData, logitsLast) = try (port(streams.logits.data), port(streams.logits.last))
        (resultValid, resultReady, resultData) = try (port(streams.result.valid), port(streams.result.ready), port(streams.result.data))
        (tokensValid, tokensReady) = try (port(streams.tokens.valid), port(streams.tokens.ready))
        (tokensData, tokensLast) = try (port(streams.tokens.data), port(streams.tokens.last))
        committed = try port(streams.committedLength)
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
        let perRound = StreamRunner.splitAtLast(tokens.map(\.value), lasts: tokens.map(\.last))
        return results.enumerated().map { r, words in
            let f = sim.interface.unpackResult(words)
            return HardwareRound(accepted: f.accepted, token: f.token, rollback: f.rollback, flags: f.flags,
                                 emitted: r < perRound.count ? perRound[r] : [], cycles: 0)
        }
    }
}
