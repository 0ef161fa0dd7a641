# habilita: `make run` starts the dev stack with demo data; `make test` runs the suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup translations run lint test test-postgres bench clean-var help

help:
	@echo "make run            set up and start the whole dev stack (Temporal, simulators, worker, admin)"
	@echo "make test           set up, run the static security checks (make lint), then the whole test suite"
	@echo "make lint           bandit over habilita/: every finding fixed, or accepted on its line with a reason"
	@echo "make test-postgres  run the database-bound tests on PostgreSQL (POSTGRES_TEST_URL)"
	@echo "make bench          run every benchmark in bench/"
	@echo "make clean-var      delete var/: the local databases, keys and logs of the dev stack"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP) translations

# The console's Spanish catalog, compiled from its .po on every setup so the
# .mo never lags behind the text.
translations: $(STAMP)
	@$(BIN)/pybabel compile -d habilita/translations > /dev/null

run: setup
	$(BIN)/habilita dev

# Static security checks (bandit): a finding is fixed, or accepted on its own line with
# `# nosec BXXX` and the reason; any other finding fails the target, and so `make test`.
lint: $(STAMP)
	$(BIN)/bandit -r habilita -q

# The suite runs in two parts. Most tests run TEST_WORKERS at a time (pytest-xdist,
# a test file's tests on one worker, each worker with its own Temporal dev server):
# many of them wait on timers, heartbeats and browsers, and two at a time halve the
# wall time on two cores. The tests marked `timed` assert how long something took
# (the receiver's 500 ms answer, a person not waiting on DIAN), so they run after,
# one at a time, with no other test taking the CPU. A plain `pytest` runs all of
# them in one process. pytest exits 5 when it collected no test: make treats
# that, like any non-zero code, as a failure.
TEST_WORKERS ?= 2

test: setup lint
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile -m "not timed"
	$(BIN)/pytest -m timed
	@if [ -n "$$POSTGRES_TEST_URL" ]; then $(MAKE) --no-print-directory test-postgres; fi

test-postgres: setup
	@test -n "$$POSTGRES_TEST_URL" || { echo "set POSTGRES_TEST_URL=postgresql://user:pw@host/db"; exit 2; }
	DATABASE_URL="$$POSTGRES_TEST_URL" $(BIN)/pytest -m "not e2e" tests/models $(wildcard tests/accounting)

# Every script in bench/ but the shared baseline module; each ends with one
# figure line and its ratio to a baseline measured in the same run.
BENCHES := $(filter-out bench/temporal_baseline.py,$(wildcard bench/*.py))

bench: setup
	@set -e; for script in $(BENCHES); do echo "== $$script"; $(BIN)/python $$script; done

clean-var:
	rm -rf var/
