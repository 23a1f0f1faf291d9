import HDL

/// The output side both units share: the result and token streams and the committed-length port (declared in
/// this order, after the unit's inputs), and their queues: emitted tokens (each with its `tlast`) and results,
/// each a `StreamFIFO` whose stream drives the output port, payload zero-padded to whole bytes.
struct OutputQueues {
    struct Modules {
        let tokens, results: Submodule<StreamFIFO.Ports>
    }

    /// The FIFO modules (built before the unit's own description); `withSpare`: with their `spare` outputs;
    /// `registeredTokenPush`, `registeredResultPush`: see `StreamFIFO`'s `registeredPush`.
    static func modules(_ io: VerifierInterface, tokenDepth: Int, resultDepth: Int, withSpare: Bool = false,
                        registeredTokenPush: Bool = false, registeredResultPush: Bool = false) throws -> Modules {
        Modules(tokens: try StreamFIFO.module(width: io.tokens.entry.width, depth: tokenDepth, withSpare: withSpare,
                                              registeredPush: registeredTokenPush),
                results: try StreamFIFO.module(width: io.resultBits, depth: resultDepth, withSpare: withSpare,
                                               registeredPush: registeredResultPush))
    }

    let tokens, results: InstanceOf<StreamFIFO.Ports>
    let resultPort, tokensPort: StreamOut
    let committedLength: Value

    /// Declares the output ports, instantiates the queues and drives the output streams from them.
    init(_ m: ModuleBuilder, _ io: VerifierInterface, _ modules: Modules) {
        let result = m.streamOut(VerifierStreams.result, payload: io.resultTDataBits)
        let out = m.streamOut(VerifierStreams.tokens, payload: io.tokenTDataBits)
        resultPort = result
        tokensPort = out
        committedLength = m.output(VerifierStreams.committedLength, VerifierInterface.committedLengthBits)
        tokens = m.instance(modules.tokens, name: "u_token_fifo")
        results = m.instance(modules.results, name: "u_result_fifo")
        let queued = m.view(tokens.output.data, as: io.tokens.entry, name: "token_entry")
        out.valid <== tokens.output.valid
        out.data <== queued[io.tokens.token].zeroExtended(to: io.tokenTDataBits)
        out.last! <== queued[io.tokens.last]
        tokens.output.ready <== out.ready
        result.valid <== results.output.valid
        result.data <== results.output.data.zeroExtended(to: io.resultTDataBits)
        results.output.ready <== result.ready
    }
}
