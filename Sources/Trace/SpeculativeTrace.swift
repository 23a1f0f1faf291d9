import Foundation

/// A speculative-decoding trace (docs/spec.md, "Trace files"), loaded and validated.
///
/// | array | dtype | shape |
/// |---|---|---|
/// | `target_logits` | float16 or float32 | [R, G+1, V] |
/// | `draft_tokens` | int32 or int64 | [R, G] |
/// | `gamma` | int32 or int64 | [R], each 0 ≤ γ ≤ G |
/// | `draft_logits` | float16 or float32 | [R, G, V] (sampling only) |
/// | `uniforms` | uint32 | [R, G+1] (sampling only) |
/// | `accepted`, `next_token` | int32 (int64 accepted too) | [R] (optional reference decisions) |
///
/// Validation at load (each failure is a `TraceError` naming the file and the arrays involved):
/// dtypes and ranks as above; every shape agrees with `target_logits`; 1 ≤ V ≤ 2^24; G ≤ 2^16; 0 ≤ γ_r ≤ G;
/// the first γ_r draft tokens of each round are ≥ 0 (tokens ≥ V are allowed: the verifier flags them);
/// `draft_logits` and `uniforms` are each optional and validated when present (`uniforms` alone serves sampling with
/// one-hot drafts); 0 ≤ accepted_r ≤ γ_r; 0 ≤ next_token_r < V.
/// Extra arrays are ignored (and never decompressed).
///
/// Logit rows are decoded on demand from the stored bytes (`targetRow`, `draftRow`); the integer arrays are
/// decoded once. Accessors take in-range indices (round < `rounds`, row ≤ G); out-of-range indices are
/// programming errors and trap, like array subscripts.
public struct SpeculativeTrace: Sendable {
    /// The file as the caller named it.
    public let file: String
    /// R: number of rounds.
    public let rounds: Int
    /// G: largest draft length (the second axis of `target_logits` is G+1).
    public let gammaMax: Int
    /// V: vocabulary size (entries per logit row).
    public let vocab: Int
    /// True when both `draft_logits` and `uniforms` are present (sampling mode can be run).
    public var hasSamplingArrays: Bool { draftLogits != nil && uniformValues != nil }
    /// True when `uniforms` is present (enough for sampling with one-hot drafts, which needs no draft rows).
    public var hasUniforms: Bool { uniformValues != nil }
    /// True when `draft_logits` is present.
    public var hasDraftLogits: Bool { draftLogits != nil }
    /// dtype of `target_logits` (float16 or float32).
    public var targetDType: NpyDType { targetLogits.dtype }
    /// dtype of `draft_logits`, when present.
    public var draftDType: NpyDType? { draftLogits?.dtype }
    /// True when the trace carries the float reference's `accepted` / `next_token`.
    public var hasReferenceAccepted: Bool { accepted != nil }
    public var hasReferenceNextToken: Bool { nextToken != nil }

    let targetLogits: NpyArray
    let draftLogits: NpyArray?
    let gammas: [Int]
    let drafts: [Int]          // R × G, row-major
    let uniformValues: [UInt32]?  // R × (G+1)
    let accepted: [Int]?
    let nextToken: [Int]?
    let parentValues: [Int]?  // R × G, tree traces only

    /// Largest V accepted (docs/spec.md supports up to 262 144).
    public static let maxVocab = 1 << 24
    /// Largest G accepted (docs/spec.md supports up to 32).
    public static let maxGammaMax = 1 << 16

    public static let floatTypes: [NpyDType] = [.float16, .float32]
    public static let indexTypes: [NpyDType] = [.int32, .int64]

    /// Loads and validates an `.npz` trace file. Errors name the file as `path` is spelled.
    public init(contentsOf path: String) throws(TraceError) {
        try self.init(archive: NpzArchive(contentsOf: path))
    }

    /// Loads and validates an in-memory `.npz` image; `file` is the name used in error messages.
    public init(bytes: [UInt8], file: String) throws(TraceError) {
        try self.init(archive: NpzArchive(bytes: bytes, file: file))
    }

