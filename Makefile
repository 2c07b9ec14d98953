# One-word tooling. Everything runs inside .venv, created on first use.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
DATA   ?= data
API_PORT ?= 8000
UI_PORT  ?= 8501
export HF_HUB_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false
export CITEQA_DATA_DIR ?= $(DATA)

.PHONY: install run ui ingest test test-unit lint format bench bench-ingest bench-service bench-scale bench-ann load eval eval-forms eval-multilingual eval-robust eval-tatqa eval-tatqa-cv eval-tatqa-elsewhere train-reader train-verifier train-crosslingual train-passage-figures clean

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

# the API in the background and the UI in the foreground, sharing one token (generated
# unless CITEQA_API_TOKEN is set); stopping the UI (Ctrl+C) stops the API
run: ingest
	$(BIN)/citeqa stats
	@token="$${CITEQA_API_TOKEN:-$$($(BIN)/python -c 'import secrets;print(secrets.token_urlsafe(24))')}"; \
	export CITEQA_API_TOKEN="$$token" CITEQA_API_URL="http://127.0.0.1:$(API_PORT)"; \
	echo "API token (uploads and deletes): $$token"; \
	$(BIN)/citeqa serve --port $(API_PORT) & api=$$!; \
	trap 'kill $$api 2>/dev/null; wait $$api 2>/dev/null' EXIT; \
	trap 'exit 130' INT TERM; \
	until $(BIN)/python -c "import httpx,sys; sys.exit(httpx.get('$$CITEQA_API_URL/health', timeout=2).status_code != 200)" 2>/dev/null; do \
	  kill -0 $$api 2>/dev/null || { echo "the API did not start (see above)"; exit 1; }; sleep 1; \
	done; \
	echo "API ready at $$CITEQA_API_URL; UI at http://127.0.0.1:$(UI_PORT)"; \
	$(BIN)/citeqa ui --port $(UI_PORT) --api "$$CITEQA_API_URL"

# the UI only, against the API at $CITEQA_API_URL (default http://127.0.0.1:8000)
ui: install
	$(BIN)/citeqa ui --port $(UI_PORT)

test: install
	$(BIN)/pytest -q

# the fast, model-free unit tests only (tests/test_unit_*.py, marker `unit`)
test-unit: install
	$(BIN)/pytest -q -m unit

# style, types (mypy, non-strict; [tool.mypy]) and import layering (lint-imports; [tool.importlinter])
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: bench-ingest bench-service

bench-ingest: install
	$(BIN)/python -m scripts.bench_ingest

# the real server over HTTP; ingests corpus/ into $(DATA) first when it is missing
bench-service: install
	$(BIN)/python -m scripts.bench_service --data-dir $(DATA)

# issue 15: a million-row WDI-shaped dataset ingested beside the default corpus; /ask and RSS before and after
bench-scale: ingest
	$(BIN)/python -m scripts.bench_scale --data-dir $(DATA)

# issue 15: the dense index at 50k and 500k chunks (real vectors, perturbed copies): exact and
# approximate, build time, search p50, recall@10; reads the vectors of $(DATA) and data-tatqa
bench-ann: ingest
	$(BIN)/python -m scripts.bench_ann --data-dir $(DATA)

# reads during writes: the real server on a copy of $(DATA), 16 clients asking and searching for
# 60 s while documents are uploaded and deleted over HTTP and `citeqa ingest` writes too
load: install
	$(BIN)/python -m scripts.load --data-dir $(DATA)

# the dev questions through the /ask code path, scored (eval/README.md)
eval: ingest
	$(BIN)/citeqa eval eval/paper_dev.jsonl

# Russian and Chinese questions, and English questions over the Chinese CAICT PDF, scored with
# accuracy by language (eval/README.md)
# English questions in forms the answerer was not built with (eval/README.md)
eval-forms: ingest
	$(BIN)/citeqa eval eval/paper_forms.jsonl

eval-multilingual: ingest
	$(BIN)/citeqa eval eval/paper_multilingual.jsonl
	$(BIN)/citeqa eval eval/paper_crosslingual.jsonl
	$(BIN)/citeqa eval eval/paper_crosslingual_dev.jsonl
	$(BIN)/citeqa eval eval/paper_multilingual_dev.jsonl
	$(BIN)/citeqa eval eval/paper_multilingual_fresh.jsonl
	$(BIN)/citeqa eval eval/paper_multilingual_fresh2.jsonl

train-crosslingual: install
	HF_HUB_OFFLINE=1 $(BIN)/python -m scripts.train_crosslingual --check

# which figure of a passage (in any language) answers: from TAT-QA's dev text answers
train-passage-figures: install
	HF_HUB_OFFLINE=1 $(BIN)/python -m scripts.train_passage_figures --check

# the eval questions perturbed (typos, case, abbreviations, reordering): same answer? (eval/README.md)
eval-robust: ingest
	$(BIN)/citeqa eval-robust

# the general reader's learned models, from the TAT-QA dev slice (held-out excerpts never read)
train-reader: install
	$(BIN)/python -m scripts.train_reader

# the verifier (whether an answer holds) from answers to the TAT-QA dev slice, inside their own
# excerpt and inside another, and to the paper's questions: needs both ingested (eval-tatqa, ingest)
train-verifier: ingest
	HF_HUB_OFFLINE=1 $(BIN)/python -m scripts.train_verifier --data-dir data-tatqa --paper-data-dir $(DATA)

# the whole answerer on the TAT-QA dev slice with the reader trained out of fold (an honest
# estimate; the shipped model is trained on all of dev): needs the kit ingested by eval-tatqa
eval-tatqa-cv: install
	$(BIN)/python -m scripts.cv_answerer --data-dir data-tatqa

# every TAT-QA question asked inside another excerpt (seeded): the share answered, each a wrong
# answer, dev and held-out apart: needs the kit ingested by eval-tatqa
eval-tatqa-elsewhere: install
	$(BIN)/python -m scripts.ask_elsewhere --data-dir data-tatqa

# the TAT-QA benchmark (eval/tatqa/), dev and held-out slices side by side; ingests its own
# excerpts into data-tatqa (unchanged files are skipped on re-runs)
eval-tatqa: install
	$(BIN)/citeqa eval-tatqa --data-dir data-tatqa

clean:
	rm -rf $(DATA) data-tatqa .pytest_cache .ruff_cache
