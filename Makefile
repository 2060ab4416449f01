# Jobbro: `make run` starts the whole system on the embedded default; `make test` runs the suite.
SHELL := /bin/bash
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
export JOBBRO_DEMO_DATA ?= 1
export JOBBRO_ADMIN_EMAIL ?= admin@jobbro.dk
export JOBBRO_ADMIN_PASSWORD ?= jobbro-admin-2026

.PHONY: run test bench migrate demo install clean

$(BIN)/.installed: pyproject.toml
	@command -v $(PY) >/dev/null || { echo "Python 3.11 is needed ($(PY) not found)"; exit 1; }
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

install: $(BIN)/.installed

migrate: install
	$(BIN)/python -m services.crm migrate

run: migrate
	@echo "Jobbro: crm http://127.0.0.1:8001/docs"
	@echo "Admin login: $(JOBBRO_ADMIN_EMAIL) / $(JOBBRO_ADMIN_PASSWORD)"
	$(BIN)/honcho start -f Procfile

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install
	$(BIN)/python bench/run_all.py

clean:
	rm -rf var .pytest_cache
