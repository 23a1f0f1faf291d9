/// Timing constants of the sampling verifier (`SamplingVerifierRTL`): the RTL's stages and the golden cycle model
/// both follow these numbers (the co-simulation compares every round's cycles).
public enum SamplingTiming {
    /// Register stages from a beat's handshake to the row accumulators: input, y, beat reference, exp, sum.
    public static let pipeline = 5
    /// Cycles an accepted row adds to the ideal B: the pipeline drains (5) and the decision takes one cycle.
    public static let rowGap = pipeline + 1
    /// Cycles a pass over the stored row pair adds to its B reads: the memory read, then the pipeline.
    public static let passGap = 1 + pipeline
    /// From the push of the round's last token to the result handshake.
    public static let resultDelay = 1

    /// The cycle formula's terms beyond the streaming and the two passes, (n+1)·B + 2B: the cycles each accepted
    /// row adds (its gap and its token push) and the cycles every round adds.
    public static let cyclesPerAcceptedRow = rowGap + 1
    public static let cyclesPerRound = rowGap + 2 * passGap + 1 + resultDelay
}

/// Cycle model of the sampling verifier (`SamplingVerifierRTL`) with a producer that never stalls and a ready
/// consumer, counted like greedy: from the handshake of a round's first target beat to its result handshake.
///
/// Row i (i ≤ n) streams its B beats; the row's softmax leaves the 5-stage pipeline and the decision takes one
/// more cycle, so every accepted row costs B + 6. The decisive row n (rejected, or the bonus row γ, or row 0 with
/// γ > Γ) then needs pass A (B reads + 6: memory read, 5 stages) and pass B (B + 6), the n+1 tokens are pushed one
/// a clock and the result is handshaken one clock after the last token is pushed:
///
///     cycles = (n+1)·(B + rowGap) + 2·(B + passGap) + (n+1) + resultDelay
///            = (n+1)·B + 2B + 7n + 20        (ideal: (n+1)·B + 2B + D)
///
/// The rows after the decisive one are taken afterwards at one beat per clock; the next round's first beat
/// follows its command handshake by one clock.
public enum SamplingCycleModel {
    public static func cycles(accepted n: Int, config: VerifierConfig) -> Int {
        let b = config.beatsPerRow, t = SamplingTiming.self
        return (n + 1) * b + 2 * b + t.cyclesPerAcceptedRow * n + t.cyclesPerRound
    }

    public static func predict(gammas: [Int], outcomes: [RoundOutcome], config: VerifierConfig) -> [RoundTiming] {
        var start = 0
        let b = config.beatsPerRow
        return zip(gammas, outcomes).map { g, o in
            let c = cycles(accepted: o.accepted, config: config)
            let t = RoundTiming(firstBeat: start, result: start + c - 1, cycles: c)
            start += c + (g - o.accepted) * b + 1
            return t
        }
    }
}
