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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

import snowballstemmer
import Stemmer
from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein
from sklearn.feature_extraction import DictVectorizer
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline

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


_CAPITALISED_RUN = re.compile(r"\b[A-Z][A-Za-z]*(?:[\s-]+[A-Z][A-Za-z]*)+")


def name_initials(text: str) -> list[tuple[str, str]]:
    """(initials, name) of each whole run of two to six capitalised words in the text
    (`E-Government Development Index` → `egdi`)."""
    out = []
    for run in _CAPITALISED_RUN.finditer(text):
        parts = re.split(r"[\s-]+", run.group(0))
        if 2 <= len(parts) <= 6:
            out.append(("".join(w[0] for w in parts).lower(), run.group(0)))
    return out


_BRACKETED = re.compile(r"\s*\(([A-Z][A-Za-z]{1,9})\)")


def defined_acronyms(text: str) -> dict[str, str]:
    """The acronyms a text defines, a name in capitals followed by its initials in brackets:
    `the E-Participation Index (EPI)` → {"epi": "E-Participation Index"}."""
    out = {}
    for run in _CAPITALISED_RUN.finditer(text):
        bracketed = _BRACKETED.match(text, run.end())
        if not bracketed:
            continue
        parts = re.split(r"[\s-]+", run.group(0))
        acronym = bracketed.group(1).lower()
        for k in range(len(parts), 1, -1):  # the run may begin before the name (`In The …`)
            if "".join(w[0] for w in parts[-k:]).lower() == acronym:
                out[acronym] = " ".join(parts[-k:])
                break
    return out


def content_words(text: str) -> list[str]:
    """The text's words less its function words (`during`, `since`, `only`), judged as
    written: a stem would not do (`during` stems to `dure`, and `several` to the stem of
    `severance`)."""
    return [stem(t) for t in _TOKEN.findall(text or "") if not _function_word(t)]


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
    """How likely a question's evidence is to say a word the question says, learned from
    questions and the evidence they were answered from: `commissions` is nearly always printed
    where it is asked; `ratio`, `average` or `annual` mostly not (they name what is done with
    the figures, not what the figures are); and `data` is printed when it is the thing asked
    ("What is the data processing revenue?") but not in "What years does the table provide
    data for?". So each word is judged in its question: by how often it was said where it was
    asked (`said`) and by the words around it, with a small logistic model. Unseen words are
    taken to be grounded (a question about something new is about something the documents
    must say)."""

    said: dict[str, float] = field(default_factory=dict)
    asked: dict[str, int] = field(default_factory=dict)
    model: Pipeline | None = None  # DictVectorizer + LogisticRegression over `_word_features`
    PRIOR = 2.0  # pseudo-questions in which the word was said: a word seen a few times stays grounded
    SEEN = 3  # questions a word must be asked in before its rate counts

    @classmethod
    def fit(cls, pairs: Iterable[tuple[str, str]]) -> Grounding:
        """`pairs`: (question, the text of the evidence it was answered from)."""
        samples = [(tokens, i, said) for question, context in pairs for tokens, i, said in _said_in(question, context)]
        asked: Counter[str] = Counter(tokens[i][1] for tokens, i, _ in samples)
        found: Counter[str] = Counter(tokens[i][1] for tokens, i, said in samples if said)
        rate = {w: (found[w] + cls.PRIOR) / (n + cls.PRIOR) for w, n in asked.items() if n >= cls.SEEN}
        grounding = cls(rate, dict(asked))
        x, y = [], []
        for tokens, i, said in samples:
            # each question's own word left out of its rate: the model learns what the rate of
            # a word is worth on a question it has not seen
            w = tokens[i][1]
            n, hit = asked[w] - 1, found[w] - said
            x.append(_word_features(tokens, i, (hit + cls.PRIOR) / (n + cls.PRIOR) if n >= cls.SEEN else 1.0, n))
            y.append(said)
        if len(set(y)) == 2:
            grounding.model = make_pipeline(DictVectorizer(), LogisticRegression(C=1.0, max_iter=2000)).fit(x, y)
        return grounding

    def __call__(self, word: str) -> float:
        return self.said.get(word, 1.0)

    def in_question(self, question: str) -> dict[str, float]:
        """Each content word of the question (stemmed) and the chance its evidence says it."""
        tokens = _question_tokens(question)
        at = [i for i, (surface, w) in enumerate(tokens) if _content(surface, w)]
        if not at:
            return {}
        if self.model is None:
            return {tokens[i][1]: self(tokens[i][1]) for i in at}
        coef, intercept = self._linear()
        out: dict[str, float] = {}
        for i in at:
            features = _word_features(tokens, i, self(tokens[i][1]), self.asked.get(tokens[i][1], 0))
            z = intercept + sum(coef.get(name, 0.0) * value for name, value in features.items())
            out.setdefault(tokens[i][1], 1.0 / (1.0 + math.exp(-z)))
        return out

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state.pop("_linear_memo", None)  # rebuilt from the model when first asked
        return state

    def _linear(self) -> tuple[dict[str, float], float]:
        """The model as feature weights: the same chances as `predict_proba`, without its
        per-call cost (~0.3 ms a question on the answer path)."""
        linear = self.__dict__.get("_linear_memo")
        if linear is None:
            assert self.model is not None
            vectorizer, logistic = self.model.steps[0][1], self.model.steps[-1][1]
            weights = logistic.coef_[0]
            coef = {name: float(weights[j]) for name, j in vectorizer.vocabulary_.items()}
            linear = self.__dict__["_linear_memo"] = (coef, float(logistic.intercept_[0]))
        return linear


def _question_tokens(question: str) -> list[tuple[str, str]]:
    return [(t, stem(t)) for t in _TOKEN.findall(question or "")]


def _function_word(surface: str) -> bool:
    return surface.lower() in ENGLISH_STOP_WORDS


def _content(surface: str, stemmed: str) -> bool:
    return not _function_word(surface) and not stemmed[0].isdigit()


def _said_in(question: str, context: str) -> Iterator[tuple[list[tuple[str, str]], int, int]]:
    """Each content word of the question (once) and whether the context says it."""
    known = set(letters_only(words(context)))
    tokens = _question_tokens(question)
    seen: set[str] = set()
    for i, (surface, w) in enumerate(tokens):
        if _content(surface, w) and w not in seen:
            seen.add(w)
            yield tokens, i, int(w in known or any(similar(w, k) for k in known))


def _word_features(tokens: list[tuple[str, str]], i: int, rate: float, asked: int) -> dict[str, float]:
    """A word in its question: how often it was said where asked, how often asked, where it
    stands, and the words around it (`provide data for`, `the table`)."""
    stems = [w for _, w in tokens]
    return {
        "rate": rate,
        "unseen": float(asked < Grounding.SEEN),
        "asked": math.log1p(asked),
        "place": i / max(1, len(tokens) - 1),
        "near_end": float(i >= len(tokens) - 2),
        "capital": float(i > 0 and tokens[i][0][:1].isupper()),
        "about_a_table": float("tabl" in stems),
        f"before={stems[i - 1] if i > 0 else '^'}": 1.0,
        f"two_before={stems[i - 2] if i > 1 else '^'}": 1.0,
        f"after={stems[i + 1] if i + 1 < len(stems) else '$'}": 1.0,
    }


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
