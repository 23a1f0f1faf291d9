#!/usr/bin/env python3
"""Report parsing and performance maths shared by tools/synth.py and tools/bench.py (standard library only).

Everything here is deterministic and is tested by Tests/ReportTests (through the command line below, on small
committed fixtures under Tests/ReportTests/Fixtures): yosys `stat -json` cell counts, nextpnr's `--report` JSON
and log (Fmax, critical path, utilisation), the speculative-decoding formulas of Leviathan et al. (2023), the
acceptance estimate from greedy rounds, medians and tokens per second, and the hand-written SVG charts.

Command line (prints JSON):
  reportlib.py yosys-stat STAT.json [--family generic|xilinx|ecp5]
  reportlib.py nextpnr REPORT.json [LOG]
  reportlib.py speedup --alpha A --c C --gamma G [G ...] [--accepted N,... --trace-gamma G,...]
  reportlib.py alpha --accepted N,N,... --gamma G,G,...
  reportlib.py tokens-per-s --tokens T --cycles C --mhz F
"""
from __future__ import annotations

import argparse
import json
import math
import re
import sys

# --------------------------------------------------------------------------------------------------------------
# statistics


def median(xs):
    """Median of a non-empty sequence (mean of the middle two for an even count)."""
    s = sorted(xs)
    if not s:
        raise ValueError("median of an empty sequence")
    k = len(s) // 2
    return s[k] if len(s) % 2 else (s[k - 1] + s[k]) / 2


def tokens_per_s(tokens, cycles, clock_mhz):
    """docs/spec.md: verified tokens per second = Σ(n+1) / Σ cycles × clock."""
    if cycles <= 0:
        return 0.0
    return tokens / cycles * clock_mhz * 1e6


# --------------------------------------------------------------------------------------------------------------
# speculative decoding (Leviathan, Kalman, Matias 2023: "Fast inference from transformers via speculative decoding")


def expected_tokens(alpha, gamma):
    """Expected tokens per round with i.i.d. per-position acceptance α: (1 − α^(γ+1)) / (1 − α)."""
    if not 0 <= alpha <= 1:
        raise ValueError(f"alpha {alpha} outside [0, 1]")
    if gamma < 0:
        raise ValueError(f"gamma {gamma} < 0")
    if alpha == 1:
        return float(gamma + 1)
    return (1 - alpha ** (gamma + 1)) / (1 - alpha)


def speedup(alpha, gamma, c):
    """Expected wall-time improvement: expected tokens per round / (γ·c + 1), c = draft/target cost per token."""
    if c < 0:
        raise ValueError(f"cost ratio {c} < 0")
    return expected_tokens(alpha, gamma) / (gamma * c + 1)


def estimate_alpha(accepted, gammas):
    """Maximum-likelihood α from greedy rounds under the truncated-geometric model of Leviathan et al.

    A round with draft length γ and n accepted tokens is n successes, plus one failure when n < γ
    (n = γ is censored: the (γ+1)-th position was never tried). α̂ = Σ n / (Σ n + #{rounds with n < γ}).
    Rounds with γ = 0 carry no information and are skipped. Returns None when nothing was tried.
    """
    if len(accepted) != len(gammas):
        raise ValueError("accepted and gamma differ in length")
    successes = failures = 0
    for n, g in zip(accepted, gammas):
        if g <= 0:
            continue
        if not 0 <= n <= g:
            raise ValueError(f"accepted {n} outside 0…{g}")
        successes += n
        failures += 1 if n < g else 0
    if successes + failures == 0:
        return None
    return successes / (successes + failures)


def truncated_rounds(accepted, gammas, g):
    """Tokens per round and acceptance if the same rounds had used draft length g ≤ each round's γ.

    n' = min(n, g): the first g positions of a round are decided exactly as before. Returns None when some round
    has γ < g (the trace cannot say what a longer draft would have done).
    """
    if any(gm < g for gm in gammas):
        return None
    ns = [min(n, g) for n in accepted]
    rounds = len(ns)
    if rounds == 0:
        return None
    return {"tokens_per_round": sum(n + 1 for n in ns) / rounds,
            "acceptance_rate": (sum(ns) / (g * rounds)) if g > 0 else None}


