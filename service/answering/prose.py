"""Answers from running text: the sentence that answers and, within it, the figure.

A sentence qualifies when it names every entity and year the question names. Among
qualifying sentences the best shares the most (weighted) words with the question; within
it, each figure is scored by the question words around it, by what follows it (`%` for a
share, `trillion yuan` for a size), and by a `from X to Y` reading of year ranges.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.numbers import WORD_NOT_CJK, chinese_unit_at, is_note_mark, names_a_date, names_a_part, parse_number
from ingest.periods import YEAR_IN_TEXT
from ingest.records import Passage
from ingest.text import sentence_spans
from service.answering.matching import PERCENT_WORDS, QUANTITY_WORDS
from service.answering.question import (
    ALIASES,
    QUESTION_WORDS,
    Question,
    WordSet,
    is_country,
    norm_tokens,
    same_word,
    surface_forms,
    trends,
)

# a figure may touch a Chinese word (`达17.2万亿美元`), not a letter or digit of another script
_FIGURE = re.compile(
    rf"(?<!{WORD_NOT_CJK})(?<![.\[])(?<![A-Za-z]-)(?:\$\s?)?(\d{{1,3}}(?:[ ,]\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(\s*(?:%|percent(?:age points)?|per\s?cent))?"
)
_UNIT_WORDS = re.compile(
    r"\s*(?:(?:trillion|billion|million|thousand|hundred)\b\s*)?"
    r"(?:(?:yuan|dollars|rubles|roubles|euros|us\$|usd|rmb|people|persons|users|subscribers|units|"
    r"base stations|stations|enterprises|platforms|apps|cities|countries|times|gw|mw|gwh|tons|tonnes)\b)?",
    re.IGNORECASE,
)
_FROM_TO = re.compile(r"from\s+((?:19|20)\d{2})\s+to\s+((?:19|20)\d{2})", re.IGNORECASE)
_REF_MARKER = re.compile(r"\[\d+(?:\s*[;,–-]\s*\d+)*\]")


@dataclass
class Figure:
    value: float
    unit: str | None
    start: int  # offsets within the passage text
    end: int
    score: float


@dataclass
class SentenceMatch:
    passage: Passage
    start: int
    end: int
    score: float
    figure: Figure | None
    retrieval_score: float
    coverage: float

    @property
    def text(self) -> str:
        return self.passage.text[self.start : self.end]


@dataclass
class _Sentence:
    start: int
    end: int
    text: str
    words: WordSet
    countries: set[str]
    has_percent: bool
    trends: set[str]
    # a sentence that names no year ("in the first half of the year") speaks of the year of
    # the sentence before it
    inherited_years: frozenset[str] = frozenset()


_SENTENCES: dict[str, tuple[WordSet, list[_Sentence]]] = {}


def _sentences(passage: Passage) -> tuple[WordSet, list[_Sentence]]:
    """A passage's words and its sentences, tokenised once (keyed by the content-hash id)."""
    cached = _SENTENCES.get(passage.id)
    if cached is None:
        words = WordSet(norm_tokens(passage.text + " " + " ".join(passage.section)))
        sentences = []
        previous_years: frozenset[str] = frozenset()
        for start, end in sentence_spans(passage.text):
            text = passage.text[start:end]
            tokens = norm_tokens(text)
            countries = {ALIASES.get(t, t) for t in tokens if is_country(t)}
            has_percent = bool(re.search(r"\d\s*(%|percent)", text))
            years = frozenset(YEAR_IN_TEXT.findall(text))
            inherited = previous_years if not years and _THE_YEAR.search(text) else frozenset()
            sentences.append(
                _Sentence(start, end, text, WordSet(tokens), countries, has_percent, trends(text), inherited)
            )
            previous_years = years
        cached = (words, sentences)
        if len(_SENTENCES) < 200_000:
            _SENTENCES[passage.id] = cached
    return cached


def passage_words(passage: Passage) -> WordSet:
    """The words of a passage and its section headings (tokenised once)."""
    return _sentences(passage)[0]


