"""Train the reader's models (`service/answering/models/reader.joblib`) from data nobody
here wrote: the TAT-QA kit's development slice (`eval/tatqa`, less the held-out excerpts
listed in `heldout.txt`, which are never read here).

    python -m scripts.train_reader            # train on the dev slice, write the model
    python -m scripts.train_reader --check    # also: 5-fold cross-validation over the dev
                                              # excerpts (EM by answer type, out of fold)

Deterministic: the same data gives the same model. What is learned:
- the operation (span, several spans, count, difference, change ratio, average, sum,
  division, percentage of, which label is largest) from the question's wording;
- which cells are evidence, from features of the question and each cell's coordinates;
- for "which year …" questions, whether the largest or smallest figure is asked for, and
  for questions naming a threshold ("How many years did … exceed $40 million?"), whether
  the figures above or below it are;
- word weights (how much a word says) from the questions' document frequencies, and how often
  a question's evidence (the cells or the paragraph its gold answer is read from) says a word
  the question says (grounding);
- the order of two operands (a difference, a change ratio, a share) from gold derivations;
- which span of a sentence answers, and whether the answer is printed in running text;
- whether the text's span or the table's goes first (from out-of-fold confidences).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import random
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingest.converters import convert  # noqa: E402
from ingest.records import Passage  # noqa: E402
from service.answering import operators as ops  # noqa: E402
from service.answering.corpus import TableView  # noqa: E402
from service.answering.evidence import Asked, asked_figure, table_features  # noqa: E402
from service.answering.operands import TWO_OPERANDS, OperandOrder, gold_operands  # noqa: E402
from service.answering.operators import FastTextClassifier  # noqa: E402
from service.answering.reader import MODEL_PATH, ReaderModel, read, read_tables, read_text, route_features  # noqa: E402
from service.answering.spans import CATEGORICAL, featurise, is_figure  # noqa: E402
from service.answering.textmatch import Grounding, WordWeights  # noqa: E402

KIT = ROOT / "eval" / "tatqa"
SEED = 20261129


def load_scorer(kit: Path):
    spec = importlib.util.spec_from_file_location("tatqa_score", kit / "score.py")
    assert spec is not None and spec.loader is not None, f"no scorer at {kit / 'score.py'}"
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_dev(kit: Path) -> tuple[list[dict], dict[str, list[TableView]], dict[str, list[Passage]]]:
    """The dev slice's questions, each excerpt's tables and passages (converted as an ingest would)."""
    heldout = set((kit / "heldout.txt").read_text().split())
    questions = [json.loads(line) for line in (kit / "questions.jsonl").read_text().splitlines() if line.strip()]
    questions = [q for q in questions if q["context_id"] not in heldout]
    tables: dict[str, list[TableView]] = {}
    passages: dict[str, list[Passage]] = {}
    for context in sorted({q["context_id"] for q in questions}):
        doc = convert(kit / "corpus" / f"{context}.md", context, "train")
        tables[context] = [TableView.of(t) for t in doc.tables]
        passages[context] = doc.passages
    return questions, tables, passages


def _norm(scorer, text: str) -> str:
    return scorer.normalize_span(text)


def evidence_labels(scorer, q: dict, tables: list[TableView]) -> list[list[int]] | None:
    """1 for each cell the gold answer is read from: its text is a gold span, or its figure is
    one the gold derivation uses. None when no cell is (the answer is in the text), and for a
    list of periods: every figure of the periods would be a label, whichever row is asked."""
    op = operation_of(scorer, q, tables)
    gold_spans = {_norm(scorer, a) for a in q["answers"]}
    numbers = ops.derivation_numbers(q["derivation"])
    if q["derivation"].replace(" ", "").endswith("*100"):
        numbers = numbers[:-1]
    wanted = {round(abs(n), 6) for n in numbers}
    labels, found = [], False
    for table in tables:
        row = []
        for cell in table.cells:
            if op in (ops.SPAN, ops.MULTI_SPAN):
                hit = bool(cell.raw.strip()) and _norm(scorer, cell.raw) in gold_spans
            elif op in (ops.ARGMAX_ROW, ops.LIST_ROWS):
                hit = cell.value is not None and bool(
                    {_norm(scorer, cell.row_label), _norm(scorer, cell.item_label)} & gold_spans
                )
            elif op in ops.ARITHMETIC or op == ops.ARGMAX:
                hit = cell.value is not None and round(abs(cell.value), 6) in wanted
            else:
                hit = False
            row.append(int(hit))
            found = found or hit
        labels.append(row)
    return labels if found else None


def operation_of(scorer, q: dict, tables: list[TableView]) -> str:
    """The gold operation; a span that is a row label (not a figure) names the row whose figure
    is largest or smallest ("Which segment had the highest …"); spans that are all periods
    list periods (all of a row's, or those past a figure the question names)."""
    op = ops.label_of(q["answer_type"], q["derivation"])
    if q["answer_from"] == "text" or op not in (ops.SPAN, ops.MULTI_SPAN):
        return op
    gold = {_norm(scorer, a) for a in q["answers"]}
    # a row is named by its own label (`Salaries` under `Board of directors`) or its full path
    labels = {_norm(scorer, name) for t in tables for c in t.cells for name in (c.row_label, c.item_label)}
    periods = {_norm(scorer, c.period_name) for t in tables for c in t.cells if c.period}
    if op == ops.SPAN and gold <= labels:  # a row named for its figure ("Which segment had …")
        return ops.ARGMAX_ROW
    if op == ops.MULTI_SPAN and gold <= labels:
        return ops.LIST_ROWS
    if gold <= periods:  # "Which years …", "In which year was … less than 10,000?"
        return ops.LIST_PERIODS
    return op


def direction_of(q: dict) -> str | None:
    """Largest or smallest, from the gold derivation (`6.9>6.6`, or the annotators' words)."""
    d = q["derivation"]
    if ">" in d:
        return "max"
    if "<" in d:
        return "min"
    if re.search(r"larg|high|most|max|great|big", d, re.IGNORECASE):
        return "max"
    if re.search(r"small|low|least|min", d, re.IGNORECASE):
        return "min"
    return None


def side_of(scorer, q: dict, tables: list[TableView]) -> str | None:
    """For a question naming a threshold ("How many years did … exceed $40 million?"), whether
    the figures above it ("max") or below it ("min") are asked: the side whose cells, along
    some row or column of the tables, are the gold periods, rows or count (rows and columns
    vote; None when they do not agree)."""
    figure = asked_figure(q["question"])
    op = operation_of(scorer, q, tables)
    if figure is None or op not in (ops.COUNT, ops.LIST_PERIODS, ops.LIST_ROWS):
        return None
    gold = {_norm(scorer, a) for a in q["answers"]}
    votes: Counter = Counter()
    for table in tables:
        lines = [[c for c in table.cells if c.row == r] for r in range(len(table.row_keys))]
        lines += [[c for c in table.cells if c.col == k] for k in range(len(table.columns))]
        for line in lines:
            figures = [c for c in line if c.value is not None]
            for side, past in (
                ("max", [c for c in figures if (c.value or 0.0) > figure]),
                ("min", [c for c in figures if (c.value or 0.0) < figure]),
            ):
                if op == ops.COUNT:
                    hit = past and str(len(past)) == gold_count(q)
                elif op == ops.LIST_PERIODS:
                    hit = past and {_norm(scorer, c.period_name) for c in past} == gold
                else:
                    hit = past and {_norm(scorer, c.row_label) for c in past} == gold
                votes[side] += bool(hit)
    if votes["max"] == votes["min"]:
        return None
    return "max" if votes["max"] > votes["min"] else "min"


def gold_count(q: dict) -> str:
    return q["answers"][0].strip() if q["answers"] else ""


def build(questions: list[dict], tables: dict[str, list[TableView]], scorer, weights: WordWeights):
    x, y, groups = [], [], []
    for q in questions:
        doc_tables = tables[q["context_id"]]
        labels = evidence_labels(scorer, q, doc_tables)
        if labels is None:
            continue
        asked = Asked.of(q["question"])
        for table, table_labels in zip(doc_tables, labels):
            features, _ = table_features(asked, table, weights)
            x += features
            y += table_labels
            groups += [q["context_id"]] * len(features)
    return np.asarray(x, dtype=np.float32), np.asarray(y), groups


def build_spans(
    questions: list[dict],
    passages: dict[str, list[Passage]],
    scorer,
    weights: WordWeights,
    figure_likely: dict[str, float],
):
    """Candidate spans of the text with 1 where the candidate is the gold answer, and the
    question each is a candidate for. `figure_likely` is the kind model's chance for each
    question, out of fold (see `kind_out_of_fold`)."""
    x, y, owners = [], [], []
    for q in questions:
        if q["answer_type"] != "span" or q["answer_from"] == "table":
            continue
        gold = {_norm(scorer, a) for a in q["answers"]}
        rows, cands = featurise(
            q["question"], passages[q["context_id"]], weights, figure_likely=figure_likely[q["question_id"]]
        )
        labels = [int(_norm(scorer, c.text) in gold) for c in cands]
        if not any(labels):
            continue  # the answer is a cell, or a span no candidate reaches
        x.append(rows)
        y += labels
        owners += [q["question_id"]] * len(labels)
    return np.vstack(x).astype(np.float32), np.asarray(y), np.asarray(owners)


def span_model() -> HistGradientBoostingClassifier:
    # few positives (one answer span a question among hundreds of candidates): a small, regularised model
    return HistGradientBoostingClassifier(
        max_iter=100,
        learning_rate=0.05,
        max_leaf_nodes=15,
        min_samples_leaf=40,
        l2_regularization=1.0,
        categorical_features=CATEGORICAL,
        random_state=SEED,
    )


def span_confidence_out_of_fold(questions: list[dict], sx, sy, owners, k: int = 3) -> dict[str, float]:
    """The span model's confidence (its best candidate's probability) for each question it is
    trained on, from a model trained without that question's excerpt: what the router sees on
    a new question."""
    context = {q["question_id"]: q["context_id"] for q in questions}
    row_context = np.asarray([context[o] for o in owners])
    confidence: dict[str, float] = {}
    for held in folds(sorted(set(row_context)), k):
        test = np.isin(row_context, list(held))
        if test.all() or not test.any():
            continue
        probabilities = span_model().fit(sx[~test], sy[~test]).predict_proba(sx[test])[:, 1]
        for owner, p in zip(owners[test], probabilities):
            confidence[owner] = max(confidence.get(owner, 0.0), float(p))
    return confidence


def train(
    questions: list[dict], tables: dict[str, list[TableView]], passages: dict[str, list[Passage]], scorer
) -> ReaderModel:
    weights = WordWeights.fit(q["question"] for q in questions)
    x, y, _ = build(questions, tables, scorer, weights)
    # few trees: each is walked at answer time (`service/answering/forest.py`)
    cells = HistGradientBoostingClassifier(max_iter=80, learning_rate=0.2, max_leaf_nodes=31, random_state=SEED)
    cells.fit(x, y)
    sx, sy, owners = build_spans(questions, passages, scorer, weights, kind_out_of_fold(questions))
    spans = span_model().fit(sx, sy)
    labelled = [(q["question"], operation_of(scorer, q, tables[q["context_id"]])) for q in questions]
    operators = ops.new_classifier()
    operators.fit([t for t, _ in labelled], [label for _, label in labelled])
    directed = [
        (q["question"], d)
        for q in questions
        if operation_of(scorer, q, tables[q["context_id"]]) in (ops.ARGMAX, ops.ARGMAX_ROW) and (d := direction_of(q))
    ]
    # "exceed" / "less than" a figure: above it is "max", below "min" (one model for both)
    directed += [(q["question"], d) for q in questions if (d := side_of(scorer, q, tables[q["context_id"]]))]
    direction = Pipeline(
        [
            ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)),
            ("model", LogisticRegression(C=4.0, max_iter=1000)),
        ]
    )
    direction.fit([t for t, _ in directed], [d for _, d in directed])
    source = source_model(questions)
    trained_on = {
        "questions": len(questions),
        "excerpts": len(tables),
        "cells": int(len(y)),
        "evidence_cells": int(y.sum()),
        "span_candidates": int(len(sy)),
        "answer_spans": int(sy.sum()),
        "operations": dict(Counter(label for _, label in labelled)),
        "source": "TAT-QA dev slice (eval/tatqa less heldout.txt), CC BY 4.0",
    }
    order = OperandOrder().fit(_ordered_operands(questions, tables, labelled))
    grounding = Grounding.fit(
        (q["question"], text)
        for q in questions
        if (text := evidence_text(scorer, q, tables[q["context_id"]], passages[q["context_id"]])) is not None
    )
    # the day, the questions, the cell and span examples, and a digest of their features: two
    # models fitted on anything different have different versions
    digest = hashlib.sha1(np.round(x, 6).tobytes() + np.round(sx, 6).tobytes()).hexdigest()[:8]
    version = time.strftime("%Y%m%d") + f"-q{len(questions)}-c{int(len(y))}-s{int(len(sy))}-{digest}"
    model = ReaderModel(
        operators,
        direction,
        cells,
        spans,
        weights,
        version,
        trained_on,
        source,
        grounding,
        order,
        kind=kind_model(questions),
    )
    model.router = router_model(
        model, questions, tables, passages, span_confidence_out_of_fold(questions, sx, sy, owners)
    )
    return model


