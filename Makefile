# perfreport: `make run` (install, migrate, load the 112 report and demo users, serve) and
# `make test` (lint, migrations check, type check, the suite on SQLite, then on PostgreSQL if
# configured).

SHELL := /bin/bash
PYTHON ?= $(shell .ci/find-python)
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1:8000
# Debian packages: a Traditional Chinese TrueType font for PDFs, poppler for PDF checks,
# Chromium for browser tests, gettext for translations.
# python-ldap (directory sign-in) has no wheel: it builds against libldap and libsasl.
# slapd and ldap-utils: the real directory server the sign-in tests start.
BUILD_DEBS := build-essential libldap2-dev libsasl2-dev
RUN_DEBS := fonts-arphic-ukai fonts-arphic-uming gettext
TEST_DEBS := $(RUN_DEBS) poppler-utils chromium slapd ldap-utils libreoffice-writer libreoffice-calc

export PERFREPORT_TESTING
# The suite runs in one process per core (pytest-xdist; each worker has its own test database),
# at most 4: on this 2-core machine it halves the run. PYTEST_ARGS= runs it in one process.
PYTEST_ARGS ?= -n auto --maxprocesses=4

.PHONY: run test install sysdeps-build sysdeps-run sysdeps-test lint check-migrations typecheck \
        pytest pytest-postgres \
        messages demo-data serve clean security audit

$(VENV)/.installed: pyproject.toml
	@test -n "$(PYTHON)" || { echo "No Python >= 3.12 found; set PYTHON=/path/to/python3.12" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: sysdeps-build $(VENV)/.installed

sysdeps-build:
	@.ci/apt-ensure $(BUILD_DEBS)

sysdeps-run:
	@.ci/apt-ensure $(RUN_DEBS)

sysdeps-test:
	@.ci/apt-ensure $(TEST_DEBS)

messages: install
	@if [ -d locale ]; then DEBUG=1 $(PY) manage.py compilemessages --ignore=.venv -v0; fi

demo-data: install sysdeps-run messages
	DEBUG=1 $(PY) manage.py migrate --noinput -v0
	DEBUG=1 $(PY) manage.py load_demo
	DEBUG=1 $(PY) manage.py copy_year --org khh --from 112 --to current --if-missing --open
	@# A self-signed demo certificate for signing issued reports (once; var/ is not committed).
	DEBUG=1 $(PY) manage.py make_demo_signing_key

run: demo-data
	@echo "perfreport on http://$(HOST)/  (demo users in README.md; password perfreport-demo)"
	@# The task worker (background PDF exports) runs beside the server and stops with it.
	DEBUG=1 $(PY) manage.py run_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DEBUG=1 $(PY) manage.py runserver $(HOST)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

security: install
	$(BIN)/bandit -q -r perfreport strategies scoring -lll -x '*/migrations/*'
	@.ci/audit-deps $(VENV)

audit: install
	$(BIN)/pip-audit --progress-spinner off

check-migrations: install
	PERFREPORT_TESTING=1 $(PY) manage.py makemigrations --check --dry-run

# mypy with django-stubs on the apps ([tool.mypy] in pyproject.toml). The plugin imports the
# settings: PERFREPORT_TESTING lets them load without a SECRET_KEY. The cache (.mypy_cache,
# gitignored) makes a second run take seconds.
typecheck: install
	PERFREPORT_TESTING=1 $(BIN)/mypy

pytest: install sysdeps-test messages
	@echo "== suite on SQLite =="
	PERFREPORT_TESTING=1 $(PY) -m pytest $(PYTEST_ARGS)

pytest-postgres: install sysdeps-test messages
	@if [ -n "$$TEST_POSTGRES_URL" ]; then \
	  echo "== suite on PostgreSQL ($$TEST_POSTGRES_URL) =="; \
	  PERFREPORT_TESTING=1 DATABASE_URL="$$TEST_POSTGRES_URL" $(PY) -m pytest $(PYTEST_ARGS); \
	else \
	  echo "TEST_POSTGRES_URL is not set: the suite did NOT run on PostgreSQL."; \
	  echo "Set it, e.g. TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test make test"; \
	fi

test: lint check-migrations typecheck security pytest pytest-postgres

clean:
	rm -rf $(VENV) *.egg-info staticfiles
