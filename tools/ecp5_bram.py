"""ECP5 mapping of the generator's RAM modules (`BankedMemory`, modules `*_ram_d<D>_w<W>`: a registered read and its
data registered again) for place and route: DP16KD tiles of 512 x 36 bits with the block's output register
(REGMODE_B = OUTREG). Yosys's synth_ecp5 maps the memory to DP16KD without it and leaves the second register in the
fabric, so every read paid the block RAM's 5.6-5.8 ns clock-to-out plus routing to that register. Same ports and
latency (2) as the generic module; `tools/synth.py` reads these definitions over the harness's
(`read_verilog -overwrite`). Pins as Yosys's own 36-bit mapping (share/lattice/brams_map_16kd.v): write port A with
DIA/DIB as the 36 bits and ADA0-3 as byte enables, read port B with DOA/DOB, the word address on AD*5-13."""
from __future__ import annotations

import re

MODULE = re.compile(r"^module (\w+_ram_d(\d+)_w(\d+)) \(", re.M)
DEPTH, TILE = 512, 36


def modules(verilog: str) -> list[tuple[str, int, int]]:
    """(name, depth, width) of each RAM module in the Verilog that one row of DP16KD holds (deeper ones keep their
    generic Verilog)."""
    found = [(m.group(1), int(m.group(2)), int(m.group(3))) for m in MODULE.finditer(verilog)]
    return [(name, d, w) for name, d, w in found if d <= DEPTH]


def address_bits(depth: int) -> int:
    return max(1, (depth - 1).bit_length())


def mapping(name: str, depth: int, width: int) -> str:
    """One module: the generic one's ports, ceil(width / 36) DP16KD sharing the address, output registers on."""
    if depth > DEPTH:
        raise ValueError(f"{name}: {depth} words do not fit one DP16KD row ({DEPTH} words of {TILE} bits)")
    aw, tiles = address_bits(depth), -(-width // TILE)

    zero, one = "1'b0", "1'b1"

    def address(port: str, bus: str) -> list[str]:
        """AD0-3: port A's byte enables (all on), port B's unused; AD4 unused; AD5-13 the word address."""
        low = [f".AD{port}{i}({one if port == 'A' and i < 4 else zero})" for i in range(5)]
        return low + [f".AD{port}{i + 5}({f'{bus}[{i}]' if i < aw else zero})" for i in range(9)]

    cells = []
    for t in range(tiles):
        def bit(i: int) -> str:
            k = t * TILE + i
            return f"wdata[{k}]" if k < width else zero
        pins = [f".DIA{i}({bit(i)})" for i in range(18)] + [f".DIB{i}({bit(18 + i)})" for i in range(18)]
        pins += [f".DOA{i}(y[{t * TILE + i}])" for i in range(18)] + [f".DOB{i}(y[{t * TILE + 18 + i}])" for i in range(18)]
        pins += address("A", "waddr") + address("B", "raddr")
        pins += [".CLKA(aclk)", ".CEA(wen)", ".WEA(1'b1)", ".OCEA(1'b0)", ".RSTA(1'b0)",
                 ".CSA0(1'b0)", ".CSA1(1'b0)", ".CSA2(1'b0)",
                 ".CLKB(aclk)", ".CEB(ren)", ".WEB(1'b0)", ".OCEB(1'b1)", ".RSTB(1'b0)",
                 ".CSB0(1'b0)", ".CSB1(1'b0)", ".CSB2(1'b0)"]
        params = ", ".join(f'.{p}({v})' for p, v in [
            ("DATA_WIDTH_A", TILE), ("DATA_WIDTH_B", TILE), ("REGMODE_A", '"NOREG"'), ("REGMODE_B", '"OUTREG"'),
            ("WRITEMODE_A", '"NORMAL"'), ("RESETMODE", '"SYNC"'), ("CSDECODE_A", '"0b000"'),
            ("CSDECODE_B", '"0b000"'), ("GSR", '"DISABLED"')])
        body = ",\n        ".join(pins)
        cells.append(f"    DP16KD #({params}) ram{t} (\n        {body}\n    );\n")
    return (f"module {name} (\n    input wire aclk,\n    input wire [{aw - 1}:0] waddr,\n"
            f"    input wire [{width - 1}:0] wdata,\n    input wire wen,\n    input wire [{aw - 1}:0] raddr,\n"
            f"    input wire ren,\n    output wire [{width - 1}:0] q\n);\n"
            f"    wire [{tiles * TILE - 1}:0] y;\n" + "".join(cells)
            + f"    assign q = y[{width - 1}:0];\nendmodule\n")


def overrides(verilog: str) -> str:
    """The ECP5 definitions for every RAM module of `verilog` ("" when it has none)."""
    return "".join(mapping(*m) for m in modules(verilog))


if __name__ == "__main__":
    import sys
    if len(sys.argv) != 2:
        sys.exit("usage: ecp5_bram.py VERILOG  (prints the DP16KD definitions of its RAM modules)")
    try:
        text = open(sys.argv[1]).read()
    except OSError as e:
        sys.exit(f"ecp5_bram.py: cannot read {sys.argv[1]}: {e.strerror}")
    sys.stdout.write(overrides(text))
