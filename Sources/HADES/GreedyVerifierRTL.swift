import Golden
import HDL

/// The greedy verify/rollback unit: streams target logit rows, takes each row's argmax through a pipelined tree,
/// compares it with the round's draft token and emits, per round, the accepted count, the next token, the
/// rollback and the flags, plus the emitted tokens as a stream and a committed-length counter.
///
/// Pipeline (each step one register, all moved by one `advance` enable, held while an output FIFO is full):
///   input (keys, lane validity, row bookkeeping) → ceil(log2 L) tree levels → running max per row →
///   decision (accept / stop) → output FIFOs. Result latency D = ceil(log2 L) + 3 (`GreedyTiming`).
public enum GreedyVerifierRTL {
    public static func defaultName(_ c: VerifierConfig) -> String {
        moduleName("hades_verify", ("g", c.gammaMax), ("v", c.vocab), ("l", c.lanes), ("", c.format.moduleTag))
            .replacingOccurrences(of: "__", with: "_")
    }

    public static let tokenFifoDepth = 4
    public static let resultFifoDepth = 2

    /// The unit's ports, for a parent that instantiates it (`SynthHarness`).
    public struct Ports {
        public let command, logits: StreamIn
        public let result, tokens: StreamOut
        public let committedLength: Value
    }

    public static func module(_ c: VerifierConfig, name: String? = nil) throws -> Module {
        try submodule(c, name: name).module
    }

    public static func submodule(_ c: VerifierConfig, name: String? = nil) throws -> Submodule<Ports> {
        let io = VerifierInterface(c)
        let tag = BeatTag(c)
        let tree = try ArgmaxTree.module(lanes: c.lanes, keyBits: c.logitBits, tagBits: tag.layout.width)
        let fifos = try OutputQueues.modules(io, tokenDepth: tokenFifoDepth, resultDepth: resultFifoDepth)

        return try Module.submodule(name ?? defaultName(c), parameters: [
            ("vocab", "\(c.vocab)"), ("gamma_max", "\(c.gammaMax)"), ("lanes", "\(c.lanes)"),
            ("format", c.format.description), ("beats_per_row", "\(c.beatsPerRow)"),
            ("latency_D", "\(GreedyTiming.pipelineDepth(lanes: c.lanes))"),
        ], doc: ["HADES greedy verify/rollback unit", VerifierInterface.layoutNote] + io.layouts.map { "  " + $0.summary }) { m in
            let command = m.streamIn(VerifierStreams.command, payload: io.commandTDataBits)
            let logits = m.streamIn(VerifierStreams.logits, payload: io.logitTDataBits)
            let queues = OutputQueues(m, io, fifos)
            VivadoInterfaces.annotate(m, streams: [VerifierStreams.command, VerifierStreams.logits,
                                                   VerifierStreams.result, VerifierStreams.tokens])
            let tokenQueue = queues.tokens, resultQueue = queues.results
            // The whole pipeline moves together; it waits only while an output FIFO is full.
            // Registered from the FIFOs' next fullness (same timing as `!full`, but no long path into every enable).
            let advance = m.reg("advance", 1, reset: 1)
            advance <== !tokenQueue.fullNext & !resultQueue.fullNext

            let commands = CommandSlots(m, c, command)
            let input = inputStage(m, c, logits, current: commands.current, advance: advance)
            commands.advance(roundEnd: input.roundEnd)

            let argmax = m.instance(tree, name: "u_argmax")
            argmax.enable <== advance
            m.enabled(by: advance) {
                let stage1 = m.reg("s1_tag", layout: tag.registered, reset: 0)
                stage1.bits <== m.pack(tag.registered, input.tag)
                argmax.laneValid <== m.regNext("s1_lane_valid", input.laneValid)
                argmax.laneKeys <== m.regNext("s1_lane_keys", input.laneKeys)
                // The NaN bit is OR-ed after the stage-1 register (one bit per lane is registered).
                let nan = input.laneNaN.map { m.regNext("s1_lane_nan", $0).orReduce } ?? .false
                argmax.tagIn <== m.pack(tag.layout, tag.registered.fields.reduce(into: [tag.nan: nan]) { $0[$1] = stage1[$1] })
            }
            let beat = m.view(argmax.tagOut, as: tag.layout, name: "argmax_tag")
            let row = rowMaximum(m, c, tag, beat: beat, argmax: argmax, advance: advance)
            let decision = decide(m, c, io, row: row, advance: advance)

            tokenQueue.push <== decision.pushToken
            tokenQueue.pushData <== decision.tokenEntry
            resultQueue.push <== decision.pushResult
            resultQueue.pushData <== decision.result
            queues.committedLength <== decision.committed
            return Ports(command: command, logits: logits, result: queues.resultPort, tokens: queues.tokensPort,
                         committedLength: queues.committedLength)
        }
    }

