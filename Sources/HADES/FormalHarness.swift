import Foundation
import Golden
import HDL

/// A safety checker around the verifier, for Yosys' SAT-based bounded model checking and temporal induction.
///
/// The checker instantiates the unmodified verifier, leaves every verifier input free (an arbitrary environment:
/// any command, any logits, `tlast` anywhere, any readiness, reset at any time) and watches only the ports.
/// Each property is a 1-bit output that must stay 1; `ok` is their AND.
///
/// - `ok_accepted`: every result has accepted n ≤ γ of its command (γ tracked from the command handshakes in a
///   queue, popped at each result handshake).
/// - `ok_rollback`: every result has rollback = γ − n exactly.
/// - `ok_token`: every token on the token stream and every result token is < V.
/// - `ok_count`: every round emits exactly n+1 tokens (tokens between `tlast`s, matched in order with the
///   results' n, whichever stream runs ahead); no round has more than Γ+1 tokens.
/// - `ok_command`: no result without a command (results handshaken ≤ commands handshaken), and at most
///   D + 3 rounds are ever in flight (two command slots, D − 1 pipeline registers, two result FIFO entries).
/// - `ok_fields`: every result offered is self-consistent without reference to its command: γ = n + rollback ≤ Γ
///   when `bad_gamma` is clear, n = 0 and rollback > Γ when it is set, `residual_zero` (sampling only) clear.
///
/// The checker's registers reset with the verifier (synchronous, `aresetn` low), so a reset at any time starts
/// both from empty.
public enum FormalHarness {
    public enum Mutation: String, CaseIterable, Sendable {
        /// `ok_accepted` demands n ≤ γ − 1 for γ ≥ 1: false as soon as a round accepts every draft token.
        case acceptedBelowGamma
        /// `ok_token` demands tokens < V − 1: false as soon as V − 1 is emitted.
        case tokenBelowLastIndex
    }

    public static let propertyNames = ["ok_accepted", "ok_rollback", "ok_token", "ok_count", "ok_command", "ok_fields"]

    /// The most rounds (commands handshaken, results not yet) the verifier can hold: D + 3.
    public static func maxRoundsInFlight(_ c: VerifierConfig) -> Int { GreedyTiming.pipelineDepth(lanes: c.lanes) + 3 }

    /// Entries of the checker's queues: a power of two ≥ max(D + 3, 8).
    public static func queueDepth(_ c: VerifierConfig) -> Int {
        var d = 8
        while d < maxRoundsInFlight(c) { d *= 2 }
        return d
    }

    public static func defaultName(_ c: VerifierConfig) -> String {
        GreedyVerifierRTL.defaultName(c).replacingOccurrences(of: "hades_verify", with: "hades_checker")
    }

