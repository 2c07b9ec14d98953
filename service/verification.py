"""Source check (issue 12): every figure of a document's tables checked against the source
data it cites.

For each table cell with a value: the references the cell cites (the table's entries, narrowed
to those whose titles name the cell's labels, `citations.table_refs`), the corpus datasets that
stand for them (the manifest's `stands_for`), and in them the series (indicator) the cell's
labels name, for the cell's country and year. The cell is compared with every release
(vintage: a fact's `source_id`, else its dataset) at the cell's printed precision, and gets one
verdict:

- `agrees`: a release gives the figure (the best-matching release is named);
- `scale`: the figure matches only at another power of ten (a unit error, or a caption's unit
  that contradicts the magnitude);
- `other-period`: the figure matches another year of the same series;
- `other-indicator`: the figure matches another indicator of the corpus (same country, year);
- `differs`: none of that; both values, the relative difference and the releases tried;
- `no-source-data`: no cited dataset holds the series for the cell's country and year.

Plain functions over the Store; no model.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from functools import cached_property, lru_cache

from index.store import Store
from ingest.chunks import passage_locator
from ingest.numbers import parse_number, printed_decimals
from ingest.periods import period_year
from ingest.records import Fact, Passage, Reference
from ingest.text import sentence_spans
from service.answering.citations import table_refs
from service.answering.corpus import CellView, Corpus, TableView
from service.answering.countries import country_named
from service.answering.facts import FactSeries, StoredFacts
from service.answering.question import ALIASES, canonical

VERDICTS = ("agrees", "differs", "scale", "other-indicator", "other-period", "no-source-data")


# -- countries ---------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _alpha_3_codes() -> frozenset[str]:
    import pycountry

    return frozenset(c.alpha_3 for c in pycountry.countries)


@lru_cache(maxsize=4096)
def country_key(text: str) -> str | None:
    """An ISO 3166 alpha-3 code for a country name (`Russia`, `Russian Federation`,
    `People's Republic of China`, `USA`, `Republic of Korea`, `Россия`, `中国`) or an alias of
    one (`Russian`), else None."""
    text = text.strip()
    if not text:
        return None
    country = country_named(text) or country_named(ALIASES.get(text.casefold(), ""))
    if country:
        return country.alpha_3
    return text if text.isupper() and text in _alpha_3_codes() else None  # `DEU`, not the word `and`


def countries_in(text: str) -> list[str]:
    """The countries a label names: the whole label, else its words (`Fixed broadband China`)."""
    whole = country_key(text)
    if whole:
        return [whole]
    words = re.findall(r"[^\W\d_][\w'-]*", canonical(text))
    return list(dict.fromkeys(k for w in words if (k := country_key(w))))


# -- numbers -----------------------------------------------------------------------------
_MULTIPLIERS = [  # the English of Chinese multipliers first (ingest.numbers.CHINESE_SCALES)
    (re.compile(r"\bhundred\s+billion", re.I), 1e11),
    (re.compile(r"\bten\s+billion", re.I), 1e10),
    (re.compile(r"\bhundred\s+million", re.I), 1e8),
    (re.compile(r"\bten\s+million", re.I), 1e7),
    (re.compile(r"\bten\s+thousand", re.I), 1e4),
    (re.compile(r"\btrillions?\b", re.I), 1e12),
    (re.compile(r"\bbillions?\b|\bbn\b", re.I), 1e9),
    (re.compile(r"\bmillions?\b|\bmn\b", re.I), 1e6),
    (re.compile(r"\bthousands?\b", re.I), 1e3),
]


def multiplier(unit: str | None) -> float:
    """What a unit's scale word multiplies by (`$ trillion` 1e12, `ten thousand` 1e4), else 1."""
    for pattern, factor in _MULTIPLIERS:
        if unit and pattern.search(unit):
            return factor
    return 1.0


def half_ulp(raw: str) -> float:
    """Half the last printed digit of a figure (`22.52` 0.005, `157` 0.5, `3.20E+12` 5e9)."""
    text = re.sub(r"[\s\u00a0\u202f,$%]", "", raw)
    m = re.match(r"^[-+−]?(\d*)(?:\.(\d*))?(?:[eE]([-+]?\d+))?", text)
    if not m:
        return 0.5
    decimals = len(m.group(2) or "")
    exponent = int(m.group(3) or 0)
    return 0.5 * 10.0 ** (exponent - decimals)


def agrees(cell_value: float, cell_tol: float, source_value: float, source_tol: float) -> bool:
    """Equal at printed precision: the source rounded to the cell's digits (or the cell to the
    source's, when the source prints fewer)."""
    return abs(cell_value - source_value) <= max(cell_tol, source_tol) + 1e-9 * max(abs(source_value), 1.0)


# -- indicators --------------------------------------------------------------------------
_TOKEN = re.compile(r"[^\W_]+")
_STOP = {"of", "the", "and", "in", "per", "for", "to", "a", "an", "on", "by", "at", "with", "unit", "total", "e"}
_CODE = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2,}(?:\.[A-Z0-9]+){2,}(?![A-Za-z0-9])")


