# pulumi-zpa-pkeys: developer commands. `make test` is what CI runs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-dev

.PHONY: test lint typecheck pytest demo bench install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check .

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/python -m pytest

test: lint typecheck pytest

# The demo needs the Pulumi CLI; say so before installing anything. A failing recipe line would
# add make's own "*** Error 2" line, so the check is an $(error) (one line on stderr, exit 2),
# expanded only when the demo recipe runs.
demo: PULUMI_CLI = $(or $(shell command -v pulumi 2>/dev/null),$(error make demo needs the 'pulumi' CLI, which is not on PATH: install it from https://www.pulumi.com/docs/install/ and run make demo again))
demo:
	@: $(PULUMI_CLI)
	@$(MAKE) --no-print-directory install
	$(BIN)/python examples/demo.py

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet zscaler-sdk-python
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