    // MARK: stages

    /// The tag that travels through the argmax tree beside each beat (`registered`: the part registered at the
    /// input stage; the NaN bit is computed after that register).
    struct BeatTag {
        let fire = Layout.Field("fire", 1), rowEnd = Layout.Field("row_end", 1), rowFinal = Layout.Field("row_final", 1)
        let rowLengthError = Layout.Field("row_length_error", 1), nan = Layout.Field("nan", 1)
        let badGamma = Layout.Field("bad_gamma", 1), badDraft = Layout.Field("bad_draft", 1)
        let base: Layout.Field, draft: Layout.Field, gamma: Layout.Field
        let layout: Layout, registered: Layout

        init(_ c: VerifierConfig) {
            base = Layout.Field("base", c.tokenBits)
            draft = Layout.Field("draft", c.tokenBits)
            gamma = Layout.Field("gamma", c.gammaBits)
            layout = Layout("argmax_tag", [fire, rowEnd, rowFinal, rowLengthError, nan, badGamma, badDraft, base, draft, gamma])
            registered = layout.removing([nan], name: "stage1_tag")
        }
    }

    /// One command slot: a round's γ, draft tokens and whether γ > Γ.
    struct Command { var valid, gamma, tokens, badGamma: Value }

    /// The current round's command and one queued behind it, so rounds follow each other without a bubble.
    struct CommandSlots {
        let m: ModuleBuilder
        let current: Command, queued: Command, incoming: Command
        let fire: Value

        init(_ m: ModuleBuilder, _ c: VerifierConfig, _ command: StreamIn) {
            self.m = m
            func slot(_ prefix: String) -> Command {
                Command(valid: m.reg("\(prefix)_valid", 1, reset: 0), gamma: m.reg("\(prefix)_gamma", c.gammaBits),
                        tokens: m.reg("\(prefix)_tokens", c.gammaMax * c.tokenBits),
                        badGamma: m.reg("\(prefix)_bad_gamma", 1))
            }
            current = slot("cur")
            queued = slot("nxt")
            let layout = CommandLayout(c)
            let payload = m.view(command.data.bits(layout.layout.width - 1, 0), as: layout.layout, name: "cmd")
            let gamma = payload[layout.gamma]
            let gammaTooLarge: Value = (1 << c.gammaBits) - 1 > c.gammaMax ? gamma > c.gammaMax : .false
            incoming = Command(valid: .true, gamma: gamma, tokens: payload[layout.drafts],
                               badGamma: m.named("cmd_bad_gamma", gammaTooLarge))
            command.ready <== !queued.valid
            fire = m.named("cmd_fire", command.valid & !queued.valid)
        }

        /// The slots move when the current round's last beat is taken (or while no round is current).
        func advance(roundEnd: Value) {
            func load(_ slot: Command, from source: Command) {
                slot.valid <== source.valid
                slot.gamma <== source.gamma
                slot.tokens <== source.tokens
                slot.badGamma <== source.badGamma
            }
            m.when(roundEnd | !current.valid) {
                m.when(queued.valid) {
                    load(current, from: queued)
                    queued.valid <== 0
                }.elseWhen(fire) {
                    load(current, from: incoming)
                }.otherwise {
                    current.valid <== 0
                }
            }.elseWhen(fire) {
                load(queued, from: incoming)
            }
        }
    }

    struct InputStage {
        let roundEnd: Value
        let laneValid, laneKeys: Value
        /// One NaN bit per lane (float formats only).
        let laneNaN: Value?
        let tag: [Layout.Field: Value]
    }

