# ruleproof: one command to set up and run the main job, one to set up and run the tests.
#   make demo   - verify the liposarcoma ruleset, render its graph, evaluate an example patient
#   make test   - the whole test suite
# Both create the virtualenv and install Graphviz's `dot` when they are missing.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SHARED ?= ../shared
EXAMPLE ?= $(SHARED)/spec/liposarcoma/examples/03-pleomorphic-high-risk-primary.json
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: setup dot chromium demo test check bench clean

setup: $(STAMP) dot

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

# Graphviz's `dot` binary: Debian's graphviz package, installed only when missing.
dot:
	@command -v dot >/dev/null 2>&1 || { \
	  echo "installing Graphviz (dot) with apt-get"; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null; }
	@command -v dot >/dev/null 2>&1 || { echo "Graphviz's dot is still missing: install the graphviz package"; exit 1; }

# Headless Chromium for the report's browser test: Debian's chromium package, installed only when missing.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Chromium (headless, for the report test) with apt-get"; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	@command -v chromium >/dev/null 2>&1 || { echo "Chromium is still missing: install the chromium package"; exit 1; }

demo: setup
	$(BIN)/ruleproof check rulesets/liposarcoma.rules
	mkdir -p out
	$(BIN)/ruleproof graph rulesets/liposarcoma.rules -o out/liposarcoma-rules.svg
	$(BIN)/ruleproof graph rulesets/liposarcoma.rules --view decision -o out/liposarcoma-decision.svg
	$(BIN)/ruleproof graph rulesets/liposarcoma.rules --view pathway -o out/liposarcoma-pathway.svg
	$(BIN)/ruleproof report rulesets/liposarcoma.rules -o out/liposarcoma-report.html
	$(BIN)/ruleproof eval rulesets/liposarcoma.rules $(EXAMPLE) --explain

test: setup chromium
	$(BIN)/pytest

# What CI gates on besides the tests: every ruleset must prove.
check: setup
	$(BIN)/ruleproof check rulesets/*.rules

bench: setup
	$(BIN)/python benchmarks/bench_eval.py
	$(BIN)/python benchmarks/bench_check.py
	$(BIN)/python benchmarks/bench_diff.py
	$(BIN)/python benchmarks/bench_cases.py
	$(BIN)/python benchmarks/bench_pathway.py

clean:
	rm -rf $(VENV) out .pytest_cache .hypothesis
