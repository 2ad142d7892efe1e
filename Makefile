# Sinergi: `make run` serves the demo on SQLite, `make test` runs the suite. Both do all setup.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEVSTAMP := $(VENV)/.installed-dev
export FLASK_APP := app
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test browser-tools lint format setup dev-setup system-check db demo bench clean

# The background-job worker (flask jobs worker: exports, big PDFs, imports) runs beside the server and stops with it.
run: setup db demo
	@echo "Sinergi berjalan di http://127.0.0.1:5000 dengan pekerja latar belakang (Ctrl+C untuk berhenti)"
	@$(BIN)/flask jobs worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/flask run --host 127.0.0.1 --port 5000

# One pytest worker per core (pytest-xdist), a test file per worker (module fixtures, e.g. the browser crawl, run
# once); each worker has its own database (tests/conftest.py worker_database).
JOBS ?= auto
test: dev-setup browser-tools
	$(BIN)/python -m pytest -n $(JOBS) --dist loadfile --durations=20 $(PYTEST_ARGS)

# The browser tests (tests/browser) need Debian's Chromium; the Nu HTML Checker there also needs Java and the npm
# tools of tests/browser/package.json (axe-core, vnu-jar), installed here when npm is present.
browser-tools:
	@test -x /usr/bin/chromium || echo "Chromium tidak ada (/usr/bin/chromium): uji peramban dilewati / browser tests skipped"
	@command -v java >/dev/null 2>&1 || echo "Java tidak ada: Nu HTML Checker dilewati / HTML validation skipped"
	@if [ ! -d tests/browser/node_modules ]; then \
	  if command -v npm >/dev/null 2>&1; then npm ci --prefix tests/browser --no-audit --no-fund --ignore-scripts --loglevel=error; \
	  else echo "npm tidak ada: axe-core dan vnu-jar tidak terpasang, pemeriksaan itu dilewati"; fi; \
	fi

# ruff (rules and format, pyproject.toml) and the import contracts (pyproject.toml [tool.importlinter])
lint: dev-setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: dev-setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

setup: $(STAMP) system-check

$(STAMP): requirements.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $(STAMP)

dev-setup: setup $(DEVSTAMP)

$(DEVSTAMP): requirements-dev.txt requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $(DEVSTAMP)

# WeasyPrint needs Pango; without libharfbuzz-subset0 PDFs render about 4x slower; PDFs need a font.
system-check:
	@missing=""; \
	ldconfig -p | grep -q 'libpango-1.0.so.0' || missing="$$missing libpango-1.0-0 libpangoft2-1.0-0"; \
	ldconfig -p | grep -q 'libharfbuzz-subset.so.0' || missing="$$missing libharfbuzz-subset0"; \
	(fc-list 2>/dev/null | grep -qi dejavu) || missing="$$missing fonts-dejavu-core"; \
	if [ -n "$$missing" ]; then \
	  echo "Paket sistem belum terpasang / missing system packages:$$missing"; \
	  echo "Jalankan / run:  sudo apt-get install -y$$missing"; \
	  ldconfig -p | grep -q 'libpango-1.0.so.0' || exit 1; \
	fi

db: setup
	$(BIN)/flask db upgrade
	$(BIN)/flask seed

demo: db
	$(BIN)/flask demo load --if-empty

bench: setup
	@for f in bench/[!_]*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV)