    /// `target` nil: outputs `ok` and every `ok_…` (for `sat`). `target` set: a single output `bad`, high when that
    /// property is violated after a reset (for AIGER model checkers, which treat every output as a bad-state flag).
    public static func module(_ c: VerifierConfig, mutation: Mutation? = nil, target: String? = nil) throws -> Module {
        precondition(target.map { propertyNames.contains($0) || $0 == "ok" } ?? true, "unknown property \(target!)")
        let verifier = try HADESGenerator.module(c)
        let io = VerifierInterface(c)
        let tw = c.tokenBits, gw = c.gammaBits
        let depth = queueDepth(c)
        let pointerBits = ceilLog2(depth)
        let countBits = pointerBits + 1
        let tokenCountBits = max(gw + 1, bitsToHold(c.gammaMax + 1))
        let name = defaultName(c) + (mutation.map { "_\($0.rawValue.lowercased())" } ?? "") + (target.map { "_\($0)" } ?? "")
        return try Module.build(name, parameters: [
            ("vocab", "\(c.vocab)"), ("gamma_max", "\(c.gammaMax)"), ("lanes", "\(c.lanes)"),
            ("format", c.format.description), ("queue_depth", "\(depth)"),
        ], doc: ["safety checker for \(verifier.name): free inputs, 1-bit property outputs (formal only)"]) { m in
            let dut = m.instance(verifier, name: "u_dut")
            // Every verifier input comes straight from a checker input: the environment is unconstrained.
            let cmdValid = m.input("s_axis_cmd_tvalid", 1)
            let cmdData = m.input("s_axis_cmd_tdata", io.commandBits)
            let logitsValid = m.input("s_axis_logits_tvalid", 1)
            let logitsData = m.input("s_axis_logits_tdata", io.logitBusBits)
            let logitsLast = m.input("s_axis_logits_tlast", 1)
            let resultReady = m.input("m_axis_result_tready", 1)
            let tokensReady = m.input("m_axis_tokens_tready", 1)
            dut["s_axis_cmd_tvalid"] <== cmdValid
            dut["s_axis_cmd_tdata"] <== cmdData.zeroExtended(to: io.commandTDataBits)  // padding: ignored by the unit
            dut["s_axis_logits_tvalid"] <== logitsValid
            dut["s_axis_logits_tdata"] <== logitsData.zeroExtended(to: io.logitTDataBits)
            dut["s_axis_logits_tlast"] <== logitsLast
            dut["m_axis_result_tready"] <== resultReady
            dut["m_axis_tokens_tready"] <== tokensReady

            // Properties are demanded once a reset has been seen (the power-up state before it is arbitrary).
            // This register's reset value is 1 and it never clears; its power-up value must be 0 (`init` in the
            // model checker's script).
            let seenReset = m.reg("chk_seen_reset", 1, reset: 1)
            seenReset <== seenReset

            let cmdFire = m.named("chk_cmd_fire", cmdValid & dut["s_axis_cmd_tready"])
            let resultFire = m.named("chk_result_fire", dut["m_axis_result_tvalid"] & resultReady)
            let tokenFire = m.named("chk_token_fire", dut["m_axis_tokens_tvalid"] & tokensReady)
            let tokenLast = dut["m_axis_tokens_tlast"]
            let result = dut["m_axis_result_tdata"]
            let resultToken = result.bits(tw - 1, 0)
            let accepted = result.bits(tw + gw - 1, tw)
            let rollback = result.bits(tw + 2 * gw - 1, tw + gw)

            // MARK: γ of every command in flight (pushed at the command handshake, popped at the result)
            let gammaSlots = m.regs("chk_gamma", count: depth, gw)
            let gammaHead = m.reg("chk_gamma_head", pointerBits, reset: 0)
            let gammaTail = m.reg("chk_gamma_tail", pointerBits, reset: 0)
            let inFlight = m.reg("chk_in_flight", countBits, reset: 0)
            let roundGamma = m.select("chk_round_gamma", gammaSlots, index: gammaHead)
            m.when(cmdFire) {
                gammaTail <== gammaTail &+ 1
                for (i, slot) in gammaSlots.enumerated() { m.when(gammaTail === i) { slot <== cmdData.bits(gw - 1, 0) } }
            }
            m.when(resultFire) { gammaHead <== gammaHead &+ 1 }
            m.when(cmdFire & !resultFire) { inFlight <== inFlight &+ 1 }.elseWhen(resultFire & !cmdFire) { inFlight <== inFlight &- 1 }

            let resultWithoutCommand = resultFire & (inFlight === 0)
            let overflow = cmdFire & !resultFire & (inFlight === maxRoundsInFlight(c))
            let okCommand = m.named("chk_ok_command", !resultWithoutCommand & !overflow)

            let wideAccepted = accepted.zeroExtended(to: gw + 1), wideGamma = roundGamma.zeroExtended(to: gw + 1)
            let acceptedOK: Value
            switch mutation {
            case .acceptedBelowGamma?: acceptedOK = (roundGamma === 0) | (wideAccepted &+ 1 <= wideGamma)
            default: acceptedOK = accepted <= roundGamma
            }
            let okAccepted = m.named("chk_ok_accepted", !resultFire | acceptedOK)
            let okRollback = m.named("chk_ok_rollback",
                                     !resultFire | ((wideAccepted &+ rollback.zeroExtended(to: gw + 1)) === wideGamma))

            // MARK: result fields consistent on their own
            let flags = result.bits(tw + 2 * gw + ResultFlags.bitCount - 1, tw + 2 * gw)
            let badGammaFlag = flags[1], residualFlag = flags[5]
            let total = wideAccepted &+ rollback.zeroExtended(to: gw + 1)
            let fieldsOK = !residualFlag & mux(badGammaFlag, (accepted === 0) & (rollback > c.gammaMax), total <= c.gammaMax)
            let okFields = m.named("chk_ok_fields", !dut["m_axis_result_tvalid"] | fieldsOK)

            // MARK: tokens < V
            let limit = mutation == .tokenBelowLastIndex ? c.vocab - 1 : c.vocab
            let tokenData = dut["m_axis_tokens_tdata"].bits(tw - 1, 0)
            let inRange: (Value) -> Value = { v in limit >= 1 << tw ? .true : v < limit }
            let okToken = m.named("chk_ok_token", (!dut["m_axis_tokens_tvalid"] | inRange(tokenData))
                & (!dut["m_axis_result_tvalid"] | inRange(resultToken)))

            // MARK: n+1 tokens per round
            let tokenCount = m.reg("chk_token_count", tokenCountBits, reset: 0)  // tokens of the open token round
            let roundTokens = m.named("chk_round_tokens", tokenCount &+ 1)        // including this one
            m.when(tokenFire) { tokenCount <== mux(tokenLast, .literal(0, width: tokenCountBits), roundTokens) }
            let tooMany = tokenFire & !tokenLast & (roundTokens > c.gammaMax)
            // Unmatched per-round counts of whichever stream runs ahead: results' n+1 (lead 0) or token rounds' counts (lead 1).
            let pendingSlots = m.regs("chk_pending", count: depth, tokenCountBits)
            let pendingHead = m.reg("chk_pending_head", pointerBits, reset: 0)
            let pendingTail = m.reg("chk_pending_tail", pointerBits, reset: 0)
            let pendingCount = m.reg("chk_pending_count", countBits, reset: 0)
            let tokensLead = m.reg("chk_tokens_lead", 1, reset: 0)
            let pendingFront = m.select("chk_pending_front", pendingSlots, index: pendingHead)
            let resultTokens = m.named("chk_result_tokens", accepted.zeroExtended(to: tokenCountBits) &+ 1)
            let roundDone = m.named("chk_token_round_done", tokenFire & tokenLast)
            let empty = pendingCount === 0
            let bothNow = resultFire & roundDone
            // Pop: the other side's event arrives while this side leads.
            let pop = m.named("chk_pending_pop", !empty & mux(tokensLead, resultFire, roundDone))
            // Push: the leading (or, when empty, the only) side's event.
            let pushResult = m.named("chk_push_result", resultFire & mux(empty, !roundDone, !tokensLead))
            let pushTokens = m.named("chk_push_tokens", roundDone & mux(empty, !resultFire, tokensLead))
            let push = pushResult | pushTokens
            let mismatch = (empty & bothNow & (resultTokens =/= roundTokens))
                | (pop & (pendingFront =/= mux(tokensLead, resultTokens, roundTokens)))
            let pendingOverflow = push & !pop & (pendingCount === depth)
            m.when(push) {
                pendingTail <== pendingTail &+ 1
                for (i, slot) in pendingSlots.enumerated() {
                    m.when(pendingTail === i) { slot <== mux(pushTokens, roundTokens, resultTokens) }
                }
            }
            m.when(pop) { pendingHead <== pendingHead &+ 1 }
            m.when(push & !pop) { pendingCount <== pendingCount &+ 1 }.elseWhen(pop & !push) { pendingCount <== pendingCount &- 1 }
            m.when(empty & push) { tokensLead <== pushTokens }
            let okCount = m.named("chk_ok_count", !tooMany & !mismatch & !pendingOverflow)

            var values = ["ok_accepted": okAccepted, "ok_rollback": okRollback, "ok_token": okToken,
                          "ok_count": okCount, "ok_command": okCommand, "ok_fields": okFields]
            values["ok"] = concat(propertyNames.map { values[$0]! }).andReduce
            if let target {
                m.output("bad", 1) <== seenReset & !values[target]!
            } else {
                for name in ["ok"] + propertyNames { m.output(name, 1) <== !seenReset | values[name]! }
            }
        }
    }