_NOT = re.compile(r"\(\s*not\b[^)]*\)|\bnot\s+(?:the\s+)?[^\W_]+", re.I)


def _unit_kind(unit: str | None) -> str:
    return re.sub(r"\(.*?\)", " ", unit or "").strip().casefold()


def _money_or_share(unit: str) -> str | None:
    """`%` for a share, `$` for money, else None (what a unit says a figure is)."""
    if "%" in unit or re.search(r"\b(?:percent|share|ratio)\b", unit, re.I):
        return "%"
    if re.search(r"[$€£¥₽]|\b(?:US\$|dollars?|usd|yuan|rubles?)\b", unit, re.I):
        return "$"
    return None


def _significant(raw: str) -> int:
    digits = re.sub(r"\D", "", raw.split("e")[0].split("E")[0]).lstrip("0")
    return len(digits)


def _tokens(text: str) -> set[str]:
    out = set()
    for w in _TOKEN.findall(text.casefold()):
        if w in _STOP or period_year(w) is not None or country_key(w):
            continue
        out.add(w)
    return out


def _same(a: str, b: str) -> bool:
    return a == b or (min(len(a), len(b)) >= 4 and (a.startswith(b) or b.startswith(a)))


def _overlap(words: set[str], series_words: set[str]) -> int:
    return sum(1 for w in words if any(_same(w, s) for s in series_words))


def url_codes(ref: Reference) -> list[str]:
    """Indicator codes a reference's URL names (`IT.NET.BBND.P2`)."""
    return list(dict.fromkeys(_CODE.findall(ref.url or "")))


def _title(ref: Reference) -> str:
    return re.split(r"\b(?:available at|available from|retrieved from|url)\b|https?://", ref.text, flags=re.I)[0]


@dataclass
class Series:
    """One indicator of one dataset for one country, every release of it."""

    dataset: str
    indicator: str
    code: str | None
    country: str
    unit: str | None
    parts: list[FactSeries] = field(default_factory=list, repr=False)
    stored: StoredFacts | None = field(default=None, repr=False, compare=False)

    @cached_property
    def facts(self) -> list[Fact]:
        """Its facts with a value and a year, in the store's order: read when a check needs them."""
        assert self.stored is not None
        rows = sorted((r for part in self.parts for r in self.stored.of_series(part)), key=lambda r: r[0])
        return [f for _, f in rows if f.value is not None and f.year is not None]

    @property
    def key(self) -> tuple[str, str, str]:
        return self.dataset, self.code or self.indicator, self.country

    @property
    def name_words(self) -> str:
        """The name without what it says it is not (`overall (not the digital ranking)`)."""
        return _NOT.sub(" ", self.indicator)

    @property
    def words(self) -> set[str]:
        words = _tokens(self.name_words)
        if self.code:
            words |= {w.casefold() for w in re.split(r"[._\-\s]+", self.code) if w}
        return words


def _rounded(rel: float) -> float | None:
    return round(rel, 6) if math.isfinite(rel) else None


def vintage(fact: Fact) -> str:
    """A fact's release: its `source_id`, else its dataset (one file, one release)."""
    return fact.source_id or fact.doc_id


# -- passage figures ---------------------------------------------------------------------
_MARKER = re.compile(r"\[(\d+(?:\s*[;,–-]\s*\d+)*)\]")
_SCALE_WORDS = r"hundred\s+million|ten\s+thousand|trillion|billion|million|thousand"
_FIGURE = re.compile(
    r"(?<![\w.,\[])(?<!per\s)(?P<n>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?![\w.]\d|\w)"
    r"(?P<unit>\s*(?:%|percent\b|per\s*cent\b|percentage\s+points?\b|per\s+100\s+\w+|"
    rf"(?:{_SCALE_WORDS})\b(?:\s+(?:US\s+)?(?:dollars|yuan|rubles|people|persons|users))?))?",
    re.IGNORECASE,
)
_YEAR_WORD = re.compile(r"(?<![\d.,])(?:19|20)\d{2}(?![\d%]|\.\d)")
_WORD_RE = re.compile(r"[^\W\d_][\w'-]*")
_RANGE = re.compile(
    r"\b(?:from|between)\s+((?:19|20)\d{2})\s+(?:to|and|until|through)\s+((?:19|20)\d{2})\b"
    r"|\b((?:19|20)\d{2})\s*[—–-]\s*((?:19|20)\d{2})\b",
    re.IGNORECASE,
)
_FROM_TO = re.compile(r"\bfrom\s+(?:US\s*\\?\$\s*)?(\S+?)\s+(?:\S+\s+){0,4}?to\s+(?:US\s*\\?\$\s*)?(\d)", re.I)


def _marker_refs(text: str) -> list[int]:
    """`5; 6` → [5, 6]; `5-7` → [5, 6, 7]."""
    out: list[int] = []
    for part in re.split(r"\s*[;,]\s*", text):
        bounds = [int(x) for x in re.split(r"\s*[–-]\s*", part) if x.isdigit()]
        if len(bounds) == 2 and 0 <= bounds[1] - bounds[0] < 50:
            out += range(bounds[0], bounds[1] + 1)
        elif bounds:
            out.append(bounds[0])
    return out


