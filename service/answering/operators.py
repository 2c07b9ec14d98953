"""What a question asks the reader to do with its evidence, TagOp-style: read one span,
several spans, count, or compute (difference, change ratio, average, sum, division), or
name the label (year, row) whose figure is largest or smallest.

The choice is learned: a linear model over the question's word and character n-grams,
trained by `scripts/train_reader.py` on questions whose gold derivation names the
operation (`label_of` reads it). No phrase lists.
"""

from __future__ import annotations

import re

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

SPAN, MULTI_SPAN, COUNT = "span", "multi_span", "count"
DIFF, CHANGE_RATIO, AVERAGE, SUM = "diff", "change_ratio", "average", "sum"
DIVIDE, PERCENT_OF = "divide", "percent_of"  # a / b, and a / b × 100
ARGMAX = "argmax"  # which period has the largest or smallest figure
ARGMAX_ROW = "argmax_row"  # which row (item, segment, person) has the largest or smallest figure
LIST_ROWS = "list_rows"  # the items a table lists ("What are the components of inventories?")
LIST_PERIODS = "list_periods"  # the periods a table covers ("Which years does the table provide …?")
OTHER = "other"
ARITHMETIC = (DIFF, CHANGE_RATIO, AVERAGE, SUM, DIVIDE, PERCENT_OF)

_NUM = r"-?\d+(?:\.\d+)?"


def derivation_numbers(derivation: str) -> list[float]:
    """The figures a gold derivation uses: `((25,386 - 22,051)/22,051) * 100` → [25386, 22051, 22051, 100]."""
    text = re.sub(r"(?<=\d),(?=\d{3})", "", derivation or "")
    return [float(x) for x in re.findall(r"\d+(?:\.\d+)?", text)]


def label_of(answer_type: str, derivation: str) -> str:
    """The operation behind a gold answer, read from its type and derivation."""
    d = re.sub(r"[\s$€£%]", "", re.sub(r"(?<=\d),(?=\d{3})", "", derivation or ""))
    d = re.sub(rf"\(({_NUM})\)", r"\1", d)  # a bracketed negative figure: `0 - (-149,389)`
    if answer_type in ("span", "multi-span"):
        return ARGMAX if re.search(r"[<>]", d) else (SPAN if answer_type == "span" else MULTI_SPAN)
    if answer_type == "count":
        return COUNT
    n = _NUM
    ratio = re.fullmatch(rf"\(*({n})-({n})\)*/\(*({n})\)*\*100", d)
    if ratio:
        return CHANGE_RATIO if ratio.group(3) == ratio.group(2) else OTHER
    if re.fullmatch(rf"\(*{n}/{n}-1\)*\*100", d):
        return CHANGE_RATIO
    if re.fullmatch(rf"-?\(*{n}(\+{n})+\)*/\d+", d):
        return AVERAGE
    if re.fullmatch(rf"\(*{n}\)*-\(*{n}\)*", d):
        return DIFF
    if re.fullmatch(rf"\(*{n}(\+{n})+\)*", d):
        return SUM
    if re.fullmatch(rf"\(*{n}\)*/\(*{n}\)*\*100", d):
        return PERCENT_OF
    if re.fullmatch(rf"\(*{n}\)*/\(*{n}\)*", d):
        return DIVIDE
    return OTHER


def _shape(question: str) -> str:
    """Figures and years replaced by place-holders: the model learns the wording, not the numbers."""
    text = re.sub(r"\b(?:19|20)\d{2}\b", " YEAR ", question.lower())
    return re.sub(r"\d+(?:[.,]\d+)*", " NUM ", text)


def new_classifier() -> Pipeline:
    # word n-grams only: character n-grams cost ~1 ms a question on the answer path and added
    # nothing measurable once typos are put right before the question is read (normalise.py)
    words = TfidfVectorizer(ngram_range=(1, 3), min_df=2, sublinear_tf=True, preprocessor=_shape)
    return Pipeline(
        [("features", FeatureUnion([("words", words)])), ("model", LogisticRegression(C=8.0, max_iter=2000))]
    )


class FastTextClassifier:
    """The same fitted pipeline (TF-IDF features into a logistic regression), evaluated for one
    question without scikit-learn's per-call checks: ~0.1 ms instead of ~1.4 ms, on the model's
    critical path. Its probabilities equal the pipeline's (a test pins it)."""

    def __init__(self, pipeline: Pipeline):
        steps = dict(pipeline.named_steps)
        model: LogisticRegression = steps["model"]
        first = steps["features"] if "features" in steps else steps["words"]
        vectorizers: list[TfidfVectorizer] = (
            [v for _, v in first.transformer_list] if isinstance(first, FeatureUnion) else [first]
        )
        self.classes_ = model.classes_
        self._parts = []
        offset = 0
        for v in vectorizers:
            idf = v.idf_
            self._parts.append((v.build_analyzer(), v.vocabulary_, idf, offset, v.sublinear_tf))
            offset += len(idf)
        self._coef = model.coef_.T.copy()  # features × classes
        self._intercept = model.intercept_.copy()

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        return np.vstack([self._one(t) for t in texts])

    def predict(self, texts: list[str]) -> np.ndarray:
        return self.classes_[self.predict_proba(texts).argmax(axis=1)]

    def _one(self, text: str) -> np.ndarray:
        scores = self._intercept.copy()
        for analyzer, vocabulary, idf, offset, sublinear in self._parts:
            counts: dict[int, int] = {}
            for term in analyzer(text):
                j = vocabulary.get(term)
                if j is not None:
                    counts[j] = counts.get(j, 0) + 1
            if not counts:
                continue
            index = np.fromiter(counts, dtype=np.int64, count=len(counts))
            tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
            weights = (1.0 + np.log(tf) if sublinear else tf) * idf[index]
            weights /= np.sqrt((weights**2).sum())
            scores += weights @ self._coef[index + offset]
        if len(scores) == 1:  # two classes: one score, the second class's log-odds
            p = 1.0 / (1.0 + np.exp(-scores[0]))
            return np.array([1.0 - p, p])
        scores = np.exp(scores - scores.max())
        return scores / scores.sum()
