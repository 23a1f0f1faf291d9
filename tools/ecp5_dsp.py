"""ECP5 mapping of the generator's registered products (`RegisteredProduct`, modules `*_mul_u<A>_u<B>`, and
`*_mul_s<A>_u<B>` whose a is signed) for
place and route: each becomes one MULT18X18D using its input registers (REG_INPUTA/B) and its output register
(REG_OUTPUT), which Yosys's synth_ecp5 does not infer from the generic Verilog (it maps `*` to a MULT18X18D without
registers, a ~10 ns register -> DSP -> register path). Same ports and latency (2) as the generic module; `tools/synth.py`
reads these definitions over the harness's (`read_verilog -overwrite`)."""
from __future__ import annotations

import re

MODULE = re.compile(r"^module (\w+_mul_([su])(\d+)_u(\d+)) \(", re.M)


def modules(verilog: str) -> list[tuple[str, int, int, bool]]:
    """(name, a bits, b bits, a signed) of each registered-product module in the Verilog that one MULT18X18D holds
    (wider ones keep their generic Verilog)."""
    found = [(m.group(1), int(m.group(3)), int(m.group(4)), m.group(2) == "s") for m in MODULE.finditer(verilog)]
    return [(name, a, b, signed) for name, a, b, signed in found if a <= 18 and b <= (17 if signed else 18)]


def mapping(name: str, a_bits: int, b_bits: int, signed_a: bool = False) -> str:
    """One module: the generic one's ports, a MULT18X18D with input and output registers on aclk. With a signed a
    both operands are signed (SIGNEDA = SIGNEDB = 1, the mode Yosys's own DSP mapping uses): a sign-extended to the
    block's 18 bits, the unsigned b zero-extended (so it needs at most 17 bits)."""
    if a_bits > 18 or b_bits > (17 if signed_a else 18):
        raise ValueError(f"{name}: operands of {a_bits} and {b_bits} bits do not fit one MULT18X18D")
    width, zero = a_bits + b_bits, "1'b0"
    a_high = f"a[{a_bits - 1}]" if signed_a else zero
    pins = [f".A{i}({f'a[{i}]' if i < a_bits else a_high})" for i in range(18)]
    pins += [f".B{i}({f'b[{i}]' if i < b_bits else zero})" for i in range(18)]
    pins += [f".C{i}({zero})" for i in range(18)]
    pins += [f".P{i}(y[{i}])" for i in range(36)]
    pins += [f".SIGNEDA(1'b{int(signed_a)})", f".SIGNEDB(1'b{int(signed_a)})", ".SOURCEA(1'b0)", ".SOURCEB(1'b0)",
             ".CLK0(aclk)", ".CE0(1'b1)", ".RST0(1'b0)"]
    params = ", ".join(f'.{p}("{v}")' for p, v in [
        ("REG_INPUTA_CLK", "CLK0"), ("REG_INPUTB_CLK", "CLK0"), ("REG_OUTPUT_CLK", "CLK0"),
        ("REG_PIPELINE_CLK", "NONE"), ("REG_INPUTC_CLK", "NONE"), ("GSR", "DISABLED"), ("RESETMODE", "SYNC")])
    body = ",\n        ".join(pins)
    return (f"module {name} (\n    input wire aclk,\n    input wire [{a_bits - 1}:0] a,\n"
            f"    input wire [{b_bits - 1}:0] b,\n    output wire [{width - 1}:0] p\n);\n"
            f"    wire [35:0] y;\n    MULT18X18D #({params}) dsp (\n        {body}\n    );\n"
            f"    assign p = y[{width - 1}:0];\nendmodule\n")


def overrides(verilog: str) -> str:
    """The ECP5 definitions for every registered-product module of `verilog` ("" when it has none)."""
    return "".join(mapping(*m) for m in modules(verilog))


if __name__ == "__main__":
    import sys
    if len(sys.argv) != 2:
        sys.exit("usage: ecp5_dsp.py VERILOG  (prints the MULT18X18D definitions of its registered products)")
    try:
        text = open(sys.argv[1]).read()
    except OSError as e:
        sys.exit(f"ecp5_dsp.py: cannot read {sys.argv[1]}: {e.strerror}")
    sys.stdout.write(overrides(text))
