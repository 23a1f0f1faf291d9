/// One greedy round as the hardware receives it.
public struct GreedyRound: Equatable, Sendable {
    /// γ, the run-time draft length (≥ 0; may exceed Γ, which raises `badGamma`).
    public var gamma: Int
    /// x_0 …: at least min(γ, Γ) entries (extra entries are ignored). Entries are non-negative and may be ≥ V
    /// (a bad draft). A negative entry is treated like one ≥ V: it never matches and raises `badDraft`.
    public var draftTokens: [Int]
    /// γ+1 rows of V codes each (only rows 0 … n are read; with γ > Γ only row 0).
    public var targetRows: [[UInt32]]

    public init(gamma: Int, draftTokens: [Int], targetRows: [[UInt32]]) {
        self.gamma = gamma
        self.draftTokens = draftTokens
        self.targetRows = targetRows
    }
}

/// What a round decides (the result stream plus the emitted-token stream).
public struct RoundOutcome: Equatable, Hashable, Sendable {
    /// n: accepted draft tokens.
    public var accepted: Int
    /// a_n: the correction (n < γ) or bonus (n = γ) token.
    public var token: Int
    /// γ − n.
    public var rollback: Int
    public var flags: ResultFlags
    /// x_0 … x_{n−1}, token (always n+1 tokens).
    public var emitted: [Int]

    public init(accepted: Int, token: Int, rollback: Int, flags: ResultFlags, emitted: [Int]) {
        self.accepted = accepted
        self.token = token
        self.rollback = rollback
        self.flags = flags
        self.emitted = emitted
    }
}

/// The greedy rule on codes, bit-exact with the RTL (docs/spec.md "Greedy rule").
public enum GreedyVerifier {

    /// Argmax of one row by `LogitFormat.key`: largest key, ties → lowest index.
    /// `nan`: some code is a NaN (float formats only). `degenerate`: float format and the maximum key is
    /// −inf's (every entry −inf or NaN); the index is then 0. Fixed formats never report either.
    /// The row must not be empty.
    public static func argmax(row: UnsafeBufferPointer<UInt32>, format: LogitFormat)
        -> (index: Int, nan: Bool, degenerate: Bool) {
        let count = row.count
        precondition(count > 0, "argmax of an empty row")
        let m = format.mask, s = format.signBit
        // Every key is ≥ 0 and a float key is > 0, so starting from 0 with a strict `>` picks the first
        // maximum (ties → lowest index; an all-minimum fixed row keeps index 0).
        var best: UInt32 = 0
        var bestIndex = 0
        if !format.isFloat {
            for i in 0..<count {
                let k = (row[i] ^ s) & m
                if k > best { best = k; bestIndex = i }
            }
            return (bestIndex, false, false)
        }
        let inf = format.exponentMask            // +inf code = largest non-NaN magnitude
        let negInf = s | inf
        let notSign = ~s & m
        var sawNaN = false
        for i in 0..<count {
            var c = row[i] & m
            if (c & notSign) > inf { sawNaN = true; c = negInf }
            if c == s { c = 0 }
            let k = (c & s) != 0 ? (~c & m) : (c | s)
            if k > best { best = k; bestIndex = i }
        }
        let degenerate = best == format.negativeInfinityKey
        return (bestIndex, sawNaN, degenerate)
    }

    /// Array convenience for `argmax(row:format:)`.
    public static func argmax(row: [UInt32], format: LogitFormat) -> (index: Int, nan: Bool, degenerate: Bool) {
        row.withUnsafeBufferPointer { argmax(row: $0, format: format) }
    }

    /// Decides one round. Rows must have exactly V codes (checked on the rows that are read).
    public static func verify(_ round: GreedyRound, config: VerifierConfig) -> RoundOutcome {
        let rows = round.targetRows
        return decide(gamma: round.gamma, draftTokens: round.draftTokens, config: config) { i in
            precondition(i < rows.count, "greedy round needs target row \(i) but has \(rows.count) rows")
            precondition(rows[i].count == config.vocab,
                         "target row \(i) has \(rows[i].count) codes, expected V = \(config.vocab)")
            return rows[i].withUnsafeBufferPointer { argmax(row: $0, format: config.format) }
        }
    }

    /// Decides one round whose target rows lie back to back in `targetCodes` (row i at i·V ..< (i+1)·V),
    /// e.g. a slice of a trace's `[R, G+1, V]` array after conversion. Only rows 0 … n are read.
    public static func verify(gamma: Int, draftTokens: [Int], targetCodes: UnsafeBufferPointer<UInt32>,
                              config: VerifierConfig) -> RoundOutcome {
        let v = config.vocab
        return decide(gamma: gamma, draftTokens: draftTokens, config: config) { i in
            precondition((i + 1) * v <= targetCodes.count,
                         "greedy round needs target row \(i) but has \(targetCodes.count / v) rows")
            let row = UnsafeBufferPointer(rebasing: targetCodes[(i * v)..<((i + 1) * v)])
            return argmax(row: row, format: config.format)
        }
    }

    /// The rule itself; `rowArgmax(i)` is called for the rows the hardware inspects, in order.
    static func decide(gamma: Int, draftTokens: [Int], config: VerifierConfig,
                       rowArgmax: (Int) -> (index: Int, nan: Bool, degenerate: Bool)) -> RoundOutcome {
        precondition(gamma >= 0, "gamma must be non-negative, got \(gamma)")
        let v = config.vocab
        let checked = min(gamma, config.gammaMax)
        precondition(draftTokens.count >= checked,
                     "greedy round with gamma \(gamma) needs \(checked) draft tokens, got \(draftTokens.count)")
        var flags: ResultFlags = []
        for i in 0..<checked where draftTokens[i] < 0 || draftTokens[i] >= v {
            flags.insert(.badDraft)
            break
        }
        func rowFlags(_ r: (index: Int, nan: Bool, degenerate: Bool)) {
            if r.nan { flags.insert(.nanLogit) }
            if r.degenerate { flags.insert(.degenerateRow) }
        }
        if gamma > config.gammaMax {
            flags.insert(.badGamma)
            let r0 = rowArgmax(0)
            rowFlags(r0)
            return RoundOutcome(accepted: 0, token: r0.index, rollback: gamma, flags: flags, emitted: [r0.index])
        }
        var n = 0
        var token = 0
        while true {
            let r = rowArgmax(n)
            rowFlags(r)
            if n < gamma && draftTokens[n] == r.index {   // a_i < V, so a token ≥ V (or < 0) never matches
                n += 1
                continue
            }
            token = r.index
            break
        }
        var emitted = Array(draftTokens[0..<n])
        emitted.append(token)
        return RoundOutcome(accepted: n, token: token, rollback: gamma - n, flags: flags, emitted: emitted)
    }
}
