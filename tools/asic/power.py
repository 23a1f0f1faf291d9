"""Power of a mapped gate-level netlist from per-net toggle counts and the Liberty tables (method: docs/asic-power.md).

    switching = Σ_nets ½ · C_net · V² · toggles / T          C_net = Σ input-pin capacitances on the net
                                                             (+ the output-port load; no wire load)
    internal  = Σ_cells [ Σ_output pins toggles · E_out + Σ_input pins with their own tables toggles · E_in ] / T
                E_out = Σ_related pins w_p · ½(rise + fall)(slew_p, C_load),  w_p = toggles_p / Σ toggles
                E_in  = ½(rise + fall)(slew_in)
    leakage   = Σ_cells cell_leakage_power
T = cycles / f is the simulated time; toggles count both directions. Energies are in pJ, times in ns, so P is in
mW. Slews: a cell input's transition is the mean rise/fall output transition of the cell that drives it, looked up
at that driver's load with the nominal input transition (one level of propagation); primary inputs get the
nominal transition.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

INSTANCE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_$]*)\s+(\\\S+|[A-Za-z_][A-Za-z0-9_$]*)\s*\((.*?)\);", re.S | re.M)
PORT_CONN = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)\s*\(\s*(.*?)\s*\)\s*(?:,|$)", re.S)
DECL = re.compile(r"^\s*(input|output|inout|wire)\s+(?:\[(\d+):(\d+)\]\s+)?(\\\S+|[A-Za-z_][A-Za-z0-9_$]*)\s*;", re.M)
ASSIGN = re.compile(r"^\s*assign\s+(.+?)\s*=\s*(.+?)\s*;", re.M)
KEYWORDS = {"module", "input", "output", "inout", "wire", "reg", "assign", "endmodule"}


class NetlistError(ValueError):
    pass


def net_name(expr):
    """Canonical one-bit net name: `\\u_x.y [3]` and `\\u_x.y[3]` -> `u_x.y[3]`; `a[3]` stays; `a` stays."""
    e = expr.strip()
    m = re.fullmatch(r"\\?(\S+?)\s*(\[\d+\])?", e)
    if not m:
        raise NetlistError(f"cannot read net {expr!r} (flatten and write with `write_verilog -noattr -noexpr`)")
    return m.group(1) + (m.group(2) or "")


@dataclass
class Netlist:
    top: str
    inputs: list                   # one-bit names
    outputs: list
    instances: list                # (instance, cell type, {pin: net})
    alias: dict = field(default_factory=dict)   # net -> representative net (assign statements)
    macros: list = field(default_factory=list)  # (instance, module) of macros outside the library (not counted)

    def canon(self, net):
        while net in self.alias:
            net = self.alias[net]
        return net


def _bits(name, msb, lsb):
    if msb is None:
        return [name]
    lo, hi = sorted((int(msb), int(lsb)))
    return [f"{name}[{i}]" for i in range(lo, hi + 1)]


def read_netlist(text, macro_prefix=None):
    """A flat structural netlist as Yosys `write_verilog -noattr -noexpr` writes it (one module). Instances of
    modules named `macro_prefix…` are listed in `macros` and left out of the power."""
    mods = re.findall(r"^\s*module\s+(\S+?)\s*\(", text, re.M)
    if len(mods) != 1:
        raise NetlistError(f"expected one flat module, found {len(mods)}")
    body = text[text.index(";", text.index("module")) + 1:text.rindex("endmodule")]
    inputs, outputs = [], []
    for kind, msb, lsb, name in DECL.findall(body):
        bits = _bits(net_name(name), msb or None, lsb or None)
        if kind == "input":
            inputs += bits
        elif kind == "output":
            outputs += bits
    alias = {}
    for lhs, rhs in ASSIGN.findall(body):
        if "{" in lhs or "{" in rhs or "'" in rhs:
            raise NetlistError(f"unsupported assign {lhs} = {rhs} (map constants with hilomap/setundef)")
        a, b = net_name(lhs), net_name(rhs)
        if a != b:
            alias[a] = b
    instances, macros = [], []
    stripped = ASSIGN.sub("", DECL.sub("", body))
    for cell, inst, conns in INSTANCE.findall(stripped):
        if cell in KEYWORDS:
            continue
        if macro_prefix and cell.startswith(macro_prefix):
            macros.append((net_name(inst), cell))
            continue
        pins = {}
        for pin, net in PORT_CONN.findall(conns.strip()):
            if not net:
                continue
            if "{" in net or "'" in net:
                raise NetlistError(f"{inst}.{pin}: unsupported connection {net!r}")
            pins[pin] = net_name(net)
        instances.append((net_name(inst), cell, pins))
    return Netlist(mods[0], inputs, outputs, instances, alias, macros)


@dataclass
class PowerResult:
    internal_mw: float
    switching_mw: float
    leakage_mw: float
    clock_pin_switching_mw: float          # part of switching: the clock net over the flip-flops' clock pins
    sequential_mw: float                   # internal + switching of nets driven by sequential cells + their leakage
    nets: int
    nets_with_toggles: int
    unknown_nets: list                     # nets of the netlist with no toggle count (taken as 0)
    details: dict

    @property
    def total_mw(self):
        return self.internal_mw + self.switching_mw + self.leakage_mw


def compute(netlist, lib, toggles, cycles, clock_mhz, input_transition_ns=0.1, output_load_pf=0.0,
            clock_net=None, wire_load=None):
    """Power in mW. `toggles`: net name -> transitions counted over `cycles` clock cycles at `clock_mhz`."""
    if cycles <= 0 or clock_mhz <= 0:
        raise ValueError("cycles and clock_mhz must be positive")
    t_ns = cycles * 1e3 / clock_mhz
    v2 = lib.voltage ** 2
    canon = netlist.canon
    for _, cell, _ in netlist.instances:
        if cell not in lib.cells:
            raise NetlistError(f"cell {cell} is not in the library")
    load = {}
    driver = {}
    clock_pins = {}
    for inst, cell, pins in netlist.instances:
        c = lib.cells[cell]
        for pin, net in pins.items():
            p = c.pins.get(pin)
            if p is None:
                raise NetlistError(f"{inst}: cell {cell} has no pin {pin}")
            n = canon(net)
            if p.direction == "input":
                load[n] = load.get(n, 0.0) + p.capacitance
                if p.clock:
                    clock_pins[n] = clock_pins.get(n, 0.0) + p.capacitance
            elif p.direction == "output":
                driver[n] = (inst, c, p)
    for o in netlist.outputs:
        n = canon(o)
        load[n] = load.get(n, 0.0) + output_load_pf
    if wire_load is not None:
        fanout = {}
        for _, cell, pins in netlist.instances:
            for pin, net in pins.items():
                if lib.cells[cell].pins[pin].direction == "input":
                    fanout[canon(net)] = fanout.get(canon(net), 0) + 1
        for n, k in fanout.items():
            load[n] += wire_load.capacitance(k)

    def slew_of(net):
        d = driver.get(net)
        if d is None:
            return input_transition_ns
        _, c, p = d
        vals = []
        for _, rise, fall in p.transitions:
            for t in (rise, fall):
                if t is not None:
                    vals.append(t.lookup(input_net_transition=input_transition_ns,
                                         total_output_net_capacitance=load.get(net, 0.0)))
        return sum(vals) / len(vals) if vals else input_transition_ns

    slew_cache = {}

    def slew(net):
        if net not in slew_cache:
            slew_cache[net] = slew_of(net)
        return slew_cache[net]

    nets = set(load) | set(driver)
    unknown = sorted(n for n in nets if n not in toggles)
    tog = {n: toggles.get(n, 0) for n in nets}

    switching = sum(0.5 * load[n] * v2 * tog[n] for n in load) / t_ns
    clock_sw = 0.0
    if clock_net is not None:
        ck = canon(clock_net)
        clock_sw = 0.5 * clock_pins.get(ck, 0.0) * v2 * tog.get(ck, 0) / t_ns
    internal = 0.0
    seq = 0.0
    leakage = 0.0
    per_cell = {}
    for inst, cell, pins in netlist.instances:
        c = lib.cells[cell]
        e = 0.0
        for pin, net in pins.items():
            p = c.pins[pin]
            n = canon(net)
            if p.direction == "output" and p.internal_power:
                groups = {}
                for ip in p.internal_power:
                    groups.setdefault(ip.related_pin, []).append(ip)
                weights = {rp: (tog.get(canon(pins[rp]), 0) if rp in pins else 0) for rp in groups}
                total_w = sum(weights.values())
                energy = 0.0
                for rp, ips in groups.items():
                    w = weights[rp] / total_w if total_w else 1.0 / len(groups)
                    s = slew(canon(pins[rp])) if rp in pins else input_transition_ns
                    energy += w * sum(ip.energy(input_transition_time=s, total_output_net_capacitance=load.get(n, 0.0))
                                      for ip in ips) / len(ips)
                e += tog[n] * energy
            elif p.direction == "input" and p.internal_power:
                s = slew(n)
                ips = p.internal_power
                e += tog[n] * sum(ip.energy(input_transition_time=s) for ip in ips) / len(ips)
        p_int = e / t_ns
        internal += p_int
        leakage += c.leakage_nw * 1e-6
        if c.sequential:
            out_sw = sum(0.5 * load.get(canon(net), 0.0) * v2 * tog.get(canon(net), 0)
                         for pin, net in pins.items() if c.pins[pin].direction == "output") / t_ns
            seq += p_int + out_sw + c.leakage_nw * 1e-6
        per_cell[cell] = per_cell.get(cell, 0.0) + p_int
    return PowerResult(internal, switching, leakage, clock_sw, seq, len(nets),
                       sum(1 for n in nets if tog[n] > 0), unknown,
                       {"internal_by_cell_type_mw": dict(sorted(per_cell.items(), key=lambda kv: -kv[1])),
                        "time_ns": t_ns, "voltage": lib.voltage})


def main(argv=None):
    """Command line: power of a netlist from a JSON of toggle counts; prints JSON (mW)."""
    import argparse
    import json
    import sys
    import liberty
    ap = argparse.ArgumentParser(description="Power (mW) of a mapped netlist from per-net toggle counts.")
    ap.add_argument("--netlist", required=True)
    ap.add_argument("--liberty", required=True)
    ap.add_argument("--toggles", required=True, help="JSON object: net -> transitions in the window")
    ap.add_argument("--cycles", type=float, required=True)
    ap.add_argument("--clock-mhz", type=float, required=True)
    ap.add_argument("--input-transition", type=float, default=0.1, help="ns, at primary inputs")
    ap.add_argument("--output-load", type=float, default=0.0, help="pF on every output port")
    ap.add_argument("--clock-net")
    a = ap.parse_args(argv)
    try:
        with open(a.netlist) as f:
            nl = read_netlist(f.read())
        lib = liberty.load(a.liberty, {c for _, c, _ in nl.instances})
        with open(a.toggles) as f:
            tog = json.load(f)
        r = compute(nl, lib, tog, a.cycles, a.clock_mhz, a.input_transition, a.output_load, a.clock_net)
    except (OSError, ValueError) as e:
        print(f"power: {e}", file=sys.stderr)
        return 2
    print(json.dumps({"internal_mw": r.internal_mw, "switching_mw": r.switching_mw, "leakage_mw": r.leakage_mw,
                      "total_mw": r.total_mw, "clock_pin_switching_mw": r.clock_pin_switching_mw,
                      "sequential_mw": r.sequential_mw, "nets": r.nets, "unknown_nets": r.unknown_nets}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
