// Hand-written Verilog used by the VerilatorBridge tests and benchmarks.

import TestSupport
import VerilatorBridge

enum Designs {
    static let counter = VerilogDesign(verilog: """
        module counter (input aclk, input aresetn, input en, output reg [7:0] q);
          always @(posedge aclk)
            if (!aresetn) q <= 8'd0;
            else if (en) q <= q + 8'd1;
        endmodule
        """, top: "counter", ports: [.input("aresetn"), .input("en"), .output("q", 8)])

    /// y <= a ^ rotr(a, 1) (100 bits), z <= b + 1 (48 bits), c = ~a (combinational).
    static let wide = VerilogDesign(verilog: """
        module widereg (input aclk, input [99:0] a, input [47:0] b,
                        output reg [99:0] y, output reg [47:0] z, output [99:0] c);
          always @(posedge aclk) begin
            y <= a ^ {a[0], a[99:1]};
            z <= b + 48'd1;
          end
          assign c = ~a;
        endmodule
        """, top: "widereg", ports: [.input("a", 100), .input("b", 48), .output("y", 100), .output("z", 48),
                                     .output("c", 100)])

    /// At cnt == 5: mode 1 → $finish, 2 → $stop, 3 → $fatal.
    static let stopper = VerilogDesign(verilog: """
        module stopper (input aclk, input aresetn, input [1:0] mode, output reg [7:0] cnt);
          always @(posedge aclk) begin
            if (!aresetn) cnt <= 8'd0;
            else cnt <= cnt + 8'd1;
            if (aresetn && cnt == 8'd5) begin
              if (mode == 2'd1) $finish;
              if (mode == 2'd2) $stop;
              if (mode == 2'd3) $fatal(1, "boom at cnt=%0d", cnt);
            end
          end
        endmodule
        """, top: "stopper", ports: [.input("aresetn"), .input("mode", 2), .output("cnt", 8)])

    /// A combinational loop that never settles when go = 1: a Verilator runtime fatal error.
    static let loopy = VerilogDesign(verilog: """
        module loopy (input aclk, input go, output y);
          wire a;
          assign a = go ? ~a : 1'b0;
          assign y = a;
        endmodule
        """, top: "loopy", ports: [.input("go"), .output("y")], verilatorArgs: ["-Wno-UNOPTFLAT"])

    /// Two designs with the same module name (so the same C++ symbols): y <= x + k.
    static func adder(_ k: Int) -> VerilogDesign {
        VerilogDesign(verilog: """
            module dut (input aclk, input [31:0] x, output reg [31:0] y);
              always @(posedge aclk) y <= x + 32'd\(k);
            endmodule
            """, top: "dut", ports: [.input("x", 32), .output("y", 32)])
    }

    /// A 2-entry AXI4-Stream FIFO carrying 100-bit data, 16-bit user and last.
    static let fifo = VerilogDesign(verilog: """
        module fifo2 (input aclk, input aresetn,
                      input s_valid, output s_ready, input [99:0] s_data, input [15:0] s_user, input s_last,
                      output m_valid, input m_ready, output [99:0] m_data, output [15:0] m_user, output m_last);
          reg [116:0] mem [0:1];
          reg wp, rp;
          reg [1:0] count;
          assign s_ready = count != 2'd2;
          assign m_valid = count != 2'd0;
          assign {m_last, m_user, m_data} = mem[rp];
          wire push = s_valid && s_ready;
          wire pop = m_valid && m_ready;
          always @(posedge aclk) begin
            if (!aresetn) begin
              wp <= 1'b0; rp <= 1'b0; count <= 2'd0;
            end else begin
              if (push) begin mem[wp] <= {s_last, s_user, s_data}; wp <= ~wp; end
              if (pop) rp <= ~rp;
              count <= count + {1'b0, push} - {1'b0, pop};
            end
          end
        endmodule
        """, top: "fifo2", ports: [
            .input("aresetn"), .input("s_valid"), .output("s_ready"), .input("s_data", 100), .input("s_user", 16),
            .input("s_last"), .output("m_valid"), .input("m_ready"), .output("m_data", 100), .output("m_user", 16),
            .output("m_last"),
        ])

    /// 16 lanes of 16-bit unsigned values → (max, lowest index of the max), a register per tree level,
    /// AXI4-Stream in and out with a global stall.
    static let maxTree: VerilogDesign = {
        var levels = ""
        var n = 16, vw = "v0", iw = "i0"
        for level in 1...4 {
            let m = n / 2
            levels += """
              wire [\(16 * m - 1):0] n\(level)v;
              wire [\(4 * m - 1):0] n\(level)i;
              reg [\(16 * m - 1):0] v\(level);
              reg [\(4 * m - 1):0] i\(level);
              generate for (j = 0; j < \(m); j = j + 1) begin : lvl\(level)
                wire [15:0] a = \(vw)[32*j +: 16];
                wire [15:0] b = \(vw)[32*j+16 +: 16];
                wire gt = b > a;
                assign n\(level)v[16*j +: 16] = gt ? b : a;
                assign n\(level)i[4*j +: 4] = gt ? \(iw)[8*j+4 +: 4] : \(iw)[8*j +: 4];
              end endgenerate
              always @(posedge aclk) if (en) begin v\(level) <= n\(level)v; i\(level) <= n\(level)i; end

            """
            n = m; vw = "v\(level)"; iw = "i\(level)"
        }
        return VerilogDesign(verilog: """
            module maxtree (input aclk, input aresetn,
                            input s_valid, output s_ready, input [255:0] s_data, input s_last,
                            output m_valid, input m_ready, output [15:0] m_max, output [3:0] m_idx, output m_last);
              genvar j;
              reg [255:0] v0;
              wire [63:0] i0 = 64'hFEDCBA9876543210;
              reg [4:0] valid;
              reg [4:0] last;
              wire en = !valid[4] || m_ready;
              assign s_ready = en;
              always @(posedge aclk) begin
                if (!aresetn) begin
                  valid <= 5'd0; last <= 5'd0;
                end else if (en) begin
                  valid <= {valid[3:0], s_valid};
                  last <= {last[3:0], s_last};
                end
                if (en) v0 <= s_data;
              end
            \(levels)  assign m_valid = valid[4];
              assign m_last = last[4];
              assign m_max = v4;
              assign m_idx = i4;
            endmodule
            """, top: "maxtree", ports: [
                .input("aresetn"), .input("s_valid"), .output("s_ready"), .input("s_data", 256), .input("s_last"),
                .output("m_valid"), .input("m_ready"), .output("m_max", 16), .output("m_idx", 4), .output("m_last"),
            ])
    }()
}


/// Bit helpers for multi-word values (LSW first).
func bit(_ words: [UInt32], _ i: Int) -> UInt32 { (words[i / 32] >> UInt32(i % 32)) & 1 }

func fromBits(_ width: Int, _ f: (Int) -> UInt32) -> [UInt32] {
    var out = [UInt32](repeating: 0, count: (width + 31) / 32)
    for i in 0..<width { out[i / 32] |= (f(i) & 1) << UInt32(i % 32) }
    return out
}

func randomWide(_ width: Int, _ rng: inout SplitMix64) -> [UInt32] {
    var w = (0..<(width + 31) / 32).map { _ in rng.u32() }
    let top = width % 32
    if top != 0 { w[w.count - 1] &= (1 << UInt32(top)) - 1 }
    return w
}