    /// Validates the trace arrays of an opened archive.
    public init(archive: NpzArchive) throws(TraceError) {
        let file = archive.file
        func shapeError(_ a: String, _ aShape: [Int], _ b: String, _ bShape: [Int], _ rule: String) -> TraceError {
            TraceError(file: file, "arrays '\(a)' \(formatShape(aShape)) and '\(b)' \(formatShape(bShape)) "
                       + "disagree: \(rule)")
        }
        func rankError(_ array: NpyArray, _ expected: String) -> TraceError {
            array.context.error("expected shape \(expected), got \(formatShape(array.shape))")
        }

        let target = try archive.array("target_logits", expected: SpeculativeTrace.floatTypes)
        guard target.rank == 3 else { throw rankError(target, "[R, G+1, V]") }
        let R = target.shape[0], G1 = target.shape[1], V = target.shape[2]
        guard G1 >= 1 else { throw target.context.error("second axis is 0; it must be G+1 ≥ 1") }
        guard V >= 1 else { throw target.context.error("vocabulary size (last axis) is 0") }
        // Limits that only bite when R = 0 (otherwise the data would have to be there): no absurd G or V.
        guard V <= SpeculativeTrace.maxVocab else {
            throw target.context.error("vocabulary size \(V) exceeds the limit of \(SpeculativeTrace.maxVocab)")
        }
        guard G1 - 1 <= SpeculativeTrace.maxGammaMax else {
            throw target.context.error("G = \(G1 - 1) exceeds the limit of \(SpeculativeTrace.maxGammaMax)")
        }
        let G = G1 - 1

        let gammaArray = try archive.array("gamma", expected: SpeculativeTrace.indexTypes)
        guard gammaArray.rank == 1 else { throw rankError(gammaArray, "[R]") }
        guard gammaArray.shape[0] == R else {
            throw shapeError("gamma", gammaArray.shape, "target_logits", target.shape,
                             "gamma must be [R] = [\(R)]")
        }
        let gammas = try gammaArray.ints()
        for (r, g) in gammas.enumerated() where g < 0 || g > G {
            throw gammaArray.context.error("round \(r): gamma \(g) outside 0…G = 0…\(G) (G+1 = \(G1) is the "
                                           + "second axis of 'target_logits' \(formatShape(target.shape)))")
        }

        let draftArray = try archive.array("draft_tokens", expected: SpeculativeTrace.indexTypes)
        guard draftArray.rank == 2 else { throw rankError(draftArray, "[R, G]") }
        guard draftArray.shape == [R, G] else {
            throw shapeError("draft_tokens", draftArray.shape, "target_logits", target.shape,
                             "draft_tokens must be [R, G] = \(formatShape([R, G]))")
        }
        let drafts = try draftArray.ints()
        for r in 0..<R {
            for i in 0..<gammas[r] where drafts[r * G + i] < 0 {
                throw draftArray.context.error("round \(r) position \(i): negative token \(drafts[r * G + i])")
            }
        }

        let parentValues = try Self.treeParents(archive, rounds: R, gammaMax: G, gammas: gammas)

        let draftLogits = try archive.arrayIfPresent("draft_logits", expected: SpeculativeTrace.floatTypes)
        if let d = draftLogits {
            guard d.rank == 3 else { throw rankError(d, "[R, G, V]") }
            guard d.shape == [R, G, V] else {
                throw shapeError("draft_logits", d.shape, "target_logits", target.shape,
                                 "draft_logits must be [R, G, V] = \(formatShape([R, G, V]))")
            }
        }
        var uniformValues: [UInt32]?
        if let u = try archive.arrayIfPresent("uniforms", expected: [.uint32]) {
            guard u.rank == 2 else { throw rankError(u, "[R, G+1]") }
            guard u.shape == [R, G1] else {
                throw shapeError("uniforms", u.shape, "target_logits", target.shape,
                                 "uniforms must be [R, G+1] = \(formatShape([R, G1]))")
            }
            uniformValues = try u.uint32s()
        }

        func reference(_ name: String) throws(TraceError) -> (NpyArray, [Int])? {
            guard let a = try archive.arrayIfPresent(name, expected: SpeculativeTrace.indexTypes) else { return nil }
            guard a.rank == 1 else { throw rankError(a, "[R]") }
            guard a.shape[0] == R else {
                throw shapeError(name, a.shape, "target_logits", target.shape, "\(name) must be [R] = [\(R)]")
            }
            return (a, try a.ints())
        }
        let accepted = try reference("accepted")
        if let (a, values) = accepted {
            for (r, n) in values.enumerated() where n < 0 || n > gammas[r] {
                throw a.context.error("round \(r): accepted \(n) outside 0…gamma = 0…\(gammas[r])")
            }
        }
        let nextToken = try reference("next_token")
        if let (a, values) = nextToken {
            for (r, t) in values.enumerated() where t < 0 || t >= V {
                throw a.context.error("round \(r): next_token \(t) outside 0…V-1 = 0…\(V - 1)")
            }
        }

        self.file = file
        self.rounds = R
        self.gammaMax = G
        self.vocab = V
        self.targetLogits = target
        self.draftLogits = draftLogits
        self.gammas = gammas
        self.drafts = drafts
        self.uniformValues = uniformValues
        self.accepted = accepted?.1
        self.nextToken = nextToken?.1
        self.parentValues = parentValues
    }

    // MARK: Per-round access

    /// γ_r, the draft length of round r (0 ≤ γ_r ≤ G).
    public func gamma(_ round: Int) -> Int {
        gammas[round]
    }

    /// The γ_r draft tokens x_0 … x_{γ−1} of round r (entries past γ_r are not returned).
    public func draftTokens(_ round: Int) -> [Int] {
        precondition(round >= 0 && round < rounds, "round out of range")
        let start = round * gammaMax
        return Array(drafts[start..<(start + gammas[round])])
    }

    /// All G stored draft-token entries of round r, including those past γ_r.
    public func allDraftTokens(_ round: Int) -> [Int] {
        precondition(round >= 0 && round < rounds)
        return Array(drafts[(round * gammaMax)..<((round + 1) * gammaMax)])
    }

    /// Target logit row i (0 ≤ i ≤ G) of round r: V floats, decoded from the stored float16/float32.
    public func targetRow(round: Int, row: Int) -> [Float] {
        precondition(round >= 0 && round < rounds && row >= 0 && row <= gammaMax, "targetRow index out of range")
        return targetLogits.decodeFloats(elementOffset: (round * (gammaMax + 1) + row) * vocab, count: vocab)
    }

    /// Draft logit row i (0 ≤ i < G) of round r, or nil when the trace has no `draft_logits`.
    public func draftRow(round: Int, row: Int) -> [Float]? {
        guard let draftLogits else { return nil }
        precondition(round >= 0 && round < rounds && row >= 0 && row < gammaMax, "draftRow index out of range")
        return draftLogits.decodeFloats(elementOffset: (round * gammaMax + row) * vocab, count: vocab)
    }

    /// The G+1 uniforms U_0 … U_G of round r, or nil when the trace has no `uniforms`.
    public func uniforms(_ round: Int) -> [UInt32]? {
        guard let uniformValues else { return nil }
        precondition(round >= 0 && round < rounds)
        return Array(uniformValues[(round * (gammaMax + 1))..<((round + 1) * (gammaMax + 1))])
    }

    /// The float reference's accepted count n for round r, when the trace has `accepted`.
    public func referenceAccepted(_ round: Int) -> Int? {
        accepted?[round]
    }

    /// The float reference's next token for round r, when the trace has `next_token`.
    public func referenceNextToken(_ round: Int) -> Int? {
        nextToken?[round]
    }

    /// True for a token-tree trace (it has `parents`; `gamma` then counts each round's nodes).
    public var isTree: Bool { parentValues != nil }

    /// The γ_r parents p_0 … of round r's nodes (−1 = the root), or nil when the trace is not a tree trace.
    public func parents(_ round: Int) -> [Int]? {
        guard let parentValues else { return nil }
        precondition(round >= 0 && round < rounds)
        return Array(parentValues[(round * gammaMax)..<(round * gammaMax + gammas[round])])
    }

    /// The raw `target_logits` array (for bulk access).
    public var targetLogitsArray: NpyArray { targetLogits }
    /// The raw `draft_logits` array, when present.
    public var draftLogitsArray: NpyArray? { draftLogits }
}
