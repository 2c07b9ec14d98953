"""Reading evidence across languages: a figure for a question whose words the documents do not
share (a Russian question over an English table, an English question over a Chinese passage).

Word matching cannot join such a question to its evidence, so the reading rests on what does
carry across languages:
- retrieval in the multilingual space (`index.spaces`) ranks the table rows, dataset rows and
  passages nearest the question, whatever their language;
- years are digits, and countries are read in three languages (`countries`);
- what the question asks — a lookup or a computation; a percentage, an amount or a rank — is
  read off its e5 vector by heads trained on English questions (`crosslingual_model`).

The first evidence, in retrieval's order, that holds every asked year and country is read;
within it, the figure of the kind the question asks for. None among the first `EVIDENCE_READ`
hits: the documents do not say. Only lookups are read so (a computation across languages is
left to the word-matching answerer, or refused)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from index.search import Hit
from ingest.numbers import figures_in, format_number
from ingest.records import Fact, Passage
from service.answering import operators as ops
from service.answering import phrasing
from service.answering.answer import Draft
from service.answering.citations import cell_citation, fact_citation, passage_citation
from service.answering.compose import cell_phrase, cell_sentence, figure_text
from service.answering.corpus import CellView, Corpus, TableView
from service.answering.countries import country_named, mentions
from service.answering.crosslingual_model import CrossLingualModel

EVIDENCE_READ = 12  # hits read, in retrieval's order
LOOKUP = (ops.SPAN, ops.MULTI_SPAN, ops.OTHER)
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_SENTENCE_END = re.compile(r"(?<=[。！？；!?;])|(?<=\.)\s+(?=[A-ZА-Я\d\u3400-\u9fff])")


@dataclass
class Asked:
    """What a question asks for, read without its words: years, countries (English names), the
    kind of figure (probabilities of percent, amount, rank, words) and whether it is a lookup."""

    years: list[int]
    countries: list[str]
    kinds: dict[str, float]
    lookup: bool

    @classmethod
    def of(cls, question: str, vector: np.ndarray, model: CrossLingualModel) -> Asked:
        years = list(dict.fromkeys(int(y) for y in _YEAR.findall(question)))
        countries = list(dict.fromkeys(m.country.name for m in mentions(question)))
        operation = model.operation.probabilities(vector)
        best = max(operation, key=operation.__getitem__)
        return cls(years, countries, model.figure_kind.probabilities(vector), best in LOOKUP)

    def kind_fit(self, kind: str) -> float:
        return self.kinds.get(kind, 0.0)


def read_across(corpus: Corpus, hits: list[Hit], asked: Asked) -> Draft | None:
    """The first hit's figure that answers `asked`, as an answer; None when no hit holds one."""
    if not asked.lookup or len(asked.years) > 1:
        return None
    for hit in hits[:EVIDENCE_READ]:
        if hit.kind == "table_row":
            draft = _from_row(corpus, hit, asked)
        elif hit.kind == "fact":
            draft = _from_fact(corpus, hit, asked)
        elif hit.kind == "passage":
            draft = _from_passage(corpus, hit, asked)
        else:
            draft = None
        if draft is not None:
            return draft
    return None


# -- table rows ---------------------------------------------------------------------------
def _cell_kind(cell: CellView) -> str:
    """`rank`, `percent` or `amount`: what the cell's unit and labels say it measures."""
    said = " ".join([cell.unit or "", *cell.labels, cell.table.unit or ""]).lower()
    if "rank" in said or "place" in said:
        return "rank"
    if (cell.unit or "").startswith("%") or "%" in said:
        return "percent"
    return "amount"


def _countries_of(texts: list[str]) -> set[str]:
    return {m.country.name for text in texts for m in mentions(text)}


def _table_countries(table: TableView) -> set[str]:
    return _countries_of([table.caption, *table.section])


def _from_row(corpus: Corpus, hit: Hit, asked: Asked) -> Draft | None:
    table_id, _, row = hit.ref_id.partition(":")
    table = corpus.table(hit.doc_id, table_id)
    if table is None or not row.isdigit():
        return None
    cells = [c for c in table.cells if c.row == int(row) and c.value is not None]
    caption_years = [int(y) for y in _YEAR.findall(table.caption)]
    fitting = []
    for cell in cells:
        years = cell.years or (caption_years if len(caption_years) == 1 else [])
        if asked.years and not set(asked.years) & set(years):
            continue
        named = _countries_of(cell.labels) or _table_countries(table)
        if not set(asked.countries) <= named:
            continue
        fitting.append(cell)
    if not fitting:
        return None
    if not asked.years:  # no year asked: the latest period
        latest = max((max(c.years) for c in fitting if c.years), default=None)
        fitting = [c for c in fitting if not c.years or max(c.years) == latest]
    cell = max(fitting, key=lambda c: asked.kind_fit(_cell_kind(c)))
    return Draft(
        answer=cell_sentence(cell, rank=_cell_kind(cell) == "rank"),
        phrase=cell_phrase(cell, rank=_cell_kind(cell) == "rank"),
        value=cell.value,
        unit=cell.unit,
        citations=[cell_citation(corpus, cell, hit.score)],
        spans=[cell.raw],
        solver="crosslingual",
    )


