import ArgumentParser
import Foundation
import Golden
import HADES
import HDL
import VerifierOptions

/// `hadesgen --gamma 16 --vocab 50257 > verify.v`: prints the verifier as one Verilog-2005 file.
struct HadesGen: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hadesgen",
        abstract: "Generate the HADES speculative-decoding verify/rollback unit as Verilog-2005.")

    @Option(help: "Largest draft length per round, Γ (\(VerifierOptions.describe(VerifierConfig.gammaMaxRange)); greedy and sampling).")
    var gamma: Int?

    @Option(help: "Tree mode: the most draft nodes per round, N (\(VerifierOptions.describe(TreeConfig.nodesRange))).")
    var nodes: Int?

    @Option(help: "Vocabulary size V, entries per logit row (\(VerifierOptions.describe(VerifierConfig.vocabRange))).")
    var vocab: Int

    @OptionGroup var hardware: HardwareOptions

    @Option(help: "Top module name (default encodes the parameters, e.g. hades_verify_g16_v50257_l16_fp16).")
    var top: String?

    @Option(name: .shortAndLong, help: "Write to FILE instead of standard output (written only on success).")
    var output: String?

    @Flag(help: "Emit the place-and-route harness instead: serial-in shift register -> verifier -> XOR to one pin (timing only; --top names the harness).")
    var harness = false

    @Option(help: "Print the configuration's stream layout instead of Verilog: json or c-header.")
    var layout: String?

    func validate() throws {
        if hardware.mode == .tree {
            guard let nodes, TreeConfig.nodesRange.contains(nodes) else {
                throw ValidationError("--mode tree needs --nodes in \(VerifierOptions.describe(TreeConfig.nodesRange))"
                    + (nodes.map { ", got \($0)" } ?? ""))
            }
            if layout != nil { throw ValidationError("--layout is not available for --mode tree yet") }
        } else {
            guard let gamma else { throw ValidationError("--gamma is required (\(VerifierOptions.describe(VerifierConfig.gammaMaxRange)))") }
            try VerifierOptions.check("--gamma", gamma, VerifierConfig.gammaMaxRange)
        }
        try VerifierOptions.check("--vocab", vocab, VerifierConfig.vocabRange)
        _ = try hardware.format(default: .fp16)
        if let layout, !["json", "c-header"].contains(layout) || harness {
            throw ValidationError("--layout '\(layout)': expected json or c-header, and not with --harness")
        }
        if let top, top.wholeMatch(of: #/[A-Za-z][A-Za-z0-9_]*/#) == nil || top.contains("__") {
            throw ValidationError("--top '\(top)' is not a plain Verilog identifier (letters, digits, single '_')")
        }
    }

    func run() throws {
        let text = hardware.mode == .tree ? try treeVerilog() : try chainVerilog()
        if let output {
            do {
                try text.write(toFile: output, atomically: true, encoding: .utf8)
            } catch {
                throw ValidationError("-o \(output): cannot write the file (\(error.localizedDescription))")
            }
        } else {
            FileHandle.standardOutput.write(text.data(using: .utf8)!)
        }
    }

    func treeVerilog() throws -> String {
        let config = try TreeConfig(vocab: vocab, maxNodes: nodes!, lanes: hardware.lanes, format: hardware.format(default: .fp16))
        return harness ? try HADESGenerator.treeHarnessVerilog(config, top: top) : try HADESGenerator.treeVerilog(config, top: top)
    }

    func chainVerilog() throws -> String {
        let config = try VerifierConfig(vocab: vocab, gammaMax: gamma!, lanes: hardware.lanes,
                                        format: hardware.format(default: .fp16))
        let sampling = hardware.mode == .sampling
        return try layout.map { LayoutExport(config, mode: sampling ? .sampling : .greedy, top: top).text($0) }
            ?? (harness ? (sampling ? HADESGenerator.samplingHarnessVerilog(config, top: top)
                           : HADESGenerator.harnessVerilog(config, top: top))
            : sampling ? HADESGenerator.samplingVerilog(config, top: top)
            : HADESGenerator.verilog(config, top: top))
    }
}

HadesGen.main()
