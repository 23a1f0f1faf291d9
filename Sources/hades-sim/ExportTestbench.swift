import CoSim
import Foundation
import Golden
import Trace

extension HadesSim {
    /// `--export-testbench DIR [--rounds N]`: see `TestbenchExport`. Prints one line naming DIR and what it holds.
    func export(_ loaded: SpeculativeTrace, config: VerifierConfig, sampling: Bool, to dir: String) throws {
        if let n = rounds, !(1...loaded.rounds).contains(n) {
            throw Usage("--rounds \(n) is out of range: the trace has \(loaded.rounds) rounds")
        }
        if sampling, !loaded.hasUniforms {
            throw Usage("--trace \(trace): --mode sampling needs the array uniforms")
        }
        let summary: TestbenchExport.Summary
        do {
            let command = "hades-sim --trace \(trace) --gamma-max \(config.gammaMax) --lanes \(config.lanes) --format \(config.format)"
                + " --mode \(sampling ? "sampling" : "greedy")" + (oneHot ? " --one-hot" : "") + (rounds.map { " --rounds \($0)" } ?? "")
            summary = try TestbenchExport.write(trace: loaded, command: command, config: config,
                                                mode: sampling ? .sampling : .greedy, oneHot: oneHot,
                                                range: 0..<(rounds ?? loaded.rounds),
                                                to: URL(fileURLWithPath: dir))
        } catch { throw Usage("--export-testbench \(dir): \(error)") }
        print("wrote \(dir): \(summary.top), \(summary.rounds) rounds; run \(dir)/run.sh iverilog|verilator")
    }
}
