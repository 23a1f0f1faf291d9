import HDL

/// x·K for a constant K > 0 as shifts and adds of x in canonical signed digits (no multiplier, no DSP):
/// K = Σ d_i·2^i with d_i ∈ {−1, 0, +1} and no two adjacent digits non-zero, summed in a balanced tree.
/// Bit-exact with the full product; the result is signed, `x.width + bits(K) + 1` bits.
enum ConstantProduct {
    /// The non-zero digits of K, lowest first: (position, ±1).
    static func digits(_ k: Int64) -> [(Int, Int64)] {
        precondition(k > 0, "constant product needs K > 0")
        var n = k, i = 0, out: [(Int, Int64)] = []
        while n != 0 {
            if n & 1 == 1 {
                let d: Int64 = 2 - (n & 3)   // +1 when n ≡ 1 (mod 4), −1 when n ≡ 3
                out.append((i, d))
                n -= d
            }
            n >>= 1
            i += 1
        }
        return out
    }

    static func times(_ x: Value, _ k: Int64) -> Value {
        let width = x.width + (64 - k.leadingZeroBitCount) + 1
        let wide = x.asSigned.signExtended(to: width)
        var terms: [(Value, Bool)] = digits(k).map { i, d in
            (i == 0 ? wide : wide.bits(width - 1 - i, 0).shiftedLeft(i).asSigned, d < 0)
        }
        while terms.count > 1 {
            var next: [(Value, Bool)] = []
            for p in stride(from: 0, to: terms.count, by: 2) {
                guard p + 1 < terms.count else { next.append(terms[p]); continue }
                let (a, na) = terms[p], (b, nb) = terms[p + 1]
                switch (na, nb) {
                case (false, false): next.append((a &+ b, false))
                case (false, true): next.append((a &- b, false))
                case (true, false): next.append((b &- a, false))
                case (true, true): next.append((a &+ b, true))
                }
            }
            terms = next
        }
        let (v, negative) = terms[0]
        return negative ? .signedLiteral(0, width: width) &- v : v
    }
}
