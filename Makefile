# One command per chore, the same locally and in CI.
#   make test   every check: format, lint, types, layer contracts, all test tiers
#   make lint   format, lint, types and layer contracts only
#   make bench  benchmarks at full size, printing figures (make test runs them small)
#   make fuzz   fuzzing campaigns against live servers on 127.0.0.1 (FUZZ_ARGS="--inputs N")
#   make fmt    rewrite files with ruff's formatter and autofixes
#   make demo   the whole system with the simulators in one process (DEMO_ARGS="--backend online")
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install test lint typecheck contracts pytest bench fuzz fmt demo clean

install: $(STAMP)

# The virtual environment is rebuilt only when the pinned dependencies change.
$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff format --check src tests bench
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

pytest: $(STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

test: lint pytest

bench: $(STAMP)
	$(BIN)/python -m bench

demo: $(STAMP)
	$(BIN)/procore-qb demo $(DEMO_ARGS)

fuzz: $(STAMP)
	$(BIN)/python -m bench.fuzz $(FUZZ_ARGS)

fmt: $(STAMP)
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache
