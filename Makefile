# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_BUNDLE := fixtures/it_ecosystem
DEMO_OUT := out/demo

.PHONY: setup demo test lint bench clean fixtures

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

test: $(STAMP)
	$(BIN)/python -m pytest -q

# Style, and the layer contract: imports run one way and never in a circle.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/test_architecture.py

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

# Rebuild the committed fixtures from their generators (deterministic seeds).
fixtures: $(STAMP)
	$(BIN)/python fixtures/build.py

clean:
	rm -rf $(VENV) out .pytest_cache .ruff_cache .hypothesis build dist *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
