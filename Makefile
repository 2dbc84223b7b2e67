# The two commands a newcomer needs: `make run` and `make test`. Everything installs itself into .venv.
SHELL := /bin/bash
PY ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
	&& echo $$p && break; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: install run test test-sqlite test-postgres lint fmt openapi clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -n "$(PY)" || { echo "Python 3.11 or newer is required (python3.11/3.12/3.13 on PATH)"; exit 1; }
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@rm -f $(VENV)/.installed-*
	@touch $@

run: install
	$(BIN)/phuket db upgrade
	$(BIN)/phuket serve --host $(HOST) --port $(PORT)

# Both passes: SQLite with in-process backends, then PostgreSQL + Redis on this machine.
test: install
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres

test-sqlite: install
	@echo "== pass 1: SQLite + in-process cache, limits and blacklist =="
	PHUKET_TEST_BACKEND=sqlite $(BIN)/python -m pytest $(PYTEST_ARGS)

test-postgres: install
	@echo "== pass 2: PostgreSQL + Redis =="
	PHUKET_TEST_BACKEND=postgres $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy

fmt: install
	$(BIN)/ruff format src tests
	$(BIN)/ruff check --fix src tests

openapi: install
	$(BIN)/phuket openapi > openapi.json

clean:
	rm -rf $(VENV) build src/*.egg-info
