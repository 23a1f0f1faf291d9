"""The steps of `make asic` for one configuration: map, time, simulate at gate level, compute power.

Tools: Yosys (mapping to SKY130 HD), OpenSTA `sta` (timing; its vectorless power as an upper bound), Verilator
(gate-level simulation with the SKY130 cell models and toggle coverage). Every step logs to <work>/<step>.log.
"""
from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import subprocess
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SKY130 = os.path.join(ROOT, "third_party", "sky130")
LIB_GZ = os.path.join(SKY130, "sky130_fd_sc_hd__tt_025C_1v80.lib.gz")
CELLS_GZ = os.path.join(SKY130, "sky130_fd_sc_hd.v.gz")
PRIMS_GZ = os.path.join(SKY130, "sky130_fd_sc_hd_primitives.v.gz")
TIE_CELL = "sky130_fd_sc_hd__conb_1"
BUF_CELL = "sky130_fd_sc_hd__buf_2"
DRIVING_CELL = "sky130_fd_sc_hd__inv_2"
INPUT_TRANSITION_NS = 0.1
OUTPUT_LOAD_PF = 0.0175     # about 10 minimum-size inputs: what a register of the surrounding logic would present
STEP_TIMEOUT = 4 * 3600   # wall-clock limit per tool run; the sampling unit maps for over an hour on a loaded machine


class FlowError(RuntimeError):
    pass


def log(msg):
    print(f"[asic] {msg}", flush=True)


def run(cmd, cwd, name, timeout=STEP_TIMEOUT, env=None):
    t0 = time.time()
    path = os.path.join(cwd, f"{name}.log")
    with open(path, "w") as f:
        try:
            p = subprocess.run(cmd, cwd=cwd, stdout=f, stderr=subprocess.STDOUT, timeout=timeout, env=env)
        except FileNotFoundError as e:
            raise FlowError(f"{cmd[0]} not found (run tools/install-deps.sh --asic)") from e
        except subprocess.TimeoutExpired as e:
            raise FlowError(f"{name}: {cmd[0]} ran past {timeout} s (log {path})") from e
    if p.returncode != 0:
        tail = open(path, errors="replace").read()[-3000:]
        raise FlowError(f"{name}: {cmd[0]} exited {p.returncode} (log {path}):\n{tail}")
    return time.time() - t0


def unpack_library(dest):
    """Decompresses the vendored library into dest (once) and returns the paths."""
    os.makedirs(dest, exist_ok=True)
    out = {}
    for key, gz in (("lib", LIB_GZ), ("cells", CELLS_GZ), ("prims", PRIMS_GZ)):
        if not os.path.exists(gz):
            raise FlowError(f"{gz} is missing (the vendored SKY130 library, third_party/sky130)")
        path = os.path.join(dest, os.path.basename(gz)[:-3])
        if not os.path.exists(path) or os.path.getmtime(path) < os.path.getmtime(gz):
            with gzip.open(gz, "rb") as src, open(path + ".tmp", "wb") as dst:
                shutil.copyfileobj(src, dst)
            os.replace(path + ".tmp", path)
        out[key] = path
    return out


def yosys_map(verilog, top, lib, work, abc_period_ps, blackboxes=None):
    """Yosys: generic synthesis, flip-flops and logic mapped to the library, tie cells, buffers; stat and netlist.
    `blackboxes`: a Verilog file of macro modules (ports only) that stay instances."""
    with open(os.path.join(work, "abc.constr"), "w") as f:
        f.write(f"set_driving_cell {DRIVING_CELL}\nset_load {OUTPUT_LOAD_PF}\n")
    script = (f"read_verilog {blackboxes}\n" if blackboxes else "") + f"""read_verilog {verilog}
synth -flatten -top {top}
dfflibmap -liberty {lib}
abc -liberty {lib} -constr abc.constr -D {abc_period_ps}
opt_clean -purge
hilomap -hicell {TIE_CELL} HI -locell {TIE_CELL} LO
setundef -zero
insbuf -buf {BUF_CELL} A X
opt_clean -purge
tee -o stat.txt stat -liberty {lib}
write_verilog -noattr -noexpr netlist.v
"""
    with open(os.path.join(work, "map.ys"), "w") as f:
        f.write(script)
    secs = run(["yosys", "-q", "map.ys"], work, "yosys")
    return parse_yosys_stat(open(os.path.join(work, "stat.txt")).read()), secs


