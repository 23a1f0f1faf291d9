import Foundation

/// The fixed-point softmax of the sampling datapath, bit-exact with the RTL (`SamplingVerifierRTL`).
///
/// Sampling mode takes `fixed<W,F>` logits only (float traces reach it through `LogitConverter`, which rounds
/// half to even and saturates, ±inf to the extreme codes; there is no NaN in fixed point, so `nan_logit` never
/// rises in sampling mode). All quantities are integers; "units" are 2^−E of the row's reference scale.
///
/// 1. **Base-2 logit.** For a code c (signed, W bits, value c/2^F):
///        y = floor(c · K / 2^(F+16−R)),   K = round(log2(e) · 2^16) = 94 548,   R = 7
///    y is l·log2(e) in units of 2^−R (arithmetic shift right: floor). |c·K| < 2^(W+16), y has W−F+R+1 bits.
/// 2. **Table exp.** Relative to an integer reference ρ ≥ max y / 2^R: δ = ρ·2^R − y ≥ 0, s = δ >> R,
///    f = δ mod 2^R, and
///        e = EXP[f] >> s   (0 when s > E),   EXP[f] = round(2^E · 2^(−f/2^R)),  E = 28
///    so e ≈ 2^E · 2^(y/2^R − ρ) ∈ [0, 2^E] (E+1 bits); the shift truncates.
/// 3. **Online max per row, one beat (L lanes) at a time.** A beat's reference is ρ_b = ceil(max over its
///    valid lanes of y / 2^R); its lanes give e relative to ρ_b and their sum Σ_b. The row keeps three (ρ_p, S_p),
///    p = the beat's index mod 3 (so the RTL's S_p → S_p loop has three clocks): p's first beat (ρ_b, Σ_b); then
///    ρ' = max(ρ_p, ρ_b), S_p' = (S_p >> (ρ' − ρ_p)) + (Σ_b >> (ρ' − ρ_b)), both shifts truncating (0 once the
///    shift reaches the width). At the row's end ρ = max_p ρ_p, S = Σ_p (S_p >> (ρ − ρ_p)) over the accumulators
///    the row's beats reached (min(B, 3)). S < V·2^E + 1 fits E + bits(V) bits.
///    The row's largest entry has δ < 2^R, so S ≥ e_max > 2^(E−1): S is never 0. The draft token's y(x) is
///    captured in its beat for step 5.
/// 4. **Normalised exponentials, no multiplier per entry.** Per row, ℓ ≈ 2^R·log2(S / 2^E) from the position k
///    of S's leading one and the M = 10 bits below it, i = (S >> (k − M)) mod 2^M:
///        ℓ = (k − E)·2^R + LOG[i],   LOG[i] = round(2^R · log2(1 + (i + ½)/2^M))   (S ≥ 2^(E−1), so k ≥ M)
///    and the row's normalised reference ν = ρ·2^R + ℓ (units of 2^−R). Then, recomputed from the stored codes,
///        p̂_j = EXP[δ mod 2^R] >> (δ >> R)  with δ = ν − y_j  (δ < 0 → EXP[0] = 2^E; 0 past a shift of E)
///    so p̂_j ≈ 2^E · p_j (E+1 bits), the same table and shifter as step 2 against a finer reference. δ < 0 does
///    not occur: S ≥ EXP[ρ·2^R − max y], and ℓ is 2^R·log2(S/2^E), moved by under 0.1 by LOG's index, rounded to
///    an integer, so ν ≥ max y (`testNormalisedReferenceIsAtLeastEveryY`); the RTL has no clamp.
/// 5. **Acceptance**: u·d(x) < t(x) becomes, with U the uint32 uniform,
///        U · p̂_d(x) < p̂_t(x) · 2^32          (one-hot: d(x) = 1, p̂_d(x) := 2^E)
///    exact integers (32 + E+1 bits); x ≥ V has p̂(x) = 0 and is rejected.
/// 6. **Final weights** (all accepted: w_j = p̂_t(j); rejected, full rows: w_j = max(0, p̂_t(j) − p̂_d(j));
///    rejected, one-hot: w_j = p̂_t(j) for j ≠ x, 0 at x). S_w = Σ w_j (first pass over the stored row pair);
///    S_w = 0 → w = p̂_t, `residual_zero`.
/// 7. **Inverse CDF** (second pass): the smallest k with 2^32 · Σ_{j≤k} w_j > U_γ · S_w (exact integers), i.e.
///    Σ_{j≤k} w_j > floor(U_γ · S_w / 2^32). Since U < 2^32 and S_w > 0 such a k < V always exists.
///
/// **Error bound against the float64 reference** (`SamplingReference`, evaluated on the decoded codes):
/// let p_j be the exact softmax. Writing e*_j = 2^E·2^(y_j/2^R − ρ) (no table rounding, no truncation): the floor
/// in step 1 moves each exponent by less than 2^−R and K's rounding by at most 2^−17 per unit of logit, i.e. two
/// entries' exponents move apart by at most 2^−R + 2^(W−F)·2^−17 (logits span < 2^(W−F)), so p*_j = e*_j/Σe*
/// satisfies |p*_j − p_j| ≤ ε_a·p_j with ε_a = 2^(2^−R + 2^(W−F−17)) − 1 (0.00679 for R = 7, W−F ≤ 8; weak for
/// W−F > 12). K has 17 bits so that c·K is one 18 × 18 DSP product. Table rounding (≤ ½) and the shift's floor (< 1) give |e_j − e*_j| ≤ 1.5 units; the row sum loses
/// in addition < 1 unit per beat in each of the two shifts of step 3 and < 1 in each of the merge's three, so
/// |S − Σe*| ≤ 1.5·V + 2·B + 3, while Σe* > 2^(E−1): S = Σe*·(1 ± σ), σ = (1.5·V + 2B + 3) / (2^(E−1) − 1.5V − 2B − 3). ℓ/2^R is log2(S/2^E) within
/// η = 2^−(R+1) + 2^−(M+1)·log2(e) (the rounding of ℓ, and LOG's index: log2 m moves by at most 2^−(M+1)·log2 e
/// inside a bucket of width 2^−M). So 2^E·2^(y_j/2^R − ν/2^R) = 2^E·p*_j·(Σe*/S)·2^(±η) = 2^E·p_j·(1 ± ε_n) with
///        ε_n = (1 + ε_a)·2^η / (1 − σ) − 1,
/// the clamp at δ < 0 only moves a value above 2^E ≥ 2^E·p_j towards it, and table rounding and the floor add
/// ≤ 1.5 units of 2^−E. Hence, per entry and in L1,
///        Δ  = ε_n + 1.5·2^−E            (|p̂_j/2^E − p_j| ≤ Δ)
///        λ  = ε_n + 1.5·V·2^−E          (Σ_j |p̂_j/2^E − p_j| ≤ λ)
/// (fixed16.8, V = 50 257, L = 16: Δ = 0.0106, λ = 0.0109.) Step 5 is exact, so the acceptance of x_i can differ
/// from the reference only when |t_i(x_i) − u_i·d_i(x_i)| ≤ Δ_t + Δ_d (one-hot: |t_i(x_i) − u_i| ≤ Δ_t). The final
/// token can differ only when u_γ lies within 2λ_w/(M − λ_w) of a boundary of the reference's normalised cumulative
/// weights, where M is the reference's weight mass (1 for the bonus, Σ max(0, t−d) for a residual, 1 − t(x)
/// one-hot) and λ_w = λ_t + λ_d (bonus, one-hot: λ_t); with M ≤ λ_w (t ≈ d) no bound is claimed, which is also
/// the only case where `residual_zero` can differ.
public enum SamplingFixedPoint {
    /// R: fraction bits of the base-2 logit y, and the table's address width.
    public static let fractionBits = 7
    /// E: the table's scale; exponentials are E+1-bit integers ≤ 2^E.
    public static let expScaleBits = 28
    /// Fraction bits of K.
    public static let log2eFractionBits = 16
    /// K = round(log2(e) · 2^16) (17 bits).
    public static let log2e: Int64 = 94_548

