/// How one logit is encoded on the wire (docs/spec.md "Parameters").
///
/// Codes are always carried in the low `bits` bits of a `UInt32`; higher bits are ignored by every
/// function here (they are masked off), exactly as the hardware only sees `bits` wires per lane.
public enum LogitFormat: Equatable, Hashable, Sendable, CustomStringConvertible {
    /// Two's complement, `width` bits in total, `fraction` of them after the binary point.
    case fixed(width: Int, fraction: Int)
    /// IEEE 754 binary16.
    case fp16
    /// bfloat16: the top 16 bits of an IEEE binary32.
    case bf16
    /// IEEE 754 binary32.
    case fp32

    /// Accepted range of `W` in `fixedW.F`.
    public static let fixedWidthRange: ClosedRange<Int> = 8...32

    /// The accepted textual forms, for error messages and help text.
    public static let acceptedForms = "fixedW.F, fp16, bf16, fp32"

    /// Parses `fixed16.8` (fixed<W=16,F=8>, W in 8…32, F in 0…W), `fp16`, `bf16`, `fp32`.
    /// Case and surrounding white space are ignored. Anything else throws a `GoldenError` (kind `.format`)
    /// whose message quotes the text, says what is wrong and lists the accepted forms and ranges.
    public init(parsing text: String) throws {
        let t = text.trimmingWhitespace().lowercased()
        func fail(_ why: String) -> GoldenError {
            GoldenError(.format, "invalid format '\(text)': \(why) (forms: \(LogitFormat.acceptedForms))")
        }
        switch t {
        case "fp16": self = .fp16; return
        case "bf16": self = .bf16; return
        case "fp32": self = .fp32; return
        default: break
        }
        guard t.hasPrefix("fixed") else {
            throw fail("unknown format; expected fixedW.F with W in 8…32 and F in 0…W, or fp16, bf16, fp32")
        }
        let rest = t.dropFirst("fixed".count)
        let parts = rest.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty,
              parts[0].allSatisfy({ $0.isASCII && $0.isNumber }), parts[1].allSatisfy({ $0.isASCII && $0.isNumber })
        else {
            throw fail("expected fixedW.F with integers W in 8…32 and F in 0…W, e.g. fixed16.8")
        }
        // Digit strings that overflow Int are certainly out of range.
        let w = Int(parts[0]) ?? Int.max
        let f = Int(parts[1]) ?? Int.max
        let format = LogitFormat.fixed(width: w, fraction: f)
        if let why = format.invalidReason { throw fail(why) }
        self = format
    }

    /// Why this value is not a supported format (only `.fixed` built with out-of-range numbers), or nil.
    public var invalidReason: String? {
        guard case let .fixed(w, f) = self else { return nil }
        if !LogitFormat.fixedWidthRange.contains(w) { return "fixed width must be 8…32" }
        if !(0...w).contains(f) { return "fixed fraction must be 0…W (0…\(w) for width \(w))" }
        return nil
    }

    /// Throws a `.format` error if `invalidReason` is non-nil.
    public func validate() throws {
        if let why = invalidReason {
            throw GoldenError(.format, "invalid format '\(self)': \(why) (forms: \(LogitFormat.acceptedForms))")
        }
    }

    /// Canonical text: `fixed16.8`, `fp16`, `bf16`, `fp32` (parses back to the same value).
    public var description: String {
        switch self {
        case let .fixed(w, f): return "fixed\(w).\(f)"
        case .fp16: return "fp16"
        case .bf16: return "bf16"
        case .fp32: return "fp32"
        }
    }

    /// Identifier-safe tag for module names: `fx16p8`, `fp16`, `bf16`, `fp32`.
    public var moduleTag: String {
        switch self {
        case let .fixed(w, f): return "fx\(w)p\(f)"
        case .fp16: return "fp16"
        case .bf16: return "bf16"
        case .fp32: return "fp32"
        }
    }

    /// Bits per logit on the wire (and in the comparison key): W / 16 / 16 / 32.
    public var bits: Int {
        switch self {
        case let .fixed(w, _): return w
        case .fp16, .bf16: return 16
        case .fp32: return 32
        }
    }

    public var isFloat: Bool {
        if case .fixed = self { return false }
        return true
    }

    /// Low `bits` bits set.
    public var mask: UInt32 { bits >= 32 ? UInt32.max : (UInt32(1) << UInt32(bits)) &- 1 }

    /// The top bit of a code (the sign bit for every format).
    public var signBit: UInt32 { UInt32(1) << UInt32(bits - 1) }

    /// Exponent bits of a float format (IEEE 754 binary16 5, bfloat16 8, binary32 8); 0 for fixed.
    public var exponentBits: Int {
        switch self {
        case .fixed: return 0
        case .fp16: return 5
        case .bf16, .fp32: return 8
        }
    }

    /// Mantissa (fraction) bits of a float format: the bits below the exponent; 0 for fixed.
    public var mantissaBits: Int { isFloat ? bits - 1 - exponentBits : 0 }

    /// Exponent-field-all-ones pattern without sign (the +inf code), floats only; 0 for fixed.
    public var exponentMask: UInt32 { ((UInt32(1) << UInt32(exponentBits)) - 1) << UInt32(mantissaBits) }

    // MARK: Special codes

    /// −inf for floats; the most negative code (−2^(W−1), i.e. only the top bit set) for fixed.
    public var negativeInfinityCode: UInt32 {
        isFloat ? (signBit | exponentMask) : signBit
    }

    /// +inf for floats; the most positive code (2^(W−1) − 1) for fixed.
    public var positiveInfinityCode: UInt32 {
        isFloat ? exponentMask : signBit &- 1
    }

    /// The canonical quiet NaN (positive, top mantissa bit set) for floats; nil for fixed (no NaN exists).
    public var quietNaNCode: UInt32? {
        switch self {
        case .fixed: return nil
        case .fp16: return 0x7E00
        case .bf16: return 0x7FC0
        case .fp32: return 0x7FC0_0000
        }
    }

    /// −0 (only the sign bit) for floats; 0 for fixed (two's complement has a single zero).
    public var negativeZeroCode: UInt32 {
        isFloat ? signBit : 0
    }

    // MARK: Classification and the comparison key

    /// True for a float code whose exponent is all ones and mantissa non-zero (either sign). Always false for fixed.
    @inline(__always)
    public func isNaN(_ code: UInt32) -> Bool {
        isFloat && (code & mask & ~signBit) > exponentMask
    }

    /// The unsigned, order-preserving key the hardware compares (argmax = largest key, ties → lowest index).
    /// - fixed: offset binary, `code ^ (1 << (W−1))` in W bits.
    /// - floats: NaN is replaced by −inf, −0 by +0, then negative codes are complemented and positive codes get
    ///   their sign bit set. So −0 and +0 share a key, every NaN has −inf's key, and −inf has the smallest key.
    @inline(__always)
    public func key(_ code: UInt32) -> UInt32 {
        let m = mask, s = signBit
        var c = code & m
        if !isFloat { return (c ^ s) & m }
        if (c & ~s) > exponentMask { c = s | exponentMask }   // NaN → −inf
        if c == s { c = 0 }                                     // −0 → +0
        return (c & s) != 0 ? (~c & m) : (c | s)
    }

    /// `key(negativeInfinityCode)`: the smallest key; a float row whose maximum key equals it is degenerate.
    public var negativeInfinityKey: UInt32 { key(negativeInfinityCode) }
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let c = s.first, c.isWhitespace { s.removeFirst() }
        while let c = s.last, c.isWhitespace { s.removeLast() }
        return String(s)
    }
}
