import Foundation
import Golden
import HADES
import HDL
import VerilatorBridge

/// What the documentation diagrams are drawn from (`hades-export diagrams`, then `tools/diagrams.py`): the
/// stream layouts of `VerifierInterface`, one round recorded cycle by cycle from the Verilated RTL, and the
/// elaborated module structure of each unit. Committed as `docs/diagrams/model.json`; a test fails when stale.
public enum DiagramModel {
    /// The round of the waveform: V = 12 over L = 4 lanes (B = 3 beats per row), Γ = γ = 3, fixed8.4; the first
    /// draft token matches, the second does not (n = 1: tokens 5, then the correction 9).
    public static let roundConfig = try! VerifierConfig(vocab: 12, gammaMax: 3, lanes: 4, format: .fixed(width: 8, fraction: 4))
    public static let roundDrafts = [5, 7, 2]
    static let rowArgmax = [5, 9, 2, 0]
    /// Configurations whose structure is drawn (the README's default instance sizes, small enough to read).
    public static let greedyConfig = try! VerifierConfig(vocab: 50257, gammaMax: 16, lanes: 16, format: .fp16)
    public static let samplingConfig = try! VerifierConfig(vocab: 49152, gammaMax: 8, lanes: 16, format: .fixed(width: 16, fraction: 8))

    struct Field: Codable { let name: String; let lsb: Int; let bits: Int }
    struct Stream: Codable { let name: String; let bits: Int; let fields: [Field] }
    struct Unit: Codable {
        let unit: String
        let config: String
        let modules: [ModuleStructure]
    }
    struct Round: Codable {
        let config: String
        let beatsPerRow: Int
        let pipelineDepth: Int
        let gamma: Int
        let draftTokens: [Int]
        /// Per cycle (before its rising edge): port name → value (1-bit ports and the token/result fields).
        let cycles: [[String: Int]]
    }
    struct Model: Codable {
        let generator: String
        let layoutConfig: String
        let streams: [Stream]
        let round: Round
        let units: [Unit]
    }

    static func describe(_ c: VerifierConfig) -> String {
        "V=\(c.vocab) Γ=\(c.gammaMax) L=\(c.lanes) \(c.format)"
    }

    /// The TDATA layouts of `VerifierInterface.layouts`, arrays and flags expanded to one field per entry/bit.
    static func streams(_ c: VerifierConfig) -> [Stream] {
        VerifierInterface(c).layouts.map { layout in
            let fields = layout.fields.flatMap { f -> [Field] in
                if f.name == "flags" {
                    return ResultFlags.named.prefix(ResultFlags.bitCount).enumerated().map { Field(name: $1.name, lsb: f.offset + $0, bits: 1) }
                }
                if f.count == 1 { return [Field(name: f.name, lsb: f.offset, bits: f.width)] }
                return (0..<f.count).map { Field(name: "\(f.name)[\($0)]", lsb: f.offset + $0 * f.stride, bits: f.width) }
            }
            return Stream(name: layout.port, bits: layout.tdataBits, fields: fields)
        }
    }

    /// Streams one round through the RTL with a producer that never stalls and a ready consumer.
    static func recordRound() throws -> Round {
        let c = roundConfig
        let sim = try VerifierSimulator(config: c)
        let model = sim.model
        let io = sim.interface
        var beats: [[UInt32]] = []
        for row in 0...roundDrafts.count {
            let codes = (0..<c.vocab).map { UInt32($0 == rowArgmax[row] ? 40 : ($0 * 7 + row * 3) % 11) }
            codes.withUnsafeBufferPointer { all in
                for beat in 0..<c.beatsPerRow {
                    var words: [UInt32] = []
                    io.packBeat(all, beat: beat, into: &words)
                    beats.append(words)
                }
            }
        }
        try model.reset()
        let command = io.packCommand(gamma: roundDrafts.count, draftTokens: roundDrafts)
        var commandSent = false, beatsSent = 0, results = 0, tokensSeen = 0
        var cycles: [[String: Int]] = []
        func peek(_ name: String) throws -> Int { Int(try model.peek(name)) }
        var idle = 0  // cycles recorded after the round is complete
        while idle < 2 && cycles.count < 64 {
            if beatsSent == beats.count && results > 0 && tokensSeen == 2 { idle += 1 }
            try model.poke("s_axis_cmd_tvalid", commandSent ? 0 : 1)
            try model.poke(try model.port("s_axis_cmd_tdata"), words: commandSent ? [] : command)
            let more = beatsSent < beats.count
            try model.poke("s_axis_logits_tvalid", more ? 1 : 0)
            try model.poke(try model.port("s_axis_logits_tdata"), words: more ? beats[beatsSent] : [])
            try model.poke("s_axis_logits_tlast", more && beatsSent % c.beatsPerRow == c.beatsPerRow - 1 ? 1 : 0)
            try model.poke("m_axis_result_tready", 1)
            try model.poke("m_axis_tokens_tready", 1)
            try model.eval()
            var row: [String: Int] = [:]
            for name in ["s_axis_cmd_tvalid", "s_axis_cmd_tready", "s_axis_logits_tvalid", "s_axis_logits_tready",
                         "s_axis_logits_tlast", "m_axis_result_tvalid", "m_axis_result_tready",
                         "m_axis_tokens_tvalid", "m_axis_tokens_tready", "m_axis_tokens_tlast", "m_axis_tokens_tdata"] {
                row[name] = try peek(name)
            }
            let result = io.unpackResult(model.peekWords(try model.port("m_axis_result_tdata")))
            row["result_token"] = result.token
            row["result_accepted"] = result.accepted
            row["result_rollback"] = result.rollback
            row["logits_beat"] = more ? beatsSent : -1
            cycles.append(row)
            if row["s_axis_cmd_tvalid"]! & row["s_axis_cmd_tready"]! == 1 { commandSent = true }
            if row["s_axis_logits_tvalid"]! & row["s_axis_logits_tready"]! == 1 { beatsSent += 1 }
            if row["m_axis_result_tvalid"] == 1 { results += 1 }
            if row["m_axis_tokens_tvalid"] == 1 { tokensSeen += 1 }
            try model.step()
        }
        return Round(config: describe(c), beatsPerRow: c.beatsPerRow, pipelineDepth: c.pipelineDepth,
                     gamma: roundDrafts.count, draftTokens: roundDrafts, cycles: cycles)
    }

    static func unit(_ name: String, _ c: VerifierConfig, _ top: Module) -> Unit {
        // The top first, then each distinct module below it (children before parents in `hierarchy`).
        Unit(unit: name, config: describe(c), modules: [top.structure] + top.hierarchy.dropLast().reversed().map(\.structure))
    }

    public static func json() throws -> String {
        let model = Model(generator: "hades-export diagrams", layoutConfig: describe(roundConfig),
                          streams: streams(roundConfig), round: try recordRound(),
                          units: [unit("greedy", greedyConfig, try HADESGenerator.module(greedyConfig)),
                                  unit("sampling", samplingConfig, try SamplingVerifierRTL.module(samplingConfig))])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(model), as: UTF8.self) + "\n"
    }
}
