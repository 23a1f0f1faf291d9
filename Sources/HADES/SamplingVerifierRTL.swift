import Golden
import HDL

/// Stream payloads of the sampling verifier (full draft rows or one-hot drafts; uniforms in the command).
///
/// - command `s_axis_cmd_tdata` (GW + Γ·TW + (Γ+1)·32 + 2 bits): γ `[GW-1:0]`, draft token i at
///   `[GW + i·TW +: TW]` (i < Γ), then uniform U_i at `[GW + Γ·TW + 32·i +: 32]` for i = 0 … Γ, then two mode
///   bits on top: the one-hot bit at `[GW + Γ·TW + (Γ+1)·32]`: 1 = one-hot drafts (n-gram / prompt-lookup
///   proposers): d_i = δ(x_i), no draft rows are sent for the round; the generator bit at
///   `[GW + Γ·TW + (Γ+1)·32 + 1]`: 1 = the uniforms come from the on-chip generator
///   (`SamplingUniformGenerator`): U_i = H(seed, round, i) with the 64-bit seed in place of the uniforms (low half
///   in U_0's field, high half in U_1's; the other uniform fields are ignored) and round = the number of commands
///   the unit accepted since reset before this one (every command counts, in any mode; 32 bits, wrapping).
/// - target logits `s_axis_logits_*` and draft logits `s_axis_draft_*`: L lanes of W bits, B beats a row, `tlast`
///   on each row's last beat. Per round γ+1 target rows and γ draft rows (none in one-hot mode); draft row i
///   travels in lock step with target row i (a beat is taken when both are valid), target row γ alone.
/// - result and tokens: as `VerifierInterface` (token, n, γ−n, six flags; `tlast` on the n+1-th token).
public struct SamplingInterface: Equatable {
    public let config: VerifierConfig
    public init(_ config: VerifierConfig) { self.config = config }
    public var greedy: VerifierInterface { VerifierInterface(config) }
    public var uniformOffset: Int { config.gammaBits + config.gammaMax * config.tokenBits }
    /// The one-hot mode bit.
    public var oneHotBit: Int { uniformOffset + (config.gammaMax + 1) * 32 }
    /// The on-chip generator bit (the command's top bit).
    public var generatorBit: Int { oneHotBit + 1 }
    public var commandBits: Int { generatorBit + 1 }
    /// `s_axis_cmd_tdata` width: `commandBits` padded with zeros to whole bytes.
    public var commandTDataBits: Int { VerifierInterface.byteAligned(commandBits) }

    /// With `generatorSeed`, the seed replaces the uniforms (low half in U_0's field, high half in U_1's).
    public func packCommand(gamma: Int, draftTokens: [Int], uniforms: [UInt32], oneHot: Bool = false,
                            generatorSeed: UInt64? = nil) -> [UInt32] {
        let uniforms = generatorSeed.map { [UInt32(truncatingIfNeeded: $0), UInt32(truncatingIfNeeded: $0 >> 32)] } ?? uniforms
        var bits = BitPacker(width: commandBits)
        let tw = config.tokenBits
        bits.put(UInt64(gamma) & ((1 << UInt64(config.gammaBits)) - 1), at: 0, width: config.gammaBits)
        for i in 0..<config.gammaMax {
            let token = i < draftTokens.count ? draftTokens[i] : 0
            bits.put(UInt64(truncatingIfNeeded: token) & ((1 << UInt64(tw)) - 1), at: config.gammaBits + i * tw, width: tw)
        }
        for i in 0...config.gammaMax {
            bits.put(UInt64(i < uniforms.count ? uniforms[i] : 0), at: uniformOffset + 32 * i, width: 32)
        }
        bits.put(oneHot ? 1 : 0, at: oneHotBit, width: 1)
        bits.put(generatorSeed == nil ? 0 : 1, at: generatorBit, width: 1)
        return bits.words
    }
}

/// Timing of the sampling verifier (`SamplingVerifierRTL`), shared with the golden cycle model.
public enum SamplingTiming {
    /// Register stages from a beat's handshake to the row accumulators: input, y, beat reference, exp, sum.
    public static let pipeline = 5
    /// Cycles an accepted row adds to the ideal B: the pipeline drains (5) and the decision takes one cycle.
    public static let rowGap = pipeline + 1
}

