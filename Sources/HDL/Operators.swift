// Operators on values. Arithmetic and comparisons extend the narrower operand (by its signedness); mixing signed
// and unsigned operands, or bitwise operands of different widths, gives an ill-formed value.

infix operator <== : AssignmentPrecedence
infix operator =/= : ComparisonPrecedence

private func sameSign(_ op: String, _ a: Value, _ b: Value) -> String? {
    a.isSigned == b.isSigned ? nil : "'\(op)' mixes \(describe(a)) and \(describe(b)); convert with asSigned/asUnsigned"
}

private func arith(_ op: String, _ a: Value, _ b: Value, widen: Bool,
                   _ make: (ExprNode, ExprNode) -> ExprNode.Op) -> Value {
    if let m = sameSign(op, a, b) { return Value.invalid(m) }
    let w = max(a.width, b.width) + (widen ? 1 : 0)
    return Value(ExprNode(make(a.resized(to: w).node, b.resized(to: w).node), width: w, signed: a.isSigned))
}

private func bitwise(_ op: String, _ a: Value, _ b: Value, _ make: (ExprNode, ExprNode) -> ExprNode.Op) -> Value {
    guard a.width == b.width else {
        return Value.invalid("'\(op)' operands differ in width: \(a.width) vs \(b.width) bits "
            + "(\(describeOperand(a)) vs \(describeOperand(b))); resize explicitly", kind: .widthMismatch)
    }
    if let m = sameSign(op, a, b) { return Value.invalid(m) }
    return Value(ExprNode(make(a.node, b.node), width: a.width, signed: a.isSigned))
}

private func compare(_ op: String, _ a: Value, _ b: Value, _ make: (ExprNode, ExprNode) -> ExprNode.Op) -> Value {
    if let m = sameSign(op, a, b) { return Value.invalid(m) }
    let w = max(a.width, b.width)
    return Value(ExprNode(make(a.resized(to: w).node, b.resized(to: w).node), width: 1))
}

/// A literal with the width and signedness of `like`, for `value + 1`-style expressions.
private func literalLike(_ n: Int, _ v: Value) -> Value {
    if v.isSigned { return .signedLiteral(Int64(n), width: v.width) }
    guard n >= 0 else { return Value.invalid("negative literal \(n) used with a \(describe(v)) value") }
    return .literal(UInt64(n), width: v.width)
}

extension Value {
    /// Widening add/sub: the result has one more bit than the wider operand.
    public static func + (a: Value, b: Value) -> Value { arith("+", a, b, widen: true) { .add($0, $1) } }
    public static func - (a: Value, b: Value) -> Value { arith("-", a, b, widen: true) { .sub($0, $1) } }
    /// Wrapping add/sub: the result has the width of the wider operand.
    public static func &+ (a: Value, b: Value) -> Value { arith("&+", a, b, widen: false) { .add($0, $1) } }
    public static func &- (a: Value, b: Value) -> Value { arith("&-", a, b, widen: false) { .sub($0, $1) } }
    /// Full product: width is the sum of the operand widths.
    public static func * (a: Value, b: Value) -> Value {
        if let m = sameSign("*", a, b) { return Value.invalid(m) }
        let w = a.width + b.width
        return Value(ExprNode(.mul(a.resized(to: w).node, b.resized(to: w).node), width: w, signed: a.isSigned))
    }

    public static func & (a: Value, b: Value) -> Value { bitwise("&", a, b) { .and($0, $1) } }
    public static func | (a: Value, b: Value) -> Value { bitwise("|", a, b) { .or($0, $1) } }
    public static func ^ (a: Value, b: Value) -> Value { bitwise("^", a, b) { .xor($0, $1) } }
    public static prefix func ~ (a: Value) -> Value { Value(ExprNode(.not(a.node), width: a.width, signed: a.isSigned)) }
    /// Logical not of a 1-bit value.
    public static prefix func ! (a: Value) -> Value {
        a.width == 1 ? ~a : Value.invalid("'!' of a \(a.width)-bit value; use orReduce first")
    }

    public static func === (a: Value, b: Value) -> Value { compare("===", a, b) { .eq($0, $1) } }
    public static func =/= (a: Value, b: Value) -> Value { compare("=/=", a, b) { .ne($0, $1) } }
    public static func < (a: Value, b: Value) -> Value { compare("<", a, b) { .lt($0, $1) } }
    public static func <= (a: Value, b: Value) -> Value { compare("<=", a, b) { .le($0, $1) } }
    public static func > (a: Value, b: Value) -> Value { compare(">", b, a) { .lt($0, $1) } }
    public static func >= (a: Value, b: Value) -> Value { compare(">=", b, a) { .le($0, $1) } }

    /// a < b as the sign of the widened difference a − b: the same value as `a < b`, but FPGA synthesis maps a
    /// subtraction straight onto the carry chain, while Yosys's ECP5 flow takes a comparison through LUT-sized
    /// lookahead chunks first (`cmp2lcu`): a LUT level (or, after ABC, a LUT tree) before the chain.
    public func isBelow(_ b: Value) -> Value { (self - b).msb }

    public static func + (a: Value, n: Int) -> Value { a + literalLike(n, a) }
    public static func - (a: Value, n: Int) -> Value { a - literalLike(n, a) }
    public static func &+ (a: Value, n: Int) -> Value { a &+ literalLike(n, a) }
    public static func &- (a: Value, n: Int) -> Value { a &- literalLike(n, a) }
    public static func === (a: Value, n: Int) -> Value { a === literalLike(n, a) }
    public static func =/= (a: Value, n: Int) -> Value { a =/= literalLike(n, a) }
    public static func < (a: Value, n: Int) -> Value { a < literalLike(n, a) }
    public static func <= (a: Value, n: Int) -> Value { a <= literalLike(n, a) }
    public static func > (a: Value, n: Int) -> Value { a > literalLike(n, a) }
    public static func >= (a: Value, n: Int) -> Value { a >= literalLike(n, a) }

    /// Drives the signal named by `target` with `source` in the current `when` scope.
    /// Widths and signedness must match exactly; anything else is an elaboration error.
    public static func <== (target: Value, source: Value) {
        guard let signal = target.signal else {
            // Not a signal: nothing to record it on; report through the source's module is impossible, so trap
            // with a clear message (this is a bug in the generator, not in user input).
            preconditionFailure("'<==' target must be a signal, got an expression of \(describe(target))")
        }
        signal.module.connect(signal, source)
    }

    public static func <== (target: Value, n: Int) { target <== literalLike(n, target) }
}
