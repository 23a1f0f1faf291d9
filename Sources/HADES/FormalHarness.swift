import Foundation
import Golden
import HDL
import ToolRunners

/// The formal checker around the verifier: the DUT is the unmodified generated verifier; the checker watches its
/// ports and reports each property as a 1-bit output. `verilog(c)` appends a formal top (`ifdef FORMAL`) that
/// turns them into SystemVerilog immediate `assume`/`assert` statements for SymbiYosys (`testbench/formal/*.sby`,
/// run by `tools/formal.py`).
///
/// Environment (`env_ok`, assumed): AXI4-Stream rules on both inputs: once `tvalid` is high without `tready`, it
/// stays high and `tdata` (and `tlast`) stay stable until the handshake. Everything else is free: any command,
/// any logits, `tlast` anywhere, any readiness, reset at any time.
///
/// Properties (asserted; each holds in every cycle after the first reset):
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
/// - `ok_axis_result`, `ok_axis_tokens`: AXI4-Stream rules on both outputs: `tvalid` low in the cycle after a
///   reset; once high without `tready`, `tvalid` stays high and `tdata` (and `tlast`) stay stable.
///
/// Deliberately false properties (`brokenNames`, asserted only under `HADES_CHECK_BROKEN_…` to show the setup is
/// not vacuous): `broken_accepted` demands n ≤ γ − 1 for γ ≥ 1, `broken_token` demands tokens < V − 1.
///
/// The checker's registers reset with the verifier (synchronous, `aresetn` low), so a reset at any time starts
/// both from empty.
public enum FormalHarness {
    public static let propertyNames = ["ok_accepted", "ok_rollback", "ok_token", "ok_count", "ok_command", "ok_fields",
                                       "ok_axis_result", "ok_axis_tokens"]
    public static let brokenNames = ["broken_accepted", "broken_token"]

    /// The most rounds (commands handshaken, results not yet) the verifier can hold: D + 3.
    public static func maxRoundsInFlight(_ c: VerifierConfig) -> Int { GreedyTiming.pipelineDepth(lanes: c.lanes) + 3 }

    /// Entries of the checker's queues: a power of two ≥ max(D + 3, 8).
    public static func queueDepth(_ c: VerifierConfig) -> Int {
        var d = 8
        while d < maxRoundsInFlight(c) { d *= 2 }
        return d
    }

    public static func checkerName(_ c: VerifierConfig) -> String {
        GreedyVerifierRTL.defaultName(c).replacingOccurrences(of: "hades_verify", with: "hades_checker")
    }

    /// The formal top's name, also the file name under `testbench/formal/`.
    public static func formalName(_ c: VerifierConfig) -> String {
        GreedyVerifierRTL.defaultName(c).replacingOccurrences(of: "hades_verify", with: "hades_formal")
    }

