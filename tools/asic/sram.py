"""Large memories of the generated Verilog as SRAM macros instead of flip-flops.

The sampling unit keeps row pairs in a circular memory of B + 24 + 2l beats (`reg [2LW-1:0] row_pair [0:…]`:
3174 × 512 bits at V = 50257, L = 16). Mapped to standard cells that is 1.6 M flip-flops, which is neither what a chip would build nor
something Yosys and a gate-level simulation can handle here. Memories deeper than MIN_DEPTH that follow the
emitter's pattern (one write `mem[a] <= d` under an enable, one registered read `q <= mem[a]` under an enable) are
replaced by an instance of `hades_sram_d<D>_w<W>`: a black box for Yosys and OpenSTA, and a behavioural model with
access counters for the gate-level simulation. Their area, timing and power are not in the standard-cell figures;
the report gives their size and access counts.
"""
from __future__ import annotations

import re

MIN_DEPTH = 64


class SramError(ValueError):
    pass


def macro_name(depth, width):
    return f"hades_sram_d{depth}_w{width}"


def extract(verilog):
    """Returns (transformed Verilog, [macro dicts]). Memories shallower than MIN_DEPTH stay as they are."""
    macros = []
    for m in re.finditer(r"^(\s*)reg\s+\[(\d+):0\]\s+(\w+)\s+\[0:(\d+)\];\n", verilog, re.M):
        width, name, depth = int(m.group(2)) + 1, m.group(3), int(m.group(4)) + 1
        if depth < MIN_DEPTH:
            continue
        macros.append({"name": name, "width": width, "depth": depth})
    for mac in macros:
        name, width, depth = mac["name"], mac["width"], mac["depth"]
        write = re.search(r"^\s*always @\(posedge (\w+)\) begin\n\s*if \((.+?)\) begin\n\s*" + re.escape(name)
                          + r"\[(.+?)\] <= (.+?);\n\s*end\n\s*end\n", verilog, re.M)
        read = re.search(r"^\s*always @\(posedge (\w+)\) begin\n\s*if \((.+?)\) begin\n\s*(\w+) <= " + re.escape(name)
                         + r"\[(.+?)\];\n\s*end\n\s*end\n", verilog, re.M)
        if not write or not read or write.group(1) != read.group(1):
            raise SramError(f"memory {name} [{depth} × {width}] does not have the one-write, one-registered-read "
                            "form this flow turns into an SRAM macro")
        q = read.group(3)
        decl = re.search(r"^(\s*)reg(\s+\[" + str(width - 1) + r":0\]\s+)" + re.escape(q) + r";", verilog, re.M)
        if not decl:
            raise SramError(f"read register {q} of memory {name} not declared as a {width}-bit reg")
        addr_w = _width_of(verilog, write.group(3)), _width_of(verilog, read.group(4))
        mac.update(clock=write.group(1), we=write.group(2), waddr=write.group(3), wdata=write.group(4),
                   re=read.group(2), raddr=read.group(4), rdata=q, addr_bits=max(addr_w), module=macro_name(depth, width))
        inst = (f"    {mac['module']} u_{name}_sram (.clk({mac['clock']}), .we({mac['we']}), .waddr({mac['waddr']}), "
                f".wdata({mac['wdata']}), .re({mac['re']}), .raddr({mac['raddr']}), .rdata({q}));\n")
        verilog = verilog.replace(write.group(0), "").replace(read.group(0), inst)
        verilog = verilog.replace(decl.group(0), f"{decl.group(1)}wire{decl.group(2)}{q};", 1)
        verilog = re.sub(r"^\s*reg\s+\[" + str(width - 1) + r":0\]\s+" + re.escape(name) + r"\s+\[0:\d+\];\n", "",
                         verilog, flags=re.M)
    return verilog, macros


def _width_of(verilog, signal):
    m = re.search(r"^\s*(?:reg|wire)\s+\[(\d+):0\]\s+" + re.escape(signal) + r";", verilog, re.M)
    if not m:
        raise SramError(f"cannot find the width of address {signal}")
    return int(m.group(1)) + 1


def blackbox(mac):
    """Yosys/OpenSTA view: ports only."""
    return (f"(* blackbox *)\nmodule {mac['module']} (input wire clk, input wire we, input wire [{mac['addr_bits'] - 1}:0] "
            f"waddr, input wire [{mac['width'] - 1}:0] wdata, input wire re, input wire [{mac['addr_bits'] - 1}:0] raddr, "
            f"output wire [{mac['width'] - 1}:0] rdata);\nendmodule\n")


def model(mac):
    """Simulation view: the memory with a registered read, and access counters printed at the end."""
    w, a = mac["width"], mac["addr_bits"]
    return f"""module {mac['module']} (input wire clk, input wire we, input wire [{a - 1}:0] waddr,
    input wire [{w - 1}:0] wdata, input wire re, input wire [{a - 1}:0] raddr, output reg [{w - 1}:0] rdata);
    reg [{w - 1}:0] mem [0:{mac['depth'] - 1}];
    integer writes = 0, reads = 0;
    always @(posedge clk) if (we) begin mem[waddr] <= wdata; writes <= writes + 1; end
    always @(posedge clk) if (re) begin rdata <= mem[raddr]; reads <= reads + 1; end
    final $display("sram %m writes %0d reads %0d", writes, reads);
endmodule
"""
