# The front door. `make help` lists the targets.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
CONFIG ?= configs/default.toml
STAMP  := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install test figures bench repro-check clean

help:  ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "} {printf "  %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)  ## Create .venv with the toolkit (editable) and its dependencies; chromium for the browser tests
	@# The browser tests drive Debian's chromium (never `playwright install`, which downloads from a blocked host).
	@# Tried only where it is missing and apt-get is usable; never fails the install: without it those tests skip.
	@test -x /usr/bin/chromium || \
	  { command -v apt-get >/dev/null 2>&1 && \
	    { { sudo -n apt-get update -qq && sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } || \
	      { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }; }; } || \
	  echo "no chromium: the browser tests (tests/test_browser.py) will skip"

test: install  ## Run the whole test suite (notebooks included)
	$(BIN)/python -m pytest

figures: install  ## Run the main pipeline on the demo corpus (CONFIG=configs/default.toml)
	$(BIN)/python -m toolkit figures --config $(CONFIG)

bench: install  ## Benchmarks against the bare engines, and whole runs on ../shared/corpora (BENCH_REAL=quick|full|off)
	$(BIN)/python -m bench

repro-check: install  ## Run `make figures` twice and compare output hashes
	$(BIN)/python -m toolkit repro-check --config $(CONFIG)

clean:  ## Remove generated reports and caches (never inputs)
	rm -rf reports/figures reports/tables reports/index.html reports/explorer.html reports/methods.md reports/models reports/run_inputs reports/manifest.sha256 .cache .pytest_cache
