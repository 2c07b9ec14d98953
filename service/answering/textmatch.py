"""Matching a question's words to a label or a sentence the way a reader would: by stem
(`expenses` ~ `expense`), through a typo (`econmoy` ~ `economy`), and weighting each word
by how much it says (`the`, `what`, `change` say little; `commissions` says a lot).

No word lists: stems come from the Snowball stemmers (English; Russian for Cyrillic words),
typos from RapidFuzz's edit ratio, and word weights from document frequencies learned on
questions (`WordWeights.fit`), stored with the reader's model.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import snowballstemmer
import Stemmer
from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

_TOKEN = re.compile(r"\d+(?:[.,]\d+)*(?![^\W_])|[^\W_]+(?:['’][^\W\d_]+)?", re.UNICODE)
_STEMMER = snowballstemmer.stemmer("english")
_RUSSIAN = Stemmer.Stemmer("russian")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    word = word.lower().replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    if word.isascii():
        return _STEMMER.stemWord(word)
    return _RUSSIAN.stemWord(word) if _CYRILLIC.search(word) else word  # `цифровой`, `цифровую` → `цифров`


def words(text: str) -> list[str]:
    """The text's words, lower-cased and stemmed, numbers kept as written."""
    return [stem(t) for t in _TOKEN.findall(text or "")]


def token_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int, str]]:
    """(start, end, stemmed word) of each word of text[start:end], offsets in `text`."""
    return [
        (m.start(), m.end(), stem(m.group(0))) for m in _TOKEN.finditer(text, start, len(text) if end is None else end)
    ]


def letters_only(tokens: Iterable[str]) -> list[str]:
    return [t for t in tokens if not t[0].isdigit()]


@lru_cache(maxsize=200_000)
def similar(a: str, b: str) -> bool:
    """The same stem, or one edit apart in a word of 5+ letters (a typo), or one a prefix of
    the other of 4+ letters (an abbreviation: `approx` ~ `approxim`)."""
    if a == b:
        return True
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    if len(short) >= 4 and long_.startswith(short):
        return True
    if len(short) >= 5 and Levenshtein.distance(a, b, score_cutoff=1) <= 1:
        return True
    return len(short) >= 7 and Levenshtein.distance(a, b, score_cutoff=2) <= 2


@dataclass
class WordWeights:
    """Inverse document frequencies of stems over a set of texts (questions): a word most
    questions use weighs little. Unseen words weigh the most."""

    idf: dict[str, float] = field(default_factory=dict)
    default: float = 1.0

    @classmethod
    def fit(cls, texts: Iterable[str]) -> WordWeights:
        df: Counter[str] = Counter()
        n = 0
        for text in texts:
            n += 1
            df.update(set(words(text)))
        top = math.log(1 + n)
        idf = {w: math.log(1 + n / (1 + c)) / top for w, c in df.items() if c >= 2}
        return cls(idf, 1.0)

    def __call__(self, word: str) -> float:
        return self.idf.get(word, self.default)


@dataclass
class Grounding:
    """How often the documents say a word when a question says it, learned from questions and
    the documents they were asked about: `commissions` is nearly always printed where it is
    asked, `ratio`, `average` or `annual` mostly not (they name what is done with the figures,
    not what the figures are). Unseen words are taken to be grounded (a question about something
    new is about something the documents must say)."""

    said: dict[str, float] = field(default_factory=dict)
    PRIOR = 2.0  # pseudo-questions in which the word was said: a word seen a few times stays grounded

    @classmethod
    def fit(cls, pairs: Iterable[tuple[str, str]]) -> Grounding:
        """`pairs`: (question, the text of the document it was asked about)."""
        asked: Counter[str] = Counter()
        found: Counter[str] = Counter()
        for question, context in pairs:
            known = set(letters_only(words(context)))
            for w in set(letters_only(words(question))):
                asked[w] += 1
                found[w] += w in known or any(similar(w, k) for k in known)
        return cls({w: (found[w] + cls.PRIOR) / (n + cls.PRIOR) for w, n in asked.items() if n >= 3})

    def __call__(self, word: str) -> float:
        return self.said.get(word, 1.0)


def overlap(asked: list[str], label: list[str], weight: WordWeights) -> tuple[float, float]:
    """(share of the label's weight the question says, share of the question's weight the
    label says), each word matched by `similar`."""
    if not asked or not label:
        return 0.0, 0.0
    label_total = sum(weight(t) for t in label) or 1.0
    asked_total = sum(weight(t) for t in asked) or 1.0
    label_hit = sum(weight(t) for t in label if any(similar(t, a) for a in asked))
    asked_hit = sum(weight(t) for t in asked if any(similar(t, b) for b in label))
    return label_hit / label_total, asked_hit / asked_total


def fuzzy(a: str, b: str) -> tuple[float, float]:
    """(partial ratio, token-set ratio) of two strings, 0..1."""
    a, b = a.lower(), b.lower()
    return fuzz.partial_ratio(a, b) / 100.0, fuzz.token_set_ratio(a, b) / 100.0