def best_sentences(
    q: Question, passages: list[tuple[Passage, float]], weight, *, need_figure: bool
) -> list[SentenceMatch]:
    """Qualifying sentences from the retrieved passages, best first."""
    content = set(q.content)
    content_weight = sum(weight(t) for t in q.content) or 1.0
    asked_trends = trends(q.text)
    unanchored = not any(t not in QUANTITY_WORDS for t in content)
    out: list[SentenceMatch] = []
    for rank, (passage, retrieval) in enumerate(passages):
        passage_words, sentences = _sentences(passage)
        for s in sentences:
            inherits = False
            if any(str(y) not in s.text for y in q.years):
                if not q.years or not all(str(y) in s.inherited_years for y in q.years):
                    continue
                inherits = True
            if not all(s.words.has(e) or passage_words.has(e) for e in q.entities):
                continue
            in_sentence = sum(1 for e in q.entities if s.words.has(e))
            if in_sentence < len(q.entities) and any(not any(same_word(c, e) for e in q.entities) for c in s.countries):
                continue  # the sentence is about another country than the one asked
            overlap, anchored = 0.0, unanchored
            for t in content:
                if s.words.has(t):
                    overlap += weight(t)
                    anchored = anchored or t not in QUANTITY_WORDS
                elif t in PERCENT_WORDS and s.has_percent:
                    overlap += 0.5 * weight(t)  # as for tables: a `%` figure half-answers "share"
            if not anchored:
                continue
            figure = best_figure(q, passage.text, s.start, s.end, bool(asked_trends)) if need_figure else None
            if need_figure and figure is None:
                continue
            overlap = round(overlap / content_weight, 9)
            trend = 0.5 if asked_trends & s.trends else 0.0
            score = overlap + trend + 0.3 / (1 + rank) + 0.2 * in_sentence + (figure.score * 0.05 if figure else 0.0)
            score -= 0.3 if inherits else 0.0  # a year read from the sentence before counts for less
            out.append(SentenceMatch(passage, s.start, s.end, score, figure, retrieval, overlap))
    out.sort(key=lambda m: m.score, reverse=True)
    return out


