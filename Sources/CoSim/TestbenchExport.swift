import Foundation
import Golden
import HADES
import Trace

/// `hades-sim --export-testbench DIR`: a directory that runs one configuration on real-trace rounds in any
/// Verilog simulator, without Swift: the configuration's Verilog, the static testbench (`testbench/hades_tb.v`,
/// `testbench/run.sh`), `tb_config.vh`, hex vectors (expected values from the golden model in `expected*` files)
/// and `manifest.json`. `DIR/run.sh iverilog|verilator` exits 0 only on PASS.
public enum TestbenchExport {
    public enum Mode: String { case greedy, sampling }

    /// The committed testbench sources, found from this file (`Sources/CoSim/` → `testbench/`).
    public static var sourceDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("testbench")
    }
    static let staticFiles = ["hades_tb.v", "run.sh"]
    /// Random gaps on the inputs and back-pressure on the outputs, each 64/256 = 25 % of cycles.
    static let gap = 64, stall = 64

    public struct Summary {
        public let top: String
        public let rounds: Int
        public let files: [String]
    }

    /// Writes the export of `range` (default: every round) into `dir` (created; existing files are replaced).
    /// Everything is computed before the first file is written, so a bad trace leaves nothing behind.
    @discardableResult
    /// `command`: how to reproduce the export (recorded in the manifest, without the output directory).
    /// `oneHot` (sampling): one-hot drafts, no draft rows (as `hades-sim --one-hot`; always so without draft_logits).
    public static func write(trace: SpeculativeTrace, command: String, config: VerifierConfig, mode: Mode,
                             oneHot: Bool = false, range: Range<Int>? = nil, to dir: URL) throws -> Summary {
        let range = range ?? 0..<trace.rounds
        let io = VerifierInterface(config)
        var cmd: [String] = [], logits: [String] = [], draft: [String] = []
        var outcomes: [RoundOutcome] = []
        let verilog: String, top: String, commandBits: Int
        func beats(_ codes: [UInt32], rows: Int, into lines: inout [String]) {
            var words: [UInt32] = []
            codes.withUnsafeBufferPointer { all in
                for row in 0..<rows {
                    let rowCodes = UnsafeBufferPointer(rebasing: all[row * config.vocab..<(row + 1) * config.vocab])
                    for beat in 0..<config.beatsPerRow {
                        io.packBeat(rowCodes, beat: beat, into: &words)
                        lines.append(hex(words, bits: io.logitTDataBits, top: beat == config.beatsPerRow - 1))
                    }
                }
            }
        }
        switch mode {
        case .greedy:
            let rounds = try TraceRounds.rounds(trace, format: config.format, range: range)
            outcomes = CoSimulation.golden(rounds, config: config)
            for r in rounds {
                cmd.append(hex(io.packCommand(gamma: r.gamma, draftTokens: r.draftTokens), bits: io.commandTDataBits))
                beats(r.codes, rows: r.gamma + 1, into: &logits)
            }
            verilog = try HADESGenerator.verilog(config)
            top = GreedyVerifierRTL.defaultName(config)
            commandBits = io.commandTDataBits
        case .sampling:
            let sio = SamplingInterface(config)
            let rounds = try SamplingTraceRounds.rounds(trace, format: config.format, oneHot: oneHot, range: range)
            outcomes = rounds.map { SamplingVerifier.verify($0, config: config) }
            for r in rounds {
                cmd.append(hex(sio.packCommand(gamma: r.gamma, draftTokens: r.draftTokens, uniforms: r.uniforms,
                                               oneHot: r.oneHot), bits: sio.commandTDataBits))
                beats(r.targetCodes, rows: r.gamma + 1, into: &logits)
                beats(r.draftCodes, rows: r.oneHot ? 0 : r.gamma, into: &draft)
            }
            verilog = try HADESGenerator.samplingVerilog(config)
            top = SamplingVerifierRTL.defaultName(config)
            commandBits = sio.commandTDataBits
        }
        var results: [String] = [], tokens: [String] = []
        var counter = CommitCounter()
        for o in outcomes {
            let tw = config.tokenBits, gw = config.gammaBits
            let value = UInt64(o.token) | UInt64(o.accepted) << tw | UInt64(o.rollback) << (tw + gw)
                | UInt64(o.flags.rawValue) << (tw + 2 * gw)
            results.append(hex([UInt32(truncatingIfNeeded: value), UInt32(truncatingIfNeeded: value >> 32)],
                               bits: io.resultTDataBits))
            for (i, t) in o.emitted.enumerated() {
                tokens.append(hex([UInt32(t)], bits: io.tokenTDataBits, top: i == o.emitted.count - 1))
            }
            counter.advance(by: o)
        }
        // Generous: every beat and token delayed by gaps and stalls, plus the sampling passes and pipeline gaps.
        let work = logits.count + draft.count + tokens.count + outcomes.count * (2 * config.beatsPerRow + 64)
        let defines: [(String, String)] = [
            ("HADES_TB_DUT", top), ("HADES_TB_CMD_W", "\(commandBits)"), ("HADES_TB_LOGIT_W", "\(io.logitTDataBits)"),
            ("HADES_TB_RESULT_W", "\(io.resultTDataBits)"), ("HADES_TB_TOKEN_W", "\(io.tokenTDataBits)"),
            ("HADES_TB_TW", "\(config.tokenBits)"), ("HADES_TB_GW", "\(config.gammaBits)"),
            ("HADES_TB_ROUNDS", "\(outcomes.count)"), ("HADES_TB_LOGIT_BEATS", "\(logits.count)"),
            ("HADES_TB_DRAFT_BEATS", "\(draft.count)"), ("HADES_TB_TOKENS", "\(tokens.count)"),
            ("HADES_TB_MAX_CYCLES", "\(8 * work + 10_000)"), ("HADES_TB_GAP", "\(gap)"), ("HADES_TB_STALL", "\(stall)"),
        ]
        let configText = "// Configuration of hades_tb.v for \(top) (hades-sim --export-testbench). Do not edit.\n"
            + (mode == .sampling ? "`define HADES_TB_SAMPLING\n" : "")
            + defines.map { "`define \($0.0) \($0.1)\n" }.joined()
        let manifest = Self.manifest(top: top, mode: mode, command: command, range: range,
                                     outcomes: outcomes, counts: (logits.count, draft.count, tokens.count))
        var files: [(String, String)] = [
            ("\(top).v", verilog), ("tb_config.vh", configText), ("cmd.hex", lines(cmd)), ("logits.hex", lines(logits)),
            ("expected_result.hex", lines(results)), ("expected_tokens.hex", lines(tokens)),
            ("expected_committed.hex", lines([String(format: "%08x", counter.length)])), ("manifest.json", manifest),
        ]
        if !draft.isEmpty { files.append(("draft.hex", lines(draft))) }  // none in greedy and one-hot rounds
        for name in staticFiles {
            let url = sourceDirectory.appendingPathComponent(name)
            guard let text = try? String(contentsOf: url, encoding: .utf8) else {
                throw GoldenError(.config, "--export-testbench: cannot read the testbench source \(url.path)")
            }
            files.append((name, text))
        }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for (name, text) in files {
            try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir.appendingPathComponent("run.sh").path)
        return Summary(top: top, rounds: outcomes.count, files: files.map(\.0).sorted())
    }

    /// `bits` of little-endian `words` (plus a `top` bit above them: tlast) as hex digits, most significant first.
    static func hex(_ words: [UInt32], bits: Int, top: Bool? = nil) -> String {
        let total = bits + (top == nil ? 0 : 1)
        var digits: [Character] = []
        for d in stride(from: (total + 3) / 4 - 1, through: 0, by: -1) {
            var nibble = 0
            for b in 0..<4 {
                let bit = d * 4 + b
                let set = bit == bits ? (top ?? false) : bit < bits && bit / 32 < words.count && (words[bit / 32] >> UInt32(bit % 32)) & 1 == 1
                if set { nibble |= 1 << b }
            }
            digits.append(Character(String(nibble, radix: 16)))
        }
        return String(digits)
    }

    static func lines(_ l: [String]) -> String { l.map { $0 + "\n" }.joined() }

    static func manifest(top: String, mode: Mode, command: String, range: Range<Int>,
                         outcomes: [RoundOutcome], counts: (logits: Int, draft: Int, tokens: Int)) -> String {
        let rounds = outcomes.map { "[\($0.accepted), \($0.token)]" }.joined(separator: ", ")
        return """
            {
              "top": "\(top)",
              "mode": "\(mode.rawValue)",
              "command": "\(command) --export-testbench DIR",
              "rounds": [\(range.lowerBound), \(range.upperBound)],
              "accepted_and_token": [\(rounds)],
              "logit_beats": \(counts.logits),
              "draft_beats": \(counts.draft),
              "tokens": \(counts.tokens),
              "run": "./run.sh iverilog|verilator (exit 0 only on PASS)",
              "expected_values": "golden model (Sources/Golden), bit-exact with the RTL"
            }

            """
    }
}
