# Two commands for a newcomer: `make run` and `make test` (README.md).
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed
export PREFECT_SERVER_ANALYTICS_ENABLED = false
export PREFECT_HOME ?= $(CURDIR)/data/prefect
export CAPA_DATABASE_URL ?= sqlite:///$(CURDIR)/data/capaflow.db

.PHONY: run test lint typecheck bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	mkdir -p data
	$(BIN)/capa db upgrade
	$(BIN)/capa demo seed
	$(BIN)/capa demo walkthrough

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python bench/transitions.py

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