    /// Row and beat bookkeeping, the lanes' keys and validity, the beat's tag.
    static func inputStage(_ m: ModuleBuilder, _ c: VerifierConfig, _ logits: StreamIn, current: Command,
                           advance: Value) -> InputStage {
        let tokenBits = c.tokenBits, beats = c.beatsPerRow, tag = BeatTag(c)
        let beat = m.reg("beat", bitsToHold(beats), reset: 0)
        let row = m.reg("row", c.gammaBits, reset: 0)
        let base = m.reg("base", tokenBits, reset: 0)
        let last = logits.last!
        logits.ready <== current.valid & advance
        let fire = m.named("logits_fire", logits.valid & current.valid & advance)
        let rowFinal = m.named("row_final", row === current.gamma)
        let roundEnd = m.named("round_end", fire & last & rowFinal)
        // Rows end at tlast (so a bad row never shifts later rows); a row of the wrong length is flagged.
        let rowLengthError = m.named("row_length_error", last & (beat =/= (beats - 1)))
        m.when(fire) {
            m.when(last) {
                beat <== 0
                base <== 0
                row <== mux(rowFinal, .literal(0, width: c.gammaBits), row &+ 1)
            }.otherwise {
                beat <== mux(beat === beats, beat, beat &+ 1)
                base <== base &+ .literal(UInt64(c.lanes % (1 << tokenBits)), width: tokenBits)
            }
        }
        // Lanes holding token index < V: all lanes of beats before the last, the first lanesInLastBeat of it.
        let fullBeat: Value = beats > 1 ? beat < (beats - 1) : .false
        let lastOrEarlier = m.named("beat_in_row", beat < beats)
        let logitLayout = LogitsLayout(c)
        let lanes = m.view(logits.data.bits(logitLayout.layout.width - 1, 0), as: logitLayout.layout, name: "lane")
        var valid: [Value] = [], keys: [Value] = [], nan: [Value] = []
        for k in 0..<c.lanes {
            let key = LogitKey.build(lanes[logitLayout.logit, k], format: c.format)
            valid.append(k < c.lanesInLastBeat ? lastOrEarlier : fullBeat)
            keys.append(key.key)
            if c.format.isFloat { nan.append(key.isNaN & valid[k]) }
        }
        let draftTokens = (0..<c.gammaMax).map { current.tokens.bits(($0 + 1) * tokenBits - 1, $0 * tokenBits) }
        // bad_draft is decoded from the current slot's registers (off the command input's critical path).
        let outOfRange: [Value] = c.vocab < 1 << tokenBits  // otherwise every token is < V
            ? draftTokens.enumerated().map { i, token in (current.gamma > i) & (token >= c.vocab) } : []
        let badDraft = m.named("cur_bad_draft_now", outOfRange.isEmpty ? .false : concat(outOfRange).orReduce)
        // A stalled input must not look like a beat: `fire` is part of the tag and is 0 on idle cycles.
        return InputStage(
            roundEnd: roundEnd, laneValid: concat(valid.reversed()), laneKeys: concat(keys.reversed()),
            laneNaN: nan.isEmpty ? nil : concat(nan.reversed()),
            tag: [tag.fire: fire, tag.rowEnd: last, tag.rowFinal: rowFinal, tag.rowLengthError: rowLengthError,
                  tag.badGamma: current.badGamma, tag.badDraft: badDraft, tag.base: base,
                  tag.draft: m.select("row_draft", draftTokens, index: row), tag.gamma: current.gamma])
    }

    /// A finished row, registered: its argmax, its flags (`GreedyFlags`) and the round data its tag carried.
    struct RowResult {
        let done, argmax, isFinal, draft, gamma: Value
        let flags: LayoutValue
    }

    /// The flags a greedy row can raise: every result flag but residual_zero.
    static let rowFlags = FlagsLayout.layout.removing([FlagsLayout.field(.residualZero)], name: "row_flags")