    /// Outputs: `env_ok`, every name of `propertyNames` and `brokenNames`.
    public static func module(_ c: VerifierConfig) throws -> Module {
        let verifier = try GreedyVerifierRTL.submodule(c)
        let io = VerifierInterface(c)
        let tw = c.tokenBits, gw = c.gammaBits
        let depth = queueDepth(c)
        let pointerBits = ceilLog2(depth)
        let countBits = pointerBits + 1
        let tokenCountBits = max(gw + 1, bitsToHold(c.gammaMax + 1))
        return try Module.build(checkerName(c), parameters: [
            ("vocab", "\(c.vocab)"), ("gamma_max", "\(c.gammaMax)"), ("lanes", "\(c.lanes)"),
            ("format", c.format.description), ("queue_depth", "\(depth)"),
        ], doc: ["safety checker for \(verifier.module.name): free inputs, 1-bit property outputs (formal only)"]) { m in
            let dut = m.instance(verifier, name: "u_dut")
            // Every verifier input comes straight from a checker input; `env_ok` states the protocol rules on them.
            let cmdValid = m.input("s_axis_cmd_tvalid", 1)
            // Full TDATA widths: the solver may put anything in the padding bits (the unit must ignore them).
            let cmdData = m.input("s_axis_cmd_tdata", io.commandTDataBits)
            let logitsValid = m.input("s_axis_logits_tvalid", 1)
            let logitsData = m.input("s_axis_logits_tdata", io.logitTDataBits)
            let logitsLast = m.input("s_axis_logits_tlast", 1)
            let resultReady = m.input("m_axis_result_tready", 1)
            let tokensReady = m.input("m_axis_tokens_tready", 1)
            dut.command.valid <== cmdValid
            dut.command.data <== cmdData
            dut.logits.valid <== logitsValid
            dut.logits.data <== logitsData
            dut.logits.last! <== logitsLast
            dut.result.ready <== resultReady
            dut.tokens.ready <== tokensReady

            let cmdFire = m.named("chk_cmd_fire", cmdValid & dut.command.ready)
            let resultFire = m.named("chk_result_fire", dut.result.valid & resultReady)
            let tokenFire = m.named("chk_token_fire", dut.tokens.valid & tokensReady)
            let tokenLast = dut.tokens.last!
            let result = dut.result.data
            let resultToken = result.bits(tw - 1, 0)
            let accepted = result.bits(tw + gw - 1, tw)
            let rollback = result.bits(tw + 2 * gw - 1, tw + gw)

            // MARK: AXI4-Stream rules: a stalled beat (valid, not ready) is offered again, unchanged, next cycle.
            func stalled(_ name: String, valid: Value, ready: Value, payload: Value) -> Value {
                let wasStalled = m.regNext("chk_\(name)_stalled", valid & !ready, reset: 0)
                let held = m.regNext("chk_\(name)_held", payload)
                return m.named("chk_\(name)_kept", !wasStalled | (valid & (payload === held)))
            }
            let envOK = stalled("cmd", valid: cmdValid, ready: dut.command.ready, payload: cmdData)
                & stalled("logits", valid: logitsValid, ready: dut.logits.ready,
                          payload: concat([logitsLast, logitsData]))
            let afterReset = m.reg("chk_after_reset", 1, reset: 1)  // 1 only in the cycle after a reset
            afterReset <== .false
            let okAxisResult = stalled("result", valid: dut.result.valid, ready: resultReady, payload: result)
                & !(afterReset & dut.result.valid)
            let okAxisTokens = stalled("tokens", valid: dut.tokens.valid, ready: tokensReady,
                                       payload: concat([tokenLast, dut.tokens.data]))
                & !(afterReset & dut.tokens.valid)

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
            let okAccepted = m.named("chk_ok_accepted", !resultFire | (accepted <= roundGamma))
            let brokenAccepted = !resultFire | (roundGamma === 0) | (wideAccepted &+ 1 <= wideGamma)
            let okRollback = m.named("chk_ok_rollback",
                                     !resultFire | ((wideAccepted &+ rollback.zeroExtended(to: gw + 1)) === wideGamma))

            // MARK: result fields consistent on their own
            let flags = result.bits(tw + 2 * gw + ResultFlags.bitCount - 1, tw + 2 * gw)
            let badGammaFlag = flags[1], residualFlag = flags[5]
            let total = wideAccepted &+ rollback.zeroExtended(to: gw + 1)
            let fieldsOK = !residualFlag & mux(badGammaFlag, (accepted === 0) & (rollback > c.gammaMax), total <= c.gammaMax)
            let okFields = m.named("chk_ok_fields", !dut.result.valid | fieldsOK)

            // MARK: tokens < V
            let tokenData = dut.tokens.data.bits(tw - 1, 0)
            func tokensBelow(_ limit: Int) -> Value {
                let inRange: (Value) -> Value = { v in limit >= 1 << tw ? .true : v < limit }
                return (!dut.tokens.valid | inRange(tokenData)) & (!dut.result.valid | inRange(resultToken))
            }
            let okToken = m.named("chk_ok_token", tokensBelow(c.vocab))

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

            m.output("env_ok", 1) <== envOK
            let values = ["ok_accepted": okAccepted, "ok_rollback": okRollback, "ok_token": okToken,
                          "ok_count": okCount, "ok_command": okCommand, "ok_fields": okFields,
                          "ok_axis_result": okAxisResult, "ok_axis_tokens": okAxisTokens,
                          "broken_accepted": brokenAccepted, "broken_token": tokensBelow(c.vocab - 1)]
            for name in propertyNames + brokenNames { m.output(name, 1) <== values[name]! }
        }
    }

    /// The checker, the verifier and the formal top as one file (`testbench/formal/<formalName>.v`; `make formal-rtl`).
    public static func verilog(_ c: VerifierConfig) throws -> String {
        let checker = try module(c)
        return VerilogEmitter.emit(checker, command: "hades-export formal " + configArguments(c))
            + "\n" + formalTop(c, checker: checker)
    }

    public static func configArguments(_ c: VerifierConfig) -> String {
        "--gamma \(c.gammaMax) --vocab \(c.vocab) --lanes \(c.lanes) --format \(c.format)"
    }

    /// Verilog macro that enables the assertion of `property` (`HADES_CHECK_ALL` enables every true one).
    public static func macro(_ property: String) -> String { "HADES_CHECK_" + property.uppercased() }
}
