# 五星看板 — the two commands a user needs are `make run` and `make test`.
# Both create .venv and install what they need on a fresh machine (Python 3.11).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8501

.PHONY: run test check lint typecheck bench samples clear-demo clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

## run: start the dashboard on data/fivestar.duckdb (loads the demo data when the store is empty)
run: $(VENV)/.runtime
	$(BIN)/python -m analytics init-demo
	$(BIN)/python -m ui.serve --server.port $(PORT) --server.headless true --browser.gatherUsageStats false

## test: ruff, mypy on analytics/, then the whole pytest suite (browser tests included)
test: lint typecheck
	$(BIN)/python -m pytest

lint: $(VENV)/.dev
	$(BIN)/python -m ruff check .

typecheck: $(VENV)/.dev
	$(BIN)/python -m mypy analytics

## check: the same as test (ruff, mypy on analytics/, pytest); CI runs it through .ci/run
check: test

## bench: benchmarks (not tests); tables go to benchmarks/results/
bench: $(VENV)/.dev
	$(BIN)/python -m benchmarks

## samples: regenerate sample_uploads/ with the deterministic generator
samples: $(VENV)/.dev
	$(BIN)/python -m analytics make-samples sample_uploads

## clear-demo: delete the demo data from the store so an office starts on its own data
clear-demo: $(VENV)/.runtime
	$(BIN)/python -m analytics clear-demo

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