    /// The running maximum of the row over the tree's per-beat winners, then the row's result register.
    static func rowMaximum(_ m: ModuleBuilder, _ c: VerifierConfig, _ tag: BeatTag, beat: LayoutValue,
                           argmax: InstanceOf<ArgmaxTree.Ports>, advance: Value) -> RowResult {
        let runValid = m.reg("run_valid", 1, reset: 0)
        let runKey = m.reg("run_key", c.logitBits)
        let runIndex = m.reg("run_index", c.tokenBits)
        let runNaN = m.reg("run_nan", 1)
        let rowStart = m.reg("row_start", 1, reset: 1)
        let candidateIndex = beat[tag.base] &+ argmax.maxLane.resized(to: c.tokenBits)
        let take = m.named("take_candidate", rowStart | (argmax.maxValid & (!runValid | (argmax.maxKey > runKey))))
        let newValid = m.named("new_valid", mux(take, argmax.maxValid, runValid))
        let newKey = m.named("new_key", mux(take, argmax.maxKey, runKey))
        let newIndex = m.named("new_index", mux(take, candidateIndex, runIndex))
        let newNaN = m.named("new_nan", (runNaN & !rowStart) | beat[tag.nan])
        m.when(beat[tag.fire] & advance) {
            runValid <== newValid
            runKey <== newKey
            runIndex <== newIndex
            runNaN <== newNaN
            rowStart <== beat[tag.rowEnd]
        }
        let negInfKey = Int(c.format.negativeInfinityKey)
        let degenerate: Value = c.format.isFloat  // compare both candidates, then select (shorter path)
            ? mux(take, argmax.maxKey === negInfKey, runKey === negInfKey) : .false
        let flag = FlagsLayout.field
        return m.enabled(by: advance) {
            let flags = m.reg("row_flags", layout: rowFlags)
            flags.bits <== m.pack(rowFlags, [flag(.badDraft): beat[tag.badDraft], flag(.badGamma): beat[tag.badGamma],
                                             flag(.nanLogit): newNaN, flag(.degenerateRow): degenerate,
                                             flag(.rowLength): beat[tag.rowLengthError]])
            return RowResult(done: m.regNext("row_done", beat[tag.fire] & beat[tag.rowEnd], reset: 0),
                             argmax: m.regNext("row_argmax", newIndex),
                             isFinal: m.regNext("row_is_final", beat[tag.rowFinal]),
                             draft: m.regNext("row_draft_token", beat[tag.draft]),
                             gamma: m.regNext("row_gamma", beat[tag.gamma]), flags: flags)
        }
    }

    struct Decision {
        let pushToken, tokenEntry, pushResult, result, committed: Value
    }

    /// Accept or stop at each row; the emitted token, the result and the committed length.
    static func decide(_ m: ModuleBuilder, _ c: VerifierConfig, _ io: VerifierInterface, row: RowResult,
                       advance: Value) -> Decision {
        let lengthBits = VerifierInterface.committedLengthBits
        let decided = m.reg("decided", 1, reset: 0)
        let accepted = m.reg("accepted", c.gammaBits, reset: 0)
        let flagsSoFar = m.reg("flags_so_far", rowFlags.width, reset: 0)
        let committed = m.reg("committed", lengthBits, reset: 0)
        let rowEvent = m.named("row_event", row.done & advance & !decided)
        let match = m.named("draft_match", !row.isFinal & !row.flags[FlagsLayout.field(.badGamma)]
            & (row.draft === row.argmax))
        let flagsNow = m.view(m.named("flags_now", flagsSoFar | row.flags.bits), as: rowFlags, name: "flags_now")
        let stop = m.named("round_decided", rowEvent & !match)
        m.when(rowEvent) {
            accepted <== mux(match, accepted &+ 1, accepted)
            flagsSoFar <== flagsNow.bits
            decided <== !match
        }
        m.when(stop) { committed <== committed &+ (accepted.zeroExtended(to: lengthBits) &+ 1) }
        m.when(row.done & advance & row.isFinal) {  // the round's last row: ready for the next round
            decided <== 0
            accepted <== 0
            flagsSoFar <== 0
        }
        let flags = FlagsLayout.layout.fields.reduce(into: [Layout.Field: Value]()) { all, f in
            all[f] = rowFlags.contains(f) ? flagsNow[f] : .false
        }
        let result = io.result, tokens = io.tokens
        return Decision(
            pushToken: rowEvent,
            tokenEntry: m.pack(tokens.entry, [tokens.token: mux(match, row.draft, row.argmax), tokens.last: !match]),
            pushResult: stop,
            result: m.pack(result.layout, [result.token: row.argmax, result.accepted: accepted,
                                           result.rollback: row.gamma &- accepted,
                                           result.flags: m.pack(FlagsLayout.layout, flags)]),
            committed: committed)
    }
}
