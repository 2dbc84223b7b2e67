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

.PHONY: install run test test-sqlite test-postgres lint fmt openapi clean web web-test e2e validate-deploy bench

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -n "$(PY)" || { echo "Python 3.11 or newer is required (python3.11/3.12/3.13 on PATH)"; exit 1; }
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@rm -f $(VENV)/.installed-*
	@touch $@

run: install
	@$(MAKE) --no-print-directory web || echo "WARNING: the web client did not build (see above); serving the API and the last build, if any."
	$(BIN)/phuket db upgrade
	$(BIN)/phuket seed --if-empty
	$(BIN)/phuket serve --host $(HOST) --port $(PORT)

# Both passes: SQLite with in-process backends, then PostgreSQL + Redis on this machine.
test: install
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres
	$(MAKE) --no-print-directory web-test

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

# The web client (web/): npm ci when the lock file changes, a build when any of its inputs is newer than web/dist.
NPM := $(shell command -v npm 2>/dev/null)
WEB_INPUTS := $(shell find web/src web/sw -type f 2>/dev/null) web/index.html web/package.json web/package-lock.json \
	web/vite.config.ts web/tsconfig.json $(wildcard web/public/*) openapi.json

web:
ifeq ($(NPM),)
	@echo "WARNING: npm (Node.js 20+) is not installed: the web client is not built; the API still runs."
else
	@$(MAKE) --no-print-directory web/dist/index.html
endif

web/node_modules/.ci-stamp: web/package-lock.json web/package.json
	cd web && npm ci --no-audit --no-fund
	@touch $@

web/dist/index.html: web/node_modules/.ci-stamp $(WEB_INPUTS)
	cd web && npm run build
	@touch $@

# Vitest: the API client and the booking form (a few seconds).
web-test:
ifeq ($(NPM),)
	@echo "WARNING: npm is not installed: skipping the web client's unit tests."
else
	@$(MAKE) --no-print-directory web/node_modules/.ci-stamp
	cd web && npm test
endif

# Playwright (playwright-core) in Debian's Chromium against a real `phuket serve` on SQLite.
e2e: install web
	cd web && npm run e2e

# deploy/: Kubernetes schemas, PromQL and dashboard checks (tests/ops/test_deploy.py), then promtool's own
# checks and the alert unit tests. promtool is in Debian's `prometheus` package (.ci/run installs it).
validate-deploy: install
	@command -v promtool >/dev/null 2>&1 || { echo "promtool is missing: apt-get install prometheus"; exit 1; }
	promtool check rules deploy/prometheus/alerts.yml
	promtool test rules deploy/prometheus/alerts.test.yml
	promtool check config --syntax-only deploy/prometheus/prometheus.yml
	PHUKET_TEST_BACKEND=sqlite $(BIN)/python -m pytest tests/ops/test_deploy.py

# Load benchmark (bench/README.md): `phuket serve --workers 2` driven by wrk on 127.0.0.1; writes
# bench/results/ and docs/benchmarks.md. BENCH_ARGS="--duration 10" for a shorter run.
BENCH_ARGS ?=
bench: install
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) build src/*.egg-info
