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

    /// The codes that need a fix-up: NaN and −0 (both false for fixed point).
    static func detect(_ code: Value, format: LogitFormat) -> (isNaN: Value, isNegativeZero: Value) {
        guard format.isFloat else { return (.false, .false) }
        let w = format.bits, mantissaBits = format.mantissaBits
        guard w > 16 else {
            return (code.bits(w - 2, mantissaBits).andReduce & code.bits(mantissaBits - 1, 0).orReduce,
                    code === Int(format.negativeZeroCode))
        }
        // fp32: as carry chains (|x| > +inf's code; |x| > 0), not LUT trees of 31 inputs (four levels, the
        // critical path once the running maximum was fixed).
        let magnitude = code.bits(w - 2, 0)
        return (ArgmaxTree.greater(magnitude, .literal(UInt64(format.positiveInfinityCode), width: w - 1)),
                code.msb & !ArgmaxTree.greater(magnitude, .literal(0, width: w - 1)))
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
