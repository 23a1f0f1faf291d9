/// One sampling round as the hardware receives it.
public struct SamplingRound: Equatable, Sendable {
    /// γ (may exceed Γ: `bad_gamma`).
    public var gamma: Int
    /// x_0 … (at least min(γ, Γ) entries).
    public var draftTokens: [Int]
    /// Target rows 0 … γ back to back (row i at i·V); with γ > Γ only row 0 is read.
    public var targetCodes: [UInt32]
    /// Draft rows 0 … γ−1 back to back (empty in one-hot mode).
    public var draftCodes: [UInt32]
    /// U_0 … U_γ (at least min(γ, Γ)+1 entries).
    public var uniforms: [UInt32]
    /// One-hot drafts: no draft rows, d_i = δ(x_i).
    public var oneHot: Bool
    /// On-chip uniforms: `uniforms` are `SamplingUniformGenerator.uniforms(seed:round:count: Γ+1)` of this seed and
    /// `generatorRound` (the hardware's round counter: commands accepted since reset) and the command carries the
    /// seed; nil: the command carries `uniforms`.
    public var generatorSeed: UInt64?
    public var generatorRound: UInt32

    public init(gamma: Int, draftTokens: [Int], targetCodes: [UInt32], draftCodes: [UInt32], uniforms: [UInt32],
                oneHot: Bool = false) {
        self.gamma = gamma
        self.draftTokens = draftTokens
        self.targetCodes = targetCodes
        self.draftCodes = draftCodes
        self.uniforms = uniforms
        self.oneHot = oneHot
        self.generatorSeed = nil
        self.generatorRound = 0
    }

    /// A round whose uniforms come from the on-chip generator (seed, round counter); `gammaMax` = Γ.
    public init(gamma: Int, draftTokens: [Int], targetCodes: [UInt32], draftCodes: [UInt32], oneHot: Bool = false,
                generatorSeed seed: UInt64, generatorRound round: UInt32, gammaMax: Int) {
        self.init(gamma: gamma, draftTokens: draftTokens, targetCodes: targetCodes, draftCodes: draftCodes,
                  uniforms: SamplingUniformGenerator.uniforms(seed: seed, round: round, count: gammaMax + 1),
                  oneHot: oneHot)
        generatorSeed = seed
        generatorRound = round
    }
}

/// The sampling rule on codes, bit-exact with the RTL (docs/spec.md "Sampling rule"; the fixed-point scheme and its
/// error bound are in `SamplingFixedPoint`).
///
/// Decisions (docs/spec.md "Decisions"), shared with the RTL:
/// - the final token always uses U_γ (docs/spec.md), whatever n is; with γ > Γ (`bad_gamma`): n = 0 and the token is
///   sampled from t_0 with U_0, as a bonus row (no acceptance test).
/// - a draft token x ≥ V (or < 0) has e_t(x) = e_d(x) = 0, so it is rejected; `bad_draft` is raised from the
///   command for any i < min(γ, Γ), as in greedy mode.
/// - `nan_logit` and `degenerate_row` never rise (fixed point only); `residual_zero` when the weights sum to 0.
public enum SamplingVerifier {

    /// The rule with rows supplied on demand (`target(i)`, `draft(i)` are called only for the rows the hardware
    /// inspects, so callers may cache prepared rows).
    public static func decide(gamma: Int, draftTokens: [Int], uniforms: [UInt32], oneHot: Bool,
                              config: VerifierConfig,
                              target: (Int) -> SamplingFixedPoint.Row,
                              draft: (Int) -> SamplingFixedPoint.Row,
                              cache: SamplingWeightCache? = nil) -> RoundOutcome {
        precondition(gamma >= 0, "gamma must be non-negative")
        let v = config.vocab
        let checked = min(gamma, config.gammaMax)
        precondition(draftTokens.count >= checked, "round needs \(checked) draft tokens")
        precondition(uniforms.count > checked, "round needs \(checked + 1) uniforms")
        var flags: ResultFlags = []
        if draftTokens.prefix(checked).contains(where: { $0 < 0 || $0 >= v }) { flags.insert(.badDraft) }
        let badGamma = gamma > config.gammaMax
        if badGamma { flags.insert(.badGamma) }
        var n = 0
        var rejected = false
        var tRow = target(0)
        var dRow: SamplingFixedPoint.Row? = nil
        if !badGamma {
            while n < gamma {
                let x = draftTokens[n]
                let inVocab = x >= 0 && x < v
                let tx = inVocab ? tRow.probs[x] : 0
                let ok: Bool
                if oneHot {
                    ok = SamplingFixedPoint.acceptsOneHot(uniform: uniforms[n], tx: tx)
                } else {
                    let d = draft(n)
                    dRow = d
                    ok = SamplingFixedPoint.accepts(uniform: uniforms[n], tx: tx, dx: inVocab ? d.probs[x] : 0)
                }
                if !ok { rejected = true; break }
                n += 1
                tRow = target(n)
            }
        }
        let kind: SamplingWeights.Kind = !rejected ? .bonus : (oneHot ? .oneHot(draftTokens[n]) : .residual)
        let weights = cache?.weights(row: n, kind: kind, make: { SamplingWeights(kind, target: tRow, draft: dRow) })
            ?? SamplingWeights(kind, target: tRow, draft: dRow)
        if weights.residualZero { flags.insert(.residualZero) }
        let token = weights.sample(uniforms[badGamma ? 0 : gamma])
        var emitted = Array(draftTokens.prefix(n))
        emitted.append(token)
        return RoundOutcome(accepted: n, token: token, rollback: gamma - n, flags: flags, emitted: emitted)
    }

