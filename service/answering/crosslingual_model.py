"""What a question asks, read from its multilingual e5 vector: the operation and the kind of
figure. Linear heads trained by `scripts/train_crosslingual.py` on English questions; they
read Russian and Chinese questions because e5 places a question near its translations.
Stored as plain arrays (a few KB), evaluated with numpy on the answer path."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import joblib
import numpy as np

MODEL_PATH = Path(__file__).with_name("models") / "crosslingual.joblib"
FIGURE_KINDS = ("percent", "amount", "rank", "words")


def figure_kind_of(question: dict) -> str:
    """The kind of figure a TAT-QA gold answer is: a percentage, an amount, or words."""
    answers = question.get("answers") or []
    answers = answers if isinstance(answers, list) else [answers]
    if question.get("scale") == "percent" or any(str(a).strip().endswith("%") for a in answers):
        return "percent"
    numeric = all(re.fullmatch(r"[-$€£(]*[\d,.]+\)?%?", str(a).strip()) for a in answers) and answers
    return "amount" if numeric or question.get("answer_type") in ("arithmetic", "count") else "words"


@dataclass
class _Head:
    classes: np.ndarray
    coef: np.ndarray  # classes × dimensions
    intercept: np.ndarray

    def probabilities(self, vector: np.ndarray) -> dict[str, float]:
        scores = self.coef @ vector + self.intercept
        scores = np.exp(scores - scores.max())
        scores /= scores.sum()
        return {str(c): float(p) for c, p in zip(self.classes, scores)}


@dataclass
class _Scorer:
    """A linear score over standardised features: which candidate figure answers."""

    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float

    def scores(self, features: np.ndarray) -> np.ndarray:
        return ((features - self.mean) / self.scale) @ self.coef + self.intercept


@dataclass
class CrossLingualModel:
    operation: _Head
    figure_kind: _Head
    trained_on: int  # questions
    version: str  # the training day and the number of questions (`/health`)
    evidence: _Scorer | None = None  # which candidate answers (`crosslingual.FEATURES`)

    @staticmethod
    def scorer(mean: np.ndarray, scale: np.ndarray, coef: np.ndarray, intercept: float) -> _Scorer:
        return _Scorer(mean.astype(np.float32), scale.astype(np.float32), coef.astype(np.float32), float(intercept))

    @classmethod
    def of(cls, operation, figure_kind, *, trained_on: int, version: str) -> CrossLingualModel:
        def head(model) -> _Head:
            coef, intercept = model.coef_, model.intercept_
            if len(model.classes_) == 2:  # one row of log-odds: as two rows, for one softmax
                coef, intercept = (
                    np.vstack([-coef[0] / 2, coef[0] / 2]),
                    np.array([-intercept[0] / 2, intercept[0] / 2]),
                )
            return _Head(model.classes_.copy(), coef.astype(np.float32), intercept.astype(np.float32))

        return cls(head(operation), head(figure_kind), trained_on, version)

    def save(self, path: Path = MODEL_PATH) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        joblib.dump(self, path, compress=3)


def load_crosslingual_model(path: Path = MODEL_PATH) -> CrossLingualModel | None:
    """The shipped model, or None when it has not been built (`make train-crosslingual`)."""
    return joblib.load(path) if path.is_file() else None
