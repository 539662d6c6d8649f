# OneDoor (一扇门) — `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi.py
PG_ADMIN_URL ?= postgresql://postgres@127.0.0.1:5432/postgres
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help install run serve test test-sqlite test-postgres lint check db-check clean browser-deps pdf-deps bench bench-deps

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

$(BIN)/flask: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

VENDOR_STAMP := app/static/vendor/.stamp

# npm ci installs the pinned packages (esbuild among them); vendor-assets copies their dist files
# and bundles app/static/src/ (the modeler with its properties panel) into app/static/vendor/onedoor/.
$(VENDOR_STAMP): package-lock.json $(BIN)/flask $(wildcard app/static/src/*.js)
	npm ci --silent --no-audit --no-fund
	$(BIN)/flask vendor-assets
	@touch $@

install: pdf-deps $(BIN)/flask $(VENDOR_STAMP) ## Create .venv, install OneDoor with its dev tools and the front-end files

PDF_DEBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-wqy-microhei poppler-utils

pdf-deps: ## Install Debian's Pango and the CJK font WeasyPrint renders the case documents with, and poppler-utils (pdftoppm) the tests look at them with (as root)
	@if ! dpkg -s $(PDF_DEBS) >/dev/null 2>&1; then \
	  if [ "$$(id -u)" != 0 ]; then echo "请以 root 安装: apt-get install $(PDF_DEBS)"; exit 1; fi; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(PDF_DEBS) >/dev/null; \
	fi

run: install ## Install, migrate, seed the demo, deploy processes, serve on 127.0.0.1:8000 with the worker
	$(BIN)/flask db upgrade
	$(BIN)/flask calendar seed
	$(BIN)/flask seed-demo
	$(BIN)/flask processes deploy --note "make run"
	$(MAKE) --no-print-directory serve

serve: ## Start gunicorn and the background worker (already installed and migrated)
	@set -m; trap 'kill 0' EXIT INT TERM; \
	$(BIN)/flask worker & \
	$(BIN)/gunicorn --bind $(HOST):$(PORT) --workers 2 --access-logfile - wsgi:app

browser-deps: ## Install Debian's Chromium and a CJK font for the browser tests (as root)
	@if ! command -v chromium >/dev/null || ! fc-list 2>/dev/null | grep -qi "WenQuanYi Micro Hei"; then \
	  if [ "$$(id -u)" != 0 ]; then echo "请以 root 安装: apt-get install chromium fonts-wqy-microhei"; exit 1; fi; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null; \
	fi

test: install browser-deps ## Run the whole suite on SQLite, then on PostgreSQL ($(PG_ADMIN_URL))
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres

# Every route test runs a second time with cold per-process caches before each step, as when
# each step lands on a different worker process (see docs/architecture.md, "Across processes").
# The suite runs in TEST_WORKERS processes (pytest-xdist; each gets its own database).
TEST_WORKERS ?= 2
PYTEST := $(BIN)/pytest -q -n $(TEST_WORKERS)
FRESH := $(PYTEST) --fresh-process tests/processes

test-sqlite: install ## Run the suite on SQLite, then tests/processes in --fresh-process mode
	$(PYTEST)
	$(FRESH)

test-postgres: install ## Run the suite on a throw-away PostgreSQL database, then tests/processes fresh
	TEST_DATABASE_URL=$(PG_ADMIN_URL) $(PYTEST)
	TEST_DATABASE_URL=$(PG_ADMIN_URL) $(FRESH)

lint: install ## ruff over the tree, mypy over app/ (strict on app/workflow and app/cases)
	$(BIN)/ruff check .
	$(BIN)/mypy

check: install ## Check every file in processes/ and forms/
	$(BIN)/flask processes check --no-db

db-check: install ## Fail when models and migrations disagree (on a scratch SQLite file)
	@tmp=$$(mktemp -d); DATABASE_URL=sqlite:///$$tmp/check.sqlite3 $(BIN)/flask db upgrade >/dev/null 2>&1 && \
	DATABASE_URL=sqlite:///$$tmp/check.sqlite3 $(BIN)/flask db check; rc=$$?; rm -rf $$tmp; exit $$rc

bench-deps: ## Install wrk, the HTTP load generator of bench/http.py (as root)
	@command -v wrk >/dev/null || apt-get install -y --no-install-recommends wrk

bench: install bench-deps ## The fast subset of bench/ (each appends to bench/RESULTS.md; < 10 minutes)
	$(BIN)/python -m bench.engine --routes 200
	$(BIN)/python -m bench.timers --timers 5000 --workers 1,2
	$(BIN)/python -m bench.http --tasks 3000 --duration 8 --connections 32
	$(BIN)/python -m bench.zhangye --scale 0.01

clean: ## Remove the virtualenv and the local SQLite database
	rm -rf $(VENV) instance
