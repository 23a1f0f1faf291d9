/// Timing constants of the sampling verifier (`SamplingVerifierRTL`): the RTL's stages and the golden cycle model
/// both follow these numbers (the co-simulation compares every round's cycles).
public enum SamplingTiming {
    /// Register stages of a table exponential: the table address, shift and zero flag; the table's word; the
    /// shift's low 2 bits; its next 2; its top bit and the zero flag.
    public static let expStages = 5
    /// Levels of the lane trees that take one stage each (the beat reference's maximum, the beat sums): ceil(log2 L),
    /// at least 1.
    public static func laneLevels(lanes: Int) -> Int { max(1, ceilLog2(lanes)) }
    /// Clocks of one DSP product: the block's input and output registers (`RegisteredProduct`).
    public static let dspLatency = 2
    /// Register stages from a beat's handshake to the stage that updates the row sum S: input, y (the DSP product,
    /// the sign), each lane's rounded-up y, the maximum's levels, exp, the beat sums' levels, the two shifts, the
    /// shifted beat sum.
    public static func pipeline(lanes: Int) -> Int { 5 + dspLatency + expStages + 2 * laneLevels(lanes: lanes) }
    /// Register stages from a beat's handshake to the final weights (what the passes read): input to E1, then F.
    public static func passPipeline(lanes: Int) -> Int { 5 + dspLatency + expStages + laneLevels(lanes: lanes) }
    /// Clocks from the row's last update of its accumulators to (ρ, S): the comparisons of the ρ_p (which is the
    /// largest) and their differences, the shifts, the shifted sums, their sum (`SamplingFixedPoint` step 3).
    public static let mergeStages = 4
    /// Clocks the decision takes once the row's last beat left the pipeline: the cycle S_p and ρ_p settle, the
    /// merge, S's leading one, the shift of S, LOG's index, LOG (a block RAM), its word in the block RAM's output
    /// register and again in a fabric register, ν, p̂(x) (`expStages`), the pipelined product U·p̂_d(x)
    /// (`productLatency(32, E+1)`), the comparison, the outcome (flip-flops for each group of registers a decision
    /// loads). Pipelined: a row can enter every clock.
    public static let decisionCycles = 10 + mergeStages + expStages + productLatency(32, SamplingFixedPoint.expBits)
    /// Clocks from the handshake of a row's last beat to its decision. The input keeps streaming meanwhile, so as
    /// many beats of later rows can arrive; the row memory holds them beside the row (B + this many words).
    public static func decisionLatency(lanes: Int) -> Int { pipeline(lanes: lanes) + decisionCycles }
    /// Clocks from a pass's memory read to the data at the pipeline's input: each column's address register, the
    /// memory, its output register, a fabric register beside it, the register after the choice among the memory's
    /// banks (`BankedMemory`).
    public static let memoryReadStages = 5
    /// Cycles a pass over the stored row pair adds to its B reads beyond the lane prefix sums: the memory read,
    /// then the pipeline to the weights.
    public static func passGap(lanes: Int) -> Int { memoryReadStages + passPipeline(lanes: lanes) }
    /// Clocks of the lanes' prefix sums after the pipeline (both passes): ⌈log2 L⌉ levels (Kogge–Stone), and from
    /// L = 16 on one more before the last level, which only carries that level's far operands (lane k − L/2) across
    /// half the lanes into kept copies beside their adders (`prefixBridge`).
    public static func prefixStages(lanes: Int) -> Int { ceilLog2(lanes) + prefixBridge(lanes: lanes) }
    /// 1 where the prefix sums' last level spans 8 lanes or more: p3 → 5.0–5.3 ns of routing → p4's adder was the
    /// 45F's critical path at L = 16 (76633ec seed 2, b92330b seed 1).
    public static func prefixBridge(lanes: Int) -> Int { lanes >= 16 ? 1 : 0 }
    /// Pass B's stages after the prefix sums: T less the earlier beats' prefix, each lane's comparison with it.
    public static let searchStages = 2
    /// Clocks of the pipelined threshold product U_γ·Σw (32 × the row sum's bits), at the widest sum (V = 262 144;
    /// a smaller V's product is at most this long).
    public static let thresholdLatency = productLatency(32, SamplingFixedPoint.sumBits(vocab: 1 << 18))
    /// Clocks from pass A's last read to pass B's first. Pass B's beats follow pass A's through the same pipeline,
    /// so the gap only has to cover what pass B reads of pass A's result: `residual_zero` (registered from S_w) a
    /// clock before its first beat leaves the pipeline (`prefixStages` + 3 after pass A's last), and the
    /// threshold T (S_w's choice registered, then the product) a clock before that beat reaches the comparison (G1
    /// subtracts the earlier beats' prefix from T).
    public static func passBGap(lanes: Int) -> Int { max(prefixStages(lanes: lanes), thresholdLatency) + 3 }
    /// From the push of the round's last token to the result handshake.
    public static let resultDelay = 1
    /// The on-chip uniform generator: ARX rounds per clock, and clocks from the command's handshake until the
    /// uniforms are written (the first decision reads U_0 at least 1 + pipeline + 5 clocks after the handshake).
    public static let generatorRoundsPerClock = 1
    public static let generatorCycles = SamplingUniformGenerator.rounds / generatorRoundsPerClock
    /// Block lanes of the on-chip generator: U_0 … U_Γ are computed `generatorLanes` at a time, group after group
    /// (`generatorCycles` clocks each), so the fewest lanes such that U_i is written (4 + generatorCycles·(⌊i/P⌋ + 1)
    /// clocks after the command's handshake: the clock after it keeps the command's seed, group 0 starts the clock
    /// after that, and a group is written the clock after its last round) a clock before row i's decision can first read it
    /// (row i's last beat is handshaken (i+1)·B clocks after the command at the earliest, and reaches the decision
    /// `pipeline` clocks later). Long rows need one lane (V = 50257, L = 16: B = 3142); B = 1 needs Γ + 1, all in one group.
    public static func generatorLanes(gammaMax: Int, beatsPerRow: Int, lanes: Int) -> Int {
        (1...(gammaMax + 1)).first { p in
            (0...gammaMax).allSatisfy { i in 5 + generatorCycles * (i / p + 1) <= (i + 1) * beatsPerRow + pipeline(lanes: lanes) }
        } ?? gammaMax + 1
    }

