#!/usr/bin/env python3
"""`make asic`: area, clock, power and energy per verified token of the HADES verifier on SKY130 HD.

Every figure is an ESTIMATE BEFORE LAYOUT at the typical corner (tt, 25 °C, 1.80 V): no clock tree, no wires,
no glitches, and not the memory or interface that delivers the logits (docs/asic-power.md has the method).

For each configuration "Γ V L format mode trace":
  1. `hadesgen` writes the verifier;
  2. Yosys maps it to the vendored SKY130 HD library (third_party/sky130): cells, flip-flops, area;
  3. OpenSTA: the critical path and the shortest clock period it allows (ideal clock, typical corner);
  4. the mapped netlist is simulated at gate level (Verilator, the library's cell models) on the trace's rounds,
     streamed as the co-simulation streams them, at that clock; Verilator's toggle coverage counts each net's
     transitions; every round's decision and the emitted tokens are checked against the trace;
  5. tools/asic/power.py computes internal, switching and leakage power from those counts and the Liberty
     tables; OpenSTA's vectorless `report_power` (input ports at a set activity) is reported beside it;
  6. energy per verified token = P · cycles / (f · tokens); verified tokens/s/W = 1 / that.
Writes build/reports/asic-<tag>.json, build/reports/asic.md and build/reports/asic_efficiency.svg.

Usage: tools/asic.py [--hadesgen PATH] [--configs "G V L FMT MODE TRACE" ...] [--reports DIR] [--force]
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "asic"))
import reportlib  # noqa: E402
import flow  # noqa: E402
import liberty  # noqa: E402
import power  # noqa: E402
import sram  # noqa: E402
import stimulus  # noqa: E402
import toggles  # noqa: E402

ROOT = os.path.dirname(HERE)
DEFAULT_CONFIGS = ["16 50257 16 fp16 greedy Tests/Fixtures/greedy_g8.npz",
                   "16 50257 64 fp16 greedy Tests/Fixtures/greedy_g8.npz",
                   "8 50257 16 fixed16.8 sampling Tests/Fixtures/sampling_g4.npz"]
ABC_PERIOD_PS = 3000          # the delay target ABC maps for (the achieved clock comes from OpenSTA)
STA_PROBE_PERIOD_NS = 10.0    # the clock of the first timing run; min period = probe − worst slack
VECTORLESS_ACTIVITY = 0.5     # OpenSTA upper bound: every input port toggles at 0.5 per cycle
LABEL = "estimate before layout, typical corner"
LIBRARY = "SkyWater SKY130 sky130_fd_sc_hd (tt_025C_1v80)"
CORNER = "typical (tt), 25 °C, 1.80 V"
# CPU power for the software baselines: this machine exposes no power counters, so the package power per core
# is an assumption taken from a vendor TDP (stated in the report).
CPU_WATTS_PER_CORE = 280.0 / 64
CPU_WATTS_SOURCE = ("assumption: AMD EPYC 7763 default TDP 280 W over its 64 cores = 4.375 W per core (AMD product "
                    "page, amd.com/en/products/cpu/amd-epyc-7763); this VM reports only 'AMD EPYC', no power "
                    "counters; one core ran each baseline")
PAPER = ("Yang, Jin, Xu, 'HADES: Hardware Accelerated Decoding for Efficient Speculation in Large Language "
         "Models', arXiv:2412.19925 (ICCEA 2025)")


def log(msg):
    print(f"[asic] {msg}", flush=True)


def parse_config(text):
    f = text.split()
    if len(f) != 6:
        raise SystemExit(f"asic: config {text!r}: expected \"GAMMA VOCAB LANES FORMAT MODE TRACE\"")
    g, v, l, fmt, mode, trace = f
    if mode not in ("greedy", "sampling"):
        raise SystemExit(f"asic: config {text!r}: mode must be greedy or sampling")
    try:
        g, v, l = int(g), int(v), int(l)
    except ValueError:
        raise SystemExit(f"asic: config {text!r}: GAMMA, VOCAB and LANES must be integers") from None
    trace = trace if os.path.isabs(trace) else os.path.join(ROOT, trace)
    if not os.path.exists(trace):
        raise SystemExit(f"asic: config {text!r}: trace {trace} not found")
    return g, v, l, fmt, mode, trace


def config_tag(g, v, l, fmt, mode):
    f = re.sub(r"fixed(\d+)\.(\d+)", r"fx\1p\2", fmt)
    return f"{'sampling_' if mode == 'sampling' else ''}g{g}_v{v}_l{l}_{f}"


def tool_version(cmd):
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        return ((p.stdout or p.stderr).strip().splitlines() or ["unknown"])[0]
    except (OSError, subprocess.TimeoutExpired):
        return "unavailable"


def energy(power_mw, cycles, clock_mhz, tokens):
    """Energy per token (nJ) = P · cycles / (f · tokens); tokens/s/W is its inverse (1 nJ → 1e9 tokens/s/W)."""
    seconds = cycles / (clock_mhz * 1e6)
    nj = power_mw * 1e-3 * seconds / tokens * 1e9
    return nj, 1e9 / nj


def one(cfg, hadesgen, reports, work_root, libs, versions, force, rounds=None, verilog_path=None):
    g, v, l, fmt, mode, trace = cfg
    tag = config_tag(g, v, l, fmt, mode)
    work = os.path.join(work_root, tag)
    os.makedirs(work, exist_ok=True)
    out_path = os.path.join(reports, f"asic-{tag}.json")
    gen = [hadesgen, "--gamma", str(g), "--vocab", str(v), "--lanes", str(l), "--format", fmt, "--mode", mode]
    if verilog_path:
        verilog = open(verilog_path).read()
        with open(os.path.join(work, "verify.v"), "w") as f:
            f.write(verilog)
    else:
        subprocess.run(gen + ["-o", os.path.join(work, "verify.v")], check=True)
        verilog = open(os.path.join(work, "verify.v")).read()
    # What the measured figures depend on (not the report formatting of this file).
    tool_files = [os.path.join(HERE, "asic", n) for n in ("flow.py", "liberty.py", "power.py", "stimulus.py",
                                                           "toggles.py", "sim_main.cpp", "sky130_udp_verilator.v",
                                                           "coverage.vlt")]
    h = hashlib.sha256(verilog.encode())
    for p in tool_files + [os.path.join(HERE, "asic", "sram.py"), trace, flow.LIB_GZ]:
        h.update(open(p, "rb").read())
    h.update(json.dumps([versions, rounds, ABC_PERIOD_PS]).encode())
    fingerprint = h.hexdigest()
    if not force and os.path.exists(out_path):
        try:
            old = json.load(open(out_path))
            if old.get("fingerprint") == fingerprint:
                log(f"{tag}: unchanged, keeping {os.path.relpath(out_path, ROOT)}")
                return old
        except (OSError, ValueError):
            pass
    top, _, params = stimulus.read_header(verilog)
    if (int(params["gamma_max"]), int(params["vocab"]), int(params["lanes"]), params["format"]) != (g, v, l, fmt):
        raise flow.FlowError(f"{tag}: the Verilog is for Γ={params['gamma_max']}, V={params['vocab']}, "
                             f"L={params['lanes']}, {params['format']}")
    times = {}
    mapped, macros = sram.extract(verilog)
    with open(os.path.join(work, "verify_mapped.v"), "w") as f:
        f.write(mapped)
    with open(os.path.join(work, "sram_blackbox.v"), "w") as f:
        f.write("".join(sram.blackbox(m) for m in macros))
    with open(os.path.join(work, "sram_models.v"), "w") as f:
        f.write("".join(sram.model(m) for m in macros))
    log(f"{tag}: yosys map to SKY130 HD" + (f" ({len(macros)} memory as SRAM macro)" if macros else ""))
    stat, times["yosys_s"] = flow.yosys_map("verify_mapped.v", top, libs["lib"], work, ABC_PERIOD_PS,
                                            "sram_blackbox.v" if macros else None)
    netlist_path = os.path.join(work, "netlist.v")
    with open(netlist_path) as f:
        nl = power.read_netlist(f.read(), macro_prefix="hades_sram_")
    lib = liberty.load(libs["lib"], {c for _, c, _ in nl.instances})
    flops = sum(n for c, n in stat["cell_types"].items() if lib.cells.get(c) and lib.cells[c].sequential)

    log(f"{tag}: OpenSTA timing")
    t0 = time.time()
    probe = flow.sta(libs["lib"], "netlist.v", top, work, STA_PROBE_PERIOD_NS, "sta_probe")
    period = round(STA_PROBE_PERIOD_NS - probe["slack_ns"], 4)
    clock_mhz = 1e3 / period
    timing = flow.sta(libs["lib"], "netlist.v", top, work, period, "sta", activity=[VECTORLESS_ACTIVITY])
    times["sta_s"] = time.time() - t0
    if abs(timing["slack_ns"]) > 0.002:
        raise flow.FlowError(f"{tag}: slack at the derived period {period} ns is {timing['slack_ns']} ns, not 0")

    log(f"{tag}: stimulus from {os.path.relpath(trace, ROOT)}")
    desc = stimulus.build(trace, verilog, work, period, rounds=rounds)
    log(f"{tag}: verilator gate-level build ({stat['cells']} cells; minutes)")
    times["verilator_build_s"] = flow.verilator_build(
        libs, netlist_path, work, models=[os.path.join(work, "sram_models.v")] if macros else [], cells=stat["cells"])
    log(f"{tag}: gate-level simulation at {clock_mhz:.1f} MHz")
    times["simulation_s"] = flow.simulate(work, period, stimulus.RESET_CYCLES)
    rounds_hw, end_cycle = flow.read_results(work, desc)
    accesses = flow.sram_accesses(work)
    cycles = end_cycle - stimulus.RESET_CYCLES   # the window the toggles were counted over
    counts = toggles.from_verilator_coverage(os.path.join(work, "coverage.dat"), "TOP.hades_asic_tb.dut")
    res = power.compute(nl, lib, counts, cycles, clock_mhz, input_transition_ns=flow.INPUT_TRANSITION_NS,
                        output_load_pf=flow.OUTPUT_LOAD_PF, clock_net="aclk")
    missing = [n for n in res.unknown_nets]
    if len(missing) > 0.01 * res.nets:
        raise flow.FlowError(f"{tag}: {len(missing)} of {res.nets} nets have no toggle count (e.g. {missing[:5]})")
    tokens = desc["tokens"]
    total = res.total_mw
    nj, tpsw = energy(total, cycles, clock_mhz, tokens)
    round_cycles = sum(r["cycles"] for r in rounds_hw)
    data_inputs = [n for n in nl.inputs if n not in ("aclk", "aresetn")]
    in_act = sum(counts.get(n, 0) for n in data_inputs) / max(1, len(data_inputs)) / cycles
    # OpenSTA with the measured mean input-port activity (its own propagation inside): a second reference.
    measured = flow.sta(libs["lib"], "netlist.v", top, work, period, "sta_power_measured",
                        activity=[round(in_act, 6)])
    rep = {
        "label": LABEL, "library": LIBRARY, "corner": CORNER, "fingerprint": fingerprint,
        "config": {"gamma_max": g, "vocab": v, "lanes": l, "format": fmt, "mode": mode, "tag": tag, "top": top,
                   "beats_per_row": desc["beats_per_row"], "latency_D": params.get("latency_D")},
        "area_um2": stat["area_um2"], "cells": stat["cells"], "flops": flops, "cell_types": stat["cell_types"],
        "clock_mhz": round(clock_mhz, 2), "clock_period_ns": period,
        "clock_source": (f"OpenSTA {versions['sta']}: minimum period = {STA_PROBE_PERIOD_NS} ns probe clock − worst "
                         f"slack; ideal clock, no wires, input/output delay 0, input transition "
                         f"{flow.INPUT_TRANSITION_NS} ns, output load {flow.OUTPUT_LOAD_PF} pF, typical corner"),
        "critical_path": {k: timing[k] for k in ("startpoint", "endpoint", "arrival_ns", "setup_ns", "levels",
                                                  "path_cells")},
        "power_mw": {"internal": res.internal_mw, "switching": res.switching_mw, "leakage": res.leakage_mw,
                     "total": total, "clock_pins_switching_in_switching": res.clock_pin_switching_mw,
                     "sequential_cells": res.sequential_mw},
        "activity_source": (f"gate-level Verilator simulation of the mapped netlist with the SKY130 cell models, "
                            f"{desc['rounds']} rounds of {desc['trace']} (real SmolLM2 logits, V={desc['trace_vocab']}"
                            + (f" padded to {v} with −inf" if desc['trace_vocab'] < v else "")
                            + f"), producer never stalling, {cycles} cycles at {clock_mhz:.1f} MHz; per-net toggle "
                            f"counts from Verilator --coverage-toggle (zero-delay: no glitches)"),
        "activity": {"cycles": cycles, "round_cycles": round_cycles, "rounds": desc["rounds"], "tokens": tokens,
                     "nets": res.nets, "nets_toggling": res.nets_with_toggles, "nets_without_count": len(missing),
                     "mean_input_port_toggles_per_cycle": in_act,
                     "per_round": [{**r, **{"expected_" + k: e[k] for k in ("accepted", "token")}}
                                   for r, e in zip(rounds_hw, desc["expected"])]},
        "energy_per_token_nj": nj, "tokens_per_s_per_w": tpsw,
        "tokens_per_s": tokens * clock_mhz * 1e6 / cycles,
        "tokens_per_s_ideal_rounds": tokens * clock_mhz * 1e6 / round_cycles,
        "opensta_report_power_mw": {"vectorless_input_activity_0.5": timing["power"][0] if timing["power"] else None,
                                    "measured_mean_input_activity": measured["power"][0] if measured["power"] else None,
                                    "note": "OpenSTA 2.0.17 propagates the input-port activity itself (no VCD/SAIF "
                                            "reader); the 0.5 figure is the vectorless upper bound"},
        "left_out": ["clock tree (buffers and wires): only the flip-flops' clock-pin capacitance and clock-pin "
                     "internal power are counted", "wire capacitance (no layout; no wire-load model)",
                     "glitches (zero-delay simulation)",
                     "the memory and the interface that deliver the logits (only the verifier's ports are counted)"],
        "tool_versions": versions, "times_s": times,
        "sram_macros": [{"memory": m["name"], "depth": m["depth"], "width": m["width"], "bits": m["depth"] * m["width"],
                         "writes_reads_in_run": next((v for k, v in accesses.items() if k.endswith(f"u_{m['name']}_sram")),
                                                     None)}
                        for m in macros],
    }
    if macros:
        rep["left_out"].insert(0, "SRAM macros (" + ", ".join(f"{m['name']}: {m['depth']} × {m['width']} bits"
                                                             for m in macros)
                               + "): not in the cell area, clock or power; their access counts are in sram_macros")
    json.dump(rep, open(out_path, "w"), indent=1)
    log(f"{tag}: {stat['area_um2']:.0f} µm², {stat['cells']} cells, {flops} FF, {clock_mhz:.1f} MHz, "
        f"{total:.3f} mW, {nj:.3f} nJ/token, {tpsw:.3g} tokens/s/W ({LABEL})")
    return rep


def cpu_baselines(reports, given=None, given_source=None):
    """CPU rows from `make bench` (build/reports/bench.json), else from `--cpu-baseline NAME=TOKENS_PER_S`."""
    path = os.path.join(reports, "bench.json")
    if not os.path.exists(path):
        if given:
            return ([{"name": n, "tokens_per_s": t, "watts": CPU_WATTS_PER_CORE,
                      "tokens_per_s_per_w": t / CPU_WATTS_PER_CORE} for n, t in given], given_source)
        return None, f"no {os.path.relpath(path, ROOT)} (run `make bench` for the CPU comparison)"
    b = json.load(open(path))
    rows = []
    for key, name in (("numpy_fp32_tokens_per_s", "numpy argmax, float32"), ("numpy_fp16_tokens_per_s",
                      "numpy argmax, float16"), ("cpp_tokens_per_s", "C, fp16 codes"),
                      ("cpp_fp32_tokens_per_s", "C, float32"), ("swift_golden_tokens_per_s", "Swift golden model")):
        tps = b.get(key) or (b.get("summary", {}) or {}).get(key)
        if tps:
            rows.append({"name": name, "tokens_per_s": tps, "watts": CPU_WATTS_PER_CORE,
                         "tokens_per_s_per_w": tps / CPU_WATTS_PER_CORE})
    return rows, os.path.relpath(path, ROOT)


def markdown(reps, cpu, cpu_src):
    lines = ["# HADES on SKY130: area, clock, power, energy per verified token", "",
             f"**Every ASIC number here is an {LABEL}** ({LIBRARY}; {CORNER}). Generated by `make asic` "
             "(tools/asic.py); method in docs/asic-power.md.", "",
             "| config | area µm² | cells | FF | clock MHz (STA) | internal mW | switching mW | leakage mW | total mW "
             "| OpenSTA vectorless mW (inputs 0.5) | cycles | tokens | nJ/token | tokens/s | tokens/s/W |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in reps:
        c, p, a = r["config"], r["power_mw"], r["activity"]
        vl = (r["opensta_report_power_mw"].get("vectorless_input_activity_0.5") or {}).get("total_mw")
        lines.append(f"| {c['tag']} | {r['area_um2']:.0f} | {r['cells']} | {r['flops']} | {r['clock_mhz']:.1f} | "
                     f"{p['internal']:.3f} | {p['switching']:.3f} | {p['leakage']:.2e} | {p['total']:.3f} | "
                     f"{vl:.3f} | {a['cycles']} | {a['tokens']} | {r['energy_per_token_nj']:.2f} | "
                     f"{r['tokens_per_s']:.3g} | {r['tokens_per_s_per_w']:.3g} |")
    lines += ["", "Columns: clock = 1 / (OpenSTA minimum period, ideal clock); power = tools/asic/power.py on the "
              "toggle counts of the gate-level run (switching includes the flip-flops' clock pins driven by an ideal "
              "clock); cycles = the counted window, from the first clock after reset to the last emitted token (every "
              "round's γ+1 rows streamed one beat per clock, sampling passes, pipeline drain); energy per token = P · cycles / (f · tokens); tokens/s/W = its inverse.", ""]
    for r in reps:
        cp = r["critical_path"]
        lines += [f"## {r['config']['tag']}", "",
                  f"- activity: {r['activity_source']}",
                  f"- critical path: {cp['startpoint']} → {cp['endpoint']}, {cp['levels']} cells, arrival "
                  f"{cp['arrival_ns']:.3f} ns + setup {cp['setup_ns'] or 0:.3f} ns",
                  f"- per-round cycles (first logit beat to result, as the co-simulation counts them): "
                  + ", ".join(str(x["cycles"]) for x in r["activity"]["per_round"])
                  + f"; tokens/s if the producer stopped at the decisive row: {r['tokens_per_s_ideal_rounds']:.3g}",
                  f"- OpenSTA report_power at the measured mean input activity "
                  f"{r['activity']['mean_input_port_toggles_per_cycle']:.4f}/cycle: "
                  + (f"{r['opensta_report_power_mw']['measured_mean_input_activity']['total_mw']:.3f} mW"
                     if r['opensta_report_power_mw']['measured_mean_input_activity'] else "n/a"),
                  f"- left out: " + "; ".join(r["left_out"])]
        for m in r.get("sram_macros", []):
            wr = m["writes_reads_in_run"]
            lines.append(f"- SRAM macro `{m['memory']}`: {m['depth']} × {m['width']} = {m['bits']} bits"
                         + (f"; {wr[0]} writes and {wr[1]} reads in the counted run" if wr else ""))
        lines.append("")
    lines += ["## Comparison (tokens/s/W)", "",
              f"CPU baselines: measured tokens/s ({cpu_src}) × {CPU_WATTS_PER_CORE:.3f} W "
              f"({CPU_WATTS_SOURCE}). GPU: the paper ({PAPER}): its Figure 3 values are not reproduced here because "
              "they were not available to this flow as numbers; a third-party summary (devbytes.co.in, 'HADES: "
              "Hardware Accelerated Decoding for Efficient Speculation in LLMs') quotes 6.99× and 7.74× the "
              "tokens/s of an A100 and an A6000 (not checked against the paper's text, and not per watt).", "",
              "| system | tokens/s | W | tokens/s/W | source |", "|---|---|---|---|---|"]
    for r in reps:
        lines.append(f"| HADES {r['config']['tag']} ({LABEL}) | {r['tokens_per_s']:.3g} | "
                     f"{r['power_mw']['total'] / 1e3:.3g} | {r['tokens_per_s_per_w']:.3g} | make asic |")
    for c in cpu or []:
        lines.append(f"| CPU 1 core: {c['name']} | {c['tokens_per_s']:.3g} | {c['watts']:.3f} (assumed) | "
                     f"{c['tokens_per_s_per_w']:.3g} | make bench × assumed W |")
    lines += ["", "Both sides count only verification (argmax/sampling over logits already in memory); neither "
              "counts producing or moving the logits.", ""]
    return "\n".join(lines)


def chart(reps, cpu):
    """Bars like the paper's Figure 3: verified tokens/s/W per system (log scale), as an SVG."""
    bars = [(f"HADES {r['config']['tag']} (est.)", r["tokens_per_s_per_w"]) for r in reps]
    bars += [(f"CPU: {c['name']}", c["tokens_per_s_per_w"]) for c in (cpu or [])]
    return reportlib.svg_bar_chart(bars, "Verified tokens/s/W (ASIC: estimate before layout, typical corner)",
                                   "tokens/s/W (log)", logy=True)


