"""Answers read from running text: which sentence answers, and which part of it.

Candidates are built from each sentence by its own shape — a figure with its currency,
scale and unit (`$0.5 million`, `17.7%`) and its bare number, the clause after a cause or
purpose marker ("driven by …", "due to …"), each clause between commas and semicolons,
each phrase after and before a function word ("computed by | dividing …"), each run of words
the question does not say, and the whole sentence — and a gradient-boosted model, trained by
`scripts/train_reader.py` on questions whose gold answer is a span of the text, scores
them from features of the sentence (how much of the question it says), of the candidate
(its kind, length, place, how much of it the question already says, which function words
are at its edges) and of the question (its wh-word). The features are general; which of them
matter is learned.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from ingest.markdown import PROVENANCE_LABELS
from ingest.numbers import CHINESE_UNIT_AFTER, figures_in, in_a_name, is_note_mark, names_a_date, names_a_part
from ingest.periods import YEAR_IN_TEXT
from ingest.records import Passage
from ingest.text import sentence_around, sentence_spans
from service.answering.textmatch import WordWeights, fuzzy, letters_only, similar, token_spans, words

# a figure as reports print it: currency, sign, digits, scale and unit words after it
_FIGURE = re.compile(
    r"(?:(?:US|A|C|HK|S)?[$€£¥₹]\s?|\b(?:USD|EUR|GBP|RMB|CNY)\s?)?\(?-?\d[\d,]*(?:\.\d+)?\)?"
    rf"(?:\s?(?:%|percent\b|per\s?cent\b)|{CHINESE_UNIT_AFTER})?"  # `17.2万亿美元`: the Chinese unit too
    r"(?:\s(?:thousand|million|billion|trillion|bn|mn|tn|m)\b)?"
    r"(?:\s(?:days?|months?|years?|weeks?|hours?|basis points|shares|employees|people|customers|stores|"
    r"countries|times|percentage points|points)\b(?![\s-]+(?:on|over|to)[\s-]+(?:year|date)))?",  # not "year on year"
    re.IGNORECASE,
)
# words after which a sentence says why or what for (the grammar of cause and purpose)
_CAUSE = re.compile(
    r"\b(?:due to|driven by|as a result of|because(?: of)?|resulting from|attributable to|primarily|mainly|"
    r"reflect(?:s|ed|ing)?|owing to|caused by|offset by|related to|in order to|to reflect)\b",
    re.IGNORECASE,
)
_PROVENANCE = re.compile(rf"\s*(?:\*\*|_)?(?:{'|'.join(PROVENANCE_LABELS)})\s*[:：]", re.IGNORECASE)
_CLAUSE_BREAK = re.compile(r"\s*[,;:—–()•●▪◦]\s*|\s+(?:and|which|that|while|whereas|but)\s+")
# a list item's mark before its text (`1)`, `(a)`, `(iv)`, a bullet): no part of what it says
_ITEM_MARK = re.compile(r"(?:\(?(?:\d{1,2}|[a-z]|[ivx]{2,4})\)|[•●▪◦‣∙*]|[-–—](?=\s))\s*")
_WH = ("how much", "how many", "what", "which", "when", "why", "who", "where", "how")

KINDS = ("figure", "cause", "clause", "sentence")
WORD_AT = ("word_before", "first_word", "last_word", "word_after")
CUTS = ("sentence", "figure", "cause", "break", "determiner", "question", "function")
FEATURES = (
    "sentence_question_said",  # share of the question's weight the sentence says
    "sentence_said",  # share of the sentence's weight the question says
    "sentence_partial",
    "sentence_rank",  # 0 for the sentence that says most of the question
    "sentence_pairs",  # share of the question's word pairs the sentence says in the same order
    "passage_rank",
    "cand_question_said",  # how much of the candidate the question already says (low is good)
    "cand_len",
    "cand_share",  # candidate length / sentence length
    "cand_start",  # where in the sentence it starts, 0..1
    "cand_has_figure",
    "cand_has_percent",
    "cand_has_currency",
    "cand_is_year",
    "near_question_words",  # question words just before the candidate
    "after_question_words",  # question words just after it
    *(f"kind_{k}" for k in KINDS),
    *(f"starts_at_{c}" for c in CUTS),
    *(f"ends_at_{c}" for c in CUTS),
    *(f"wh_{w.replace(' ', '_')}" for w in _WH),
    "asks_percent",
    "asks_year_like",
    "said_before",  # the question says the word just before the candidate
    "said_after",  # … the word just after it
    *WORD_AT,
    "figure_likely",  # the kind model's chance that the question asks for a figure
    "figure_segment_said",  # share of the question said between the candidate's figure and its neighbours
    "figure_segment_year",  # that stretch names a year asked (1), only years not asked (-1), none (0)
    "figure_respectively",  # "… 3.96% and 3.88% for 2019 and 2018, respectively": its year asked (1) or not (-1)
    "figure_order",  # which of the sentence's figures it is, 0..1
)
# which function word is just before, first in, last in and just after the candidate: the
# grammar of its edges ("by | dividing …", "… swaps | to"); learned as categories
GRAMMAR_WORDS = tuple(sorted(w for w in ENGLISH_STOP_WORDS if len(w) <= 6))
OTHER_WORD, NO_WORD = len(GRAMMAR_WORDS), len(GRAMMAR_WORDS) + 1  # a content word; the sentence's edge
_GRAMMAR_CODE = {w: i for i, w in enumerate(GRAMMAR_WORDS)}
CATEGORICAL = [f in WORD_AT for f in FEATURES]


@dataclass
class Candidate:
    passage: Passage
    start: int  # offsets in the passage text
    end: int
    kind: str
    cut: tuple[str, str] = ("", "")  # what made its start and its end a boundary

    @property
    def text(self) -> str:
        return self.passage.text[self.start : self.end]


def _wh(question: str) -> list[float]:
    lowered = question.lower()
    first = next((w for w in _WH if re.search(rf"\b{w}\b", lowered)), None)
    return [float(w == first) for w in _WH]


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in " ,;:.'\"“”(":
        start += 1
    while end > start and text[end - 1] in " ,;:.'\"“”":
        end -= 1
    return start, end


_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
_DETERMINER = re.compile(r"\b(?:the|a|an|our|its|their|this|these|those|each|all|any)\b", re.IGNORECASE)
MAX_WORDS = 25


def candidates(passage: Passage, start: int, end: int, asked_words: list[str]) -> list[Candidate]:
    """Candidate spans of the sentence text[start:end]: every span between two boundaries a
    reader would cut at (clause breaks, determiners, cause markers, the question's own
    words, figures), up to `MAX_WORDS` words, plus each figure alone."""
    text = passage.text
    if (mark := _ITEM_MARK.match(text, start, end)) and mark.end() < end:
        start = mark.end()
    sentence = text[start:end]
    out: dict[tuple[int, int], Candidate] = {}

    def add(a: int, b: int, kind: str, cut: tuple[str, str]) -> None:
        a, b = _trim(text, start + a, start + b)
        if b > a and (a, b) not in out:
            out[(a, b)] = Candidate(passage, a, b, kind, cut)

    starts: dict[int, str] = {0: "sentence"}
    ends: dict[int, str] = {len(sentence): "sentence"}
    figures = []
    for m in _FIGURE.finditer(sentence):
        digits = _NUMBER.search(m.group(0))
        if digits is None:
            continue
        d_start, d_end = m.start() + digits.start(), m.start() + digits.end()
        if (
            names_a_date(sentence, d_end, d_start)
            or is_note_mark(text, start + d_start, start + d_end)
            or names_a_part(text, start + d_start)
            or in_a_name(sentence, m.start())
        ):
            continue  # the day of `November 14, 2016`; the `(4)` of a note; the `10` of `Table 10`; `COVID-19`
        figures.append((m.start(), m.end()))
        starts.setdefault(m.start(), "figure")
        ends.setdefault(m.end(), "figure")
    causes = []
    for m in _CAUSE.finditer(sentence):
        causes.append(m.start())
        for w in re.finditer(r"\S+", m.group(0)):
            starts.setdefault(m.start() + w.start(), "cause")
        starts.setdefault(m.end(), "cause")
    for m in _CLAUSE_BREAK.finditer(sentence):
        ends.setdefault(m.start(), "break")
        starts.setdefault(m.end(), "break")
    for m in _DETERMINER.finditer(sentence):
        starts.setdefault(m.start(), "determiner")
    tokens = [(m.start(), m.end()) for m in re.finditer(r"\S+", sentence)]
    # a phrase starts after a function word ("calculated by | dividing …", "which | range
    # from …") and ends before one ("interest rate swaps | to convert …")
    for (a, b), (c, d) in zip(tokens, tokens[1:]):
        if sentence[a:b].lower() in ENGLISH_STOP_WORDS:
            starts.setdefault(c, "function")
        if sentence[c:d].lower() in ENGLISH_STOP_WORDS:
            ends.setdefault(b, "function")
    for a, b in tokens:
        if any(similar(w, q) for w in words(sentence[a:b]) for q in asked_words):
            ends.setdefault(a, "question")
            starts.setdefault(b, "question")
    add(0, len(sentence), "sentence", ("sentence", "sentence"))
    for a, b in figures:
        add(a, b, "figure", ("figure", "figure"))
        number = _NUMBER.search(sentence, a, b)
        if number:  # the figure without its currency, scale or unit ("13.7" of "$13.7 million")
            add(number.start(), number.end(), "figure", ("figure", "figure"))
    token_starts = [a for a, _ in tokens]
    ordered_ends = sorted(ends)
    for a in sorted(starts):
        first = bisect_left(token_starts, a)
        for b in ordered_ends[bisect_right(ordered_ends, a) :]:
            if bisect_left(token_starts, b) - first > MAX_WORDS:
                break
            kind = "cause" if any(c <= a for c in causes) else "clause"
            add(a, b, kind, (starts[a], ends[b]))
    return list(out.values())


def printed_figure(text: str, start: int, end: int) -> tuple[int, int]:
    """The figure at text[start:end] as the report prints it: with its currency before it and
    its scale and unit words after it (`US$6 million`, `14 years`), where the text has them."""
    for m in _FIGURE.finditer(text, max(0, start - 6), min(len(text), end + 40)):
        if m.start() <= start and m.end() >= end:
            a, b = _trim(text, m.start(), m.end())
            if text[b - 1] == ")" and "(" not in text[a:b]:
                b -= 1  # `(3,000)` opened before the figure's own start
            return a, b
    return start, end


_SCALES = {"thousand": ("thousand", "k"), "million": ("million", "m", "mn"), "billion": ("billion", "bn", "b")}


def printed_in_text(texts: list[str], raw: str, unit: str | None) -> str | None:
    """A table cell's figure as the report's running text prints it, with its currency and
    scale (`$100.1 million` for the `100.1` of a `$ million` table), or None when no text
    prints those digits at that scale: the words say what the bare cell leaves to the table's
    header."""
    scale = next((s for s in _SCALES if unit and s in unit.lower()), None)
    digits = _NUMBER.search(raw)
    if scale is None or digits is None:
        return None
    pattern = re.compile(rf"(?<![\d.,]){re.escape(digits.group(0))}(?![\d]|[.,]\d)")
    for text in texts:
        for m in pattern.finditer(text):
            a, b = printed_figure(text, m.start(), m.end())
            printed = text[a:b]
            if printed.split()[-1].lower() in _SCALES[scale]:
                return printed
    return None


def is_figure(text: str) -> bool:
    """The text is one figure as reports print it (`$18.5 million`, `(6,557)`, `14 years`)."""
    return _FIGURE.fullmatch(text.strip()) is not None


def sentence_figures(span: Candidate, asked_years: int = 0) -> list[str]:
    """The figures of the sentence a span is in, as printed and in the order printed (years,
    dates and note marks aside): the several values a "… in 2019 and 2018 respectively?"
    question asks of one sentence. With `asked_years` (two or more), as many as were asked."""
    text = span.passage.text
    start, end = sentence_around(text, (span.start, span.end))
    sentence = text[start:end]
    found = [sentence[slice(*printed_figure(sentence, f.start, f.end))] for f in figures_in(sentence)]
    return found[:asked_years] if asked_years >= 2 else found


class _AskedWords:
    """`textmatch.overlap` of the question with many sentences: which of the question's words
    each sentence word matches is worked out once a question."""

    def __init__(self, asked: list[str], weight: WordWeights):
        self.asked, self.weight = asked, weight
        self.asked_total = sum(weight(a) for a in asked) or 1.0
        self.matches: dict[str, tuple[int, ...]] = {}

    def matching(self, word: str) -> tuple[int, ...]:
        found = self.matches.get(word)
        if found is None:
            found = self.matches[word] = tuple(k for k, a in enumerate(self.asked) if similar(word, a))
        return found

    def overlap(self, label: list[str]) -> tuple[float, float]:
        if not self.asked or not label:
            return 0.0, 0.0
        label_total = sum(self.weight(t) for t in label) or 1.0
        label_hit = sum(self.weight(t) for t in label if self.matching(t))
        hit = set().union(*(self.matching(t) for t in label))
        return label_hit / label_total, sum(self.weight(self.asked[k]) for k in hit) / self.asked_total


_RESPECTIVELY = re.compile(r"\brespectively\b", re.IGNORECASE)


def _figure_features(
    sentence: str, offset: int, found: list[Candidate], said_by: _AskedWords, asked_years: set[str]
) -> np.ndarray:
    """For each candidate holding exactly one of the sentence's figures: how much of the
    question the stretch between that figure and its neighbours says, whether that stretch names
    a year asked, and — in a "…, respectively" sentence — whether the year in the figure's place
    is asked. Which figure of several a question asks for is told by the words around it."""
    figures = [(f.start + offset, f.end + offset) for f in figures_in(sentence)]
    out = np.zeros((len(found), 4))
    out[:, 0] = -1.0
    if not figures:
        return out
    years = YEAR_IN_TEXT.findall(sentence)
    respectively = bool(_RESPECTIVELY.search(sentence)) and len(years) == len(figures)
    per_figure = []
    for k, (a, b) in enumerate(figures):
        lo = figures[k - 1][1] if k else offset
        hi = figures[k + 1][0] if k + 1 < len(figures) else offset + len(sentence)
        segment = sentence[lo - offset : a - offset] + " " + sentence[b - offset : hi - offset]
        said = said_by.overlap(letters_only(words(segment)))[1]
        named = set(YEAR_IN_TEXT.findall(segment))
        year = 0.0 if not named or not asked_years else (1.0 if named & asked_years else -1.0)
        place = 0.0 if not respectively or not asked_years else (1.0 if years[k] in asked_years else -1.0)
        per_figure.append((said, year, place, k / max(1, len(figures) - 1)))
    for row, c in enumerate(found):
        inside = [k for k, (a, b) in enumerate(figures) if a < c.end and b > c.start]
        if len(inside) == 1:
            out[row] = per_figure[inside[0]]
    return out


def featurise(
    question: str, passages: list[Passage], weight: WordWeights, *, sentences: int = 3, figure_likely: float = 0.5
) -> tuple[np.ndarray, list[Candidate]]:
    """Feature rows for the candidates of the `sentences` sentences that say most of the question."""
    asked = words(question)
    asked_letters = letters_only(asked)
    wh = _wh(question)
    asks_percent = float(bool(re.search(r"percent|%|rate|proportion|share", question, re.IGNORECASE)))
    asks_year_like = float(bool(re.search(r"\b(?:when|what year|which year|what date)\b", question, re.IGNORECASE)))
    said_by = _AskedWords(asked_letters, weight)
    asked_years = set(YEAR_IN_TEXT.findall(question))
    scored = []
    for p_rank, passage in enumerate(passages):
        if _PROVENANCE.match(passage.text):
            continue  # "Source: …" and the rest of its paragraph (a licence, a date) say where the report comes from
        for s, e in sentence_spans(passage.text):
            if _PROVENANCE.match(passage.text, s):
                continue  # … as does a "Source: …" sentence inside a paragraph
            said, q_said = said_by.overlap(letters_only(words(passage.text[s:e])))
            scored.append((q_said, said, p_rank, passage, s, e))
    scored.sort(key=lambda x: x[0], reverse=True)
    asked_pairs = set(zip(asked, asked[1:]))
    blocks: list[np.ndarray] = []
    cands: list[Candidate] = []
    n_asked = max(1, len(asked))
    constant = [*wh, asks_percent, asks_year_like]
    for s_rank, (q_said, said, p_rank, passage, s, e) in enumerate(scored[:sentences]):
        partial = fuzzy(passage.text[s:e], question)[0]
        found = candidates(passage, s, e, asked)
        if not found:
            continue
        # each word of the sentence once: where it is, its weight, whether the question says
        # it; a candidate's figures are then sums over its words (prefix sums), computed for all
        # candidates at once
        spans = token_spans(passage.text, s, e)
        starts = np.array([a for a, _, _ in spans], dtype=np.int64)
        weights = np.array([weight(t) for _, _, t in spans], dtype=np.float64)
        said_by_q = np.array([any(similar(t, q) for q in asked) for _, _, t in spans], dtype=bool)
        codes = np.array(
            [NO_WORD] + [_GRAMMAR_CODE.get(passage.text[a:b].lower(), OTHER_WORD) for a, b, _ in spans] + [NO_WORD],
            dtype=np.float64,
        )
        said_edge = np.concatenate([[False], said_by_q, [False]]).astype(np.float64)
        letter = np.array([not t[0].isdigit() for _, _, t in spans], dtype=bool)
        digit = np.array([any(ch.isdigit() for ch in t) for _, _, t in spans], dtype=np.float64)
        year = np.array([bool(YEAR_IN_TEXT.fullmatch(t)) for _, _, t in spans], dtype=np.float64)
        total_w = np.concatenate([[0.0], np.cumsum(weights)])
        said_w = np.concatenate([[0.0], np.cumsum(np.where(said_by_q, weights, 0.0))])
        said_n = np.concatenate([[0], np.cumsum(said_by_q & letter)])
        digits = np.concatenate([[0.0], np.cumsum(digit)])
        chars = passage.text[s:e]
        percent = np.concatenate([[0], np.cumsum([ch == "%" for ch in chars])])
        money = np.concatenate([[0], np.cumsum([ch in "$€£¥₹" for ch in chars])])
        c_start = np.array([c.start for c in found], dtype=np.int64)
        c_end = np.array([c.end for c in found], dtype=np.int64)
        i, j = np.searchsorted(starts, c_start), np.searchsorted(starts, c_end)
        before, after = np.searchsorted(starts, c_start - 40), np.searchsorted(starts, c_end + 40)
        span_w = total_w[j] - total_w[i]
        c_said = np.divide(said_w[j] - said_w[i], span_w, out=np.zeros(len(found)), where=span_w > 0)
        length = max(1, e - s)
        lowered = [c.text.lower() for c in found]
        has_percent = (percent[c_end - s] - percent[c_start - s] > 0) | np.array(["percent" in t for t in lowered])
        kinds = np.array([[c.kind == k for k in KINDS] for c in found], dtype=np.float64)
        cut_start = np.array([[c.cut[0] == k for k in CUTS] for c in found], dtype=np.float64)
        cut_end = np.array([[c.cut[1] == k for k in CUTS] for c in found], dtype=np.float64)
        n = len(found)
        said_words = [t for _, _, t in spans]
        pairs = len(asked_pairs & set(zip(said_words, said_words[1:]))) / max(1, len(asked_pairs))
        block = np.column_stack(
            [
                np.full(n, q_said),
                np.full(n, said),
                np.full(n, partial),
                np.full(n, float(s_rank)),
                np.full(n, pairs),
                np.full(n, float(p_rank)),
                c_said,
                (j - i).astype(np.float64),
                (c_end - c_start) / length,
                (c_start - s) / length,
                (digits[j] - digits[i] > 0).astype(np.float64),
                has_percent.astype(np.float64),
                (money[c_end - s] - money[c_start - s] > 0).astype(np.float64),
                ((j - i == 1) & (year[np.minimum(i, len(spans) - 1)] > 0)).astype(np.float64),
                (said_n[i] - said_n[before]) / n_asked,
                (said_n[np.minimum(after, len(spans))] - said_n[j]) / n_asked,
                kinds,
                cut_start,
                cut_end,
                np.tile(constant, (n, 1)),
                said_edge[i],  # codes and said_edge are offset by one: [k] is the word before word k
                said_edge[j + 1],
                codes[i],
                codes[i + 1],
                codes[j],
                codes[j + 1],
                np.full(n, figure_likely),
                _figure_features(passage.text[s:e], s, found, said_by, asked_years),
            ]
        )
        blocks.append(block)
        cands.extend(found)
    rows = np.vstack(blocks) if blocks else np.zeros((0, len(FEATURES)))
    return rows, cands


def score_spans(
    model, question: str, passages: list[Passage], weight: WordWeights, figure_likely: float = 0.5
) -> list[tuple[float, Candidate]]:
    rows, cands = featurise(question, passages, weight, figure_likely=figure_likely)
    if not cands:
        return []
    probabilities = model.predict_proba(rows.astype(np.float32))[:, 1]
    return sorted(zip(probabilities.tolist(), cands), key=lambda pc: pc[0], reverse=True)
