# InfoConnect: `make run` serves the demo, `make test` runs the suite.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?=
ONLY ?=
# Passed to `manage.py serve`, e.g. make run SERVE_ARGS="--port 8080".
SERVE_ARGS ?=

.PHONY: run test bench fuzz lint format install chromium clients migrate seed messages screenshots clean

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "InfoConnect needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	@touch $@

install: $(VENV)/.installed

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

run: seed
	DEBUG=$${DEBUG:-1} $(PY) manage.py serve $(SERVE_ARGS)

# Chromium for the browser tests, and a CJK font so that a picture of a Chinese page shows
# Chinese (the screenshots, and axe's contrast checks, see the glyphs a reader sees).
chromium:
	@{ test -x /usr/bin/chromium && test -d /usr/share/fonts/opentype/noto; } || { \
	  echo "Installing Chromium and fonts-noto-cjk from Debian's packages for the browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk) \
	    || sudo sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk'; }

# masto.js (the library under Elk and Phanpy) for its client test, from the npm registry.
clients/masto/node_modules/.installed: clients/masto/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --prefix clients/masto --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm is not installed: the masto.js client test will be skipped"; fi

clients: clients/masto/node_modules/.installed

test: install chromium clients
	$(PY) -m pytest $(PYTEST_ARGS)

# Pictures of the main pages, on a phone and a desktop, in English and Chinese, written to
# screenshots/ (not committed) from a freshly seeded demo.
SCREENSHOTS_DIR ?= screenshots
screenshots: install chromium
	SCREENSHOTS_DIR=$(abspath $(SCREENSHOTS_DIR)) $(PY) -m pytest -q -p no:randomly infoconnect/core/tests/test_screenshots.py
	@echo "Screenshots are in $(SCREENSHOTS_DIR)/"

bench: install
	$(PY) bench/run.py $(ONLY)

# Schemathesis against a fresh seeded server, as a person and as a merchant, for FUZZ_SECONDS.
fuzz: install
	$(PY) fuzz/run.py

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

messages: install
	for app in infoconnect/*/locale; do (cd $$(dirname $$app) && ../../$(PY) ../../manage.py makemessages -l zh_Hans --ignore 'tests/*' && ../../$(PY) ../../manage.py compilemessages); done

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-* media staticfiles screenshots
