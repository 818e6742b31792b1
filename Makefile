# Two entry points for a fresh machine (Debian/Ubuntu with Python 3.11+):
#   make demo   set up, then run a whole campaign on the local workspace with synthetic answers
#   make test   set up (incl. LibreOffice, used to prove the drafts open), then run the tests
# and, for developers: make test-fast (no PostgreSQL, LibreOffice or Chromium), make lint
VENV ?= .venv
PY := $(VENV)/bin/python
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
DEBIAN_PACKAGES := libreoffice-writer-nogui libreoffice-calc-nogui fonts-dejavu-core fonts-liberation poppler-utils \
	postgresql chromium chromium-driver

.PHONY: demo test test-fast lint bench system-deps fake-google

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $@

# What the tests use from Debian: LibreOffice proves the drafts open (Writer for .docx, Calc
# for .xlsx: both checked, a machine can have one without the other) and pdftoppm renders
# their pages; PostgreSQL is started by the tests on a loopback port; Chromium drives the
# pages. Each is checked by its absolute path, never found by luck on PATH.
LO := /usr/lib/libreoffice/program
system-deps:
	@{ test -x /usr/bin/soffice && test -e $(LO)/libswlo.so && test -e $(LO)/libsclo.so && test -x /usr/bin/pdftoppm \
	   && ls /usr/lib/postgresql/*/bin/initdb && test -x /usr/bin/chromium && test -x /usr/bin/chromedriver; } >/dev/null 2>&1 || { \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $(DEBIAN_PACKAGES); }

demo: $(VENV)/.installed
	$(VENV)/bin/sonket-gsync demo

test: system-deps $(VENV)/.installed
	$(PY) -m pytest

# The tests that need no PostgreSQL, LibreOffice or Chromium (markers in pyproject.toml), on
# every core (pytest-xdist): a file's tests stay together on one worker, in order, so a
# module's fixtures are made once; the demo the web and CLI tests share is run once per run,
# from the wheel tests/test_packaging.py checks (tests/conftest.py: wheel, demo_run).
test-fast: $(VENV)/.installed
	$(PY) -m pytest -m "not postgres and not libreoffice and not browser" -n auto --dist loadfile

# Lint and format (ruff), the layer contracts (import-linter), types (mypy): all in pyproject.toml.
lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

bench: $(VENV)/.installed
	$(PY) bench/run.py

fake-google: $(VENV)/.installed
	$(PY) -m tests.fake_google --port 8089 --latency 0.1
