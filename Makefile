# USO portal. `make run` and `make test` set everything up themselves (venv, install, messages,
# migrations); re-running them is fast. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# Python >= 3.12: $(PYTHON) if given, else the newest found on PATH or under pyenv.
PYTHON ?=

define find_python
for candidate in $(PYTHON) python3.14 python3.13 python3.12 python3 \
    $$(ls -d $$HOME/.pyenv/versions/3.1[2-9]*/bin/python3 /usr/local/bin/python3.1[2-9] \
      /usr/bin/python3.1[2-9] 2>/dev/null | sort -rV); do \
  if command -v "$$candidate" >/dev/null 2>&1 && \
     "$$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
    command -v "$$candidate"; exit 0; \
  fi; \
done; exit 1
endef

.PHONY: help
help: ## Show the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@if [ ! -x $(PY) ]; then \
	  python=$$($(find_python)) || { \
	    echo "error: Python >= 3.12 is needed and none was found (tried python3.12+, python3 and ~/.pyenv/versions)." >&2; \
	    echo "       Install one, or run: make PYTHON=/path/to/python3.12 ..." >&2; exit 1; }; \
	  echo "Creating $(VENV) with $$python"; \
	  "$$python" -m venv $(VENV); \
	fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

SYSTEM_PACKAGES := gettext libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 \
	libfontconfig1 fonts-dejavu-core

.PHONY: system-deps
system-deps: ## Install the Debian packages the portal needs (WeasyPrint, gettext); needs root
	apt-get update -qq && apt-get install -y -qq --no-install-recommends $(SYSTEM_PACKAGES)

.PHONY: install
install: $(STAMP) ## Create .venv and install the dependencies
	@ldconfig -p 2>/dev/null | grep -q libharfbuzz-subset || \
	  echo "warning: libharfbuzz-subset0 is missing: PDFs render 3-5 times slower (make system-deps)"

.PHONY: messages
messages: $(STAMP) ## Compile the translations (locale/*/LC_MESSAGES/django.po and djangojs.po -> .mo)
	@$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0

.PHONY: setup
setup: install messages ## Install, compile translations, migrate
	@$(PY) manage.py migrate --no-input -v 0

.PHONY: demo
demo: setup ## Load the demo data (idempotent)
	@$(PY) manage.py load_demo

# Links in e-mails and calendar files point at the address served (`make run PORT=8123`),
# unless PORTAL_BASE_URL is set.
PORTAL_BASE_URL ?= http://$(HOST):$(PORT)

.PHONY: run
run: demo ## Set up, load demo data and serve on http://127.0.0.1:8000/ (SQLite, DEBUG on; PORT=, HOST=)
	@echo "Serving the USO portal on http://$(HOST):$(PORT)/ (Ctrl-C stops)"
	DEBUG=true PORTAL_BASE_URL=$(PORTAL_BASE_URL) $(PY) manage.py runserver $(HOST):$(PORT)

WORKERS ?= $(shell echo $$(( 2 * $$(nproc 2>/dev/null || echo 1) + 1 )))

.PHONY: serve
serve: setup ## Production-like: collectstatic, the tasks worker, the outbox sweep and gunicorn (env: DATABASE_URL, SECRET_KEY, ...)
	$(PY) manage.py collectstatic --no-input -v 0
	@echo "Serving with gunicorn ($(WORKERS) workers), db_worker and send_outbox each minute on http://$(HOST):$(PORT)/"
	export TASKS_BACKEND=django_tasks_db.DatabaseBackend; \
	$(PY) manage.py db_worker & worker=$$!; \
	( while sleep 60; do $(PY) manage.py send_outbox -v 0; done ) & outbox=$$!; \
	trap 'kill $$worker $$outbox 2>/dev/null' EXIT INT TERM; \
	$(VENV)/bin/gunicorn uso_portal.wsgi --workers $(WORKERS) --bind $(HOST):$(PORT) \
	  --access-logfile - --graceful-timeout 30 --timeout 60

# The suite runs in one process per core (pytest-xdist, scheduled by tests/plugins/xdist_groups.py:
# test by test in pytest-django's order, a few modules whole). PYTEST_WORKERS=0: in this process.
PYTEST_WORKERS ?= auto

.PHONY: test
test: install messages ## Set up and run the whole test suite (DATABASE_URL or SQLite), one process per core
	$(PY) -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

.PHONY: e2e-deps
e2e-deps: ## Install Debian's chromium (apt: needs root) and axe-core (npm) for the browser tests
	apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium
	npm ci --prefix tests/e2e --no-audit --no-fund

.PHONY: e2e
e2e: install messages ## Run only the browser tests (Chromium + axe-core); screenshots in test-artifacts/
	USO_REQUIRE_E2E=1 $(PY) -m pytest -m e2e tests/e2e $(PYTEST_ARGS)

.PHONY: lint
lint: install ## ruff lint and format check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

.PHONY: format
format: install ## Format and auto-fix with ruff
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

.PHONY: makemessages
makemessages: install ## Extract translatable strings into locale/fi and locale/sv
	$(PY) manage.py makemessages -l fi -l sv --no-location --no-obsolete --ignore=.venv --ignore=node_modules --ignore=tests

.PHONY: bench
bench: setup ## Run the benchmarks (bench/*.py; pages need DATABASE_URL=postgres://… of a dedicated DB)
	$(PY) bench/billing.py
	@if [ -n "$$DATABASE_URL" ]; then $(PY) bench/pages.py; \
	else echo "bench/pages.py skipped: set DATABASE_URL to a dedicated PostgreSQL database"; fi

.PHONY: loadtest
loadtest: install messages ## Locust: 150 users for 2 min on loopback (needs DATABASE_URL of a dedicated PostgreSQL DB)
	$(PY) -m pip install --quiet -e ".[dev,load]"
	@test -n "$$DATABASE_URL" || { echo "set DATABASE_URL to a dedicated PostgreSQL database" >&2; exit 1; }
	$(PY) bench/loadtest.py

.PHONY: clean
clean: ## Remove the virtualenv, compiled messages and caches (keeps db.sqlite3)
	rm -rf $(VENV) .pytest_cache .ruff_cache
	find locale -name '*.mo' -delete
