import Golden
import HDL

/// Bit layout of the tree verifier's stream payloads (README "Token trees"). Every TDATA port is padded with
/// zeros on top to whole bytes; the unit drives output padding to 0 and ignores input padding.
///
/// - command: `[CW-1:0]` = N_r; token x_i at `[CW + i·TW +: TW]`; parent field p_i + 1 (0 = the root) at
///   `[CW + N·TW + i·CW +: CW]`, for i < N (fields at or past N_r are ignored). CW = bits of 0…N.
/// - result: token `[TW-1:0]`, accepted n, rollback N_r − n (CW bits each), then seven flags (`ResultFlags`
///   bits 0…6, `bad_tree` on top).
/// - tokens: one emitted token per beat, `tlast` on the (n+1)-th.
/// - path: n+1 beats in lock step with the tokens: the accepted node indices in path order, then N (no node:
///   the correction/bonus token, whose KV entry the target writes next round) with `tlast`.
public struct TreeInterface: Equatable {
    public let config: TreeConfig
    public init(_ config: TreeConfig) { self.config = config }

    public var tokenBits: Int { config.tokenBits }
    public var countBits: Int { config.countBits }
    public var commandBits: Int { countBits + config.maxNodes * (tokenBits + countBits) }
    public var logitBusBits: Int { config.lanes * config.format.bits }
    public var resultBits: Int { tokenBits + 2 * countBits + ResultFlags.treeBitCount }

    static func bytes(_ bits: Int) -> Int { VerifierInterface.byteAligned(bits) }
    public var commandTDataBits: Int { Self.bytes(commandBits) }
    public var logitTDataBits: Int { Self.bytes(logitBusBits) }
    public var resultTDataBits: Int { Self.bytes(resultBits) }
    public var tokenTDataBits: Int { Self.bytes(tokenBits) }
    public var pathTDataBits: Int { Self.bytes(countBits) }

    /// The command payload: N_r, the node tokens, then each node's parent + 1 (0 = the root).
    public var commandLayout: Layout {
        Layout("tree_command", [Self.nodesField(countBits), Layout.Field("token", tokenBits, count: config.maxNodes),
                                Layout.Field("parent_plus_1", countBits, count: config.maxNodes)])
    }
    static func nodesField(_ cw: Int) -> Layout.Field { Layout.Field("nodes", cw) }

    /// The result payload: token, accepted n, rollback N_r − n, flags (`bad_tree` on top).
    public var resultLayout: Layout {
        Layout("tree_result", [Layout.Field("token", tokenBits), Layout.Field("accepted", countBits),
                               Layout.Field("rollback", countBits), Layout.Field("flags", ResultFlags.treeBitCount)])
    }

    /// Command payload as 32-bit words. Parents are p_i (−1 = root); fields are masked to their widths.
    public func packCommand(nodes: Int, tokens: [Int], parents: [Int]) -> [UInt32] {
        let layout = commandLayout
        var bits = layout.packed()
        bits[layout.fields[0]] = UInt64(nodes)
        for i in 0..<config.maxNodes {
            let x = i < tokens.count ? tokens[i] : 0
            let p = i < parents.count ? parents[i] : -1
            bits[layout.fields[1], i] = UInt64(truncatingIfNeeded: x)
            bits[layout.fields[2], i] = UInt64(p + 1)
        }
        return bits.words
    }

    public func unpackResult(_ words: [UInt32]) -> VerifierInterface.Result {
        let layout = resultLayout
        let bits = layout.unpack(words)
        return VerifierInterface.Result(token: Int(bits[layout.fields[0]]), accepted: Int(bits[layout.fields[1]]),
                                        rollback: Int(bits[layout.fields[2]]), flags: ResultFlags(rawValue: UInt8(bits[layout.fields[3]])))
    }

    /// The logit beats are the chain verifier's.
    public var rowInterface: VerifierInterface { VerifierInterface(config.rows) }

    /// The accepted node indices in path order (KV compaction), `tlast` on the round's last.
    public static let pathStream = StreamPortNames("m_axis_path", last: true)

    /// Every port's TDATA layout (for the generated file's header).
    public var layouts: [StreamLayout] {
        [StreamLayout(VerifierStreams.command, commandLayout), StreamLayout(VerifierStreams.logits, rowInterface.logits.layout),
         StreamLayout(VerifierStreams.result, resultLayout), StreamLayout(VerifierStreams.tokens, rowInterface.tokens.layout),
         StreamLayout(Self.pathStream, Layout("path", [Layout.Field("node", countBits)]))]
    }
}

