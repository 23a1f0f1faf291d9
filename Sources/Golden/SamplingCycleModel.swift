/// Cycle model of the sampling verifier (`SamplingVerifierRTL`) with a producer that never stalls and a ready
/// consumer, counted like greedy: from the handshake of a round's first target beat to its result handshake.
///
/// Row i (i ≤ n) streams its B beats; the row's softmax leaves the 5-stage pipeline and the decision takes one
/// more cycle, so every accepted row costs B + 6. The decisive row n (rejected, or the bonus row γ, or row 0 with
/// γ > Γ) then needs pass A (B reads + 6: memory read, 5 stages) and pass B (B + 6), the n+1 tokens are pushed one
/// a clock and the result is handshaken one clock after the last token is pushed:
///
///     cycles = (n+1)·B + 2B + 7n + 20        (ideal: (n+1)·B + 2B + D)
///
/// The rows after the decisive one are taken afterwards at one beat per clock; the next round's first beat
/// follows its command handshake by one clock.
public enum SamplingCycleModel {
    public static func cycles(accepted n: Int, config: VerifierConfig) -> Int {
        let b = config.beatsPerRow
        return (n + 1) * b + 2 * b + 7 * n + 20
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
