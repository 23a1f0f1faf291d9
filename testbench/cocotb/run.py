"""Runs test_hades.py on Icarus for one exported configuration: python3 run.py [DIR] (default testbench/greedy).
Exit 0 only when the test passes."""
import sys
from pathlib import Path

from cocotb_tools.runner import get_results, get_runner

here = Path(__file__).resolve().parent
vectors = Path(sys.argv[1] if len(sys.argv) > 1 else here.parent / "greedy").resolve()
top = next(line.split()[2] for line in (vectors / "tb_config.vh").read_text().splitlines()
           if line.startswith("`define HADES_TB_DUT "))
build = Path(sys.argv[2] if len(sys.argv) > 2 else "build/cocotb").resolve() / vectors.name
runner = get_runner("icarus")
runner.build(sources=[vectors / f"{top}.v"], hdl_toplevel=top, build_dir=build, always=True)
results = runner.test(test_module="test_hades", hdl_toplevel=top, test_dir=here, build_dir=build,
                      results_xml=str(build / "results.xml"), extra_env={"HADES_TB_DIR": str(vectors)})
tests, failures = get_results(results)
print(f"cocotb: {tests} tests, {failures} failures")
sys.exit(1 if failures or tests == 0 else 0)
