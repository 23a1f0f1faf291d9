import Foundation
import Golden
import HADES
import HDL
import ToolRunners
import XCTest

/// `hadesgen --layout json|c-header`: the JSON parses and agrees with the interface the RTL uses; the C header
/// compiles and its macros give the same offsets and cycle counts.
final class LayoutExportTests: XCTestCase {
    let greedy = try! VerifierConfig(vocab: 50257, gammaMax: 16, lanes: 16, format: .fp16)
    let sampling = try! VerifierConfig(vocab: 1000, gammaMax: 4, lanes: 5, format: LogitFormat(parsing: "fixed12.4"))

    func stream(_ json: [String: Any], _ name: String) throws -> [String: Any] {
        let streams = try XCTUnwrap(json["streams"] as? [[String: Any]])
        return try XCTUnwrap(streams.first { $0["name"] as? String == name }, name)
    }

    func field(_ stream: [String: Any], _ name: String) throws -> (offset: Int, width: Int, count: Int, stride: Int) {
        let fields = try XCTUnwrap(stream["fields"] as? [[String: Any]])
        let f = try XCTUnwrap(fields.first { $0["name"] as? String == name }, name)
        return (f["offset"] as! Int, f["width"] as! Int, f["count"] as! Int, f["stride"] as! Int)
    }

