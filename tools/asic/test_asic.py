#!/usr/bin/env python3
"""Unit tests of the ASIC estimate's pieces (run by Tests/ReportTests/ASICTests.swift, or directly).

The power figures of the tiny netlist are worked out by hand from the numbers printed in the SKY130 Liberty file
(third_party/sky130, cells nand2_1 and dfxtp_1, table corner input transition 0.01 ns, load 0.0005 pF), not from
the calculator.
"""
import json
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import flow  # noqa: E402
import liberty  # noqa: E402
import power  # noqa: E402
import sram  # noqa: E402
import stimulus  # noqa: E402
import toggles  # noqa: E402

LIB = os.path.join(ROOT, "third_party", "sky130", "sky130_fd_sc_hd__tt_025C_1v80.lib.gz")
FIXTURES = os.path.join(ROOT, "Tests", "Fixtures", "reports")


def read(path):
    with open(path) as f:
        return f.read()


def write(path, text):
    with open(path, "w") as f:
        f.write(text)

TINY = """module tiny(clk, a, b, d, y, q);
  input clk;
  input a;
  input b;
  input d;
  output y;
  output q;
  sky130_fd_sc_hd__nand2_1 g1 (
    .A(a),
    .B(b),
    .Y(y)
  );
  sky130_fd_sc_hd__dfxtp_1 \\f1.reg  (
    .CLK(clk),
    .D(d),
    .Q(q)
  );
endmodule
"""
TOGGLES = {"clk": 200, "a": 30, "b": 10, "y": 20, "d": 40, "q": 25}


class TinyNetlistPower(unittest.TestCase):
    """100 cycles at 100 MHz (T = 1000 ns), inputs at 0.01 ns transition, 0.0005 pF on each output."""

    @classmethod
    def setUpClass(cls):
        cls.nl = power.read_netlist(TINY)
        cls.lib = liberty.load(LIB, {"sky130_fd_sc_hd__nand2_1", "sky130_fd_sc_hd__dfxtp_1"})
        cls.r = power.compute(cls.nl, cls.lib, TOGGLES, 100, 100.0, input_transition_ns=0.01,
                              output_load_pf=0.0005, clock_net="clk")

    def test_switching_is_half_c_v2_per_transition(self):
        # Pin capacitances (pF) from the lib: nand2_1 A 0.002315, B 0.002324; dfxtp_1 CLK 0.001794, D 0.001678;
        # outputs carry only the 0.0005 pF port load. ½·1.8² = 1.62 (pJ/pF).
        charge = 0.002315 * 30 + 0.002324 * 10 + 0.0005 * 20 + 0.001794 * 200 + 0.001678 * 40 + 0.0005 * 25
        self.assertAlmostEqual(self.r.switching_mw, 1.62 * charge / 1000, places=12)
        self.assertAlmostEqual(self.r.clock_pin_switching_mw, 1.62 * 0.001794 * 200 / 1000, places=12)

    def test_internal_uses_mean_of_rise_and_fall_energy(self):
        # nand2_1 Y at (0.01 ns, 0.0005 pF): related A rise 0.0037314 fall 0.0021930; related B rise 0.0069497
        # fall 0.0025427; weights by input toggles 30 : 10.
        y = 20 * (0.75 * (0.0037314 + 0.0021930) / 2 + 0.25 * (0.0069497 + 0.0025427) / 2)
        # nand2_1 input pins at 0.01 ns: A rise -0.0038955 fall 0.0047914; B rise -0.0041325 fall 0.0041316.
        a = 30 * (-0.0038955 + 0.0047914) / 2
        b = 10 * (-0.0041325 + 0.0041316) / 2
        # dfxtp_1: Q (related CLK) at (0.01, 0.0005) rise 0.0177646 fall 0.0190634; CLK pin rise 0.0178184 fall
        # 0.0227158; D pin rise -0.0004267 fall 0.0054714.
        q = 25 * (0.0177646 + 0.0190634) / 2
        clk = 200 * (0.0178184 + 0.0227158) / 2
        d = 40 * (-0.0004267 + 0.0054714) / 2
        self.assertAlmostEqual(self.r.internal_mw, (y + a + b + q + clk + d) / 1000, places=12)
        self.assertAlmostEqual(self.r.sequential_mw, (q + clk + d) / 1000 + 1.62 * 0.0005 * 25 / 1000
                               + 0.0084386350e-6, places=12)

    def test_leakage_is_the_cells_leakage(self):
        # cell_leakage_power (nW): nand2_1 0.0021179600, dfxtp_1 0.0084386350.
        self.assertAlmostEqual(self.r.leakage_mw, (0.0021179600 + 0.0084386350) * 1e-6, places=15)

    def test_escaped_instance_name_and_counts(self):
        self.assertEqual([i[0] for i in self.nl.instances], ["g1", "f1.reg"])
        self.assertEqual(self.r.nets, 6)
        self.assertEqual(self.r.unknown_nets, [])

    def test_missing_toggle_counts_are_listed_and_taken_as_zero(self):
        r = power.compute(self.nl, self.lib, {"clk": 200}, 100, 100.0, input_transition_ns=0.01,
                          output_load_pf=0.0005, clock_net="clk")
        self.assertEqual(r.unknown_nets, ["a", "b", "d", "q", "y"])
        self.assertAlmostEqual(r.switching_mw, 1.62 * 0.001794 * 200 / 1000, places=12)

    def test_doubling_the_clock_doubles_dynamic_power_not_leakage(self):
        r2 = power.compute(self.nl, self.lib, TOGGLES, 100, 200.0, input_transition_ns=0.01,
                           output_load_pf=0.0005, clock_net="clk")
        self.assertAlmostEqual(r2.switching_mw, 2 * self.r.switching_mw, places=12)
        self.assertAlmostEqual(r2.internal_mw, 2 * self.r.internal_mw, places=12)
        self.assertEqual(r2.leakage_mw, self.r.leakage_mw)

    def test_command_line_agrees_and_rejects_unknown_cells(self):
        with tempfile.TemporaryDirectory() as d:
            write(os.path.join(d, "n.v"), TINY)
            write(os.path.join(d, "t.json"), json.dumps(TOGGLES))
            args = [sys.executable, os.path.join(HERE, "power.py"), "--netlist", os.path.join(d, "n.v"), "--liberty",
                    LIB, "--toggles", os.path.join(d, "t.json"), "--cycles", "100", "--clock-mhz", "100",
                    "--input-transition", "0.01", "--output-load", "0.0005", "--clock-net", "clk"]
            p = subprocess.run(args, capture_output=True, text=True)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertAlmostEqual(json.loads(p.stdout)["total_mw"], self.r.total_mw, places=12)
            write(os.path.join(d, "n.v"), TINY.replace("nand2_1", "nand2_99"))
            p = subprocess.run(args, capture_output=True, text=True)
            self.assertEqual(p.returncode, 2)
            self.assertIn("sky130_fd_sc_hd__nand2_99", p.stderr)


