# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_BUNDLE := fixtures/it_ecosystem
DEMO_OUT := out/demo

NEO4J := .ci/neo4j/neo4j.sh

.PHONY: setup demo test lint bench clean fixtures neo4j-up neo4j-down lab

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/ecograph validate $(DEMO_BUNDLE)
	$(BIN)/ecograph analyze $(DEMO_BUNDLE) --out $(DEMO_OUT)
	@echo "Demo report: $(CURDIR)/$(DEMO_OUT)/report.html (tables and summary.json beside it)"

# JupyterLab (and papermill) from the project's venv, as an optional extra: `make demo` stays lean.
lab: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,lab]'
	$(BIN)/jupyter lab notebooks/

# With Java 17+ and Maven here, the tests run against a real local Neo4j: a running one
# (`make neo4j-up`) is reused, else one is started for the run and stopped after it.
test: $(STAMP)
	.ci/browser.sh
	$(NEO4J) with $(BIN)/python -m pytest -q

# A local Neo4j Community 5.26 + GDS without Docker (Java 17+, Maven; cached in .cache/neo4j).
neo4j-up:
	$(NEO4J) up

neo4j-down:
	$(NEO4J) down

# Style, and the layer contract: imports run one way and never in a circle.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/test_architecture.py

bench: $(STAMP)
	.ci/browser.sh
	$(BIN)/python benchmarks/run.py

# Rebuild the committed fixtures from their generators (deterministic seeds).
fixtures: $(STAMP)
	$(BIN)/python fixtures/build.py

clean:
	-$(NEO4J) down
	rm -rf $(VENV) out .pytest_cache .ruff_cache .hypothesis build dist *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
