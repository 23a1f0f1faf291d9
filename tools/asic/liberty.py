"""A small Liberty (.lib) reader: the parts the power calculator needs.

Reads the group/attribute syntax (`name (args) { … }`, `attr : value ;`, `attr (args) ;`) into nested `Group`s,
then extracts per cell: area, `cell_leakage_power`, and per pin: direction, capacitance, function, the
`internal_power` groups (related pin, `when`, rise/fall energy tables) and the output transition tables of the
`timing` groups. Tables interpolate bilinearly and extrapolate linearly past their ends, as OpenSTA does.
Units are the library's (this reader checks the SKY130 ones: ns, pF, V, nW; energy tables in pJ = V·pF).
"""
from __future__ import annotations

import gzip
import re
from bisect import bisect_right
from dataclasses import dataclass, field

TOKEN = re.compile(r'"(?:[^"\\]|\\.|\\\n)*"|[A-Za-z0-9_.+\-!$\[\]\']+|[{}();:,]|\\\n|/\*.*?\*/|\S', re.S)


class LibertyError(ValueError):
    pass


@dataclass
class Group:
    kind: str
    args: list
    attrs: dict = field(default_factory=dict)      # simple attributes: name -> string
    complex: dict = field(default_factory=dict)    # complex attributes: name -> [list of args, …]
    groups: list = field(default_factory=list)

    def sub(self, kind):
        return [g for g in self.groups if g.kind == kind]


def _unquote(tok):
    return tok[1:-1].replace("\\\n", "") if tok.startswith('"') else tok


def parse(text, keep_cell=None):
    """Parses Liberty text into the top `Group`. `keep_cell(name)` False skips a cell's body (faster)."""
    toks = [t for t in TOKEN.findall(text) if not t.startswith("/*") and not t.startswith("\\")]
    pos = 0
    n = len(toks)

    def skip_group(p):
        depth = 1
        while depth:
            if p >= n:
                raise LibertyError("unterminated group")
            depth += {"{": 1, "}": -1}.get(toks[p], 0)
            p += 1
        return p

    def args_at(p):  # toks[p] == "("
        out, p = [], p + 1
        while toks[p] != ")":
            if toks[p] != ",":
                out.append(_unquote(toks[p]))
            p += 1
            if p >= n:
                raise LibertyError("unterminated argument list")
        return out, p + 1

    def body(g, p):
        while True:
            if p >= n:
                raise LibertyError(f"group {g.kind} not closed")
            t = toks[p]
            if t == "}":
                return p + 1
            if t == ";":
                p += 1
                continue
            name = t
            if p + 1 < n and toks[p + 1] == ":":
                val, p = [], p + 2
                while toks[p] != ";" and toks[p] != "}":
                    val.append(_unquote(toks[p]))
                    p += 1
                g.attrs[name] = " ".join(val)
                continue
            if p + 1 < n and toks[p + 1] == "(":
                a, p = args_at(p + 1)
                if p < n and toks[p] == "{":
                    if name == "cell" and keep_cell is not None and not keep_cell(a[0] if a else ""):
                        p = skip_group(p + 1)
                        continue
                    child = Group(name, a)
                    p = body(child, p + 1)
                    g.groups.append(child)
                else:
                    g.complex.setdefault(name, []).append(a)
                continue
            raise LibertyError(f"unexpected token {t!r} in group {g.kind}")

    if n < 2 or toks[pos] != "library":
        raise LibertyError("not a Liberty library (no `library` group)")
    a, pos = args_at(pos + 1)
    top = Group("library", a)
    if toks[pos] != "{":
        raise LibertyError("library group has no body")
    body(top, pos + 1)
    return top


def _floats(s):
    return [float(x) for x in s.replace('"', "").replace("\\", " ").split(",") if x.strip()]


@dataclass
class Table:
    """A 1-D or 2-D lookup table over (variable_1, variable_2)."""
    variables: tuple
    index_1: list
    index_2: list
    values: list   # rows over index_1, columns over index_2 (one column for a 1-D table)

    def lookup(self, **point):
        x = point[self.variables[0]]
        if len(self.variables) == 1:
            return _interp1(self.index_1, [r[0] for r in self.values], x)
        y = point[self.variables[1]]
        i = _segment(self.index_1, x)
        j = _segment(self.index_2, y)
        x0, x1 = self.index_1[i], self.index_1[i + 1]
        y0, y1 = self.index_2[j], self.index_2[j + 1]
        tx = (x - x0) / (x1 - x0)
        ty = (y - y0) / (y1 - y0)
        v = self.values
        return ((1 - tx) * (1 - ty) * v[i][j] + tx * (1 - ty) * v[i + 1][j]
                + (1 - tx) * ty * v[i][j + 1] + tx * ty * v[i + 1][j + 1])


def _segment(index, x):
    if len(index) < 2:
        raise LibertyError("table index needs at least two points")
    return min(max(bisect_right(index, x) - 1, 0), len(index) - 2)


def _interp1(index, values, x):
    if len(index) == 1:
        return values[0]
    i = _segment(index, x)
    t = (x - index[i]) / (index[i + 1] - index[i])
    return values[i] + t * (values[i + 1] - values[i])


@dataclass
class InternalPower:
    related_pin: str | None
    when: str | None
    rise: Table | None
    fall: Table | None

    def energy(self, **point):
        """Mean of the rise and fall energy (pJ) at the point: the energy per transition of a pin that toggles
        up and down alternately (the tables may carry ±½CV² that cancel in the mean)."""
        vals = [t.lookup(**point) for t in (self.rise, self.fall) if t is not None]
        return sum(vals) / len(vals) if vals else 0.0


