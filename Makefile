# The two commands of the README's quick start: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB ?= versioner.db
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint bench

$(BIN)/versioner: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

run: $(BIN)/versioner
	$(BIN)/versioner --db $(DB) ingest snapshots
	$(BIN)/versioner --db $(DB) serve --host $(HOST) --port $(PORT)

test: $(BIN)/versioner
	$(BIN)/ruff check versioner tests benchmarks
	$(BIN)/ruff format --check versioner tests benchmarks
	$(BIN)/pytest

bench: $(BIN)/versioner
	$(BIN)/python benchmarks/run.py

# docs/cli.md from the click commands; tests/test_docs.py fails while it is stale.
.PHONY: docs
docs: $(BIN)/versioner
	$(BIN)/python docs/generate_cli_reference.py
