# Every target creates .venv itself: a fresh clone needs only python3 (with venv) and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: all install test lint demo bench bench-validate bench-plan bench-memory bench-shards bench-normalize bench-emulator bench-listing bench-client bench-run bench-sync bench-adaptive bench-export test-slow soak clean

all: test

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check batch schemas tests bench samples
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest -q

demo: $(STAMP)
	$(BIN)/rtm-batch demo --out out/demo

# Every benchmark prints first when and on what machine it ran (bench/machine.py): the README quotes both.
MACHINE := $(BIN)/python -m bench.machine

bench: bench-validate bench-plan bench-memory bench-shards bench-normalize bench-emulator bench-listing bench-client bench-run bench-sync bench-adaptive bench-export

# Both cases run even when the first misses its target; the target fails if either missed.
bench-validate: $(STAMP)
	@$(MACHINE)
	$(BIN)/python bench/bench_validate.py; sizes=$$?; $(BIN)/python bench/bench_validate.py --ranges; exit $$((sizes || $$?))

bench-plan: $(STAMP)
	@$(MACHINE)
	$(BIN)/python -m bench.bench_plan

bench-memory: $(STAMP)
	@$(MACHINE)
	$(BIN)/python -m bench.bench_memory

bench-shards: $(STAMP)
	@$(MACHINE)
	$(BIN)/python -m bench.bench_shards

bench-normalize: $(STAMP)
	@$(MACHINE)
	$(BIN)/python bench/bench_normalize.py

bench-emulator: $(STAMP)
	@$(MACHINE)
	$(BIN)/python -m bench.bench_emulator

bench-listing: $(STAMP)
	@$(MACHINE)
	$(BIN)/python -m bench.bench_listing

bench-client: $(STAMP)
	@$(MACHINE)
	$(BIN)/python -m bench.bench_client

bench-run: $(STAMP)
	@$(MACHINE)
	$(BIN)/python -m bench.bench_run

bench-sync: $(STAMP)
	@$(MACHINE)
	$(BIN)/python -m bench.bench_sync

bench-adaptive: $(STAMP)
	@$(MACHINE)
	$(BIN)/python -m bench.bench_adaptive

bench-export: $(STAMP)
	$(BIN)/python -m bench.bench_export

soak: $(STAMP)
	$(BIN)/python -m pytest -q -s -m slow tests/run/test_soak.py

test-slow: $(STAMP)
	$(BIN)/python -m pytest -q -m slow

clean:
	rm -rf $(VENV) out .pytest_cache .ruff_cache .mypy_cache .hypothesis build dist
