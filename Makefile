# Two commands on a fresh Debian/Ubuntu machine with Python 3.11:
#   make run   — set up, migrate, load the demo agency and serve http://127.0.0.1:8000
#   make test  — set up and run the whole suite (PostgreSQL when DATABASE_URL is set, SQLite otherwise)
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-clock lint install browser migrate seed bench loadtest clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# Browser tests drive the machine's Chromium (Playwright cannot download its own here);
# WeasyPrint needs Pango. Installed from Debian's packages when missing.
SYSTEM_PACKAGES := chromium libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core
browser:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages: $$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

migrate: install
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py sync_schedule
	$(BIN)/python manage.py seed_demo

run: seed
	@$(BIN)/python manage.py demo_signins
	$(BIN)/python manage.py runserver 127.0.0.1:8000

# Lint (ruff, configured in pyproject.toml): part of `make test`, so CI refuses what it flags.
lint: install
	$(BIN)/ruff check .

test: install browser lint
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The suite again on a pinned clock (tests/conftest.py, CASEWORK_TEST_NOW) at instants where
# date mistakes show: either side of agency midnight (from 00:00 to 10:00 in Brisbane the UTC
# date is the day before) and the last minute of a month. CI runs it after `make test`
# (which covers PostgreSQL), on the embedded SQLite database: a third of the time.
CLOCK_INSTANTS ?= 2027-03-14T23:58 2027-03-15T00:02 2027-01-31T23:59
test-clock: install browser
	@for instant in $(CLOCK_INSTANTS); do \
	  echo "== the suite with the clock at $$instant agency time"; \
	  env -u DATABASE_URL CASEWORK_TEST_NOW=$$instant $(BIN)/python -m pytest -q $(PYTEST_ARGS) $(CLOCK_TESTS) \
	    || exit 1; \
	done

# Load benchmark (README "Load benchmark"): gunicorn as in production against the PostgreSQL
# database DATABASE_URL names (the demo agency is loaded when it holds no cases), locust
# driving the three roles' pages; prints JSON. E.g. LOADTEST_ARGS="--users 10 --seconds 30".
LOADTEST_ARGS ?= --users 50 --seconds 60
loadtest: install
	@case "$$DATABASE_URL" in postgres*) ;; \
	  *) echo "make loadtest needs DATABASE_URL=postgres://… (a database it may fill with the demo agency)"; exit 1;; esac
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py loadtest $(LOADTEST_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache
