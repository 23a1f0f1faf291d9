/// Elaboration-time parameters of a token-tree verifier (DESIGN.md "Token trees"): V, N (most nodes per round),
/// L and the logit format.
public struct TreeConfig: Equatable, Hashable, Sendable {
    public static let nodesRange: ClosedRange<Int> = 1...64

    public let vocab: Int
    /// N: the most draft nodes of one round.
    public let maxNodes: Int
    public let lanes: Int
    public let format: LogitFormat

    /// Validates like `VerifierConfig`; errors name the option (`nodes 65 out of range 1…64`).
    public init(vocab: Int, maxNodes: Int, lanes: Int, format: LogitFormat) throws {
        guard Self.nodesRange.contains(maxNodes) else {
            throw GoldenError(.config, "nodes \(maxNodes) out of range \(Self.nodesRange.lowerBound)…\(Self.nodesRange.upperBound)")
        }
        _ = try VerifierConfig(vocab: vocab, gammaMax: 1, lanes: lanes, format: format)
        self.vocab = vocab
        self.maxNodes = maxNodes
        self.lanes = lanes
        self.format = format
    }

    /// The row-streaming part as a chain configuration (B, lanes in the last beat, token bits, D).
    public var rows: VerifierConfig { try! VerifierConfig(vocab: vocab, gammaMax: 1, lanes: lanes, format: format) }
    public var beatsPerRow: Int { rows.beatsPerRow }
    public var tokenBits: Int { rows.tokenBits }
    /// Bits of the node count 0…N, of a parent field p+1 ∈ 0…N and of a path entry 0…N.
    public var countBits: Int { bitsToHold(maxNodes) }
}

/// One tree round as the hardware receives it.
public struct TreeRound: Equatable, Sendable {
    /// N_r (may exceed N: `badGamma`).
    public var nodes: Int
    /// x_i for i < min(N_r, N).
    public var tokens: [Int]
    /// p_i for i < min(N_r, N): −1 = the root; p_i ≥ i is malformed (`badTree`).
    public var parents: [Int]

    public init(nodes: Int, tokens: [Int], parents: [Int]) {
        self.nodes = nodes
        self.tokens = tokens
        self.parents = parents
    }

    /// A chain of the given tokens (p_i = i − 1).
    public static func chain(_ tokens: [Int]) -> TreeRound {
        TreeRound(nodes: tokens.count, tokens: tokens, parents: tokens.indices.map { $0 - 1 })
    }
}

/// What a tree round decides.
public struct TreeOutcome: Equatable, Hashable, Sendable {
    /// The chain fields: n = path length, the final token, rollback N_r − n, flags, the n+1 emitted tokens.
    public var round: RoundOutcome
    /// Accepted node indices in path order (n entries).
    public var path: [Int]
    /// The row the walk stopped at: 0 (root) or path.last + 1. The result comes (lastRow+1)·B + D_T cycles
    /// after the round's first beat.
    public var lastRow: Int
}

/// The greedy tree rule on codes, bit-exact with `TreeVerifierRTL` (DESIGN.md "Token trees").
///
/// Choices DESIGN.md leaves open (the README lists them): `bad_tree` and `bad_draft` are raised from the command
/// (any node i < min(N_r, N)), whether or not the walk reaches that node; `nan_logit`/`degenerate_row` come from
/// the rows the walk visits (the path rows and the row it stops at); N_r > N raises `bad_gamma`: nothing is
/// accepted and the token is row 0's argmax (the N_r + 1 rows are still consumed).
public enum TreeVerifier {
    /// Decides one round; `rowArgmax(j)` is called for the rows the walk visits, in order.
    public static func decide(_ round: TreeRound, config: TreeConfig,
                              rowArgmax: (Int) -> (index: Int, nan: Bool, degenerate: Bool)) -> TreeOutcome {
        precondition(round.nodes >= 0, "node count must be non-negative")
        let checked = min(round.nodes, config.maxNodes)
        precondition(round.tokens.count >= checked && round.parents.count >= checked,
                     "tree round with \(round.nodes) nodes needs \(checked) tokens and parents")
        var flags: ResultFlags = []
        let v = config.vocab
        if (0..<checked).contains(where: { round.tokens[$0] < 0 || round.tokens[$0] >= v }) { flags.insert(.badDraft) }
        if (0..<checked).contains(where: { round.parents[$0] >= $0 || round.parents[$0] < -1 }) { flags.insert(.badTree) }
        let badCount = round.nodes > config.maxNodes
        if badCount { flags.insert(.badGamma) }
        var path: [Int] = []
        var current = -1
        var token = 0
        while true {
            let row = current + 1
            let r = rowArgmax(row)
            if r.nan { flags.insert(.nanLogit) }
            if r.degenerate { flags.insert(.degenerateRow) }
            let child = badCount ? nil : (0..<checked).first { i in
                round.parents[i] == current && round.parents[i] < i && round.tokens[i] == r.index
            }
            guard let next = child else {
                token = r.index
                break
            }
            path.append(next)
            current = next
        }
        let emitted = path.map { round.tokens[$0] } + [token]
        let outcome = RoundOutcome(accepted: path.count, token: token, rollback: round.nodes - path.count,
                                   flags: flags, emitted: emitted)
        return TreeOutcome(round: outcome, path: path, lastRow: current + 1)
    }

    /// Decides one round whose rows lie back to back in `targetCodes` (row j at j·V ..< (j+1)·V).
    public static func verify(_ round: TreeRound, targetCodes: UnsafeBufferPointer<UInt32>, config: TreeConfig) -> TreeOutcome {
        let v = config.vocab
        return decide(round, config: config) { j in
            precondition((j + 1) * v <= targetCodes.count, "tree round needs target row \(j) but has \(targetCodes.count / v) rows")
            return GreedyVerifier.argmax(row: UnsafeBufferPointer(rebasing: targetCodes[(j * v)..<((j + 1) * v)]),
                                         format: config.format)
        }
    }
}

/// Timing of the tree datapath: the input stage, the argmax tree, the row result, the per-node match vector and
/// the decision into the output FIFOs.
public enum TreeTiming {
    /// D_T = argmax stages + 4 = 2·max(1, ceil(ceil(log2 L) / 2)) + 4 (equal to the chain unit's D).
    public static func pipelineDepth(lanes: Int) -> Int { GreedyTiming.argmaxStages(lanes: lanes) + 4 }

    /// (lastRow + 1)·B + D_T: first logit beat handshake to result handshake, both counted, producer never
    /// stalling, consumers ready. lastRow = the row the walk stopped at (0, or the last path node + 1).
    public static func cycles(lastRow: Int, config: TreeConfig) -> Int {
        (lastRow + 1) * config.beatsPerRow + pipelineDepth(lanes: config.lanes)
    }
}