def best_figure(q: Question, text: str, start: int, end: int, asks_change: bool) -> Figure | None:
    """The figure in text[start:end] that answers q; `asks_change`: q speaks of growth or decline."""
    sentence = text[start:end]
    asked = {round(n, 6) for n in q.numbers} | set(q.years)
    ranges = _FROM_TO.findall(sentence)
    candidates: list[Figure] = []
    for match in _FIGURE.finditer(sentence):
        raw = match.group(1)
        value = parse_number(raw)
        if value is None or round(value, 6) in asked:
            continue
        chinese = None if match.group(2) else chinese_unit_at(sentence, match.end())
        if names_a_date(sentence, match.end(), match.start(1)) or is_note_mark(
            text, start + match.start(1), start + match.end(1)
        ):
            continue  # `2022年`, `3月`, `November 14, 2016`: a date; `(1) …`: a note's number
        if value.is_integer() and 1900 <= value <= 2100 and not (match.group(2) or chinese):
            continue  # a year
        if _REF_MARKER.match(sentence, max(0, match.start() - 1)) or names_a_part(sentence, match.start()):
            continue  # `[12]` or `table 14`: a reference, not a figure
        unit_match = _UNIT_WORDS.match(sentence, match.end()) if not (match.group(2) or chinese) else None
        unit = (
            (match.group(2) or "").strip()
            or (chinese[0] if chinese else "")  # in English: `万亿美元` → `trillion US dollars`
            or (unit_match.group(0).strip() if unit_match else "")
        )
        unit = "%" if unit.startswith(("%", "percent", "per")) and "point" not in unit else unit
        f_end = chinese[1] if chinese else match.end() + (len(unit_match.group(0)) if unit_match else 0)
        f_end = len(sentence[:f_end].rstrip())
        # the question's words near the figure, the nearest counting most
        near = WordSet(norm_tokens(sentence[max(0, match.start() - 40) : f_end + 30]))
        far = WordSet(norm_tokens(sentence[max(0, match.start() - 100) : f_end + 60]))
        score = sum(1.0 if near.has(t) else 0.4 if far.has(t) else 0.0 for t in set(q.content))
        c_start, c_end = _clause(sentence, match.start())
        clause = sentence[c_start:c_end]
        for e in q.entities:  # the entity the question is about, in the figure's own clause
            pos = _nearest(clause, e, match.start() - c_start)
            if pos is not None:
                score += 1.5 / (1 + pos / 40)
        score += _subject_bonus(clause, match.start() - c_start, q.entities)
        if "count" in q.cues or "amount" in q.cues:
            # "how many platforms": the words right after the figure name what it counts
            # (up to the first preposition: "… billion) in the first half" names a time, not a thing)
            words = sentence[match.end() :].split()[:5]
            cut = next((i for i, w in enumerate(words) if w.strip("(),.;").lower() in _TIME_WORDS), len(words))
            after = WordSet(norm_tokens(" ".join(words[:cut])))
            score += min(2.0, sum(1.0 for t in set(q.content) if after.has(t)))
        if "percent" in q.cues:
            score += 2.0 if unit == "%" else -1.0
            if unit == "%":  # "25.9 percent of total retail sales": the base the question names
                base = re.match(r"\s*of\s+((?:\S+\s*){1,5})", sentence[f_end:])
                if base:
                    named = WordSet(norm_tokens(base.group(1)))
                    score += min(1.5, 0.5 * sum(1 for t in set(q.content) if named.has(t)))
        elif unit == "%" and ("money" in q.cues or "count" in q.cues or "amount" in q.cues):
            score -= 1.5
        if (
            "money" in q.cues
            and "percent" not in q.cues
            and re.search(  # "share of sales" asks for the share
                r"trillion|billion|million|ten thousand|yuan|dollar|\$|亿|万",
                unit + sentence[max(0, match.start() - 1) : match.start()],
                re.I,
            )
        ):
            score += 1.5
        if unit and "point" in unit:
            score -= 1.0
        score += _range_bonus(sentence, match.start(), ranges, q.years)
        # a change between two years asked: the year after a figure marks a level, not the change
        year_after = 0.0 if asks_change and len(q.years) >= 2 else _year_after_bonus(sentence, f_end, q.years)
        if year_after < 0 and len(q.years) == 1 and _dated_by_one_year(sentence, f_end):
            # `2.6 trillion yuan in 2005` is 2005's figure: the asked year printed elsewhere in the
            # sentence (a cited report's title, "(2022)") does not date it
            continue
        score += year_after
        restated = _RESTATED.search(sentence[max(0, match.start() - 5) : match.start()])
        if restated and not (restated.group(1) == "$" and re.search(r"dollar|usd|\$", q.text, re.IGNORECASE)):
            score -= 1.0  # "2.3 trillion rubles ($37.94 billion)": the conversion restates the figure
        if asks_change and unit == "%" and "percent" not in q.cues:
            score += 1.0  # "how much did it grow": growth is told in percent
        if not asks_change and _is_change(sentence, match.start(), f_end):
            score -= 1.0  # "up 50 percent year on year" is a growth rate, not the figure asked for
        if _FROM_BEFORE.search(sentence[max(0, match.start() - 12) : match.start()]) and not year_after:
            score -= 1.0  # "11.2 percent … from 8.8 percent": the earlier figure
        candidates.append(Figure(value, unit or None, start + match.start(), start + f_end, score))
    if not candidates:
        return None
    _respectively(sentence, start, candidates, q.years)
    _respectively_by_name(sentence, start, candidates, q)
    return max(candidates, key=lambda f: f.score)


_CLAUSE_BREAK = re.compile(r",\s+(?:and|but|while|whereas|respectively)\b|;\s*")


def _clause(sentence: str, position: int) -> tuple[int, int]:
    """The clause around `position`: `… in China …, and that in Russia … 85%` splits at `, and`."""
    start, end = 0, len(sentence)
    for match in _CLAUSE_BREAK.finditer(sentence):
        if match.end() <= position:
            start = match.end()
        elif match.start() >= position:
            end = match.start()
            break
    return start, end