def parse_yosys_stat(text):
    """Cell counts by type, total cells and chip area from Yosys `stat -liberty` text output."""
    area = re.findall(r"Chip area for (?:top )?module '?\\?([^':]+)'?:\s*([0-9.]+)", text)
    if not area:
        raise FlowError("yosys stat: no chip area (was it run with -liberty?)")
    cells = {m.group(1): int(m.group(2)) for m in re.finditer(r"^\s+(\S+)\s+(\d+)\s*$", text, re.M)
             if not m.group(1).startswith("$") and "__" in m.group(1)}
    total = re.findall(r"Number of cells:\s+(\d+)", text)
    return {"area_um2": float(area[-1][1]), "cells": int(total[-1]) if total else sum(cells.values()),
            "cell_types": cells}


def sta_script(lib, netlist, top, period_ns, activity=None):
    lines = [f"read_liberty {lib}", f"read_verilog {netlist}", f"link_design {top}",
             f"create_clock -name clk -period {period_ns:.4f} [get_ports aclk]",
             "set_input_delay 0 -clock clk [delete_from_list [all_inputs] [get_ports aclk]]",
             "set_output_delay 0 -clock clk [all_outputs]",
             f"set_input_transition {INPUT_TRANSITION_NS} [all_inputs]",
             f"set_load {OUTPUT_LOAD_PF} [all_outputs]",
             "report_checks -path_delay max -digits 4 -fields {fanout cap slew}"]
    for a in activity or []:
        lines += [f"puts \"power at input activity {a}\"", f"set_power_activity -input -activity {a}",
                  "report_power -digits 6"]
    return "\n".join(lines) + "\n"


def parse_sta(text):
    """Critical path (start, end, arrival, slack, setup, cells on it) and the power tables of an OpenSTA log."""
    m = re.search(r"Startpoint: (\S+).*?Endpoint: (\S+)", text, re.S)
    slack = re.search(r"(-?[0-9.]+)\s+slack \((MET|VIOLATED)\)", text)
    arrival = re.search(r"(-?[0-9.]+)\s+data arrival time", text)
    setup = re.search(r"(-?[0-9.]+)\s+[0-9.]+\s+library setup time", text)
    period = re.search(r"create_clock.*-period ([0-9.]+)", text)
    if not (m and slack and arrival):
        raise FlowError("OpenSTA: no max-delay path in the report")
    pins = re.findall(r"[\^v]\s+(\S+)\s+\((sky130\S+)\)", text.split("data arrival time")[0])
    instances = []
    for pin, cell in pins:
        inst = pin.rsplit("/", 1)[0]
        if not instances or instances[-1][0] != inst:
            instances.append((inst, cell))
    logic = [c for i, c in instances if i not in (m.group(1), m.group(2))]
    out = {"startpoint": m.group(1), "endpoint": m.group(2), "arrival_ns": float(arrival.group(1)),
           "slack_ns": float(slack.group(1)), "setup_ns": -float(setup.group(1)) if setup else None,
           "path_cells": [c for _, c in instances], "levels": len(logic)}
    powers = []
    for block in re.finditer(r"power at input activity ([0-9.]+)\n(.*?)(?=power at input activity|\Z)", text, re.S):
        total = re.search(r"^Total\s+([0-9.eE+\-]+)\s+([0-9.eE+\-]+)\s+([0-9.eE+\-]+)\s+([0-9.eE+\-]+)", block.group(2),
                          re.M)
        if total:
            powers.append({"input_activity": float(block.group(1)),
                           "internal_mw": float(total.group(1)) * 1e3, "switching_mw": float(total.group(2)) * 1e3,
                           "leakage_mw": float(total.group(3)) * 1e3, "total_mw": float(total.group(4)) * 1e3})
    out["power"] = powers
    if period:
        out["period_ns"] = float(period.group(1))
    return out


