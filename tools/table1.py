#!/usr/bin/env python3
"""Table I: end-to-end tokens/s of live speculative decoding against plain decoding (γ = 0), per drafter, prompt
set and γ, with the generated RTL deciding every round (tools/generate.py, hades-sim --serve).

Per round the generator times the draft, the target pass and the verification; the numpy verifier is timed on
the same rows (its decision is compared, not used). Tokens/s counts decode rounds only (the prompt prefill is
the same for every γ and is left out). Two columns:
  numpy  tokens / (draft + target + numpy verification), all measured;
  RTL    tokens / (draft + target + RTL cycles / f), f from build/reports/synth-*.json if present, else the
         README's measured ECP5 Fmax (stated in the output). Moving logits to the unit is not costed in either.
Every (set, γ) is run --runs times, interleaved, and the median is reported with the machine load (`uptime`)
recorded before each batch. `mixed` pools the copy and open prompts.

  python3 tools/table1.py [--runs 3] [--max-new 24] [--time-cap 1680] [--out build/reports]
"""
from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import glob
import json
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from generate import Generator, read_prompt  # noqa: E402
from smollm2 import SmolLM2  # noqa: E402
from tokenizer import Tokenizer  # noqa: E402
import reportlib  # noqa: E402

GAMMAS = [0, 1, 2, 3, 4, 6, 8, 12, 16, "auto"]
EE_GAMMAS = [2, "auto"]
README_FMAX = (123.6, "README: ECP5 LFE5U-45F sg6 place-and-route Fmax of Γ=16, L=16, fp16 (V=50257), measured; "
               "cycles do not depend on the logit format")


def load_avg() -> float:
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def clock() -> tuple[float, str]:
    """The greedy unit's Fmax: a `make synth` report of Γ=16, L=16 if there is one, else the README's figure."""
    for p in sorted(glob.glob(os.path.join(ROOT, "build/reports/synth-*.json"))):
        try:
            d = json.load(open(p))
        except (OSError, ValueError):
            continue
        c = d.get("config", {})
        if d.get("status") == "ok" and c.get("gamma_max") == 16 and c.get("lanes") == 16 and d.get("fmax_mhz"):
            return float(d["fmax_mhz"]), f"{os.path.relpath(p, ROOT)}: {d.get('fmax_source', 'make synth')}"
    return README_FMAX


def prompts(kind: str) -> list[tuple[str, str]]:
    d = os.path.join(HERE, "prompts", kind)
    return [(f, read_prompt(os.path.join(d, f))) for f in sorted(os.listdir(d)) if f.endswith(".txt")]


