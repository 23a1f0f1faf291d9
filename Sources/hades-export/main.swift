import ArgumentParser
import Foundation
import Golden
import CoSim
import HADES

/// `hades-export`: generated artefacts that are not the verifier itself (committed; `make formal-rtl`, `make docs`).
struct HadesExport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hades-export",
        abstract: "Write the formal checker of a configuration, or the model the documentation diagrams are drawn from.",
        subcommands: [Formal.self, Diagrams.self])
}

struct Formal: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The verifier with its safety checker and formal top (DIR/<name>.v) and its SymbiYosys file (DIR/<name>.sby).")

    @Option(help: "Largest draft length per round, Γ (1…32).") var gamma: Int
    @Option(help: "Vocabulary size V (2…262144).") var vocab: Int
    @Option(help: "Logits per beat, L (1…256).") var lanes: Int
    @Option(help: "Logit format: fixedW.F, fp16, bf16 or fp32.") var format: String
    @Option(help: "Directory to write into (it must exist).") var dir: String

    func run() throws {
        let config: VerifierConfig
        do {
            config = try VerifierConfig(vocab: vocab, gammaMax: gamma, lanes: lanes, format: LogitFormat(parsing: format))
        } catch { throw ValidationError("\(error)") }
        let base = dir + "/" + FormalHarness.formalName(config)
        let verilog = try FormalHarness.verilog(config)
        try write(verilog, to: base + ".v")
        try write(SbyFile.text(config), to: base + ".sby")
    }
}

struct Diagrams: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "JSON model of the stream layouts and the elaborated module hierarchy (input of tools/diagrams.py).")

    @Option(name: .shortAndLong, help: "Output file (written only on success).") var output: String

    func run() throws { try write(try DiagramModel.json(), to: output) }
}

func write(_ text: String, to path: String) throws {
    do { try text.write(toFile: path, atomically: true, encoding: .utf8) } catch {
        throw ValidationError("cannot write \(path) (\(error.localizedDescription))")
    }
}

HadesExport.main()
