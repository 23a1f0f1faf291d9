import Golden
import HADES
import HDL
import XCTest

/// The Vivado IP-packager attributes on both units: every AXI4-Stream port names its bus interface and role,
/// the clock lists every interface and the reset, the reset is active low. (Vivado itself was not run here.)
final class VivadoInterfaceTests: XCTestCase {
    func attributes(_ text: String) -> [String: String] {
        // "(* … *)" line followed by the port line: port name → attribute text.
        var result: [String: String] = [:]
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for (i, line) in lines.enumerated() where line.hasPrefix("    (* ") && i + 1 < lines.count {
            let port = lines[i + 1].split(separator: " ").last!.trimmingCharacters(in: CharacterSet(charactersIn: ","))
            result[port] = line
        }
        return result
    }

    func testEveryStreamPortClockAndResetCarryTheirInterface() throws {
        let c = try VerifierConfig(vocab: 1000, gammaMax: 4, lanes: 4, format: LogitFormat(parsing: "fixed16.8"))
        let units: [(String, [String])] = [
            (try HADESGenerator.verilog(c), ["s_axis_cmd", "s_axis_logits", "m_axis_result", "m_axis_tokens"]),
            (try HADESGenerator.samplingVerilog(c), ["s_axis_cmd", "s_axis_logits", "s_axis_draft", "m_axis_result", "m_axis_tokens"]),
        ]
        for (text, streams) in units {
            let a = attributes(text)
            for s in streams {
                for signal in ["tvalid", "tready", "tdata"] {
                    XCTAssertEqual(a["\(s)_\(signal)"], "    (* X_INTERFACE_INFO = \"xilinx.com:interface:axis:1.0 \(s) \(signal.uppercased())\" *)")
                }
            }
            XCTAssertEqual(a["s_axis_logits_tlast"], "    (* X_INTERFACE_INFO = \"xilinx.com:interface:axis:1.0 s_axis_logits TLAST\" *)")
            XCTAssertEqual(a["m_axis_tokens_tlast"], "    (* X_INTERFACE_INFO = \"xilinx.com:interface:axis:1.0 m_axis_tokens TLAST\" *)")
            XCTAssertTrue(a["aclk"]?.contains("ASSOCIATED_BUSIF \(streams.joined(separator: ":")), ASSOCIATED_RESET aresetn") ?? false)
            XCTAssertTrue(a["aresetn"]?.contains("xilinx.com:signal:reset:1.0 aresetn RST") ?? false)
            XCTAssertTrue(a["aresetn"]?.contains("POLARITY ACTIVE_LOW") ?? false)
            XCTAssertNil(a["committed_len"])
        }
    }
}
