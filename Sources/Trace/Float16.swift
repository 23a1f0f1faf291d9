/// Exact IEEE 754 binary16 → binary32 conversion by bit manipulation (no dependence on a platform `Float16`).
///
/// Every binary16 value is exactly representable in binary32. Signed zeros, subnormals and infinities map to the
/// same values; NaNs keep their sign and payload (the 10 significand bits become the top 10 of the 23), so a quiet
/// NaN stays quiet and a signalling NaN keeps its pattern.
@inlinable
public func float16BitsToFloat(_ bits: UInt16) -> Float {
    let sign = UInt32(bits & 0x8000) << 16
    let exponent = UInt32(bits >> 10) & 0x1F
    let mantissa = UInt32(bits & 0x03FF)
    if exponent == 0x1F {
        // ±inf (mantissa 0) or NaN (payload preserved).
        return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
    }
    if exponent == 0 {
        if mantissa == 0 { return Float(bitPattern: sign) }
        // Subnormal: mantissa · 2^-24, exact in binary32.
        let magnitude = Float(mantissa) * 0x1p-24
        return sign == 0 ? magnitude : -magnitude
    }
    // Normal: rebias the exponent from 15 to 127.
    return Float(bitPattern: sign | ((exponent + 112) << 23) | (mantissa << 13))
}

/// All 65 536 binary16 patterns decoded once; decoding a row is then one table load per element.
let float16Table: [Float] = {
    var table = [Float](repeating: 0, count: 1 << 16)
    for bits in 0..<(1 << 16) {
        table[bits] = float16BitsToFloat(UInt16(truncatingIfNeeded: bits))
    }
    return table
}()
