"""ECP5 mapping of the sampling unit's exponential table (`hades_…_exp2_table_r<R>_e<E>`: input f, R bits; output e,
one case statement of 2^R words) for place and route: each output bit becomes one LUT of R inputs built from the
slices' primitives (LUT4s, PFUMX for a fifth input, L6MUX21 for a sixth and a seventh; the structure Yosys's own
`$lut` mapping uses), so the table is one LUT level. Yosys's generic mapping of the 7-input case statement made up to
6 LUT4 levels. A bit that is the same for every f is a constant; top inputs a bit does not depend on are left out; a
bit whose rows of 16 (f's top bits) are constants or one of at most two functions of f's low 4 bits is two levels of
fewer LUT4s (`Netlist.by_rows`). Same ports and no clock, like the generic module; `tools/synth.py` reads these
definitions over the harness's (`read_verilog -overwrite`)."""
from __future__ import annotations

import re

MODULE = re.compile(r"^module (\w+_exp2_table_r(\d+)_e\d+) \((.*?)^endmodule", re.M | re.S)
ENTRY = re.compile(r"(\d+)'h([0-9a-f]+):\s*begin\s*\w+\s*=\s*(\d+)'h([0-9a-f]+);", re.I)
OUTPUT = re.compile(r"output\s+wire\s+\[(\d+):0\]\s+e\b")


def tables(verilog: str) -> list[tuple[str, int, int, list[int]]]:
    """(name, address bits R, word bits, the 2^R words) of each exponential table module in the Verilog."""
    found = []
    for m in MODULE.finditer(verilog):
        name, bits, body = m.group(1), int(m.group(2)), m.group(3)
        output = OUTPUT.search(body)
        if output is None or not re.search(rf"input\s+wire\s+\[{bits - 1}:0\]\s+f\b", body):
            raise ValueError(f"{name}: expected ports f[{bits - 1}:0] and e, as the generator emits them")
        words = {}
        for address, value in ((int(e.group(2), 16), int(e.group(4), 16)) for e in ENTRY.finditer(body)):
            if address in words:
                raise ValueError(f"{name}: address {address} appears twice in the table")
            words[address] = value
        if sorted(words) != list(range(1 << bits)):
            raise ValueError(f"{name}: the table has {len(words)} entries, not the {1 << bits} of f[{bits - 1}:0]")
        found.append((name, bits, int(output.group(1)) + 1, [words[a] for a in range(1 << bits)]))
    return found


class Netlist:
    """Primitive instances for one module's bits."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.wires = 0

    def wire(self) -> str:
        self.wires += 1
        return f"w{self.wires - 1}"

    def lut(self, truth: list[int], inputs: list[str]) -> str:
        """A function of `inputs` (truth[i] for input value i, inputs[0] the least significant): a constant, or the
        fewest top inputs it depends on dropped, then `full`."""
        if all(t == truth[0] for t in truth):
            return f"1'b{truth[0]}"
        while len(inputs) > 4 and truth[:len(truth) // 2] == truth[len(truth) // 2:]:
            truth, inputs = truth[:len(truth) // 2], inputs[:-1]
        return self.by_rows(truth, inputs) or self.full(truth, inputs)

    @staticmethod
    def cost(n: int) -> int:
        """LUT4s of `full` on n inputs."""
        return 1 << max(0, n - 4)

    def by_rows(self, truth: list[int], inputs: list[str]) -> str | None:
        """Two levels where that takes fewer LUT4s: with f's low 4 bits as a row's column, a function whose rows
        are constants or one of k ≤ 2 other functions is a LUT4 per such row function and a LUT of the top bits and
        their k outputs (the table's top bits: 1 for f = 0, f ≠ 0, f in one range; 2 to 4 LUT4s, not 8)."""
        if len(inputs) <= 4:
            return None
        rows = [tuple(truth[i:i + 16]) for i in range(0, len(truth), 16)]
        varying = list(dict.fromkeys(r for r in rows if len(set(r)) > 1))
        top = len(inputs) - 4
        if not varying or len(varying) > 2 or len(varying) + self.cost(top + len(varying)) >= self.cost(len(inputs)):
            return None
        outputs = [self.full(list(r), inputs[:4]) for r in varying]
        # The top LUT's inputs: the row functions' outputs (least significant), then the top bits.
        k = len(varying)
        choice = [0] * (1 << (k + top))
        for h, row in enumerate(rows):
            for r in range(1 << k):
                choice[r + (h << k)] = row[0] if len(set(row)) == 1 else (r >> varying.index(row)) & 1
        return self.full(choice, outputs + inputs[4:])

    def full(self, truth: list[int], inputs: list[str]) -> str:
        """A LUT4 up to 4 inputs; for 5 a PFUMX of two LUT4s, for 6 an L6MUX21 of two PFUMXes, for 7 an L6MUX21 of
        two of those: each mux takes the kind of cell the slices' wiring gives it (Yosys's `$lut` mapping), even
        where a half is constant."""
        z = self.wire()
        if len(inputs) > 4:
            half = len(truth) // 2
            d0, d1, select = self.full(truth[:half], inputs[:-1]), self.full(truth[half:], inputs[:-1]), inputs[-1]
            if len(inputs) == 5:
                self.lines.append(f"PFUMX m{z} (.ALUT({d1}), .BLUT({d0}), .C0({select}), .Z({z}));")
            else:
                self.lines.append(f"L6MUX21 m{z} (.D0({d0}), .D1({d1}), .SD({select}), .Z({z}));")
            return z
        # INIT[i] is the output for {D, C, B, A} = i; unused inputs are tied to 0.
        init = sum(truth[i % len(truth)] << i for i in range(16))
        pins = [inputs[k] if k < len(inputs) else "1'b0" for k in range(4)]
        self.lines.append(f"LUT4 #(.INIT(16'h{init:04x})) l{z} (.A({pins[0]}), .B({pins[1]}), .C({pins[2]}), "
                          f".D({pins[3]}), .Z({z}));")
        return z


def mapping(name: str, bits: int, width: int, words: list[int]) -> str:
    """One module: the generic one's ports, each output bit one R-input LUT of ECP5 primitives."""
    if not 1 <= bits <= 7:
        raise ValueError(f"{name}: {bits} address bits; one ECP5 LUT takes at most 7 inputs")
    net = Netlist()
    inputs = [f"f[{k}]" for k in range(bits)]
    outputs = [net.lut([(w >> b) & 1 for w in words], inputs) for b in range(width)]
    wires = "".join(f"    wire w{k};\n" for k in range(net.wires))
    body = "".join(f"    {line}\n" for line in net.lines)
    assigns = "".join(f"    assign e[{b}] = {o};\n" for b, o in enumerate(outputs))
    return (f"module {name} (\n    input wire [{bits - 1}:0] f,\n    output wire [{width - 1}:0] e\n);\n"
            f"{wires}{body}{assigns}endmodule\n")


def overrides(verilog: str) -> str:
    """The ECP5 definitions of every exponential table module of `verilog` ("" when it has none)."""
    return "".join(mapping(*t) for t in tables(verilog))


if __name__ == "__main__":
    import sys
    if len(sys.argv) != 2:
        sys.exit("usage: ecp5_rom.py VERILOG  (prints the ECP5 LUT definitions of its exponential tables)")
    try:
        text = open(sys.argv[1]).read()
    except OSError as e:
        sys.exit(f"ecp5_rom.py: cannot read {sys.argv[1]}: {e.strerror}")
    try:
        sys.stdout.write(overrides(text))
    except ValueError as e:
        sys.exit(f"ecp5_rom.py: {sys.argv[1]}: {e}")
