"""Which of a passage's figures answers a question, in whatever language the passage is: by the
question's words that each figure's own words say (in English; a Chinese passage read through
its dictionary senses, `gloss`), the years around the figure, and the kind of figure the
question asks for — weighed by a logistic regression fitted on TAT-QA's English text answers
(`scripts/train_passage_figures.py`), which reads Chinese passages because every feature is a
share of words or a flag, not a word.

A figure's words, nearest first: its *stretch* (from the figure before it in its sentence, or
the sentence's start, to the figure: `美国有 9914 家` of `…，美国有 9914 家（占比为 34%）`), the
sentence up to it (the subject a clause names first), the sentence, and the words after it
up to the next figure (English puts them there: `$0.5 million of revenue`)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import joblib
import numpy as np

from ingest.numbers import PrintedFigure, figures_in
from ingest.text import sentence_spans
from service.answering import gloss
from service.answering.countries import mentions
from service.answering.textmatch import stem

MODEL_PATH = Path(__file__).with_name("models") / "passage_figures.joblib"
FEATURES = (
    "cover_stretch",  # share of the question's content words the figure's stretch says
    "cover_prefix",  # … the sentence up to the figure says
    "cover_sentence",  # … its sentence says
    "cover_after",  # … the words after it, up to the next figure, say
    "cover_clause",  # … its clause (from the last comma, semicolon or colon before it) says
    "precision_stretch",  # share of the stretch's words that the question says
    "year_in_stretch",  # an asked year is printed in the stretch
    "other_year_after",  # another year than the asked ones follows the figure before any figure
    "closest_year_asked",  # the year printed closest to the figure in its sentence, before or after, is asked
    "kind_fit",  # how likely the question asks for the figure's kind (percent, amount)
    "kind_best",  # the figure's kind is the likelier of the two
    "unit_said",  # the question says the figure's unit (`dollars`, `percentage points`, `people`)
    "text_cosine",  # the question's cosine to the figure's clause (multilingual e5), 0 if unknown
)
_CLAUSE_BREAK = re.compile(r"[，,；;：:]")
# the words of a scale are not a unit a question names (`million` says how much, not of what)
_SCALE_WORDS = frozenset(stem(w) for w in "ten hundred thousand million billion trillion".split())
_YEAR = re.compile(r"(?<!\d)(19[5-9]\d|20\d\d)(?!\d)")
_QUESTION_NUMBER = re.compile(r"(?<![\d.])\d+(?:[.,]\d+)*")
# the auxiliaries that ask, which the stop words (`gloss`: scikit-learn's list) lack
_ASKING = frozenset(stem(w) for w in ("did", "does"))


@dataclass
class FigureCandidate:
    sentence: tuple[int, int]
    figure: PrintedFigure
    features: np.ndarray


def question_words(question: str) -> frozenset[str]:
    """The question's content stems, less numbers, asking words and the countries it names
    (a country is matched as a country, in any language: `countries`)."""
    named = {stem(w) for m in mentions(question) for w in m.country.name.split()}
    said = gloss.english_stems(question)
    return frozenset(w for w in said if w not in _ASKING and w not in named and not w[0].isdigit())


def _without_countries(text: str) -> str:
    """The text with the countries it names blanked: a country is matched as a country, and the
    dictionary's segmentation splits Chinese names wrongly (`美国有` as `美` + `国有`, state-owned)."""
    for mention in reversed(mentions(text)):
        text = f"{text[: mention.start]} {text[mention.end :]}"
    return text


def _words(text: str) -> tuple[frozenset[str], ...]:
    """Each word of a stretch as the stems it may mean (a Chinese word: its senses)."""
    return gloss.word_senses(_without_countries(text))


def _said(text: str) -> frozenset[str]:
    return gloss.english_stems(_without_countries(text))


def _share(asked: frozenset[str], said: frozenset[str]) -> float:
    return len(asked & said) / len(asked) if asked else 0.0


def _years_of(text: str) -> set[int]:
    return {int(y) for y in _YEAR.findall(text)}


def _unit_words(figure: PrintedFigure) -> frozenset[str]:
    unit = figure.unit or ""
    if unit.startswith("%"):
        return frozenset({stem("percent"), stem("percentage")})
    return frozenset(w for w in (stem(w) for w in re.findall(r"[A-Za-z]+", unit)) if w not in _SCALE_WORDS)


def _kind(figure: PrintedFigure) -> str:
    unit = figure.unit or ""
    return "percent" if unit.startswith("%") or "point" in unit or "百分点" in unit else "amount"