/// The greedy token-tree verifier (DESIGN.md "Token trees").
///
/// Rows stream in node order through the chain datapath (keys → argmax tree → running max → row result).
/// One more register computes, for row j with argmax a_j, the per-node match vector
///   hit_i = (p_i + 1 = j) ∧ (x_i = a_j) ∧ (i < N_r) ∧ (p_i < i) ∧ (N_r ≤ N),
/// which does not depend on the walk (the children of row j are fixed by the command), so it pipelines freely.
/// The decision stage keeps the walk's row r_c (0 = the root): a row j = r_c is on the path; its first set hit
/// (lowest index: first child in node order) is the next node c', and r_c ← c' + 1; no hit stops the walk.
/// Rows with j ≠ r_c are discarded. Result latency D_T = D + 1 (`TreeTiming`).
///
/// Commands sit in two slots used alternately (round parity): the input side streams one round while the back
/// half decides the previous one. A slot is freed when its round's last row leaves the decision stage.
public enum TreeVerifierRTL {
    public static func defaultName(_ c: TreeConfig) -> String {
        moduleName("hades_verify_tree", ("n", c.maxNodes), ("v", c.vocab), ("l", c.lanes), ("", c.format.moduleTag))
            .replacingOccurrences(of: "__", with: "_")
    }

    public static let tokenFifoDepth = 4
    public static let resultFifoDepth = 2

    /// Lowest set bit (found, index) through a balanced tree of 2:1 muxes (log depth). The index is
    /// max(1, ceil(log2 count)) bits.
    static func firstSet(_ bits: [Value]) -> (found: Value, index: Value) {
        if bits.count == 1 { return (bits[0], .literal(0, width: 1)) }
        let half = 1 << (ceilLog2(bits.count) - 1)
        let low = firstSet(Array(bits[..<half])), high = firstSet(Array(bits[half...]))
        let lowBits = ceilLog2(half)
        let index = lowBits == 0 ? !low.found
            : mux(low.found, concat(Value.false, low.index.resized(to: lowBits)), concat(Value.true, high.index.resized(to: lowBits)))
        return (low.found | high.found, index)
    }

