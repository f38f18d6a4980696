# The two commands of the README: `make run` and `make test`. Both need only Python 3.11 and make.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
export FLASK_APP := wsgi
export HOST PORT

.PHONY: run test test-sqlite test-postgres lint bench screenshots translations messages clean fuzz

$(VENV)/.runtime: requirements.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

# Compiled catalogs are build output (not committed); both commands build them.
translations: $(VENV)/.runtime
	@$(BIN)/pybabel compile --use-fuzzy -d translations > /dev/null

run: $(VENV)/.runtime translations
	$(BIN)/flask db upgrade
	$(BIN)/flask demo load --if-empty
	$(BIN)/flask serve

# The whole suite on SQLite, then again on PostgreSQL when TEST_DATABASE_URL is set. The API fuzzer (a
# live server, a minute) runs once: in the PostgreSQL pass when there is one, else on SQLite.
# Each pass runs in TEST_WORKERS pytest-xdist processes (auto: one per CPU; 0: in this process), each on a
# database of its own (tests/conftest.py). PYTEST_ARGS come last, so they may also set -n.
TEST_WORKERS ?= auto
PYTEST := $(BIN)/python -m pytest -n $(TEST_WORKERS)

test: $(VENV)/.dev translations lint
	@echo "== the suite on SQLite"
	env -u TEST_DATABASE_URL $(PYTEST) $(PYTEST_ARGS) $(if $(TEST_DATABASE_URL),-m "not fuzz")
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== the suite again on PostgreSQL ($$TEST_DATABASE_URL)"; \
		$(PYTEST) $(PYTEST_ARGS) -m "not sqlite_only"; \
	else \
		echo "== TEST_DATABASE_URL is not set: PostgreSQL run skipped (.ci/run sets it)"; \
	fi

# Schemathesis against a live server as every role, for longer than `make test` gives it (FUZZ_SECONDS each).
fuzz: $(VENV)/.dev translations
	FUZZ_SECONDS=$${FUZZ_SECONDS:-120} $(BIN)/python -m pytest tests/fuzz -m fuzz

lint: $(VENV)/.dev
	$(BIN)/ruff check .

# Re-extract the strings and merge them into the catalogs (then translate the new entries).
messages: $(VENV)/.runtime
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o translations/messages.pot --no-location --sort-output .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --omit-header --ignore-obsolete --no-wrap

bench: $(VENV)/.dev translations
	$(BIN)/python -m bench.run $(BENCH_ARGS)

screenshots: $(VENV)/.dev translations
	SCREENSHOTS=1 REQUIRE_BROWSER=1 $(BIN)/python -m pytest tests/browser -q

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
