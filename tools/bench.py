#!/usr/bin/env python3
"""`make bench`: the verifier's verified tokens per second on real traces, against software verification.

In one run, on the committed greedy traces (Tests/Fixtures/greedy_*.npz by default):
  - hardware: `hades-sim` co-simulates every round through the Verilated RTL (L lanes, fp16, Γ = --gamma-max) and
    reports cycles per round; verified tokens/s = Σ(n+1) / Σ cycles × clock, at the Fmax that `make synth`
    measured for that configuration (build/reports/synth-<config>.json; otherwise an assumed clock, stated) and at
    an assumed clock for a larger FPGA (labelled an assumption);
  - software, same rounds, same early exit at the first mismatch, decisions checked against the RTL's:
    numpy argmax on float32 and on float16 rows, the C verifier (tools/bench/greedy_verify.c, -O3 -march=native)
    on the fp16 codes (the hardware's integer key) and on float32, and the Swift golden model
    (`hades-bench`, GreedyVerifier.verify) when it is built. Each figure is the median of several timed repeats;
    the logits are in memory before timing (conversion is not timed).
  - a Table-I-like table for γ ∈ {1, 2, 4, 8, 16}: α estimated from the greedy traces, expected tokens per round
    and speedup by Leviathan et al.'s formulas with c = K/30 (the draft is the first K of 30 blocks), and the
    traces' own (truncated) tokens per round where γ ≤ the trace's γ;
  - SVG charts: cycles per round against γ, the speedup curve (and resources against L when synth reports exist).
Writes build/reports/bench.json and build/reports/bench.md.

Usage: tools/bench.py [--traces F.npz ...] [--lanes 16] [--gamma-max 16] [--repeats 7] [--bin .build/release]
"""
from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import glob
import json
import platform
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import reportlib  # noqa: E402

ROOT = os.path.dirname(HERE)
TARGET_BLOCKS = 30  # SmolLM2-135M has 30 transformer blocks
ASSUMED_LARGE_FPGA_MHZ = 300.0
ASSUMED_LARGE_FPGA = ("an assumption: 300 MHz, typical of a registered 16-bit compare-and-select datapath on a "
                      "Xilinx UltraScale+ (-2) part; not measured here")
FALLBACK_MHZ = 100.0
GAMMAS = [1, 2, 4, 8, 16]


def log(msg):
    print(f"[bench] {msg}", flush=True)


def load_trace(path):
    d = np.load(path)
    t = {"path": path, "logits": d["target_logits"], "draft": d["draft_tokens"].astype(np.int64),
         "gamma": d["gamma"].astype(np.int64)}
    t["K"] = int(d["K"]) if "K" in d.files else None
    t["mode"] = bytes(d["mode"]).decode() if "mode" in d.files else "greedy"
    t["R"], t["G1"], t["V"] = t["logits"].shape
    return t


# ----------------------------------------------------------------------------------------------------------------
# hardware (hades-sim)


def run_sim(bin_dir, trace, lanes, gamma_max, clock_mhz):
    cmd = [os.path.join(bin_dir, "hades-sim"), "--trace", trace["path"], "--lanes", str(lanes), "--format", "fp16",
           "--gamma-max", str(gamma_max), "--clock-mhz", f"{clock_mhz:.3f}"]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {p.returncode}: {p.stderr.strip()[-500:]}")
    rounds, summary = [], None
    for line in p.stdout.splitlines():
        line = line.strip()
        if not line.startswith("{"):
            continue
        obj = json.loads(line)
        if "summary" in obj:
            summary = obj["summary"]
        else:
            rounds.append(obj)
    if summary is None:
        raise RuntimeError(f"{' '.join(cmd)}: no summary line")
    return {"command": " ".join(cmd), "rounds": rounds, "summary": summary}