def candidates(
    text: str,
    question: str,
    years: list[int],
    countries: list[str],
    kinds: dict[str, float],
    cosine_of: Callable[[PrintedFigure], float] | None = None,
    with_unit: bool = True,
) -> list[FigureCandidate]:
    """The passage's figures that may answer: with a unit (`with_unit`; training reads every
    figure), not a number the question itself says (`51 economies`), in a sentence dated by
    every asked year (a sentence that prints no year is dated by the passage's sentences before
    it) and naming every asked country in the sentence — in the figure's stretch when any
    figure's stretch names them."""
    asked = question_words(question)
    givens = {float(n.replace(",", "")) for n in _QUESTION_NUMBER.findall(question)}
    figures = [f for f in figures_in(text) if (f.unit or not with_unit) and f.value not in givens]
    out: list[FigureCandidate] = []
    dated: set[int] = set()
    for start, end in sentence_spans(text):
        sentence = text[start:end]
        printed = _years_of(sentence)
        dated = printed or dated
        inside = [f for f in figures if start <= f.start < end]
        if not inside or (years and not set(years) <= dated):
            continue
        named = {m.country.name for m in mentions(sentence)}
        if not set(countries) <= named:
            continue
        rows = []
        for i, figure in enumerate(inside):
            stretch = (inside[i - 1].end if i else start, figure.end)
            after = (figure.end, inside[i + 1].start if i + 1 < len(inside) else end)
            names_them = set(countries) <= {m.country.name for m in mentions(text[slice(*stretch)])}
            features = _features(text, (start, end), stretch, after, figure, asked, years, kinds)
            if cosine_of is not None:
                features[FEATURES.index("text_cosine")] = cosine_of(figure)
            rows.append((names_them, FigureCandidate((start, end), figure, features)))
        if countries and any(names_them for names_them, _ in rows):
            rows = [r for r in rows if r[0]]
        out += [c for _, c in rows]
    return out


def _features(
    text: str,
    sentence: tuple[int, int],
    stretch: tuple[int, int],
    after: tuple[int, int],
    figure: PrintedFigure,
    asked: frozenset[str],
    years: list[int],
    kinds: dict[str, float],
) -> np.ndarray:
    """`FEATURES` of one figure (`text_cosine` left 0: the caller's embedder knows it)."""
    start, end = sentence
    words = _words(text[slice(*stretch)])
    stretch_said = frozenset().union(*words) if words else frozenset()
    breaks = list(_CLAUSE_BREAK.finditer(text, stretch[0], figure.start))
    clause = text[breaks[-1].end() if breaks else stretch[0] : figure.end]
    closest = min(
        _YEAR.finditer(text, start, end),
        key=lambda y: figure.start - y.end() if y.end() <= figure.start else y.start() - figure.end,
        default=None,
    )
    kind = _kind(figure)
    return np.array(
        [
            _share(asked, stretch_said),
            _share(asked, _said(text[start : figure.end])),
            _share(asked, _said(text[start:end])),
            _share(asked, _said(text[slice(*after)])),
            _share(asked, _said(clause)),
            sum(1 for w in words if w & asked) / len(words) if words else 0.0,
            float(bool(set(years) & _years_of(text[slice(*stretch)]))),
            float(bool(years) and bool(_years_of(text[after[0] : min(after[1], after[0] + 24)]) - set(years))),
            float(closest is not None and int(closest.group(1)) in years),
            kinds.get(kind, 0.0),
            float(kinds.get(kind, 0.0) >= max(kinds.get("percent", 0.0), kinds.get("amount", 0.0))),
            float(bool(_unit_words(figure) & asked)),
            0.0,
        ],
        dtype=np.float32,
    )


class SentenceWords:
    """The English stems each sentence of some passages says (a Chinese one through its
    dictionary senses), with the years it prints: how well the best of them covers a question
    is known before the question is embedded, so a question no sentence speaks to costs no
    embedding."""

    def __init__(self, texts: Iterable[str]):
        self._sentences: list[tuple[frozenset[str], frozenset[int]]] = []
        for text in texts:
            dated: set[int] = set()  # a sentence that prints no year is of the years before it
            for start, end in sentence_spans(text):
                dated = _years_of(text[start:end]) or dated
                self._sentences.append((_said(text[start:end]), frozenset(dated)))

    def best_cover(self, question: str, years: list[int]) -> float:
        asked = question_words(question)
        return max(
            (_share(asked, said) for said, printed in self._sentences if not years or set(years) <= printed),
            default=0.0,
        )


@dataclass
class PassageFigureModel:
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    threshold: float  # the least probability that answers
    # the least share of a question's words some sentence must say for a passage to be read
    # at all (`SentenceWords.best_cover`): a right figure's sentence says less for 1 in 10
    least_cover: float
    version: str

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        z = ((features - self.mean) / self.scale) @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-z))

    def save(self, path: Path = MODEL_PATH) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        joblib.dump(self, path, compress=3)


@lru_cache(maxsize=1)
def load_passage_figure_model(path: Path = MODEL_PATH) -> PassageFigureModel | None:
    """The shipped model, or None when it has not been built (`make train-passage-figures`)."""
    return joblib.load(path) if path.is_file() else None
