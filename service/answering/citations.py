"""Citations a person can check: where (document, page or section, table, row, column),
the text shown with the answering part highlighted, and the reference entries behind it."""

from __future__ import annotations

import re

from index.search import Hit
from ingest.chunks import fact_locator, passage_locator
from ingest.periods import period_year
from ingest.records import Fact, Passage, Reference
from ingest.references import find_markers
from service.answering.answer import Citation, CitedCell, SearchResult
from service.answering.corpus import CellView, Corpus, TableView

# a URL in an entry's text, with the words that introduce it: `Available at: <https://…>`
_URL_IN_TEXT = re.compile(
    r"(?:\b(?:available at|available from|retrieved from|url)\s*:?\s*)?<?https?://[^\s<>]+>?\.?", re.I
)
_WORD = re.compile(r"[^\W_]+")
_NOT_NAMING = {"of", "the", "and", "in", "per", "for", "to", "a", "an", "on", "by", "at", "with", "unit", "total"}


def cited_refs(corpus: Corpus, doc_id: str, numbers: list[int]) -> list[Reference]:
    """The entries as a citation lists them: an entry whose text holds its URL has it once,
    in `url` (the text keeps the rest of the entry)."""
    return [_url_once(r) for r in corpus.refs(doc_id, numbers)]


def _url_once(ref: Reference) -> Reference:
    if not ref.url or ref.url not in ref.text.replace("\\", ""):
        return ref
    text = _URL_IN_TEXT.sub(" ", ref.text)
    text = re.sub(r"\s+([.,;)])", r"\1", re.sub(r"\s+", " ", text)).strip()
    text = re.sub(r"\.(\s*\.)+", ".", text)
    return Reference(n=ref.n, text=text, url=ref.url)


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.casefold()) if w not in _NOT_NAMING}


def _title(ref: Reference) -> str:
    """The entry without its URL and access note: what it names."""
    return re.split(r"\b(?:available at|available from|retrieved from|url)\b|https?://", ref.text, flags=re.I)[0]


def _names(title_words: set[str], label: str) -> bool:
    """Does an entry's title name a row or column label (every word of it, `Russia` ~ `Russian`)?"""
    words = _words(label)
    if not words or period_year(label) is not None:
        return False
    return all(any(t == w or (min(len(t), len(w)) >= 4 and t.startswith(w)) for t in title_words) for w in words)


def table_refs(corpus: Corpus, table: TableView, cited: list[tuple[int | None, int | None]]) -> list[int]:
    """`_table_refs`, kept on the table: the same positions are cited again and again."""
    key = tuple(cited)
    found = table.cited_refs.get(key)
    if found is None:
        found = table.cited_refs[key] = _table_refs(corpus, table, cited)
    return list(found)


