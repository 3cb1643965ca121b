# ruleproof: one command to set up and run the main job, one to set up and run the tests.
#   make demo   - verify the liposarcoma ruleset, render its graph, evaluate an example patient
#   make test   - the whole test suite
# Both create the virtualenv and install Graphviz's `dot` when they are missing.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
EXAMPLE ?= examples/patient.json
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: setup dot chromium node demo test check bench clean

setup: $(STAMP) dot node

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

# Node.js and the CQL runner of the FHIR export tests (cql-execution, pinned by the committed lockfile):
# Debian's nodejs and npm, installed only when missing, then `npm ci`.
CQL_RUNNER := verifier/fhir/node
node: $(CQL_RUNNER)/node_modules/.installed
$(CQL_RUNNER)/node_modules/.installed: $(CQL_RUNNER)/package-lock.json
	@command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || { \
	  echo "installing Node.js and npm (for the FHIR export's CQL tests) with apt-get"; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; }
	cd $(CQL_RUNNER) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

demo: setup
	$(BIN)/ruleproof check rulesets/liposarcoma.rules
	mkdir -p out
	$(BIN)/ruleproof graph rulesets/liposarcoma.rules -o out/liposarcoma-rules.svg
	$(BIN)/ruleproof graph rulesets/liposarcoma.rules --view decision -o out/liposarcoma-decision.svg
	$(BIN)/ruleproof graph rulesets/liposarcoma.rules --view pathway -o out/liposarcoma-pathway.svg
	$(BIN)/ruleproof report rulesets/liposarcoma.rules -o out/liposarcoma-report.html
	$(BIN)/ruleproof eval rulesets/liposarcoma.rules $(EXAMPLE) --explain

# -n auto: one pytest-xdist worker per core (the suite is a few minutes on one).
test: setup chromium
	$(BIN)/pytest -n auto

# What CI gates on besides the tests: `ruleproof gate` (every ruleset proves and its
# regression suite replays; with BASE=REV also the advice and specification diff against REV).
check: setup
	$(BIN)/ruleproof gate rulesets/*.rules $(if $(BASE),--base $(BASE))

bench: setup
	$(BIN)/python benchmarks/bench_eval.py
	$(BIN)/python benchmarks/bench_check.py
	$(BIN)/python benchmarks/bench_check.py rulesets/af_stroke.rules
	$(BIN)/python benchmarks/bench_check.py rulesets/hepb_perinatal.rules
	$(BIN)/python benchmarks/bench_diff.py
	$(BIN)/python benchmarks/bench_cases.py
	$(BIN)/python benchmarks/bench_fhir.py
	$(BIN)/python benchmarks/bench_tables.py
	$(BIN)/python benchmarks/bench_table_load.py
	$(BIN)/python benchmarks/bench_eval_table.py
	$(BIN)/python benchmarks/bench_table_commands.py
	$(BIN)/python benchmarks/bench_check_tables.py
	$(BIN)/python benchmarks/bench_gap_regions.py
	$(BIN)/python benchmarks/bench_gate.py
	$(BIN)/python benchmarks/bench_guards.py
	$(BIN)/python benchmarks/bench_pathway.py

clean:
	rm -rf $(VENV) out .pytest_cache .hypothesis $(CQL_RUNNER)/node_modules
