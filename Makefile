# The two commands of the README's quick start: `make run` and `make test`.
#   run: the package installed as a user gets it (`pip install .`, only what running needs), in .venv-run/
#   test: an editable install with the test tools, in .venv/
#   test-wheel: the suite again, against the wheel a package index would serve (what CI runs too)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_BIN := .venv-run/bin
WHEEL_BIN := .venv-wheel/bin
DB ?= versioner.db
HOST ?= 127.0.0.1
PORT ?= 8000
PACKAGE_FILES := pyproject.toml $(shell git ls-files versioner 2>/dev/null)

.PHONY: run test test-wheel bench

$(RUN_BIN)/versioner: $(PACKAGE_FILES)
	$(PYTHON) -m venv .venv-run
	$(RUN_BIN)/pip install -q --upgrade pip
	$(RUN_BIN)/pip install -q .
	touch $@

$(BIN)/versioner: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

run: $(RUN_BIN)/versioner
	$(RUN_BIN)/versioner --db $(DB) ingest snapshots
	$(RUN_BIN)/versioner --db $(DB) serve --host $(HOST) --port $(PORT)

test: $(BIN)/versioner
	$(BIN)/ruff check versioner tests benchmarks
	$(BIN)/ruff format --check versioner tests benchmarks
	$(BIN)/pytest

test-wheel: $(BIN)/versioner
	rm -rf dist .venv-wheel build versioner.egg-info  # no leftover of the editable install in the wheel
	$(BIN)/python -m build --sdist --wheel --outdir dist .
	$(BIN)/python -m twine check --strict dist/*
	$(PYTHON) -m venv .venv-wheel
	$(WHEEL_BIN)/pip install -q --upgrade pip
	$(WHEEL_BIN)/pip install -q "$$(ls dist/*.whl)[test]"
	VERSIONER_TEST_INSTALLED=1 $(WHEEL_BIN)/pytest

bench: $(BIN)/versioner
	$(BIN)/python benchmarks/run.py

# docs/cli.md from the click commands; tests/test_docs.py fails while it is stale.
.PHONY: docs
docs: $(BIN)/versioner
	$(BIN)/python docs/generate_cli_reference.py