    /// EXP[f] = round(2^E · 2^(−f/2^R)), f = 0 … 2^R − 1.
    public static let expTable: [UInt64] = (0..<(1 << fractionBits)).map {
        UInt64((Double(1 << expScaleBits) * exp2(-Double($0) / Double(1 << fractionBits))).rounded())
    }

    /// M: mantissa bits of S below its leading one that index LOG.
    public static let logIndexBits = 10
    /// LOG[i] = round(2^R · log2(1 + (i + ½)/2^M)), i = 0 … 2^M − 1 (≤ 2^R).
    public static let logTable: [UInt64] = (0..<(1 << logIndexBits)).map {
        UInt64((Double(1 << fractionBits) * log2(1 + (Double($0) + 0.5) / Double(1 << logIndexBits))).rounded())
    }

    /// Bits of an exponential: E+1.
    public static var expBits: Int { expScaleBits + 1 }
    /// Bits of a row sum: E + bits(V).
    public static func sumBits(vocab: Int) -> Int { expScaleBits + bitsToHold(vocab) }
    /// Bits of y for fixed<W,F>: W − F + R + 1.
    public static func yBits(_ format: LogitFormat) -> Int {
        guard case let .fixed(w, f) = format else { preconditionFailure("sampling needs a fixed format") }
        return w - f + fractionBits + 1
    }
    /// Right shift from c·K to y: F + 24 − R.
    public static func yShift(_ format: LogitFormat) -> Int {
        guard case let .fixed(_, f) = format else { preconditionFailure("sampling needs a fixed format") }
        return f + log2eFractionBits - fractionBits
    }

