"""Per-net toggle counts: from Verilator toggle coverage (coverage.dat) or from a VCD.

Both return {net: transitions}, net names in the netlist reader's form (`name` or `name[i]`, escaped-name
backslashes removed). A transition is a change 0->1 or 1->0 of a settled value; x/z changes are not counted.
"""
from __future__ import annotations

import gzip
import re

COV_LINE = re.compile(r"^C '(.*)' (\d+)\s*$")


def _coverage_fields(key):
    """Verilator coverage keys are \\001-separated `name\\002value` pairs."""
    out = {}
    for part in key.split("\x01"):
        if "\x02" in part:
            k, v = part.split("\x02", 1)
            out[k] = v
    return out


def demangle(name):
    """Verilator writes characters that are not legal in C identifiers as `__0XX` (hex): `__05F` is `_`."""
    return re.sub(r"__0([0-9A-Fa-f]{2})", lambda m: chr(int(m.group(1), 16)), name)


def from_verilator_coverage(path, scope):
    """Toggle counts of the signals of instance `scope` (e.g. `hades_asic_tb.dut`) from `--coverage-toggle` output.

    Verilator writes one point per signal bit (and per direction in newer versions); points of the same bit
    are summed. Signals of nested instances (the cell models' internals) are not returned.
    """
    counts = {}
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="latin-1") as f:
        for line in f:
            m = COV_LINE.match(line)
            if not m:
                continue
            fields = _coverage_fields(m.group(1))
            if not fields.get("page", "").startswith("v_toggle"):
                continue
            if fields.get("h") != scope:
                continue
            name = demangle(fields.get("o", ""))
            name = re.sub(r":(0->1|1->0)$", "", name)
            name = name.replace("\\", "")
            name = re.sub(r"\s+\[", "[", name)
            counts[name] = counts.get(name, 0) + int(m.group(2))
    if not counts:
        raise ValueError(f"{path}: no toggle coverage for scope {scope!r}")
    return counts


def from_vcd(path, scope, start=0):
    """Toggle counts of the signals declared directly in `scope` (a `/`- or `.`-separated module path), counting
    only changes at times ≥ `start` (VCD time units)."""
    want = [s for s in re.split(r"[./]", scope) if s]
    stack, ids, state, counts = [], {}, {}, {}
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="latin-1") as f:
        in_defs = True
        now = 0
        for line in f:
            line = line.strip()
            if not line:
                continue
            if in_defs:
                tok = line.split()
                if tok[0] == "$scope":
                    stack.append(tok[2])
                elif tok[0] == "$upscope":
                    stack.pop()
                elif tok[0] == "$var" and stack == want:
                    width, code, name = int(tok[2]), tok[3], tok[4].replace("\\", "")
                    rng = tok[5] if len(tok) > 6 and tok[5].startswith("[") else None
                    if width == 1:
                        bits = [name + (rng if rng and ":" not in rng else "")]
                    else:
                        hi, lo = (int(x) for x in re.findall(r"\d+", rng)) if rng else (width - 1, 0)
                        step = -1 if hi >= lo else 1
                        bits = [f"{name}[{i}]" for i in range(hi, lo + step, step)]
                    ids.setdefault(code, []).append(bits)
                elif tok[0] == "$enddefinitions":
                    in_defs = False
                continue
            c = line[0]
            if c == "#":
                now = int(line[1:])
            elif c in "01xzXZ" and len(line) > 1:
                _change(ids, state, counts, line[1:], c, now >= start)
            elif c in "bB":
                val, code = line[1:].split()
                _change(ids, state, counts, code, val, now >= start)
    return counts


def _change(ids, state, counts, code, val, count):
    if code not in ids:
        return
    for bits in ids[code]:
        v = val.lower().rjust(len(bits), val[0].lower() if val[0] in "xzXZ" else "0")[-len(bits):]
        for b, ch in zip(bits, v):
            old = state.get(b)
            if count and old is not None and old != ch and old in "01" and ch in "01":
                counts[b] = counts.get(b, 0) + 1
            state[b] = ch
            counts.setdefault(b, 0)
