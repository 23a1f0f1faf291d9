import Golden

/// Golden model and RTL side by side on the same rounds.
public struct CoSimReport {
    public let golden: [RoundOutcome]
    public let hardware: [HardwareRound]
    /// Predicted timing for a producer that never stalls (compared only when there was no pressure).
    public let timings: [RoundTiming]
    public let goldenCommittedLength: UInt32
    public let hardwareCommittedLength: UInt32
    public let disagreement: Disagreement?
}

public enum CoSimulation {
    public static func golden(_ rounds: [CoSimRound], config: VerifierConfig) -> [RoundOutcome] {
        rounds.map { r in
            r.codes.withUnsafeBufferPointer {
                GreedyVerifier.verify(gamma: r.gamma, draftTokens: r.draftTokens, targetCodes: $0, config: config)
            }
        }
    }

    /// Runs both models and compares every output of every round (cycles too when `pressure` is none).
    /// `resetFirst: false` continues from the previous run (the committed length carries on).
    public static func run(_ rounds: [CoSimRound], on sim: VerifierSimulator, pressure: StreamPressure = .none,
                           resetFirst: Bool = true) throws -> CoSimReport {
        let config = sim.config
        let golden = golden(rounds, config: config)
        let timings = CycleModel.predict(gammas: rounds.map(\.gamma), outcomes: golden, config: config)
        if resetFirst { sim.goldenCounter = CommitCounter() }
        for g in golden { _ = sim.goldenCounter.advance(by: g) }
        let counter = sim.goldenCounter
        let hw = try sim.run(rounds, expectedTokens: golden.reduce(0) { $0 + $1.emitted.count }, pressure: pressure,
                             resetFirst: resetFirst)
        let disagreement = CoSimComparison.firstDisagreement(golden: golden, timings: pressure.isNone ? timings : nil,
                                                             hardware: hw.rounds, committed: hw.committedLength,
                                                             expectedCommitted: counter.length)
        return CoSimReport(golden: golden, hardware: hw.rounds, timings: timings,
                           goldenCommittedLength: counter.length, hardwareCommittedLength: hw.committedLength,
                           disagreement: disagreement)
    }
}