def _is_year(raw: str) -> bool:
    return bool(re.fullmatch(r"(?:19|20)\d{2}", raw))


def _country_at(text: str, m: re.Match) -> str | None:
    """The country a word (or it and the next: `Russian Federation`) names."""
    two = re.match(r"[^\W\d_][\w'-]*\s+[^\W\d_][\w'-]*", text[m.start() :])
    if two and (key := country_key(canonical(two.group(0)))):
        return key
    word = re.sub(r"['’]s$", "", m.group(0))
    return country_key(word) if word[:1].isupper() or word.casefold() in ALIASES else None


def _range_years(text: str) -> list[tuple[int, int, int]]:
    """`from 2010 to 2020`, `2015—2021`: (position, first year, last year)."""
    out = []
    for m in _RANGE.finditer(text):
        a, b = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        out.append((m.start(), int(a), int(b)))
    return out


def _figure_year(text: str, at: int, years: list[tuple[int, int]], ranges: list[tuple[int, int, int]]) -> int | None:
    """The year a sentence gives a figure for: in `from A to B` after a range of years, A the
    first and B the last; else the nearest year named before the figure, else after it."""
    for m in _FROM_TO.finditer(text):
        first, second = m.start(1), m.start(2)
        if at not in (first, second):
            continue
        spans = [r for r in ranges if r[0] < m.start()]
        if spans:
            _, a, b = spans[-1]
            return a if at == first else b
    before = [y for p, y in years if p < at]
    if before:
        return before[-1]
    after = [y for p, y in years if p > at]
    return after[0] if after else None


# -- records -----------------------------------------------------------------------------
@dataclass
class CellCheck:
    """One figure's check: a table cell's (`table`, `row`, `column`), or a figure of a passage
    that carries a citation marker (`kind` "passage": `table` None, `row` the passage's
    locator, `column` the country and year the sentence gives the figure for)."""

    doc_id: str
    table: str | None
    row: str
    column: str
    value: float
    verdict: str
    source_value: float | None = None
    source_id: str | None = None  # the corpus dataset (document id) the matching fact is in
    vintage: str | None = None  # the release (the fact's source_id) that matches best
    refs: list[int] = field(default_factory=list)
    raw: str = ""
    year: int | None = None
    country: str | None = None
    indicator: str | None = None
    indicator_code: str | None = None
    fact_id: str | None = None
    relative_difference: float | None = None
    vintages_tried: list[str] = field(default_factory=list)
    vintages_agreeing: list[str] = field(default_factory=list)
    matched_year: int | None = None  # other-period: the year the figure matches
    factor: float | None = None  # scale: what the cell must be multiplied by to match
    # the cited series and its figure for the cell's year (closest release), when the verdict
    # names another figure (other-indicator, other-period)
    cited_indicator_code: str | None = None
    cited_value: float | None = None
    note: str = ""
    evidence: list[dict] = field(default_factory=list)  # the source facts compared
    kind: str = "cell"  # "cell" | "passage"
    locator: str | None = None  # a passage figure: where (page · section), as citations say it
    passage_id: str | None = None
    span: list[int] | None = None  # a passage figure: [start, end) of the figure in the passage
    context: str | None = None  # a passage figure: its sentence

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Verification:
    doc_ids: list[str]
    cells: list[CellCheck]
    reference_flags: list[dict]
    releases: list[dict]  # per table and dataset: the release that agrees with most cells
    seconds: float = 0.0

    @property
    def summary(self) -> dict[str, int]:
        counts = Counter(c.verdict for c in self.cells)
        return {v: counts.get(v, 0) for v in VERDICTS}

    def to_dict(self) -> dict:
        return {
            "cells": [c.to_dict() for c in self.cells],
            "summary": self.summary,
            "doc_ids": self.doc_ids,
            "reference_flags": self.reference_flags,
            "releases": self.releases,
            "seconds": round(self.seconds, 3),
        }


