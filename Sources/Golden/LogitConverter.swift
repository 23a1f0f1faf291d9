/// Float logits → the codes the hardware sees, and codes → values for reports.
///
/// Rounding is round-to-nearest, ties to even, in every format. Float formats carry raw IEEE bits, so a NaN becomes
/// a NaN code of the format (the hardware flags it as `nan_logit`); only fixed point, which has no NaN, refuses it.
public enum LogitConverter {

    /// Encodes `values` in `format`. `arrayName` and `baseIndex` only serve the error message: in a fixed format a
    /// NaN at `values[i]` throws `"<arrayName>[<baseIndex + i>]: NaN logit cannot be converted to <format>"`.
    public static func encode(_ values: [Float], format: LogitFormat, arrayName: String,
                              baseIndex: Int = 0) throws -> [UInt32] {
        try values.withUnsafeBufferPointer {
            try encode($0, format: format, arrayName: arrayName, baseIndex: baseIndex)
        }
    }

    /// Same as the array form, from a buffer (e.g. a slice of a trace's flat `[R, G+1, V]` array).
    public static func encode(_ values: UnsafeBufferPointer<Float>, format: LogitFormat, arrayName: String,
                              baseIndex: Int = 0) throws -> [UInt32] {
        try format.validate()
        var out = [UInt32](repeating: 0, count: values.count)
        var nanAt: Int? = nil
        out.withUnsafeMutableBufferPointer { dst in
            switch format {
            case .fp32:
                for i in 0..<values.count { dst[i] = values[i].bitPattern }
            case .bf16:
                for i in 0..<values.count { dst[i] = bf16Bits(values[i]) }
            case .fp16:
                for i in 0..<values.count { dst[i] = fp16Bits(values[i]) }
            case let .fixed(w, f):
                let scale = Double(sign: .plus, exponent: f, significand: 1)
                let lo = -Double(sign: .plus, exponent: w - 1, significand: 1)
                let hi = Double(sign: .plus, exponent: w - 1, significand: 1) - 1
                let m = format.mask
                for i in 0..<values.count {
                    let x = values[i]
                    if x.isNaN { nanAt = i; return }
                    dst[i] = fixedBits(Double(x), scale: scale, lo: lo, hi: hi, mask: m)
                }
            }
        }
        if let i = nanAt {
            throw GoldenError(.conversion,
                              "\(arrayName)[\(baseIndex + i)]: NaN logit cannot be converted to \(format)")
        }
        return out
    }

    /// One value; nil for NaN in a fixed format (the only value that cannot be converted). `format` must be valid.
    public static func code(for value: Float, format: LogitFormat) -> UInt32? {
        if value.isNaN, !format.isFloat { return nil }
        switch format {
        case .fp32: return value.bitPattern
        case .bf16: return bf16Bits(value)
        case .fp16: return fp16Bits(value)
        case let .fixed(w, f):
            return fixedBits(Double(value),
                             scale: Double(sign: .plus, exponent: f, significand: 1),
                             lo: -Double(sign: .plus, exponent: w - 1, significand: 1),
                             hi: Double(sign: .plus, exponent: w - 1, significand: 1) - 1,
                             mask: format.mask)
        }
    }

    // MARK: Per-format kernels

    /// fixed<W,F>: round half to even of x·2^F (exact in Double), saturate to [lo, hi]; ±inf saturate too.
    @inline(__always)
    static func fixedBits(_ x: Double, scale: Double, lo: Double, hi: Double, mask: UInt32) -> UInt32 {
        var v = (x * scale).rounded(.toNearestOrEven)
        if v < lo { v = lo } else if v > hi { v = hi }
        return UInt32(truncatingIfNeeded: Int64(v)) & mask
    }

    /// bfloat16: round-to-nearest-even of the binary32 bits to their top 16 bits. The largest finite floats
    /// round up to ±inf (correct RNE: they lie at or above the midpoint to 2^128). NaN keeps its sign and top
    /// payload bits and is made quiet (so it stays a NaN after truncation).
    @inline(__always)
    static func bf16Bits(_ x: Float) -> UInt32 {
        let b = x.bitPattern
        if x.isNaN { return (b >> 16) | 0x0040 }
        let lsb = (b >> 16) & 1
        return (b &+ 0x7FFF &+ lsb) >> 16
    }

    /// binary16, round-to-nearest-even from binary32 (computed exactly in Double). |x| ≥ 65520 → ±inf
    /// (65520 is the midpoint between 65504 and 2^16 and ties to the even neighbour, 2^16 = inf);
    /// subnormals and underflow to ±0 included. NaN keeps its sign and top payload bits and is made quiet, so a
    /// binary16 NaN read from a float16 trace comes back with its original bits.
    @inline(__always)
    static func fp16Bits(_ x: Float) -> UInt32 {
        let sign: UInt32 = x.sign == .minus ? 0x8000 : 0
        if x.isNaN { return sign | 0x7E00 | ((x.bitPattern >> 13) & 0x3FF) }
        let a = Double(x.magnitude)
        if a >= 65520 { return sign | 0x7C00 }          // includes +inf
        if a < 0x1p-14 {
            // Subnormal range: units of 2^-24; m = 1024 is the smallest normal (0x0400), which is the right code.
            let m = (a * 0x1p24).rounded(.toNearestOrEven)
            return sign | UInt32(m)
        }
        let e = Int(x.exponent)                          // −14 … 15 here (x is a normal binary32)
        let m = (a * Double(sign: .plus, exponent: 10 - e, significand: 1)).rounded(.toNearestOrEven)
        // m in 1024 … 2048; m = 2048 carries into the exponent, which this sum does by itself.
        return sign | (UInt32(e + 14) << 10 &+ UInt32(m))
    }

    // MARK: Decoding

    /// The value of a code (NaN codes → `Double.nan`, infinities → ±inf), for reports.
    public static func decode(code: UInt32, format: LogitFormat) -> Double {
        let c = code & format.mask
        switch format {
        case let .fixed(w, f):
            let shift = UInt32(32 - w)
            let v = Int32(bitPattern: c << shift) >> shift
            return Double(v) * Double(sign: .plus, exponent: -f, significand: 1)
        case .fp32:
            return Double(Float(bitPattern: c))
        case .bf16:
            return Double(Float(bitPattern: c << 16))
        case .fp16:
            let negative = (c & 0x8000) != 0
            let e = Int((c >> 10) & 0x1F)
            let m = Double(c & 0x3FF)
            let mag: Double
            if e == 0 {
                mag = m * 0x1p-24
            } else if e == 31 {
                if m != 0 { return .nan }
                mag = .infinity
            } else {
                mag = (1024 + m) * Double(sign: .plus, exponent: e - 25, significand: 1)
            }
            return negative ? -mag : mag
        }
    }
}
