import Golden
import HDL

/// The greedy verify/rollback unit: streams target logit rows, takes each row's argmax through a pipelined tree,
/// compares it with the round's draft token and emits, per round, the accepted count, the next token, the
/// rollback and the flags, plus the emitted tokens as a stream and a committed-length counter.
///
/// Pipeline (each step one register, all moved by one `advance` enable and its registered copies, held while an
/// output FIFO is full):
///   input (keys, lane validity, row bookkeeping) → argmax tree (`GreedyTiming.argmaxStages`; the round's draft
///   token and command flags join the tag at its entry) → running max per row (its registers hold the finished
///   row) → draft match → decision (accept / stop) → the output FIFOs' registered push. Result latency
///   D = argmax stages + 6 (`GreedyTiming`).
public enum GreedyVerifierRTL {
    public static func defaultName(_ c: VerifierConfig) -> String {
        moduleName("hades_verify", ("g", c.gammaMax), ("v", c.vocab), ("l", c.lanes), ("", c.format.moduleTag))
            .replacingOccurrences(of: "__", with: "_")
    }

    /// Lanes per copy of the pipeline enable: one copy moving every lane's registers was the critical path at
    /// L = 64 (its routing, 3.6 ns, into the keys' sync-reset LUTs).
    static let lanesPerEnable = 8

    public static let tokenFifoDepth = 4
    public static let resultFifoDepth = 4

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
        let tree = try ArgmaxTree.module(lanes: c.lanes, keyBits: c.logitBits, tagBits: tag.tree.width,
                                         lanesPerEnable: lanesPerEnable)
        let fifos = try OutputQueues.modules(io, tokenDepth: tokenFifoDepth, resultDepth: resultFifoDepth, withSpare: true,
                                             registeredTokenPush: true, registeredResultPush: true)

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
            // The whole pipeline moves together; it waits while an output FIFO is nearly full. Registered from the
            // FIFOs' registered room bits (the push registered inside and this clock's push still fit), so no
            // push/pop logic reaches the enables; with ready consumers a FIFO never holds more than one entry and
            // the pipeline never waits.
            let advance = m.reg("advance", 1, reset: 1)
            let advanceNext = m.named("advance_next", tokenQueue.spare! & resultQueue.spare!)
            advance <== advanceNext
            // The logit port's ready = a round is current and the pipeline advances, as one register, and a copy
            // for the command slots' row-end logic (kept: the slots' shift enables lie far from the input stage).
            let ready = m.reg("logits_ready", 1, reset: 0)
            let slotsReady = m.reg("cmd_logits_ready", 1, reset: 0, keep: true)

            let commands = CommandSlots(m, c, command)
            let input = inputStage(m, c, logits, commands: commands, ready: ready)
            let readyNext = advanceNext & commands.advance(valid: logits.valid, last: logits.last!, ready: slotsReady)
            ready <== readyNext
            slotsReady <== readyNext

