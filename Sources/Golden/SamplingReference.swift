import Foundation

/// The sampling rule (docs/spec.md "Sampling rule", Algorithm 1 of Leviathan et al. / Chen et al.) evaluated in
/// float64: the **reference** the fixed-point hardware is measured against.
///
/// - accept x_i iff u_i · d_i(x_i) < t_i(x_i), u = U/2^32 (strict); stop at the first rejection n.
/// - final token from weights r with S = Σ r, using u_γ: the smallest k with Σ_{j≤k} r_j > u_γ·S.
///   Rejected at n: r = max(0, t_n − d_n); all accepted: r = t_γ. S = 0: sample t_n and raise `residual_zero`.
/// - one-hot drafts: d_i = δ(x_i): accept iff u_i < t_i(x_i); the residual is t_n with x_n removed.
/// - a draft token outside 0 … V−1 has t(x) = d(x) = 0 and is rejected (and the round raises `bad_draft`).
/// - γ > Γ is a hardware limit the reference does not have (see `SamplingVerifier` for `bad_gamma`).
public enum SamplingReference {

    /// softmax in float64 (max subtracted first). −inf entries get probability 0; a row must have a finite max.
    public static func softmax(_ logits: [Double]) -> [Double] {
        let m = logits.max() ?? 0
        var p = logits.map { $0 == -.infinity ? 0 : exp($0 - m) }
        let s = p.reduce(0, +)
        for i in p.indices { p[i] /= s }
        return p
    }

    /// What the reference decides, plus how far every decision was from its boundary.
    public struct Decision: Equatable, Sendable {
        public var accepted: Int
        public var token: Int
        public var residualZero: Bool
        /// |t_i(x_i) − u_i·d_i(x_i)| (one-hot: |t_i(x_i) − u_i|) for every tested position i = 0 … min(n, γ−1).
        public var acceptMargins: [Double]
        /// Distance, in units of u, from u_γ to the nearer CDF boundary of the chosen token:
        /// min(u − C(k−1), C(k) − u) with C the normalised cumulative weights.
        public var finalMargin: Double
        /// Σ r of the final weights as a probability mass (1 for the bonus, the total-variation distance
        /// Σ max(0, t − d) for a residual, 1 − t(x) for a one-hot residual).
        public var finalMass: Double
    }

    /// Decides one round on probability rows (each row sums to 1). `targetProbs` has γ+1 rows, `draftProbs` γ rows
    /// (ignored with `oneHot`), `uniforms` at least γ+1 values.
    public static func decide(targetProbs: [[Double]], draftProbs: [[Double]], draftTokens: [Int],
                              uniforms: [UInt32], gamma: Int, oneHot: Bool = false) -> Decision {
        precondition(targetProbs.count > gamma && uniforms.count > gamma && draftTokens.count >= gamma)
        precondition(oneHot || draftProbs.count >= gamma)
        func u(_ i: Int) -> Double { Double(uniforms[i]) / 4_294_967_296.0 }
        var margins: [Double] = []
        var n = 0
        while n < gamma {
            let t = targetProbs[n], x = draftTokens[n]
            let inVocab = x >= 0 && x < t.count
            let tx = inVocab ? t[x] : 0
            let dx = oneHot ? 1 : (inVocab ? draftProbs[n][x] : 0)
            margins.append(abs(tx - u(n) * dx))
            if u(n) * dx < tx { n += 1 } else { break }
        }
        let t = targetProbs[n]
        var weights: [Double]
        if n == gamma {
            weights = t
        } else if oneHot {
            weights = t
            let x = draftTokens[n]
            if x >= 0 && x < t.count { weights[x] = 0 }
        } else {
            weights = zip(t, draftProbs[n]).map { max(0, $0 - $1) }
        }
        var s = weights.reduce(0, +)
        var residualZero = false
        if s == 0 {
            weights = t
            s = t.reduce(0, +)
            residualZero = true
        }
        let uf = u(gamma)
        let threshold = uf * s
        var prefix = 0.0
        var token = weights.count - 1
        var before = 0.0
        for (k, w) in weights.enumerated() {
            before = prefix
            prefix += w
            if prefix > threshold { token = k; break }
        }
        let margin = min(uf - before / s, prefix / s - uf)
        return Decision(accepted: n, token: token, residualZero: residualZero, acceptMargins: margins,
                        finalMargin: margin, finalMass: residualZero ? 0 : weights.reduce(0, +))
    }

    /// Same on logit rows (softmax taken in float64).
    public static func decide(targetLogits: [[Double]], draftLogits: [[Double]], draftTokens: [Int],
                              uniforms: [UInt32], gamma: Int, oneHot: Bool = false) -> Decision {
        decide(targetProbs: targetLogits.prefix(gamma + 1).map(softmax),
               draftProbs: oneHot ? [] : draftLogits.prefix(gamma).map(softmax),
               draftTokens: draftTokens, uniforms: uniforms, gamma: gamma, oneHot: oneHot)
    }
}
