/// Elaboration-time parameters of one verifier instance (docs/spec.md "Parameters").
public struct VerifierConfig: Equatable, Hashable, Sendable {
    public static let vocabRange: ClosedRange<Int> = 2...262_144
    public static let gammaMaxRange: ClosedRange<Int> = 1...32
    public static let lanesRange: ClosedRange<Int> = 1...256

    /// V: logits per row.
    public let vocab: Int
    /// Γ: largest draft length per round.
    public let gammaMax: Int
    /// L: logits per beat.
    public let lanes: Int
    public let format: LogitFormat

    /// Validates every parameter; errors (kind `.config`) name the parameter as the command line spells it
    /// and the allowed range, e.g. `gamma-max 0 out of range 1…32`.
    public init(vocab: Int, gammaMax: Int, lanes: Int, format: LogitFormat) throws {
        func check(_ name: String, _ value: Int, _ range: ClosedRange<Int>) throws {
            guard range.contains(value) else {
                throw GoldenError(.config, "\(name) \(value) out of range \(range.lowerBound)…\(range.upperBound)")
            }
        }
        try check("vocab", vocab, Self.vocabRange)
        try check("gamma-max", gammaMax, Self.gammaMaxRange)
        try check("lanes", lanes, Self.lanesRange)
        if let why = format.invalidReason {
            throw GoldenError(.config, "format '\(format)' invalid: \(why) (forms: \(LogitFormat.acceptedForms))")
        }
        self.vocab = vocab
        self.gammaMax = gammaMax
        self.lanes = lanes
        self.format = format
    }

    /// B = ceil(V / L): beats per row.
    public var beatsPerRow: Int { (vocab + lanes - 1) / lanes }

    /// Lanes of the last beat of a row that carry a token (1 … L); the rest can never win.
    public var lanesInLastBeat: Int { vocab - (beatsPerRow - 1) * lanes }

    /// Bits to hold a token 0 … V−1: max(1, ceil(log2 V)).
    public var tokenBits: Int { bitsToHold(vocab - 1) }

    /// Bits to hold γ in 0 … Γ: max(1, ceil(log2(Γ+1))).
    public var gammaBits: Int { bitsToHold(gammaMax) }

    /// Bits to hold a lane index 0 … L−1: max(1, ceil(log2 L)) (1 for L = 1).
    public var laneIndexBits: Int { bitsToHold(lanes - 1) }

    /// Bits to hold a beat index 0 … B−1 (at least 1).
    public var beatIndexBits: Int { bitsToHold(beatsPerRow - 1) }

    /// Bits per logit (= `format.bits`).
    public var logitBits: Int { format.bits }

    /// D, the greedy datapath's pipeline depth for this lane count (see `GreedyTiming.pipelineDepth`).
    public var pipelineDepth: Int { GreedyTiming.pipelineDepth(lanes: lanes) }
}
