/// An expression node of the IR. Nodes are immutable and shared by identity: a node used twice is computed once.
public final class ExprNode {
    public enum Op {
        case ref(Signal)
        case literal(UInt64)
        /// `+`/`-` that widen by one bit and the wrapping forms; both operands are extended to the node width.
        case add(ExprNode, ExprNode), sub(ExprNode, ExprNode)
        case mul(ExprNode, ExprNode)
        case and(ExprNode, ExprNode), or(ExprNode, ExprNode), xor(ExprNode, ExprNode)
        case not(ExprNode)
        case eq(ExprNode, ExprNode), ne(ExprNode, ExprNode)
        case lt(ExprNode, ExprNode), le(ExprNode, ExprNode)
        /// Shifts by a run-time amount; the width stays that of the first operand.
        case shiftLeft(ExprNode, ExprNode), shiftRight(ExprNode, ExprNode)
        case slice(ExprNode, hi: Int, lo: Int)
        /// Most significant operand first, as in Verilog.
        case concat([ExprNode])
        case mux(ExprNode, ExprNode, ExprNode)
        case reduceOr(ExprNode), reduceAnd(ExprNode), reduceXor(ExprNode)
        case zeroExtend(ExprNode), signExtend(ExprNode)
        /// Same bits, other signedness.
        case reinterpret(ExprNode)
        /// An ill-formed expression (e.g. operands of different widths); reported when a statement uses it.
        case invalid(String)
    }

    public let op: Op
    public let width: Int
    public let signed: Bool
    /// For an `.invalid` node: how the checks classify the problem (operand widths that differ are a width
    /// mismatch; everything else a bad expression).
    let invalidKind: ElaborationIssue.Kind

    init(_ op: Op, width: Int, signed: Bool = false, invalidKind: ElaborationIssue.Kind = .badExpression) {
        self.op = op
        self.width = width
        self.signed = signed
        self.invalidKind = invalidKind
    }

    static func invalid(_ message: String, kind: ElaborationIssue.Kind = .badExpression) -> ExprNode {
        ExprNode(.invalid(message), width: 1, invalidKind: kind)
    }

    /// Direct operands, in order.
    var operands: [ExprNode] {
        switch op {
        case .ref, .literal, .invalid: return []
        case let .add(a, b), let .sub(a, b), let .mul(a, b), let .and(a, b), let .or(a, b), let .xor(a, b),
             let .eq(a, b), let .ne(a, b), let .lt(a, b), let .le(a, b), let .shiftLeft(a, b), let .shiftRight(a, b):
            return [a, b]
        case let .not(a), let .slice(a, _, _), let .reduceOr(a), let .reduceAnd(a), let .reduceXor(a),
             let .zeroExtend(a), let .signExtend(a), let .reinterpret(a):
            return [a]
        case let .concat(parts): return parts
        case let .mux(c, a, b): return [c, a, b]
        }
    }

    /// The bits of a literal (looking through reinterpretation), if this is one.
    var literalBits: UInt64? {
        switch op {
        case let .literal(k): return k
        case let .reinterpret(inner): return inner.literalBits
        default: return nil
        }
    }

    /// The first `.invalid` message found in this tree, if any.
    var firstInvalid: String? { firstInvalidIssue?.message }

    /// The first `.invalid` node in this tree: its issue kind and message.
    var firstInvalidIssue: (kind: ElaborationIssue.Kind, message: String)? {
        if case let .invalid(message) = op { return (invalidKind, message) }
        for operand in operands { if let found = operand.firstInvalidIssue { return found } }
        return nil
    }

    /// Every signal this expression reads.
    func collectSignals(into set: inout [ObjectIdentifier: Signal]) {
        if case let .ref(s) = op { set[ObjectIdentifier(s)] = s; return }
        for operand in operands { operand.collectSignals(into: &set) }
    }
}
