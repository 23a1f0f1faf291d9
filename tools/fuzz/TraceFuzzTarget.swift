// libFuzzer entry point for the trace reader (tools/fuzz/run.sh builds it with `swiftc -sanitize=fuzzer,address`).
// Every input must either load as a trace (and then every accessor works) or be refused with a TraceError
// whose message names the file on one line; anything else (a trap, an ASan report, a hang) is a finding.
import Trace

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTrace(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    do {
        let trace = try SpeculativeTrace(bytes: bytes, file: "fuzz.npz")
        for r in 0..<trace.rounds {
            _ = trace.gamma(r)
            _ = trace.draftTokens(r)
            _ = trace.allDraftTokens(r)
            _ = trace.uniforms(r)
            _ = trace.referenceAccepted(r)
            _ = trace.referenceNextToken(r)
            for i in 0...trace.gammaMax { _ = trace.targetRow(round: r, row: i) }
            for i in 0..<trace.gammaMax { _ = trace.draftRow(round: r, row: i) }
        }
    } catch {
        let text = error.description
        if !text.hasPrefix("fuzz.npz: ") || text.contains("\n") { fatalError("badly formed message: \(text)") }
    }
    return 0
}