            let argmax = m.instance(tree, name: "u_argmax")
            // Copies of `advance` for the lanes' registers, one per slice of lanes for the input stages and one
            // for the tree (`keep`: synthesis would merge them back into one).
            let slices = stride(from: 0, to: c.lanes, by: lanesPerEnable).map { $0..<min(c.lanes, $0 + lanesPerEnable) }
            let copies = { (name: String) in slices.indices.map { k -> Value in
                let r = m.reg("\(name)\(k)", 1, keep: true)
                r <== advanceNext
                return r
            } }
            argmax.enable <== concat(copies("tree_advance").reversed())
            let stage0 = m.reg("s0_tag", layout: tag.stage1, reset: 0, enable: advance)
            let stage0Fire = stage0[tag.fire]
            let w = c.logitBits
            var keys: [Value] = [], valids: [Value] = [], flags: [Value] = []
            for (k, (lanes, enable)) in zip(slices, copies("lane_advance")).enumerated() {
                m.enabled(by: enable) {
                    // Stage 0: the codes and their NaN / −0 terms; stage 1: the keys (one LUT per bit, after one that finishes
                    // the terms for fp32).
                    let part = { (v: Value, bits: Int) in v.bits(lanes.upperBound * bits - 1, lanes.lowerBound * bits) }
                    let codes = m.regNext("s0_codes_\(k)", part(input.codes, w)), valid = m.regNext("s0_lane_valid_\(k)", part(input.laneValid, 1))
                    let nanTerms = m.regNext("s0_lane_nan_\(k)", part(input.laneNaN, input.nanTerms))
                    let negativeZeroTerms = m.regNext("s0_lane_neg_zero_\(k)", part(input.laneNegativeZero, input.negativeZeroTerms))
                    let special = (0..<lanes.count).map { i in
                        LogitKey.combine(.init(nan: nanTerms.bits((i + 1) * input.nanTerms - 1, i * input.nanTerms),
                                               negativeZero: negativeZeroTerms.bits((i + 1) * input.negativeZeroTerms - 1,
                                                                                   i * input.negativeZeroTerms)))
                    }
                    let nan = input.nanTerms == 1 ? nanTerms
                        : m.named("lane_nan_\(k)", concat(special.reversed().map(\.isNaN)))
                    let negativeZero = input.negativeZeroTerms == 1 ? negativeZeroTerms
                        : m.named("lane_neg_zero_\(k)", concat(special.reversed().map(\.isNegativeZero)))
                    valids.append(m.regNext("s1_lane_valid_\(k)", valid & concat(Array(repeating: stage0Fire, count: lanes.count))))
                    keys.append(m.regNext("s1_lane_keys_\(k)", concat((0..<lanes.count).reversed().map { i in
                        m.named("lane_key_\(lanes.lowerBound + i)",
                                LogitKey.key(codes.bits((i + 1) * w - 1, i * w), (nan[i], negativeZero[i]), format: c.format))
                    })))
                    flags.append(m.regNext("s1_lane_nan_\(k)", nan & valid))
                }
            }
            argmax.laneValid <== concat(valids.reversed())
            argmax.laneKeys <== concat(keys.reversed())
            argmax.laneFlags <== concat(flags.reversed())
            m.enabled(by: advance) {
                stage0.bits <== m.pack(tag.stage1, input.tag)
                let stage1 = m.regNext("s1_tag", stage0, reset: 0)
                // bad_draft: the registered per-token bits OR-ed after stage 1 (off the command port's paths).
                var fields = tag.stage1.fields.filter { tag.tree.contains($0) }
                    .reduce(into: [Layout.Field: Value]()) { $0[$1] = stage1[$1] }
                fields[tag.badDraft] = stage1[tag.outOfRange].orReduce
                if let inBeat = tag.draftInBeat {
                    let high = { (v: Value) in v.bits(c.tokenBits - 1, tag.laneBits) }
                    fields[inBeat] = high(stage1[tag.base]) === high(stage1[tag.draft])
                }
                argmax.tagIn <== m.pack(tag.tree, fields)
            }
            let beat = m.view(argmax.tagOut, as: tag.tree, name: "argmax_tag")
            // A copy of `advance` for the logic of the row stages (kept: synthesis would merge it with a lane
            // slice's copy, far away). Without a reset it equals `advance` from the first clock of the reset on
            // (the FIFO state it is computed from is reset); so do the other copies.
            let rowAdvance = m.reg("row_advance", 1, keep: true)
            rowAdvance <== advanceNext
            let row = rowMaximum(m, c, tag, beat: beat, argmax: argmax, advance: rowAdvance)
            let decision = decide(m, c, io, row: matchStage(m, c, row, advance: advance), upcoming: row.done,
                                  advance: rowAdvance)

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

    /// The tag of each beat: `stage1` is registered at the input stage; `tree` travels through the argmax tree
    /// (stage 1's fields with the per-token out-of-range bits OR-ed into `bad_draft`, and `draft_in_beat`).
    struct BeatTag {
        let fire = Layout.Field("fire", 1), rowEnd = Layout.Field("row_end", 1), rowFinal = Layout.Field("row_final", 1)
        let rowLengthError = Layout.Field("row_length_error", 1)
        let badGamma = Layout.Field("bad_gamma", 1), badDraft = Layout.Field("bad_draft", 1)
        let base: Layout.Field, draft: Layout.Field, gamma: Layout.Field, outOfRange: Layout.Field
        /// With L a power of two (> 1) and tokens wider than a lane index, a beat's token index is the base's high
        /// bits and the lane: `laneBits`, and whether the draft's high bits equal the base's (`draft_in_beat`,
        /// compared before the tree), so the draft match after the tree compares the lane bits only.
        let laneBits: Int, draftInBeat: Layout.Field?
        let stage1: Layout, tree: Layout

        init(_ c: VerifierConfig) {
            base = Layout.Field("base", c.tokenBits)
            draft = Layout.Field("draft", c.tokenBits)
            gamma = Layout.Field("gamma", c.gammaBits)
            outOfRange = Layout.Field("out_of_range", c.gammaMax)
            laneBits = max(1, ceilLog2(c.lanes))
            draftInBeat = c.lanes > 1 && c.lanes & (c.lanes - 1) == 0 && c.tokenBits > laneBits
                ? Layout.Field("draft_in_beat", 1) : nil
            stage1 = Layout("stage1_tag", [fire, rowEnd, rowFinal, rowLengthError, badGamma, base, draft, gamma, outOfRange])
            tree = Layout("argmax_tag", [fire, rowEnd, rowFinal, rowLengthError, badGamma, badDraft] + (draftInBeat.map { [$0] } ?? [])
                          + [base, draft, gamma])
        }
    }

