# Two entry points for people: `make demo` and `make test`. Everything else supports them.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The Debian packages each needs are listed once, in this script; it installs the missing ones.
SYSTEM_PACKAGES := bash .ci/system-packages

.PHONY: demo test test-fast lint bench clean system-demo system-test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

system-demo:
	@$(SYSTEM_PACKAGES) demo

system-test:
	@$(SYSTEM_PACKAGES) test

demo: system-demo $(STAMP)
	$(BIN)/veerkracht demo
	@echo
	@echo "Klaar. Controleer nu de berichten met: ./veerkracht check"

# Lint first, then every tier of tests (unit, server, browser, prefect; see tests/conftest.py).
test: system-test lint
	$(BIN)/python -m pytest

# Only the unit tier: no servers, browser or Prefect engine; well under 30 s.
test-fast: system-test $(STAMP)
	$(BIN)/python -m pytest -m unit

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: $(STAMP)
	for b in bench/*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf out state .veerkracht
