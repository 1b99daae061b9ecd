# Two commands: `make run` (set up + start the site on SQLite) and `make test` (set up + run every test).
# Both are idempotent and use .venv/ at the repository root.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.requirements-stamp

.PHONY: setup system-deps run test lint format bench

VNU_JAR := node_modules/vnu-jar/build/dist/vnu.jar

$(STAMP): requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $(STAMP)

# The Nu HTML checker for the browser tests (npm package vnu-jar, pinned in package-lock.json;
# it runs on Java). Without npm the HTML checks are skipped, and the tests' last line says so.
$(VNU_JAR): package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --no-audit --no-fund --ignore-scripts --loglevel=error && touch $(VNU_JAR); \
	else \
		echo "make: npm not found: HTML validation in the browser tests will be skipped"; \
	fi

setup: $(STAMP) $(VNU_JAR)

run: $(STAMP)
	DJANGO_DEBUG=1 $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=1 $(PY) manage.py ensure_demo_user
	DJANGO_DEBUG=1 $(PY) manage.py runserver 127.0.0.1:8000

# Debian packages for the browser, PDF, HTML-checker and translation tests: installed when
# this can be done
# without a password (root, or sudo -n); otherwise those tests skip and pytest's last line
# names what is missing and the command that installs it.
system-deps:
	@if [ "$$(id -u)" = 0 ] || sudo -n true 2>/dev/null; then \
		bash scripts/install-system-deps.sh \
			|| echo "make: scripts/install-system-deps.sh failed; tests that need those packages will skip"; \
	fi

# system-deps first: it may install npm, which setup then uses.
test: system-deps setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m pytest

lint:
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

bench: setup
	$(PY) bench/engine.py