def synth_clock(reports_dir, gamma_max, vocab, lanes):
    """Fmax for the benched configuration from `make synth`; falls back to the same L and Γ at another V."""
    exact = os.path.join(reports_dir, f"synth-g{gamma_max}_v{vocab}_l{lanes}_fp16.json")
    # `_fp16*`: a configuration measured on a named part has the part in its tag (…_fp16_85k.json).
    candidates = [exact] + sorted(glob.glob(os.path.join(reports_dir, f"synth-g{gamma_max}_v*_l{lanes}_fp16*.json")))
    for c in candidates:
        if os.path.exists(c):
            r = json.load(open(c))
            if r.get("status") == "ok":
                v = r["config"]["vocab"]
                note = "" if v == vocab else f" (V = {v}: same token width, not V = {vocab})"
                r["short_source"] = f"P&R {r['device']} sg{r['speed_grade']}, {os.path.basename(c)}{note}"
                return r["fmax_mhz"], (f"measured: {r['fmax_source']}; {os.path.relpath(c, ROOT)}{note}"), r
    return None, None, None


def synth_candidates(reports_dir, vocab, min_gamma):
    """Every greedy fp16 configuration `make synth` placed and routed that can run these rounds: Γ ≥ the traces' γ
    and the traces' token width (the cycles depend on V and L only; Fmax was measured at the report's V)."""
    out = []
    for path in sorted(glob.glob(os.path.join(reports_dir, "synth-g*_l*_fp16*.json"))):
        r = json.load(open(path))
        c = r.get("config", {})
        if (r.get("status") == "ok" and r.get("mode", c.get("mode")) in ("greedy", "chain")
                and c.get("gamma_max", 0) >= min_gamma and (c.get("vocab", 0) - 1).bit_length() == (vocab - 1).bit_length()):
            out.append({**r, "path": path})
    return out


def best_hardware(candidates, by_lanes, tokens):
    """The fastest measured configuration: verified tokens/s = tokens / cycles(L) × its median Fmax."""
    cycles = {b["lanes"]: b["cycles"] for b in by_lanes}
    best = None
    for r in candidates:
        c = r["config"]
        if c["lanes"] not in cycles:
            continue
        rate = reportlib.tokens_per_s(tokens, cycles[c["lanes"]], r["fmax_mhz"])
        if best is None or rate > best["tokens_per_s"]:
            best = {"lanes": c["lanes"], "gamma_max": c["gamma_max"], "vocab": c["vocab"], "format": c["format"],
                    "device": r["device"], "clock_mhz": r["fmax_mhz"], "tokens_per_s": rate,
                    "cycles": cycles[c["lanes"]], "clock_source": f"measured: {r['fmax_source']}",
                    "synth_report": os.path.relpath(r["path"], ROOT)}
    return best


def pipeline_depth(bin_dir, vocab, lanes, gamma_max):
    """D of the greedy unit from the generator's layout export (the one definition of it)."""
    cmd = [os.path.join(bin_dir, "hadesgen"), "--gamma", str(gamma_max), "--vocab", str(vocab), "--lanes", str(lanes),
           "--format", "fp16", "--layout", "json"]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {p.returncode}: {p.stderr.strip()[-500:]}")
    return json.loads(p.stdout)["pipeline_depth"]


# ----------------------------------------------------------------------------------------------------------------
# software baselines


def verify_numpy(rows, gammas, drafts):
    """One pass over all rounds: argmax row by row, stop at the first mismatch. Returns decisions and tokens."""
    acc, tok, tokens = [], [], 0
    for r in range(len(gammas)):
        g = int(gammas[r])
        n = 0
        while True:
            a = int(rows[r, n].argmax())
            if n < g and drafts[r, n] == a:
                n += 1
                continue
            break
        acc.append(n)
        tok.append(a)
        tokens += n + 1
    return acc, tok, tokens


def time_passes(fn, repeats, min_seconds):
    fn()  # warm-up
    per = []
    for _ in range(repeats):
        passes, t0 = 0, time.perf_counter()
        while True:
            fn()
            passes += 1
            el = time.perf_counter() - t0
            if el >= min_seconds:
                break
        per.append(el / passes)
    return per