    /// The checker and the verifier as one Verilog-2005 file.
    public static func verilog(_ c: VerifierConfig, mutation: Mutation? = nil) throws -> String {
        VerilogEmitter.emit(try module(c, mutation: mutation))
    }

    /// How a property is checked.
    public enum Engine: Sendable, Equatable, CustomStringConvertible {
        /// Yosys `sat` bounded model check: from any power-up state, `aresetn` low in step 1 and free afterwards,
        /// the property holds in steps 2 … `depth`.
        case bmc(depth: Int)
        /// Yosys `sat -tempinduct`: the BMC base case plus the k-step induction, k ≤ `maxSteps`.
        case kInduction(maxSteps: Int)
        /// ABC's property-directed reachability (IC3, `pdr`) on the same flattened design written as AIGER by Yosys:
        /// unbounded, from any power-up state, once a reset has been seen (resets at any time after that).
        /// `simplify` first merges sequentially equivalent signals (`scorr`), which some properties need.
        case pdr(simplify: Bool)

        public static let pdr = Engine.pdr(simplify: false)
        public var isPDR: Bool { if case .pdr = self { return true } else { return false } }

        public var description: String {
            switch self {
            case let .bmc(d): return "BMC depth \(d)"
            case let .kInduction(k): return "k-induction k ≤ \(k)"
            case let .pdr(simplify): return simplify ? "scorr + PDR (unbounded)" : "PDR (unbounded)"
            }
        }
    }