# -- the check ---------------------------------------------------------------------------
class SourceCheck:
    """The corpus's facts indexed by country, and the reference → dataset mapping."""

    def __init__(self, store: Store, corpus: Corpus | None = None):
        self.store = store
        self.corpus = corpus if corpus is not None else Corpus(store)
        self.series: dict[tuple[str, str, str], Series] = {}
        self.by_country: dict[str, list[Series]] = {}
        # report id → reference number → the datasets that stand for it (the manifest's mapping)
        self.standing: dict[str, dict[int, list[str]]] = {}
        for dataset in sorted(self.corpus.docs.values(), key=lambda d: d.id):
            for target, n in dataset.stands_for:
                self.standing.setdefault(target, {}).setdefault(n, []).append(dataset.id)
        stored = self.corpus.facts
        for part in stored.series:
            country = country_key(part.entity) if part.figures else None
            if country is None:
                continue
            key = (part.doc_id, part.indicator_code or part.indicator, country)
            series = self.series.get(key)
            if series is None:
                series = Series(part.doc_id, part.indicator, part.indicator_code, country, part.unit, stored=stored)
                self.series[key] = series
                self.by_country.setdefault(country, []).append(series)
            series.parts.append(part)

    # references ------------------------------------------------------------------------
    def reference_flags(self, doc_id: str) -> list[dict]:
        """References whose title and URL name different indicators (the title names a corpus
        indicator whose code the URL does not give)."""
        doc = self.corpus.docs.get(doc_id)
        if doc is None:
            return []
        names: dict[str, str] = {}
        for s in self.series.values():
            if s.code:
                names.setdefault(s.code, s.indicator)
        flags = []
        for ref in doc.references.values():
            codes = url_codes(ref)
            if not codes:
                continue
            title = _tokens(_title(ref))
            named = [
                c
                for c, name in names.items()
                if (w := _tokens(name)) and all(any(_same(x, t) for t in title) for x in w)
            ]
            if not named:
                continue
            if not any(c.startswith(u) or u.startswith(c) for c in named for u in codes):
                flags.append(
                    {
                        "n": ref.n,
                        "title_names": named,
                        "url_names": codes,
                        "message": f"reference [{ref.n}]'s title names {', '.join(f'{names[c]} ({c})' for c in named)}"
                        f" but its URL names {', '.join(codes)}",
                    }
                )
        return flags

    def _datasets(self, doc_id: str, refs: list[int]) -> list[str]:
        standing = self.standing.get(doc_id, {})
        return list(dict.fromkeys(d for n in refs for d in standing.get(n, [])))

    # one cell --------------------------------------------------------------------------
    def check_cell(self, table: TableView, cell: CellView) -> CellCheck:
        refs = table_refs(self.corpus, table, [(cell.row, cell.col)])
        out = CellCheck(
            doc_id=table.doc_id,
            table=table.label,
            row=cell.row_label,
            column=cell.column_label,
            value=float(cell.value) if cell.value is not None else math.nan,
            verdict="no-source-data",
            refs=list(refs),
            raw=cell.raw,
        )
        years = sorted(set(cell.years))
        out.year = years[0] if len(years) == 1 else None
        countries = [k for label in cell.labels for k in countries_in(label)]
        if not countries:  # the one country the caption names (`… in China in 2015—2021`)
            countries = countries_in(table.caption)
            countries = countries if len(countries) == 1 else []
        out.country = countries[0] if countries else None
        datasets = self._datasets(table.doc_id, refs)
        if out.year is None or out.country is None or not datasets:
            missing = [w for w, ok in (("year", out.year), ("country", out.country)) if ok is None]
            out.note = (
                f"the cell names no {' or '.join(missing)}"
                if missing
                else "no corpus dataset stands for the references it cites"
                if refs
                else "the table cites no reference"
            )
            return out
        candidates = [s for s in self.by_country.get(out.country, []) if s.dataset in datasets]
        if not candidates:
            out.note = f"the cited datasets ({', '.join(datasets)}) hold no series for {out.country}"
            return out
        cited = self._pick(table, cell, candidates, refs)
        return self._judge(out, cited, cell.unit or table.unit)

    def _judge(self, out: CellCheck, cited: list[Series], unit: str | None) -> CellCheck:
        """The verdict of a figure (`out`: its value, printed text, country and year) against the
        series it cites, every release of them, then other years and other indicators."""
        assert out.year is not None and out.country is not None
        out.indicator, out.indicator_code = cited[0].indicator, cited[0].code
        cell_mult = multiplier(unit)
        cell_value = out.value * cell_mult
        cell_tol = half_ulp(out.raw) * cell_mult

        def compare(fact: Fact, value: float = cell_value, tol: float = cell_tol) -> tuple[bool, float]:
            m = multiplier(fact.unit)
            source = float(fact.value) * m  # type: ignore[arg-type]
            rel = (value - source) / abs(source) if source else (0.0 if value == 0 else math.inf)
            return agrees(value, tol, source, half_ulp(fact.raw) * m), rel

        same_year = [f for s in cited for f in s.facts if f.year == out.year]
        out.vintages_tried = sorted({vintage(f) for f in same_year})
        results = [(f, *compare(f)) for f in same_year]
        out.evidence = [
            {**self._evidence(f), "agrees": ok, "relative_difference": _rounded(rel)} for f, ok, rel in results
        ]
        agreeing = [(f, rel) for f, ok, rel in results if ok]
        if agreeing:
            f, rel = min(agreeing, key=lambda p: abs(p[1]))
            out.vintages_agreeing = sorted({vintage(g) for g, _ in agreeing})
            return self._set(out, "agrees", f, rel)
        # at another power of ten
        for f, _, _ in results:
            for k in [k for j in range(1, 13) for k in (j, -j)]:
                ok, rel = compare(f, cell_value * 10.0**k, cell_tol * 10.0**k)
                if ok:
                    out.factor = 10.0**k
                    out.note = f"matches ×{format(10.0**k, 'g')}" + (f" (the unit says {unit!r})" if unit else "")
                    return self._set(out, "scale", f, rel)
        if results:
            closest = min(results, key=lambda p: abs(p[2]))[0]
            out.cited_indicator_code, out.cited_value = closest.indicator_code or closest.indicator, closest.value
        # another year of the same series
        other_years = [(f, *compare(f)) for s in cited for f in s.facts if f.year != out.year]
        matches = [(f, rel) for f, ok, rel in other_years if ok]
        if matches:
            year = out.year
            f, rel = min(matches, key=lambda p: (abs((p[0].year or 0) - year), abs(p[1])))
            out.matched_year = f.year
            out.note = f"matches {f.year} of the same series"
            out.evidence.append(self._evidence(f))
            return self._set(out, "other-period", f, rel)
        # another indicator of the corpus, same country and year
        # (a figure of 1–2 digits only against the same kind of unit: a rank is not a share)
        cited_keys = {s.key for s in cited}
        kinds = {_unit_kind(s.unit) for s in cited}
        loose = _significant(out.raw) >= 3
        others = [
            (f, *compare(f))
            for s in self.by_country.get(out.country, [])
            if s.key not in cited_keys and (loose or _unit_kind(s.unit) in kinds)
            for f in s.facts
            if f.year == out.year
        ]
        matches = [(f, rel) for f, ok, rel in others if ok]
        if matches:
            f, rel = min(matches, key=lambda p: abs(p[1]))
            out.note = f"matches {f.indicator} ({f.doc_id})"
            out.evidence.append(self._evidence(f))
            return self._set(out, "other-indicator", f, rel)
        if results:
            f, _, rel = min(results, key=lambda p: abs(p[2]))
            return self._set(out, "differs", f, rel)
        out.note = f"no release of {out.indicator_code or out.indicator} has {out.year} for {out.country}"
        return out

    @staticmethod
    def _evidence(f: Fact) -> dict:
        return {
            "fact_id": f.id,
            "dataset": f.doc_id,
            "vintage": vintage(f),
            "indicator": f.indicator,
            "indicator_code": f.indicator_code,
            "entity": f.entity,
            "year": f.year,
            "value": f.value,
            "raw": f.raw,
            "unit": f.unit,
        }

    @staticmethod
    def _set(out: CellCheck, verdict: str, fact: Fact, rel: float) -> CellCheck:
        out.verdict = verdict
        out.source_value = fact.value
        out.source_id = fact.doc_id
        out.vintage = vintage(fact)
        out.fact_id = fact.id
        out.relative_difference = _rounded(rel)
        out.indicator, out.indicator_code = fact.indicator, fact.indicator_code
        return out

    def _pick(self, table: TableView, cell: CellView, candidates: list[Series], refs: list[int]) -> list[Series]:
        """The series the cell names best: its labels (×3), the caption's words, how much of the
        series' name a cited reference's title covers, the codes the references' URLs give (+5),
        the unit (+1). Ties are all kept."""
        unit = (cell.unit or table.unit or "") + " " + " ".join(cell.labels)
        return self._pick_by(table.doc_id, cell.labels, table.caption, unit, candidates, refs)

    def _pick_by(
        self, doc_id: str, names: list[str], context: str, unit: str, candidates: list[Series], refs: list[int]
    ) -> list[Series]:
        """`_pick` for any figure: `names` what it is (×3), `context` the words around it."""
        labels = set().union(*(_tokens(label) for label in names)) if names else set()
        caption = _tokens(context) - labels
        entries = self.corpus.refs(doc_id, refs)
        titles = [_tokens(_title(r)) for r in entries]
        codes = {c for r in entries for c in url_codes(r)}

        def score(s: Series) -> float:
            words = s.words
            points = 3.0 * _overlap(labels, words) + _overlap(caption, words)
            name = _tokens(s.name_words)
            if name and titles:
                points += max(_overlap(name, t) / len(name) for t in titles)
            if s.code and any(s.code.startswith(c) or c.startswith(s.code) for c in codes):
                points += 5
            kinds = (_money_or_share(unit), _money_or_share(s.unit or ""))
            if all(kinds):
                points += 2 if kinds[0] == kinds[1] else -2
            return points

        scored = sorted(((score(s), i, s) for i, s in enumerate(candidates)), key=lambda p: (-p[0], p[1]))
        best = scored[0][0]
        return [s for points, _, s in scored if points >= best - 1e-9]

    # passages --------------------------------------------------------------------------
    def check_passages(self, doc_id: str) -> list[CellCheck]:
        """Every figure of a sentence that carries a citation marker whose references a corpus
        dataset stands for: its country (the last named before it), its year (`from 2010 to
        2020 … from 34% to 70%`: the first figure the first year; else the nearest year named
        before it, else after), its indicator (the sentence's words against the series), and
        the verdict of a table cell."""
        if not self.standing.get(doc_id):
            return []
        out: list[CellCheck] = []
        passages = sorted((p for (d, _), p in self.corpus.passages.items() if d == doc_id), key=lambda p: p.char_start)
        for passage in passages:
            if "[" not in passage.text:
                continue
            for start, end in sentence_spans(passage.text):
                sentence_text = passage.text[start:end]
                refs = [n for m in _MARKER.finditer(sentence_text) for n in _marker_refs(m.group(1))]
                if not refs or not self._datasets(doc_id, refs):
                    continue
                out += self._check_sentence(passage, start, sentence_text, list(dict.fromkeys(refs)))
        return out

    def _check_sentence(self, passage: Passage, offset: int, text: str, refs: list[int]) -> list[CellCheck]:
        markers = [m.span() for m in _MARKER.finditer(text)]
        years = [(m.start(), int(m.group(0))) for m in _YEAR_WORD.finditer(text)]
        countries = [(m.start(), key) for m in _WORD_RE.finditer(text) if (key := _country_at(text, m))]
        span_years = _range_years(text)
        datasets = self._datasets(passage.doc_id, refs)
        locator = passage_locator(passage.page, passage.section)
        checks = []
        for m in _FIGURE.finditer(text):
            raw, at = m.group("n"), m.start("n")
            if any(a <= at < b for a, b in markers) or _is_year(raw):
                continue
            value = parse_number(raw)
            if value is None:
                continue
            country = next((k for pos, k in reversed(countries) if pos < at), None)
            year = _figure_year(text, at, years, span_years)
            unit = (m.group("unit") or "").strip() or None
            out = CellCheck(
                doc_id=passage.doc_id,
                table=None,
                row=locator,
                column=" · ".join(str(p) for p in (country, year, raw) if p),
                value=float(value),
                verdict="no-source-data",
                refs=list(refs),
                raw=raw,
                year=year,
                country=country,
                kind="passage",
                locator=locator,
                passage_id=passage.id,
                span=[offset + at, offset + m.end("n")],
                context=text.strip(),
            )
            checks.append(out)
            if year is None or country is None:
                missing = [w for w, ok in (("year", year), ("country", country)) if ok is None]
                out.note = f"the sentence gives the figure no {' or '.join(missing)}"
                continue
            candidates = [s for s in self.by_country.get(country, []) if s.dataset in datasets]
            if not candidates:
                out.note = f"the cited datasets ({', '.join(datasets)}) hold no series for {country}"
                continue
            cited = self._pick_by(passage.doc_id, [], text, f"{unit or ''} {text}", candidates, refs)
            self._judge(out, cited, unit)
        return checks

    # a document ------------------------------------------------------------------------
    def check(self, doc_id: str) -> tuple[list[CellCheck], list[dict], list[dict]]:
        flags = self.reference_flags(doc_id)
        flagged = {f["n"]: f["message"] for f in flags}
        cells: list[CellCheck] = []
        releases: list[dict] = []
        for table in self.corpus.tables_by_doc.get(doc_id, []):
            checks = [self.check_cell(table, c) for c in table.cells if c.value is not None]
            releases += self._prefer_releases(table, checks)
            cells += checks
        cells += self.check_passages(doc_id)
        for check in cells:  # a flagged reference is noted on every figure that cites it
            notes = [flagged[n] for n in check.refs if n in flagged]
            if notes:
                check.note = "; ".join([p for p in (check.note, *notes) if p])
        return cells, flags, releases

    @staticmethod
    def _prefer_releases(table: TableView, checks: list[CellCheck]) -> list[dict]:
        """Where several releases agree with a cell, name the one that agrees with most of the
        table's cells of that dataset (then the closest)."""
        counts: dict[tuple[str, str], Counter] = {}
        for c in checks:
            if c.verdict == "agrees" and c.source_id:
                counts.setdefault((c.source_id, c.indicator_code or c.indicator or ""), Counter()).update(
                    c.vintages_agreeing
                )
        for c in checks:
            if c.verdict != "agrees" or len(c.vintages_agreeing) < 2 or not c.source_id:
                continue
            tally = counts[(c.source_id, c.indicator_code or c.indicator or "")]
            best = max(c.vintages_agreeing, key=lambda v: tally[v])
            if tally[best] > tally[c.vintage or ""]:
                fact = next(e for e in c.evidence if e["vintage"] == best and e.get("agrees"))
                c.vintage, c.fact_id, c.source_value = best, fact["fact_id"], fact["value"]
                c.relative_difference = fact.get("relative_difference")
        out = []
        for (dataset, code), tally in counts.items():
            n = sum(1 for c in checks if c.source_id == dataset and (c.indicator_code or c.indicator or "") == code)
            vintage_name, agreeing = tally.most_common(1)[0]
            out.append(
                {"doc_id": table.doc_id, "table": table.label, "dataset": dataset, "indicator": code,
                 "vintage": vintage_name, "cells_agreeing": agreeing, "cells_checked": n}
            )  # fmt: skip
        return out