    /// Step 1.
    @inline(__always)
    public static func y(_ code: UInt32, width w: Int, shift: Int) -> Int64 {
        let c = Int64(Int32(bitPattern: code << UInt32(32 - w)) >> Int32(32 - w))
        return (c * log2e) >> Int64(shift)
    }

    /// Step 2: e for δ ≥ 0.
    @inline(__always)
    public static func exp(delta: Int64) -> UInt64 {
        let s = delta >> Int64(fractionBits)
        if s > Int64(expScaleBits) { return 0 }
        return expTable[Int(delta & Int64((1 << fractionBits) - 1))] >> UInt64(s)
    }

    /// Shift right that gives 0 once the amount reaches 64.
    @inline(__always)
    static func shr(_ v: UInt64, _ n: Int64) -> UInt64 { n >= 64 ? 0 : v >> UInt64(n) }

    /// Step 4: ℓ = (k − E)·2^R + LOG[(S >> (k − M)) mod 2^M], k = the position of S's leading one (S ≥ 2^(E−1)).
    public static func logScale(sum: UInt64) -> Int64 {
        precondition(sum >= 1 << (expScaleBits - 1), "a row sum is at least 2^(E−1)")
        let k = 63 - sum.leadingZeroBitCount
        let i = Int((sum >> UInt64(k - logIndexBits)) & UInt64((1 << logIndexBits) - 1))
        return Int64(k - expScaleBits) * Int64(1 << fractionBits) + Int64(logTable[i])
    }

    /// Step 4: p̂ for δ = ν − y (clamped at 0).
    @inline(__always)
    public static func normalised(delta: Int64) -> UInt64 { exp(delta: max(0, delta)) }

    /// One row after the stream pass: its reference ρ, the online sum S, every e_j against ρ, the normalised
    /// reference ν = ρ·2^R + ℓ and every p̂_j against ν.
    public struct Row: Equatable, Sendable {
        public var reference: Int64
        public var sum: UInt64
        public var exps: [UInt64]
        public var normalisedReference: Int64
        public var probs: [UInt64]
    }

    /// Steps 1–3 on one row of V codes, beat by beat as the hardware does it (L lanes per beat).
    public static func row(_ codes: UnsafeBufferPointer<UInt32>, config: VerifierConfig) -> Row {
        guard case let .fixed(w, _) = config.format else { preconditionFailure("sampling needs a fixed format") }
        let v = config.vocab, lanes = config.lanes, shift = yShift(config.format)
        precondition(codes.count == v, "row has \(codes.count) codes, expected V = \(v)")
        var ys = [Int64](repeating: 0, count: v)
        for j in 0..<v { ys[j] = y(codes[j], width: w, shift: shift) }
        let r = Int64(fractionBits)
        // `accumulators` of them, beat b into b mod 3 (each (ρ_p, S_p) updates at most every third clock), merged.
        var rhos = [Int64](repeating: 0, count: accumulators), sums = [UInt64](repeating: 0, count: accumulators)
        var beat = 0
        while beat * lanes < v {
            let lo = beat * lanes, hi = min(v, lo + lanes)
            var my = ys[lo]
            for j in lo..<hi where ys[j] > my { my = ys[j] }
            let rb = (my + (1 << r) - 1) >> r
            var sb: UInt64 = 0
            for j in lo..<hi { sb += exp(delta: (rb << r) - ys[j]) }
            let p = beat % accumulators
            if beat < accumulators {
                rhos[p] = rb; sums[p] = sb
            } else {
                let rn = max(rhos[p], rb)
                sums[p] = shr(sums[p], rn - rhos[p]) + shr(sb, rn - rb)
                rhos[p] = rn
            }
            beat += 1
        }
        let (rho, sum) = merge(rhos: rhos, sums: sums, beats: beat)
        var exps = [UInt64](repeating: 0, count: v), probs = exps
        for j in 0..<v { exps[j] = exp(delta: (rho << r) - ys[j]) }
        let nu = (rho << r) + logScale(sum: sum)
        for j in 0..<v { probs[j] = normalised(delta: nu - ys[j]) }
        return Row(reference: rho, sum: sum, exps: exps, normalisedReference: nu, probs: probs)
    }