def table_rows(alpha, c, gammas, accepted=None, trace_gammas=None):
    """Rows of the Table-I-like table: predicted (formula) and, where the trace allows, measured (truncated)."""
    rows = []
    for g in gammas:
        e = expected_tokens(alpha, g)
        row = {"gamma": g, "alpha": alpha, "c": c,
               "predicted_tokens_per_round": e,
               "predicted_acceptance_rate": (e - 1) / g if g > 0 else None,
               "predicted_speedup": speedup(alpha, g, c)}
        if accepted is not None:
            t = truncated_rounds(accepted, trace_gammas, g)
            row["trace_tokens_per_round"] = t["tokens_per_round"] if t else None
            row["trace_acceptance_rate"] = t["acceptance_rate"] if t else None
            row["trace_speedup"] = (t["tokens_per_round"] / (g * c + 1)) if t else None
        rows.append(row)
    return rows


# --------------------------------------------------------------------------------------------------------------
# yosys `stat -json`

XILINX_LUT = re.compile(r"^LUT[1-6](_2)?$")
XILINX_FF = re.compile(r"^FD[CPRS]E(_1)?$|^FD[CPRS]$|^LD[CP]E?$")
XILINX_CARRY = re.compile(r"^CARRY(4|8)$")
XILINX_DSP = re.compile(r"^DSP48E\d?$|^DSP48E2$")
XILINX_MUXF = re.compile(r"^MUXF[789]$")
XILINX_LUTRAM = re.compile(r"^RAM(32|64|128|256)[MXS].*$|^SRL(16E|C32E)$")


def yosys_cells(stat):
    """Cell-type counts of the whole design from yosys `stat -json` output (flattened or hierarchical).

    Yosys 0.23 … 0.70 write the counts under `num_cells_by_type` (older releases: `cells`); the `design` entry is
    the whole hierarchy's total when present.
    """
    def counts(entry):
        for key in ("num_cells_by_type", "cells"):
            if isinstance(entry.get(key), dict):
                by_type = {k: int(v) for k, v in entry[key].items()}
                return by_type, int(entry.get("num_cells", sum(by_type.values())))
        raise ValueError("yosys stat entry has no cell counts")

    if isinstance(stat.get("design"), dict):
        return counts(stat["design"])
    modules = stat.get("modules", {})
    if len(modules) != 1:
        raise ValueError(f"stat has {len(modules)} modules and no design total; flatten first")
    (m,) = modules.values()
    return counts(m)


def summarize_cells(cells, family):
    """Resource summary by family: `generic` (yosys internal gates), `xilinx` (synth_xilinx), `ecp5` (synth_ecp5)."""
    def total(pred):
        return sum(v for k, v in cells.items() if pred(k))

    if family == "xilinx":
        ramb36 = total(lambda k: k.startswith("RAMB36"))
        ramb18 = total(lambda k: k.startswith("RAMB18"))
        return {"luts": total(lambda k: XILINX_LUT.match(k) is not None),
                "ffs": total(lambda k: XILINX_FF.match(k) is not None),
                "carry": total(lambda k: XILINX_CARRY.match(k) is not None),
                "dsps": total(lambda k: XILINX_DSP.match(k) is not None),
                "brams": ramb36 + ramb18 / 2,
                "muxf": total(lambda k: XILINX_MUXF.match(k) is not None),
                "lutram_srl": total(lambda k: XILINX_LUTRAM.match(k) is not None)}
    if family == "ecp5":
        return {"luts": total(lambda k: k == "LUT4"),
                "ffs": total(lambda k: k == "TRELLIS_FF"),
                "carry": total(lambda k: k == "CCU2C"),
                "dsps": total(lambda k: k.startswith("MULT18X18") or k.startswith("ALU54")),
                "brams": total(lambda k: k == "DP16KD" or k == "PDPW16KD"),
                "muxf": total(lambda k: k in ("PFUMX", "L6MUX21")),
                "lutram_srl": total(lambda k: k == "TRELLIS_DPR16X4")}
    if family == "generic":
        ffs = total(lambda k: k.startswith("$_DFF") or k.startswith("$_SDFF") or k.startswith("$_DFFE")
                    or k.startswith("$_SDFFE") or k.startswith("$_SDFFCE") or k in ("$dff", "$adff", "$sdff"))
        mem = total(lambda k: k.startswith("$mem"))
        return {"ffs": ffs, "memories": mem, "logic_cells": sum(cells.values()) - ffs - mem}
    raise ValueError(f"unknown family {family!r}")


