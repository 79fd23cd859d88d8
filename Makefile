# pulumi-zpa-pkeys: developer commands. `make test` is what CI runs.
PYTHON ?= python3
VENV      := .venv
BIN       := $(VENV)/bin
STAMP     := $(VENV)/.installed-dev
# setuptools reports every editable install with an informational warning ("Editable
# installation ... folders with the same name as your package may take precedence"); its docs
# name PYTHONWARNINGS as the way to filter its warning classes. Only pip's run sees this filter.
PIP       := PYTHONWARNINGS="ignore:Editable installation:UserWarning" $(BIN)/python -m pip
RUN_STAMP := $(VENV)/.installed

.PHONY: test lint typecheck pytest demo example dist bench soak install clean docs

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e '.[dev]'
	touch $(STAMP) $(RUN_STAMP)

# The demo needs only the package and its runtime dependencies: on a fresh clone this installs in
# about half the time of the dev extra (pulumi_aws, mypy, ruff). A dev install satisfies it too.
$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e .
	touch $(RUN_STAMP)

install: $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/python -m pytest

test: lint typecheck pytest

# The quickstart against the bundled emulator (examples/demo.py). With the `pulumi` CLI on PATH it
# runs `pulumi up`/`destroy` on a throw-away local backend; without it, it says so in one line and
# takes the same resources through the Pulumi SDK's provider host (preview, up, changes, refresh,
# destroy), printing what each step would show and the ZPA requests it cost.
demo: $(RUN_STAMP)
	$(BIN)/python examples/demo.py

# The sdist and the wheel, the wheel built from the sdist (so a file the sdist lacks fails here),
# into $(DIST); then tools/check_dist.py: metadata and README, package data, entry point, LICENSE.
DIST ?= dist
dist: $(STAMP)
	rm -f $(DIST)/*.whl $(DIST)/*.tar.gz
	$(BIN)/python -m build --quiet --outdir $(DIST) .
	$(BIN)/python tools/check_dist.py $(DIST)

# One example of examples/ against the bundled emulator, then everything it made deleted:
# `make example NAME=quickstart`. examples/run.py: with the Pulumi CLI when the example uses
# only this package, otherwise through the Pulumi SDK's provider host with other providers'
# resources mocked; an example's other requirements (pulumi-aws) are installed when missing.
example: $(RUN_STAMP)
	@test -n "$(NAME)" || { echo "usage: make example NAME=<folder under examples/>" >&2; exit 2; }
	$(BIN)/python examples/run.py --install-missing $(NAME)

# The typed surface of each resource module (the block between the markers) and
# docs/reference.md, from the schemas; tests/test_generated.py fails when they are stale.
docs: $(STAMP)
	$(BIN)/python -m pulumi_zpa_pkeys._codegen tests/toy_resource.py

bench: $(STAMP)
	$(PIP) install --quiet zscaler-sdk-python
	$(BIN)/python bench/run.py

# The stack state machine (tests/test_stack_machine.py) on random sequences for SOAK_SECONDS
# (default 15 minutes); prints the steps run, faults injected and fired, invariant violations
# and the time taken. A violation is shrunk and printed as the steps that reproduce it.
SOAK_SECONDS ?= 900
soak: $(STAMP)
	SOAK_SECONDS=$(SOAK_SECONDS) $(BIN)/python -m pytest tests/test_stack_machine.py::test_soak \
		-m slow -s -q -p no:cacheprovider

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache build dist *.egg-info