    /// One command slot: a round's γ, flags, draft tokens and a one-hot row marker (bit γ set). Tokens and marker
    /// shift down one entry the clock after each row's end (`pending` meanwhile), so entry 0 — entry 1 while a
    /// shift is pending — is the current row's draft token and whether the current row is the last.
    struct Slot {
        let valid, pending, tokens, marker, gamma, badGamma, outOfRange: Value
        /// Copies of `pending` and of the slot's write bit, one per group of `tokensPerEnable` draft tokens and
        /// one for the marker (kept apart in synthesis): one copy moving all Γ tokens was the critical path at
        /// Γ = 32 (4.3–4.7 ns of routing to 544 enables).
        let tokenGroups: [(pending: Value, write: Value, tokens: Value)]
        let markerPending, markerWrite: Value
    }

    /// Draft tokens per copy of a command slot's shift and write enables.
    static let tokensPerEnable = 8

    /// Two command slots used alternately (`write` takes the next command, `read` is the streaming round), so the
    /// next round's command can arrive while the current round streams and rounds of two or more beats follow
    /// without a bubble. The port's command waits in a holding register until a slot is free; a slot is freed at
    /// its round's last beat. Wide registers move on one LUT of registered conditions (hold, slot, pending shift).
    struct CommandSlots {
        let m: ModuleBuilder
        let c: VerifierConfig
        let slots: [Slot]
        let readPointer: Value
        /// Slot s takes the held command this clock (decided the clock before); `stateWrites`: a kept copy for
        /// the valid / final / armed next states (a copy merged with a far marker enable was on their critical path).
        let writes, stateWrites: [Value]
        /// Per slot: its current row's draft token.
        let drafts: [Value]
        /// Whether the reading slot's current row is its round's last, and the same for the other slot's first
        /// row once it is written: registers kept by lookahead (`advance`) rather than a choice among the slots'
        /// markers, so a round's end is one LUT of flip-flops. `heldFinal`: the held command's γ is 0.
        let rowFinal, otherFinal, heldFinal: Value
        /// Per slot: whether the row after its current one is the last (its marker's entry 1 after a pending shift).
        let seconds: [Value]
        /// Per slot: it is read and its current row is not the last, as a register, so a row end's shift enable
        /// is one LUT4 (valid, ready, last, this bit).
        let armed: [Value]

