/// Latency constants of the greedy datapath.
public enum GreedyTiming {
    /// Registers outside the argmax tree on a row's way to the result: the two input stages (codes with their
    /// NaN / −0 bits, then keys), the running maximum (whose registers hold the finished row), the draft match, the
    /// decision, the output FIFOs' registered push.
    public static let stagesAroundTree = 6

    /// Register stages of the argmax tree: two per level (compare, then select), each level reducing groups of up
    /// to four lanes, at least one level: 2·max(1, ceil(ceil(log2 L) / 2)). L=1…4 → 2, 5…16 → 4, 17…64 → 6,
    /// 65…256 → 8.
    public static func argmaxStages(lanes: Int) -> Int {
        precondition(lanes >= 1, "lanes must be ≥ 1")
        return 2 * max(1, (ceilLog2(lanes) + 1) / 2)
    }

    /// D(L) = 2·max(1, ceil(ceil(log2 L) / 2)) + 6 clock cycles: L=1…4 → 8, 5…16 → 10, 17…64 → 12, 65…256 → 14.
    ///
    /// This is the hardware's DOCUMENTED latency (cycles from the handshake of a row's last logit beat to
    /// the result handshake, plus one) and MUST agree with the RTL: the co-simulation compares every round's
    /// measured cycle count with `CycleModel`, which uses this number. Change both together.
    public static func pipelineDepth(lanes: Int) -> Int {
        argmaxStages(lanes: lanes) + stagesAroundTree
    }
}

/// When one round's first logit beat and result are handshaken, by the cycle model.
public struct RoundTiming: Equatable, Hashable, Sendable {
    /// Clock of the handshake of the round's first target-logit beat (round 0's is clock 0).
    public var firstBeat: Int
    /// Clock of the round's result handshake.
    public var result: Int
    /// result − firstBeat + 1 (inclusive count).
    public var cycles: Int

    public init(firstBeat: Int, result: Int, cycles: Int) {
        self.firstBeat = firstBeat
        self.result = result
        self.cycles = cycles
    }
}

/// Cycle model of the greedy verifier with a producer that never stalls (commands queued ahead, one logit
/// beat per clock, result consumer always ready). docs/spec.md "Timing and cycle formulas".
///
/// Every round streams all γ+1 rows ((γ+1)·B beats, also for γ > Γ and for rows after the decision, which the
/// hardware drops at full speed), so round r starts at s_r = s_{r−1} + (γ_{r−1}+1)·B, s_0 = 0. Its result is
/// handshaken at s_r + (n_r+1)·B − 1 + D, so cycles_r = (n_r+1)·B + D.
public enum CycleModel {

    /// (γ+1)·B: beats a round occupies on the target-logit stream.
    public static func streamBeats(gamma: Int, config: VerifierConfig) -> Int {
        (gamma + 1) * config.beatsPerRow
    }

    /// (n+1)·B + D.
    public static func idealCycles(accepted n: Int, config: VerifierConfig) -> Int {
        (n + 1) * config.beatsPerRow + GreedyTiming.pipelineDepth(lanes: config.lanes)
    }

    /// (n_r+1)·B + D for every round.
    public static func idealCycles(accepted: [Int], config: VerifierConfig) -> [Int] {
        accepted.map { idealCycles(accepted: $0, config: config) }
    }

    /// Timing of a sequence of back-to-back rounds. `gammas[r]` is the command's γ (may exceed Γ),
    /// `accepted[r]` the round's n (0 for γ > Γ).
    public static func predict(gammas: [Int], accepted: [Int], config: VerifierConfig) -> [RoundTiming] {
        precondition(gammas.count == accepted.count, "predict needs one accepted count per gamma")
        let b = config.beatsPerRow
        let d = GreedyTiming.pipelineDepth(lanes: config.lanes)
        var start = 0
        var out: [RoundTiming] = []
        out.reserveCapacity(gammas.count)
        for (g, n) in zip(gammas, accepted) {
            precondition(g >= 0 && n >= 0 && n <= g, "round needs 0 ≤ n ≤ γ, got n=\(n), γ=\(g)")
            let result = start + (n + 1) * b - 1 + d
            out.append(RoundTiming(firstBeat: start, result: result, cycles: result - start + 1))
            start += (g + 1) * b
        }
        return out
    }

    /// Convenience: timing from the commands' γ and the golden outcomes.
    public static func predict(gammas: [Int], outcomes: [RoundOutcome], config: VerifierConfig) -> [RoundTiming] {
        predict(gammas: gammas, accepted: outcomes.map(\.accepted), config: config)
    }
}