def summarize(runs: list[list[dict]], f_mhz: float) -> dict:
    """runs: per repetition, the generate results of every prompt of the set."""
    tps, tps_hw, share, share_hw = [], [], [], []
    acc = rounds = 0
    agree = total = 0
    for results in runs:
        tok = dr = tg = nv = hw = 0.0
        for res in results:
            rs = res["rounds"]
            tok += len(res["tokens"])
            dr += sum(r["draft_s"] for r in rs)
            tg += sum(r["target_s"] for r in rs)
            nv += sum(r["numpy_verify_s"] for r in rs)
            hw += sum(r["cycles"] for r in rs) / (f_mhz * 1e6)
            acc += sum(r["accepted"] for r in rs)
            rounds += len(rs)
            agree += sum(r["numpy_agrees"] for r in rs)
            total += len(rs)
        tps.append(tok / (dr + tg + nv))
        tps_hw.append(tok / (dr + tg + hw))
        share.append(nv / (dr + tg + nv))
        share_hw.append(hw / (dr + tg + hw))
    return {"tokens_per_s": statistics.median(tps), "tokens_per_s_rtl": statistics.median(tps_hw),
            "verify_share": statistics.median(share), "verify_share_rtl": statistics.median(share_hw),
            "mean_accepted": acc / max(1, rounds), "runs_tokens_per_s": tps, "numpy_agrees": f"{agree}/{total}"}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--max-new", type=int, default=24)
    ap.add_argument("--time-cap", type=float, default=1500,
                    help="seconds: no further repetition starts when it would end past this (at least one runs)")
    ap.add_argument("--gammas", default=",".join(map(str, GAMMAS)))
    ap.add_argument("--early-exit-gammas", default=",".join(map(str, EE_GAMMAS)), help="empty: no early-exit rows")
    ap.add_argument("--hades-sim", default=os.path.join(ROOT, ".build/release/hades-sim"))
    ap.add_argument("--out", default=os.path.join(ROOT, "build/reports"))
    a = ap.parse_args()
    parse = lambda s: [x if x == "auto" else int(x) for x in s.split(",") if x]  # noqa: E731
    gammas, ee_gammas = parse(a.gammas), parse(a.early_exit_gammas)
    if 0 not in gammas:
        raise SystemExit("table1: --gammas must include 0 (the baseline)")
    f_mhz, f_src = clock()
    tok, model = Tokenizer(), SmolLM2()
    sets = {k: [(n, tok.encode_chat(t)) for n, t in prompts(k)] for k in ("copy", "open")}
    gen = Generator(model, tok, "rtl", "greedy", a.hades_sim, time_numpy=True)
    configs = [("lookup", s, g) for s in sets for g in gammas] + [("early-exit", s, g) for s in sets for g in ee_gammas]
    res: dict = {c: [] for c in configs}
    loads = []
    t0 = time.time()
    baseline_tokens: dict = {}
    differ = []
    done = 0
    for rep in range(a.runs):
        if rep > 0 and (time.time() - t0) * (rep + 1) / rep > a.time_cap:
            print(f"[table1] stopping after {rep} repetitions: another would pass --time-cap {a.time_cap:.0f}s",
                  file=sys.stderr)
            break
        done += 1
        for c in configs:
            drafter, s, g = c
            loads.append(load_avg())
            batch = []
            for name, ids in sets[s]:
                r = gen.run(ids, a.max_new, g, drafter)
                key = (s, name)
                if key not in baseline_tokens:
                    baseline_tokens[key] = r["tokens"]
                elif r["tokens"] != baseline_tokens[key]:
                    differ.append(f"{drafter} {s}/{name} γ={g}")
                batch.append(r)
            res[c].append(batch)
            print(f"[table1] run {rep + 1}/{a.runs} {drafter:10s} {s:4s} γ={g!s:4s} "
                  f"{sum(len(b['tokens']) for b in batch)} tokens, load {loads[-1]:.1f}, {time.time() - t0:.0f}s",
                  file=sys.stderr)
    gen.close()
    rows = []
    for drafter in ("lookup", "early-exit"):
        gl = gammas if drafter == "lookup" else [0] + ee_gammas
        for s in ("copy", "open", "mixed"):
            base = None
            for g in gl:
                src = "lookup" if g == 0 else drafter  # γ = 0 is plain decoding whatever the drafter
                if s == "mixed":
                    runs = [res[(src, "copy", g)][i] + res[(src, "open", g)][i] for i in range(done)]
                else:
                    runs = res[(src, s, g)]
                row = {"drafter": drafter, "prompt_set": s, "gamma": g, **summarize(runs, f_mhz)}
                if g == 0:
                    base = row
                row["speedup"] = row["tokens_per_s"] / base["tokens_per_s"]
                row["speedup_rtl"] = row["tokens_per_s_rtl"] / base["tokens_per_s_rtl"]
                rows.append(row)
    meta = {"runs": done, "runs_requested": a.runs, "max_new": a.max_new, "clock_mhz": f_mhz, "clock_source": f_src,
            "load_avg_min": min(loads), "load_avg_median": statistics.median(loads), "load_avg_max": max(loads),
            "cores": os.cpu_count(), "seconds": round(time.time() - t0),
            "prompts": {k: [n for n, _ in v] for k, v in sets.items()},
            "greedy_outputs_differing_from_gamma0": differ,
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "table1.json"), "w") as f:
        json.dump({"rows": rows, "meta": meta}, f, indent=1)
    with open(os.path.join(a.out, "table1.md"), "w") as f:
        f.write(markdown(rows, meta))
    series = []
    for drafter, s in [("lookup", "copy"), ("lookup", "open"), ("lookup", "mixed"), ("early-exit", "copy"),
                       ("early-exit", "open")]:
        pts = [(r["gamma"], r["speedup"]) for r in rows
               if r["drafter"] == drafter and r["prompt_set"] == s and r["gamma"] != "auto"]
        if pts:
            series.append((f"{drafter} {s}", pts))
    with open(os.path.join(a.out, "table1_speedup.svg"), "w") as f:
        f.write(reportlib.svg_line_chart(series, "Speedup over plain decoding (numpy verification)", "γ",
                                         "speedup", notes=[f"median of {done} runs, load {min(loads):.1f}–{max(loads):.1f}"]
                                         + [f"auto: {r['drafter']} {r['prompt_set']} {r['speedup']:.2f}×" for r in rows
                                            if r["gamma"] == "auto"]))
    print(markdown(rows, meta))
    return 0


def markdown(rows, meta) -> str:
    out = [f"# Table I — live speculative decoding, SmolLM2-135M-Instruct (numpy float32, one BLAS thread)\n",
           f"Greedy, {meta['max_new']} new tokens per prompt at most, median of {meta['runs']} interleaved runs, "
           f"{meta['date']}, {meta['cores']} cores shared with other jobs: 1-minute load average "
           f"{meta['load_avg_min']:.1f}–{meta['load_avg_max']:.1f} (median {meta['load_avg_median']:.1f}) during the "
           f"{meta['seconds']} s run. The generated RTL (Verilator) decided every round; numpy verification was timed "
           f"on the same rows. RTL column: verification costed at the RTL's cycles at {meta['clock_mhz']} MHz "
           f"({meta['clock_source']}). Prompts: {meta['prompts']}. Greedy outputs that differed from γ=0: "
           f"{meta['greedy_outputs_differing_from_gamma0'] or 'none'}.\n",
           "| drafter | set | γ | tokens/s (numpy) | speedup | tokens/s (RTL) | speedup (RTL) | mean accepted | "
           "verify share numpy | verify share RTL |", "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        out.append(f"| {r['drafter']} | {r['prompt_set']} | {r['gamma']} | {r['tokens_per_s']:.2f} | "
                   f"{r['speedup']:.2f}× | {r['tokens_per_s_rtl']:.2f} | {r['speedup_rtl']:.2f}× | "
                   f"{r['mean_accepted']:.2f} | {100 * r['verify_share']:.2f} % | {100 * r['verify_share_rtl']:.2f} % |")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.exit(main())
