#!/usr/bin/env python3
"""Cross-check of tools/asic/power.py against the power OpenSTA publishes for its own example.

OpenSTA's power/test/power_vcd_detailed.ok (The-OpenROAD-Project/OpenSTA, commit d1b2b3962cd4) reports, for
examples/gcd_sky130hd.v annotated with examples/gcd_sky130hd.vcd.gz (SKY130 HD tt library, 5 ns clock, no
parasitics): internal 4.50e-4 W, switching 1.50e-4 W, leakage 9.91e-10 W, total 6.01e-4 W. This script computes
the same design's power from the same VCD with this project's calculator and prints both. Those example files are
GPL-3.0 and are not vendored: point it at an OpenSTA checkout.

Usage: opensta_example.py OPENSTA_DIR [--wire-load]
"""
import argparse
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import liberty  # noqa: E402
import power  # noqa: E402
import toggles  # noqa: E402

PUBLISHED_W = {"internal": 4.50e-4, "switching": 1.50e-4, "leakage": 9.91e-10, "total": 6.01e-4}
CLOCK_PERIOD_NS = 5.0       # examples/gcd_sky130hd.sdc
INPUT_TRANSITION_NS = 0.1   # examples/gcd_sky130hd.sdc


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("opensta")
    ap.add_argument("--wire-load", action="store_true", help="add the library's default wire-load model")
    a = ap.parse_args()
    ex = os.path.join(a.opensta, "examples")
    with open(os.path.join(ex, "gcd_sky130hd.v")) as f:
        nl = power.read_netlist(f.read())
    nl.instances = [i for i in nl.instances if i[2]]          # tap cells: no pins, not in the library
    lib = liberty.load(os.path.join(ex, "sky130hd_tt.lib.gz"), {c for _, c, _ in nl.instances})
    vcd = os.path.join(ex, "gcd_sky130hd.vcd.gz")
    counts = toggles.from_vcd(vcd, "gcd_tb/gcd1")
    import gzip
    with gzip.open(vcd, "rt") as f:
        end_ps = max(int(m.group(1)) for m in re.finditer(r"^#(\d+)", f.read(), re.M))
    cycles = end_ps / 1000 / CLOCK_PERIOD_NS
    wl = lib.wire_loads[lib.default_wire_load] if a.wire_load else None
    r = power.compute(nl, lib, counts, cycles, 1e3 / CLOCK_PERIOD_NS, INPUT_TRANSITION_NS, 0.0, "clk", wl)
    ours = {"internal": r.internal_mw * 1e-3, "switching": r.switching_mw * 1e-3, "leakage": r.leakage_mw * 1e-3,
            "total": r.total_mw * 1e-3}
    for k in PUBLISHED_W:
        print(f"{k:10s} OpenSTA {PUBLISHED_W[k]:.3e} W   this calculator {ours[k]:.3e} W   "
              f"{(ours[k] / PUBLISHED_W[k] - 1) * 100:+.1f} %")
    return 0


if __name__ == "__main__":
    sys.exit(main())
