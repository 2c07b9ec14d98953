# One-word tooling. Everything runs inside .venv, created on first use.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
DATA   ?= data
export HF_HUB_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false
export CITEQA_DATA_DIR ?= $(DATA)

.PHONY: install run ingest test lint format bench bench-ingest eval clean

install: $(VENV)/.installed

# torch first and pinned: a CPU build lies on disk; a looser pin pulls a multi-GB CUDA build
$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

ingest: install
	$(BIN)/citeqa ingest corpus

run: ingest
	$(BIN)/citeqa stats

test: install
	$(BIN)/pytest -q

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: bench-ingest

bench-ingest: install
	$(BIN)/python -m scripts.bench_ingest

clean:
	rm -rf $(DATA) .pytest_cache .ruff_cache
