# ferry — two commands on a fresh machine: `make setup`, then `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup test test-nightly test-fast lint typecheck check bench sync report clean

setup: $(STAMP)

$(STAMP): pyproject.toml port/pyproject.toml scripts/ensure-system-deps.sh
	bash scripts/ensure-system-deps.sh
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,ray]" -e ./port
	touch $(STAMP)

test: setup
	$(BIN)/python -m pytest -q

# The slow end-to-end cases (nightly marker: bench-sized runs, the full report measurement) and
# the docker ones (skip without an engine).
test-nightly: setup
	$(BIN)/python -m pytest -q -m "nightly or docker" tests/harness tests/reports

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/ferry provenance check

typecheck: setup
	$(BIN)/mypy

check: lint typecheck test

bench: setup
	$(BIN)/python -m harness.bench

sync: setup
	$(BIN)/ferry sync

report: setup
	$(BIN)/ferry report

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