    public struct Outcome: Sendable, CustomStringConvertible {
        public enum Verdict: String, Sendable { case proven, failed, inconclusive }
        public let property: String
        public let engine: Engine
        public let verdict: Verdict
        /// The time step (BMC, k-induction) or frame (PDR) of a counterexample.
        public let counterexampleStep: Int?
        /// BMC and k-induction: the number of steps from reset for which the property was shown to hold (the
        /// bounded result when the run ended early, by `timeout`).
        public let provenSteps: Int?
        public let seconds: Double
        public let log: String
        public var description: String {
            "\(property): \(verdict.rawValue) by \(engine)" + (counterexampleStep.map { ", counterexample at step \($0)" } ?? "")
                + (verdict != .proven ? provenSteps.map { ", holds for \($0) steps from reset" } ?? "" : "")
                + String(format: " (%.1f s)", seconds)
        }
    }

    /// The Yosys `sat` script. Reset: `aresetn` is low in step 1 (the initial state is otherwise arbitrary: the
    /// power-up value of every register) and free afterwards; `-seq 1` leaves step 1 (the reset itself) unchecked.
    public static func satScript(file: String, top: String, property: String, engine: Engine, timeout: Int) -> String {
        let mode: String
        switch engine {
        case let .bmc(depth): mode = "-tempinduct -tempinduct-baseonly -maxsteps \(depth)"
        case let .kInduction(k): mode = "-tempinduct -maxsteps \(k)"
        case .pdr: preconditionFailure("PDR does not use sat")
        }
        return "read_verilog \(file); prep -top \(top) -flatten; "
            + "sat \(mode) -seq 1 -prove \(property) 1 -set-at 1 aresetn 0 -timeout \(timeout) -show-inputs -show-outputs"
    }