@dataclass
class Pin:
    name: str
    direction: str
    capacitance: float = 0.0
    function: str | None = None
    clock: bool = False
    internal_power: list = field(default_factory=list)
    transitions: list = field(default_factory=list)   # (related_pin, rise_transition, fall_transition)


@dataclass
class Cell:
    name: str
    area: float
    leakage_nw: float
    pins: dict
    sequential: bool


@dataclass
class WireLoad:
    """A Liberty `wire_load` model: C = capacitance per unit length × length(fanout); past the table's largest
    fanout the length grows by `slope` per extra fanout."""
    name: str
    cap_per_length: float
    slope: float
    lengths: dict

    def capacitance(self, fanout):
        if fanout in self.lengths:
            length = self.lengths[fanout]
        else:
            top = max(self.lengths)
            length = self.lengths[top] + (fanout - top) * self.slope
        return self.cap_per_length * length


@dataclass
class Library:
    name: str
    voltage: float
    units: dict
    cells: dict
    wire_loads: dict = field(default_factory=dict)
    default_wire_load: str | None = None


def _templates(top):
    out = {}
    for kind in ("power_lut_template", "lu_table_template"):
        for g in top.sub(kind):
            variables = tuple(g.attrs[k] for k in ("variable_1", "variable_2", "variable_3") if k in g.attrs)
            out[g.args[0]] = variables
    return out


def _table(g, templates):
    if g is None:
        return None
    if g.args and g.args[0] == "scalar":
        v = _floats(g.complex["values"][0][0])
        return Table(("input_transition_time",), [0.0, 1.0], [], [[v[0]], [v[0]]])
    variables = templates.get(g.args[0]) if g.args else None
    if variables is None:
        raise LibertyError(f"table template {g.args!r} not defined")
    i1 = _floats(g.complex["index_1"][0][0])
    rows = [_floats(r) for r in g.complex["values"][0]]
    if len(variables) == 1:
        if len(rows) == 1 and len(rows[0]) == len(i1):
            rows = [[x] for x in rows[0]]
        return Table(variables, i1, [], rows)
    i2 = _floats(g.complex["index_2"][0][0])
    if len(rows) != len(i1) or any(len(r) != len(i2) for r in rows):
        raise LibertyError(f"table {g.kind} has {len(rows)} rows for {len(i1)}×{len(i2)} indices")
    return Table(variables, i1, i2, rows)


def _one(groups, kind):
    g = [x for x in groups if x.kind == kind]
    return g[0] if g else None


def load(path, cells=None):
    """Reads a (gzip-compressed or plain) Liberty file; `cells` limits which cells are extracted."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt") as f:
        text = f.read()
    wanted = set(cells) if cells is not None else None
    top = parse(text, keep_cell=(lambda c: c in wanted) if wanted is not None else None)
    units = {k: top.attrs.get(k, "").strip('"') for k in ("time_unit", "voltage_unit", "leakage_power_unit")}
    cap = top.complex.get("capacitive_load_unit", [["1", "pf"]])[0]
    units["capacitive_load_unit"] = f"{float(cap[0]):g}{cap[1]}"
    expected = {"time_unit": "1ns", "voltage_unit": "1V", "leakage_power_unit": "1nW", "capacitive_load_unit": "1pf"}
    if units != expected:
        raise LibertyError(f"units {units} differ from the ones this reader assumes {expected}")
    voltage = None
    for oc in top.sub("operating_conditions"):
        if oc.args and oc.args[0] == top.attrs.get("default_operating_conditions", "").strip('"'):
            voltage = float(oc.attrs["voltage"])
    if voltage is None:
        raise LibertyError("no default operating conditions with a voltage")
    templates = _templates(top)
    out = {}
    for c in top.sub("cell"):
        name = c.args[0]
        pins = {}
        for p in c.sub("pin"):
            pin = Pin(p.args[0], p.attrs.get("direction", ""), float(p.attrs.get("capacitance", 0.0)),
                      p.attrs.get("function"), p.attrs.get("clock", "false") == "true")
            for ip in p.sub("internal_power"):
                pin.internal_power.append(InternalPower(ip.attrs.get("related_pin"), ip.attrs.get("when"),
                                                        _table(_one(ip.groups, "rise_power"), templates),
                                                        _table(_one(ip.groups, "fall_power"), templates)))
            for t in p.sub("timing"):
                rt, ft = _one(t.groups, "rise_transition"), _one(t.groups, "fall_transition")
                if rt is not None or ft is not None:
                    pin.transitions.append((t.attrs.get("related_pin"), _table(rt, templates), _table(ft, templates)))
            pins[pin.name] = pin
        if "cell_leakage_power" in c.attrs:
            leak = float(c.attrs["cell_leakage_power"])
        else:
            vals = [float(g.attrs["value"]) for g in c.sub("leakage_power") if "value" in g.attrs]
            leak = sum(vals) / len(vals) if vals else 0.0
        seq = bool(c.sub("ff") or c.sub("latch") or c.sub("ff_bank") or c.sub("statetable"))
        out[name] = Cell(name, float(c.attrs.get("area", 0.0)), leak, pins, seq)
    if wanted is not None and wanted - set(out):
        raise LibertyError(f"cells not in the library: {sorted(wanted - set(out))}")
    wire_loads = {}
    for g in top.sub("wire_load"):
        lengths = {int(float(a[0])): float(a[1]) for a in g.complex.get("fanout_length", [])}
        wire_loads[g.args[0]] = WireLoad(g.args[0], float(g.attrs["capacitance"]), float(g.attrs["slope"]), lengths)
    default_wl = top.attrs.get("default_wire_load", "").strip('"') or None
    return Library(top.args[0] if top.args else "", voltage, units, out, wire_loads, default_wl)
