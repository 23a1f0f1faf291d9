import Golden
import Trace

/// Real-trace rounds converted to the codes a configuration's hardware sees (through the golden converter,
/// so fp16/fp32 configurations see the model's exact values and fixed point is rounded as DESIGN.md says).
public enum TraceRounds {
    public static func rounds(_ trace: SpeculativeTrace, format: LogitFormat, range: Range<Int>? = nil) throws -> [CoSimRound] {
        let v = trace.vocab
        return try (range ?? 0..<trace.rounds).map { r in
            let gamma = trace.gamma(r)
            var codes: [UInt32] = []
            codes.reserveCapacity((gamma + 1) * v)
            for row in 0...gamma {
                let base = (r * (trace.gammaMax + 1) + row) * v
                codes += try LogitConverter.encode(trace.targetRow(round: r, row: row), format: format,
                                                   arrayName: "\(trace.file): target_logits", baseIndex: base)
            }
            return CoSimRound(gamma: gamma, draftTokens: trace.draftTokens(r), codes: codes)
        }
    }

    /// Rows (all γ+1 of every round) where the argmax in `format` differs from the argmax of the float values.
    /// Rows holding a NaN are left out (a fixed format cannot represent them).
    public static func argmaxDifferences(_ trace: SpeculativeTrace, format: LogitFormat) throws -> (differ: Int, rows: Int) {
        var differ = 0, rows = 0
        for r in 0..<trace.rounds {
            for row in 0...trace.gamma(r) {
                let values = trace.targetRow(round: r, row: row)
                if values.contains(where: \.isNaN) { continue }
                let codes = try LogitConverter.encode(values, format: format, arrayName: "target_logits")
                if GreedyVerifier.argmax(row: codes, format: format).index != ReferenceGreedy.argmax(values) { differ += 1 }
                rows += 1
            }
        }
        return (differ, rows)
    }
}