    /// Decides one round from its codes.
    public static func verify(_ round: SamplingRound, config: VerifierConfig) -> RoundOutcome {
        let v = config.vocab
        return round.targetCodes.withUnsafeBufferPointer { t in
            round.draftCodes.withUnsafeBufferPointer { d in
                decide(gamma: round.gamma, draftTokens: round.draftTokens, uniforms: round.uniforms,
                       oneHot: round.oneHot, config: config,
                       target: { i in
                           precondition((i + 1) * v <= t.count, "round needs target row \(i)")
                           return SamplingFixedPoint.row(UnsafeBufferPointer(rebasing: t[i * v..<(i + 1) * v]), config: config)
                       },
                       draft: { i in
                           precondition((i + 1) * v <= d.count, "round needs draft row \(i)")
                           return SamplingFixedPoint.row(UnsafeBufferPointer(rebasing: d[i * v..<(i + 1) * v]), config: config)
                       })
            }
        }
    }
}

/// The final weights of a round (steps 6–7 of `SamplingFixedPoint`) as prefix sums, ready for the inverse CDF.
public struct SamplingWeights: Sendable {
    public enum Kind: Hashable, Sendable {
        /// All accepted (or `bad_gamma`): w = p̂_t.
        case bonus
        /// Rejected with full draft rows: w_j = max(0, p̂_t(j) − p̂_d(j)).
        case residual
        /// Rejected with a one-hot draft x: w = p̂_t with x removed.
        case oneHot(Int)
    }

    /// Σ_{j≤k} w_j for every k.
    public let prefix: [UInt128]
    /// The weights summed to 0 and were replaced by e_t.
    public let residualZero: Bool

    public init(_ kind: Kind, target t: SamplingFixedPoint.Row, draft d: SamplingFixedPoint.Row?) {
        let v = t.probs.count
        var w: [UInt128]
        switch kind {
        case .bonus:
            w = t.probs.map { UInt128($0) }
        case let .oneHot(x):
            w = t.probs.map { UInt128($0) }
            if x >= 0 && x < v { w[x] = 0 }
        case .residual:
            let d = d!
            w = (0..<v).map { j in t.probs[j] > d.probs[j] ? UInt128(t.probs[j] - d.probs[j]) : 0 }
        }
        var zero = false
        if w.allSatisfy({ $0 == 0 }) {
            zero = true
            w = t.probs.map { UInt128($0) }
        }
        var p = w
        for k in 1..<max(1, v) { p[k] = p[k - 1] + w[k] }
        // Σw ≤ Σ p̂_t < 2^(E+1) = 2^expBits (README, "Pass B's lane comparison"): the RTL's pass B compares a
        // beat's lanes at more than expBits bits on this bound.
        precondition(p[v - 1] < UInt128(1) << UInt128(SamplingFixedPoint.expBits), "Σw = \(p[v - 1]) reaches 2^(E+1)")
        prefix = p
        residualZero = zero
    }

    /// Σ w (> 0).
    public var total: UInt128 { prefix[prefix.count - 1] }

    /// Step 7: the smallest k with 2^32·Σ_{j≤k} w_j > U·Σw (binary search on the non-decreasing prefix sums).
    public func sample(_ uniform: UInt32) -> Int {
        let threshold = UInt128(uniform) * total
        var lo = 0, hi = prefix.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if prefix[mid] << 32 > threshold { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }
}

/// Caches final weights per (row, kind) for callers that decide many rounds on the same rows (statistics).
public final class SamplingWeightCache {
    private var entries: [Int: [SamplingWeights.Kind: SamplingWeights]] = [:]
    public init() {}
    func weights(row: Int, kind: SamplingWeights.Kind, make: () -> SamplingWeights) -> SamplingWeights {
        if let w = entries[row]?[kind] { return w }
        let w = make()
        entries[row, default: [:]][kind] = w
        return w
    }
}

/// The counter-based uniform generator (on-chip option): U = H(seed, round, position), a 64-bit ARX block
/// function in the style of Speck64 (rotate 8 / add / xor / rotate 3; no multiplier, two 32-bit adders a
/// round), 12 rounds, keyed by the 64-bit seed with Speck's key schedule. Block = (round counter, position);
/// output = the right half. Not cryptographic; it passes the uniformity tests in `SamplingTests`.
public enum SamplingUniformGenerator {
    public static let rounds = 12

    @inline(__always) static func ror(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }
    @inline(__always) static func rol(_ x: UInt32, _ n: UInt32) -> UInt32 { (x << n) | (x >> (32 - n)) }

    public static func uniform(seed: UInt64, round: UInt32, position: Int) -> UInt32 {
        var x = round, y = UInt32(truncatingIfNeeded: position)
        var k = UInt32(truncatingIfNeeded: seed), l = UInt32(truncatingIfNeeded: seed >> 32)
        for i in 0..<rounds {
            x = (ror(x, 8) &+ y) ^ k
            y = rol(y, 3) ^ x
            l = (ror(l, 8) &+ k) ^ UInt32(i)
            k = rol(k, 3) ^ l
        }
        return y
    }

    /// U_0 … U_γ of one round.
    public static func uniforms(seed: UInt64, round: UInt32, count: Int) -> [UInt32] {
        (0..<count).map { uniform(seed: seed, round: round, position: $0) }
    }
}
