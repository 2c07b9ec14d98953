"""Citations a person can check: where (document, page or section, table, row, column),
the text shown with the answering part highlighted, and the reference entries behind it."""

from __future__ import annotations

from index.search import Hit
from ingest.chunks import fact_locator, passage_locator
from ingest.records import Fact, Passage, Reference
from service.answering.answer import Citation, SearchResult
from service.answering.corpus import CellView, Corpus, TableView


def _doc_title(corpus: Corpus, doc_id: str) -> str:
    doc = corpus.docs.get(doc_id)
    return doc.title if doc else doc_id


def cell_citation(corpus: Corpus, cell: CellView, score: float) -> Citation:
    table = cell.table
    snippet = table.row_texts[cell.row]
    column = cell.column_label
    marker = f"{column}: {cell.raw}"
    start = snippet.find(marker)
    highlight = [start + len(column) + 2, start + len(marker)] if start >= 0 and cell.raw else None
    row = cell.row_label
    where = " · ".join(p for p in (table.label, row, column) if p)
    return Citation(
        doc_id=table.doc_id,
        doc_title=_doc_title(corpus, table.doc_id),
        kind="table_row",
        locator=where,
        table=table.label,
        row=row,
        column=column,
        page=table.page,
        refs=corpus.refs(table.doc_id, table.refs),
        snippet=snippet,
        highlight=highlight,
        score=round(score, 4),
    )


def table_citation(corpus: Corpus, table: TableView, row: int | None, score: float) -> Citation:
    snippet = table.row_texts[row] if row is not None else f"{table.label}: {table.caption}"
    row_label = " · ".join(table.row_keys[row]) if row is not None else None
    return Citation(
        doc_id=table.doc_id,
        doc_title=_doc_title(corpus, table.doc_id),
        kind="table_row",
        locator=" · ".join(p for p in (table.label, row_label) if p),
        table=table.label,
        row=row_label,
        column=None,
        page=table.page,
        refs=corpus.refs(table.doc_id, table.refs),
        snippet=snippet,
        highlight=None,
        score=round(score, 4),
    )


def passage_citation(corpus: Corpus, passage: Passage, score: float, highlight: tuple[int, int] | None) -> Citation:
    return Citation(
        doc_id=passage.doc_id,
        doc_title=_doc_title(corpus, passage.doc_id),
        kind="passage",
        locator=passage_locator(passage.page, passage.section),
        table=None,
        row=None,
        column=None,
        page=passage.page,
        refs=corpus.refs(passage.doc_id, passage.refs),
        snippet=passage.text,
        highlight=list(highlight) if highlight else None,
        score=round(score, 4),
    )


def fact_citation(corpus: Corpus, fact: Fact, score: float) -> Citation:
    unit = f" {fact.unit}" if fact.unit else ""
    source = f" Source: {fact.source_title}." if fact.source_title else ""
    head = f"{fact.indicator} — {fact.entity}{', ' + str(fact.year) if fact.year else ''}: "
    snippet = f"{head}{fact.raw}{unit}.{source}"
    return Citation(
        doc_id=fact.doc_id,
        doc_title=_doc_title(corpus, fact.doc_id),
        kind="fact",
        locator=fact_locator(fact.indicator, fact.entity, fact.year),
        table=None,
        row=fact.entity,
        column=str(fact.year) if fact.year else None,
        page=None,
        refs=corpus.dataset_refs(fact.doc_id),
        snippet=snippet,
        highlight=[len(head), len(head) + len(fact.raw)],
        score=round(score, 4),
    )


def hit_citation(corpus: Corpus, hit: Hit) -> SearchResult:
    """A search result as a citation (with `text`)."""
    refs: list[Reference] = []
    row = column = None
    if hit.kind == "passage":
        passage = corpus.passages.get((hit.doc_id, hit.ref_id))
        refs = corpus.refs(hit.doc_id, passage.refs) if passage else []
    elif hit.kind == "table_row":
        table_id, _, row_index = hit.ref_id.partition(":")
        table = corpus.table(hit.doc_id, table_id)
        if table is not None:
            refs = corpus.refs(hit.doc_id, table.refs)
            row = " · ".join(table.row_keys[int(row_index)])
    elif hit.kind == "fact":
        refs = corpus.dataset_refs(hit.doc_id)
        fact = corpus.facts.get((hit.doc_id, hit.ref_id.split(",")[0]))
        row = fact.entity if fact else None
    return SearchResult(
        doc_id=hit.doc_id,
        doc_title=hit.doc_title,
        kind=hit.kind,
        locator=hit.locator,
        table=hit.table,
        row=row,
        column=column,
        page=hit.page,
        refs=refs,
        snippet=hit.text,
        highlight=None,
        score=round(hit.score, 6),
        text=hit.text,
    )
