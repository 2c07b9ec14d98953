"""What gets indexed: one chunk per passage, per table row and per dataset fact.

A chunk's `text` is what a person is shown; `embed_text` is what the embedder and the
lexical index see: self-contained, so a table row carries its caption and unit, and a
passage its section title.

No chunk's text is longer than MAX_CHUNK_CHARS (ingest/limits.py): a longer one (a row with
a huge cell, a yearly series of thousands of points) becomes several chunks, cut at
sentences, then at spaces, each with the same reference and locator.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ingest.limits import MAX_CHUNK_CHARS
from ingest.numbers import format_number
from ingest.records import Document, Fact, content_id
from ingest.tables import column_groups, row_sentence
from ingest.text import split_text


@dataclass
class Chunk:
    id: str
    doc_id: str
    kind: str  # "passage" | "table_row" | "fact"
    ref_id: str  # passage id, "<table id>:<row index>", or fact id
    text: str
    embed_text: str
    locator: str
    table: str | None
    page: int | None


def passage_locator(page: int | None, section: list[str]) -> str:
    where = section[-1] if section else ""
    if page is not None:
        return f"p. {page} · {where}" if where else f"p. {page}"
    return where or "text"


def fact_locator(indicator: str, entity: str, year: int | None) -> str:
    return " · ".join(str(p) for p in (indicator, entity, year) if p not in (None, ""))


def _shown(fact) -> str:
    return format_number(fact.value) if fact.value is not None else (fact.raw or "missing")


def _series(facts: list[Fact]) -> dict[tuple, list[Fact]]:
    """Facts of one indicator, entity and source (a yearly series), like one table row."""
    groups: dict[tuple, list[Fact]] = {}
    for f in facts:
        groups.setdefault((f.indicator, f.entity, f.source_id, f.unit), []).append(f)
    return groups


def series_sentence(facts: list[Fact], doc_title: str) -> str:
    first = facts[0]
    unit = f" ({first.unit})" if first.unit else ""
    source = first.source_title or doc_title
    if len(facts) == 1 and first.year is None:
        points = _shown(first)
    else:
        points = "; ".join(f"{f.year}: {_shown(f)}" for f in sorted(facts, key=lambda f: f.year or 0))
    return f"{first.indicator} — {first.entity}{unit}: {points}. Source: {source}."


def series_description(
    indicator: str, entity: str, unit: str | None, years: tuple[int, int] | None, source: str
) -> str:
    """What a fact chunk is embedded (and searched) as: the series — indicator, entity, unit,
    the years it spans, source — without its figures. A figure says nothing to an embedder,
    and sixty of them make a text ten times slower to embed (a million-row dataset in hours).
    The store keeps each series' description (`Store.fact_series`), which the cross-lingual
    reader compares questions with: the chunk's own text, so one embedding serves both."""
    shown_unit = f" ({unit})" if unit else ""
    span = "" if years is None else f", {years[0]}" if years[0] == years[1] else f", {years[0]}–{years[1]}"
    return f"{indicator} — {entity}{shown_unit}{span}. Source: {source}."


def _described(facts: list[Fact], doc_title: str) -> str:
    first = facts[0]
    years = [f.year for f in facts if f.year is not None]
    span = (min(years), max(years)) if years else None
    return series_description(first.indicator, first.entity, first.unit, span, first.source_title or doc_title)


def document_chunks(doc: Document) -> list[Chunk]:
    chunks: list[Chunk] = []
    for p in doc.passages:
        context = p.section[-1] if p.section else ""
        chunks.append(
            Chunk(
                id=content_id(doc.id, "passage", p.id),
                doc_id=doc.id,
                kind="passage",
                ref_id=p.id,
                text=p.text,
                embed_text=f"{context}. {p.text}" if context else p.text,
                locator=passage_locator(p.page, p.section),
                table=None,
                page=p.page,
            )
        )
    for t in doc.tables:
        groups = column_groups(t)
        for r, row in enumerate(t.rows):
            for group, cols in groups:
                # a row under several column groups gets one chunk per group, so each stays focused
                text = row.text if group is None else row_sentence(t, r, cols)
                where = " · ".join(p for p in (t.label, row.label, group) if p)
                chunks.append(
                    Chunk(
                        id=content_id(doc.id, "table_row", t.id, r, group, text),
                        doc_id=doc.id,
                        kind="table_row",
                        ref_id=f"{t.id}:{r}",
                        text=text,
                        embed_text=text,
                        locator=where,
                        table=t.label,
                        page=t.page,
                    )
                )
    for key, series in _series(doc.facts).items():
        indicator, entity, _, _ = key
        whole = series_sentence(series, doc.title)
        for facts in [series] if len(whole) <= MAX_CHUNK_CHARS else _runs(series, doc.title):
            text = whole if facts is series else series_sentence(facts, doc.title)
            chunks.append(
                Chunk(
                    id=content_id(doc.id, "fact", key, text),
                    doc_id=doc.id,
                    kind="fact",
                    ref_id=",".join(f.id for f in facts),
                    text=text,
                    embed_text=_described(facts, doc.title),
                    locator=fact_locator(indicator, entity, series[0].year if len(series) == 1 else None),
                    table=None,
                    page=None,
                )
            )
    return [piece for chunk in chunks for piece in _bounded(chunk)]


def _runs(facts: list[Fact], doc_title: str) -> list[list[Fact]]:
    """A series too long for one chunk, as runs of consecutive years whose sentences fit
    (each chunk then cites only its own facts)."""
    ordered = sorted(facts, key=lambda f: f.year or 0)
    overhead = len(series_sentence(ordered[:1], doc_title)) - len(f"{ordered[0].year}: {_shown(ordered[0])}")
    runs: list[list[Fact]] = [[]]
    size = overhead
    for f in ordered:
        point = len(f"{f.year}: {_shown(f)}") + 2  # and its "; "
        if runs[-1] and size + point > MAX_CHUNK_CHARS:
            runs.append([])
            size = overhead
        runs[-1].append(f)
        size += point
    return runs


def _bounded(chunk: Chunk) -> list[Chunk]:
    """The chunk, or, when its text is over MAX_CHUNK_CHARS, one chunk a piece of it (a
    passage's embedded text keeps its section title, at most MAX_LABEL_CHARS, in front)."""
    if len(chunk.text) <= MAX_CHUNK_CHARS:
        return [chunk]
    context = chunk.embed_text[: -len(chunk.text)] if chunk.embed_text.endswith(chunk.text) else ""
    return [
        replace(
            chunk,
            id=content_id(chunk.id, "piece", n, piece),
            text=piece,
            embed_text=f"{context}{piece}" if context else piece,
        )
        for n, piece in enumerate(split_text(chunk.text, MAX_CHUNK_CHARS))
    ]