def _nearest(sentence: str, entity: str, position: int) -> int | None:
    """Characters between a figure and the closest mention of `entity` (after counts double)."""
    best = None
    lowered = sentence.lower()
    for form in surface_forms(entity):
        pattern = re.escape(form) if not form.isascii() else rf"\b{re.escape(form)}\w*"
        for match in re.finditer(pattern, lowered):
            distance = position - match.end() if match.end() <= position else (match.start() - position) * 2
            best = distance if best is None else min(best, distance)
    return best


_PROPER = re.compile(r"(?<![.!?]\s)(?<!^)\b([A-Z][a-z]+(?:\s+[A-Z][a-z]+)*)")


def _subject_bonus(sentence: str, position: int, entities: list[str]) -> float:
    """The closest name before a figure is usually what it describes: reward the asked
    entity there, penalise another name (`in China … 70%, and in Russia … 85%`)."""
    if not entities:
        return 0.0
    before = [m for m in _PROPER.finditer(sentence[:position]) if m.group(1).lower() not in QUESTION_WORDS]
    if not before:
        return 0.0
    name = before[-1].group(1)
    named = norm_tokens(name)
    if any(same_word(e, t) for e in entities for t in named):
        return 1.0
    if any(n in ALIASES.values() or n in ALIASES for n in named):
        return -1.5
    return 0.0


_CHANGE_BEFORE = re.compile(
    r"\b(?:up|down|increas\w*|decreas\w*|gr[eo]w\w*|rose|ris\w*|fell|fall\w*|dropp?\w*|declin\w*)"
    r"(?:\s+by)?(?:\s+(?:about|nearly|almost|over|more than))?\s*$",
    re.IGNORECASE,
)
_TIME_WORDS = {"in", "by", "from", "at", "on", "during", "since", "until", "to", "than", "up", "down"}
_RESTATED = re.compile(r"\(\s*(?:US\s*)?([$€£¥₽])\s*$")
_FROM_BEFORE = re.compile(r"\bfrom\s+(?:about\s+|nearly\s+)?[$€£¥₽]?\s*$", re.IGNORECASE)
_CHANGE_AFTER = re.compile(r"^\s*(?:year[- ]on[- ]year|yoy)\b", re.IGNORECASE)


def _is_change(sentence: str, start: int, end: int) -> bool:
    """The figure states a change: `up 50 percent`, `grew by 9.5%`, `3.1 percent year on year`."""
    return bool(_CHANGE_BEFORE.search(sentence[max(0, start - 30) : start]) or _CHANGE_AFTER.match(sentence[end:]))


_THE_YEAR = re.compile(r"\b(?:the|that|this) (?:same )?(?:year|period)\b", re.IGNORECASE)
_YEAR_LIST = re.compile(r"((?:19|20)\d{2})((?:\s*,\s*(?:19|20)\d{2})*)\s*,?\s+and\s+((?:19|20)\d{2})")


def _respectively(sentence: str, offset: int, candidates: list[Figure], years: list[int]) -> None:
    """`by 2024 and 2035 … increase by 116.8% and 192.5%, respectively`, or `rates of 4.12% and
    3.65% for fiscal 2019 and fiscal 2018, respectively`: the n-th year takes the n-th figure."""
    if "respectively" not in sentence.lower():
        return
    match = _YEAR_LIST.search(sentence)
    listed = [int(y) for y in YEAR_IN_TEXT.findall(match.group(0) if match else sentence)]
    asked = [y for y in years if y in listed]
    if len(asked) != 1 or len(set(listed)) != len(listed):
        return
    # the figures after a list of years; else those just before it ("3.96% and 3.88% for 2019
    # and 2018, respectively"); with no list, all of them when they are as many as the years
    n = len(listed)
    if match:
        after = [f for f in candidates if f.start - offset > match.end()]
        before = [f for f in candidates if f.end - offset <= match.start()]
        figures = after if len(after) >= n else before[-n:] if len(before) >= n else []
    else:
        figures = candidates if len(candidates) == n else []
    if figures:
        figures[listed.index(asked[0])].score += 3.0


