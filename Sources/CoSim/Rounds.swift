import Golden

/// One round as the hardware sees it: γ, the draft tokens and γ+1 target rows as logit codes (row i at i·V).
public struct CoSimRound {
    public var gamma: Int
    public var draftTokens: [Int]
    public var codes: [UInt32]

    public init(gamma: Int, draftTokens: [Int], codes: [UInt32]) {
        self.gamma = gamma
        self.draftTokens = draftTokens
        self.codes = codes
    }
}

/// What the RTL produced for one round.
public struct HardwareRound: Equatable {
    public var accepted: Int
    public var token: Int
    public var rollback: Int
    public var flags: ResultFlags
    public var emitted: [Int]
    /// Handshake of the round's first logit beat to its result handshake, both counted (docs/spec.md).
    public var cycles: Int
}

/// How the testbench perturbs the streams; results must not change, only cycles.
public struct StreamPressure {
    public var producerGap: Double
    public var consumerReady: Double
    public var seed: UInt64
    /// The command stream's gap probability where it differs from the logits' (`producerGap`): near 1, the unit
    /// finishes a round and waits idle before the next command arrives (with the logits' gaps the next command is
    /// nearly always waiting when a round ends).
    public var commandGap: Double?
    /// The result stream's ready probability where it differs from the tokens' (`consumerReady`): near 0, results
    /// back up over several rounds while the tokens flow, so a round's final push waits for the result queue's room.
    public var resultReady: Double?
    public static let none = StreamPressure(producerGap: 0, consumerReady: 1, seed: 1)
    public init(producerGap: Double, consumerReady: Double, seed: UInt64, commandGap: Double? = nil,
                resultReady: Double? = nil) {
        self.producerGap = producerGap
        self.consumerReady = consumerReady
        self.seed = seed
        self.commandGap = commandGap
        self.resultReady = resultReady
    }
    public var commandGapProbability: Double { commandGap ?? producerGap }
    public var resultReadyProbability: Double { resultReady ?? consumerReady }
    public var isNone: Bool {
        producerGap == 0 && commandGapProbability == 0 && consumerReady == 1 && resultReadyProbability == 1
    }
    /// How many times longer than without pressure a run may take (the run's cycle limit).
    var slowdown: Double {
        1 / max(0.02, (1 - max(producerGap, commandGapProbability)) * min(consumerReady, resultReadyProbability))
    }
}
