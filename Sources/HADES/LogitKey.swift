import Golden
import HDL

/// Hardware for `LogitFormat.key`: maps a logit code to an unsigned key whose order is the logits' order.
/// Floats: NaN counts as −inf, −0 as +0; fixed point: two's complement to offset binary.
enum LogitKey {
    struct Lane {
        let key: Value
        let isNaN: Value
    }

    static func build(_ code: Value, format: LogitFormat) -> Lane {
        let special = detect(code, format: format)
        return Lane(key: key(code, special, format: format), isNaN: special.isNaN)
    }

    /// NaN and −0 as terms that a pipeline can register before `combine` finishes them, so neither flag is a long
    /// chain in one stage. Up to 16 bits each is the flag itself (one bit). fp32: NaN = [exponent all ones,
    /// mantissa bits 22…12 not all zero, bits 11…0 not all zero] and −0 = [negative and bits 30…16 zero, bits
    /// 15…0 zero], each a two-level LUT tree (one 31-bit chain per flag was the critical path of fp32, 198 MHz).
    struct SpecialTerms {
        let nan, negativeZero: Value
    }

    static func detectTerms(_ code: Value, format: LogitFormat) -> SpecialTerms {
        guard format.isFloat else { return SpecialTerms(nan: .false, negativeZero: .false) }
        let w = format.bits, mantissaBits = format.mantissaBits
        guard w > 16 else {
            return SpecialTerms(nan: code.bits(w - 2, mantissaBits).andReduce & code.bits(mantissaBits - 1, 0).orReduce,
                                negativeZero: code === Int(format.negativeZeroCode))
        }
        let half = w / 2, mantissaHalf = (mantissaBits + 1) / 2
        return SpecialTerms(
            nan: concat(code.bits(w - 2, mantissaBits).andReduce, code.bits(mantissaBits - 1, mantissaHalf).orReduce,
                        code.bits(mantissaHalf - 1, 0).orReduce),
            negativeZero: concat(code.msb & !code.bits(w - 2, half).orReduce, !code.bits(half - 1, 0).orReduce))
    }

    /// The flags from `detectTerms` (one LUT each).
    static func combine(_ terms: SpecialTerms) -> (isNaN: Value, isNegativeZero: Value) {
        guard terms.nan.width > 1 else { return (terms.nan, terms.negativeZero) }
        return (terms.nan[2] & (terms.nan[1] | terms.nan[0]), terms.negativeZero.andReduce)
    }

    /// The codes that need a fix-up: NaN and −0 (both false for fixed point).
    static func detect(_ code: Value, format: LogitFormat) -> (isNaN: Value, isNegativeZero: Value) {
        combine(detectTerms(code, format: format))
    }

    /// The key from the code and its `detect` bits, one LUT per bit: NaN → the key of −inf; −0 → the key of +0
    /// (only the top bit set); otherwise the code to offset binary (floats: a negative code's bits inverted, a
    /// positive code's top bit set; fixed point: the sign bit inverted).
    static func key(_ code: Value, _ special: (isNaN: Value, isNegativeZero: Value), format: LogitFormat) -> Value {
        let w = format.bits
        let signFlipped = concat(~code.msb, code.bits(w - 2, 0))
        guard format.isFloat else { return signFlipped }
        let negativeInfinityKey = UInt64(format.negativeInfinityKey)
        let sign = code.msb
        let bits = (0..<w).map { i -> Value in
            let ordinary = i == w - 1 ? !sign : sign ^ code[i]
            let fixed: Value = (negativeInfinityKey >> UInt64(i)) & 1 == 1 ? .true : .false
            return mux(special.isNaN, fixed,
                       i == w - 1 ? ordinary | special.isNegativeZero : ordinary & !special.isNegativeZero)
        }
        return concat(bits.reversed())
    }
}