def sta(lib, netlist, top, work, period_ns, name, activity=None):
    with open(os.path.join(work, f"{name}.tcl"), "w") as f:
        f.write(sta_script(lib, netlist, top, period_ns, activity))
    run(["sta", "-no_splash", "-exit", f"{name}.tcl"], work, name)
    text = open(os.path.join(work, f"{name}.log")).read()
    if re.search(r"^Error", text, re.M):
        raise FlowError(f"OpenSTA reported an error (log {os.path.join(work, name + '.log')})")
    rep = parse_sta(text)
    rep["period_ns"] = period_ns
    return rep


LARGE_NETLIST_CELLS = 40000   # above this g++ -O1 on Verilator's flat output takes over an hour on 2 cores


def verilator_build(libs, netlist, work, jobs=2, models=(), cells=0):
    """Builds the gate-level testbench (tb.v + netlist + cell models + `models`, e.g. SRAM macro models) with toggle
    coverage into <work>/obj. Large netlists compile at -O0: slower simulation, but the build is what dominates."""
    obj = os.path.join(work, "obj")
    opt = "-O0" if cells > LARGE_NETLIST_CELLS else "-O1"
    cmd = ["verilator", "--cc", "--exe", "--build", "--timing", "--prefix", "Vsim", "-o", "Vsim",
           "-Wno-fatal", "-Wno-lint", "-Wno-style", "--coverage-toggle", "--coverage-underscore",
           "--coverage-max-width", "65536", "-DFUNCTIONAL", "-DNO_PRIMITIVES", "-DUNIT_DELAY=",
           "--top-module", "hades_asic_tb", "-Mdir", obj, "-j", str(jobs),
           "-MAKEFLAGS", f"OPT_FAST={opt} OPT_SLOW=-O0 OPT_GLOBAL={opt}",
           os.path.join(HERE, "coverage.vlt"), os.path.join(HERE, "sky130_udp_verilator.v"),
           libs["prims"], libs["cells"], *models, netlist, "tb.v", os.path.join(HERE, "sim_main.cpp")]
    return run(cmd, work, "verilator")


def simulate(work, period_ns, reset_cycles):
    """Runs the testbench; toggle counts start at the first rising edge after reset (counts of reset and
    initialisation are cleared then)."""
    zero_at_ps = int((reset_cycles + 0.5) * period_ns * 1000 + 0.999)
    return run([os.path.join(work, "obj", "Vsim"), "+coverage=coverage.dat", f"+zero_at={zero_at_ps}"], work,
               "simulation")


def read_results(work, desc):
    """Parses results.txt; checks every round's accepted count and token, and the emitted tokens, against the trace."""
    tw, gw = desc["token_bits"], desc["gamma_bits"]
    rounds, tokens, end = [], [], None
    for line in open(os.path.join(work, "results.txt")):
        f = line.split()
        if not f:
            continue
        if f[0] == "token":
            tokens.append(int(f[1], 16))
        elif f[0] == "end":
            end = int(f[1])
        else:
            word = int(f[0], 16)
            rounds.append({"token": word & ((1 << tw) - 1), "accepted": (word >> tw) & ((1 << gw) - 1),
                           "rollback": (word >> (tw + gw)) & ((1 << gw) - 1), "flags": word >> (tw + 2 * gw),
                           "cycles": int(f[2]) - int(f[1]) + 1})
    exp = desc["expected"]
    if len(rounds) != len(exp):
        raise FlowError(f"gate-level run gave {len(rounds)} results for {len(exp)} rounds (see {work}/results.txt)")
    want_tokens = []
    for r, (got, e) in enumerate(zip(rounds, exp)):
        if (got["accepted"], got["token"]) != (e["accepted"], e["token"]):
            raise FlowError(f"round {r}: the gate-level netlist gave n={got['accepted']}, token={got['token']}; "
                            f"the trace says n={e['accepted']}, token={e['token']}")
        want_tokens += e["draft_tokens"][:e["accepted"]] + [e["token"]]
    if tokens != want_tokens:
        raise FlowError(f"emitted tokens {tokens} differ from the expected {want_tokens}")
    if end is None:
        raise FlowError("simulation did not reach its end marker")
    return rounds, end


def sram_accesses(work):
    """{instance: (writes, reads)} printed by the SRAM macro models at the end of the simulation."""
    text = open(os.path.join(work, "simulation.log")).read()
    return {m.group(1): (int(m.group(2)), int(m.group(3)))
            for m in re.finditer(r"^sram (\S+) writes (\d+) reads (\d+)", text, re.M)}