def verify(
    store: Store, doc_ids: list[str] | None = None, corpus: Corpus | None = None, checker: SourceCheck | None = None
) -> Verification:
    """Check every table cell of the documents (default: every document with tables). `checker`:
    one already built over the store (a serving engine's), not built again."""
    start = time.perf_counter()
    checker = checker if checker is not None else SourceCheck(store, corpus)
    ids = doc_ids or [d for d in checker.corpus.docs if checker.corpus.tables.count_of(d)]
    cells: list[CellCheck] = []
    flags: list[dict] = []
    releases: list[dict] = []
    for doc_id in ids:
        c, f, r = checker.check(doc_id)
        cells += c
        flags += [{"doc_id": doc_id, **x} for x in f]
        releases += r
    return Verification(ids, cells, flags, releases, time.perf_counter() - start)


# -- rendering ---------------------------------------------------------------------------
def _num(value: float | None) -> str:
    if value is None:
        return "—"
    return format(value, ".10g")


def _source(c: CellCheck) -> str:
    if c.source_value is None:
        return "—"
    where = f"{c.source_id}/{c.vintage}" + (f" {c.matched_year}" if c.matched_year else "")
    return f"{_num(c.source_value)} ({where})"


def render_table(v: Verification) -> str:
    """One line a cell, for a terminal, then the counts."""
    rows = [("table", "row", "column", "value", "verdict", "source", "refs")]
    for c in v.cells:
        refs = ",".join(map(str, c.refs))
        rows.append((c.table or "text", c.row[:48], c.column[:48], c.raw, c.verdict, _source(c), refs))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(x.ljust(w) for x, w in zip(r, widths)).rstrip() for r in rows]
    lines.append(" · ".join(f"{k} {n}" for k, n in v.summary.items()) + f" — {len(v.cells)} cells, {v.seconds:.2f} s")
    lines += [f"flag: {f['message']}" for f in v.reference_flags]
    return "\n".join(lines)