        init(_ m: ModuleBuilder, _ c: VerifierConfig, _ command: StreamIn) {
            self.m = m
            self.c = c
            let layout = CommandLayout(c)
            let tokenBits = c.tokenBits, markerBits = 1 << c.gammaBits
            let held = m.reg("cmd_held", layout: layout.layout)
            let heldValid = m.reg("cmd_held_valid", 1, reset: 0)
            let heldOutOfRange = m.reg("cmd_held_out_of_range", c.gammaMax)
            let writePointer = m.reg("cmd_write_slot", 1, reset: 0)
            readPointer = m.reg("cmd_read_slot", 1, reset: 0)
            rowFinal = m.reg("cmd_row_final", 1, reset: 0)
            otherFinal = m.reg("cmd_other_final", 1, reset: 0)
            let heldFinal = m.reg("cmd_held_final", 1)
            self.heldFinal = heldFinal
            armed = (0..<2).map { s in m.reg("slot\(s)_shift_armed", 1, reset: s == 0 ? 1 : 0) }
            let groups = stride(from: 0, to: c.gammaMax, by: GreedyVerifierRTL.tokensPerEnable)
                .map { $0..<min(c.gammaMax, $0 + GreedyVerifierRTL.tokensPerEnable) }
            let copy = { (name: String) in m.reg(name, 1, reset: 0, keep: true) }
            slots = (0..<2).map { s in
                let tokenGroups = groups.enumerated().map { g, tokens in
                    (pending: copy("slot\(s)_pending_g\(g)"), write: copy("slot\(s)_write_g\(g)"),
                     tokens: m.reg("slot\(s)_tokens_g\(g)", tokens.count * tokenBits))
                }
                return Slot(valid: m.reg("slot\(s)_valid", 1, reset: 0), pending: m.reg("slot\(s)_pending", 1, reset: 0),
                            tokens: m.named("slot\(s)_tokens", concat(tokenGroups.reversed().map(\.tokens))),
                            marker: m.reg("slot\(s)_marker", markerBits),
                            gamma: m.reg("slot\(s)_gamma", c.gammaBits), badGamma: m.reg("slot\(s)_bad_gamma", 1),
                            outOfRange: m.reg("slot\(s)_out_of_range", c.gammaMax), tokenGroups: tokenGroups,
                            markerPending: copy("slot\(s)_pending_marker"), markerWrite: copy("slot\(s)_write_marker"))
            }
            // The port takes a command while the holding register is empty (one every other clock at most: every
            // round of two or more beats follows the previous one without a bubble).
            // The held command moves into the free slot the clock after that is found (a register decides), so the
            // slot's wide registers load on registered conditions only; the holding register keeps it until then.
            let pointer = writePointer
            let drains = slots.enumerated().map { s, slot in m.named("slot\(s)_drain", heldValid & (pointer === s) & !slot.valid) }
            let writes = drains.enumerated().map { s, drain in m.regNext("slot\(s)_write", drain, reset: 0) }
            self.writes = writes
            stateWrites = drains.enumerated().map { s, drain in
                let r = m.reg("slot\(s)_write_state", 1, reset: 0, keep: true)
                r <== drain
                return r
            }
            for (slot, drain) in zip(slots, drains) {
                for write in slot.tokenGroups.map(\.write) + [slot.markerWrite] { write <== drain }
            }
            let drain = m.named("cmd_drain", drains[0] | drains[1])
            command.ready <== !heldValid
            let fire = m.named("cmd_fire", command.valid & !heldValid)
            let incoming = m.view(command.data.bits(layout.layout.width - 1, 0), as: layout.layout, name: "cmd")
            // Per draft token: x_i ≥ V (as x_i > V − 1, one carry chain) and i < γ; bad_draft once OR-ed. Each
            // comparison of the port's data ends in a flip-flop of its own (a chain into the holding register's
            // enable mux was the critical path); the held bits combine them the clock after the command is
            // taken, which is still before the earliest slot write (two clocks after it is taken).
            if c.vocab < 1 << tokenBits {  // otherwise every token is < V
                let tokenTooLarge = m.regNext("cmd_token_too_large", concat((0..<c.gammaMax).reversed().map { i in
                    ArgmaxTree.greater(incoming[layout.drafts, i], .literal(UInt64(c.vocab - 1), width: tokenBits))
                }))
                let tokenInRound = m.regNext("cmd_token_in_round", concat((0..<c.gammaMax).reversed().map { i in
                    incoming[layout.gamma] > i
                }))
                let taken = m.regNext("cmd_taken", fire, reset: 0)
                m.when(taken) { heldOutOfRange <== tokenTooLarge & tokenInRound }
            } else {
                heldOutOfRange <== .literal(0, width: c.gammaMax)
            }
            m.when(fire) {
                held.bits <== incoming.bits
                heldFinal <== incoming[layout.gamma] === 0
            }
            heldValid <== fire | (heldValid & !drain)
            m.when(drain) { writePointer <== !writePointer }
            drafts = slots.enumerated().map { s, slot in Self.now(m, slot, slot.tokens, entryBits: tokenBits, "slot\(s)_draft") }

            let gamma = held[layout.gamma]
            let gammaTooLarge: Value = (1 << c.gammaBits) - 1 > c.gammaMax ? gamma > c.gammaMax : .false
            let shifted = slots.map { Self.shiftedDown($0.tokens, by: tokenBits) }
            let markerOnWrite = concat((0..<markerBits).reversed().map { gamma === $0 })
            seconds = slots.map { slot in
                Self.entry(mux(slot.pending, Self.shiftedDown(slot.marker, by: 1), slot.marker), 1, bits: 1)
            }
            for (s, slot) in slots.enumerated() {
                // Each group shifts and loads on its own enable copies (never both: a slot with a pending shift
                // is valid, and only a free slot is written).
                var low = 0
                for group in slot.tokenGroups {
                    let high = low + group.tokens.width - 1
                    m.when(group.pending) { group.tokens <== shifted[s].bits(high, low) }
                    m.when(group.write) { group.tokens <== held[layout.drafts].bits(high, low) }
                    low = high + 1
                }
                m.when(slot.markerPending) { slot.marker <== Self.shiftedDown(slot.marker, by: 1) }
                m.when(slot.markerWrite) { slot.marker <== markerOnWrite }
                m.when(writes[s]) {
                    slot.gamma <== gamma
                    slot.badGamma <== gammaTooLarge
                    slot.outOfRange <== heldOutOfRange
                }
            }
        }

        /// One entry down; the top entry stays (past the round's rows, unread), so no constant becomes a reset.
        static func shiftedDown(_ v: Value, by bits: Int) -> Value {
            v.width > bits ? concat(v.bits(v.width - 1, v.width - bits), v.bits(v.width - 1, bits)) : v
        }