    func testGreedyJSONMatchesTheInterfaceAndTheRTLPorts() throws {
        let export = LayoutExport(greedy, mode: .greedy)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(export.json.utf8)) as? [String: Any])
        let io = VerifierInterface(greedy)
        XCTAssertEqual(json["top"] as? String, "hades_verify_g16_v50257_l16_fp16")
        // Numbers worked out by hand: TW = 16, GW = 5, B = ceil(50257/16), D = 2 tree levels · 2 stages + 6.
        XCTAssertEqual(json["beats_per_row"] as? Int, 3142)
        XCTAssertEqual(json["pipeline_depth"] as? Int, 10)
        XCTAssertEqual(json["cycles"] as? String, "(n + 1) * B + D")
        let cmd = try stream(json, "cmd"), result = try stream(json, "result")
        XCTAssertEqual(cmd["tdata_bits"] as? Int, 264)
        XCTAssertEqual(cmd["used_bits"] as? Int, 261)
        XCTAssertEqual(result["tdata_bits"] as? Int, 32)
        XCTAssertEqual(try stream(json, "logits")["tdata_bits"] as? Int, 256)
        XCTAssertEqual(try stream(json, "tokens")["tdata_bits"] as? Int, 16)
        XCTAssertTrue(try field(cmd, "gamma") == (0, 5, 1, 5))
        XCTAssertTrue(try field(cmd, "draft_token") == (5, 16, 16, 16))
        XCTAssertTrue(try field(result, "accepted") == (16, 5, 1, 5))
        XCTAssertTrue(try field(result, "flags") == (26, 6, 1, 6))
        // The same as the interface the generator builds the ports from.
        let module = try HADESGenerator.module(greedy)
        for (name, width) in [("cmd", io.commandTDataBits), ("logits", io.logitTDataBits), ("result", io.resultTDataBits),
                              ("tokens", io.tokenTDataBits)] {
            let s = try stream(json, name)
            XCTAssertEqual(s["tdata_bits"] as? Int, width, name)
            XCTAssertEqual(module.port(s["port"] as! String)?.width, width, name)
        }
        // A packed command puts γ and draft token 3 where the JSON says.
        let words = io.packCommand(gamma: 9, draftTokens: [1, 2, 3, 50256])
        let draft = try field(cmd, "draft_token")
        XCTAssertEqual(bits(words, 0, 5), 9)
        XCTAssertEqual(bits(words, draft.offset + 3 * draft.stride, draft.width), 50256)
        let flags = try XCTUnwrap(json["flags"] as? [[String: Any]])
        XCTAssertEqual(flags.map { $0["name"] as! String }, ResultFlags.named.prefix(ResultFlags.bitCount).map(\.name))
    }

    func testSamplingJSONPadsTheOddLogitBus() throws {
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(LayoutExport(sampling, mode: .sampling).json.utf8))
            as? [String: Any])
        let io = SamplingInterface(sampling)
        XCTAssertNil(json["pipeline_depth"])
        for name in ["logits", "draft"] {  // 5 lanes × 12 bits = 60 → 64
            XCTAssertEqual(try stream(json, name)["tdata_bits"] as? Int, 64)
            XCTAssertEqual(try stream(json, name)["used_bits"] as? Int, 60)
        }
        let cmd = try stream(json, "cmd")
        XCTAssertEqual(cmd["used_bits"] as? Int, io.commandBits)
        XCTAssertEqual(cmd["tdata_bits"] as? Int, io.commandTDataBits)
        XCTAssertEqual(io.commandTDataBits % 8, 0)
        XCTAssertTrue(try field(cmd, "uniform") == (io.uniformOffset, 32, 5, 32))
        XCTAssertTrue(try field(cmd, "one_hot") == (io.oneHotBit, 1, 1, 1))
        XCTAssertTrue(try field(cmd, "generator") == (io.generatorBit, 1, 1, 1))
    }

    /// Both headers in one C program (no macro clashes), built with -Wall -Werror; the program prints what the
    /// macros say and the test compares it with the interface and the cycle models.
    func testCHeaderCompilesAndAgrees() throws {
        let g = LayoutExport(greedy, mode: .greedy), s = LayoutExport(sampling, mode: .sampling)
        let gp = g.top.uppercased(), sp = s.top.uppercased()
        let program = """
            #include <stdio.h>
            #include "greedy.h"
            #include "sampling.h"
            int main(void) {
                printf("cmd_bits %d\\n", \(gp)_CMD_TDATA_BITS);
                printf("draft_3 %d\\n", \(gp)_CMD_DRAFT_TOKEN_OFFSET(3));
                printf("result_flags %d\\n", \(gp)_RESULT_FLAGS_OFFSET);
                printf("rollback %d\\n", \(gp)_RESULT_ROLLBACK_OFFSET);
                printf("tokens_bits %d\\n", \(gp)_TOKENS_TDATA_BITS);
                printf("cycles_2 %d\\n", \(gp)_CYCLES(2));
                printf("flag_row_length %d\\n", \(gp)_FLAG_ROW_LENGTH);
                printf("s_uniform_4 %d\\n", \(sp)_CMD_UNIFORM_OFFSET(4));
                printf("s_one_hot %d\\n", \(sp)_CMD_ONE_HOT_OFFSET);
                printf("s_draft_bits %d\\n", \(sp)_DRAFT_TDATA_BITS);
                printf("s_cycles_3 %d\\n", \(sp)_CYCLES(3, 5));
                return 0;
            }

            """
        let dir = try ExternalTools.writeTemporary([("greedy.h", g.cHeader), ("sampling.h", s.cHeader), ("main.c", program)])
        let cc = try ExternalTools.run("cc", ["-std=c99", "-Wall", "-Wextra", "-Werror", "-o", "layout", "main.c"], in: dir)
        XCTAssertEqual(cc.status, 0, cc.combined)
        let run = try ExternalTools.run(dir.appendingPathComponent("layout").path, [])
        var got: [String: Int] = [:]
        for line in run.stdout.split(separator: "\n") {
            let parts = line.split(separator: " ")
            got[String(parts[0])] = Int(parts[1])
        }
        let io = VerifierInterface(greedy), sio = SamplingInterface(sampling)
        XCTAssertEqual(got, [
            "cmd_bits": io.commandTDataBits, "draft_3": io.gammaBits + 3 * io.tokenBits,
            "result_flags": io.tokenBits + 2 * io.gammaBits, "rollback": io.tokenBits + io.gammaBits,
            "tokens_bits": 16, "cycles_2": CycleModel.idealCycles(accepted: 2, config: greedy), "flag_row_length": 4,
            "s_uniform_4": sio.uniformOffset + 128, "s_one_hot": sio.oneHotBit, "s_draft_bits": 64,
            "s_cycles_3": SamplingCycleModel.cycles(accepted: 3, tokenBeat: 5, config: sampling),
        ])
    }

    func bits(_ words: [UInt32], _ offset: Int, _ width: Int) -> Int {
        (0..<width).reduce(0) { v, i in v | Int((words[(offset + i) / 32] >> UInt32((offset + i) % 32)) & 1) << i }
    }
}

extension GeneratorTests {
    func testLayoutOptionPrintsTheExport() throws {
        let r = try runGenerator(["--gamma", "4", "--vocab", "1000", "--lanes", "5", "--format", "fixed12.4",
                                  "--mode", "sampling", "--layout", "c-header", "--top", "dut"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("#define DUT_LOGITS_TDATA_BITS 64\n"), r.stdout)
        let bad = try runGenerator(["--gamma", "4", "--vocab", "1000", "--layout", "xml"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("--layout"), bad.stderr)
        XCTAssertEqual(bad.stdout, "")
    }
}