def _table_refs(corpus: Corpus, table: TableView, cited: list[tuple[int | None, int | None]]) -> list[int]:
    """The table's reference numbers behind the cited cells ((row, column) positions; None: any).

    A row or column label that carries its own marks (`Fixed broadband [5; 6]`) is cited by
    those. Otherwise, of the table's entries (marks of its caption and notes), an entry whose
    title names a label of the table but none of the labels of the cited cells at that place
    (the mobile-subscription entries, for a cell in the broadband column) is left out; entries
    that name no label stay (they stand for the whole table)."""
    marked: list[int] = []
    for row, col in cited:
        labels = [*(table.row_keys[row] if row is not None else []), *(table.columns[col] if col is not None else [])]
        for label in labels:
            marked += [n for n in find_markers(label) if n not in marked]
    if marked:
        return marked
    doc = corpus.docs.get(table.doc_id)
    entries = {n: doc.references[n] for n in table.refs if n in doc.references} if doc else {}
    # the places labels sit at: ("row", key index) and ("column", path level), with every label there
    places: dict[tuple[str, int], set[str]] = {}
    for keys in table.row_keys:
        for i, k in enumerate(keys):
            places.setdefault(("row", i), set()).add(k)
    for path in table.columns:
        for i, k in enumerate(path):
            places.setdefault(("column", i), set()).add(k)
    chosen_at: dict[tuple[str, int], set[str]] = {}
    for row, col in cited:
        if row is not None:
            for i, k in enumerate(table.row_keys[row]):
                chosen_at.setdefault(("row", i), set()).add(k)
        if col is not None:
            for i, k in enumerate(table.columns[col]):
                chosen_at.setdefault(("column", i), set()).add(k)
    kept = []
    for n in table.refs:
        entry = entries.get(n)
        if entry is None:
            kept.append(n)
            continue
        title = _words(_title(entry))
        out = False
        for place, chosen in chosen_at.items():
            others = places.get(place, set()) - chosen
            if any(_names(title, k) for k in others) and not any(_names(title, k) for k in chosen):
                out = True
                break
        if not out:
            kept.append(n)
    return kept or list(table.refs)


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
        refs=cited_refs(corpus, table.doc_id, table_refs(corpus, table, [(cell.row, cell.col)])),
        snippet=snippet,
        highlight=highlight,
        score=round(score, 4),
        cells=[CitedCell(row, column)],
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
        refs=cited_refs(corpus, table.doc_id, table_refs(corpus, table, [(row, None)] if row is not None else [])),
        snippet=snippet,
        highlight=None,
        score=round(score, 4),
        cells=[CitedCell(row_label, None)] if row_label else [],
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
        refs=cited_refs(corpus, passage.doc_id, passage.refs),
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
        refs=[_url_once(r) for r in corpus.dataset_refs(fact.doc_id)],
        snippet=snippet,
        highlight=[len(head), len(head) + len(fact.raw)],
        score=round(score, 4),
    )


def hit_citation(corpus: Corpus, hit: Hit) -> SearchResult:
    """A search result as a citation (with `text`)."""
    refs: list[Reference] = []
    row = column = None
    cells: list[CitedCell] = []
    if hit.kind == "passage":
        passage = corpus.passages.get((hit.doc_id, hit.ref_id))
        refs = cited_refs(corpus, hit.doc_id, passage.refs) if passage else []
    elif hit.kind == "table_row":
        table_id, _, row_index = hit.ref_id.partition(":")
        table = corpus.table(hit.doc_id, table_id)
        if table is not None:
            refs = cited_refs(corpus, hit.doc_id, table_refs(corpus, table, [(int(row_index), None)]))
            row = " · ".join(table.row_keys[int(row_index)])
            cells = [CitedCell(row, None)]
    elif hit.kind == "fact":
        refs = [_url_once(r) for r in corpus.dataset_refs(hit.doc_id)]
        fact = corpus.facts.fact(hit.doc_id, hit.ref_id.split(",")[0])
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
        cells=cells,
        text=hit.text,
    )


def _evidence(c: Citation) -> tuple[str, ...]:
    """What a citation cites: a table (whatever its row and cell), or a passage, or a fact."""
    if c.kind == "table_row" and c.table:
        return c.doc_id, "table", c.table
    return c.doc_id, c.kind, c.locator, c.snippet


def merge_citations(citations: list[Citation]) -> list[Citation]:
    """One citation per distinct evidence, in the order first cited: the later citations of a
    table already cited add their cells and reference entries to the first one."""
    out: list[Citation] = []
    first: dict[tuple[str, ...], Citation] = {}
    for c in citations:
        key = _evidence(c)
        kept = first.get(key)
        if kept is None:
            first[key] = c
            out.append(c)
            continue
        for cell in c.cells:
            if cell not in kept.cells:
                kept.cells.append(cell)
        numbers = {r.n for r in kept.refs}
        kept.refs = kept.refs + [r for r in c.refs if r.n not in numbers]
    for c in out:
        c.refs = sorted(c.refs, key=lambda r: r.n)
    return out


def cites(citations: list[Citation], candidate: Citation) -> bool:
    """Is the candidate's evidence cited already (its table, its passage)?"""
    key = _evidence(candidate)
    return any(_evidence(c) == key for c in citations)
