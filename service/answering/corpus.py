"""What the answerer reads: passages and reference lists, held in memory; tables with their
cells, held in memory up to `TABLES_HELD` tables and beyond that read from the store when a
question needs them (`TableViews`: a library of thousands of reports); dataset facts read from
the store by indexed queries (`facts.StoredFacts`: a dataset may hold a million rows), with
only their series in memory.

Passages are the ingest records themselves; a table is read through `TableView`, which adds
what the reader needs to walk it (each cell with its row keys, column path and year
coordinates)."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from cachetools import LRUCache

from index.store import Store
from ingest.periods import YEAR_IN_TEXT, dated_state, period_year, printed_period
from ingest.records import Passage, Reference, Table
from service.answering.facts import StoredFacts

_NOTE_MARK = re.compile(r"(?:\s*\([^()]{1,12}\)|\s*\*+|\s+\d(?=$))+$")


@dataclass
class CellView:
    table: TableView
    row: int
    col: int
    row_label: str
    row_keys: list[str]
    column: list[str]
    raw: str
    value: float | None
    unit: str | None
    years: list[int] = field(init=False)  # the cell's period coordinates (`2019`, `FY19`, `Dec. 31, 2019`)
    labels: list[str] = field(init=False)  # its other coordinates: row keys, then the column path

    def __post_init__(self) -> None:
        periods = [period_year(k) for k in self.row_keys]
        self.labels = [k for k, y in zip(self.row_keys, periods) if y is None]
        for key in self.column:
            year = period_year(key)
            if year is None and (state := dated_state(key)) is not None:
                # a column of a state as of a date (`Final as of December 31, 2019`): its period,
                # and the state a label
                self.labels.append(state[0])
                year = state[2]
            elif year is None:
                self.labels.append(key)
            periods.append(year)
        self.years = [y for y in periods if y is not None]

    @property
    def group(self) -> str | None:
        """The row label the cell's row is printed under (`Board of directors` of `Board of
        directors · Cash remuneration`): a row of the table with that label and no figures; under
        a period's heading too (`June 30, 2019 · Financial assets: · Money market funds`), the
        nearest."""
        heads = [k for k in self.row_keys[:-1] if k in self.table.group_heads]
        return heads[-1] if heads else None

    @cached_property
    def period_heading(self) -> str | None:
        """The period whose heading row the cell's row is printed under (`June 30, 2019` of
        `June 30, 2019 · Money market funds`), or None."""
        if len(self.row_keys) > 1 and period_year(self.row_keys[0]) is not None:
            return self.row_keys[0]
        return None

    @property
    def item_label(self) -> str:
        """The row's own label, without the group it is printed under (`Cash remuneration` of
        `Board of directors · Cash remuneration`): what a list of the table's items names."""
        return self.row_keys[-1] if self.group is not None else self.row_label

    @property
    def is_total(self) -> bool:
        """A total or subtotal row (`Total selling expenses`): what the items above it sum to."""
        return self.item_label.lower().startswith("total")

    @property
    def column_label(self) -> str:
        return " / ".join(self.column)

    @property
    def period(self) -> str:
        """The cell's period as the table prints it (`FY19`, `2018/2019`), without a footnote
        mark or a note (`2019 (1)`, `2019 (proposed)`, `2019*` read `2019`), or ""."""
        printed = next((k for k in (*self.column, *self.row_keys) if k not in self.labels), "")
        if (state := dated_state(printed)) is not None and printed in self.column:
            printed = state[1]  # `Final as of December 31, 2019`: the date (`Final` is a label)
        return _NOTE_MARK.sub("", printed_period(printed)).strip()

    @property
    def period_name(self) -> str:
        """The period as an answer names it: the year alone for a date or a qualified year
        (`June 30, 2019`, `Fiscal 2019`, `(Restated) 2018` read `2019`, `2019`, `2018`) when
        each of the table's periods has a year of its own; else as printed (`FY19`,
        `2018/2019`, two dates of one year)."""
        period = self.period
        years = YEAR_IN_TEXT.findall(period)
        return years[0] if len(years) == 1 and self.table.years_name_periods else period


@dataclass
class TableView:
    id: str
    doc_id: str
    label: str
    caption: str
    unit: str | None
    source_note: str | None
    refs: list[int]
    stub: list[str]
    columns: list[list[str]]
    row_keys: list[list[str]]
    row_texts: list[str]
    page: int | None
    section: list[str]
    cells: list[CellView] = field(default_factory=list)
    # the reference numbers behind cited positions (`citations.table_refs`), worked out once
    cited_refs: dict[tuple, list[int]] = field(default_factory=dict, repr=False, compare=False)
    # what the matcher worked out of the table (`matching.TableInfo`), kept with it: read again
    # from the store, a table is worked out again
    matched: Any = field(default=None, repr=False, compare=False)

    @classmethod
    def of(cls, table: Table) -> TableView:
        view = cls(
            id=table.id,
            doc_id=table.doc_id,
            label=table.label,
            caption=table.caption,
            unit=table.unit,
            source_note=table.source_note,
            refs=table.refs,
            stub=table.stub,
            columns=table.columns,
            row_keys=[row.keys for row in table.rows],
            row_texts=[row.text for row in table.rows],
            page=table.page,
            section=table.section,
        )
        view.cells = [
            CellView(
                view,
                c.row,
                c.col,
                table.rows[c.row].label,
                table.rows[c.row].keys,
                table.columns[c.col],
                c.raw,
                c.value,
                c.unit,
            )
            for c in table.cells
        ]
        return view

    @cached_property
    def group_heads(self) -> frozenset[str]:
        """Labels of rows that print no figure and head the rows below them (`Current assets:`)."""
        return frozenset(
            keys[0]
            for r, keys in enumerate(self.row_keys)
            if len(keys) == 1 and not any(c.raw.strip() for c in self.row_cells(r))
        )

    @cached_property
    def years_name_periods(self) -> bool:
        """Whether the table's periods each hold one year, a different one for each."""
        periods = {c.period for c in self.cells if c.period}
        years = [YEAR_IN_TEXT.findall(p) for p in periods]
        return all(len(y) == 1 for y in years) and len({y[0] for y in years}) == len(periods)

    def cell(self, row: int, col: int) -> CellView:
        return self.cells[row * len(self.columns) + col]

    def row_cells(self, row: int) -> list[CellView]:
        """The cells of row `row`, in column order."""
        width = len(self.columns)
        return self.cells[row * width : (row + 1) * width]


@dataclass
class DocView:
    id: str
    title: str
    kind: str
    language: str | None
    references: dict[int, Reference]
    stands_for: list[tuple[str, int]]


TABLES_HELD = 1_000  # a corpus of at most this many tables is held whole, and a question scans each
CACHED_CELLS = 100_000  # beyond: the tables last read are kept, up to this many cells in all


class TableViews:
    """Every table of the corpus by (document, table id). A corpus of at most `held` tables is
    read whole at load; a larger one is read a table at a time when asked for, the last ones
    read kept (`CACHED_CELLS`), so a serving process does not hold a library's every cell."""

    def __init__(self, store: Store, held: int | None = None, cached_cells: int | None = None):
        held = TABLES_HELD if held is None else held
        cached_cells = CACHED_CELLS if cached_cells is None else cached_cells
        self._store = store
        self.keys = store.table_keys()  # in the store's order: documents, then their tables
        self._known = set(self.keys)
        self._by_doc: dict[str, list[tuple[str, str]]] = {}
        for key in self.keys:
            self._by_doc.setdefault(key[0], []).append(key)
        self.held = len(self.keys) <= held
        self._cached_cells = cached_cells
        self._views: dict | LRUCache
        if self.held:
            self._views = {(t.doc_id, t.id): TableView.of(t) for t in store.tables()}
        else:
            self._views = LRUCache(maxsize=cached_cells, getsizeof=lambda view: len(view.cells) + 1)
        self._lock = threading.Lock()  # the API's threads share the store's connection and the cache

    def get(self, key: tuple[str, str], default: TableView | None = None) -> TableView | None:
        if key not in self._known:
            return default
        if self.held:
            return self._views[key]
        with self._lock:
            view = self._views.get(key)
            if view is None:
                table = self._store.table_by_id(*key)
                if table is None:
                    return default
                view = TableView.of(table)
                if len(view.cells) < self._cached_cells:  # a larger table is read each time
                    self._views[key] = view
            return view

    def __getitem__(self, key: tuple[str, str]) -> TableView:
        view = self.get(key)
        if view is None:
            raise KeyError(key)
        return view

    def __contains__(self, key: object) -> bool:
        return key in self._known

    def __len__(self) -> int:
        return len(self.keys)

    def values(self) -> Iterator[TableView]:
        """Every table, in order: those held, or (beyond `held`) each read from the store in turn
        and not kept."""
        if self.held:
            yield from self._views.values()
            return
        for key in self.keys:
            with self._lock:
                table = self._store.table_by_id(*key)
            if table is not None:
                yield TableView.of(table)

    def count_of(self, doc_id: str) -> int:
        return len(self._by_doc.get(doc_id, ()))

    def of_document(self, doc_id: str) -> list[TableView]:
        return [view for key in self._by_doc.get(doc_id, ()) if (view := self.get(key)) is not None]


class TablesByDocument:
    """A document's tables, in order (`TableViews.of_document`), as the mapping the answerer
    reads them through: `get(doc_id, default)`."""

    def __init__(self, tables: TableViews):
        self._tables = tables

    def get(self, doc_id: str, default=None):
        return self._tables.of_document(doc_id) if self._tables.count_of(doc_id) else default


class Corpus:
    def __init__(self, store: Store):
        self.docs: dict[str, DocView] = {}
        for d in store.documents():
            refs = {r.n: r for r in store.references(d.id)}
            self.docs[d.id] = DocView(d.id, d.title, d.kind, d.language, refs, [])
        for doc_id, target, n in store.stands_for():
            if doc_id in self.docs:
                self.docs[doc_id].stands_for.append((target, n))
        self.tables = TableViews(store)
        self.tables_by_doc = TablesByDocument(self.tables)
        self.passages: dict[tuple[str, str], Passage] = {(p.doc_id, p.id): p for p in store.passages()}
        self.facts = StoredFacts(store)

    def texts(self):
        """Every text a question may be matched against: titles, captions, labels, passages, facts;
        a text printed in several places comes as (text, how many times): a dataset series' words
        are printed in each of its rows."""
        for doc in self.docs.values():
            yield doc.title
        for table in self.tables.values():
            yield table.caption
            yield " ".join(table.stub)
            yield from (" ".join(keys) for keys in table.row_keys)
            yield from (" ".join(path) for path in table.columns)
        for passage in self.passages.values():
            yield passage.text
        for series in self.facts.series:
            yield f"{series.indicator}. {series.entity}. {series.source_title or ''}", series.count

    def table(self, doc_id: str, table_id: str) -> TableView | None:
        return self.tables.get((doc_id, table_id))

    def refs(self, doc_id: str, numbers: list[int]) -> list[Reference]:
        doc = self.docs.get(doc_id)
        if doc is None:
            return []
        return [doc.references[n] for n in numbers if n in doc.references]

    def dataset_refs(self, doc_id: str) -> list[Reference]:
        """For a dataset: the report reference entries it stands for."""
        doc = self.docs.get(doc_id)
        out = []
        for target, n in doc.stands_for if doc else []:
            out.extend(self.refs(target, [n]))
        return out

    def standing_docs(self, doc_id: str, n: int) -> list[str]:
        return sorted(d.id for d in self.docs.values() if (doc_id, n) in d.stands_for)
