import CoSim
import Golden


/// Builds rounds of logit codes for a configuration.
struct RoundFactory {
    let config: VerifierConfig
    var rng: SplitMix64

    init(_ config: VerifierConfig, seed: UInt64) {
        self.config = config
        rng = SplitMix64(seed: seed)
    }

    var format: LogitFormat { config.format }

    /// A code for the real value `x` (finite, ±inf) in this format.
    func code(_ x: Float) -> UInt32 { LogitConverter.code(for: x, format: format)! }

    /// A row of small random logits; values repeat often so ties occur.
    mutating func randomRow(spread: Int = 40) -> [UInt32] {
        (0..<config.vocab).map { _ in code(Float(rng.below(spread)) / 4 - 5) }
    }

    /// A random round: the first `accepted` draft tokens equal the rows' argmax, the next one differs
    /// (unless all γ are accepted).
    mutating func round(gamma: Int, accepted: Int) -> CoSimRound {
        var codes: [UInt32] = []
        var tokens: [Int] = []
        for i in 0...gamma {
            let row = randomRow()
            codes += row
            guard i < gamma else { break }
            let best = GreedyVerifier.argmax(row: row, format: format).index
            tokens.append(i < accepted ? best : (best + 1 + rng.below(config.vocab - 1)) % config.vocab)
        }
        return CoSimRound(gamma: gamma, draftTokens: tokens, codes: codes)
    }

    /// A round with rows given explicitly (γ+1 rows).
    static func explicit(gamma: Int, tokens: [Int], rows: [[UInt32]]) -> CoSimRound {
        precondition(rows.count == gamma + 1)
        return CoSimRound(gamma: gamma, draftTokens: tokens, codes: rows.flatMap { $0 })
    }

    mutating func randomRounds(_ count: Int) -> [CoSimRound] {
        (0..<count).map { _ in
            let gamma = rng.below(config.gammaMax + 1)
            return round(gamma: gamma, accepted: rng.below(gamma + 1))
        }
    }
}
