import Golden
import HADES
import VerilatorBridge

/// One logit stream as the bridge sends it: the packed beats and `tlast` of each.
struct LogitStreamWords {
    var words: [UInt32] = []
    var lasts: [Bool] = []
    private var beat: [UInt32] = []

    var beatCount: Int { lasts.count }

    /// Appends `rows` rows of V codes (row i at i·V), B beats a row, `tlast` on each row's last beat.
    mutating func appendRows(_ codes: [UInt32], rows: Int, interface io: VerifierInterface) {
        let v = io.config.vocab, beats = io.config.beatsPerRow
        precondition(codes.count >= rows * v, "\(rows) rows need \(rows * v) codes, got \(codes.count)")
        codes.withUnsafeBufferPointer { all in
            for row in 0..<rows {
                let rowCodes = UnsafeBufferPointer(rebasing: all[row * v..<(row + 1) * v])
                for b in 0..<beats {
                    io.packBeat(rowCodes, beat: b, into: &beat)
                    words += beat
                    lasts.append(b == beats - 1)
                }
            }
        }
    }

    /// Appends one beat holding `codes` in lanes 0… (the rest 0) with the producer's `tlast`.
    mutating func appendBeat(_ codes: [UInt32], last: Bool, interface io: VerifierInterface) {
        precondition(codes.count <= io.config.lanes, "a beat holds at most L codes")
        codes.withUnsafeBufferPointer { io.packBeat($0, beat: 0, into: &beat) }
        words += beat
        lasts.append(last)
    }
}

/// What one run streams into a verifier: the command payloads, the target (and draft) logit beats, and where each
/// round's first target beat sits in its stream (the start of the round's cycle count).
struct StreamStimulus {
    var commands: [UInt32] = []
    var rounds = 0
    var target = LogitStreamWords()
    var draft = LogitStreamWords()
    var firstTargetBeat: [Int] = []

    /// Starts a round: its packed command; its first target beat is the next one appended.
    mutating func beginRound(command: [UInt32]) {
        commands += command
        firstTargetBeat.append(target.beatCount)
        rounds += 1
    }
}

/// What the RTL produced in one stream run.
struct StreamOutcome {
    var rounds: [HardwareRound]
    var committedLength: UInt32
    /// Clock cycles the stream engine ran.
    var cycles: UInt64
}

/// The bulk-engine run every verifier co-simulation shares (greedy rounds, protocol-fault scenarios, sampling):
/// command and logit streams in with the producer's gaps, result and token streams out with the consumer's
/// readiness, then `drainCycles` idle clocks that must show no surplus output; the result beats are unpacked with
/// the one result layout and the tokens split into rounds at `tlast`.
enum StreamRunner {
    static func run(_ stimulus: StreamStimulus, on model: VerilatedModel, interface io: VerifierInterface,
                    expectedTokens: Int, pressure: StreamPressure, extraCycles: Int = 0, drainCycles: Int) throws
        -> StreamOutcome
    {
        let streams = VerifierStreams.self
        var sources = [
            StreamSource(streams.command, words: stimulus.commands, gapProbability: pressure.commandGapProbability,
                         seed: pressure.seed &+ 11),
            StreamSource(streams.logits, words: stimulus.target.words, lasts: stimulus.target.lasts,
                         gapProbability: pressure.producerGap, seed: pressure.seed &+ 22),
        ]
        if stimulus.draft.beatCount > 0 {
            sources.append(StreamSource(streams.draft, words: stimulus.draft.words, lasts: stimulus.draft.lasts,
                                        gapProbability: pressure.producerGap, seed: pressure.seed &+ 55))
        }
        let work = stimulus.target.beatCount + stimulus.rounds + expectedTokens + extraCycles
        let limit = UInt64(Double(work) * pressure.slowdown * 4) + 10_000
        let run = try model.runStreams(
            sources: sources,
            sinks: [
                StreamSink(streams.result, expectedBeats: stimulus.rounds,
                           readyProbability: pressure.resultReadyProbability, seed: pressure.seed &+ 33),
                StreamSink(streams.tokens, expectedBeats: expectedTokens, readyProbability: pressure.consumerReady,
                           seed: pressure.seed &+ 44),
            ],
            maxCycles: limit)
        let results = run.sinks[0], tokens = run.sinks[1]
        // Let the pipeline drain: a surplus result or token would show up as valid within `drainCycles`.
        try model.step(drainCycles)
        let extraResult = model.peek(try model.port(streams.result.valid))
        let extraToken = model.peek(try model.port(streams.tokens.valid))
        guard results.extraBeats == 0, tokens.extraBeats == 0, extraResult == 0, extraToken == 0 else {
            throw CoSimError.streamCount("the RTL produced more results or tokens than the golden model "
                + "(\(results.extraBeats) results, \(tokens.extraBeats) tokens during the run; valid after it: "
                + "result \(extraResult), token \(extraToken))")
        }
        guard results.beatCount == stimulus.rounds, tokens.beatCount == expectedTokens else {
            throw CoSimError.streamCount("the RTL produced \(results.beatCount) of \(stimulus.rounds) results and "
                + "\(tokens.beatCount) of \(expectedTokens) tokens within \(limit) cycles")
        }
        let perRound = splitAtLast(tokens.values.map { Int($0) }, lasts: tokens.lasts)
        let rounds = (0..<stimulus.rounds).map { r -> HardwareRound in
            let f = io.unpackResult(results.beat(r))
            let first = run.sources[1].handshakeCycles[stimulus.firstTargetBeat[r]]
            return HardwareRound(accepted: f.accepted, token: f.token, rollback: f.rollback, flags: f.flags,
                                 emitted: r < perRound.count ? perRound[r] : [],
                                 cycles: Int(results.handshakeCycles[r] - first) + 1)
        }
        let committed = UInt32(truncatingIfNeeded: model.peek(try model.port(streams.committedLength)))
        return StreamOutcome(rounds: rounds, committedLength: committed, cycles: run.cycles)
    }

    /// Tokens grouped into rounds: a round ends at each `tlast`.
    static func splitAtLast(_ tokens: [Int], lasts: [Bool]) -> [[Int]] {
        var perRound: [[Int]] = [[]]
        for (token, last) in zip(tokens, lasts) {
            perRound[perRound.count - 1].append(token)
            if last { perRound.append([]) }
        }
        return perRound
    }
}
