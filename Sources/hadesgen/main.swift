import ArgumentParser
import Foundation
import Golden
import HADES
import HDL

/// `hadesgen --gamma 16 --vocab 50257 > verify.v`: prints the verifier as one Verilog-2005 file.
struct HadesGen: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hadesgen",
        abstract: "Generate the HADES speculative-decoding verify/rollback unit as Verilog-2005.")

    @Option(help: "Largest draft length per round, Γ (1…32; greedy and sampling).")
    var gamma: Int?

    @Option(help: "Tree mode: the most draft nodes per round, N (1…64).")
    var nodes: Int?

    @Option(help: "Vocabulary size V, entries per logit row (2…262144).")
    var vocab: Int

    @Option(help: "Logits consumed per clock beat, L (1…64).")
    var lanes: Int = 16

    @Option(help: "Logit number format: fixedW.F (W 8…32, F 0…W), fp16, bf16 or fp32.")
    var format: String = "fp16"

    @Option(help: "Verification rule: greedy, or sampling (fixed-point formats only).")
    var mode: String = "greedy"

    @Option(help: "Top module name (default encodes the parameters, e.g. hades_verify_g16_v50257_l16_fp16).")
    var top: String?

    @Option(name: .shortAndLong, help: "Write to FILE instead of standard output (written only on success).")
    var output: String?

    @Flag(help: "Emit the place-and-route harness instead: serial-in shift register -> verifier -> XOR to one pin (timing only; --top names the harness).")
    var harness = false

    @Option(help: "Print the configuration's stream layout instead of Verilog: json or c-header.")
    var layout: String?

    func validate() throws {
        if mode == "tree" {
            guard let nodes, TreeConfig.nodesRange.contains(nodes) else {
                throw ValidationError("--mode tree needs --nodes in 1…64" + (nodes.map { ", got \($0)" } ?? ""))
            }
        } else {
            guard let gamma else { throw ValidationError("--gamma is required (1…32)") }
            guard VerifierConfig.gammaMaxRange.contains(gamma) else {
                throw ValidationError("--gamma \(gamma) is out of range: allowed 1…32")
            }
        }
        guard VerifierConfig.vocabRange.contains(vocab) else {
            throw ValidationError("--vocab \(vocab) is out of range: allowed 2…262144")
        }
        guard VerifierConfig.lanesRange.contains(lanes) else {
            throw ValidationError("--lanes \(lanes) is out of range: allowed 1…64")
        }
        let parsed: LogitFormat
        do { parsed = try LogitFormat(parsing: format) } catch {
            throw ValidationError("--format: \(error)")
        }
        guard ["greedy", "sampling", "tree"].contains(mode) else {
            throw ValidationError("--mode '\(mode)': expected greedy, sampling or tree")
        }
        if mode == "sampling", parsed.isFloat {
            throw ValidationError("--mode sampling computes in fixed point: --format must be fixedW.F, not \(parsed)")
        }
        if layout != nil, mode == "tree" { throw ValidationError("--layout is not available for --mode tree yet") }
        if let layout, !["json", "c-header"].contains(layout) || harness {
            throw ValidationError("--layout '\(layout)': expected json or c-header, and not with --harness")
        }
        if let top, top.wholeMatch(of: #/[A-Za-z][A-Za-z0-9_]*/#) == nil || top.contains("__") {
            throw ValidationError("--top '\(top)' is not a plain Verilog identifier (letters, digits, single '_')")
        }
    }

    func run() throws {
        let text = mode == "tree" ? try treeVerilog() : try chainVerilog()
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
        let config = try TreeConfig(vocab: vocab, maxNodes: nodes!, lanes: lanes, format: LogitFormat(parsing: format))
        return harness ? try HADESGenerator.treeHarnessVerilog(config, top: top) : try HADESGenerator.treeVerilog(config, top: top)
    }

    func chainVerilog() throws -> String {
        let config = try VerifierConfig(vocab: vocab, gammaMax: gamma!, lanes: lanes, format: LogitFormat(parsing: format))
        return try layout.map { LayoutExport(config, mode: mode == "sampling" ? .sampling : .greedy, top: top).text($0) }
            ?? (harness ? HADESGenerator.harnessVerilog(config, top: top)
            : mode == "sampling" ? HADESGenerator.samplingVerilog(config, top: top)
            : HADESGenerator.verilog(config, top: top))
    }
}

HadesGen.main()