# --------------------------------------------------------------------------------------------------------------
# nextpnr


def _clock_name(name):
    """`posedge $glbnet$aclk$TRELLIS_IO_IN` -> `aclk$TRELLIS_IO_IN` (nextpnr's global-net and edge prefixes off)."""
    return re.sub(r"^\$glbnet\$", "", re.sub(r"^(posedge|negedge)\s+", "", name.strip()))


def nextpnr_summary(report, log_text=None):
    """Fmax, critical path and utilisation from nextpnr's `--report` JSON (and its log, when given).

    `fmax_mhz` is the achieved clock-to-clock Fmax of the one clock domain (the slowest if there are several);
    paths that start or end at a pin are not clock-to-clock and are ignored. The critical path is the one
    nextpnr reports from that clock to itself: a list of steps (type, delay in ns, cell or net).
    """
    fmax = report.get("fmax", {})
    clocks = {_clock_name(k): v for k, v in fmax.items()}
    if not clocks:
        raise ValueError("nextpnr report has no clock Fmax (is the design clocked?)")
    clock, entry = min(clocks.items(), key=lambda kv: kv[1]["achieved"])
    out = {"clock": clock, "fmax_mhz": float(entry["achieved"]),
           "target_mhz": float(entry["constraint"]) if "constraint" in entry else None,
           "all_clocks": {k: float(v["achieved"]) for k, v in clocks.items()}}
    util = report.get("utilization", {})
    out["utilization"] = {k: {"used": int(v["used"]), "available": int(v["available"])} for k, v in util.items()}
    path = None
    for cp in report.get("critical_paths", []):
        if _clock_name(cp.get("from", "")) == clock and _clock_name(cp.get("to", "")) == clock:
            path = cp
            break
    steps = []
    if path is not None:
        for s in path.get("path", []):
            frm, to = s.get("from", {}), s.get("to", {})
            steps.append({"type": s.get("type", ""), "delay_ns": float(s.get("delay", 0.0)),
                          "from": f'{frm.get("cell", "")}.{frm.get("port", "")}',
                          "to": f'{to.get("cell", "")}.{to.get("port", "")}',
                          "net": s.get("net", "")})
    out["critical_path"] = steps
    logic = sum(s["delay_ns"] for s in steps if s["type"] not in ("routing",))
    routing = sum(s["delay_ns"] for s in steps if s["type"] == "routing")
    out["critical_path_ns"] = round(logic + routing, 3)
    out["critical_path_logic_ns"] = round(logic, 3)
    out["critical_path_routing_ns"] = round(routing, 3)
    out["critical_path_from"] = steps[0]["from"] if steps else None
    out["critical_path_to"] = steps[-1]["to"] if steps else None
    # Carry-chain hops (into a carry output) are counted apart from the other logic steps.
    carry = sum(1 for s in steps if s["type"] == "logic" and s["to"].endswith((".FCO", ".COUT", ".CO")))
    out["critical_path_carry_steps"] = carry
    out["critical_path_logic_levels"] = sum(1 for s in steps if s["type"] == "logic") - carry
    if log_text is not None:
        out.update(nextpnr_log_facts(log_text))
    return out