    public static func module(_ c: TreeConfig, name: String? = nil) throws -> Module {
        let io = TreeInterface(c)
        let rowsConfig = c.rows
        let tw = c.tokenBits, cw = c.countBits, w = c.format.bits, lanes = c.lanes, beats = c.beatsPerRow
        let nodes = c.maxNodes
        let top = name ?? defaultName(c)
        let tagFields: [(String, Int)] = [("fire", 1), ("row_end", 1), ("row_final", 1), ("row_length_error", 1),
                                          ("slot", 1), ("base", tw), ("row", cw)]
        let tagBits = tagFields.reduce(0) { $0 + $1.1 }
        let tree = try ArgmaxTree.module(lanes: lanes, keyBits: w, tagBits: tagBits)
        let tokenFifo = try StreamFIFO.module(width: tw + 1, depth: tokenFifoDepth)
        let pathFifo = try StreamFIFO.module(width: cw + 1, depth: tokenFifoDepth)
        let resultFifo = try StreamFIFO.module(width: io.resultBits, depth: resultFifoDepth)

        return try Module.build(top, parameters: [
            ("vocab", "\(c.vocab)"), ("max_nodes", "\(nodes)"), ("lanes", "\(lanes)"),
            ("format", c.format.description), ("beats_per_row", "\(beats)"),
            ("latency_D", "\(TreeTiming.pipelineDepth(lanes: lanes))"),
        ], doc: ["HADES greedy token-tree verify unit", VerifierInterface.layoutNote] + io.layouts.map { "  " + $0.summary }) { m in
            // MARK: ports
            let command = m.streamIn(VerifierStreams.command, payload: io.commandTDataBits)
            let logits = m.streamIn(VerifierStreams.logits, payload: io.logitTDataBits)
            let result = m.streamOut(VerifierStreams.result, payload: io.resultTDataBits)
            let tokens = m.streamOut(VerifierStreams.tokens, payload: io.tokenTDataBits)
            let path = m.streamOut(TreeInterface.pathStream, payload: io.pathTDataBits)
            let (cmdValid, cmdReady, cmdData) = (command.valid, command.ready, command.data)
            let (logitsValid, logitsReady, logitsData, logitsLast) = (logits.valid, logits.ready, logits.data, logits.last!)
            let (resultValid, resultReady, resultData) = (result.valid, result.ready, result.data)
            let (tokensValid, tokensReady, tokensData, tokensLast) = (tokens.valid, tokens.ready, tokens.data, tokens.last!)
            let (pathValid, pathReady, pathData, pathLast) = (path.valid, path.ready, path.data, path.last!)
            let committedLength = m.output(VerifierStreams.committedLength, VerifierInterface.committedLengthBits)

            let tokenQueue = m.instance(tokenFifo, name: "u_token_fifo")
            let pathQueue = m.instance(pathFifo, name: "u_path_fifo")
            let resultQueue = m.instance(resultFifo, name: "u_result_fifo")
            let advance = m.reg("advance", 1, reset: 1)
            advance <== !tokenQueue.fullNext & !pathQueue.fullNext & !resultQueue.fullNext

            // MARK: command slots (alternating; see the type's comment)
            struct Slot {
                var valid, streamed, count, tokens, parents: Value
                var nodeOK, badDraft, badTree, badCount: Value
                func token(_ i: Int, _ tw: Int) -> Value { tokens.bits((i + 1) * tw - 1, i * tw) }
                func parent(_ i: Int, _ cw: Int) -> Value { parents.bits((i + 1) * cw - 1, i * cw) }
            }
            let slots: [Slot] = (0..<2).map { s in
                let count = m.reg("s\(s)_count", cw)
                let tokens = m.reg("s\(s)_tokens", nodes * tw)
                let parents = m.reg("s\(s)_parents", nodes * cw)
                // Derived every clock from the slot (node_ok one clock after a load, first read ≥ D_T − 1 clocks later).
                let badCount: Value = (1 << cw) - 1 > nodes ? count > nodes : .false
                var ok: [Value] = [], outOfRange: [Value] = [], malformed: [Value] = []
                for i in 0..<nodes {
                    let present = count > i
                    let field = parents.bits((i + 1) * cw - 1, i * cw)
                    let wellFormed = field <= i
                    ok.append(present & wellFormed & !badCount)
                    malformed.append(present & !wellFormed)
                    if c.vocab < 1 << tw { outOfRange.append(present & (tokens.bits((i + 1) * tw - 1, i * tw) >= c.vocab)) }
                }
                // The command flags take two register levels (per node, then the OR): ready three clocks after a
                // load, read when the round is decided, at least D_T ≥ 4 clocks after its first beat.
                func flag(_ name: String, _ bits: [Value]) -> Value {
                    bits.isEmpty ? .false : m.regNext("s\(s)_\(name)", m.regNext("s\(s)_\(name)_bits", concat(bits.reversed())).orReduce)
                }
                return Slot(valid: m.reg("s\(s)_valid", 1, reset: 0), streamed: m.reg("s\(s)_streamed", 1, reset: 0),
                            count: count, tokens: tokens, parents: parents,
                            nodeOK: m.regNext("s\(s)_node_ok", concat(ok.reversed())),
                            badDraft: flag("bad_draft", outOfRange), badTree: flag("bad_tree", malformed),
                            badCount: m.regNext("s\(s)_bad_count", badCount))
            }
            func pick(_ sel: Value, _ f: (Slot) -> Value) -> Value { mux(sel, f(slots[1]), f(slots[0])) }

            let loadSel = m.reg("load_slot", 1, reset: 0)
            let inSel = m.reg("in_slot", 1, reset: 0)
            cmdReady <== !pick(loadSel) { $0.valid }
            let cmdFire = m.named("cmd_fire", cmdValid & !pick(loadSel) { $0.valid })
            m.when(cmdFire) { loadSel <== !loadSel }

            // MARK: input stage: row and beat bookkeeping
            let beat = m.reg("beat", bitsToHold(beats), reset: 0)
            let row = m.reg("row", cw, reset: 0)
            let base = m.reg("base", tw, reset: 0)
            let active = m.named("in_active", pick(inSel) { $0.valid & !$0.streamed })
            logitsReady <== active & advance
            let fire = m.named("logits_fire", logitsValid & active & advance)
            let rowFinal = m.named("row_final", row === pick(inSel) { $0.count })
            let roundEnd = m.named("round_end", fire & logitsLast & rowFinal)
            let rowLengthError = m.named("row_length_error", logitsLast & (beat =/= (beats - 1)))
            m.when(fire) {
                m.when(logitsLast) {
                    beat <== 0
                    base <== 0
                    row <== mux(rowFinal, .literal(0, width: cw), row &+ 1)
                }.otherwise {
                    beat <== mux(beat === beats, beat, beat &+ 1)
                    base <== base &+ .literal(UInt64(lanes % (1 << tw)), width: tw)
                }
            }
            m.when(roundEnd) { inSel <== !inSel }
            let fullBeat: Value = beats > 1 ? beat < (beats - 1) : .false
            let lastOrEarlier = m.named("beat_in_row", beat < beats)
            var laneValid: [Value] = [], laneKeys: [Value] = [], laneNaN: [Value] = []
            for k in 0..<lanes {
                let lane = LogitKey.build(logitsData.bits((k + 1) * w - 1, k * w), format: c.format)
                let valid = k < rowsConfig.lanesInLastBeat ? lastOrEarlier : fullBeat
                laneValid.append(valid)
                laneKeys.append(lane.key)
                if c.format.isFloat { laneNaN.append(lane.isNaN & valid) }
            }

            // Stage 1 and the argmax tree (as in the chain unit).
            let tagValues: [String: Value] = [
                "fire": fire, "row_end": logitsLast, "row_final": rowFinal, "row_length_error": rowLengthError,
                "slot": inSel, "base": base, "row": row,
            ]
            let stage1Tag = m.regNext("s1_tag", concat(tagFields.reversed().map { tagValues[$0.0]! }), reset: 0, enable: advance)
            let stage1Valid = m.regNext("s1_lane_valid", concat(laneValid.reversed()), enable: advance)
            let stage1Keys = m.regNext("s1_lane_keys", concat(laneKeys.reversed()), enable: advance)
            let argmax = m.instance(tree, name: "u_argmax")
            argmax.enable <== advance
            argmax.laneValid <== stage1Valid
            argmax.laneKeys <== stage1Keys
            argmax.laneFlags <== laneNaN.isEmpty ? .literal(0, width: lanes)
                : m.regNext("s1_lane_nan", concat(laneNaN.reversed()), enable: advance)  // OR-reduced in the tree
            argmax.tagIn <== stage1Tag
            var fields: [String: Value] = [:]
            var offset = 0
            for (field, width) in tagFields {
                fields[field] = argmax.tagOut.bits(offset + width - 1, offset)
                offset += width
            }

            // MARK: running maximum of the row
            let runValid = m.reg("run_valid", 1, reset: 0)
            let runKey = m.reg("run_key", w)
            let runIndex = m.reg("run_index", tw)
            let runNaN = m.reg("run_nan", 1)
            let rowStart = m.reg("row_start", 1, reset: 1)
            let candidateIndex = fields["base"]! &+ argmax.maxLane.resized(to: tw)
            let candidateValid = argmax.maxValid
            let take = m.named("take_candidate", rowStart | (candidateValid & (!runValid | (argmax.maxKey > runKey))))
            let newValid = m.named("new_valid", mux(take, candidateValid, runValid))
            let newKey = m.named("new_key", mux(take, argmax.maxKey, runKey))
            let newIndex = m.named("new_index", mux(take, candidateIndex, runIndex))
            let newNaN = m.named("new_nan", (runNaN & !rowStart) | argmax.anyFlag)
            m.when(fields["fire"]! & advance) {
                runValid <== newValid
                runKey <== newKey
                runIndex <== newIndex
                runNaN <== newNaN
                rowStart <== fields["row_end"]!
            }

            // MARK: row results
            let rowDone = m.reg("row_done", 1, reset: 0, enable: advance)
            rowDone <== fields["fire"]! & fields["row_end"]!
            let negInfKey = Int(c.format.negativeInfinityKey)
            let degenerate: Value = c.format.isFloat
                ? mux(take, argmax.maxKey === negInfKey, runKey === negInfKey) : .false
            let rowArgmax = m.regNext("row_argmax", newIndex, enable: advance)
            let rowFlags = m.regNext("row_flags", concat([fields["row_length_error"]!, degenerate, newNaN]), enable: advance)
            let rowIsFinal = m.regNext("row_is_final", fields["row_final"]!, enable: advance)
            let rowSlot = m.regNext("row_slot", fields["slot"]!, enable: advance)
            let rowIndex = m.regNext("row_index", fields["row"]!, enable: advance)

            // MARK: match vector: which nodes are children of this row with the row's argmax as token
            let nodeOK = pick(rowSlot) { $0.nodeOK }
            let hits = (0..<nodes).map { i in
                nodeOK[i] & (pick(rowSlot) { $0.parent(i, cw) } === rowIndex) & (pick(rowSlot) { $0.token(i, tw) } === rowArgmax)
            }
            let hitDone = m.reg("hit_done", 1, reset: 0, enable: advance)
            hitDone <== rowDone
            let hitVector = m.regNext("hit_vector", concat(hits.reversed()), enable: advance)
            let hitArgmax = m.regNext("hit_argmax", rowArgmax, enable: advance)
            let hitFlags = m.regNext("hit_flags", rowFlags, enable: advance)
            let hitIsFinal = m.regNext("hit_is_final", rowIsFinal, enable: advance)
            let hitSlot = m.regNext("hit_slot", rowSlot, enable: advance)
            let hitRow = m.regNext("hit_row", rowIndex, enable: advance)

            // MARK: decision: walk the tree
            let decided = m.reg("decided", 1, reset: 0)
            let walkRow = m.reg("walk_row", cw, reset: 0)
            let accepted = m.reg("accepted", cw, reset: 0)
            let flagsSoFar = m.reg("flags_so_far", ResultFlags.treeBitCount, reset: 0)
            let committed = m.reg("committed", VerifierInterface.committedLengthBits, reset: 0)
            let rowEvent = m.named("row_event", hitDone & advance & !decided)
            let onPath = m.named("on_path", rowEvent & (hitRow === walkRow))
            let first = firstSet((0..<nodes).map { hitVector[$0] })
            let found = m.named("child_found", first.found)
            let child = m.named("child_index", first.index.resized(to: cw))
            let stop = m.named("round_decided", onPath & !found)
            // Flags (ResultFlags bits 6…0): row_length from every row up to the decision, NaN/degenerate from the
            // rows the walk visits, the command's flags when the result is pushed.
            let zero = Value.false
            let rowBits = concat([zero, zero, hitFlags[2], hitFlags[1] & onPath, hitFlags[0] & onPath, zero, zero])
            let commandBits = concat([pick(hitSlot) { $0.badTree }, zero, zero, zero, zero,
                                      pick(hitSlot) { $0.badCount }, pick(hitSlot) { $0.badDraft }])
            let flagsNow = m.named("flags_now", flagsSoFar | rowBits)
            tokenQueue.push <== onPath
            tokenQueue.pushData <== concat(!found, hitArgmax)
            pathQueue.push <== onPath
            pathQueue.pushData <== concat(!found, mux(found, child, .literal(UInt64(nodes), width: cw)))
            resultQueue.push <== stop
            resultQueue.pushData <== concat(flagsNow | commandBits, pick(hitSlot) { $0.count } &- accepted, accepted, hitArgmax)
            m.when(rowEvent) { flagsSoFar <== flagsNow }
            m.when(onPath & found) {
                accepted <== accepted &+ 1
                walkRow <== child &+ 1
            }
            m.when(stop) {
                decided <== 1
                committed <== committed &+ (accepted.zeroExtended(to: VerifierInterface.committedLengthBits) &+ 1)
            }
            // The round's last row: free its slot, reset the walk for the next round.
            let roundDone = m.named("round_done", hitDone & advance & hitIsFinal)
            m.when(roundDone) {
                decided <== 0
                accepted <== 0
                walkRow <== 0
                flagsSoFar <== 0
            }
            for (s, slot) in slots.enumerated() {
                m.when(cmdFire & (loadSel === s)) {
                    slot.valid <== 1
                    slot.streamed <== 0
                    slot.count <== cmdData.bits(cw - 1, 0)
                    slot.tokens <== cmdData.bits(cw + nodes * tw - 1, cw)
                    slot.parents <== cmdData.bits(io.commandBits - 1, cw + nodes * tw)
                }
                m.when(roundEnd & (inSel === s)) { slot.streamed <== 1 }
                m.when(roundDone & (hitSlot === s)) { slot.valid <== 0 }
            }

            // MARK: outputs
            tokenQueue.output.ready <== tokensReady
            tokensValid <== tokenQueue.output.valid
            tokensData <== tokenQueue.output.data.bits(tw - 1, 0).zeroExtended(to: io.tokenTDataBits)
            tokensLast <== tokenQueue.output.data[tw]
            pathQueue.output.ready <== pathReady
            pathValid <== pathQueue.output.valid
            pathData <== pathQueue.output.data.bits(cw - 1, 0).zeroExtended(to: io.pathTDataBits)
            pathLast <== pathQueue.output.data[cw]
            resultQueue.output.ready <== resultReady
            resultValid <== resultQueue.output.valid
            resultData <== resultQueue.output.data.zeroExtended(to: io.resultTDataBits)
            committedLength <== committed
        }
    }
}

extension HADESGenerator {
    public static func treeCommand(_ c: TreeConfig, top: String?) -> String {
        "hadesgen --mode tree --nodes \(c.maxNodes) --vocab \(c.vocab) --lanes \(c.lanes) --format \(c.format)"
            + (top.map { " --top \($0)" } ?? "")
    }

    /// The token-tree verifier as one Verilog-2005 file.
    public static func treeVerilog(_ config: TreeConfig, top: String? = nil) throws -> String {
        VerilogEmitter.emit(try TreeVerifierRTL.module(config, name: top), command: treeCommand(config, top: top))
    }
}