/// The sampling verify unit (DESIGN.md "Sampling rule"; arithmetic in `SamplingFixedPoint`, bit-exact).
///
/// One engine, one row pair at a time: a row pair streams in (B beats, written to a B-deep memory of
/// 2·L·W-bit words) while the softmax pipeline computes y, the beat reference, the table exponentials, the beat
/// sums and the row's online (ρ, S) and captures e(x); five register stages later the unit decides in one
/// cycle (U·e_d(x)·S_t < e_t(x)·S_d·2^32). Accepted: the next row streams. Rejected, or the bonus row: pass A
/// reads the stored pair back (B beats) and sums the weights w_j; pass B reads it again and scans the inverse
/// CDF with U_γ; then the n+1 tokens and the result are pushed, and the rest of the round's rows are taken at one
/// beat per clock and dropped. Cycles (producer never stalls, consumer ready): see `SamplingCycleModel`.
///
/// One-hot mode (command bit): the draft stream is not read; the draft lanes are masked to 0, the decision uses
/// e_d(x) = S_d = 1 in the same comparator (U·S_t < e_t(x)·2^32), and a rejected row's weights are e_t with the
/// lane of x_n zeroed. The passes and therefore the cycles are the same as with full draft rows.
///
/// Generator mode (command bit): the Γ+1 uniforms are computed from the command's seed and the round counter by
/// `SamplingUniformGenerator`'s 12 ARX rounds, unrolled combinationally between the command port and
/// `cur_uniforms` (one key schedule, Γ+1 block lanes), so the cycles do not change.
public enum SamplingVerifierRTL {
    public static func defaultName(_ c: VerifierConfig) -> String {
        moduleName("hades_verify_sampling", ("g", c.gammaMax), ("v", c.vocab), ("l", c.lanes), ("", c.format.moduleTag))
            .replacingOccurrences(of: "__", with: "_")
    }

    /// EXP[f] as a module (one case statement, instantiated per lane).
    static func expTable() throws -> Module {
        let fp = SamplingFixedPoint.self
        return try Module.build("hades_exp2_table_r\(fp.fractionBits)_e\(fp.expScaleBits)",
                                doc: ["2^E · 2^(-f/2^R), rounded"]) { m in
            let f = m.input("f", fp.fractionBits)
            let e = m.output("e", fp.expBits)
            e <== m.rom("table", contents: fp.expTable, width: fp.expBits, address: f)
        }
    }

