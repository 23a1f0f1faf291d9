import ArgumentParser
import CoSim
import Foundation
import Golden
import Trace

/// `hades-sim --mode tree`: the token-tree verifier against the golden tree rule on a trace with `parents`.
extension HadesSim {
    func runTree(_ loaded: SpeculativeTrace, format: LogitFormat) throws {
        guard loaded.isTree else { throw Usage("--trace \(trace): --mode tree needs the array parents [R, G]") }
        let config: TreeConfig
        do { config = try TreeConfig(vocab: loaded.vocab, maxNodes: nodes ?? loaded.gammaMax, lanes: hardware.lanes, format: format) } catch {
            throw Usage("--nodes/--trace: \(error)")
        }
        let countLimit = (1 << config.countBits) - 1, tokenLimit = (1 << config.tokenBits) - 1
        for r in 0..<loaded.rounds {
            if loaded.gamma(r) > countLimit {
                throw Usage("--nodes \(config.maxNodes): round \(r) of \(trace) has \(loaded.gamma(r)) nodes, more than the "
                    + "command's \(config.countBits)-bit count field holds (\(countLimit))")
            }
            for (i, x) in loaded.draftTokens(r).enumerated() where x > tokenLimit {
                throw Usage("--trace \(trace): round \(r) node \(i) token \(x) does not fit the command's \(config.tokenBits)-bit field")
            }
            for (i, p) in loaded.parents(r)!.enumerated() where p + 1 > countLimit {
                throw Usage("--trace \(trace): round \(r) node \(i) parent \(p) does not fit the command's \(config.countBits)-bit field")
            }
        }
        let rounds: [TreeCoSimRound]
        do { rounds = try TreeTraceRounds.rounds(loaded, format: format) } catch { throw Usage("\(error)") }
        let started = Date()
        let sim = try TreeSimulator(config: config, waves: waves != nil)
        if let w = waves { try sim.model.startWaves(to: w) }
        let buildSeconds = Date().timeIntervalSince(started)
        var report = SimReport(config: config.rows, clockMHz: clockMHz)
        report.idealFormula = "(lastRow+1)*B + D_T, D_T = D + 1 = \(TreeTiming.pipelineDepth(lanes: hardware.lanes))"
        let simStarted = Date()
        var committed: UInt32 = 0
        let batch = 8
        for start in stride(from: 0, to: rounds.count, by: batch) {
            let slice = Array(rounds[start..<min(rounds.count, start + batch)])
            let result = try TreeCoSimulation.run(slice, on: sim, resetFirst: start == 0, committedBefore: committed)
            committed = result.hardwareCommittedLength
            for (i, h) in result.hardware.enumerated() {
                let r = start + i
                if let d = result.disagreement, d.round == i {
                    FileHandle.standardError.write(Data(("hades-sim: disagreement at round \(r), row \(result.expected[i].outcome.lastRow) "
                        + "(where the walk stopped), field \(d.field): golden \(d.expected), RTL \(d.got)\n").utf8))
                    throw ExitCode(1)
                }
                let path = result.expected[i].outcome.path.map(String.init).joined(separator: ",")
                print(String(SimReport.roundLine(round: r, gamma: slice[i].round.nodes, hardware: h.round).dropLast())
                      + ",\"path\":[\(path)]}")
                report.add(gamma: slice[i].round.nodes, hardware: h.round, ideal: result.expected[i].cycles,
                           beats: (slice[i].round.nodes + 1) * config.beatsPerRow,
                           reference: loaded.referenceAccepted(r).map { ($0, loaded.referenceNextToken(r) ?? -1) })
            }
        }
        if waves != nil { sim.model.stopWaves() }
        report.simSeconds = Date().timeIntervalSince(simStarted)
        report.buildSeconds = buildSeconds
        report.fixedArgmax = try TraceRounds.argmaxDifferences(loaded, format: .fixed(width: 16, fraction: 8))
        // The summary's Γ field is the row datapath's; a tree unit has N instead.
        print(report.summaryLine(trace: trace, mode: "tree")
            .replacingOccurrences(of: "\"gamma_max\":\(config.rows.gammaMax),", with: "\"max_nodes\":\(config.maxNodes),"))
    }
}