def source_model(questions: list[dict]) -> Pipeline:
    """Question → "text" | "table": whether its answer is printed in running text."""
    source = Pipeline(
        [
            ("words", TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)),
            ("model", LogisticRegression(C=4.0, max_iter=1000)),
        ]
    )
    source.fit(
        [q["question"] for q in questions], ["text" if q["answer_from"] == "text" else "table" for q in questions]
    )
    return source


def kind_of(q: dict) -> str:
    """What a question's gold answer is: "figure" (computed, counted, or each span one printed
    figure) or "words"."""
    if q["answer_type"] in ("arithmetic", "count") or all(is_figure(str(a)) for a in q["answers"]):
        return "figure"
    return "words"


# the paper's English evaluation questions, by what their answers are: a figure looked up, read
# or computed, or words (a source's name, the country that compares better)
PAPER_FILES = ("eval/paper_dev.jsonl", "eval/paper_extra.jsonl")
PAPER_KINDS = {"table_cell": "figure", "prose": "figure", "derived": "figure", "source": "words", "compare": "words"}


def paper_kinds(root: Path = ROOT) -> list[tuple[str, str]]:
    out = []
    for name in PAPER_FILES:
        for line in (root / name).read_text(encoding="utf-8").splitlines():
            item = json.loads(line) if line.strip() else {}
            if item.get("lang") == "en" and (kind := PAPER_KINDS.get(item.get("kind", ""))):
                out.append((item["question"], kind))
    return out