    /// Step 3's row accumulators: beat b goes into accumulator b mod 3, so that the hardware's S_p → S_p loop has
    /// three clocks (with two, the add and the next beat's shift shared one clock: the unit's critical path).
    public static let accumulators = 3

    /// Step 3's merge of the accumulators' (ρ_p, S_p) (those the row's beats reached): ρ = max, S = Σ_p S_p >> (ρ − ρ_p).
    static func merge(rhos: [Int64], sums: [UInt64], beats: Int) -> (rho: Int64, sum: UInt64) {
        let used = 0..<min(beats, accumulators)
        let rho = used.map { rhos[$0] }.max()!
        return (rho, used.reduce(0) { $0 + shr(sums[$1], rho - rhos[$1]) })
    }

    public static func row(_ codes: [UInt32], config: VerifierConfig) -> Row {
        codes.withUnsafeBufferPointer { row($0, config: config) }
    }

    /// Step 5 (full draft rows). `tx`, `dx`: p̂_t(x), p̂_d(x) (0 for x ≥ V).
    public static func accepts(uniform: UInt32, tx: UInt64, dx: UInt64) -> Bool {
        UInt128(uniform) * UInt128(dx) < UInt128(tx) << 32
    }

    /// Step 5 (one-hot drafts): p̂_d(x) = 2^E.
    public static func acceptsOneHot(uniform: UInt32, tx: UInt64) -> Bool {
        accepts(uniform: uniform, tx: tx, dx: 1 << UInt64(expScaleBits))
    }

    /// Step 7: the smallest k with 2^32·Σ_{j≤k} w_j > U·S (S = Σ w > 0).
    public static func inverseCDF(_ weights: [UInt128], total: UInt128, uniform: UInt32) -> Int {
        let threshold = UInt128(uniform) * total
        var prefix: UInt128 = 0
        for (k, w) in weights.enumerated() {
            prefix += w
            if prefix << 32 > threshold { return k }
        }
        preconditionFailure("inverse CDF ran past the row (total \(total))")
    }

    // MARK: the error bound

    /// ε_a = 2^(2^−R + 2^(W−F−17)) − 1 (K's rounding: 2^−(fraction bits of K + 1)).
    public static func quantisationError(_ format: LogitFormat) -> Double {
        guard case let .fixed(w, f) = format else { preconditionFailure("sampling needs a fixed format") }
        return exp2(exp2(-Double(fractionBits)) + exp2(Double(w - f - log2eFractionBits - 1))) - 1
    }

    /// ε_n = (1 + ε_a)·2^η / (1 − σ) − 1: the relative error of a normalised exponential before table rounding.
    public static func normalisationError(_ config: VerifierConfig) -> Double {
        let v = Double(config.vocab), b = Double(config.beatsPerRow)
        // Table rounding and floor per entry, two shifts per beat, one per accumulator in the merge.
        let loss = 1.5 * v + 2 * b + Double(accumulators)
        let sigma = loss / (exp2(Double(expScaleBits - 1)) - loss)
        let eta = exp2(-Double(fractionBits + 1)) + exp2(-Double(logIndexBits + 1)) * log2(M_E)
        return (1 + quantisationError(config.format)) * exp2(eta) / (1 - sigma) - 1
    }

    /// Δ: bound on |p̂_j/2^E − p_j| for any entry of one row.
    public static func entryBound(_ config: VerifierConfig) -> Double {
        normalisationError(config) + 1.5 * exp2(-Double(expScaleBits))
    }

    /// λ: bound on Σ_j |p̂_j/2^E − p_j| for one row.
    public static func l1Bound(_ config: VerifierConfig) -> Double {
        normalisationError(config) + 1.5 * Double(config.vocab) * exp2(-Double(expScaleBits))
    }

    /// How far from its boundary an acceptance decision may differ from the reference.
    public static func acceptanceBound(_ config: VerifierConfig, oneHot: Bool) -> Double {
        oneHot ? entryBound(config) : 2 * entryBound(config)
    }

    /// How far (in units of u) from a CDF boundary the final token may differ, given the reference mass M.
    public static func finalTokenBound(_ config: VerifierConfig, mass: Double, bonusOrOneHot: Bool) -> Double {
        let lw = (bonusOrOneHot ? 1 : 2) * l1Bound(config)
        return mass <= lw ? .infinity : 2 * lw / (mass - lw)
    }
}
