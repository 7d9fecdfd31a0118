# Stakemap: every routine action. `make help` lists them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
NEO4J_BOLT_PORT ?= 7687
export NEO4J_BOLT_PORT
TEST_NEO4J_URI ?= bolt://127.0.0.1:$(NEO4J_BOLT_PORT)
PYTEST_ARGS ?=

.PHONY: help install run demo serve test golden test-sqlite lint format typecheck check \
        test-stress neo4j-start neo4j-stop neo4j-status bench clean messages

help: ## List the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

$(BIN)/stakemap: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

install: $(BIN)/stakemap ## Create .venv and install the project with its dev tools

run: install ## Load the demo account on the embedded store, print a key, serve on :8000
	$(BIN)/stakemap demo
	$(BIN)/stakemap serve --host 127.0.0.1 --port 8000

demo: install ## Load the demo account (once) and print an admin key
	$(BIN)/stakemap demo

serve: install ## Serve the API with the configured store
	$(BIN)/stakemap serve

neo4j-start: ## Start embedded Neo4j Community on bolt://127.0.0.1:$NEO4J_BOLT_PORT
	bash tools/neo4j/neo4j.sh start

neo4j-stop: ## Stop the embedded Neo4j
	bash tools/neo4j/neo4j.sh stop

neo4j-status: ## Is the embedded Neo4j running?
	bash tools/neo4j/neo4j.sh status

test: install ## Run the whole suite on both stores (starts the embedded Neo4j)
	@if command -v java >/dev/null && command -v mvn >/dev/null; then \
		bash tools/neo4j/neo4j.sh start; \
		STAKEMAP_TEST_NEO4J_URI=$(TEST_NEO4J_URI) $(BIN)/pytest $(PYTEST_ARGS); \
	else \
		echo "make test: no java/mvn here, so the Neo4j half is skipped (CI runs it)"; \
		$(BIN)/pytest $(PYTEST_ARGS); \
	fi

STRESS_CPUS ?= 2

test-stress: install ## Run the whole suite (as make test) beside a CPU hog: stress-ng --cpu $STRESS_CPUS
	@command -v stress-ng >/dev/null || { \
		echo "make test-stress: installing stress-ng (Debian)"; \
		if [ "$$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi; \
		{ $$sudo apt-get update -qq; DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq stress-ng >/dev/null; } || { \
			echo "make test-stress: could not install stress-ng; apt-get install -y stress-ng"; \
			exit 1; }; }
	@stress-ng --cpu $(STRESS_CPUS) --quiet & hog=$$!; \
		trap 'kill $$hog 2>/dev/null; wait $$hog 2>/dev/null' EXIT; \
		$(MAKE) --no-print-directory test PYTEST_ARGS="$(PYTEST_ARGS)"

golden: install ## Rewrite tests/golden/ from the code as it is (review the diff like code)
	$(BIN)/python -m tests.golden.harness

LOCALE := graph/locale
MESSAGES_POT := var/stakemap.pot

messages: install ## Extract every _() message into the catalogs (graph/locale; English fills itself)
	@mkdir -p var
	$(BIN)/pybabel extract -F babel.cfg --no-location --sort-output --width=100 \
		--project=stakemap --version=0.1.0 --copyright-holder="Stakemap" \
		-o $(MESSAGES_POT) app graph
	$(BIN)/pybabel update -i $(MESSAGES_POT) -d $(LOCALE) -D stakemap --width=100 \
		--no-fuzzy-matching --ignore-obsolete
	$(BIN)/python tools/messages.py $(LOCALE)/en/LC_MESSAGES/stakemap.po
	@rm -f $(MESSAGES_POT)

test-sqlite: install ## Run the suite on the embedded store only
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install ## ruff check + format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install ## Apply ruff's formatting and safe fixes
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: install ## mypy --strict on our packages
	$(BIN)/mypy

check: lint typecheck test ## Everything CI checks

bench: install ## Run every benchmark and rewrite docs/PERFORMANCE.md (needs java/mvn and wrk)
	@command -v wrk >/dev/null || { echo "make bench: install wrk (Debian: apt-get install -y wrk)"; exit 1; }
	bash tools/neo4j/neo4j.sh start
	STAKEMAP_TEST_NEO4J_URI=$(TEST_NEO4J_URI) $(BIN)/python -m bench

clean: ## Remove the venv, caches and runtime data (not the Neo4j jars)
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis var test-output \
		.coverage .coverage.* htmlcov
