# Two commands matter: `make run` and `make test`. Each sets itself up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
FLASK := $(BIN)/flask --app storyboard
# `make run PORT=5050` serves elsewhere; links in the emails it sends use the same port.
PORT ?= 5000

.PHONY: run test lint mutation install clean browser bench screenshots

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(FLASK) init-db
	$(FLASK) seed-demo --if-empty
	STORYBOARD_EXTERNAL_URL=$${STORYBOARD_EXTERNAL_URL:-http://127.0.0.1:$(PORT)} $(FLASK) run --host 127.0.0.1 --port $(PORT)

# The browser tests drive Debian's Chromium; install it when we can (root with apt-get). Their
# HTML check is the Nu HTML Checker: vnu.jar from npm (package.json; its install script, which
# would download a Java of its own, is skipped) run by Debian's Java.
VNU_JAR := node_modules/vnu-jar/build/dist/vnu.jar
browser:
	@if [ ! -x /usr/bin/chromium ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
		|| echo "Could not install Chromium; the browser tests will be skipped."; \
	fi
	@if ! command -v java >/dev/null && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless >/dev/null) \
		|| echo "Could not install Java; the browser journeys will be skipped."; \
	fi
	@if [ ! -f $(VNU_JAR) ] && command -v npm >/dev/null; then \
		npm ci --no-audit --no-fund --ignore-scripts \
		|| echo "Could not install vnu-jar; the browser journeys will be skipped."; \
	fi

test: $(STAMP) browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Static checks (CI runs them too): ruff for mistakes and import order, bandit for security,
# import-linter for the layering (contracts in pyproject.toml).
# Every bandit finding left in the code carries a "Bandit ... checked" comment saying why.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/bandit -q -c pyproject.toml -r storyboard
	$(BIN)/lint-imports

# How many planted bugs the tests of each core module catch (mutmut, plus module-level tables
# and regular expressions); slow, so not part of CI. MUTATION_ARGS="pii --survivors" narrows it.
mutation: $(STAMP)
	$(BIN)/pip install --quiet -e '.[test,mutation]'
	$(BIN)/python mutation/run.py $(MUTATION_ARGS)

# Page speed at 1k, 10k and 100k stories on SQLite and PostgreSQL against the signed-in floor
# and the bare ceiling (about 20 minutes), then the digest sent to 10,000 people on each
# database; wrk comes from Debian. Results go to bench/results/.
BENCH_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/storyboard_bench
bench: $(STAMP)
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null; } \
		|| { echo "bench needs wrk: apt-get install wrk"; exit 1; }
	$(BIN)/python bench/pages.py $(BENCH_ARGS)
	$(BIN)/python bench/digest_send.py
	$(BIN)/python bench/digest_send.py --database $(BENCH_POSTGRES_URL)

# The README's pictures: the demo's main pages at 390 and 1280 px and the digest email, in
# docs/screenshots/ (a fresh demo in a temporary folder; Debian's Chromium).
screenshots: $(STAMP) browser
	$(BIN)/python docs/screenshots.py

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
