import Golden
import Trace

/// Tree-trace rounds converted to the codes a configuration sees (through the golden converter, as `TraceRounds`).
public enum TreeTraceRounds {
    public static func rounds(_ trace: SpeculativeTrace, format: LogitFormat) throws -> [TreeCoSimRound] {
        guard trace.isTree else { throw StreamGolden.ScenarioError(description: "\(trace.file): no 'parents' array (not a tree trace)") }
        let v = trace.vocab
        return try (0..<trace.rounds).map { r in
            let nodes = trace.gamma(r)
            var codes: [UInt32] = []
            codes.reserveCapacity((nodes + 1) * v)
            for row in 0...nodes {
                codes += try LogitConverter.encode(trace.targetRow(round: r, row: row), format: format,
                                                   arrayName: "\(trace.file): target_logits",
                                                   baseIndex: (r * (trace.gammaMax + 1) + row) * v)
            }
            return TreeCoSimRound(round: TreeRound(nodes: nodes, tokens: trace.draftTokens(r), parents: trace.parents(r)!),
                                  codes: codes)
        }
    }
}
