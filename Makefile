# CreditGraph: `make demo` and `make test` are the two commands a fresh machine needs.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_ENTITIES ?= 20000
DEMO_DIR ?= .credgraph/demo-input
PYTEST_ARGS ?=

.PHONY: setup demo test test-fast browser check lint typecheck imports neo4j-start neo4j-stop bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	touch $(STAMP)

setup: $(STAMP)  ## create .venv and install CreditGraph with its tools

demo: setup  ## generate data, ingest it into the embedded store, run the whole pipeline
	$(BIN)/credgraph demo --entities $(DEMO_ENTITIES) --input $(DEMO_DIR)

test: setup browser neo4j-start  ## everything: unit, contract (both stores), integration, browser
	@set -a; eval "$$(scripts/neo4j-local env)"; set +a; \
	$(BIN)/pytest $(PYTEST_ARGS); status=$$?; \
	scripts/neo4j-local stop; exit $$status

test-fast: setup  ## without Neo4j and the browser
	$(BIN)/pytest -m "not neo4j and not slow and not browser" $(PYTEST_ARGS)

browser:  ## Debian's chromium (+ CJK fonts) for the console's browser tests
	scripts/install-browser

check: lint typecheck imports  ## ruff, mypy and the layer contracts, as CI runs them

lint: setup
	$(BIN)/ruff check .

typecheck: setup
	$(BIN)/mypy

imports: setup  ## the layer rules of docs/architecture.md (import-linter)
	$(BIN)/lint-imports

neo4j-start:  ## fetch (Maven Central) and start Neo4j Community + OpenGDS on 127.0.0.1
	CREDGRAPH_NEO4J_START_TIMEOUT=$${CREDGRAPH_NEO4J_START_TIMEOUT:-300} scripts/neo4j-local start

neo4j-stop:
	scripts/neo4j-local stop

clean:
	rm -rf .credgraph .pytest_cache .mypy_cache .ruff_cache