    /// Bits of one partial product's operands in the pipelined multiplies (one DSP each).
    public static let productLimb = 16
    /// Clocks of a pipelined a·b: the partial products (one DSP each), each registered again in the fabric (its
    /// adder), then a registered binary tree over them.
    public static func productLatency(_ a: Int, _ b: Int) -> Int {
        dspLatency + 1 + ceilLog2(((a + productLimb - 1) / productLimb) * ((b + productLimb - 1) / productLimb))
    }

    /// Clocks from a pass read to its beat's lane prefix sums, where pass B's running prefix takes it (`passGap` +
    /// `prefixStages`): how many pass B beats are in flight when its reads jump to another block.
    public static func passReadToPrefix(lanes: Int) -> Int { passGap(lanes: lanes) + prefixStages(lanes: lanes) }

    /// Clocks from the search's registered comparison to pass B's reads taking its jump: the jump is registered
    /// once more, in kept copies beside the reads' registers, the prefix and the skip count (from the comparison
    /// straight to those was one long route, `SamplingCheckpoints`).
    public static let checkpointJumpDelay = 1

    /// P: pass B's reads when a jump found at block 0 would take effect. The search's comparison for block b is out
    /// `passReadToPrefix` + 1 + b clocks after pass B's first read, and the jump is taken `checkpointJumpDelay`
    /// clocks later, when the reads are at beat P + b.
    public static func readsAtJump(lanes: Int) -> Int { passReadToPrefix(lanes: lanes) + 1 + checkpointJumpDelay }

    /// Beats per block of pass A's checkpoints (its running sums at each block's end): K = 2^⌈(⌈log2 B⌉)/2⌉ ≈ √B, so
    /// that the search over the ⌈B/K⌉ blocks and pass B's reads inside one block are both about √B. Nil (no
    /// checkpoints) where no block starts late enough for pass B's reads to jump there (`firstJumpBlock`).
    public static func checkpointBlock(beatsPerRow b: Int, lanes: Int) -> Int? {
        let k = 1 << ((ceilLog2(b) + 1) / 2), blocks = (b + k - 1) / k
        return blocks > 1 && (blocks - 1) * (k - 1) > readsAtJump(lanes: lanes) ? k : nil
    }

    /// The reads are at beat P + b (`readsAtJump`) when block b's jump takes effect: they are behind the block's
    /// first beat (b·K), and jump there, exactly when b·(K − 1) > P, so from this block on.
    public static func firstJumpBlock(checkpointBlock k: Int, lanes: Int) -> Int {
        readsAtJump(lanes: lanes) / (k - 1) + 1
    }

    /// Pass B's reads from its first to the token's beat t. It reads from beat 0, as soon as pass A's sum allows
    /// (`passBGap`). With checkpoints, the search over them starts once T is known, when pass B's first beat
    /// reaches the comparison; from `firstJumpBlock` on, the token's block b = ⌊t/K⌋ lies ahead of the reads when
    /// its jump takes effect, and they jump to its first beat. So pass B never reads more than from beat 0, and at
    /// most about 2√B + P.
    public static func passBReads(tokenBeat t: Int, beatsPerRow b: Int, lanes: Int) -> Int {
        guard let k = checkpointBlock(beatsPerRow: b, lanes: lanes),
              t / k >= firstJumpBlock(checkpointBlock: k, lanes: lanes) else { return t + 1 }
        return readsAtJump(lanes: lanes) + 2 + t / k + t % k
    }

