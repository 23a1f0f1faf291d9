/// A hardware value: an expression of a known width and signedness. Signals, literals and the results of
/// operators are all values. Operators never fail at once: an ill-formed one yields a value that the checks
/// report, with the signal it feeds and where that signal was declared.
public struct Value {
    public let node: ExprNode
    public var width: Int { node.width }
    public var isSigned: Bool { node.signed }

    public init(_ node: ExprNode) { self.node = node }

    /// The signal this value names, if it is a plain reference to one (the only thing `<==` can drive).
    public var signal: Signal? {
        if case let .ref(s) = node.op { return s }
        return nil
    }

    /// An unsigned literal of `width` bits; a value that does not fit gives an ill-formed value.
    public static func literal(_ value: UInt64, width: Int) -> Value {
        guard width >= 1 else { return Value.invalid("literal of width \(width)") }
        if width < 64, value >> UInt64(width) != 0 {
            return Value.invalid("literal \(value) does not fit in \(width) bits")
        }
        return Value(ExprNode(.literal(value), width: width))
    }

    /// A signed literal of `width` bits in two's complement.
    public static func signedLiteral(_ value: Int64, width: Int) -> Value {
        guard width >= 1, width <= 64 else { return Value.invalid("signed literal of width \(width)") }
        let lo = width == 64 ? Int64.min : -(Int64(1) << (width - 1))
        let hi = width == 64 ? Int64.max : (Int64(1) << (width - 1)) - 1
        guard value >= lo, value <= hi else {
            return Value.invalid("signed literal \(value) does not fit in \(width) bits")
        }
        let bits = width == 64 ? UInt64(bitPattern: value) : UInt64(bitPattern: value) & ((1 << UInt64(width)) - 1)
        return Value(ExprNode(.literal(bits), width: width, signed: true))
    }

    public static let `true` = literal(1, width: 1)
    public static let `false` = literal(0, width: 1)

    // MARK: resizing (explicit: assignments never resize silently)

    /// Zero- or sign-extends (by signedness) or truncates to `width` bits.
    public func resized(to newWidth: Int) -> Value {
        if newWidth == width { return self }
        if newWidth < width { return truncated(to: newWidth) }
        return isSigned ? signExtended(to: newWidth) : zeroExtended(to: newWidth)
    }

    public func zeroExtended(to newWidth: Int) -> Value {
        if newWidth == width { return self }
        guard newWidth > width else { return Value.invalid("cannot zero-extend \(width) bits to \(newWidth)") }
        return Value(ExprNode(.zeroExtend(node), width: newWidth, signed: isSigned))
    }

    public func signExtended(to newWidth: Int) -> Value {
        if newWidth == width { return self }
        guard newWidth > width else { return Value.invalid("cannot sign-extend \(width) bits to \(newWidth)") }
        if let k = node.literalBits, newWidth <= 64 {  // fold, so the emitter never slices a literal
            let negative = (k >> UInt64(width - 1)) & 1 == 1
            let high: UInt64 = negative ? (~UInt64(0) << UInt64(width)) : 0
            let mask: UInt64 = newWidth == 64 ? ~0 : (1 << UInt64(newWidth)) - 1
            return Value(ExprNode(.literal((k | high) & mask), width: newWidth, signed: isSigned))
        }
        return Value(ExprNode(.signExtend(node), width: newWidth, signed: isSigned))
    }

    /// Keeps the low `newWidth` bits, keeping the signedness.
    public func truncated(to newWidth: Int) -> Value {
        if newWidth == width { return self }
        guard newWidth >= 1, newWidth < width else {
            return Value.invalid("cannot truncate \(width) bits to \(newWidth)")
        }
        let s = bits(newWidth - 1, 0)
        return isSigned ? s.asSigned : s
    }

    public var asSigned: Value { isSigned ? self : Value(ExprNode(.reinterpret(node), width: width, signed: true)) }
    public var asUnsigned: Value { isSigned ? Value(ExprNode(.reinterpret(node), width: width, signed: false)) : self }

    // MARK: bit access

