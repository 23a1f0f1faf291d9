"""ECP5 block RAM output registers for place and route: moves the fabric register that takes a DP16KD's read data
into the block RAM's own output register (REGMODE OUTREG), in the netlist `synth_ecp5` wrote.

Why: Yosys's ECP5 memory mapping always leaves DP16KD without its output register (REGMODE NOREG). Its read then
costs 5.83 ns of clock-to-out in nextpnr's timing model, plus the routing to the fabric register the RTL puts right
after every memory read (`BankedMemory`: `<name>_bank<k>_q`, or `<read>_q` with one bank). That path capped the
sampling unit (5.83 + 1.37 ns on the small configuration, 5.83 + 3.93 ns on the full one).

A register is moved only where the move cannot change what the design computes: every read-data pin of the port
that anything uses drives exactly one flip-flop, through nothing else, and that flip-flop loads on every clock
(no clock enable, no set or reset) on the block RAM's clock. The output register then holds what it held: the
read data of the clock before. With both ports' data used (the 36-bit-wide mode: the read port's data leave on
the A and B pins) both ports must qualify and share one clock, and both output registers get enable 1 and reset 0.
"""
from __future__ import annotations

import collections
import json

# Part of the sampling jobs' fingerprints (tools/synth.py): a change here redoes them.
VERSION = 1


def _const(bits, value):
    return bits is None or bits == [value]


def _sinks(cells):
    found = collections.defaultdict(list)
    for name, cell in cells.items():
        for port, bits in cell["connections"].items():
            if cell["port_directions"].get(port) == "input":
                for bit in bits:
                    found[bit].append((name, port))
    return found


def _free_running_ff(cells, sinks, bit, clock):
    """The flip-flop whose only job is to register `bit` on `clock` every clock, else None."""
    users = sinks.get(bit, [])
    if len(users) != 1 or users[0][1] != "DI":
        return None
    name = users[0][0]
    ff = cells[name]
    if ff["type"] != "TRELLIS_FF":
        return None
    p, c = ff["parameters"], ff["connections"]
    if c.get("CLK") != clock or str(p.get("CLKMUX", "CLK")).strip() != "CLK":
        return None
    if str(p.get("CEMUX", "1")).strip() != "1" and not _const(c.get("CE"), "1"):
        return None
    if not _const(c.get("LSR"), "0") or c.get("M") not in (None, ["0"], ["x"]):
        return None
    return name


def absorb(netlist: dict) -> int:
    """Moves every qualifying read register into its DP16KD; the number of block RAMs changed."""
    changed = 0
    for module in netlist["modules"].values():
        cells = module["cells"]
        sinks = _sinks(cells)
        removed = set()
        for name, ram in list(cells.items()):
            if ram["type"] != "DP16KD":
                continue
            c, p = ram["connections"], ram["parameters"]
            used = {port: [pin for pin in c if pin.startswith(f"DO{port}") and sinks.get(c[pin][0])] for port in "AB"}
            ports = [port for port in "AB" if used[port]]
            if not ports:
                continue
            if len(ports) == 2 and c.get("CLKA") != c.get("CLKB"):
                continue
            if any(str(p.get(f"CLK{port}MUX", f"CLK{port}")).strip() != f"CLK{port}"
                   or str(p.get(f"REGMODE_{port}", "NOREG")).strip() != "NOREG"
                   or not _const(c.get(f"RST{port}"), "0") for port in ports):
                continue
            moves = {pin: _free_running_ff(cells, sinks, c[pin][0], c[f"CLK{port}"])
                     for port in ports for pin in used[port]}
            if None in moves.values():
                continue
            for pin, ff in moves.items():
                c[pin] = cells[ff]["connections"]["Q"]
                removed.add(ff)
            for port in ports:
                p[f"REGMODE_{port}"] = "OUTREG"
                c[f"OCE{port}"] = ["1"]
            changed += 1
        for ff in removed:
            del cells[ff]
    return changed


if __name__ == "__main__":
    import sys
    if len(sys.argv) != 3:
        sys.exit("usage: ecp5_bram.py NETLIST.json OUT.json  (DP16KD read registers moved into the block RAMs)")
    try:
        design = json.load(open(sys.argv[1]))
    except (OSError, ValueError) as e:
        sys.exit(f"ecp5_bram.py: cannot read the netlist {sys.argv[1]}: {e}")
    n = absorb(design)
    json.dump(design, open(sys.argv[2], "w"))
    print(f"{n} DP16KD with their read register moved in")
