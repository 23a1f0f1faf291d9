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

    public static func module(_ c: VerifierConfig, name: String? = nil) throws -> Module {
        let io = VerifierInterface(c)
        let tw = c.tokenBits, gw = c.gammaBits, w = c.format.bits, lanes = c.lanes, beats = c.beatsPerRow
        let top = name ?? defaultName(c)
        // Tag carried through the argmax tree next to each beat.
        let tagFields: [(String, Int)] = [("fire", 1), ("row_end", 1), ("row_final", 1), ("row_length_error", 1),
                                          ("nan", 1), ("bad_gamma", 1), ("bad_draft", 1), ("base", tw),
                                          ("draft", tw), ("gamma", gw)]
        let tagBits = tagFields.reduce(0) { $0 + $1.1 }
        let tree = try ArgmaxTree.module(lanes: lanes, keyBits: w, tagBits: tagBits)
        let tokenFifo = try StreamFIFO.module(width: tw + 1, depth: tokenFifoDepth)  // token + tlast
        let resultFifo = try StreamFIFO.module(width: io.resultBits, depth: resultFifoDepth)

        return try Module.build(top, parameters: [
            ("vocab", "\(c.vocab)"), ("gamma_max", "\(c.gammaMax)"), ("lanes", "\(lanes)"),
            ("format", c.format.description), ("beats_per_row", "\(beats)"),
            ("latency_D", "\(GreedyTiming.pipelineDepth(lanes: lanes))"),
        ], doc: ["HADES greedy verify/rollback unit", VerifierInterface.layoutNote] + io.layouts.map { "  " + $0.summary }) { m in
            // MARK: ports
            let cmdValid = m.input("s_axis_cmd_tvalid", 1)
            let cmdReady = m.output("s_axis_cmd_tready", 1)
            let cmdData = m.input("s_axis_cmd_tdata", io.commandTDataBits)
            let logitsValid = m.input("s_axis_logits_tvalid", 1)
            let logitsReady = m.output("s_axis_logits_tready", 1)
            let logitsData = m.input("s_axis_logits_tdata", io.logitTDataBits)
            let logitsLast = m.input("s_axis_logits_tlast", 1)
            let resultValid = m.output("m_axis_result_tvalid", 1)
            let resultReady = m.input("m_axis_result_tready", 1)
            let resultData = m.output("m_axis_result_tdata", io.resultTDataBits)
            let tokensValid = m.output("m_axis_tokens_tvalid", 1)
            let tokensReady = m.input("m_axis_tokens_tready", 1)
            let tokensData = m.output("m_axis_tokens_tdata", io.tokenTDataBits)
            let tokensLast = m.output("m_axis_tokens_tlast", 1)
            let committedLength = m.output("committed_len", VerifierInterface.committedLengthBits)
            VivadoInterfaces.annotate(m, streams: [("s_axis_cmd", false), ("s_axis_logits", true),
                                                   ("m_axis_result", false), ("m_axis_tokens", true)])

            let tokenQueue = m.instance(tokenFifo, name: "u_token_fifo")
            let resultQueue = m.instance(resultFifo, name: "u_result_fifo")
            // The whole pipeline moves together; it waits only while an output FIFO is full.
            // Registered from the FIFOs' next fullness (same timing as `!full`, but no long path into every enable).
            let advance = m.reg("advance", 1, reset: 1)
            advance <== !tokenQueue["full_next"] & !resultQueue["full_next"]

            // MARK: command slots (current round + one queued) so rounds follow each other without a bubble
            struct Command { var valid, gamma, tokens, badGamma: Value }
            func commandRegs(_ prefix: String) -> Command {
                Command(valid: m.reg("\(prefix)_valid", 1, reset: 0), gamma: m.reg("\(prefix)_gamma", gw),
                        tokens: m.reg("\(prefix)_tokens", c.gammaMax * tw), badGamma: m.reg("\(prefix)_bad_gamma", 1))
            }
            let current = commandRegs("cur"), queued = commandRegs("nxt")
            let incomingGamma = cmdData.bits(gw - 1, 0)
            let incomingTokens = cmdData.bits(io.commandBits - 1, gw)  // bits above commandBits: zero padding, unused
            let gammaTooLarge: Value = (1 << gw) - 1 > c.gammaMax ? incomingGamma > c.gammaMax : .false
            let incoming = Command(valid: .true, gamma: incomingGamma, tokens: incomingTokens,
                                   badGamma: m.named("cmd_bad_gamma", gammaTooLarge))
            func load(_ slot: Command, from source: Command) {
                slot.valid <== source.valid
                slot.gamma <== source.gamma
                slot.tokens <== source.tokens
                slot.badGamma <== source.badGamma
            }
            cmdReady <== !queued.valid
            let cmdFire = m.named("cmd_fire", cmdValid & !queued.valid)

            // MARK: input stage: row and beat bookkeeping
            let beatBits = bitsToHold(beats)
            let beat = m.reg("beat", beatBits, reset: 0)
            let row = m.reg("row", gw, reset: 0)
            let base = m.reg("base", tw, reset: 0)
            logitsReady <== current.valid & advance
            let fire = m.named("logits_fire", logitsValid & current.valid & advance)
            let rowFinal = m.named("row_final", row === current.gamma)
            let roundEnd = m.named("round_end", fire & logitsLast & rowFinal)
            // Rows end at tlast (so a bad row never shifts later rows); a row of the wrong length is flagged.
            let rowLengthError = m.named("row_length_error", logitsLast & (beat =/= (beats - 1)))
            m.when(fire) {
                m.when(logitsLast) {
                    beat <== 0
                    base <== 0
                    row <== mux(rowFinal, .literal(0, width: gw), row &+ 1)
                }.otherwise {
                    beat <== mux(beat === beats, beat, beat &+ 1)
                    base <== base &+ .literal(UInt64(lanes % (1 << tw)), width: tw)
                }
            }
            // Lanes holding token index < V: all lanes of beats before the last, the first lanesInLastBeat of it.
            let fullBeat: Value = beats > 1 ? beat < (beats - 1) : .false
            let lastOrEarlier = m.named("beat_in_row", beat < beats)
            var laneValid: [Value] = []
            var laneKeys: [Value] = []
            var laneNaN: [Value] = []
            for k in 0..<lanes {
                let lane = LogitKey.build(logitsData.bits((k + 1) * w - 1, k * w), format: c.format)
                let valid = k < c.lanesInLastBeat ? lastOrEarlier : fullBeat
                laneValid.append(valid)
                laneKeys.append(lane.key)
                if c.format.isFloat { laneNaN.append(lane.isNaN & valid) }
            }
            let draftToken = m.select("row_draft", (0..<c.gammaMax).map {
                current.tokens.bits(($0 + 1) * tw - 1, $0 * tw)
            }, index: row)

            // Command slots advance when the current round's last beat is taken.
            m.when(roundEnd | !current.valid) {
                m.when(queued.valid) {
                    load(current, from: queued)
                    queued.valid <== 0
                }.elseWhen(cmdFire) {
                    load(current, from: incoming)
                }.otherwise {
                    current.valid <== 0
                }
            }.elseWhen(cmdFire) {
                load(queued, from: incoming)
            }

            // Stage 1: register keys, validity and the beat's tag.
            // bad_draft is decoded from the current slot's registers (off the command input's critical path).
            var slotOutOfRange: [Value] = []
            if c.vocab < 1 << tw {  // otherwise every tw-bit token is < V
                for i in 0..<c.gammaMax {
                    let token = current.tokens.bits((i + 1) * tw - 1, i * tw)
                    slotOutOfRange.append((current.gamma > i) & (token >= c.vocab))
                }
            }
            let currentBadDraft = m.named("cur_bad_draft_now", slotOutOfRange.isEmpty ? .false : concat(slotOutOfRange).orReduce)
            let tagValues: [String: Value] = [
                "fire": fire, "row_end": logitsLast, "row_final": rowFinal, "row_length_error": rowLengthError,
                "bad_gamma": current.badGamma, "bad_draft": currentBadDraft, "base": base,
                "draft": draftToken, "gamma": current.gamma,
            ]
            // The NaN bit is OR-ed after the stage-1 register (one bit per lane is registered).
            let stage1Fields = tagFields.filter { $0.0 != "nan" }
            let stage1Tag = m.regNext("s1_tag", concat(stage1Fields.reversed().map { tagValues[$0.0]! }), reset: 0, enable: advance)
            let stage1Valid = m.regNext("s1_lane_valid", concat(laneValid.reversed()), enable: advance)
            let stage1Keys = m.regNext("s1_lane_keys", concat(laneKeys.reversed()), enable: advance)
            let stage1NaN: Value = laneNaN.isEmpty ? .false
                : m.regNext("s1_lane_nan", concat(laneNaN.reversed()), enable: advance).orReduce
            // A stalled input must not look like a beat: `fire` is part of the tag and is 0 on idle cycles.

            let argmax = m.instance(tree, name: "u_argmax")
            argmax["enable"] <== advance
            argmax["lane_valid"] <== stage1Valid
            argmax["lane_keys"] <== stage1Keys
            var stage1Values: [String: Value] = ["nan": stage1NaN]
            var stage1Offset = 0
            for (field, width) in stage1Fields {
                stage1Values[field] = stage1Tag.bits(stage1Offset + width - 1, stage1Offset)
                stage1Offset += width
            }
            argmax["tag_in"] <== concat(tagFields.reversed().map { stage1Values[$0.0]! })
            var fields: [String: Value] = [:]
            var offset = 0
            for (field, width) in tagFields {
                fields[field] = argmax["tag_out"].bits(offset + width - 1, offset)
                offset += width
            }

            // MARK: running maximum of the row
            let runValid = m.reg("run_valid", 1, reset: 0)
            let runKey = m.reg("run_key", w)
            let runIndex = m.reg("run_index", tw)
            let runNaN = m.reg("run_nan", 1)
            let rowStart = m.reg("row_start", 1, reset: 1)
            let candidateIndex = fields["base"]! &+ argmax["max_lane"].resized(to: tw)
            let candidateValid = argmax["max_valid"]
            let take = m.named("take_candidate", rowStart | (candidateValid & (!runValid | (argmax["max_key"] > runKey))))
            let newValid = m.named("new_valid", mux(take, candidateValid, runValid))
            let newKey = m.named("new_key", mux(take, argmax["max_key"], runKey))
            let newIndex = m.named("new_index", mux(take, candidateIndex, runIndex))
            let newNaN = m.named("new_nan", (runNaN & !rowStart) | fields["nan"]!)
            let beatArrives = fields["fire"]! & advance
            m.when(beatArrives) {
                runValid <== newValid
                runKey <== newKey
                runIndex <== newIndex
                runNaN <== newNaN
                rowStart <== fields["row_end"]!
            }

            // MARK: row results (one register stage)
            let rowDone = m.reg("row_done", 1, reset: 0, enable: advance)
            rowDone <== fields["fire"]! & fields["row_end"]!
            let negInfKey = Int(c.format.negativeInfinityKey)
            let degenerate: Value = c.format.isFloat  // compare both candidates, then select (shorter path)
                ? mux(take, argmax["max_key"] === negInfKey, runKey === negInfKey) : .false
            let rowArgmax = m.regNext("row_argmax", newIndex, enable: advance)
            let rowFlags = m.regNext("row_flags", concat([fields["row_length_error"]!, degenerate, newNaN,
                                                          fields["bad_gamma"]!, fields["bad_draft"]!]), enable: advance)
            let rowIsFinal = m.regNext("row_is_final", fields["row_final"]!, enable: advance)
            let rowDraft = m.regNext("row_draft_token", fields["draft"]!, enable: advance)
            let rowGamma = m.regNext("row_gamma", fields["gamma"]!, enable: advance)

            // MARK: decision
            let decided = m.reg("decided", 1, reset: 0)
            let accepted = m.reg("accepted", gw, reset: 0)
            let flagsSoFar = m.reg("flags_so_far", 5, reset: 0)
            let committed = m.reg("committed", VerifierInterface.committedLengthBits, reset: 0)
            let rowEvent = m.named("row_event", rowDone & advance & !decided)
            let badGammaNow = rowFlags[1]
            let match = m.named("draft_match", !rowIsFinal & !badGammaNow & (rowDraft === rowArgmax))
            let flagsNow = m.named("flags_now", flagsSoFar | rowFlags)
            tokenQueue["push"] <== rowEvent
            tokenQueue["push_data"] <== concat(!match, mux(match, rowDraft, rowArgmax))
            let stop = m.named("round_decided", rowEvent & !match)
            resultQueue["push"] <== stop
            resultQueue["push_data"] <== concat(.literal(0, width: 1), flagsNow, rowGamma &- accepted, accepted, rowArgmax)
            m.when(rowEvent) {
                accepted <== mux(match, accepted &+ 1, accepted)
                flagsSoFar <== flagsNow
                decided <== !match
            }
            m.when(stop) {
                committed <== committed &+ (accepted.zeroExtended(to: VerifierInterface.committedLengthBits) &+ 1)
            }
            m.when(rowDone & advance & rowIsFinal) {  // the round's last row: ready for the next round
                decided <== 0
                accepted <== 0
                flagsSoFar <== 0
            }

            // MARK: outputs
            tokenQueue["m_axis_tready"] <== tokensReady
            tokensValid <== tokenQueue["m_axis_tvalid"]
            tokensData <== tokenQueue["m_axis_tdata"].bits(tw - 1, 0).zeroExtended(to: io.tokenTDataBits)
            tokensLast <== tokenQueue["m_axis_tdata"][tw]
            resultQueue["m_axis_tready"] <== resultReady
            resultValid <== resultQueue["m_axis_tvalid"]
            resultData <== resultQueue["m_axis_tdata"].zeroExtended(to: io.resultTDataBits)
            committedLength <== committed
        }
    }
}