    /// The cycle formula's term beyond the streaming, pass A and pass B's reads up to the token's beat,
    /// (n+1)·B + B + `passBReads`: the decisive row's decision, the gap between the passes, pass B's latency, the
    /// final push and the result (the same for every n and t).
    public static func cyclesPerRound(lanes: Int) -> Int {
        decisionLatency(lanes: lanes) + passBGap(lanes: lanes) - 1 + passGap(lanes: lanes) + prefixStages(lanes: lanes)
            + searchStages + 1 + resultDelay
    }
}

/// Cycle model of the sampling verifier (`SamplingVerifierRTL`) with a producer that never stalls and a ready
/// consumer, counted like greedy: from the handshake of a round's first target beat to its result handshake.
///
/// Rows stream back to back, one beat a clock: row i's beats are handshaken at i·B … i·B + B − 1 whatever the
/// decisions of the rows before it. Row i's decision is out `decisionLatency` clocks after its last beat (the
/// softmax pipeline, 12 + 2l stages, l = `laneLevels`, then `decisionCycles` = 24); an accepted row's token is
/// pushed meanwhile, so an accepted row adds exactly B. The decisive row n (rejected, or the bonus row γ, or row 0
/// with γ > Γ) stops the input at its decision, then needs pass A (B reads) and pass B, whose first read follows pass
/// A's last by `passBGap` = max(s, 6) + 3 clocks (its beats follow pass A's through the pipeline; s = `prefixStages` =
/// ⌈log2 L⌉ + [L ≥ 16]). Pass B ends at the beat t = ⌊token / L⌋ that holds the sampled token: R(t) reads
/// (`passBReads`) + 17 + l + s (the memory read and its four registers, 12 + l stages to the weights, the lane prefix
/// sums) + 2 (T less the running prefix, the comparison); the final token is pushed the clock after and the result
/// is handshaken one clock after that:
///
///     cycles = (n+1)·B + decisionLatency + (B − 1 + passBGap) + (R(t) + passGap + s + 2) + 1 + resultDelay
///            = (n+1)·B + B + R(t) + 59 + 3l + s + max(s, 6),  l = max(1, ⌈log2 L⌉)  (L = 16: + 82)
///
/// R(t) = t + 1 from beat 0. With pass A's checkpoints every K beats (`checkpointBlock`, b = ⌊t/K⌋, P = D_P + 2 =
/// `readsAtJump`, D_P = `passReadToPrefix` = 17 + l + s): R(t) = P + 2 + b + (t mod K) when b·K > P + b (b ≥ `firstJumpBlock`:
/// the reads jump to the token's block), else t + 1; never more than from beat 0. At most (t = B − 1, no checkpoints) that is within
/// (n+1)·B + 2B + 2·decisionLatency = (n+1)·B + 2B + 72 + 4l for every L ≤ 256.
///
/// The beats handshaken while row n was decided (up to `decisionLatency`, never past row γ) are dropped; the rest
/// of the round's rows are taken after the result at one beat per clock, and the next round's first beat follows
/// its command handshake by one clock.
public enum SamplingCycleModel {
    /// A round that accepted n draft tokens and sampled its token from beat `tokenBeat` of the decisive row.
    public static func cycles(accepted n: Int, tokenBeat t: Int, config: VerifierConfig) -> Int {
        let b = config.beatsPerRow, l = config.lanes
        return (n + 1) * b + b + SamplingTiming.passBReads(tokenBeat: t, beatsPerRow: b, lanes: l)
            + SamplingTiming.cyclesPerRound(lanes: l)
    }

    /// The most a round that accepted n draft tokens takes (over the token's beat: the last beat without
    /// checkpoints; with them, the last beat of a block the reads jump to, or of one just before).
    public static func maxCycles(accepted n: Int, config: VerifierConfig) -> Int {
        (0..<config.beatsPerRow).map { cycles(accepted: n, tokenBeat: $0, config: config) }.max()!
    }

    public static func predict(gammas: [Int], outcomes: [RoundOutcome], config: VerifierConfig) -> [RoundTiming] {
        var start = 0
        let b = config.beatsPerRow
        return zip(gammas, outcomes).map { g, o in
            let c = cycles(accepted: o.accepted, tokenBeat: o.token / config.lanes, config: config)
            let t = RoundTiming(firstBeat: start, result: start + c - 1, cycles: c)
            let taken = SamplingTiming.decisionLatency(lanes: config.lanes)   // beats that arrived during the decision
            start += c + max(0, (g - o.accepted) * b - taken) + 1
            return t
        }
    }
}
