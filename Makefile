# Two commands do all the set-up on a fresh machine with Python 3.11, pip and make:
#   make run   creates .venv, installs requirements.txt, starts the app (demo data on first start)
#   make test  installs the dev requirements and Debian's chromium, runs the whole suite

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501

.PHONY: run test lint bench chromium clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.requirements: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.requirements-dev: requirements-dev.txt requirements.txt $(VENV)/.requirements
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

run: $(VENV)/.requirements
	$(BIN)/python -m streamlit run app.py --server.port $(PORT)

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

clean:
	rm -rf $(VENV) .pytest_cache tests/artifacts
