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
        let w = format.bits
        let signFlipped = concat(~code.msb, code.bits(w - 2, 0))
        guard format.isFloat else { return Lane(key: signFlipped, isNaN: .false) }
        let mantissaBits = format.mantissaBits
        let isNaN = code.bits(w - 2, mantissaBits).andReduce & code.bits(mantissaBits - 1, 0).orReduce
        let negativeInfinity = Value.literal(UInt64(format.negativeInfinityCode), width: w)
        let negativeZero = Value.literal(UInt64(format.negativeZeroCode), width: w)
        let cleaned = mux(isNaN, negativeInfinity,
                          mux(code === negativeZero, .literal(0, width: w), code))
        let key = mux(cleaned.msb, ~cleaned, concat(Value.true, cleaned.bits(w - 2, 0)))
        return Lane(key: key, isNaN: isNaN)
    }
}
