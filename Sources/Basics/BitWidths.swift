/// Number of bits needed to hold 0 … n (at least 1): the width of every counter, index and field.
public func bitsToHold(_ n: Int) -> Int {
    precondition(n >= 0, "bitsToHold of a negative value")
    return max(1, Int.bitWidth - n.leadingZeroBitCount)
}

/// ceil(log2 n) for n ≥ 1 (0 for n = 1): the levels of a binary tree over n leaves, the address bits of n entries.
public func ceilLog2(_ n: Int) -> Int {
    precondition(n >= 1, "ceilLog2 of \(n)")
    return n == 1 ? 0 : bitsToHold(n - 1)
}