    /// Bits hi…lo (inclusive), unsigned.
    public func bits(_ hi: Int, _ lo: Int) -> Value {
        guard lo >= 0, hi >= lo, hi < width else {
            return Value.invalid("slice [\(hi):\(lo)] out of range for a \(width)-bit value")
        }
        if hi == width - 1, lo == 0 { return asUnsigned }
        if let k = node.literalBits {  // fold: Verilog cannot slice a literal
            let w = hi - lo + 1
            return .literal(w >= 64 ? k >> UInt64(lo) : (k >> UInt64(lo)) & ((1 << UInt64(w)) - 1), width: w)
        }
        return Value(ExprNode(.slice(node, hi: hi, lo: lo), width: hi - lo + 1))
    }

    public subscript(_ bit: Int) -> Value { bits(bit, bit) }
    public subscript(_ hi: Int, _ lo: Int) -> Value { bits(hi, lo) }

    public var msb: Value { self[width - 1] }

    // MARK: reductions

    public var orReduce: Value { Value(ExprNode(.reduceOr(node), width: 1)) }
    public var andReduce: Value { Value(ExprNode(.reduceAnd(node), width: 1)) }
    public var xorReduce: Value { Value(ExprNode(.reduceXor(node), width: 1)) }

    /// Shift left/right by a constant. Left widens by `amount`; right drops the low bits (arithmetic for signed).
    public func shiftedLeft(_ amount: Int) -> Value {
        guard amount >= 0 else { return Value.invalid("negative shift \(amount)") }
        if amount == 0 { return self }
        let joined = concat([asUnsigned, .literal(0, width: amount)])
        return isSigned ? joined.asSigned : joined
    }

    public func shiftedRight(_ amount: Int) -> Value {
        guard amount >= 0, amount < width else {
            return Value.invalid("shift right by \(amount) of a \(width)-bit value")
        }
        if amount == 0 { return self }
        let kept = bits(width - 1, amount)
        return isSigned ? kept.asSigned : kept
    }

    /// Shift by a run-time amount, keeping the width (bits shifted out are lost).
    public func shiftedLeft(by amount: Value) -> Value {
        Value(ExprNode(.shiftLeft(node, amount.asUnsigned.node), width: width, signed: isSigned))
    }

    public func shiftedRight(by amount: Value) -> Value {
        Value(ExprNode(.shiftRight(node, amount.asUnsigned.node), width: width, signed: isSigned))
    }

    /// An ill-formed value carrying the reason; the checks report it where it is used.
    static func invalid(_ message: String, kind: ElaborationIssue.Kind = .badExpression) -> Value {
        Value(ExprNode.invalid(message, kind: kind))
    }
}

/// Concatenation, most significant part first (as Verilog's `{a, b}`).
public func concat(_ parts: [Value]) -> Value {
    guard !parts.isEmpty else { return Value.invalid("empty concatenation") }
    if parts.count == 1 { return parts[0].asUnsigned }
    return Value(ExprNode(.concat(parts.map(\.node)), width: parts.reduce(0) { $0 + $1.width }))
}

public func concat(_ parts: Value...) -> Value { concat(parts) }

/// `cond ? ifTrue : ifFalse`. Both arms must have the same width and signedness.
public func mux(_ cond: Value, _ ifTrue: Value, _ ifFalse: Value) -> Value {
    guard cond.width == 1 else { return Value.invalid("mux select is \(cond.width) bits, expected 1") }
    guard ifTrue.width == ifFalse.width, ifTrue.isSigned == ifFalse.isSigned else {
        return Value.invalid("mux arms differ: \(describeOperand(ifTrue)) vs \(describeOperand(ifFalse))",
                             kind: ifTrue.width == ifFalse.width ? .badExpression : .widthMismatch)
    }
    return Value(ExprNode(.mux(cond.node, ifTrue.node, ifFalse.node), width: ifTrue.width, signed: ifTrue.isSigned))
}

/// Replicates a value `count` times.
public func replicate(_ value: Value, _ count: Int) -> Value {
    guard count >= 1 else { return Value.invalid("replicate \(count) times") }
    return concat(Array(repeating: value, count: count))
}

func describe(_ v: Value) -> String { "\(v.width)-bit \(v.isSigned ? "signed" : "unsigned")" }

/// `describe(v)`, plus the signal's name and declaration when `v` is a plain signal reference.
func describeOperand(_ v: Value) -> String {
    guard let s = v.signal else { return describe(v) }
    return "\(describe(v)) '\(s.name)' (declared at \(s.location))"
}