        /// Entry `i` of a row-indexed field (0 past its end).
        static func entry(_ field: Value, _ i: Int, bits: Int) -> Value {
            field.width >= (i + 1) * bits ? field.bits((i + 1) * bits - 1, i * bits) : .literal(0, width: bits)
        }

        /// Entry 0 of a slot's row-indexed field as seen by the current row (entry 1 while a shift is pending).
        static func now(_ m: ModuleBuilder, _ slot: Slot, _ field: Value, entryBits: Int, _ name: String) -> Value {
            m.named(name, mux(slot.pending, entry(field, 1, bits: entryBits), entry(field, 0, bits: entryBits)))
        }

        func pick(_ f: (Slot) -> Value) -> Value { mux(readPointer, f(slots[1]), f(slots[0])) }
        func pick(_ v: [Value]) -> Value { mux(readPointer, v[1], v[0]) }

        /// A row of the reading slot ends (the logit port's `valid`, `ready`, `last`), the round's last row
        /// (`round_end` = `row_end & row_final`): schedule the slot's shift, free it and turn to the other slot.
        /// Returns whether a round is current after this clock. Each next state is a choice by `row_end` /
        /// `round_end` between values of flip-flops only.
        func advance(valid: Value, last: Value, ready: Value) -> Value {
            let rowEnd = m.named("row_end", valid & ready & last)
            let roundEnd = m.named("round_end", rowEnd & rowFinal)
            for (s, slot) in slots.enumerated() {
                let reading = readPointer === s
                slot.valid <== stateWrites[s] | (slot.valid & !(roundEnd & reading))
                let shift = m.named("slot\(s)_shift_next", rowEnd & armed[s])
                for pending in [slot.pending, slot.markerPending] + slot.tokenGroups.map(\.pending) { pending <== shift }
            }
            readPointer <== readPointer ^ roundEnd
            // row_final next clock: after a round end, the other slot's first row's (other_final: set when the
            // slot is written, from the held command's γ = 0, and unchanged until it is read; a don't-care while
            // the slot is free); after another row end, the reading slot's next row's (it shifts; a slot that
            // fires is not being written); else unchanged, or the held command's when the reading slot is written.
            let other = { (v: [Value]) in mux(readPointer, v[0], v[1]) }
            let otherNext = m.named("cmd_other_final_next", mux(other(stateWrites), heldFinal, otherFinal))
            otherFinal <== otherNext
            let afterRoundEnd = otherNext, afterRowEnd = pick(seconds)
            let unchanged = mux(pick(stateWrites), heldFinal, rowFinal)
            rowFinal <== mux(rowEnd, mux(rowFinal, afterRoundEnd, afterRowEnd), unchanged)
            // armed next clock = (read next clock) & !row_final next clock, by the same cases.
            for (s, armed) in armed.enumerated() {
                let reading = readPointer === s
                armed <== mux(rowEnd, mux(rowFinal, !reading & !afterRoundEnd, reading & !afterRowEnd), reading & !unchanged)
            }
            // The slot read next clock holds a round: the other one after a round end, else the same; either
            // way it is valid or being written now (no row-end logic of its own valid bit needed).
            let filled = slots.enumerated().map { s, slot in slot.valid | stateWrites[s] }
            return m.named("cur_valid_next", mux(roundEnd, other(filled), pick(filled)))
        }

        /// The reading slot's current row: draft token, whether it is the last, γ, γ > Γ, the per-token
        /// out-of-range bits.
        func current() -> (draft: Value, final: Value, gamma: Value, badGamma: Value, outOfRange: Value) {
            return (mux(readPointer, drafts[1], drafts[0]), rowFinal,
                    pick(\.gamma), pick(\.badGamma), pick(\.outOfRange))
        }
    }

    struct InputStage {
        let laneValid, codes: Value
        /// Each lane's NaN and −0 terms (`LogitKey.detectTerms`; 0 in fixed point), `nanTerms` / `negativeZeroTerms`
        /// bits per lane.
        let laneNaN, laneNegativeZero: Value
        let nanTerms, negativeZeroTerms: Int
        let tag: [Layout.Field: Value]
    }

