#!/usr/bin/env python3
"""FuseSoC generator `hades_verify` (hades.core): runs hadesgen with the parameters of the user's core file and
writes the generated Verilog plus a core describing it into the working directory FuseSoC gives.

hadesgen is taken from $HADESGEN, else this checkout's .build/release or .build/debug, else PATH
(build it with `make build` or `swift build -c release`)."""
import os
import re
import shutil
import subprocess
import sys

import yaml

OPTIONS = {"gamma": None, "vocab": None, "lanes": 16, "format": "fp16", "mode": "greedy", "top": None}


ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # this checkout (the script is in tools/)


def hadesgen():
    candidates = [os.environ.get("HADESGEN")] + [os.path.join(ROOT, ".build", c, "hadesgen") for c in ("release", "debug")]
    for c in candidates:
        if c and os.access(c, os.X_OK):
            return c
    found = shutil.which("hadesgen")
    if not found:
        sys.exit("hades_verify generator: hadesgen not found (set HADESGEN or run `make build` in " + ROOT + ")")
    return found


def main():
    with open(sys.argv[1]) as f:
        config = yaml.safe_load(f)
    params = config.get("parameters") or {}
    unknown = sorted(set(params) - set(OPTIONS))
    if unknown:
        sys.exit(f"hades_verify generator: unknown parameter(s) {', '.join(unknown)}; known: {', '.join(OPTIONS)}")
    missing = [k for k, v in OPTIONS.items() if v is None and k != "top" and k not in params]
    if missing:
        sys.exit(f"hades_verify generator: missing parameter(s) {', '.join(missing)}")
    args = []
    for key, default in OPTIONS.items():
        value = params.get(key, default)
        if value is not None:
            args += [f"--{key}", str(value)]
    out = "hades_verify_generated.v"
    run = subprocess.run([hadesgen()] + args + ["-o", out], capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(f"hades_verify generator: hadesgen {' '.join(args)}: {run.stderr.strip()}")
    with open(out) as f:
        top = re.findall(r"^module\s+(\w+)", f.read(), re.M)[-1]  # children first: the last module is the top
    os.rename(out, top + ".v")
    core = {
        "name": config["vlnv"],
        "filesets": {"rtl": {"files": [top + ".v"], "file_type": "verilogSource"}},
        "targets": {"default": {"filesets": ["rtl"], "toplevel": top}},
    }
    with open(os.path.basename(config["vlnv"].replace(":", "_")) + ".core", "w") as f:
        f.write("CAPI=2:\n" + yaml.safe_dump(core, sort_keys=False))


if __name__ == "__main__":
    main()
