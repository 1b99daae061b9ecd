# Two commands: `make run` (set up + start the site on SQLite) and `make test` (set up + run every test).
# Both are idempotent and use .venv/ at the repository root.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.requirements-stamp

.PHONY: setup system-deps run test lint format bench

$(STAMP): requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $(STAMP)

setup: $(STAMP)

run: setup
	DJANGO_DEBUG=1 $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=1 $(PY) manage.py ensure_demo_user
	DJANGO_DEBUG=1 $(PY) manage.py runserver 127.0.0.1:8000

# Debian packages for the browser, PDF and translation tests: installed when this can be done
# without a password (root, or sudo -n); otherwise those tests skip and pytest's last line
# names what is missing and the command that installs it.
system-deps:
	@if [ "$$(id -u)" = 0 ] || sudo -n true 2>/dev/null; then \
		bash scripts/install-system-deps.sh \
			|| echo "make: scripts/install-system-deps.sh failed; tests that need those packages will skip"; \
	fi

test: setup system-deps
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m pytest

lint:
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

bench: setup
	$(PY) bench/engine.py