def write_c_input(path, trace, dtype):
    g = trace["G1"] - 1
    with open(path, "wb") as f:
        f.write(b"HADESBN1")
        np.array([trace["R"], trace["G1"], trace["V"], 1 if dtype == "fp16" else 2], dtype="<i4").tofile(f)
        trace["gamma"].astype("<i4").tofile(f)
        (trace["draft"] if g > 0 else np.zeros((trace["R"], 0))).astype("<i4").tofile(f)
        if dtype == "fp16":
            trace["logits"].astype(np.float16).view("<u2").tofile(f)
        else:
            trace["logits"].astype("<f4").tofile(f)


def run_json(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {p.returncode}: {p.stderr.strip()[-500:]}")
    return json.loads(p.stdout.strip().splitlines()[-1])


# ----------------------------------------------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--traces", nargs="+", default=None, help="greedy traces (default Tests/Fixtures/greedy_*.npz)")
    ap.add_argument("--lanes", type=int, default=16)
    ap.add_argument("--gamma-max", type=int, default=16, help="Γ of the simulated hardware (≥ every trace's G)")
    ap.add_argument("--bin", default=os.path.join(ROOT, ".build", "release"), help="hades-sim / hades-bench dir")
    ap.add_argument("--cbench", default=os.path.join(ROOT, "build", "bench", "greedy_verify"))
    ap.add_argument("--cbench-compiler", default="cc", help="what built --cbench (for the report)")
    ap.add_argument("--reports", default=os.path.join(ROOT, "build", "reports"))
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--min-seconds", type=float, default=0.2, help="minimum time of one timed repeat")
    ap.add_argument("--extra-lanes", type=int, nargs="*", default=[64],
                    help="also simulate these lane counts (reported beside the main one)")
    ap.add_argument("--large-fpga-mhz", type=float, default=ASSUMED_LARGE_FPGA_MHZ)
    a = ap.parse_args()

    traces_paths = a.traces or sorted(glob.glob(os.path.join(ROOT, "Tests", "Fixtures", "greedy_*.npz")))
    if not traces_paths:
        sys.exit("bench: no greedy traces (Tests/Fixtures/greedy_*.npz; make logits) and no --traces given")
    traces = [load_trace(p) for p in traces_paths]
    skipped = [t["path"] for t in traces if t["mode"] != "greedy"]
    traces = [t for t in traces if t["mode"] == "greedy"]
    if not traces:
        sys.exit("bench: no greedy trace among " + ", ".join(traces_paths))
    vocab = traces[0]["V"]
    if any(t["V"] != vocab for t in traces):
        sys.exit("bench: traces differ in V")
    os.makedirs(a.reports, exist_ok=True)
    load_before = os.getloadavg()

    # ---------------- clock
    fmax, clock_source, synth = synth_clock(a.reports, a.gamma_max, vocab, a.lanes)
    if fmax is None:
        fmax, clock_source = FALLBACK_MHZ, (f"assumed {FALLBACK_MHZ:g} MHz: no build/reports/synth-g{a.gamma_max}_v*_"
                                            f"l{a.lanes}_fp16.json (run make synth)")
    log(f"clock {fmax:.1f} MHz ({clock_source})")

    # ---------------- hardware
    sims = []
    for t in traces:
        log(f"hades-sim {os.path.relpath(t['path'], ROOT)} (L={a.lanes}, Γ={a.gamma_max})")
        sims.append(run_sim(a.bin, t, a.lanes, a.gamma_max, fmax))
    tokens = sum(s["summary"]["tokens_emitted"] for s in sims)
    cycles = sum(s["summary"]["cycles"] for s in sims)
    ideal = sum(s["summary"]["ideal_cycles"] for s in sims)
    hw = {"tokens": tokens, "cycles": cycles, "ideal_cycles": ideal,
          "cycle_efficiency": ideal / cycles if cycles else 0.0,
          "tokens_per_cycle": tokens / cycles if cycles else 0.0,
          "tokens_per_s": reportlib.tokens_per_s(tokens, cycles, fmax),
          "tokens_per_s_large_fpga": reportlib.tokens_per_s(tokens, cycles, a.large_fpga_mhz),
          "mean_cycles_per_round": cycles / sum(len(s["rounds"]) for s in sims),
          "per_trace": [{"trace": os.path.relpath(t["path"], ROOT), "command": s["command"], **s["summary"]}
                        for t, s in zip(traces, sims)]}
    hw_decisions = [[(r["accepted"], r["token"]) for r in s["rounds"]] for s in sims]

    # Other lane counts (same rounds; cycles scale with B = ceil(V/L)), each at its own synthesised Fmax.
    by_lanes = [{"lanes": a.lanes, "clock_mhz": fmax, "clock_source": clock_source,
                 "clock_source_short": synth["short_source"] if synth else clock_source, "cycles": cycles,
                 "cycle_efficiency": hw["cycle_efficiency"], "tokens_per_s": hw["tokens_per_s"],
                 "tokens_per_s_large_fpga": hw["tokens_per_s_large_fpga"]}]
    candidates = synth_candidates(a.reports, vocab, max(int(t["gamma"].max()) for t in traces))
    for lanes in sorted(set(a.extra_lanes) | {r["config"]["lanes"] for r in candidates}):
        if lanes == a.lanes:
            continue
        f_l, src_l, syn_l = synth_clock(a.reports, a.gamma_max, vocab, lanes)
        if f_l is None:
            f_l, src_l = FALLBACK_MHZ, f"assumed {FALLBACK_MHZ:g} MHz (no synth report for L={lanes})"
        short_l = syn_l["short_source"] if syn_l else src_l
        log(f"hades-sim at L={lanes}")
        ss = [run_sim(a.bin, t, lanes, a.gamma_max, f_l) for t in traces]
        for s_, want in zip(ss, hw_decisions):
            if [(r["accepted"], r["token"]) for r in s_["rounds"]] != want:
                raise RuntimeError(f"L={lanes} decisions differ from L={a.lanes}")
        cyc = sum(x["summary"]["cycles"] for x in ss)
        idl = sum(x["summary"]["ideal_cycles"] for x in ss)
        by_lanes.append({"lanes": lanes, "clock_mhz": f_l, "clock_source": src_l, "clock_source_short": short_l,
                         "cycles": cyc,
                         "cycle_efficiency": idl / cyc if cyc else 0.0,
                         "tokens_per_s": reportlib.tokens_per_s(tokens, cyc, f_l),
                         "tokens_per_s_large_fpga": reportlib.tokens_per_s(tokens, cyc, a.large_fpga_mhz)})
    hw["by_lanes"] = by_lanes
    best_hw = best_hardware(candidates, by_lanes, tokens)

    # ---------------- software
    results = {}

    def check(name, per_trace_decisions):
        for t, got, want in zip(traces, per_trace_decisions, hw_decisions):
            if got != want:
                raise RuntimeError(f"{name} disagrees with the RTL on {t['path']}: {got} vs {want}")

    def record(name, source, per_trace_seconds, per_trace_tokens, extra=None):
        total_s = sum(reportlib.median(x) for x in per_trace_seconds)
        tok = sum(per_trace_tokens)
        results[name] = {"tokens_per_s": tok / total_s, "seconds_per_pass_median": total_s, "tokens_per_pass": tok,
                         "repeats": a.repeats, "source": source,
                         "seconds_per_pass_runs": [x for x in per_trace_seconds], **(extra or {})}
        log(f"{name}: {tok / total_s:,.0f} tokens/s (median of {a.repeats})")

    for name, dtype in (("numpy_fp32", np.float32), ("numpy_fp16", np.float16)):
        secs, toks, decs = [], [], []
        for t in traces:
            rows = np.ascontiguousarray(t["logits"].astype(dtype))
            acc, tok, n = verify_numpy(rows, t["gamma"], t["draft"])
            decs.append(list(zip(acc, tok)))
            secs.append(time_passes(lambda: verify_numpy(rows, t["gamma"], t["draft"]), a.repeats, a.min_seconds))
            toks.append(n)
        check(name, decs)
        record(name, f"numpy {np.__version__} ndarray.argmax on {np.dtype(dtype).name} rows, Python loop over rounds "
                     "and rows with the early exit", secs, toks)

    if os.access(a.cbench, os.X_OK):
        tmp = os.path.join(ROOT, "build", "bench")
        os.makedirs(tmp, exist_ok=True)
        for name, dtype in (("cpp_fp16", "fp16"), ("cpp_fp32", "float32")):
            secs, toks, decs = [], [], []
            for i, t in enumerate(traces):
                path = os.path.join(tmp, f"trace{i}_{dtype}.bin")
                write_c_input(path, t, dtype)
                r = run_json([a.cbench, path, str(a.repeats), str(a.min_seconds)])
                secs.append(r["seconds_per_pass"])
                toks.append(r["tokens_per_pass"])
                decs.append(list(zip(r["accepted"], r["next_token"])))
            check(name, decs)
            record(name, f"tools/bench/greedy_verify.c ({os.path.basename(a.cbench_compiler)} -O3 -march=native), {dtype} "
                         + ("codes compared by the hardware's integer key" if dtype == "fp16" else "values"),
                   secs, toks)
    else:
        log(f"no C verifier at {a.cbench} (make bench builds it)")

    swift_bench = os.path.join(a.bin, "hades-bench")
    if os.access(swift_bench, os.X_OK):
        secs, toks, decs = [], [], []
        for t in traces:
            r = run_json([swift_bench, "--trace", t["path"], "--format", "fp16", "--repeats", str(a.repeats),
                          "--min-seconds", str(a.min_seconds)])
            secs.append(r["seconds_per_pass"])
            toks.append(r["tokens_per_pass"])
            decs.append(list(zip(r["accepted"], r["next_token"])))
        check("swift_golden", decs)
        record("swift_golden", "hades-bench: Swift GreedyVerifier.verify on fp16 codes (swift build -c release)",
               secs, toks)
    else:
        log(f"no {swift_bench}: the Swift golden baseline needs the hades-bench target (see README)")
    load_after = os.getloadavg()

    # ---------------- Table I
    acc_all = [r["accepted"] for s in sims for r in s["rounds"]]
    gam_all = [r["gamma"] for s in sims for r in s["rounds"]]
    alpha = reportlib.estimate_alpha(acc_all, gam_all)
    ks = sorted({t["K"] for t in traces if t["K"] is not None})
    K = ks[0] if len(ks) == 1 else None
    c = K / TARGET_BLOCKS if K else None
    c_source = (f"c = K/30 = {K}/30 = {c:.3f}: the draft is the target's first K = {K} of 30 blocks (trace array K); "
                "the shared output head and the linear exit are not counted, so this slightly underestimates c"
                if c else "c unknown: traces lack K or disagree")
    table = reportlib.table_rows(alpha, c if c else 0.0, GAMMAS, acc_all, gam_all) if alpha is not None else []
    per_trace_alpha = {os.path.relpath(t["path"], ROOT): reportlib.estimate_alpha(
        [r["accepted"] for r in s["rounds"]], [r["gamma"] for r in s["rounds"]]) for t, s in zip(traces, sims)}

    # ---------------- outputs
    B = -(-vocab // a.lanes)
    D = pipeline_depth(a.bin, vocab, a.lanes, a.gamma_max)
    out = {
        "config": {"vocab": vocab, "lanes": a.lanes, "gamma_max": a.gamma_max, "format": "fp16",
                   "beats_per_row": B, "latency_D": D},
        "traces": [os.path.relpath(t["path"], ROOT) for t in traces], "skipped_traces": skipped,
        "rounds": len(acc_all), "tokens": tokens,
        "cycle_efficiency": hw["cycle_efficiency"], "clock_mhz": fmax, "clock_source": clock_source,
        "hw_tokens_per_s": hw["tokens_per_s"],
        "large_fpga_clock_mhz": a.large_fpga_mhz, "large_fpga_clock_source": ASSUMED_LARGE_FPGA,
        "hw_tokens_per_s_large_fpga": hw["tokens_per_s_large_fpga"],
        "numpy_fp32_tokens_per_s": results.get("numpy_fp32", {}).get("tokens_per_s"),
        "numpy_fp16_tokens_per_s": results.get("numpy_fp16", {}).get("tokens_per_s"),
        "cpp_tokens_per_s": results.get("cpp_fp16", {}).get("tokens_per_s"),
        "cpp_fp32_tokens_per_s": results.get("cpp_fp32", {}).get("tokens_per_s"),
        "swift_golden_tokens_per_s": results.get("swift_golden", {}).get("tokens_per_s"),
        "ratios_hw_over": {k: hw["tokens_per_s"] / v["tokens_per_s"] for k, v in results.items()},
        "best_hw": best_hw,
        "ratios_best_hw_over": ({k: best_hw["tokens_per_s"] / v["tokens_per_s"] for k, v in results.items()}
                                if best_hw else None),
        "hardware": hw, "software": results,
        "alpha": alpha, "alpha_source": "maximum likelihood over the greedy rounds (truncated geometric: "
                                        "α̂ = Σn / (Σn + #rounds with n < γ))", "alpha_per_trace": per_trace_alpha,
        "c": c, "c_source": c_source, "table": table,
        "machine": {"cpu": platform.processor() or platform.machine(), "python": platform.python_version(),
                    "numpy": np.__version__, "load_average_before": load_before, "load_average_after": load_after,
                    "note": "2 shared cores; other jobs were running, so software timings are noisy (medians)"},
    }
    json.dump(out, open(os.path.join(a.reports, "bench.json"), "w"), indent=1)
    write_charts(out, a.reports, sims)
    write_figure2(out, a.reports)
    with open(os.path.join(a.reports, "bench.md"), "w") as f:
        f.write(markdown(out))
    print(open(os.path.join(a.reports, "bench.md")).read())
    log(f"wrote {os.path.relpath(os.path.join(a.reports, 'bench.json'), ROOT)}")
    return 0


def write_charts(out, reports_dir, sims):
    cfg = out["config"]
    B, D = cfg["beats_per_row"], cfg["latency_D"]
    alpha = out["alpha"]
    gs = list(range(1, 17))
    series = [("worst case (γ+1)·B+D", [(g, (g + 1) * B + D) for g in gs])]
    if alpha is not None:
        series.append((f"expected, α̂={alpha:.2f}", [(g, reportlib.expected_tokens(alpha, g) * B + D) for g in gs]))
    by_gamma = {}
    for s in sims:
        for r in s["rounds"]:
            by_gamma.setdefault(r["gamma"], []).append(r["cycles"])
    series.append(("measured (RTL, traces)", [(g, sum(v) / len(v)) for g, v in sorted(by_gamma.items())]))
    series.append(("best case B+D (n=0)", [(g, B + D) for g in gs]))
    with open(os.path.join(reports_dir, "cycles_vs_gamma.svg"), "w") as f:
        f.write(reportlib.svg_line_chart(series, f"Cycles per round vs γ (V={cfg['vocab']}, L={cfg['lanes']}, "
                                                 f"B={B}, D={D})", "γ", "cycles per round",
                                         notes=["cycles = (n+1)·B + D"]))
    if alpha is not None:
        ss = []
        cs = [out["c"]] if out["c"] else []
        for c in cs + [0.1, 0.05]:
            label = f"c={c:.3f} (K/30)" if out["c"] and c == out["c"] else f"c={c:g} (illustration)"
            ss.append((label, [(g, reportlib.speedup(alpha, g, c)) for g in gs]))
        ss.append(("no speedup", [(g, 1.0) for g in gs]))
        with open(os.path.join(reports_dir, "speedup_vs_gamma.svg"), "w") as f:
            f.write(reportlib.svg_line_chart(ss, f"Predicted speedup vs γ (α̂={alpha:.3f}, Leviathan et al.)", "γ",
                                             "speedup (expected tokens / (γc+1))"))


def write_figure2(out, reports_dir):
    """Like the paper's Figure 2: verified tokens/s per implementation, log scale, the clocks in the caption."""
    hw = out["hardware"]
    bars = [(f"HW L={b['lanes']} @ {b['clock_mhz']:.0f} MHz", b["tokens_per_s"]) for b in hw["by_lanes"]]
    best = out.get("best_hw")
    if best:
        bars.append((f"best HW L={best['lanes']} Γ={best['gamma_max']} @ {best['clock_mhz']:.0f} MHz",
                     best["tokens_per_s"]))
    names = {"cpp_fp16": "C fp16 (1 core)", "cpp_fp32": "C fp32 (1 core)", "numpy_fp32": "numpy fp32",
             "numpy_fp16": "numpy fp16", "swift_golden": "Swift golden"}
    bars += [(names.get(k, k), v["tokens_per_s"]) for k, v in out["software"].items()]
    clocks = "; ".join(f"L={b['lanes']}: {b['clock_source_short']}" for b in hw["by_lanes"])
    caption = [f"Hardware clocks: {clocks}" + (f"; best: {best['synth_report']} ({best['device']})" if best else ""),
               "Software: the same rounds on one CPU core of this machine (medians); no data movement counted."]
    with open(os.path.join(reports_dir, "tokens_per_s.svg"), "w") as f:
        f.write(reportlib.svg_bar_chart(bars, "Verified tokens/s per implementation (greedy, real SmolLM2 traces)",
                                        "verified tokens/s (log)", logy=True, caption=caption))


def fmt_rate(x):
    return "—" if x is None else f"{x:,.0f}"


def markdown(o):
    hw = o["hardware"]
    cfg = o["config"]
    lines = ["# HADES performance report", "",
             f"Generated by `make bench` (tools/bench.py) on {len(o['traces'])} greedy trace(s): "
             + ", ".join(f"`{t}`" for t in o["traces"]) + f"; {o['rounds']} rounds, {o['tokens']} verified tokens. "
             f"Hardware: V={cfg['vocab']}, L={cfg['lanes']}, Γ={cfg['gamma_max']}, fp16, B={cfg['beats_per_row']}, "
             f"D={cfg['latency_D']}.", "",
             "## Hardware (RTL co-simulation, `hades-sim`)", "",
             f"- cycles: {hw['cycles']} measured, {hw['ideal_cycles']} ideal ((n+1)·B + D per round): cycle efficiency "
             f"**{o['cycle_efficiency']:.4f}**; {hw['mean_cycles_per_round']:.1f} cycles per round on average, "
             f"{hw['tokens_per_cycle'] * 1e3:.4f} tokens per 1000 cycles.",
             f"- clock **{o['clock_mhz']:.1f} MHz** — {o['clock_source']}: **{fmt_rate(o['hw_tokens_per_s'])} "
             "verified tokens/s**.",
             f"- clock {o['large_fpga_clock_mhz']:.0f} MHz — {o['large_fpga_clock_source']}: "
             f"{fmt_rate(o['hw_tokens_per_s_large_fpga'])} verified tokens/s.", "",
             "| L | cycles | cycle efficiency | clock MHz (source) | verified tokens/s | at the assumed "
             f"{o['large_fpga_clock_mhz']:.0f} MHz |", "|---|---|---|---|---|---|"]
    for b in hw["by_lanes"]:
        lines.append(f"| {b['lanes']} | {b['cycles']} | {b['cycle_efficiency']:.4f} | {b['clock_mhz']:.1f} "
                     f"({b['clock_source_short']}) | {fmt_rate(b['tokens_per_s'])} | {fmt_rate(b['tokens_per_s_large_fpga'])} |")
    best = o.get("best_hw")
    if best:
        lines += ["", f"Fastest measured configuration (`make synth` reports that can run these rounds): **L={best['lanes']}, "
                  f"Γ={best['gamma_max']}, {best['format']}, {best['device']} at {best['clock_mhz']:.1f} MHz** "
                  f"({best['synth_report']}, {best['clock_source']}): **{fmt_rate(best['tokens_per_s'])} verified "
                  "tokens/s**; " + ", ".join(f"{v:.3g}× {k}" for k, v in o["ratios_best_hw_over"].items()) + "."]
    else:
        lines += ["", "No `make synth` report of a greedy fp16 configuration that can run these rounds: no best_hw."]
    lines += ["",
             "## Software verification of the same rounds (same early exit; decisions checked against the RTL)", "",
             "| baseline | verified tokens/s (median) | "
             + " | ".join(f"hardware L={b['lanes']} at {b['clock_mhz']:.0f} MHz ÷ this" for b in hw["by_lanes"])
             + " | where the number came from |",
             "|---|---|" + "---|" * len(hw["by_lanes"]) + "---|"]
    for name, r in o["software"].items():
        ratios = " | ".join(f"{b['tokens_per_s'] / r['tokens_per_s']:.3g}×" for b in hw["by_lanes"])
        lines.append(f"| {name} | {fmt_rate(r['tokens_per_s'])} | {ratios} | {r['source']} |")
    lines += ["", "The software figures are the verification step alone on logits already in this CPU's memory (one "
              "core); the hardware figures are one verifier consuming L logits per clock from a stream. Neither "
              "counts moving the logits from the accelerator that produced them."]
    m = o["machine"]
    lines += ["", f"Software timings: median of {next(iter(o['software'].values()))['repeats'] if o['software'] else 0} "
              f"repeats per trace (each ≥ the --min-seconds, many passes), one core; load average "
              f"{m['load_average_before'][0]:.2f} before and {m['load_average_after'][0]:.2f} after — {m['note']}.", ""]
    lines += ["## Table I (speculative decoding on the real traces)", "",
              f"α̂ = {o['alpha']:.3f} ({o['alpha_source']}); per trace: "
              + ", ".join(f"`{k}` {v:.3f}" for k, v in o["alpha_per_trace"].items() if v is not None) + ".",
              f"{o['c_source']}.",
              "Predicted: tokens per round (1−α^(γ+1))/(1−α), acceptance = (tokens−1)/γ, speedup = tokens/(γc+1) "
              "(Leviathan et al. 2023; it assumes scoring γ+1 positions costs one target step and ignores the "
              "verifier's own time). Trace: the same rounds cut to γ (n' = min(n, γ)); only for γ ≤ the traces' γ.", "",
              "| γ | tokens/round (pred.) | acceptance (pred.) | speedup (pred.) | tokens/round (trace) | "
              "acceptance (trace) | speedup (trace) | verifier cycles/round (pred.) |",
              "|---|---|---|---|---|---|---|---|"]
    B, D = cfg["beats_per_row"], cfg["latency_D"]

    def f(x, d=3):
        return "—" if x is None else f"{x:.{d}f}"

    for r in o["table"]:
        lines.append(f"| {r['gamma']} | {f(r['predicted_tokens_per_round'])} | {f(r['predicted_acceptance_rate'])} | "
                     f"{f(r['predicted_speedup'])} | {f(r.get('trace_tokens_per_round'))} | "
                     f"{f(r.get('trace_acceptance_rate'))} | {f(r.get('trace_speedup'))} | "
                     f"{r['predicted_tokens_per_round'] * B + D:.0f} |")
    lines += ["", "Charts: `tokens_per_s.svg` (Figure 2), `cycles_vs_gamma.svg`, `speedup_vs_gamma.svg` (and `resources_vs_lanes.svg`, "
              "`fmax_vs_lanes.svg` from `make synth`).", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