def kind_model(questions: list[dict]) -> Pipeline:
    """Question → "figure" | "words": whether its answer is a figure (see `kind_of`), from the
    TAT-QA questions and the paper's own (their wording differs: "What did the index reach?")."""
    kind = Pipeline(
        [
            ("words", TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)),
            ("model", LogisticRegression(C=4.0, max_iter=1000)),
        ]
    )
    labelled = [(q["question"], kind_of(q)) for q in questions] + paper_kinds()
    return kind.fit([t for t, _ in labelled], [k for _, k in labelled])


def chance_out_of_fold(
    questions: list[dict], build: Callable[[list[dict]], Pipeline], label: str, k: int = 3
) -> dict[str, float]:
    """A question classifier's chance of `label` for each question, from a classifier built
    (`build`) without the question's excerpt: in-sample it is surer than it will be on a new
    question, and a model trained on it would learn to trust it too much."""
    chances: dict[str, float] = {}
    for held in folds(sorted({q["context_id"] for q in questions}), k):
        fitted = FastTextClassifier(build([q for q in questions if q["context_id"] not in held]))
        asked = [q for q in questions if q["context_id"] in held]
        if asked:
            found = fitted.predict_proba([q["question"] for q in asked])[:, list(fitted.classes_).index(label)]
            chances.update((q["question_id"], float(p)) for q, p in zip(asked, found))
    return chances