def nextpnr_log_facts(text):
    """Facts from a nextpnr log: final per-clock Fmax lines, and whether timing failed the target."""
    fmax = {}
    for m in re.finditer(r"Max frequency for clock\s+'([^']+)':\s+([0-9.]+) MHz \((PASS|FAIL) at ([0-9.]+) MHz\)", text):
        fmax[_clock_name(m.group(1))] = {"mhz": float(m.group(2)), "status": m.group(3), "target_mhz": float(m.group(4))}
    util = {}
    for m in re.finditer(r"Info:\s+([A-Za-z0-9_]+):\s+(\d+)/\s*(\d+)\s+(\d+)%", text):
        util[m.group(1)] = {"used": int(m.group(2)), "available": int(m.group(3))}
    return {"log_fmax": fmax, "log_utilization": util}


CELL_SUFFIX = re.compile(r"(_(TRELLIS_|LUT[1-6]|CCU2C|PFUMX|L6MUX21|DP16KD|MULT18|FD[CPRS]E|CARRY[48]|MUXF[78])|\$).*$")


def critical_path_cells(steps, limit=None):
    """The design signals a critical path passes, source first: each cell name with the suffixes that synthesis
    and packing add (`_TRELLIS_FF_Q…`, `_LUT4…`, `_CCU2C…`, `$…`) removed, consecutive repeats merged, and
    tool-made cells (`$nextpnr…`, `$abc…`) skipped."""
    names = []
    for s in steps:
        for end in (s["from"], s["to"]):
            cell = end.rsplit(".", 1)[0] if "." in end else end
            if not cell or cell.startswith("$"):
                continue
            root = CELL_SUFFIX.sub("", cell)
            if root and (not names or names[-1] != root):
                names.append(root)
    return names[:limit] if limit else names


# --------------------------------------------------------------------------------------------------------------
# SVG


def _nice_ticks(lo, hi, count=5):
    if hi <= lo:
        hi = lo + 1
    raw = (hi - lo) / count
    mag = 10 ** math.floor(math.log10(raw))
    step = min((m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw), default=10 * mag)
    start = math.floor(lo / step) * step
    ticks = []
    t = start
    while t <= hi + step * 1e-9:
        ticks.append(round(t, 10))
        t += step
    return ticks


def _fmt(v):
    if abs(v) >= 1e6:
        return f"{v / 1e6:g}M"
    if abs(v) >= 1e4:
        return f"{v / 1e3:g}k"
    return f"{v:g}"


