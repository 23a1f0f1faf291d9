# HADES: generate, build and co-simulate the speculative-decoding verifier.
# `make sim` and `make test` install missing system packages first (tools/install-deps.sh).

SWIFT_BIN := $(firstword $(wildcard /opt/swift/usr/bin/swift) swift)
SWIFT_CONFIG ?= release
BIN = .build/$(SWIFT_CONFIG)

TRACE ?= Tests/Fixtures/greedy_g8.npz
LANES ?= 16
FORMAT ?= fp16
MODE ?= greedy
WAVES ?=
CLOCK_MHZ ?=
SIM_ARGS = --trace $(TRACE) --lanes $(LANES) --format $(FORMAT) --mode $(MODE) \
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
