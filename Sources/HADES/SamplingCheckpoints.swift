import Golden
import HDL

// MARK: pass A's checkpoints and pass B's jump

extension SamplingVerifierRTL.Unit {
    /// Where pass B's reads jump, found by the search over pass A's checkpoints.
    struct CheckpointSearch {
        /// Pass B's reads jump this clock to `address` (beat `beat`, the first of the block that holds the token),
        /// the running prefix to `prefix` (the earlier blocks' sum). Flip-flops, only read in pass B's phase: `jump`
        /// for the reads' registers, `prefixJump` (a kept copy) for the prefix.
        let jump, prefixJump, address, beat, prefix: Value
        /// The beats read before the jump reach the prefix sums: they must not count (`SamplingTiming.passReadToPrefix`
        /// clocks after the jump).
        let skipping: Value
    }

    /// Pass A writes its running sums (S_w and Σ p̂_t, for `residual_zero`) at the end of every block of K beats
    /// (`SamplingTiming.checkpointBlock`) into a small memory. Pass B reads from beat 0 as before; once T is known
    /// (when its first beat reaches the comparison) the search reads the checkpoints back, one a clock, and
    /// compares each with T, registered. The first block whose sum exceeds T holds the token (the sums only grow:
    /// weights are ≥ 0), or the last block when none does (T < the total). If pass B's reads have not reached that
    /// block, they jump to its first beat with the earlier blocks' sum as their prefix, and the beats still in
    /// flight (all before that block, so none holds the token) are skipped. Nil without checkpoints.
    func checkpointSearch(passABeat: Value, threshold: Value, residualZero: Value) -> CheckpointSearch? {
        guard let k = SamplingTiming.checkpointBlock(beatsPerRow: c.beatsPerRow, lanes: c.lanes) else { return nil }
        let blocks = (c.beatsPerRow + k - 1) / k, indexBits = bitsToHold(blocks - 1)
        let inFlight = SamplingTiming.passReadToPrefix(lanes: c.lanes)
        // Both sums: which one pass B uses (`residual_zero`) is known only at pass A's end.
        let store = m.memory("cdf_checkpoints", depth: blocks, width: 2 * w.sum, readsNeverMeetWrites: true)

        // Pass A: a block's last beat leaves the prefix sums, S_w and Σ p̂_t take it, and the clock after they are written.
        let beatInBlock = m.reg("ckpt_beat", ceilLog2(k))
        let writeIndex = m.reg("ckpt_write_index", indexBits)
        let write = m.regNext("ckpt_write", passABeat & beatInBlock.andReduce, reset: 0)
        store.write(address: writeIndex, data: concat(expSum, weightSum), enable: write)
        m.when(fsm.is(.stream)) {
            beatInBlock <== 0
            writeIndex <== 0
        }
        m.when(passABeat) { beatInBlock <== beatInBlock &+ 1 }
        m.when(write) { writeIndex <== writeIndex &+ 1 }

        // The search starts three clocks before pass B's first beat reaches the comparison (T is ready there): S0
        // reads checkpoint i, S1 registers the block RAM's data again (moved into the DP16KD's output register,
        // `tools/ecp5_bram.py`: its clock-to-out into the comparison's carry chain was 8.3 ns), S2 once more in the
        // fabric (from the block RAM column to the comparison was 8.5 ns) with the sum pass B uses (Σ p̂_t after
        // `residual_zero`), S3 compares it with T, S4 holds the result; the reads after the block's are not used.
        let passBFirst = fsm.is(.passB) & m.regNext("ckpt_after_wait", fsm.is(.passAWait), reset: 0)
        let start = m.shiftRegister("ckpt_start", passBFirst, stages: inFlight - 3, reset: 0).last!
        let searching = m.reg("ckpt_searching", 1, reset: 0)
        let done = m.reg("ckpt_done", 1, reset: 0)
        let scan = m.named("ckpt_scan", start | searching)
        let readIndex = m.reg("ckpt_read_index", indexBits)
        // S2 also takes the sum pass B uses (`residual_zero` holds still through pass B): the choice in S3, before
        // the comparison's carry chain, was a critical path. The last block counts as above T (T < the total, but
        // the search must end there): S2 gives it a sum of 2^W, one bit above every T, so S3's comparison is the
        // subtraction's sign alone.
        let read = m.regNext("ckpt_read_q", store.read(address: readIndex, enable: scan, name: "ckpt_read"))
        let lastBlock = m.shiftRegister("ckpt_last", readIndex === (blocks - 1), stages: 2).last!
        precondition(w.sum < 64, "the last block's sum 2^W is a 64-bit literal")
        let chosen = mux(residualZero, read.bits(2 * w.sum - 1, w.sum), read.bits(w.sum - 1, 0))
        let sumAtS2 = mux(lastBlock, .literal(1 << UInt64(w.sum), width: w.sum + 1), chosen.zeroExtended(to: w.sum + 1))
        let sum = m.regNext("ckpt_s3_sum", sumAtS2)
        // Whether pass B's reads are still behind the block when its comparison is out (`firstJumpBlock`).
        let firstAhead = SamplingTiming.firstJumpBlock(checkpointBlock: k, lanes: c.lanes)
        // A compared block that lies ahead of the reads, one shift register (a LUT less before the jump).
        let aheadAtS3 = m.shiftRegister("ckpt_valid_ahead", scan & (readIndex >= firstAhead), stages: 3, reset: 0).last!
        let aboveAtS3 = m.named("ckpt_s3_above", threshold.zeroExtended(to: w.sum + 1).isBelow(sum))
        let above = m.regNext("ckpt_s4_above", aboveAtS3)
        let blockSum = m.regNext("ckpt_s4_sum", sum.bits(w.sum - 1, 0))
        let validStages = m.shiftRegister("ckpt_valid", scan, stages: 4, reset: 0), validAtS4 = validStages[3]
        let compared = validAtS4 & !done
        let found = m.named("ckpt_found", compared & above)
        // What pass B jumps to if S4's block holds the token: the block's first address and beat, the blocks
        // before's sum. A block compared below T moves them past it at S5, from registers (kept copies, one beside
        // the start address and beat, one beside the prefix): S4's comparison and search state into their enables was
        // one long route (85F seed 1 at e199cb9: `ckpt_valid_4` → a LUT → 4.40 ns → `ckpt_start_address`'s enable).
        // The jump reads them at S5 of the block that holds the token, after the blocks before it moved them.
        func passedCopy(_ name: String) -> Value {
            let passed = m.reg(name, 1, reset: 0, keep: true)
            passed <== compared & !above
            return passed
        }
        let passedForStart = passedCopy("ckpt_s5_passed"), passedForPrefix = passedCopy("ckpt_s5_prefix_passed")
        let passedSum = m.regNext("ckpt_s5_sum", blockSum)
        let address = m.reg("ckpt_start_address", passAddress.width)
        let beat = m.reg("ckpt_start_beat", passBeat.width)
        let prefix = m.reg("ckpt_start_prefix", w.weightSum)
        m.when(fsm.is(.passAWait)) {
            searching <== 0
            done <== 0
            readIndex <== 0
            address <== decideAddress
            beat <== 0
            prefix <== 0
        }.otherwise {
            searching <== scan & !found
            m.when(found) { done <== 1 }
            m.when(scan) { readIndex <== mux(readIndex === (blocks - 1), readIndex, readIndex &+ 1) }
            m.when(passedForStart) {
                address <== advance(address, by: k)
                beat <== beat &+ .literal(UInt64(k), width: beat.width)
            }
            m.when(passedForPrefix) { prefix <== passedSum }
        }
        // Jump only ahead: reads at or past the block's first beat find the token without it. The beats in
        // flight reach the prefix sums in the `inFlight` clocks after the jump. S4's jump is registered from S3: a
        // block ahead, compared above T, the block before it not (the sums only grow and the search reads the blocks
        // in order, so that is the first block above T). It is the sign bit of its own comparison, no LUT after the
        // carry chain: "ahead, the block before not above" (registers) enters as the minuend's top bit, and
        // T + 2^(W+1)·blocked < sum never holds when blocked (sum < 2^(W+1)). Its S3 sum is a copy loaded only with a
        // block's sum, from reset on: the sum enters the arithmetic unmasked, so the unknown checkpoints before the
        // first search would make an unknown jump in Icarus. The reads take the jump a clock later
        // (`SamplingTiming.checkpointJumpDelay`), from three kept copies, for the reads' registers, the prefix and
        // the skip count, each beside its logic: from the comparison (or its one LUT after it) to those was one long
        // route (85F seed 1: 1.96 ns into the copies at cc91b42, 4.97 ns from the comparison's own flip-flop to the
        // pass address at 7f73c4f).
        let blocked = !aheadAtS3 | (validAtS4 & above)
        let jumpSum = m.reg("ckpt_jump_s3_sum", w.sum + 1, reset: 0, enable: validStages[1], keep: true)
        jumpSum <== sumAtS2
        let jumpAtS4 = m.regNext("ckpt_jump_s4", concat(blocked, threshold.zeroExtended(to: w.sum + 1)).isBelow(jumpSum),
                                 reset: 0)
        precondition(SamplingTiming.checkpointJumpDelay == 1, "the jump is registered once after S4")
        func jumpCopy(_ name: String) -> Value {
            let jump = m.reg(name, 1, reset: 0, keep: true)
            jump <== jumpAtS4
            return jump
        }
        let jump = jumpCopy("ckpt_jump"), prefixJump = jumpCopy("ckpt_prefix_jump"), skipJump = jumpCopy("ckpt_skip_jump")
        let skipLeft = m.reg("ckpt_skip_left", bitsToHold(inFlight), reset: 0)
        let skipLoad = skipJump & passBPhase
        skipLeft <== mux(skipLoad, .literal(UInt64(inFlight), width: skipLeft.width),
                         mux(skipLeft === 0, skipLeft, skipLeft &- 1))
        let skipping = m.regNext("ckpt_skipping", skipLoad | (skipLeft > 1), reset: 0)
        return CheckpointSearch(jump: jump, prefixJump: prefixJump, address: address, beat: beat, prefix: prefix,
                                skipping: skipping)
    }
}
