import CoSim
import Foundation
import Golden

/// Accumulates the per-round figures `hades-sim` prints and writes its JSON lines.
struct SimReport {
    static let assumedClockMHz = 250.0
    let config: VerifierConfig
    let clockMHz: Double?
    var rounds = 0
    var tokens = 0
    var accepted = 0
    var cycles = 0
    var idealCycles = 0
    var beats = 0
    var referenceChecked = 0
    var referenceMismatches = 0
    var simSeconds = 0.0
    var buildSeconds = 0.0
    var fixedArgmax: (differ: Int, rows: Int) = (0, 0)
    var idealFormula = "(n+1)*B + D"
    /// Sampling: "rows" (draft logit rows sent) or "one-hot" (d_i = δ(x_i), no draft rows).
    var draftKind: String?

    init(config: VerifierConfig, clockMHz: Double?) {
        self.config = config
        self.clockMHz = clockMHz
    }

    mutating func add(gamma: Int, hardware h: HardwareRound, ideal: Int, beats b: Int, reference: (Int, Int)?) {
        rounds += 1
        tokens += h.accepted + 1
        accepted += h.accepted
        cycles += h.cycles
        idealCycles += ideal
        beats += b
        if let (n, token) = reference {
            referenceChecked += 1
            if n != h.accepted || token != h.token { referenceMismatches += 1 }
        }
    }

    static func roundLine(round: Int, gamma: Int, hardware h: HardwareRound) -> String {
        let flags = h.flags.names.map { "\"\($0)\"" }.joined(separator: ",")
        return "{\"round\":\(round),\"gamma\":\(gamma),\"accepted\":\(h.accepted),\"token\":\(h.token),"
            + "\"rollback\":\(h.rollback),\"cycles\":\(h.cycles),\"flags\":[\(flags)]}"
    }

    func summaryLine(trace: String, mode: String) -> String {
        let clock = clockMHz ?? Self.assumedClockMHz
        let source = clockMHz == nil ? "assumed \(Self.assumedClockMHz) MHz (pass --clock-mhz; make synth measures Fmax)"
            : "given by --clock-mhz"
        let tokensPerSecond = cycles > 0 ? Double(tokens) / Double(cycles) * clock * 1e6 : 0
        func f(_ x: Double, _ digits: Int = 4) -> String { String(format: "%.\(digits)f", x) }
        let fields: [(String, String)] = [
            ("trace", "\"\(trace)\""), ("mode", "\"\(mode)\""), ("vocab", "\(config.vocab)"), ("gamma_max", "\(config.gammaMax)"),
            ("lanes", "\(config.lanes)"), ("format", "\"\(config.format)\""),
            ("rounds", "\(rounds)"), ("tokens_emitted", "\(tokens)"),
            ("mean_accepted", f(rounds > 0 ? Double(accepted) / Double(rounds) : 0)),
            ("cycles", "\(cycles)"), ("ideal_cycles", "\(idealCycles)"), ("ideal_formula", "\"\(idealFormula)\""),
            ("cycle_efficiency", f(cycles > 0 ? Double(idealCycles) / Double(cycles) : 0)),
            ("clock_mhz", f(clock, 1)), ("clock_source", "\"\(source)\""),
            ("verified_tokens_per_s", f(tokensPerSecond, 0)),
            ("float_reference_rounds", "\(referenceChecked)"), ("float_reference_mismatches", "\(referenceMismatches)"),
            ("fixed16_8_argmax_differs", "\(fixedArgmax.differ)"), ("fixed16_8_rows", "\(fixedArgmax.rows)"),
            ("build_seconds", f(buildSeconds, 2)), ("sim_seconds", f(simSeconds, 3)),
            ("rounds_per_s", f(simSeconds > 0 ? Double(rounds) / simSeconds : 0, 1)),
            ("beats_per_s", f(simSeconds > 0 ? Double(beats) / simSeconds : 0, 0)),
        ]
        let latency = mode == "greedy" ? [("latency_D", "\(GreedyTiming.pipelineDepth(lanes: config.lanes))")] : []
        let drafts = draftKind.map { [("drafts", "\"\($0)\"")] } ?? []
        return "{\"summary\":{" + (fields + drafts + latency).map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}}"
    }
}
