/// The committed-length (KV-cache length) counter: after a round, length = old + n + 1.
/// The hardware register is 32 bits and wraps; `length` models it exactly (`&+`). `total` counts the same
/// tokens without wrapping, for reports.
public struct CommitCounter: Equatable, Hashable, Sendable {
    /// The hardware register value (wraps modulo 2^32).
    public var length: UInt32
    /// Tokens committed since `init`, unwrapped.
    public var total: UInt64

    public init(length: UInt32 = 0) {
        self.length = length
        self.total = 0
    }

    /// Advances by n+1 and returns the new register value.
    @discardableResult
    public mutating func advance(accepted n: Int) -> UInt32 {
        precondition(n >= 0, "accepted count must be non-negative")
        length = length &+ UInt32(truncatingIfNeeded: n + 1)
        total &+= UInt64(n + 1)
        return length
    }

    /// Advances by the round's n+1 (= `outcome.emitted.count`).
    @discardableResult
    public mutating func advance(by outcome: RoundOutcome) -> UInt32 {
        advance(accepted: outcome.accepted)
    }
}