def kind_out_of_fold(questions: list[dict]) -> dict[str, float]:
    """The kind model's chance that each question asks for a figure, out of fold."""
    return chance_out_of_fold(questions, kind_model, "figure")


def router_model(
    model: ReaderModel,
    questions: list[dict],
    tables: dict[str, list[TableView]],
    passages: dict[str, list[Passage]],
    span_confidence: dict[str, float],
) -> LogisticRegression | None:
    """Whether the text reading goes before the table's (see `reader.route_features`), learned on
    the span questions both read. The source model's chance and the span model's confidence
    are taken out of fold (from models that have not seen the question): in-sample they are
    surer than they will be on a new question."""
    text_likely = chance_out_of_fold(questions, source_model, "text")
    x, y = [], []
    for q in questions:
        if q["answer_type"] not in ("span", "multi-span"):
            continue
        table = read_tables(model, q["question"], tables[q["context_id"]]) if tables[q["context_id"]] else None
        if table is None or table.op not in (ops.SPAN, ops.MULTI_SPAN):
            continue
        text = read_text(model, q["question"], passages[q["context_id"]]) if passages[q["context_id"]] else None
        if text is None:
            continue
        text.confidence = span_confidence.get(q["question_id"], text.confidence)
        x.append(route_features(text_likely[q["question_id"]], table, text))
        y.append(int(q["answer_from"] == "text"))
    if len(set(y)) < 2:
        return None
    return LogisticRegression(C=1.0, max_iter=1000).fit(np.asarray(x), np.asarray(y))


