import ArgumentParser
import CoSim
import Foundation
import Golden
import Trace

/// `hades-sim --trace FILE.npz …`: streams every round of a trace through the Verilated RTL, compares each with
/// the golden model, prints one JSON line per round and a summary. Exit 0: all agree; 1: a disagreement;
/// 2: bad options or a bad trace (one line on stderr, no round printed).
struct HadesSim: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hades-sim",
        abstract: "Co-simulate the HADES verifier RTL against the golden model on a trace.")

    @Option(help: "Trace file (.npz, DESIGN.md format).") var trace: String
    @Option(name: .customLong("gamma-max"), help: "Γ of the hardware (1…32); default: the trace's G.") var gammaMax: Int?
    @Option(help: "Logits per beat (1…64).") var lanes: Int = 16
    @Option(help: "fp16, bf16, fp32 or fixedW.F (default fp16; sampling: fixed16.8, fixed formats only).")
    var format: String?
    @Option(help: "greedy, sampling or tree (token trees: the trace has parents).") var mode: String = "greedy"
    @Option(help: "Tree mode: N, the most nodes per round (1…64); default: the trace's G.") var nodes: Int?
    @Flag(name: .customLong("one-hot"),
          help: "Sampling: send one-hot drafts (d_i = δ(x_i), no draft rows) even if the trace has draft_logits; a trace without draft_logits is always one-hot.")
    var oneHot = false
    @Option(help: "Write an FST waveform to FILE (slow).") var waves: String?
    @Option(name: .customLong("clock-mhz"), help: "Clock for tokens/s (default: \(SimReport.assumedClockMHz) MHz, an assumption).")
    var clockMHz: Double?
    @Option(name: .customLong("export-testbench"), help: "Write a self-checking Verilog testbench of the trace's rounds to DIR (no simulation).")
    var exportTestbench: String?
    @Option(help: "With --export-testbench: only the first N rounds.") var rounds: Int?

    func run() throws {
        guard ["greedy", "sampling", "tree"].contains(mode) else { throw Usage("--mode '\(mode)': expected greedy, sampling or tree") }
        let sampling = mode == "sampling"
        let logitFormat: LogitFormat
        do { logitFormat = try LogitFormat(parsing: format ?? (sampling ? "fixed16.8" : "fp16")) } catch {
            throw Usage("--format: \(error)")
        }
        if oneHot, !sampling { throw Usage("--one-hot: only with --mode sampling") }
        if sampling, logitFormat.isFloat {
            throw Usage("--format \(logitFormat): sampling mode computes in fixed point; use fixedW.F (e.g. fixed16.8)")
        }
        guard VerifierConfig.lanesRange.contains(lanes) else { throw Usage("--lanes \(lanes) is out of range: allowed 1…64") }
        if let g = gammaMax, !VerifierConfig.gammaMaxRange.contains(g) {
            throw Usage("--gamma-max \(g) is out of range: allowed 1…32")
        }
        if let f = clockMHz, !(f > 0 && f < 100_000) { throw Usage("--clock-mhz \(f) must be a positive frequency") }
        if let w = waves, !FileManager.default.isWritableFile(atPath: (URL(fileURLWithPath: w).deletingLastPathComponent().path)) {
            throw Usage("--waves \(w): the directory is not writable")
        }
        guard FileManager.default.isReadableFile(atPath: trace) else { throw Usage("--trace \(trace): no such readable file") }
        let loaded: SpeculativeTrace
        do { loaded = try SpeculativeTrace(contentsOf: trace) } catch { throw Usage("--trace \(error)") }
        if mode == "tree" { try runTree(loaded, format: logitFormat); return }
        let config: VerifierConfig
        do {
            config = try VerifierConfig(vocab: loaded.vocab, gammaMax: gammaMax ?? loaded.gammaMax, lanes: lanes, format: logitFormat)
        } catch { throw Usage("--trace \(trace): \(error)") }
        try checkFitsTheCommand(loaded, config: config)
        if let dir = exportTestbench { return try export(loaded, config: config, sampling: sampling, to: dir) }
        if sampling {
            guard loaded.hasUniforms else {
                throw Usage("--trace \(trace): --mode sampling needs the array uniforms")
            }
            try runSampling(loaded, config: config)
            return
        }
        // Convert everything first, so a bad value stops the run before any round is printed.
        let rounds: [CoSimRound]
        do { rounds = try TraceRounds.rounds(loaded, format: logitFormat) } catch { throw Usage("\(error)") }

        let started = Date()
        let sim = try VerifierSimulator(config: config, waves: waves != nil)
        if let w = waves { try sim.model.startWaves(to: w) }
        let buildSeconds = Date().timeIntervalSince(started)
        var report = SimReport(config: config, clockMHz: clockMHz)
        let batch = 8
        let simStarted = Date()
        for start in stride(from: 0, to: rounds.count, by: batch) {
            let slice = Array(rounds[start..<min(rounds.count, start + batch)])
            let result = try CoSimulation.run(slice, on: sim, resetFirst: start == 0)
            for (i, h) in result.hardware.enumerated() {
                let r = start + i
                if let d = result.disagreement, d.round == i {
                    FileHandle.standardError.write(Data(("hades-sim: disagreement at round \(r), row \(result.golden[i].accepted) "
                        + "(the decisive row), field \(d.field): golden \(d.expected), RTL \(d.got)\n").utf8))
                    throw ExitCode(1)
                }
                print(SimReport.roundLine(round: r, gamma: slice[i].gamma, hardware: h))
                report.add(gamma: slice[i].gamma, hardware: h, ideal: result.timings[i].cycles,
                           beats: (slice[i].gamma + 1) * config.beatsPerRow,
                           reference: loaded.referenceAccepted(r).map { ($0, loaded.referenceNextToken(r) ?? -1) })
            }
        }
        if waves != nil { sim.model.stopWaves() }
        report.simSeconds = Date().timeIntervalSince(simStarted)
        report.buildSeconds = buildSeconds
        report.fixedArgmax = try TraceRounds.argmaxDifferences(loaded, format: .fixed(width: 16, fraction: 8))
        print(report.summaryLine(trace: trace, mode: "greedy"))
    }
}