def _baseline(text):
    name, _, value = text.rpartition("=")
    try:
        return name, float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--cpu-baseline {text!r}: expected NAME=TOKENS_PER_S") from None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--hadesgen", default=os.path.join(ROOT, ".build", "release", "hadesgen"))
    ap.add_argument("--configs", nargs="+", default=DEFAULT_CONFIGS)
    ap.add_argument("--reports", default=os.path.join(ROOT, "build", "reports"))
    ap.add_argument("--work", default=os.path.join(ROOT, "build", "asic"))
    ap.add_argument("--rounds", type=int, help="use only the first N rounds of each trace")
    ap.add_argument("--verilog", help="use this generated file instead of running hadesgen (one config only)")
    ap.add_argument("--cpu-baseline", action="append", type=_baseline, metavar="NAME=TOKENS_PER_S",
                    help="a measured CPU figure to compare with when build/reports/bench.json is absent")
    ap.add_argument("--cpu-baseline-source", default="given on the command line",
                    help="where the --cpu-baseline figures were measured")
    ap.add_argument("--force", action="store_true")
    ap.add_argument("--report-only", action="store_true",
                    help="rewrite asic.md and the chart from the configurations' existing asic-<tag>.json")
    a = ap.parse_args()
    configs = [parse_config(c) for c in a.configs]
    if a.verilog and len(configs) != 1:
        raise SystemExit("asic: --verilog needs exactly one --configs entry")
    if a.report_only:
        reps = []
        for g, v, l, fmt, mode, _ in configs:
            path = os.path.join(a.reports, f"asic-{config_tag(g, v, l, fmt, mode)}.json")
            if not os.path.exists(path):
                raise SystemExit(f"asic: {path} not found (run without --report-only first)")
            with open(path) as f:
                reps.append(json.load(f))
        write_reports(reps, a.reports, a.cpu_baseline, a.cpu_baseline_source)
        return
    if not a.verilog and not os.path.exists(a.hadesgen):
        raise SystemExit(f"asic: {a.hadesgen} not found (swift build -c release)")
    os.makedirs(a.reports, exist_ok=True)
    libs = flow.unpack_library(os.path.join(a.work, "lib"))
    versions = {"yosys": tool_version(["yosys", "-V"]), "sta": tool_version(["sta", "-version"]),
                "verilator": tool_version(["verilator", "--version"]), "python": platform.python_version()}
    reps = []
    try:
        for cfg in configs:
            reps.append(one(cfg, a.hadesgen, a.reports, a.work, libs, versions, a.force, a.rounds, a.verilog))
    except (flow.FlowError, stimulus.StimulusError, power.NetlistError, liberty.LibertyError) as e:
        raise SystemExit(f"asic: {e}") from None
    write_reports(reps, a.reports, a.cpu_baseline, a.cpu_baseline_source)


def write_reports(reps, reports, given=None, given_source=None):
    cpu, cpu_src = cpu_baselines(reports, given, given_source)
    with open(os.path.join(reports, "asic.md"), "w") as f:
        f.write(markdown(reps, cpu, cpu_src))
    with open(os.path.join(reports, "asic_efficiency.svg"), "w") as f:
        f.write(chart(reps, cpu))
    log(f"wrote {os.path.relpath(os.path.join(reports, 'asic.md'), ROOT)}")


if __name__ == "__main__":
    main()
