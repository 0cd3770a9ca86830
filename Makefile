# Two commands do all the set-up on a fresh machine with Python 3.11, pip and make:
#   make run   creates .venv, installs the locked requirements, starts the app (demo data on first start)
#   make test  installs the locked dev requirements and Debian's chromium, runs the whole suite
# requirements*.txt keep the ranges we support; requirements*.lock pin the versions the suite passed
# with, so a fresh machine gets those. `make lock` resolves the ranges again in a scratch venv.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501

.PHONY: run test lint bench bench-privacy chromium clean lock graph

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.requirements: requirements.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.lock
	touch $@

$(VENV)/.requirements-dev: requirements-dev.lock $(VENV)/.requirements
	$(BIN)/python -m pip install --quiet -r requirements-dev.lock
	touch $@

lock:
	rm -rf .lock-venv
	$(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet -r requirements.txt
	.lock-venv/bin/python -m pip freeze --all --exclude pip > requirements.lock
	.lock-venv/bin/python -m pip install --quiet -r requirements-dev.txt
	.lock-venv/bin/python -m pip freeze --all --exclude pip > requirements-dev.lock
	rm -rf .lock-venv

graph: $(VENV)/.requirements
	$(BIN)/python tests/module_graph.py

run: $(VENV)/.requirements
	$(BIN)/python -m streamlit run server.py --server.port $(PORT)

# Browser tests drive Debian's chromium; install it where it is missing.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
		SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; }

test: $(VENV)/.requirements-dev chromium
	$(BIN)/python -m pytest

lint: $(VENV)/.requirements-dev
	$(BIN)/ruff check .

bench: $(VENV)/.requirements-dev
	$(BIN)/python bench/readiness_bench.py
	$(BIN)/python bench/import_bench.py --respondents 50000
	$(BIN)/python bench/import_bench.py --respondents 200000

# The long run of tests/test_privacy.py's attacker, and how suppression's cost grows with the teams.
bench-privacy: $(VENV)/.requirements-dev
	$(BIN)/python bench/suppression_bench.py
	$(BIN)/python bench/privacy_search.py --examples 2000

clean:
	rm -rf $(VENV) .pytest_cache tests/artifacts .lock-venv
