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

# The demo needs the Pulumi CLI; say so before installing anything.
demo:
	@command -v pulumi >/dev/null 2>&1 || { echo "make demo: the 'pulumi' CLI is not on PATH; install it from https://www.pulumi.com/docs/install/" >&2; exit 2; }
	@$(MAKE) --no-print-directory install
	$(BIN)/python -m pulumi_zpa_pkeys.demo

bench: $(STAMP)
	$(BIN)/python -m pytest bench -m slow -p no:cacheprovider -o addopts='' -q

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