    public static func module(_ c: VerifierConfig, name: String? = nil) throws -> Module {
        guard case let .fixed(w, _) = c.format else {
            throw GoldenError(.config, "sampling mode needs a fixed format (fixedW.F), got \(c.format)")
        }
        let fp = SamplingFixedPoint.self
        let io = SamplingInterface(c)
        let result = VerifierInterface(c)
        let tw = c.tokenBits, gw = c.gammaBits, lanes = c.lanes, beats = c.beatsPerRow, gmax = c.gammaMax
        let bw = max(1, c.beatIndexBits)
        let yw = fp.yBits(c.format), ew = fp.expBits, sw = fp.sumBits(vocab: c.vocab)
        let vb = VerifierConfig.bitsToHold(c.vocab)
        let ww = ew + sw, wsw = ww + vb
        let rb = fp.fractionBits
        let table = try expTable()
        let tokenFifo = try StreamFIFO.module(width: tw + 1, depth: 4)
        let resultFifo = try StreamFIFO.module(width: result.resultBits, depth: 2)

        return try Module.build(name ?? defaultName(c), parameters: [
            ("vocab", "\(c.vocab)"), ("gamma_max", "\(gmax)"), ("lanes", "\(lanes)"),
            ("format", c.format.description), ("beats_per_row", "\(beats)"),
        ], doc: ["HADES sampling verify unit (Algorithm 1, fixed-point softmax; see SamplingFixedPoint)",
                 VerifierInterface.layoutNote] + io.layouts.map { "  " + $0.summary }) { m in
            // MARK: ports
            let cmdValid = m.input("s_axis_cmd_tvalid", 1)
            let cmdReady = m.output("s_axis_cmd_tready", 1)
            let cmdData = m.input("s_axis_cmd_tdata", io.commandTDataBits)
            let tValid = m.input("s_axis_logits_tvalid", 1)
            let tReady = m.output("s_axis_logits_tready", 1)
            let tData = m.input("s_axis_logits_tdata", result.logitTDataBits).bits(lanes * w - 1, 0)  // above: padding
            let tLast = m.input("s_axis_logits_tlast", 1)
            let dValid = m.input("s_axis_draft_tvalid", 1)
            let dReady = m.output("s_axis_draft_tready", 1)
            let dData = m.input("s_axis_draft_tdata", result.logitTDataBits).bits(lanes * w - 1, 0)
            let dLast = m.input("s_axis_draft_tlast", 1)
            let resultValid = m.output("m_axis_result_tvalid", 1)
            let resultReady = m.input("m_axis_result_tready", 1)
            let resultData = m.output("m_axis_result_tdata", result.resultTDataBits)
            let tokensValid = m.output("m_axis_tokens_tvalid", 1)
            let tokensReady = m.input("m_axis_tokens_tready", 1)
            let tokensData = m.output("m_axis_tokens_tdata", result.tokenTDataBits)
            let tokensLast = m.output("m_axis_tokens_tlast", 1)
            let committedLength = m.output("committed_len", VerifierInterface.committedLengthBits)
            VivadoInterfaces.annotate(m, streams: [("s_axis_cmd", false), ("s_axis_logits", true), ("s_axis_draft", true),
                                                   ("m_axis_result", false), ("m_axis_tokens", true)])

            let tokenQueue = m.instance(tokenFifo, name: "u_token_fifo")
            let resultQueue = m.instance(resultFifo, name: "u_result_fifo")

            // MARK: command
            let curValid = m.reg("cur_valid", 1, reset: 0)
            let curGamma = m.reg("cur_gamma", gw)
            let curTokens = m.reg("cur_tokens", gmax * tw)
            let curUniforms = m.reg("cur_uniforms", (gmax + 1) * 32)
            let curBadGamma = m.reg("cur_bad_gamma", 1)
            let curOneHot = m.reg("cur_one_hot", 1)
            let uniformRound = m.reg("uniform_round", 32, reset: 0)
            cmdReady <== !curValid
            let cmdFire = m.named("cmd_fire", cmdValid & !curValid)
            let inGamma = cmdData.bits(gw - 1, 0)
            let inTokens = (0..<gmax).map { cmdData.bits(gw + ($0 + 1) * tw - 1, gw + $0 * tw) }
            let inBadGamma = m.named("in_bad_gamma", gmax >= (1 << gw) - 1 ? Value.false : inGamma > gmax)
            let inBadDraft = m.named("in_bad_draft", concat(inTokens.enumerated().reversed().map { i, t in
                (inGamma > i) & (c.vocab >= (1 << tw) ? Value.false : t >= c.vocab)
            }).orReduce)

            // MARK: on-chip uniforms: U_i = H(seed, round, i) (SamplingUniformGenerator), unrolled
            func ror(_ v: Value, _ n: Int) -> Value { concat(v.bits(n - 1, 0), v.bits(31, n)) }
            func rol(_ v: Value, _ n: Int) -> Value { concat(v.bits(31 - n, 0), v.bits(31, 32 - n)) }
            let seedLo = cmdData.bits(io.uniformOffset + 31, io.uniformOffset)
            let seedHi = cmdData.bits(io.uniformOffset + 63, io.uniformOffset + 32)
            var keys: [Value] = []
            var k = seedLo, l = seedHi
            for i in 0..<SamplingUniformGenerator.rounds {
                keys.append(k)
                l = m.named("gen_l\(i + 1)", (ror(l, 8) &+ k) ^ .literal(UInt64(i), width: 32))
                k = m.named("gen_k\(i + 1)", rol(k, 3) ^ l)
            }
            let generated = concat((0...gmax).reversed().map { p -> Value in
                var x: Value = uniformRound, y: Value = .literal(UInt64(p), width: 32)
                for (i, key) in keys.enumerated() {
                    x = m.named("gen_x\(p)_\(i + 1)", (ror(x, 8) &+ y) ^ key)
                    y = m.named("gen_y\(p)_\(i + 1)", rol(y, 3) ^ x)
                }
                return y
            })
            let inUniforms = m.named("in_uniforms", mux(cmdData[io.generatorBit], generated,
                                                         cmdData.bits(io.oneHotBit - 1, io.uniformOffset)))

            // MARK: control state
            enum S: UInt64 { case idle = 0, stream, wait, decide, passA, passAWait, passB, passBWait, emit, drain }
            let state = m.reg("state", 4, reset: 0)
            func inState(_ s: S) -> Value { state === Int(s.rawValue) }
            let row = m.reg("row", gw, reset: 0)
            let beat = m.reg("beat", bw, reset: 0)
            let accepted = m.reg("accepted", gw, reset: 0)
            let flags = m.reg("round_flags", ResultFlags.bitCount, reset: 0)
            let finalBonus = m.reg("final_bonus", 1, reset: 0)
            let committed = m.reg("committed", VerifierInterface.committedLengthBits, reset: 0)

            let rowHasDraft = m.named("row_has_draft", row < curGamma)
            let rowDraftStream = m.named("row_draft_stream", rowHasDraft & !curOneHot)
            let streaming = m.named("streaming", inState(.stream) | inState(.drain))
            tReady <== streaming & (!rowDraftStream | dValid)
            dReady <== streaming & rowDraftStream & tValid
            let fire = m.named("beat_fire", streaming & tValid & (!rowDraftStream | dValid))
            let lastBeat = m.named("last_beat", beat === (beats - 1))
            let rowLengthError = m.named("row_length_error", fire & ((tLast =/= lastBeat) | (rowDraftStream & (dLast =/= lastBeat))))
            let streamFire = m.named("stream_fire", fire & inState(.stream))

            // MARK: row-pair memory and the pass read port
            let store = m.memory("row_pair", depth: max(2, beats), width: 2 * lanes * w)
            let storeAddress = { (v: Value) -> Value in v.resized(to: store.addressWidth) }
            store.write(address: storeAddress(beat), data: concat(dData, tData), enable: streamFire)
            let passIssue = m.named("pass_issue", inState(.passA) | inState(.passB))
            let readData = store.read(address: storeAddress(beat), enable: passIssue)
            let readValid = m.regNext("read_valid", passIssue, reset: 0)
            let readMode = m.regNext("read_mode", mux(inState(.passA), .literal(1, width: 2), .literal(2, width: 2)))
            let readBeat = m.regNext("read_beat", beat)

            // MARK: stage A: the beat (stream or stored)
            let aValid = m.regNext("a_valid", streamFire | readValid, reset: 0)
            let aMode = m.regNext("a_mode", mux(streamFire, .literal(0, width: 2), readMode))
            let aBeat = m.regNext("a_beat", mux(streamFire, beat, readBeat))
            let aT = m.regNext("a_target", mux(streamFire, tData, readData.bits(lanes * w - 1, 0)))
            let aD = m.regNext("a_draft", mux(streamFire, dData, readData.bits(2 * lanes * w - 1, lanes * w)))
            let aLast = m.named("a_last", aBeat === (beats - 1))
            let aHasDraft = m.regNext("a_has_draft", mux(streamFire, rowDraftStream, !finalBonus & !curOneHot))
            let fullBeat: Value = beats > 1 ? aBeat < (beats - 1) : .false
            let laneValid = (0..<lanes).map { k -> Value in k < c.lanesInLastBeat ? .true : fullBeat }
            let xToken = m.select("row_token", (0..<gmax).map { curTokens.bits(($0 + 1) * tw - 1, $0 * tw) }, index: row)
            let aBase = m.named("a_base", (aBeat.zeroExtended(to: tw + 8) * .literal(UInt64(lanes), width: 7)).bits(tw - 1, 0))

            // MARK: stage B: y = floor(c·K / 2^(F+24−R))
            let kLiteral = Value.signedLiteral(fp.log2e, width: 26)
            func ys(_ codes: Value, _ p: String) -> [Value] {
                (0..<lanes).map { k in
                    let code = codes.bits((k + 1) * w - 1, k * w).asSigned
                    let product = code * kLiteral
                    return m.regNext("b_\(p)_y\(k)", product.bits(fp.yShift(c.format) + yw - 1, fp.yShift(c.format)).asSigned)
                }
            }
            let bYT = ys(aT, "t"), bYD = ys(aD, "d")
            let bValid = m.regNext("b_valid", aValid, reset: 0)
            let bMode = m.regNext("b_mode", aMode)
            let bLast = m.regNext("b_last", aLast)
            let bLanes = m.regNext("b_lanes", concat(laneValid.reversed()))
            let bDraftLanes = m.regNext("b_draft_lanes", concat(laneValid.reversed()) & replicate(aHasDraft, lanes))
            // base + k needs room for the larger of a token and the last lane offset (small V with many lanes).
            let hitBits = max(tw, VerifierConfig.bitsToHold(lanes - 1)) + 1
            let bHit = m.regNext("b_hit", concat((0..<lanes).reversed().map { k in
                (aBase.zeroExtended(to: hitBits) &+ .literal(UInt64(k), width: hitBits)) === xToken.zeroExtended(to: hitBits)
            }) & concat(laneValid.reversed()))
            let bBase = m.regNext("b_base", aBase)

            // MARK: stage C: the beat's reference ρ_b = ceil(max y / 2^R) (passes: the row's final ρ)
            let rhoT = m.reg("rho_t", yw, signed: true), rhoD = m.reg("rho_d", yw, signed: true)
            func beatReference(_ y: [Value], _ valid: Value, _ p: String) -> Value {
                var level = (0..<lanes).map { (valid[$0], y[$0]) }
                while level.count > 1 {
                    var next: [(Value, Value)] = []
                    for i in stride(from: 0, to: level.count, by: 2) {
                        guard i + 1 < level.count else { next.append(level[i]); continue }
                        let a = level[i], b = level[i + 1]
                        let takeB = b.0 & (!a.0 | (b.1 > a.1))
                        next.append((a.0 | b.0, mux(takeB, b.1, a.1)))
                    }
                    level = next
                }
                let maxY = m.named("c_\(p)_max_y", level[0].1)
                return (maxY + .signedLiteral(Int64((1 << rb) - 1), width: yw)).shiftedRight(rb).resized(to: yw)
            }
            let cValid = m.regNext("c_valid", bValid, reset: 0)
            let cMode = m.regNext("c_mode", bMode)
            let cLast = m.regNext("c_last", bLast)
            let cLanes = m.regNext("c_lanes", bLanes)
            let cDraftLanes = m.regNext("c_draft_lanes", bDraftLanes)
            let cHit = m.regNext("c_hit", bHit)
            let cBase = m.regNext("c_base", bBase)
            let bStream = bMode === 0
            let cRefT = m.regNext("c_ref_t", mux(bStream, beatReference(bYT, bLanes, "t"), rhoT))
            let cRefD = m.regNext("c_ref_d", mux(bStream, beatReference(bYD, bDraftLanes, "d"), rhoD))
            let cYT = bYT.enumerated().map { m.regNext("c_t_y\($0.offset)", $0.element) }
            let cYD = bYD.enumerated().map { m.regNext("c_d_y\($0.offset)", $0.element) }

            // MARK: stage D: e = EXP[δ mod 2^R] >> (δ >> R), δ = ρ·2^R − y; 0 for s > E and for lanes without a token
            func exps(_ y: [Value], _ ref: Value, _ valid: Value, _ p: String) -> [Value] {
                (0..<lanes).map { k in
                    let delta = m.named("d_\(p)_delta\(k)", ref.shiftedLeft(rb) &- y[k].resized(to: yw + rb))
                    let s = delta.asUnsigned.bits(yw + rb - 1, rb)
                    let lut = m.instance(table, name: "u_exp_\(p)\(k)")
                    lut["f"] <== delta.asUnsigned.bits(rb - 1, 0)
                    let shifted = lut["e"].shiftedRight(by: s.bits(min(4, s.width - 1), 0))
                    let zero = !valid[k] | (s > fp.expScaleBits)
                    return m.regNext("d_\(p)_e\(k)", mux(zero, .literal(0, width: ew), shifted))
                }
            }
            let dET = exps(cYT, cRefT, cLanes, "t"), dED = exps(cYD, cRefD, cDraftLanes, "d")
            let dValidR = m.regNext("d_valid", cValid, reset: 0)
            let dMode = m.regNext("d_mode", cMode)
            let dLastR = m.regNext("d_last", cLast)
            let dHit = m.regNext("d_hit", cHit)
            let dBase = m.regNext("d_base", cBase)
            let dRefT = m.regNext("d_ref_t", cRefT), dRefD = m.regNext("d_ref_d", cRefD)

            // MARK: stage E: beat sums, the draft token's lane, the final weights
            let sumT = m.reg("sum_t", sw), sumD = m.reg("sum_d", sw)
            func sum(_ v: [Value], width: Int) -> Value {
                var level = v.map { $0.zeroExtended(to: width) }
                while level.count > 1 {
                    var next: [Value] = []
                    for i in stride(from: 0, to: level.count, by: 2) {
                        next.append(i + 1 < level.count ? level[i] &+ level[i + 1] : level[i])
                    }
                    level = next
                }
                return level[0]
            }
            func pick(_ v: [Value]) -> Value {
                v.enumerated().map { mux(dHit[$0.offset], $0.element, .literal(0, width: ew)) }.reduce(.literal(0, width: ew)) { $0 | $1 }
            }
            let eValid = m.regNext("e_valid", dValidR, reset: 0)
            let eMode = m.regNext("e_mode", dMode)
            let eLast = m.regNext("e_last", dLastR)
            let eBase = m.regNext("e_base", dBase)
            let eRefT = m.regNext("e_ref_t", dRefT), eRefD = m.regNext("e_ref_d", dRefD)
            let eSumT = m.regNext("e_beat_sum_t", sum(dET, width: sw))
            let eSumD = m.regNext("e_beat_sum_d", sum(dED, width: sw))
            let eHasX = m.regNext("e_has_x", dHit.orReduce)
            let eXT = m.regNext("e_x_t", pick(dET)), eXD = m.regNext("e_x_d", pick(dED))
            let eET = dET.enumerated().map { m.regNext("e_t_e\($0.offset)", $0.element) }
            let eW = (0..<lanes).map { k -> Value in
                let a = dET[k] * sumD, b = dED[k] * sumT
                let residual = mux(a > b, a &- b, .literal(0, width: ww))
                let oneHotWeight = mux(dHit[k], .literal(0, width: ww), dET[k].zeroExtended(to: ww))
                return m.regNext("e_w\(k)", mux(finalBonus, dET[k].zeroExtended(to: ww), mux(curOneHot, oneHotWeight, residual)))
            }

            // MARK: row accumulators (stream mode)
            func shr(_ v: Value, _ amount: Value) -> Value {   // logical shift right, 0 once amount ≥ width
                let aw = amount.width
                let limitBits = VerifierConfig.bitsToHold(v.width)
                if aw <= limitBits && (1 << aw) - 1 < v.width { return v.shiftedRight(by: amount) }
                let small = amount.bits(min(aw, limitBits) - 1, 0)
                return mux(amount >= .literal(UInt64(v.width), width: aw) as Value, .literal(0, width: v.width), v.shiftedRight(by: small))
            }
            let rowStart = m.reg("row_start", 1, reset: 1)
            let capT = m.reg("cap_t", ew), capD = m.reg("cap_d", ew)
            let capRefT = m.reg("cap_ref_t", yw, signed: true), capRefD = m.reg("cap_ref_d", yw, signed: true)
            let captured = m.reg("captured", 1, reset: 0)
            let eStream = m.named("e_stream", eValid & (eMode === 0))
            func accumulate(_ rho: Value, _ s: Value, _ refB: Value, _ sumB: Value, _ p: String) {
                let newRho = m.named("acc_\(p)_rho", mux(rowStart | (refB > rho), refB, rho))
                let oldShift = m.named("acc_\(p)_old_shift", (newRho - rho).asUnsigned)
                let newShift = m.named("acc_\(p)_new_shift", (newRho - refB).asUnsigned)
                m.when(eStream) {
                    rho <== newRho
                    s <== mux(rowStart, sumB, shr(s, oldShift) &+ shr(sumB, newShift))
                }
            }
            accumulate(rhoT, sumT, eRefT, eSumT, "t")
            accumulate(rhoD, sumD, eRefD, eSumD, "d")
            m.when(eStream) {
                rowStart <== eLast
                m.when(eHasX) {
                    capT <== eXT; capD <== eXD; capRefT <== eRefT; capRefD <== eRefD
                    captured <== 1
                }
            }

            // MARK: pass A (sum of weights and of e_t) and pass B (inverse CDF)
            let sumW = m.reg("sum_w", wsw), sumE = m.reg("sum_e", sw)
            let eA = m.named("e_pass_a", eValid & (eMode === 1))
            let eB = m.named("e_pass_b", eValid & (eMode === 2))
            m.when(eA) {
                sumW <== sumW &+ sum(eW, width: wsw)
                sumE <== sumE &+ sum(eET, width: sw)
            }
            let residualZero = m.named("residual_zero", sumW === 0)
            let total = m.named("cdf_total", mux(residualZero, sumE.zeroExtended(to: wsw), sumW))
            let uniformFinal = m.select("uniform_final", (0...gmax).map { curUniforms.bits(($0 + 1) * 32 - 1, $0 * 32) },
                                        index: mux(curBadGamma, .literal(0, width: gw), curGamma))
            let threshold = m.named("cdf_threshold", uniformFinal * total)
            let prefix = m.reg("cdf_prefix", wsw)
            let found = m.reg("cdf_found", 1, reset: 0)
            let finalToken = m.reg("final_token", tw)
            var running = prefix
            var hits: [Value] = []
            for k in 0..<lanes {
                let weight = mux(residualZero, eET[k].zeroExtended(to: ww), eW[k])
                running = m.named("cdf_p\(k)", running &+ weight.zeroExtended(to: wsw))
                hits.append(m.named("cdf_hit\(k)", concat(running, .literal(0, width: 32)) > threshold))
            }
            var firstLane: Value = .literal(UInt64(lanes - 1), width: max(1, c.laneIndexBits))
            for k in (0..<lanes).reversed() {
                firstLane = mux(hits[k], .literal(UInt64(k), width: max(1, c.laneIndexBits)), firstLane)
            }
            m.when(eB) {
                prefix <== running
                m.when(!found & concat(hits.reversed()).orReduce) {
                    found <== 1
                    finalToken <== eBase &+ firstLane.resized(to: tw)
                }
            }

            // MARK: the decision (one cycle after the row's last beat left the pipeline)
            let xT = m.named("x_t", mux(captured, shr(capT, (rhoT - capRefT).asUnsigned), .literal(0, width: ew)))
            let xD = m.named("x_d", mux(captured, shr(capD, (rhoD - capRefD).asUnsigned), .literal(0, width: ew)))
            let uniformRow = m.select("uniform_row", (0...gmax).map { curUniforms.bits(($0 + 1) * 32 - 1, $0 * 32) }, index: row)
            // One-hot: e_d(x) = S_d = 1 turns the rule into U·S_t < e_t(x)·2^32.
            let xDSel = m.named("accept_x_d", mux(curOneHot, .literal(1, width: ew), xD))
            let sumDSel = m.named("accept_sum_d", mux(curOneHot, .literal(1, width: sw), sumD))
            let lhs = m.named("accept_lhs", uniformRow * xDSel * sumT)
            let rhs = m.named("accept_rhs", concat(xT * sumDSel, .literal(0, width: 32)))
            let accept = m.named("accept", rowHasDraft & !curBadGamma & (lhs < rhs))

            // MARK: token emission
            let emitIndex = m.reg("emit_index", gw, reset: 0)
            let emitLast = m.named("emit_last", emitIndex === accepted)
            let emitToken = mux(emitLast, finalToken, xToken)  // row == emit index while emitting
            let canPush = m.named("can_push", !tokenQueue["full"] & (!emitLast | !resultQueue["full"]))
            let push = m.named("push", inState(.emit) & canPush)
            tokenQueue["push"] <== push
            tokenQueue["push_data"] <== concat(emitLast, emitToken)
            resultQueue["push"] <== push & emitLast
            resultQueue["push_data"] <== concat(flags | concat(residualZero, .literal(0, width: 5)),
                                                curGamma &- accepted, accepted, finalToken)

            // MARK: state machine
            m.when(rowLengthError) { flags <== flags | concat(.literal(0, width: 1), Value.true, .literal(0, width: 4)) }
            m.switchOn(state) { s in
                s.is(S.idle.rawValue) {
                    m.when(cmdFire) {
                        curValid <== 1
                        curGamma <== inGamma
                        curTokens <== cmdData.bits(gw + gmax * tw - 1, gw)
                        curUniforms <== inUniforms
                        uniformRound <== uniformRound &+ 1
                        curBadGamma <== inBadGamma
                        curOneHot <== cmdData[io.oneHotBit]
                        state <== Int(S.stream.rawValue)
                        row <== 0; beat <== 0; accepted <== 0
                        flags <== concat(.literal(0, width: 4), inBadGamma, inBadDraft)
                        rowStart <== 1; captured <== 0
                    }
                }
                s.is(S.stream.rawValue) {
                    m.when(fire) {
                        beat <== mux(lastBeat, .literal(0, width: bw), beat &+ 1)
                        m.when(lastBeat) { state <== Int(S.wait.rawValue) }
                    }
                }
                s.is(S.wait.rawValue) {
                    m.when(eStream & eLast) { state <== Int(S.decide.rawValue) }
                }
                s.is(S.decide.rawValue) {
                    m.when(accept) {
                        accepted <== accepted &+ 1
                        row <== row &+ 1
                        captured <== 0
                        state <== Int(S.stream.rawValue)
                    }.otherwise {
                        finalBonus <== !rowHasDraft | curBadGamma
                        sumW <== 0; sumE <== 0; prefix <== 0; found <== 0
                        state <== Int(S.passA.rawValue)
                    }
                }
                s.is(S.passA.rawValue) {
                    beat <== mux(lastBeat, .literal(0, width: bw), beat &+ 1)
                    m.when(lastBeat) { state <== Int(S.passAWait.rawValue) }
                }
                s.is(S.passAWait.rawValue) {
                    m.when(eA & eLast) { state <== Int(S.passB.rawValue) }
                }
                s.is(S.passB.rawValue) {
                    beat <== mux(lastBeat, .literal(0, width: bw), beat &+ 1)
                    m.when(lastBeat) { state <== Int(S.passBWait.rawValue) }
                }
                s.is(S.passBWait.rawValue) {
                    m.when(eB & eLast) {
                        state <== Int(S.emit.rawValue)
                        emitIndex <== 0
                        row <== 0
                    }
                }
                s.is(S.emit.rawValue) {
                    m.when(push) {
                        emitIndex <== emitIndex &+ 1
                        row <== row &+ 1
                        m.when(emitLast) {
                            committed <== committed &+ (accepted.zeroExtended(to: VerifierInterface.committedLengthBits) &+ 1)
                            // The rows after the decisive one (n+1 … γ) are still to come: drop them.
                            row <== accepted &+ 1
                            m.when(accepted === curGamma) {
                                state <== Int(S.idle.rawValue)
                                curValid <== 0
                            }.otherwise {
                                state <== Int(S.drain.rawValue)
                            }
                        }
                    }
                }
                s.is(S.drain.rawValue) {
                    m.when(fire) {
                        beat <== mux(lastBeat, .literal(0, width: bw), beat &+ 1)
                        m.when(lastBeat) {
                            row <== row &+ 1
                            m.when(row === curGamma) {
                                state <== Int(S.idle.rawValue)
                                curValid <== 0
                            }
                        }
                    }
                }
                s.default {}
            }

            // MARK: outputs
            tokenQueue["m_axis_tready"] <== tokensReady
            tokensValid <== tokenQueue["m_axis_tvalid"]
            tokensData <== tokenQueue["m_axis_tdata"].bits(tw - 1, 0).zeroExtended(to: result.tokenTDataBits)
            tokensLast <== tokenQueue["m_axis_tdata"][tw]
            resultQueue["m_axis_tready"] <== resultReady
            resultValid <== resultQueue["m_axis_tvalid"]
            resultData <== resultQueue["m_axis_tdata"].zeroExtended(to: result.resultTDataBits)
            committedLength <== committed
        }
    }
}
