extension SpeculativeTrace {
    /// `parents` [R, G] (int32/int64, DESIGN.md "Token trees"): each of the first γ_r entries of a round is ≥ −1
    /// (−1 = the root). A parent ≥ its own index is allowed: the verifier flags it (`bad_tree`).
    static func treeParents(_ archive: NpzArchive, rounds R: Int, gammaMax G: Int, gammas: [Int]) throws(TraceError) -> [Int]? {
        guard let a = try archive.arrayIfPresent("parents", expected: indexTypes) else { return nil }
        guard a.rank == 2, a.shape == [R, G] else {
            throw a.context.error("expected shape [R, G] = [\(R), \(G)] (like draft_tokens), got [\(a.shape.map(String.init).joined(separator: ", "))]")
        }
        let values = try a.ints()
        for r in 0..<R {
            for i in 0..<gammas[r] where values[r * G + i] < -1 {
                throw a.context.error("round \(r) node \(i): parent \(values[r * G + i]) below −1 (−1 is the root)")
            }
        }
        return values
    }
}