    /// Row and beat bookkeeping, the lanes' keys and validity, the beat's tag.
    static func inputStage(_ m: ModuleBuilder, _ c: VerifierConfig, _ logits: StreamIn, commands: CommandSlots,
                           ready: Value) -> InputStage {
        let tokenBits = c.tokenBits, beats = c.beatsPerRow, tag = BeatTag(c)
        let beat = m.reg("beat", bitsToHold(beats), reset: 0)
        let base = m.reg("base", tokenBits, reset: 0)
        let last = logits.last!
        logits.ready <== ready
        let fire = m.named("logits_fire", logits.valid & ready)
        let slot = commands.current()
        let rowFinal = slot.final
        // Lanes holding token index < V: all lanes of beats before the last (`beat_full`: beat < beats − 1), the
        // first lanesInLastBeat of it (`beat_in_row`: beat < beats). Registers beside `beat`, so the lanes'
        // validity fans out from flip-flops (a comparison there was the critical path at L = 64). `beat` stops
        // at `beats`, so they also give its saturation (beat = beats) and the row's last beat (beat = beats − 1)
        // without a comparison of their own.
        let fullBeat = m.reg("beat_full", 1, reset: beats > 1 ? 1 : 0)
        let lastOrEarlier = m.reg("beat_in_row", 1, reset: 1)
        // Rows end at tlast (so a bad row never shifts later rows); a row of the wrong length is flagged.
        let rowLengthError = m.named("row_length_error", last & !(lastOrEarlier & !fullBeat))
        m.when(fire) {
            m.when(last) {
                beat <== 0
                base <== 0
                fullBeat <== (beats > 1 ? .true : .false)
                lastOrEarlier <== 1
            }.otherwise {
                beat <== mux(lastOrEarlier, beat &+ 1, beat)
                base <== base &+ .literal(UInt64(c.lanes % (1 << tokenBits)), width: tokenBits)
                fullBeat <== (beats > 2 ? beat < (beats - 2) : .false)  // beat + 1 < beats − 1 (saturated: false)
                lastOrEarlier <== fullBeat  // beat + 1 < beats
            }
        }
        let logitLayout = LogitsLayout(c)
        let lanes = m.view(logits.data.bits(logitLayout.layout.width - 1, 0), as: logitLayout.layout, name: "lane")
        var valid: [Value] = [], codes: [Value] = [], nan: [Value] = [], negativeZero: [Value] = []
        for k in 0..<c.lanes {
            let code = lanes[logitLayout.logit, k], special = LogitKey.detectTerms(code, format: c.format)
            valid.append(k < c.lanesInLastBeat ? lastOrEarlier : fullBeat)
            codes.append(code)
            nan.append(special.nan)
            negativeZero.append(special.negativeZero)
        }
        // A stalled input must not look like a beat: `fire` is part of the tag and is 0 on idle cycles.
        return InputStage(
            laneValid: concat(valid.reversed()), codes: concat(codes.reversed()),
            laneNaN: concat(nan.reversed()), laneNegativeZero: concat(negativeZero.reversed()),
            nanTerms: nan[0].width, negativeZeroTerms: negativeZero[0].width,
            tag: [tag.fire: fire, tag.rowEnd: last, tag.rowFinal: rowFinal, tag.rowLengthError: rowLengthError,
                  tag.base: base, tag.draft: slot.draft, tag.gamma: slot.gamma, tag.badGamma: slot.badGamma,
                  tag.outOfRange: slot.outOfRange])
    }

    /// A finished row, registered: its argmax, its flags (`GreedyFlags`) and the round data its tag carried;
    /// `draftMatches`: the row's draft token equals its argmax.
    struct RowResult {
        let done, argmax, isFinal, draft, gamma, draftMatches: Value
        let flags: LayoutValue
    }

    /// The flags a greedy row can raise: every result flag but residual_zero.
    static let rowFlags = FlagsLayout.layout.removing([FlagsLayout.field(.residualZero)], name: "row_flags")

