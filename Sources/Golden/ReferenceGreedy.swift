/// The greedy rule on the float values themselves (the Float64 reference), to measure how often a fixed-point
/// (or rounded) argmax differs from the float one on real rows. NaN is treated as −inf, −0 equals +0,
/// ties go to the lowest index, a draft token outside 0 … V−1 never matches. No Γ limit.
public enum ReferenceGreedy {

    /// Argmax of a float row (NaN as −inf, ties → lowest index; an all −inf/NaN row gives 0).
    public static func argmax(_ row: UnsafeBufferPointer<Float>) -> Int {
        precondition(row.count > 0, "argmax of an empty row")
        var best = -Double.infinity
        var bestIndex = 0
        for i in 0..<row.count {
            let x = Double(row[i])
            if x > best { best = x; bestIndex = i }     // NaN compares false: never wins
        }
        return bestIndex
    }

    public static func argmax(_ row: [Float]) -> Int {
        row.withUnsafeBufferPointer { argmax($0) }
    }

    /// n = leading i < γ with x_i = argmax(row i); token = argmax(row n). Needs rows 0 … n (γ+1 given).
    public static func decide(targetRows: [[Float]], draftTokens: [Int], gamma: Int) -> (accepted: Int, token: Int) {
        precondition(gamma >= 0 && draftTokens.count >= gamma, "need γ ≥ 0 and γ draft tokens")
        var n = 0
        while true {
            precondition(n < targetRows.count, "reference needs target row \(n)")
            let a = argmax(targetRows[n])
            if n < gamma && draftTokens[n] == a { n += 1; continue }
            return (n, a)
        }
    }
}