class LibertyReader(unittest.TestCase):
    TEXT = """library (toy) {
  time_unit : "1ns"; voltage_unit : "1V"; leakage_power_unit : "1nW";
  capacitive_load_unit (1.0, "pf");
  default_operating_conditions : "op";
  operating_conditions ("op") { voltage : 1.2; }
  power_lut_template ("p2") { variable_1 : "total_output_net_capacitance"; variable_2 : "input_transition_time";
    index_1 ("1, 2"); index_2 ("1, 2"); }
  /* a comment { with braces } */
  cell ("inv") {
    area : 2.5; cell_leakage_power : 0.5;
    pin ("A") { direction : "input"; capacitance : 0.01; }
    pin ("Y") { direction : "output"; function : "!A";
      internal_power () { related_pin : "A";
        rise_power ("p2") { index_1 ("0.0, 1.0"); index_2 ("0.0, 2.0"); values ("1.0, 3.0", \\
                                                                           "5.0, 7.0"); }
        fall_power ("p2") { index_1 ("0.0, 1.0"); index_2 ("0.0, 2.0"); values ("0.0, 0.0", "0.0, 0.0"); } } }
  }
  cell ("other") { area : 1; }
}
"""

    def setUp(self):
        self.tmp = tempfile.NamedTemporaryFile("w", suffix=".lib", delete=False)
        self.tmp.write(self.TEXT)
        self.tmp.close()

    def tearDown(self):
        os.unlink(self.tmp.name)

    def test_reads_cells_pins_and_tables_with_their_variable_order(self):
        lib = liberty.load(self.tmp.name)
        self.assertEqual(lib.voltage, 1.2)
        inv = lib.cells["inv"]
        self.assertEqual((inv.area, inv.leakage_nw), (2.5, 0.5))
        self.assertEqual(inv.pins["A"].capacitance, 0.01)
        ip = inv.pins["Y"].internal_power[0]
        self.assertEqual(ip.related_pin, "A")
        # variable_1 is the load here: rise at load 0.5, transition 1.0 = mean of the four corners = 4.0
        self.assertAlmostEqual(ip.rise.lookup(total_output_net_capacitance=0.5, input_transition_time=1.0), 4.0)
        # corner values, and linear extrapolation past the last index (load 2 → 1 + 2·4 = 9 at transition 0)
        self.assertAlmostEqual(ip.rise.lookup(total_output_net_capacitance=1.0, input_transition_time=2.0), 7.0)
        self.assertAlmostEqual(ip.rise.lookup(total_output_net_capacitance=2.0, input_transition_time=0.0), 9.0)
        # energy per transition = mean of rise and fall
        self.assertAlmostEqual(ip.energy(total_output_net_capacitance=0.5, input_transition_time=1.0), 2.0)

    def test_cell_filter_and_missing_cells(self):
        self.assertEqual(set(liberty.load(self.tmp.name, {"inv"}).cells), {"inv"})
        with self.assertRaises(liberty.LibertyError):
            liberty.load(self.tmp.name, {"nand9"})

    def test_other_units_are_refused(self):
        with open(self.tmp.name, "w") as f:
            f.write(self.TEXT.replace('"1ns"', '"1ps"'))
        with self.assertRaises(liberty.LibertyError):
            liberty.load(self.tmp.name)