def _md(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_markdown(v: Verification) -> str:
    """The report: counts, reference flags, the release each table agrees with, every cell."""
    out = [f"# Source check: {', '.join(v.doc_ids)}", ""]
    out += ["| verdict | cells |", "|---|---:|", *(f"| {k} | {n} |" for k, n in v.summary.items()), ""]
    if v.reference_flags:
        out += ["## References whose title and URL disagree", ""]
        out += [f"- {_md(f['message'])}" for f in v.reference_flags] + [""]
    if v.releases:
        out += ["## Releases that agree", "", "| table | dataset | indicator | release | cells agreeing |"]
        out += ["|---|---|---|---|---:|"]
        out += [
            f"| {_md(r['table'])} | {r['dataset']} | {r['indicator']} | {r['vintage']} | "
            f"{r['cells_agreeing']} of {r['cells_checked']} |"
            for r in v.releases
        ] + [""]
    out += [
        "## Cells",
        "",
        "| table | row | column | value | verdict | source value | dataset | release | refs | note |",
        "|---|---|---|---:|---|---:|---|---|---|---|",
    ]
    for c in v.cells:
        rel = f" ({c.relative_difference:+.2%})" if c.verdict == "differs" and c.relative_difference is not None else ""
        out.append(
            f"| {_md(c.table or 'text')} | {_md(c.row)} | {_md(c.column)} | {_md(c.raw)} | {c.verdict} | "
            f"{_num(c.source_value)}{rel} | {c.source_id or '—'} | {c.vintage or '—'} | "
            f"{', '.join(map(str, c.refs))} | {_md(c.note)} |"
        )
    return "\n".join(out) + "\n"


# -- for answers -------------------------------------------------------------------------
class SourceChecks:
    """Table cells' checks, by (document, table, row, column), for answers to cite: a
    document's cells are checked the first time an answer cites it (thread-safe)."""

    def __init__(self, store: Store, corpus: Corpus | None = None):
        self.checker = SourceCheck(store, corpus)
        self.by_cell: dict[tuple[str, str | None, str, str], CellCheck] = {}
        self.checked: set[str] = set()
        self.lock = threading.Lock()

    def cell(self, doc_id: str, table: str | None, row: str | None, column: str | None) -> CellCheck | None:
        with self.lock:
            if doc_id not in self.checked:
                cells, _, _ = self.checker.check(doc_id)
                self.by_cell.update(((c.doc_id, c.table, c.row, c.column), c) for c in cells)
                self.checked.add(doc_id)
        return self.by_cell.get((doc_id, table or "", row or "", column or ""))

    def for_citation(self, citation) -> dict | None:
        """The `source_check` object of an answer whose first citation's first cell was checked
        against source data (None: not a table cell, or no cited source data)."""
        check = self.check_of(citation)
        if check is None or check.verdict == "no-source-data":
            return None
        return source_check_json(check)

    def check_of(self, citation) -> CellCheck | None:
        """The check of an answer's first cited cell, whatever its verdict (None: no table cell)."""
        if citation is None or citation.kind != "table_row" or not citation.cells:
            return None
        cell = citation.cells[0]
        if cell.column is None:
            return None
        return self.cell(citation.doc_id, citation.table, cell.row, cell.column)

    def said(self, citation, answer: str) -> str | None:
        """The answer to "where does this figure come from" / "does its source agree": the check
        in a sentence (`answer_sentence`); with no source data, the answer as it was and why the
        figure cannot be checked. None: the answer cites no checked cell."""
        check = self.check_of(citation)
        if check is None:
            return None
        if check.verdict == "no-source-data":
            cited = bool(self.checker._datasets(check.doc_id, check.refs))
            reason = no_data_reason(check, cited)
            return f"{answer.rstrip()} {_capitalize(reason)}: the figure cannot be checked against source data."
        dataset = self.checker.corpus.docs.get(check.source_id or "")
        return answer_sentence(check, publisher(dataset.title) if dataset else None)


def sentence(c: CellCheck) -> str:
    """`Table 6 gives 22.52; series IT.NET.BBND.P2 of wb-fixed-broadband [6] gives 22.5249 in
    its release OWID_WDI_2023-04 — agrees.`"""
    refs = f" [{', '.join(map(str, c.refs))}]" if c.refs else ""
    series = c.indicator_code or c.indicator or "the series"
    year = f" for {c.matched_year}" if c.matched_year else ""
    source = f"series {series} of {c.source_id}{refs} gives {_num(c.source_value)}{year} in its release {c.vintage}"
    if c.verdict == "other-indicator" and c.cited_indicator_code:
        cited = (
            f"the cited series {c.cited_indicator_code} gives {_num(c.cited_value)}"
            if c.cited_value is not None
            else ""
        )
        source = f"{cited}; " * bool(cited) + source
    verdict = c.verdict.replace("-", " ")
    if c.verdict == "differs" and c.relative_difference is not None:
        verdict += f" by {c.relative_difference:+.2%}"
    if c.verdict == "scale" and c.factor:
        verdict += f" (×{format(c.factor, 'g')})"
    return f"{c.table or 'The text'} gives {c.raw}; {source} — {verdict}."


def source_check_json(c: CellCheck) -> dict:
    return {
        "verdict": c.verdict,
        "table": c.table,
        "row": c.row,
        "column": c.column,
        "value": c.value,
        "source_value": c.source_value,
        "source_id": c.source_id,
        "vintage": c.vintage,
        "indicator_code": c.indicator_code,
        "refs": c.refs,
        "relative_difference": c.relative_difference,
        "cited_indicator_code": c.cited_indicator_code,
        "cited_value": c.cited_value,
        "sentence": sentence(c),
    }


def publisher(title: str) -> str:
    """Who a dataset is from, as its title says before the colon (`World Bank WDI: Fixed
    broadband …` → `World Bank WDI`), else the title."""
    head = title.split(":", 1)[0].strip()
    return head or title


def _capitalize(text: str) -> str:
    return text[:1].upper() + text[1:]


def no_data_reason(c: CellCheck, cited: bool = False) -> str:
    """Why a figure has no source data: `no dataset in the corpus stands for [20, 21, 22]`
    (`cited`: some corpus dataset stands for one of its references)."""
    refs = f"[{', '.join(map(str, c.refs))}]"
    if not c.refs:
        return "the table cites no reference" if c.table else "the text cites no reference"
    if not cited or c.note.startswith("no corpus dataset stands"):
        return f"no dataset in the corpus stands for {refs}"
    return f"{c.note} (it cites {refs})" if c.note else f"no dataset in the corpus stands for {refs}"


def _printed(value: float | None, raw: str) -> str:
    """A source value at a figure's printed precision (`22.5249` at `22.52`: 22.52)."""
    if value is None:
        return "—"
    decimals = printed_decimals(raw) if "e" not in raw.lower() else 0
    return f"{value:,.{decimals}f}" if abs(value) < 1e15 else _num(value)


def answer_sentence(c: CellCheck, source: str | None = None, cited: bool = False) -> str:
    """A check as an answer says it: `Table 6 gives 22.52; the World Bank WDI's series
    IT.NET.BBND.P2 [6] gives 22.52 in its OWID_WDI_2023-04 release — agrees.` (the source value
    at the figure's printed precision when it agrees, else as the source gives it)."""
    if c.verdict == "no-source-data":
        return f"{c.table or 'The text'} gives {c.raw}; {no_data_reason(c, cited)}."
    refs = f" [{', '.join(map(str, c.refs))}]" if c.refs else ""
    series = c.indicator_code or c.indicator or "series"
    whose = f"the {source}'s series {series}" if source else f"series {series} of {c.source_id}"
    shown = _printed(c.source_value, c.raw) if c.verdict == "agrees" else _num(c.source_value)
    year = f" for {c.matched_year}" if c.matched_year else ""
    said = f"{whose}{refs} gives {shown}{year} in its {c.vintage} release"
    if c.verdict == "other-indicator" and c.cited_indicator_code:
        named = f"the cited series {c.cited_indicator_code}" + (
            f" gives {_num(c.cited_value)}" if c.cited_value is not None else " has no figure for it"
        )
        said = f"{named}, but {said}"
    verdict = {
        "agrees": "agrees",
        "differs": "differs"
        + (f" by {c.relative_difference:+.2%}" if c.relative_difference is not None else "")
        + (f" (releases tried: {', '.join(c.vintages_tried)})" if c.vintages_tried else ""),
        "scale": "off by a power of ten" + (f" (×{format(c.factor, 'g')})" if c.factor else ""),
        "other-period": f"matches {c.matched_year}, another year of the series" if c.matched_year else "other period",
        "other-indicator": "matches another indicator",
    }.get(c.verdict, c.verdict)
    where = c.table or "The text"
    return f"{where} gives {c.raw}; {said} — {verdict}."
