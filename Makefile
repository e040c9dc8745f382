# Two commands for a newcomer: `make run` and `make test` (README.md).
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed
export PREFECT_SERVER_ANALYTICS_ENABLED = false
export PREFECT_HOME ?= $(CURDIR)/data/prefect
export CAPA_DATABASE_URL ?= sqlite:///$(CURDIR)/data/capaflow.db

.PHONY: run test lint typecheck bench clean scale-demo

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# The running engine on SQLite: migrate, seed the demo data if the database is empty, show
# the tour, sweep once (the demo's overdue case is escalated at once and the dispatch, every
# minute, sends it: README "Two commands"), then a local Prefect server serving the sweep and
# dispatch flows on their schedules; notices arrive at the demo inbox on 127.0.0.1:8765.
# Ctrl-C stops it all.
run: $(STAMP)
	mkdir -p data
	$(BIN)/capa db upgrade
	$(BIN)/capa demo seed
	$(BIN)/capa demo walkthrough
	$(BIN)/capa sweep
	CAPA_ROUTES=$${CAPA_ROUTES:-config/routes.example.toml} $(BIN)/python -m capaflow.flows.run

# pytest runs on every core (pytest-xdist): each worker has its own SQLite files and its own
# PostgreSQL database (tests/conftest.py); `loadgroup` keeps a module's shared fixture (the
# wheel) on one worker. PYTEST_WORKERS=0 runs it in one process. The 40 slowest tests are
# listed at the end, to keep the suite well under 15 minutes.
PYTEST_WORKERS ?= auto

test: $(STAMP)
	mkdir -p $(PREFECT_HOME)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup --durations=40

# Each prints its figures beside a ceiling measured in the same run (bench/RESULTS.md).
bench: $(STAMP)
	$(BIN)/python bench/transitions.py
	$(BIN)/python bench/dispatch.py
	$(BIN)/python bench/sweep.py
	$(BIN)/python bench/scorecard.py
	$(BIN)/python bench/api_load.py

# The scale-out set-up of README "Running at scale", from one command: PostgreSQL (its own
# database capa_scale), a Prefect server, the process work pool, prefect.yaml deployed, two
# workers sweeping and dispatching seeded due work at once; prints and checks what happened,
# then stops all it started.
scale-demo: $(STAMP)
	$(BIN)/python ops/scale_demo.py

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