# -- dataset rows -------------------------------------------------------------------------
def _fact_kind(fact: Fact) -> str:
    said = f"{fact.unit or ''} {fact.indicator}".lower()
    return "rank" if "rank" in said else "percent" if (fact.unit or "").startswith("%") else "amount"


def _from_fact(corpus: Corpus, hit: Hit, asked: Asked) -> Draft | None:
    # a fact chunk holds one indicator for one entity over its years; the chunk's facts share its locator
    series = [f for f in corpus.facts.values() if f.doc_id == hit.doc_id and _locates(f, hit)]
    country = {c.name for f in series[:1] if (c := country_named(f.entity))}
    if asked.countries and set(asked.countries) != country:
        return None
    chosen = [f for f in series if f.value is not None and (not asked.years or f.year in asked.years)]
    if not chosen:
        return None
    fact = max(chosen, key=lambda f: f.year or 0)
    if asked.kind_fit(_fact_kind(fact)) < 0.05:
        return None
    shown = format_number(fact.value) if fact.value is not None else fact.raw
    source = fact.source_title or corpus.docs[fact.doc_id].title
    return Draft(
        answer=f"{fact.indicator}, {fact.entity}, {fact.year}: {figure_text(fact.value, shown, fact.unit)} "
        f"(dataset: {source}).",
        phrase=phrasing.Lookup(
            entity=fact.entity,
            indicator=fact.indicator,
            period=str(fact.year),
            amount=phrasing.Amount(shown, fact.unit),
            where=phrasing.Where(source, dataset=True),
        ),
        value=fact.value,
        unit=fact.unit,
        citations=[fact_citation(corpus, fact, hit.score)],
        solver="crosslingual",
    )


def _locates(fact: Fact, hit: Hit) -> bool:
    """Whether a fact is one of the series a fact chunk stands for (`indicator · entity[ · year]`)."""
    return hit.locator.startswith(f"{fact.indicator} · {fact.entity}")


# -- passages -----------------------------------------------------------------------------
def _figure_kind(unit: str | None) -> str:
    if unit and unit.startswith("%"):
        return "percent"
    if unit and "point" in unit:
        return "points"
    return "amount"


def _from_passage(corpus: Corpus, hit: Hit, asked: Asked) -> Draft | None:
    passage = corpus.passages.get((hit.doc_id, hit.ref_id))
    if passage is None:
        return None
    text = passage.text
    start = 0
    for end in [m.start() for m in _SENTENCE_END.finditer(text)] + [len(text)]:
        sentence = text[start:end]
        offset, start = start, end
        if asked.years and not all(str(y) in sentence for y in asked.years):
            continue
        named = mentions(sentence)
        if not {c for c in asked.countries} <= {m.country.name for m in named}:
            continue
        figures = [f for f in figures_in(sentence) if f.unit and asked.kind_fit(_figure_kind(f.unit)) >= 0.05]
        if not figures:
            continue
        # the figure told of the asked country: the first after its last mention (a clause
        # names its subject first: `中国位居第二，规模为 7.5 万亿美元`), else the first
        at = max((m.end for m in named if m.country.name in asked.countries), default=0)
        after = [f for f in figures if f.start >= at] or figures
        figure = max(after, key=lambda f: (asked.kind_fit(_figure_kind(f.unit)), -f.start))
        return _passage_draft(corpus, passage, hit, offset, sentence, figure)
    return None


def _passage_draft(corpus: Corpus, passage: Passage, hit: Hit, offset: int, sentence: str, figure) -> Draft:
    shown = format_number(figure.value)
    amount = figure_text(figure.value, shown, figure.unit)
    where = f"p. {passage.page}" if passage.page else " · ".join(passage.section) or "text"
    title = corpus.docs[passage.doc_id].title
    quoted = sentence.strip()
    return Draft(
        answer=f"{amount}, as {title} ({where}) says: “{quoted}”",
        value=figure.value,
        unit=figure.unit,
        citations=[
            passage_citation(corpus, passage, hit.score, (offset + figure.start, offset + figure.end)),
        ],
        spans=[sentence[figure.start : figure.end]],
        solver="crosslingual",
    )