def _ordered_operands(questions: list[dict], tables: dict[str, list[TableView]], labelled: list[tuple[str, str]]):
    """(question, operation, first operand, second operand) for each two-operand question
    whose gold derivation's figures are cells of its tables."""
    out = []
    for q, (_, op) in zip(questions, labelled):
        if op not in TWO_OPERANDS:
            continue
        cells = [c for t in tables[q["context_id"]] for c in t.cells]
        pair = gold_operands(q["derivation"], cells)
        if pair is not None:
            out.append((q["question"], op, *pair))
    return out


def evidence_text(scorer, q: dict, tables: list[TableView], passages: list[Passage]) -> str | None:
    """What the gold answer is read from, in words: each evidence cell's table caption, unit and
    the cell's own labels; or the paragraph that prints the answer. None when neither is found.
    A word a question says that its evidence does not (`respectively`, `value`, `increase`)
    describes the question, not the thing asked about."""
    if operation_of(scorer, q, tables) in (ops.LIST_ROWS, ops.LIST_PERIODS):
        # "What are the components of …", "Which years does the table cover?": the table is the evidence
        return " ".join(
            " ".join([t.caption, t.unit or "", *(" ".join(k) for k in t.row_keys), *(" ".join(c) for c in t.columns)])
            for t in tables
        )
    labels = evidence_labels(scorer, q, tables)
    if labels is not None:
        parts = []
        for table, row in zip(tables, labels):
            cells = [c for c, hit in zip(table.cells, row) if hit]
            if cells:
                parts += [table.caption, table.unit or "", *(" ".join(c.labels) for c in cells)]
        return " ".join(parts)
    gold = [_norm(scorer, a) for a in q["answers"] if isinstance(a, str)]
    said = [p.text for p in passages if gold and all(g and g in _norm(scorer, p.text) for g in gold)]
    return " ".join(said) if said else None