    /// The running maximum of the row over the tree's per-beat winners, held in two parts: `run_*` and the last
    /// beat's winner `pend_*`, which is the maximum when `pend_takes` and moves into `run_*` the clock after.
    /// The new beat is compared with both parts (one carry chain each) and each comparison ends in its own
    /// flip-flop; `pend_takes` picks one of the two registered results a clock later, by its own previous value
    /// (one LUT). So no LUT follows a chain (a 34-bit chain into the pick, then a LUT, was the fp32 unit's critical
    /// path) and no chain waits for the pick. The maximum is final in the clock after the row's last beat (`done`).
    static func rowMaximum(_ m: ModuleBuilder, _ c: VerifierConfig, _ tag: BeatTag, beat: LayoutValue,
                           argmax: InstanceOf<ArgmaxTree.Ports>, advance: Value) -> RowResult {
        let runKey = m.reg("run_key", c.logitBits, reset: 0)  // defined from reset on: `take` is arithmetic on it
        let runIndex = m.reg("run_index", c.tokenBits)
        let runNaN = m.reg("run_nan", 1)
        let runNegInf = m.reg("run_neg_inf", 1)
        let rowStarted = m.reg("row_started", 1, reset: 0)
        // pend_takes(t+1) = its value at t ? candidate(t) > pend(t) : candidate(t) > run(t), with both
        // comparisons registered at t and the pick made at t+1.
        // 32-bit keys (fp32) double the run registers' load on pend_takes: a second, kept copy of its three
        // registers drives the row's outputs (`row_pend_takes`), which lie near the result FIFO.
        let wideKeys = c.logitBits > 16
        let takeCopies = (wideKeys ? ["", "row_"] : [""]).map { prefix in
            (overPend: m.reg("\(prefix)beat_over_pend", 1, reset: 0, keep: !prefix.isEmpty),
             overRun: m.reg("\(prefix)beat_over_run", 1, reset: 0, keep: !prefix.isEmpty),
             before: m.reg("\(prefix)pend_takes_before", 1, reset: 0, keep: !prefix.isEmpty), name: "\(prefix)pend_takes")
        }
        let takes = takeCopies.map { copy in
            let takes = m.named(copy.name, mux(copy.before, copy.overPend, copy.overRun))
            copy.before <== takes
            return takes
        }
        let pendTakes = takes[0], rowPendTakes = takes[takes.count - 1]
        // Lane indices of valid beats: base + lane, base a multiple of L (an OR when L is a power of two).
        let laneBits = argmax.maxLane.width, tokenBits = c.tokenBits
        let candidateIndex: Value = c.lanes & (c.lanes - 1) != 0 || c.lanes == 1
            ? beat[tag.base] &+ argmax.maxLane.resized(to: tokenBits)
            : tokenBits <= laneBits ? argmax.maxLane.resized(to: tokenBits)
            : concat(beat[tag.base].bits(tokenBits - 1, laneBits), argmax.maxLane)
        let draftMatch = tag.draftInBeat.map { beat[$0] & (argmax.maxLane === beat[tag.draft].bits(laneBits - 1, 0)) }
            ?? (candidateIndex === beat[tag.draft])
        let negInfKey = Int(c.format.negativeInfinityKey)
        let pendKey = m.regNext("pend_key", argmax.maxKey, reset: 0)
        let pendIndex = m.regNext("pend_index", candidateIndex)
        // Every key is at least −inf's (NaN takes −inf's key), which is 2^mantissaBits − 1: so the winner is −inf
        // exactly when its key's bits above the mantissa are 0 (fp32: 9 bits, two LUT levels, not 32).
        precondition(!c.format.isFloat || negInfKey == (1 << c.format.mantissaBits) - 1, "−inf's key is not 2^m − 1")
        let isNegInf = !wideKeys ? argmax.maxKey === negInfKey
            : !argmax.maxKey.bits(c.logitBits - 1, c.format.mantissaBits).orReduce
        let pendNegInf = m.regNext("pend_neg_inf", c.format.isFloat ? isNegInf : .false)
        // Whether the winner is the beat's draft token, registered beside it (the match stage then reads a bit).
        let pendMatch = m.regNext("pend_matches_draft", draftMatch)
        let runMatch = m.reg("run_matches_draft", 1)
        // A beat that moves: the row's first always wins (its lane 0 holds a token), later ones when valid and
        // strictly greater; no other beat of a row. The conditions are the top bits of the comparisons (`advance` alone on
        // top), so each comparison is one carry chain.
        let fire = beat[tag.fire]
        // Lane validity includes `fire` (stage 1), so no LUT feeds the chains' top bits. Between rows (not started)
        // a bubble may take: harmless, as the row's result is read in the clock after its last beat, before
        // that take lands, and the next row's first beat always takes.
        let candidate = concat(advance, argmax.maxValid, argmax.maxKey)
        let against = { (key: Value) in concat(Value.true, rowStarted, key) }
        let overPend = ArgmaxTree.greater(candidate, against(pendKey)), overRun = ArgmaxTree.greater(candidate, against(runKey))
        for copy in takeCopies {
            copy.overPend <== overPend
            copy.overRun <== overRun
        }
        m.when(pendTakes) {
            runKey <== pendKey
            runIndex <== pendIndex
            runNegInf <== pendNegInf
            runMatch <== pendMatch
        }
        let moves = m.named("row_beat_moves", fire & advance)
        m.when(moves) {
            runNaN <== (runNaN & rowStarted) | argmax.anyFlag
            rowStarted <== !beat[tag.rowEnd]
        }
        let flag = FlagsLayout.field
        return m.enabled(by: advance) {
            let flags = m.reg("row_flags", layout: rowFlags)
            flags.bits <== m.pack(rowFlags, [flag(.badDraft): beat[tag.badDraft], flag(.badGamma): beat[tag.badGamma],
                                             flag(.nanLogit): .false, flag(.degenerateRow): .false,
                                             flag(.rowLength): beat[tag.rowLengthError]])
            let withRun = m.view(m.named("row_flags_run", flags.bits | m.pack(rowFlags, [
                flag(.badDraft): .false, flag(.badGamma): .false, flag(.nanLogit): runNaN,
                flag(.degenerateRow): mux(rowPendTakes, pendNegInf, runNegInf), flag(.rowLength): .false])),
                as: rowFlags, name: "row_flags_all")
            let draft = m.regNext("row_draft_token", beat[tag.draft])
            return RowResult(done: m.regNext("row_done", beat[tag.fire] & beat[tag.rowEnd], reset: 0),
                             argmax: m.named("row_argmax", mux(rowPendTakes, pendIndex, runIndex)),
                             isFinal: m.regNext("row_is_final", beat[tag.rowFinal]), draft: draft,
                             gamma: m.regNext("row_gamma", beat[tag.gamma]),
                             draftMatches: m.named("row_draft_matches", mux(rowPendTakes, pendMatch, runMatch)),
                             flags: withRun)
        }
    }

