import Golden
import HADES

/// What the documented semantics (docs/spec.md, README "The verifier's interface") predict for one round of a
/// beat stream with arbitrary `tlast` positions.
public struct StreamExpectation: Equatable, Sendable {
    public var outcome: RoundOutcome
    /// Beats from the round's first beat through the `tlast` of its decisive row n (inclusive).
    public var beatsThroughDecision: Int
    /// Beats the round occupies on the stream (all γ+1 rows).
    public var streamBeats: Int
    /// With a producer that never stalls and ready consumers: beatsThroughDecision + D.
    public var idealCycles: Int
}

/// A stream-level golden model, independent of `CoSimRound` framing:
/// - rows end at `tlast` (a row may be shorter or longer than B beats);
/// - beat b of a row, lane k carries token b·L + k and is valid only when b·L + k < V, so beats at or past B
///   carry no valid lane, and lanes past V never win (nor raise `nan_logit`);
/// - a row's argmax is over its valid lanes that arrived (largest key, ties to the lowest index);
/// - `row_length` is raised when some row 0 … n (n = the decisive row) ended on a beat other than B−1;
///   like every row flag, flags of rows after the decisive row are not reported;
/// - a round consumes γ+1 rows (γ as sent, also when γ > Γ); `bad_gamma`: n = 0, token = row 0's argmax;
///   `bad_draft`: some x_i ≥ V, i < min(γ, Γ); floats: NaN → −inf (`nan_logit`), max = −inf → `degenerate_row`.
public enum StreamGolden {
    public struct ScenarioError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Argmax, NaN and degenerate of one row as framed by `tlast`.
    public static func row(_ beats: ArraySlice<LogitBeat>, config: VerifierConfig)
        -> (index: Int, nan: Bool, degenerate: Bool, lengthError: Bool) {
        let lanes = config.lanes, v = config.vocab
        var prefix: [UInt32] = []
        for (b, beat) in beats.enumerated() {
            for k in 0..<lanes where b * lanes + k < v {
                prefix.append(k < beat.codes.count ? beat.codes[k] : 0)
            }
        }
        let lengthError = beats.count != config.beatsPerRow
        // The first beat of any row always has lane 0 valid, so the prefix is never empty.
        let a = GreedyVerifier.argmax(row: prefix, format: config.format)
        return (a.index, a.nan, a.degenerate, lengthError)
    }

    /// One expectation per command. The stream must hold exactly Σ(γ_r + 1) rows, the last ending at `tlast`.
    public static func expect(_ scenario: StreamScenario, config: VerifierConfig) throws -> [StreamExpectation] {
        let rows = scenario.rows
        let needed = scenario.commands.reduce(0) { $0 + $1.gamma + 1 }
        guard rows.count == needed, scenario.beats.last?.last ?? (needed == 0) else {
            throw ScenarioError(description: "scenario has \(rows.count) rows (last ends with tlast: "
                + "\(scenario.beats.last?.last ?? false)), the commands need \(needed)")
        }
        let d = GreedyTiming.pipelineDepth(lanes: config.lanes)
        let v = config.vocab, gammaMax = config.gammaMax
        var out: [StreamExpectation] = []
        var next = 0
        for cmd in scenario.commands {
            precondition(cmd.gamma >= 0 && cmd.gamma < 1 << config.gammaBits, "γ \(cmd.gamma) does not fit GW bits")
            let roundRows = rows[next..<(next + cmd.gamma + 1)]
            let first = roundRows.first!.start
            next += cmd.gamma + 1
            let draft = (0..<gammaMax).map { $0 < cmd.draftTokens.count ? cmd.draftTokens[$0] : 0 }
            var flags: ResultFlags = []
            if (0..<min(cmd.gamma, gammaMax)).contains(where: { draft[$0] >= v }) { flags.insert(.badDraft) }
            if cmd.gamma > gammaMax { flags.insert(.badGamma) }
            var n = 0
            var token = 0
            var decisive = roundRows.startIndex
            while true {
                let r = row(roundRows[decisive].beats, config: config)
                if r.nan { flags.insert(.nanLogit) }
                if r.degenerate { flags.insert(.degenerateRow) }
                if r.lengthError { flags.insert(.rowLength) }
                if cmd.gamma <= gammaMax && n < cmd.gamma && draft[n] == r.index {
                    n += 1
                    decisive += 1
                    continue
                }
                token = r.index
                break
            }
            let decisiveRow = roundRows[decisive]
            let through = decisiveRow.start + decisiveRow.beats.count - first
            let last = roundRows.last!
            let outcome = RoundOutcome(accepted: n, token: token, rollback: cmd.gamma - n, flags: flags,
                                       emitted: Array(draft[0..<n]) + [token])
            out.append(StreamExpectation(outcome: outcome, beatsThroughDecision: through,
                                         streamBeats: last.start + last.beats.count - first,
                                         idealCycles: through + d))
        }
        return out
    }
}