extension HadesSim {
    /// γ and the draft tokens travel in fixed-width command fields: a value that does not fit cannot be sent.
    func checkFitsTheCommand(_ t: SpeculativeTrace, config: VerifierConfig) throws {
        let gammaLimit = (1 << config.gammaBits) - 1, tokenLimit = (1 << config.tokenBits) - 1
        for r in 0..<t.rounds {
            if t.gamma(r) > gammaLimit {
                throw Usage("--gamma-max \(config.gammaMax): round \(r) of \(trace) has γ = \(t.gamma(r)), which does not fit "
                    + "the command's \(config.gammaBits)-bit γ field (at most \(gammaLimit))")
            }
            for (i, x) in t.draftTokens(r).enumerated() where x > tokenLimit {
                throw Usage("--trace \(trace): round \(r) draft token \(i) = \(x) does not fit the command's "
                    + "\(config.tokenBits)-bit token field (V = \(config.vocab))")
            }
        }
    }

    /// Sampling mode: the fixed-point sampling verifier against its bit-exact golden model.
    func runSampling(_ loaded: SpeculativeTrace, config: VerifierConfig) throws {
        let rounds: [SamplingRound]
        do { rounds = try SamplingTraceRounds.rounds(loaded, format: config.format, oneHot: oneHot) } catch { throw Usage("\(error)") }
        let started = Date()
        let sim = try SamplingSimulator(config: config, waves: waves != nil)
        if let w = waves { try sim.model.startWaves(to: w) }
        let buildSeconds = Date().timeIntervalSince(started)
        let simStarted = Date()
        let result = try sim.compare(rounds)
        if waves != nil { sim.model.stopWaves() }
        var report = SimReport(config: config, clockMHz: clockMHz)
        report.idealFormula = "(n+1)*B + 2*B (streaming plus the two residual passes)"
        report.draftKind = rounds.first.map { $0.oneHot ? "one-hot" : "rows" }
        for (r, h) in result.hardware.enumerated() {
            if let d = result.disagreement, d.round == r {
                FileHandle.standardError.write(Data(("hades-sim: disagreement at round \(r), row \(result.golden[r].accepted) "
                    + "(the decisive row), field \(d.field): golden \(d.expected), RTL \(d.got)\n").utf8))
                throw ExitCode(1)
            }
            print(SimReport.roundLine(round: r, gamma: rounds[r].gamma, hardware: h))
            let b = config.beatsPerRow
            report.add(gamma: rounds[r].gamma, hardware: h, ideal: (h.accepted + 1) * b + 2 * b,
                       beats: (rounds[r].gamma + 1) * b,
                       reference: loaded.referenceAccepted(r).map { ($0, loaded.referenceNextToken(r) ?? -1) })
        }
        report.simSeconds = Date().timeIntervalSince(simStarted)
        report.buildSeconds = buildSeconds
        report.fixedArgmax = try TraceRounds.argmaxDifferences(loaded, format: .fixed(width: 16, fraction: 8))
        print(report.summaryLine(trace: trace, mode: "sampling"))
    }
}

struct Usage: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

do {
    if CommandLine.arguments.dropFirst().first == "--serve" {  // live rounds from stdin (Serve.swift)
        var serve = try HadesServe.parseAsRoot(Array(CommandLine.arguments.dropFirst(2)))
        try serve.run()
        Foundation.exit(0)
    }
    var command = try HadesSim.parseAsRoot()
    try command.run()
} catch let exit as ExitCode {
    Foundation.exit(exit.rawValue)
} catch let usage as Usage {
    FileHandle.standardError.write(Data("hades-sim: \(usage)\n".utf8))
    Foundation.exit(2)
} catch {
    if HadesSim.exitCode(for: error) == .success {
        print(HadesSim.fullMessage(for: error))
        Foundation.exit(0)
    }
    let message = HadesSim.message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
    FileHandle.standardError.write(Data("hades-sim: \(message)\n".utf8))
    // Parse errors are bad options (2); anything else (tool or simulation failure) is also not a disagreement.
    Foundation.exit(2)
}