def svg_line_chart(series, title, xlabel, ylabel, logx=False, logy=False, width=640, height=400, notes=()):
    """A line chart as an SVG string. `series`: [(label, [(x, y), …]), …]. Log axes use powers of two/ten."""
    colors = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf", "#7f7f7f"]
    pts = [(x, y) for _, s in series for x, y in s if y is not None]
    if not pts:
        raise ValueError("no points to plot")
    tx = (lambda v: math.log2(v)) if logx else (lambda v: v)
    ty = (lambda v: math.log10(v)) if logy else (lambda v: v)
    xs = [tx(x) for x, _ in pts]
    ys = [ty(y) for _, y in pts]
    x0, x1 = min(xs), max(xs)
    y0, y1 = min(ys), max(ys)
    if not logy:
        y0 = min(0.0, y0)
    if x1 == x0:
        x0, x1 = x0 - 1, x1 + 1
    if y1 == y0:
        y1 = y0 + 1
    pad = (y1 - y0) * 0.08
    y1 += pad
    if logy:
        y0 -= pad
    left, right, top, bottom = 80, 20 + 150, 40, 60
    pw, ph = width - left - right, height - top - bottom

    def px(v):
        return left + (v - x0) / (x1 - x0) * pw

    def py(v):
        return top + ph - (v - y0) / (y1 - y0) * ph

    def esc(s):
        return str(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{width / 2}" y="22" text-anchor="middle" font-size="15">{esc(title)}</text>']
    # axes and ticks
    if logx:
        xt = sorted({x for x, _ in pts})
        xticks = [(tx(x), _fmt(x)) for x in xt]
    else:
        xticks = [(t, _fmt(t)) for t in _nice_ticks(x0, x1)]
    if logy:
        yticks = [(math.log10(m * 10 ** e), _fmt(m * 10 ** e)) for e in range(math.floor(y0), math.ceil(y1) + 1)
                  for m in (1, 2, 5) if y0 <= math.log10(m * 10 ** e) <= y1]
    else:
        yticks = [(t, _fmt(t)) for t in _nice_ticks(y0, y1) if y0 <= t <= y1]
    for v, lab in xticks:
        if x0 - 1e-9 <= v <= x1 + 1e-9:
            out.append(f'<line x1="{px(v):.1f}" y1="{top}" x2="{px(v):.1f}" y2="{top + ph}" stroke="#eee"/>')
            out.append(f'<text x="{px(v):.1f}" y="{top + ph + 18}" text-anchor="middle">{esc(lab)}</text>')
    for v, lab in yticks:
        out.append(f'<line x1="{left}" y1="{py(v):.1f}" x2="{left + pw}" y2="{py(v):.1f}" stroke="#eee"/>')
        out.append(f'<text x="{left - 6}" y="{py(v) + 4:.1f}" text-anchor="end">{esc(lab)}</text>')
    out.append(f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="black"/>')
    out.append(f'<text x="{left + pw / 2}" y="{height - 18}" text-anchor="middle">{esc(xlabel)}</text>')
    out.append(f'<text x="18" y="{top + ph / 2}" text-anchor="middle" '
               f'transform="rotate(-90 18 {top + ph / 2})">{esc(ylabel)}</text>')
    for i, (label, s) in enumerate(series):
        c = colors[i % len(colors)]
        good = [(px(tx(x)), py(ty(y))) for x, y in s if y is not None]
        if len(good) > 1:
            out.append(f'<polyline fill="none" stroke="{c}" stroke-width="2" points="'
                       + " ".join(f"{a:.1f},{b:.1f}" for a, b in good) + '"/>')
        for a, b in good:
            out.append(f'<circle cx="{a:.1f}" cy="{b:.1f}" r="3" fill="{c}"/>')
        ly = top + 14 + i * 18
        out.append(f'<line x1="{left + pw + 10}" y1="{ly - 4}" x2="{left + pw + 28}" y2="{ly - 4}" '
                   f'stroke="{c}" stroke-width="2"/>')
        out.append(f'<text x="{left + pw + 32}" y="{ly}">{esc(label)}</text>')
    for j, n in enumerate(notes):
        out.append(f'<text x="{left + pw + 10}" y="{top + 14 + (len(series) + 1 + j) * 18}" '
                   f'font-size="10" fill="#555">{esc(n)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def svg_bar_chart(bars, title, ylabel, logy=False, width=720, height=420, caption=()):
    """A vertical bar chart as an SVG string. `bars`: [(label, value), …]; labels are written under the bars;
    `caption` lines go below them."""
    vals = [v for _, v in bars if v is not None and (v > 0 or not logy)]
    if not vals:
        raise ValueError("no bars to plot")
    ty = (lambda v: math.log10(v)) if logy else (lambda v: v)
    y0 = math.floor(ty(min(vals))) if logy else 0.0
    y1 = math.ceil(ty(max(vals))) if logy else max(vals) * 1.1
    if y1 <= y0:
        y1 = y0 + 1
    left, right, top, bottom = 80, 20, 40, 150 + 16 * len(caption)
    pw, ph = width - left - right, height - top - bottom

    def py(v):
        return top + ph - (ty(v) - y0) / (y1 - y0) * ph

    def esc(s):
        return str(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{width / 2}" y="22" text-anchor="middle" font-size="14">{esc(title)}</text>']
    ticks = ([10.0 ** e for e in range(int(y0), int(y1) + 1)] if logy else _nice_ticks(y0, y1))
    for t in ticks:
        if (ty(t) if (t > 0 or not logy) else y0) < y0 or ty(t) > y1:
            continue
        out.append(f'<line x1="{left}" y1="{py(t):.1f}" x2="{left + pw}" y2="{py(t):.1f}" stroke="#eee"/>')
        out.append(f'<text x="{left - 6}" y="{py(t) + 4:.1f}" text-anchor="end">{esc(_fmt(t))}</text>')
    out.append(f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="black"/>')
    out.append(f'<text x="18" y="{top + ph / 2}" text-anchor="middle" '
               f'transform="rotate(-90 18 {top + ph / 2})">{esc(ylabel)}</text>')
    colors = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf", "#7f7f7f"]
    slot = pw / len(bars)
    for i, (label, v) in enumerate(bars):
        x = left + i * slot + slot * 0.15
        if v is not None and (v > 0 or not logy):
            yb = top + ph
            out.append(f'<rect x="{x:.1f}" y="{py(v):.1f}" width="{slot * 0.7:.1f}" height="{yb - py(v):.1f}" '
                       f'fill="{colors[i % len(colors)]}"/>')
            out.append(f'<text x="{x + slot * 0.35:.1f}" y="{py(v) - 4:.1f}" text-anchor="middle" '
                       f'font-size="10">{esc(f"{v:.3g}")}</text>')
        cx = x + slot * 0.35
        out.append(f'<text x="{cx:.1f}" y="{top + ph + 12}" text-anchor="end" font-size="10" '
                   f'transform="rotate(-35 {cx:.1f} {top + ph + 12})">{esc(label)}</text>')
    for j, line in enumerate(caption):
        out.append(f'<text x="10" y="{height - 16 * (len(caption) - j) + 4}" font-size="10" fill="#555">'
                   f'{esc(line)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------------------------------------------
# command line (used by the Swift tests)


def _ints(s):
    return [int(x) for x in s.split(",") if x != ""]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("yosys-stat")
    p.add_argument("stat")
    p.add_argument("--family", default="generic", choices=["generic", "xilinx", "ecp5"])
    p = sub.add_parser("nextpnr")
    p.add_argument("report")
    p.add_argument("log", nargs="?")
    p = sub.add_parser("speedup")
    p.add_argument("--alpha", type=float, required=True)
    p.add_argument("--c", type=float, required=True)
    p.add_argument("--gamma", type=int, nargs="+", required=True)
    p.add_argument("--accepted", type=_ints, help="the trace's accepted counts, for the truncated columns")
    p.add_argument("--trace-gamma", type=_ints, help="the trace's γ per round (with --accepted)")
    p = sub.add_parser("alpha")
    p.add_argument("--accepted", type=_ints, required=True)
    p.add_argument("--gamma", type=_ints, required=True)
    p = sub.add_parser("tokens-per-s")
    p.add_argument("--tokens", type=int, required=True)
    p.add_argument("--cycles", type=int, required=True)
    p.add_argument("--mhz", type=float, required=True)
    a = ap.parse_args(argv)
    try:
        if a.cmd == "yosys-stat":
            with open(a.stat) as f:
                cells, n = yosys_cells(json.load(f))
            res = {"num_cells": n, "cells": cells, "summary": summarize_cells(cells, a.family)}
        elif a.cmd == "nextpnr":
            with open(a.report) as f:
                rep = json.load(f)
            log = open(a.log).read() if a.log else None
            res = nextpnr_summary(rep, log)
        elif a.cmd == "speedup":
            res = {"rows": table_rows(a.alpha, a.c, a.gamma, a.accepted, a.trace_gamma)}
        elif a.cmd == "alpha":
            res = {"alpha": estimate_alpha(a.accepted, a.gamma)}
        else:
            res = {"tokens_per_s": tokens_per_s(a.tokens, a.cycles, a.mhz)}
    except (ValueError, KeyError, OSError) as e:
        print(f"reportlib: {e}", file=sys.stderr)
        return 2
    print(json.dumps(res, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