class ToggleReaders(unittest.TestCase):
    def test_vcd_counts_settled_0_1_changes_after_start(self):
        vcd = """$timescale 1ps $end
$scope module tb $end
$scope module dut $end
$var wire 1 ! a $end
$var wire 2 " bus [1:0] $end
$upscope $end
$var wire 1 # other $end
$upscope $end
$enddefinitions $end
#0
x!
b00 "
#10
1!
b01 "
#20
0!
b10 "
#30
1!
b11 "
1#
"""
        with tempfile.NamedTemporaryFile("w", suffix=".vcd", delete=False) as f:
            f.write(vcd)
        try:
            self.assertEqual(toggles.from_vcd(f.name, "tb/dut"), {"a": 2, "bus[1]": 1, "bus[0]": 3})
            self.assertEqual(toggles.from_vcd(f.name, "tb.dut", start=20), {"a": 2, "bus[1]": 1, "bus[0]": 2})
        finally:
            os.unlink(f.name)

    def test_verilator_coverage_names_and_scope(self):
        cov = os.path.join(FIXTURES, "asic_coverage.dat")
        c = toggles.from_verilator_coverage(cov, "TOP.hades_asic_tb.dut")
        self.assertEqual(c["_0412_"], 16)
        self.assertEqual(c["u_argmax.l1_n0_key[3]"], 7)     # `__02e` is '.', `__05b`/`__05d` the brackets
        self.assertEqual(c["s_axis_logits_tdata[5]"], 11)
        self.assertNotIn("A", c)                           # a cell model's pin: another scope
        with self.assertRaises(ValueError):
            toggles.from_verilator_coverage(cov, "TOP.nowhere")


class ReportParsers(unittest.TestCase):
    def test_yosys_stat(self):
        s = flow.parse_yosys_stat(read(os.path.join(FIXTURES, "asic_yosys_stat.txt")))
        self.assertAlmostEqual(s["area_um2"], 1234.5)
        self.assertEqual(s["cells"], 7)
        self.assertEqual(s["cell_types"], {"sky130_fd_sc_hd__dfxtp_1": 2, "sky130_fd_sc_hd__nand2_1": 4,
                                           "sky130_fd_sc_hd__conb_1": 1})

    def test_opensta_path_and_power(self):
        r = flow.parse_sta(read(os.path.join(FIXTURES, "asic_sta.log")))
        self.assertEqual(r["startpoint"], "_11491_")
        self.assertEqual(r["endpoint"], "_11521_")
        self.assertAlmostEqual(r["arrival_ns"], 2.827)
        self.assertAlmostEqual(r["slack_ns"], 7.057)
        self.assertAlmostEqual(r["setup_ns"], 0.117)
        self.assertEqual(r["levels"], 10)                  # the gates between the two flip-flops
        self.assertEqual(len(r["path_cells"]), 12)
        self.assertEqual(r["path_cells"][0], "sky130_fd_sc_hd__dfxtp_1")
        self.assertEqual(r["path_cells"][-2], "sky130_fd_sc_hd__and3_1")
        self.assertEqual(len(r["power"]), 1)
        p = r["power"][0]
        self.assertEqual(p["input_activity"], 0.5)
        self.assertAlmostEqual(p["internal_mw"], 14.3)
        self.assertAlmostEqual(p["switching_mw"], 0.672)
        self.assertAlmostEqual(p["total_mw"], 15.0)

    def test_opensta_without_a_path_is_an_error(self):
        with self.assertRaises(flow.FlowError):
            flow.parse_sta("Error: nothing here\n")