def prediction(reading) -> str | list[str]:
    if reading is None:
        return ""
    if reading.value is not None and not reading.spans:
        v = round(reading.value, 4)
        return str(int(v)) if v == int(v) else f"{v:.4f}".rstrip("0").rstrip(".")
    return reading.spans if len(reading.spans) > 1 else (reading.spans[0] if reading.spans else "")


FOLDS = 5
# the benchmark's target groups (service/tatqa_eval.py): answer types, and where the answer is (None: anywhere)
GROUPS = {
    "span+multi-span": (("span", "multi-span"), None),
    "span+multi-span from table": (("span", "multi-span"), "table"),
    "arithmetic+count": (("arithmetic", "count"), None),
}


def folds(contexts: list[str], k: int = FOLDS) -> list[set[str]]:
    """The dev excerpts in k disjoint validation folds (a fixed shuffle): a question's excerpt is
    never in the data its model was trained on."""
    shuffled = sorted(contexts)
    random.Random(SEED).shuffle(shuffled)
    return [set(shuffled[i::k]) for i in range(k)]


def check(questions, tables, passages, scorer, k: int = FOLDS) -> dict:
    """k-fold cross-validation over the dev excerpts: every dev question read by a model trained
    without its excerpt, by the reader alone (tables and text, no answerer around it)."""
    by: dict[str, list[float]] = defaultdict(list)
    ops_right = []
    for test in folds(list(tables), k):
        model = train([q for q in questions if q["context_id"] not in test], tables, passages, scorer)
        for q in questions:
            if q["context_id"] not in test:
                continue
            reading = read(model, q["question"], tables[q["context_id"]], passages[q["context_id"]])
            em, _ = scorer.score_answer(prediction(reading), q)
            kinds = [f"{q['answer_type']}/{q['answer_from']}", "all"]
            kinds += [
                g
                for g, (types, where) in GROUPS.items()
                if q["answer_type"] in types and where in (None, q["answer_from"])
            ]
            for kind in kinds:
                by[kind].append(em)
            op = operation_of(scorer, q, tables[q["context_id"]])
            ops_right.append(float(reading is not None and reading.op == op))
    return {
        "folds": k,
        "em": {key: round(100 * sum(v) / len(v), 1) for key, v in sorted(by.items())},
        "n": {key: len(v) for key, v in sorted(by.items())},
        "operation_accuracy": round(100 * sum(ops_right) / max(1, len(ops_right)), 1),
    }


def main(argv: list[str] | None = None) -> int:
    # one OpenMP thread: gradient boosting's threads fight each other on a busy 2-core machine
    # (a fit took 40 s with all threads and under 1 s with one)
    with threadpool_limits(1, user_api="openmp"):
        return _main(argv)


def _main(argv: list[str] | None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kit", type=Path, default=KIT)
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    parser.add_argument(
        "--check", action="store_true", help="also report 5-fold cross-validated EM over the dev excerpts"
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    scorer = load_scorer(args.kit)
    questions, tables, passages = load_dev(args.kit)
    print(f"dev slice: {len(questions)} questions over {len(tables)} excerpts ({time.perf_counter() - started:.1f} s)")
    if args.check:
        print(json.dumps(check(questions, tables, passages, scorer), indent=1))
    model = train(questions, tables, passages, scorer)
    model.save(args.out)
    size = args.out.stat().st_size
    print(f"wrote {args.out} ({size / 1024:.0f} KiB), version {model.version}")
    print(json.dumps(model.trained_on, indent=1))
    print(f"{time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
