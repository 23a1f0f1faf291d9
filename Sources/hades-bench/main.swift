import ArgumentParser
import CoSim
import Foundation
import Golden
import Trace

/// `hades-bench --trace FILE.npz [--format fp16] [--repeats 15] [--min-seconds 0.2]`: times the Swift golden model
/// (`GreedyVerifier.verify` on the codes the hardware sees, stopping at the first mismatch as the hardware does)
/// over every round of a trace, as a software baseline for `make bench`. Conversion to codes is done once, before
/// timing. Prints one JSON object: per-repeat seconds for one pass over all rounds, the median, tokens per pass,
/// rows inspected, and the decisions (so the caller can check them against the other baselines).
struct HadesBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hades-bench",
        abstract: "Time the Swift golden greedy verifier over a trace's rounds (software baseline).")

    @Option(help: "Trace file (.npz, docs/spec.md format).") var trace: String
    @Option(help: "fp16, bf16, fp32 or fixedW.F (the codes verified).") var format: String = "fp16"
    @Option(help: "Timed repeats (the median is reported).") var repeats: Int = 15
    @Option(name: .customLong("min-seconds"), help: "Each repeat loops over all rounds until this much time has passed.")
    var minSeconds: Double = 0.2

    func run() throws {
        let logitFormat = try LogitFormat(parsing: format)
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1") }
        let loaded = try SpeculativeTrace(contentsOf: trace)
        let config = try VerifierConfig(vocab: loaded.vocab, gammaMax: loaded.gammaMax, lanes: 1, format: logitFormat)
        let rounds = try TraceRounds.rounds(loaded, format: logitFormat)

        var outcomes: [RoundOutcome] = []
        func pass() -> (tokens: Int, rows: Int) {
            var tokens = 0, rows = 0
            outcomes.removeAll(keepingCapacity: true)
            for r in rounds {
                let o = r.codes.withUnsafeBufferPointer {
                    GreedyVerifier.verify(gamma: r.gamma, draftTokens: r.draftTokens, targetCodes: $0, config: config)
                }
                tokens += o.accepted + 1
                rows += min(o.accepted + 1, r.gamma + 1)
                outcomes.append(o)
            }
            return (tokens, rows)
        }
        let (tokens, rows) = pass()  // warm-up
        var perPass: [Double] = []
        for _ in 0..<repeats {
            var passes = 0
            let start = DispatchTime.now().uptimeNanoseconds
            var elapsed = 0.0
            repeat {
                _ = pass()
                passes += 1
                elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            } while elapsed < minSeconds
            perPass.append(elapsed / Double(passes))
        }
        let sorted = perPass.sorted()
        let median = sorted.count % 2 == 1 ? sorted[sorted.count / 2]
            : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        func list(_ xs: [Int]) -> String { "[" + xs.map(String.init).joined(separator: ",") + "]" }
        let fields: [(String, String)] = [
            ("tool", "\"hades-bench (Swift GreedyVerifier.verify, -c release)\""),
            ("trace", "\"\(trace)\""), ("format", "\"\(logitFormat)\""), ("vocab", "\(config.vocab)"),
            ("rounds", "\(rounds.count)"), ("tokens_per_pass", "\(tokens)"), ("rows_per_pass", "\(rows)"),
            ("repeats", "\(repeats)"),
            ("seconds_per_pass", "[" + perPass.map { String(format: "%.9f", $0) }.joined(separator: ",") + "]"),
            ("median_seconds_per_pass", String(format: "%.9f", median)),
            ("tokens_per_s", String(format: "%.1f", Double(tokens) / median)),
            ("accepted", list(outcomes.map(\.accepted))), ("next_token", list(outcomes.map(\.token))),
        ]
        print("{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}")
    }
}

HadesBench.main()