_NAME = r"[A-Z][\w-]*(?:\s+[A-Z][\w-]*)*"
_NAME_LIST = re.compile(rf"\b({_NAME})((?:\s*,\s*{_NAME})*)\s*,?\s+and\s+({_NAME})")
_LIST_GLUE = re.compile(r"^\s*(?:,\s*(?:and\s+)?|and\s+)$")


def _respectively_by_name(sentence: str, offset: int, candidates: list[Figure], q: Question) -> None:
    """`Moscow and Shanghai ranked 1 and 13 in 2018, 6 and 9 in 2020 …, respectively`: the
    n-th name takes the n-th figure of a list as long as the names (the list followed by the
    asked year, when there are several)."""
    if "respectively" not in sentence.lower() or not q.entities:
        return
    names_match = _NAME_LIST.search(sentence)
    if not names_match:
        return
    names = [n.strip() for n in re.split(r",|\band\b", names_match.group(0)) if n.strip()]
    index = [i for i, name in enumerate(names) if any(same_word(e, t) for e in q.entities for t in norm_tokens(name))]
    if len(index) != 1:
        return
    # figures after the names, in runs joined by `,` / `and`: one run per list of values
    after = sorted((f for f in candidates if f.start - offset > names_match.end()), key=lambda f: f.start)
    runs: list[list[Figure]] = []
    for figure in after:
        glue = sentence[runs[-1][-1].end - offset : figure.start - offset] if runs else ""
        if runs and _LIST_GLUE.match(glue):
            runs[-1].append(figure)
        else:
            runs.append([figure])
    runs = [r for r in runs if len(r) == len(names)]
    if len(runs) > 1 and q.years:
        runs = [r for r in runs if _year_after_bonus(sentence, r[-1].end - offset, q.years) > 0]
    if len(runs) == 1:
        runs[0][index[0]].score += 3.0


# a year right after a figure, with only a period's words between ("$59.2 million in fiscal
# 2019", "113,000 for the fiscal year ended 2018")
_YEAR_AFTER = re.compile(
    r"\s*(?:in|by|for|of|during|at)\s+(?:(?:the|fiscal|financial|calendar|year|ended|ending|full)\s+)*"
    r"(?:fy\s?)?((?:19|20)\d{2})\b",
    re.IGNORECASE,
)


def _year_after_bonus(sentence: str, end: int, years: list[int]) -> float:
    """`from 61% in 2021 to 57% in 2023`: the figure followed by the asked year."""
    after = _YEAR_AFTER.match(sentence, end)
    if not after or not years:
        return 0.0
    return 1.5 if int(after.group(1)) in years else -1.0


_MORE_YEARS = re.compile(
    r"\s*(?:,|and\b|&|to\b|through\b|-|–|—)\s*(?:fiscal\s+)?(?:fy\s?)?(?:19|20)\d{2}\b", re.IGNORECASE
)


def _dated_by_one_year(sentence: str, end: int) -> bool:
    """The figure ending at `end` is followed by one year alone (`… in 2005`), not by a list or
    a range of them (`3.96% and 3.88% for 2019 and 2018, respectively`)."""
    after = _YEAR_AFTER.match(sentence, end)
    return after is not None and not _MORE_YEARS.match(sentence, after.end())


def _range_bonus(sentence: str, position: int, ranges, years: list[int]) -> float:
    """In `from 2010 to 2020 ... from 49% to 85%`, the asked end year takes the `to` figure."""
    if not ranges or not years:
        return 0.0
    before = re.sub(r"(?:\b(?:us|usd|rmb)\s*)?[$€£¥]?\s*$", "", sentence[:position].lower()).rstrip()
    is_to = before.endswith("to")
    is_from = before.endswith("from")
    for start_year, end_year in ranges:
        if years[0] == int(end_year):
            return 1.5 if is_to else (-1.0 if is_from else 0.0)
        if years[0] == int(start_year):
            return 1.5 if is_from else (-1.0 if is_to else 0.0)
    return 0.0