class SramMacros(unittest.TestCase):
    RTL = """module m (
    input  wire aclk,
    input  wire we,
    input  wire re,
    input  wire [6:0] addr,
    input  wire [7:0] d,
    output wire [7:0] q
);
    reg  [6:0] beat;
    reg  [7:0] mem_rdata;
    reg  [7:0] small [0:3];
    reg  [7:0] mem [0:99];
    assign q = mem_rdata;

    always @(posedge aclk) begin
        if (we) begin
            mem[beat] <= d;
        end
    end

    always @(posedge aclk) begin
        if (re) begin
            mem_rdata <= mem[beat];
        end
    end
endmodule
"""

    def test_deep_memory_becomes_a_macro_instance(self):
        out, macros = sram.extract(self.RTL)
        self.assertEqual([(m["name"], m["depth"], m["width"], m["addr_bits"]) for m in macros], [("mem", 100, 8, 7)])
        self.assertNotIn("reg  [7:0] mem [0:99]", out)
        self.assertIn("reg  [7:0] small [0:3]", out)          # shallower than MIN_DEPTH: stays
        self.assertIn("wire  [7:0] mem_rdata;", out)
        self.assertIn("hades_sram_d100_w8 u_mem_sram (.clk(aclk), .we(we), .waddr(beat), .wdata(d), .re(re), "
                      ".raddr(beat), .rdata(mem_rdata));", out)
        self.assertIn("(* blackbox *)", sram.blackbox(macros[0]))
        self.assertIn("reg [7:0] mem [0:99];", sram.model(macros[0]))

    def test_other_memory_forms_are_refused(self):
        with self.assertRaises(sram.SramError):
            sram.extract(self.RTL.replace("mem_rdata <= mem[beat];", "mem_rdata <= mem[beat] ^ d;"))

    def test_netlist_reader_lists_macros_apart(self):
        nl = power.read_netlist(TINY.replace("endmodule", "  hades_sram_d100_w8 u_mem_sram (\n    .clk(clk),\n"
                                                            "    .wdata({ a, b })\n  );\nendmodule"),
                                macro_prefix="hades_sram_")
        self.assertEqual(nl.macros, [("u_mem_sram", "hades_sram_d100_w8")])
        self.assertEqual(len(nl.instances), 2)


class Stimulus(unittest.TestCase):
    def test_fixed_point_and_float_codes(self):
        import numpy as np
        x = np.array([1.5, -0.00390625, 2.0 ** -9, 3 * 2.0 ** -9, np.inf, -np.inf, 200.0], dtype=np.float32)
        # fixed16.8: 1.5·256 = 384; −1 → 0xFFFF; 0.5 and 1.5 LSB round to even: 0, 2; ±inf and 200 saturate
        self.assertEqual(list(stimulus.encode(x, "fixed16.8", "x")), [384, 0xFFFF, 0, 2, 0x7FFF, 0x8000, 0x7FFF])
        self.assertEqual(list(stimulus.encode(np.array([1.0, -np.inf], np.float16), "fp16", "x")), [0x3C00, 0xFC00])
        with self.assertRaises(stimulus.StimulusError):
            stimulus.encode(np.array([1.0, np.nan]), "fixed16.8", "target_logits")

    def test_order_keys_give_the_greedy_argmax(self):
        import numpy as np
        row = np.array([[-1.0, 0.0, -0.0, 2.0, np.nan, 2.0]], dtype=np.float16)
        codes = row.view(np.uint16).astype(np.uint64)
        self.assertEqual(int(np.argmax(stimulus._order_keys(codes, "fp16", 16)[0])), 3)   # first of the ties

    def test_header_layouts_are_read_and_checked(self):
        head = ("//   TDATA layouts (bit ranges; each port zero-padded on top to whole bytes, input padding ignored):\n"
                "//     s_axis_cmd_tdata[263:0]: gamma [4:0]; draft_token[i] [5 + 16*i +: 16], i < 16; "
                "zero padding [263:261]\n"
                "//     m_axis_result_tdata[31:0]: token [15:0]; accepted [20:16]; rollback [25:21]; flags [31:26]\n")
        lay = stimulus.header_layouts(head)
        self.assertEqual(lay["s_axis_cmd_tdata"]["gamma"], (0, 5))
        self.assertEqual(lay["s_axis_cmd_tdata"]["draft_token"], (5, 16))
        self.assertEqual(lay["m_axis_result_tdata"]["accepted"], (16, 5))
        stimulus.check_layout(head, {"s_axis_cmd_tdata": {"gamma": (0, 5), "draft_token": (5, 16)}})
        with self.assertRaises(stimulus.StimulusError):
            stimulus.check_layout(head, {"m_axis_result_tdata": {"accepted": (16, 4)}})

    def test_header_widths_come_from_the_module(self):
        text = read(os.path.join(ROOT, "rtl", "hades_verify_g16_v50257_l16_fp16.v"))
        top, ports, params = stimulus.read_header(text)
        self.assertEqual(top, "hades_verify_g16_v50257_l16_fp16")
        self.assertEqual(ports["s_axis_logits_tdata"], ("input", 256))
        self.assertEqual(params["vocab"], "50257")


if __name__ == "__main__":
    unittest.main()
