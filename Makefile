# One-word tooling. Everything runs inside .venv, created on first use.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
DATA   ?= data
export HF_HUB_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false
export CITEQA_DATA_DIR ?= $(DATA)

.PHONY: install run ingest test lint format bench bench-ingest bench-service eval clean

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
	$(BIN)/citeqa serve --port 8000

test: install
	$(BIN)/pytest -q

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: bench-ingest bench-service

bench-ingest: install
	$(BIN)/python -m scripts.bench_ingest

# the real server over HTTP; ingests corpus/ into $(DATA) first when it is missing
bench-service: install
	$(BIN)/python -m scripts.bench_service --data-dir $(DATA)

# the dev questions through the /ask code path, scored (eval/README.md)
eval: ingest
	$(BIN)/citeqa eval eval/paper_dev.jsonl

clean:
	rm -rf $(DATA) .pytest_cache .ruff_cache