    /// The Yosys script that writes the checker (with a single `bad` output) as AIGER for ABC: `chk_seen_reset`
    /// powers up 0, every other register powers up to an arbitrary value (`-zinit` adds an input for it), undefined
    /// constants become free inputs (`setundef -anyseq`), so the proof covers every resolution of them.
    public static func aigerScript(file: String, top: String, output: String) -> String {
        "read_verilog \(file); prep -top \(top) -flatten; setattr -set init 1'0 w:chk_seen_reset; async2sync; "
            + "techmap; opt -fast -nodffe -nosdff; dffunmap; setundef -anyseq; aigmap; opt_clean; write_aiger -zinit \(output)"
    }

    /// Checks `property` ("ok" for all together) of the checker for `c`. `timeout` (seconds) bounds the whole
    /// run; a BMC cut short reports the depth it reached as `provenSteps`.
    public static func check(_ c: VerifierConfig, property: String = "ok", engine: Engine, mutation: Mutation? = nil,
                             timeout: Int = 300) throws -> Outcome {
        let started = Date()
        let checker = try module(c, mutation: mutation, target: engine.isPDR ? property : nil)
        let dir = try ExternalTools.writeTemporary([("checker.v", VerilogEmitter.emit(checker))])
        defer { try? FileManager.default.removeItem(at: dir) }
        let log: String
        let verdict: Outcome.Verdict
        var step: Int?
        var provenSteps: Int?
        switch engine {
        case .bmc, .kInduction:
            let r = try ExternalTools.run("timeout", ["\(timeout)", "yosys", "-p",
                                                     satScript(file: "checker.v", top: checker.name, property: property,
                                                               engine: engine, timeout: timeout)], in: dir)
            log = r.stdout + r.stderr
            provenSteps = lastNumber(after: "Base case for induction length ", in: log)
            if r.status != 0 || log.contains("ERROR") {
                verdict = .inconclusive
            } else if log.contains("FAIL!") {
                verdict = .failed
                step = lastNumber(after: "[base case ", in: log).map { $0 + 1 }
            } else if log.contains("SUCCESS!") {
                verdict = .proven
            } else {
                verdict = .inconclusive  // induction did not close, or a SAT call timed out
            }
        case let .pdr(simplify):
            let y = try ExternalTools.run("yosys", ["-q", "-p", aigerScript(file: "checker.v", top: checker.name,
                                                                             output: "checker.aig")], in: dir)
            guard y.status == 0 else {
                throw FormalError(description: "yosys could not write AIGER:\n" + (y.stdout + y.stderr).suffix(2000))
            }
            let prepare = simplify ? "strash; scorr; dc2; " : ""
            let r = try ExternalTools.run("yosys-abc", ["-c", "read_aiger checker.aig; \(prepare)pdr -T \(timeout); print_status"],
                                          in: dir)
            log = r.stdout + r.stderr
            // print_status: 1 = the property holds, 0 = a counterexample was found, -1 = undecided.
            if log.contains("Status = 1 ") {
                verdict = .proven
            } else if log.contains("Status = 0 ") {
                verdict = .failed
                step = lastNumber(after: "Frame = ", in: log)
            } else {
                verdict = .inconclusive
            }
        }
        return Outcome(property: property, engine: engine, verdict: verdict, counterexampleStep: step,
                       provenSteps: provenSteps, seconds: Date().timeIntervalSince(started), log: log)
    }

    public struct FormalError: Error, CustomStringConvertible {
        public let description: String
    }

    static func lastNumber(after marker: String, in log: String) -> Int? {
        var result: Int?
        var rest = Substring(log)
        while let r = rest.range(of: marker) {
            rest = rest[r.upperBound...].drop { $0 == " " }
            result = Int(rest.prefix { $0.isNumber }) ?? result
        }
        return result
    }
}