    /// The draft match of a finished row, registered with everything the decision reads.
    static func matchStage(_ m: ModuleBuilder, _ c: VerifierConfig, _ row: RowResult, advance: Value) -> (RowResult, match: Value) {
        m.enabled(by: advance) {
            let match = !row.isFinal & !row.flags[FlagsLayout.field(.badGamma)] & row.draftMatches
            return (RowResult(done: m.regNext("match_done", row.done, reset: 0), argmax: m.regNext("match_argmax", row.argmax),
                              isFinal: m.regNext("match_is_final", row.isFinal), draft: row.draft,
                              gamma: m.regNext("match_gamma", row.gamma), draftMatches: .false,
                              flags: m.regNext("match_flags", row.flags)),
                    m.regNext("match_draft", match))
        }
    }

    struct Decision {
        let pushToken, tokenEntry, pushResult, result, committed: Value
    }

    /// Accept or stop at each row; the emitted token (the row's argmax, which equals the draft when it matches),
    /// the result and the committed length.
    /// `upcoming`: the `done` bit entering the match stage.
    static func decide(_ m: ModuleBuilder, _ c: VerifierConfig, _ io: VerifierInterface, row matched: (RowResult, match: Value),
                       upcoming: Value, advance: Value) -> Decision {
        let row = matched.0, match = matched.match
        let lengthBits = VerifierInterface.committedLengthBits
        let decided = m.reg("decided", 1, reset: 0)
        let accepted = m.reg("accepted", c.gammaBits, reset: 0)
        let emitted = m.reg("emitted", bitsToHold(c.gammaMax + 1), reset: 1)  // accepted + 1: one adder for the length
        let flagsSoFar = m.reg("flags_so_far", rowFlags.width, reset: 0)
        let committed = m.reg("committed", lengthBits, reset: 0)
        // row.done & !decided as one register (from their next values), so a FIFO slot's write enable is one LUT.
        let eligible = m.reg("row_eligible", 1, reset: 0)
        let rowEvent = m.named("row_event", eligible & advance)
        let flagsNow = m.view(m.named("flags_now", flagsSoFar | row.flags.bits), as: rowFlags, name: "flags_now")
        let stop = m.named("round_decided", rowEvent & !match)
        m.when(rowEvent) {
            accepted <== mux(match, accepted &+ 1, accepted)
            emitted <== mux(match, emitted &+ 1, emitted)
            flagsSoFar <== flagsNow.bits
            decided <== !match
        }
        m.when(stop) { committed <== committed &+ emitted.zeroExtended(to: lengthBits) }
        let roundEnds = m.named("round_row_final", row.done & advance & row.isFinal)
        m.when(roundEnds) {  // the round's last row: ready for the next round
            decided <== 0
            accepted <== 0
            emitted <== 1
            flagsSoFar <== 0
        }
        let decidedNext = mux(roundEnds, .false, mux(rowEvent, !match, decided))
        eligible <== mux(advance, upcoming, row.done) & !decidedNext
        let flags = FlagsLayout.layout.fields.reduce(into: [Layout.Field: Value]()) { all, f in
            all[f] = rowFlags.contains(f) ? flagsNow[f] : .false
        }
        let result = io.result, tokens = io.tokens
        return Decision(
            pushToken: rowEvent,
            tokenEntry: m.pack(tokens.entry, [tokens.token: row.argmax, tokens.last: !match]),
            pushResult: stop,
            result: m.pack(result.layout, [result.token: row.argmax, result.accepted: accepted,
                                           result.rollback: row.gamma &- accepted,
                                           result.flags: m.pack(FlagsLayout.layout, flags)]),
            committed: committed)
    }
}
